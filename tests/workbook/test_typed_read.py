"""The typed read (whole Arrow columns from fastexcel) gives the same results as reading every
cell as a Python object: the same Analysis sheet and the same Validation, cell for cell.

Both paths stay callable (``read_workbook(path, typed=False)`` is the path a workbook open in
Excel takes), so each book here is read both ways and analysed, and every output compared.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from handmade import BUILDERS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from addin.app.jobs import analyze_workbook
from addin.demo.book import generate
from addin.workbook.reader import _grid, _put_errors, _whole_cells, read_workbook
from addin.workbook.typed_read import (
    NOT_TEXT,
    Place,
    head_rows,
    merged_ranges,
    mixed_in_head,
    open_reader,
    plain_dates,
    read_typed,
    shared_strings,
)

AS_OF = "2026-06-30"


def messy_book(path: Path) -> Path:
    """The demo's messy book (text numbers, French and Dutch amounts, text dates, yes/no in
    three languages...) as a file, plus real error cells and a column that mixes a number
    into text, the way a hand-typed sheet does."""
    customers, orders = generate(400, 1500, seed=11, messy=True)
    with pd.ExcelWriter(path, engine="xlsxwriter", datetime_format="yyyy-mm-dd") as writer:
        customers.to_excel(writer, sheet_name="Customers", index=False)
        orders.to_excel(writer, sheet_name="Orders", index=False)
        sheet = writer.sheets["Customers"]
        income = list(customers.columns).index("income")
        city = list(customers.columns).index("city")
        for row in (3, 40, 41):
            sheet.write_formula(row, income, "=NA()", None, "#N/A")
        sheet.write_formula(7, city, "=1/0", None, "#DIV/0!")
        sheet.write_number(9, city, 75001)  # a postal code typed into the city column
        prices = writer.sheets["Orders"]
        price = list(orders.columns).index("unit_price")
        prices.write_formula(5, price, "=1+\"a\"", None, "#VALUE!")
    return path


def _both(path: Path, as_of: str | None = AS_OF) -> tuple:
    typed = analyze_workbook(read_workbook(path), as_of=as_of)
    cells = analyze_workbook(read_workbook(path, typed=False), as_of=as_of)
    return typed, cells


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells as written: text held by Arrow or as objects alike, every blank one blank."""
    text = [c for c in frame if frame[c].dtype == object or isinstance(frame[c].dtype,
                                                                       pd.StringDtype)]
    shown = frame.copy()
    for column in text:
        values = frame[column].astype(object)
        shown[column] = values.where(values.notna(), None)
    return shown


def _same(typed, cells) -> None:
    """Every output of the two runs equal: the Analysis table, the Validation (values shown,
    messages, rows), each segment's rows, the settings and where each input column is.
    Text columns may be held as Arrow text on one side and objects on the other: the cells
    written are the same, so values are compared, not how pandas holds them."""
    pd.testing.assert_frame_equal(_shown(typed.table), _shown(cells.table))
    pd.testing.assert_frame_equal(typed.validation, cells.validation)
    assert list(typed.segments) == list(cells.segments)
    for name, rows in typed.segments.items():
        pd.testing.assert_frame_equal(_shown(rows), _shown(cells.segments[name]))
    assert (typed.settings, typed.as_of, typed.columns) == \
        (cells.settings, cells.as_of, cells.columns)


def test_the_messy_book_reads_the_same_typed(tmp_path: Path) -> None:
    path = messy_book(tmp_path / "messy.xlsx")
    data = read_workbook(path)
    # The clean columns were read typed, the mixed ones cell by cell.
    assert isinstance(data.customers["email"].dtype, pd.StringDtype)
    assert data.orders["customer_id"].dtype != object
    assert data.customers["income"].dtype == object
    typed, cells = _both(path)
    _same(typed, cells)
    found = typed.validation
    assert (found["message"] == "Excel error value #N/A: read as empty").sum() >= 3
    assert found["message"].str.contains("#VALUE!", regex=False).any()
    assert len(typed.table) > 300


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_the_handmade_books_read_the_same_typed(tmp_path: Path, name: str) -> None:
    _same(*_both(BUILDERS[name](tmp_path / name), as_of=None))


def test_a_clean_sheet_is_read_as_typed_columns(tmp_path: Path) -> None:
    customers, orders = generate(200, 600, seed=2)
    path = tmp_path / "clean.xlsx"
    with pd.ExcelWriter(path, engine="xlsxwriter", datetime_format="yyyy-mm-dd",
                        engine_kwargs={"options": {"strings_to_formulas": False}}) as writer:
        customers.to_excel(writer, sheet_name="Customers", index=False)
        orders.to_excel(writer, sheet_name="Orders", index=False)
        sheet, names = writer.sheets["Customers"], list(customers.columns)
        # Error cells in a number, a date and a yes/no column, which stay typed otherwise.
        sheet.write_formula(4, names.index("income"), "=NA()", None, "#N/A")
        sheet.write_formula(5, names.index("first_contact"), "=1/0", None, "#DIV/0!")
        sheet.write_formula(6, names.index("is_employee"), "=#REF!", None, "#REF!")
    data = read_workbook(path)
    assert data.customers.loc[5, "income"] == "#N/A"
    assert data.customers.loc[7, "is_employee"] == "#REF!"
    kinds = data.orders.dtypes.astype(str).to_dict()
    assert kinds["order_date"].startswith("datetime64")
    assert kinds["unit_price"] == "float64"
    assert data.customers["email"].dtype != object
    assert list(data.customers.index[:2]) == [2, 3]  # Excel rows, header on row 1
    _same(*_both(path))


def test_the_top_rows_are_read_from_the_head_of_the_sheet() -> None:
    head = (b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>2</v></c></row>'
            b'<row r="2" spans="1:3"><c r="B2" t="inlineStr"><is><r><t>customer</t></r>'
            b'<r><t xml:space="preserve">_id &amp; co</t></r><rPh><t>x</t></rPh></is></c>'
            b'<c r="C2" s="1"><v>46000</v></c><c r="D2" t="e"><v>#N/A</v></c>'
            b'<c r="E2" t="b"><v>1</v></c><c r="F2" t="s"><v>0</v></c><c r="G2"/></row>'
            b'<row r="31"><c r="A31"><v>1</v></c></row>')
    asked: list[set[int]] = []

    def strings(wanted: set[int]) -> dict[int, str]:
        asked.append(wanted)
        return {0: "", 2: "Our customers"}

    top = head_rows(head, strings)
    assert top is not None and top.shape == (30, 6) and asked == [{0, 2}]  # to column F
    assert top[0, 0] == "Our customers"
    # A date, yes/no: not text; an empty shared string: a blank cell.
    assert top[1].tolist() == [None, "customer_id & co", NOT_TEXT, "#N/A", NOT_TEXT, None]
    assert (top[2:] == None).all()  # noqa: E711 (element-wise)
    # Rows 1..30 not all in the piece given, a row without its number: the object path reads.
    assert head_rows(head[: head.index(b'<row r="31"')], strings) is None
    assert head_rows(head.replace(b'<row r="1">', b"<row>"), strings) is None
    assert head_rows(b"<sheetData/>", strings) is not None


def test_shared_strings_are_read_no_further_than_needed() -> None:
    table = (b'<sst count="5"><si><t>zero</t></si><si><r><t>o</t></r><r><t>ne</t></r></si>'
             b'<si><t>two &lt;2&gt;</t></si><si><t>three</t></si><si><t>four</t></si></sst>')
    pieces = [table[i: i + 7] for i in range(0, len(table), 7)]
    read: list[bytes] = []

    def chunks():
        for piece in pieces:
            read.append(piece)
            yield piece

    assert shared_strings(chunks(), {1, 2}) == {1: "one", 2: "two <2>"}
    assert b"".join(read) == table[: len(b"".join(read))] and b"four" not in b"".join(read)
    assert shared_strings(iter([table]), {4, 9}) == {4: "four"}  # 9: not in the table


def test_merged_ranges_are_found_in_pieces_of_the_sheet() -> None:
    xml = (b'</sheetData><mergeCells count="2"><mergeCell ref="F4:G4"/>'
           b'<x:mergeCell ref="AA10"/></mergeCells>')
    cut = xml.index(b'ref="F4') + 3  # a piece ends inside a tag: it waits for the next one
    assert merged_ranges([xml[:cut], xml[cut:]]) == [((3, 5), (3, 6)), ((9, 26), (9, 26))]


def test_error_cells_are_found_in_pieces_of_the_sheet() -> None:
    grid = np.full((3, 3), None, dtype=object)
    xml = (b'<row r="1"><c r="A1" t="e"><v>#N/A</v></c><c r="B1"><v>1</v></c></row>'
           b'<row r="3"><x:c r="C3" t="e"><x:v>#REF!</x:v></x:c></row>')
    cut = xml.index(b"<v>1")  # a piece ends inside a cell: it waits for the next piece
    whole, rest = _whole_cells(xml[:cut])
    assert whole.endswith(b"#N/A</v></c>") and rest == b'<c r="B1">'
    _put_errors(whole, grid)
    _put_errors(rest + xml[cut:], grid)
    assert (grid[0, 0], grid[2, 2], grid[0, 1]) == ("#N/A", "#REF!", None)


def test_headers_fastexcel_would_rename_take_the_cell_by_cell_path(tmp_path: Path) -> None:
    path = tmp_path / "headers.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    sheet.write_row(0, 0, ["customer_id", "email", "email", 2024])
    sheet.write_row(1, 0, ["C1", "a@x.be", "b@x.be", 5])
    book.close()
    typed, cells = read_workbook(path), read_workbook(path, typed=False)
    assert list(typed.customers.columns) == list(cells.customers.columns)
    assert list(typed.customers.columns)[:3] == ["customer_id", "email", "email"]


def test_a_table_away_from_a1_keeps_its_excel_rows(tmp_path: Path) -> None:
    path = tmp_path / "offset.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    sheet.write_row(2, 1, ["customer_id", "income", "name"])  # B3: two empty rows above
    sheet.write_row(3, 1, ["C1", 100, "Ann"])
    sheet.write_row(5, 1, ["C2", 200, "  "])  # row 5 blank: skipped; "  " is not blank
    sheet.write_row(6, 1, ["C3", 300])
    sheet.write_formula(6, 3, "=NA()", None, "#N/A")
    sheet.write_row(8, 1, ["C3", 400, "Dup"])
    book.close()
    typed, cells = read_workbook(path), read_workbook(path, typed=False)
    assert typed.customers["income"].dtype == np.float64  # read typed
    assert typed.customers.index.tolist() == cells.customers.index.tolist() == [4, 6, 7, 9]
    for column in cells.customers:
        assert [None if pd.isna(v) else v for v in typed.customers[column]] == \
            [None if pd.isna(v) else v for v in cells.customers[column]]
    assert typed.columns == cells.columns
    _same(*_both(path))


def test_an_excel_table_over_the_whole_sheet_is_read_typed(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    sheet.add_table(0, 0, 3, 2, {"columns": [{"header": "customer_id"}, {"header": "income"},
                                             {"header": "name"}],
                                 "data": [["C1", 100, "Ann"], ["C2", "1 234,50 €", "Bob"],
                                          ["C3", 300, None]]})
    book.close()
    typed = read_workbook(path)
    assert isinstance(typed.customers["name"].dtype, pd.StringDtype)  # read typed
    assert typed.customers["income"].tolist() == [100, "1 234,50 €", 300]  # mixed: exact cells
    _same(*_both(path))


# -- Layouts as people make them: title rows, a header away from A1, blank header cells, an
# Excel Table anywhere, totals and notes under the data.  Each generated book is read both
# ways; the typed read must give the same frames and the same Validation, and be the typed
# read (its text columns held as Arrow text), not a fallback to the object path.

ABOVE = {"title": "Customer list 2026", "date": "Printed on", "note": "Amounts in EUR"}
KINDS = ("income", "first_contact", "is_employee", "blank header", "contact", "notes")
#: Text as people paste it: quotes, a backslash, a line break, a tab, a zero-width space.
ODD_TEXT = 'Said "call back"\\ later\n\tvia e\u0301mail\u200b'
#: Where an error cell goes: the first of these columns the layout has.
ERROR_IN = ("income", "first_contact", "is_employee", "notes")


@dataclass(frozen=True)
class Layout:
    """Where a hand-made Customers sheet's table is and what surrounds it."""

    above: tuple[str, ...]  # rows above the header: title, date, note, merged title, blank
    column: int  # 0-based column of the header's first cell
    kinds: tuple[str, ...]  # the columns after customer_id and name
    rows: tuple[tuple[bool, bool, bool], ...]  # per row: blank row, odd value, error cell
    below: tuple[str, ...]  # rows under the data: totals, note, note left, blank
    table: bool  # the header and data are an Excel Table
    table_totals: bool  # the Table has a totals row
    stray: bool  # a value left of the header's first column, beside the data


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    above = draw(st.lists(st.sampled_from(["title", "date", "note", "merged title", "blank"]),
                          max_size=4))
    kinds = draw(st.lists(st.sampled_from(KINDS), unique=True, max_size=4))
    rows = draw(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()),
                         min_size=1, max_size=6))
    rows[0] = (False, *rows[0][1:])  # at least one customer
    below = draw(st.lists(st.sampled_from(["totals", "note", "note left", "blank"]),
                          max_size=3))
    return Layout(tuple(above), draw(st.integers(0, 2)), tuple(kinds), tuple(rows),
                  tuple(below), draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))


def write_layout(path: Path, layout: Layout) -> Path:
    """The layout as a workbook: the customers' cells typed as a person would type them
    (an odd value is text in a number, date or yes/no column, or a number in the notes, a
    text column: the column then mixes kinds; an error cell goes in the first of
    :data:`ERROR_IN` the layout has)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for row, kind in enumerate(layout.above):
        if kind == "merged title":
            sheet.merge_range(row, 0, row, 3, "Our customers", None)
        elif kind != "blank":
            sheet.write_string(row, 0, ABOVE[kind])
        if kind == "date":
            sheet.write_datetime(row, 1, datetime(2026, 6, 30), day)
    top, left = len(layout.above), layout.column
    headers = ["customer_id", "name"]
    for kind in layout.kinds:
        headers += {"blank header": [None], "contact": ["contact", None]}.get(kind, [kind])
    if not layout.table:
        if "contact" in layout.kinds:
            at = left + headers.index("contact")
            sheet.merge_range(top, at, top, at + 1, "contact", None)
        sheet.write_row(top, left, headers)
    data = top + 1
    for i, (blank, odd, error) in enumerate(layout.rows):
        row = data + i
        if blank:
            continue
        values: list[object] = [f"C{i + 1}", f"Name {i + 1}"]
        for kind in layout.kinds:
            values += {
                # Text fastexcel reads as a blank (n/a) or a number (nan) if let through.
                "income": [("1 234,50 €", "n/a", "nan")[i % 3] if odd else 1000 * (i + 1)],
                # A text date, or a date with its time of day beside whole dates.
                "first_contact": [("31/12/2025", datetime(2025, 2, 3, 14, 30))[i % 2] if odd
                                  else datetime(2025, 1, i + 1)],
                "is_employee": [("oui", "non")[i % 2] if odd else i % 2 == 0],
                "blank header": [f"x{i}" if odd else None],
                "contact": [f"c{i}@x.be", "+32 2 123 45 67" if odd else None],
                # (the first row's text: a column of numbers alone is not a mixed one)
                "notes": [(75001, 12.5)[i % 2] if odd and i else f"{ODD_TEXT} {i}"]}[kind]
        for column, value in enumerate(values):
            if isinstance(value, datetime):
                sheet.write_datetime(row, left + column, value, day)
            elif value is not None:
                sheet.write(row, left + column, value)
        failing = next((kind for kind in ERROR_IN if kind in layout.kinds), None)
        if error and failing:
            sheet.write_formula(row, left + headers.index(failing), "=NA()", None, "#N/A")
        if layout.stray and left:
            sheet.write_string(row, left - 1, "stray")
    end = data + len(layout.rows)  # the row under the data
    if layout.table:
        columns = [{"header": h or f"Column{i + 1}"} for i, h in enumerate(headers)]
        if layout.table_totals:
            columns[0]["total_string"] = "Total"
            if "income" in headers:
                columns[headers.index("income")]["total_function"] = "sum"
        sheet.add_table(top, left, end - 1 + layout.table_totals, left + len(headers) - 1,
                        {"columns": columns, "total_row": layout.table_totals})
        end += layout.table_totals
    for i, kind in enumerate(layout.below):
        if kind == "totals":
            sheet.write_string(end + i, left, "Total")
            if "income" in layout.kinds:
                sheet.write_number(end + i, left + headers.index("income"), 12345)
        elif kind != "blank":
            sheet.write_string(end + i, 0 if kind == "note left" else left,
                               "Source: the CRM, exported by hand")
    book.close()
    return path


def _values(frame: pd.DataFrame) -> list[list[object]]:
    """Each column's cells, blanks as None and dates as timestamps (the typed read holds a
    date column as datetime64, the object path as the dates calamine gives)."""
    return [[None if pd.isna(v) else pd.Timestamp(v) if isinstance(v, date) else v
             for v in frame.iloc[:, i]] for i in range(frame.shape[1])]


def _same_read(path: Path) -> None:
    """The sheet read both ways: the same labels, rows, cells, places and messages; the typed
    read took the typed path."""
    typed, cells = read_workbook(path), read_workbook(path, typed=False)
    assert isinstance(typed.customers["name"].dtype, pd.StringDtype)  # read typed
    assert list(typed.customers.columns) == list(cells.customers.columns)
    assert typed.customers.index.tolist() == cells.customers.index.tolist()
    assert _values(typed.customers) == _values(cells.customers)
    assert typed.columns == cells.columns
    pd.testing.assert_frame_equal(typed.validation.to_frame(), cells.validation.to_frame())


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=layouts())
def test_hand_made_layouts_read_the_same_typed(tmp_path_factory: pytest.TempPathFactory,
                                                layout: Layout) -> None:
    path = write_layout(tmp_path_factory.mktemp("layout") / "layout.xlsx", layout)
    _same_read(path)
    _same(*_both(path))  # and the same analysis and Validation, parsing messages included


def test_a_titled_book_is_read_typed(tmp_path: Path) -> None:
    """Title rows as people type them (a title, a date line, a blank row, then the header)
    above both sheets, a totals row and a note under Orders: read typed, the same as the
    object path."""
    customers, orders = generate(60, 200, seed=5)
    path = tmp_path / "titled.xlsx"
    with pd.ExcelWriter(path, engine="xlsxwriter", datetime_format="yyyy-mm-dd") as writer:
        for name, frame in (("Customers", customers), ("Orders", orders)):
            frame.to_excel(writer, sheet_name=name, index=False, startrow=3)
            sheet = writer.sheets[name]
            sheet.write_string(0, 0, f"{name} — export of 30/06/2026")
            sheet.write_string(1, 0, "Printed on")
            sheet.write_datetime(1, 1, datetime(2026, 6, 30))
        prices = writer.sheets["Orders"]
        # Header on row 4, orders on rows 5..204, row 205 blank, Total on 206, note on 208.
        below = 4 + len(orders) + 1
        prices.write_string(below, 0, "Total")
        prices.write_number(below, list(orders.columns).index("unit_price"),
                            float(orders["unit_price"].sum()))
        prices.write_string(below + 2, 0, "Prices net of VAT")
    data = read_workbook(path)
    assert data.customers.index[0] == 5 and data.orders.index[-1] == 208
    assert isinstance(data.customers["email"].dtype, pd.StringDtype)  # read typed
    assert data.orders["order_date"].dtype.kind == "M"
    assert data.orders["unit_price"].dtype == np.float64
    assert data.orders.loc[206, "order_id"] == "Total"  # as the object path: a row like any
    _same(*_both(path))


def test_a_blank_header_cell_is_named_by_its_own_column(tmp_path: Path) -> None:
    """A header from B4 with D4 left blank over values and F4:G4 merged: both paths name and
    report columns D and G (not the letters counted from the header's first column)."""
    path = tmp_path / "blank.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    sheet.write_string(0, 0, "Customers")
    sheet.write_row(3, 1, ["customer_id", "name", None, "email"])
    sheet.merge_range("F4:G4", "phone", None)
    sheet.write_row(4, 1, ["C1", "Ann", "VIP", "ann@x.be", "+32 2 111", "+32 475"])
    sheet.write_row(5, 1, ["C2", "Bob", None, "bob@x.be"])
    book.close()
    for data in (read_workbook(path), read_workbook(path, typed=False)):
        assert list(data.customers.columns) == ["customer_id", "name", "column D", "email",
                                                "phone", "column G"]
        problems = data.validation.to_frame()
        assert problems[["row", "column", "key"]].values.tolist() == [
            [4, "D", "header.missing"], [4, "G", "header.merged"]]
    assert isinstance(read_workbook(path).customers["name"].dtype, pd.StringDtype)
    _same_read(path)


def test_the_table_holding_the_customers_among_others(tmp_path: Path) -> None:
    """Two Excel Tables: a legend at A1 and the customers at C5 with a totals row, notes under
    it: the customers' Table is read, typed, its totals row and the notes left out."""
    path = tmp_path / "tables.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    sheet.add_table("A1:A3", {"columns": [{"header": "Legend"}], "data": [["VIP"], ["New"]]})
    sheet.add_table("C5:E8", {"columns": [{"header": "customer_id", "total_string": "Total"},
                                          {"header": "name"},
                                          {"header": "income", "total_function": "sum"}],
                              "data": [["C1", "Ann", 100], ["C2", "Bob", 250]],
                              "total_row": True})
    sheet.write_string(9, 2, "Incomes in EUR")
    book.close()
    data = read_workbook(path)
    assert data.customers.index.tolist() == [6, 7]
    assert data.customers["income"].tolist() == [100, 250]
    assert data.customers["income"].dtype == np.float64  # read typed
    _same_read(path)


def test_text_fastexcel_would_take_for_a_blank_or_a_number_stays_text(tmp_path: Path) -> None:
    """``n/a`` typed into a number column reaches fastexcel's strict typing as a cell error,
    ``nan`` as a NaN number: both columns are read as their exact cells, the rest typed."""
    path = tmp_path / "na.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    sheet.write_row(0, 0, ["customer_id", "name", "income", "budget"])
    for row, values in enumerate([["C1", "Ann", 100, "nan"], ["C2", "Bob", "n/a", 5000],
                                  ["C3", "Cy", 300, 7000]], start=1):
        sheet.write_row(row, 0, values)
    book.close()
    data = read_workbook(path)
    assert isinstance(data.customers["name"].dtype, pd.StringDtype)  # read typed
    assert data.customers["income"].tolist() == [100, "n/a", 300]
    assert data.customers["budget"].tolist() == ["nan", 5000, 7000]
    _same(*_both(path))


# -- A column that mixes kinds costs that column only: fastexcel reads it again alone (or in
# the same pass), its dates typed and every other cell from fastexcel's report of it; the
# whole sheet is never turned into Python objects.

MIXED_HEADERS = ["customer_id", "income", "first_contact", "is_employee", "notes", "budget",
                 "spend"]


def write_mixed(path: Path, *, date_1904: bool = False) -> Path:
    """A Customers sheet whose columns each mix kinds as hand-typed books do (the values the
    object path reads are the expected ones: each cell below is what was typed)."""
    book = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    sheet = book.add_worksheet("Customers")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, MIXED_HEADERS)
    rows = [
        # income: number / text amount; first_contact: date / text date; is_employee: yes/no
        # / oui, non; notes: text with quotes, a backslash, a line break / a number;
        # budget: a number / "nan" (a NaN to fastexcel); spend: a number / "n/a" (a blank).
        ["C1", 1234.5, datetime(2025, 1, 2), True, ODD_TEXT, 5000, 10],
        ["C2", "1 234,50 €", "31/12/2025", "oui", 75001, "nan", "n/a"],
        ["C3", 0.1, datetime(2025, 2, 3, 14, 30), False, "", 7000, 30],
        ["C4", "n/a", "2025-13-01", "non", 12.5, 8000.25, 40],
        ["C5", None, time(9, 30), None, "see (a)'", None, None],
    ]
    for row, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            if isinstance(value, datetime | time):
                sheet.write_datetime(row, column, value, day)
            elif value is not None:
                sheet.write(row, column, value)
    # Error cells in the number, date, yes/no and text columns, on row 7.
    sheet.write_string(6, 0, "C6")
    for column, formula, shown in ((1, "=NA()", "#N/A"), (2, "=1/0", "#DIV/0!"),
                                   (3, "=#REF!", "#REF!"), (4, '=1+"a"', "#VALUE!")):
        sheet.write_formula(6, column, formula, None, shown)
    book.close()
    return path


def _read_without_grid(path: Path) -> pd.DataFrame:
    """The Customers sheet through the typed read, failing if it builds the sheet's grid;
    the same whether the mixed columns are seen in the head of the sheet given or each found
    by a pass of fastexcel (a head cut after the header, or after the first two customers:
    part seen, part found)."""
    with zipfile.ZipFile(path) as package:
        whole = package.read("xl/worksheets/sheet1.xml")

    def no_grid() -> np.ndarray:
        raise AssertionError("a mixed column cost the whole sheet's object grid")

    frames = []
    for head in (whole, whole[: whole.index(b'<row r="2"')],
                 whole[: whole.index(b'<row r="4"')]):
        found = read_typed(open_reader(path), "Customers", head, Place(1, MIXED_HEADERS, 0),
                           no_grid, lambda: True)
        assert found is not None
        frames.append(found[0])
        assert found[1] == MIXED_HEADERS
    frame = frames[0]
    for other in frames[1:]:
        pd.testing.assert_frame_equal(frame, other)
    # The same frame as the mixed columns taken from the sheet's grid, the way before.
    grid = read_typed(open_reader(path), "Customers", head, Place(1, MIXED_HEADERS, 0),
                      lambda: _grid(CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
                          "Customers").to_python(skip_empty_area=False)), lambda: True,
                      whole_grid=True)
    assert grid is not None
    pd.testing.assert_frame_equal(frame, grid[0])
    return frame


def test_a_mixed_column_is_read_without_the_sheets_grid(tmp_path: Path) -> None:
    path = write_mixed(tmp_path / "mixed.xlsx")
    frame = _read_without_grid(path)
    cells = read_workbook(path, typed=False).customers
    assert frame.index.tolist() == cells.index.tolist() == [2, 3, 4, 5, 6, 7]
    for i, column in enumerate(MIXED_HEADERS):
        assert frame[i].tolist() == [None if pd.isna(v) else v for v in cells[column]], column
    assert frame[1].tolist() == [1234.5, "1 234,50 €", 0.1, "n/a", None, "#N/A"]
    assert frame[2].tolist() == [date(2025, 1, 2), "31/12/2025", datetime(2025, 2, 3, 14, 30),
                                 "2025-13-01", time(9, 30), "#DIV/0!"]
    assert frame[3].tolist() == [True, "oui", False, "non", None, "#REF!"]
    # The text exactly as typed; an empty text is a blank cell.
    assert frame[4].tolist() == [ODD_TEXT, 75001.0, None, 12.5, "see (a)'", "#VALUE!"]
    assert frame[5].tolist() == [5000.0, "nan", 7000.0, 8000.25, None, None]
    assert frame[6].tolist() == [10.0, "n/a", 30.0, 40.0, None, None]
    _same(*_both(path))


def test_a_mixed_column_of_a_1904_book_is_read_the_same(tmp_path: Path) -> None:
    """Dates counted from 1904: a serial alone does not say the date, so the mixed column's
    cells come from the sheet's grid, as before; the result is the same."""
    path = write_mixed(tmp_path / "mixed1904.xlsx", date_1904=True)
    typed = read_workbook(path)
    assert isinstance(typed.customers["customer_id"].dtype, pd.StringDtype)  # read typed
    assert typed.customers.loc[2, "first_contact"] == date(2025, 1, 2)
    _same(*_both(path))


def test_the_book_says_whether_its_dates_are_plain_serials() -> None:
    workbook = '<workbook><workbookPr date1904="1"/></workbook>'
    elapsed = '<numFmts><numFmt numFmtId="164" formatCode="[h]:mm"/></numFmts>'
    assert plain_dates("<workbook/>", '<numFmt numFmtId="164" formatCode="[$€-40C] 0.00"/>')
    assert not plain_dates(workbook, "")
    assert not plain_dates("<workbook/>", elapsed)
    assert not plain_dates("<workbook/>", '<xf numFmtId="46" applyNumberFormat="1"/>')


def test_columns_mixing_kinds_are_seen_in_the_head_of_the_sheet() -> None:
    head = (b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
            b'<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>5</v></c>'
            b'<c r="C2" t="b"><v>1</v></c><c r="D2" s="1"/><c r="E2" t="e"><v>#N/A</v></c>'
            b'<c r="F2"><v>1</v></c></row>'
            b'<row r="3"><c r="A3" t="inlineStr"><is><t>C2</t></is></c>'
            b'<c r="B3" t="str"><f>A1</f><v>x</v></c><c r="C3" t="s"><v>2</v></c>'
            b'<c r="D3" t="s"><v>3</v></c><c r="E3"><v>2</v></c><c r="F3" t="s"><v>4</v></c>'
            b'</row><row r="4"><c r="B4" t="s"><v>5</v></c>')  # row 4: cut short
    # B: a number and a formula's text; C: yes/no and text; D: a styled blank and text (not
    # mixed); E: an error cell and a number (not mixed); F: beyond the place's last column.
    assert mixed_in_head(head, Place(1, ["id"], 0, 4)) == {1, 2}
    assert mixed_in_head(head, Place(1, ["id"], 0, None, rows=1)) == set()  # row 2 alone
    assert mixed_in_head(head, Place(1, ["id"], 2)) == {2, 5}
    assert mixed_in_head(head.replace(b'<row r="3">', b"<row>"), Place(1, ["id"], 0)) == set()


def test_date_serials_in_a_mixed_column_read_as_calamine_reads_them(tmp_path: Path) -> None:
    """Date cells at the edges of Excel's calendar, beside text: a time of day (under one),
    the days around Excel's 29 February 1900 (day 60, calamine shifts the days before it),
    a date with milliseconds, the last day of 9999 and past it (python-calamine gives the
    serial): the same values without the grid as with it."""
    serials = [0.5, 1, 59, 59.5, 60, 61, 45659, 45659.123456, 2958465, 2958466.5]
    path = tmp_path / "serials.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    day = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, ["customer_id", "first_contact"])
    for row, serial in enumerate(serials, start=1):
        sheet.write_string(row, 0, f"C{row}")
        sheet.write_number(row, 1, serial, day)
    sheet.write_row(len(serials) + 1, 0, ["C0", "31/12/2025"])
    book.close()
    with zipfile.ZipFile(path) as package:
        head = package.read("xl/worksheets/sheet1.xml")

    def no_grid() -> np.ndarray:
        raise AssertionError("the sheet's grid was built")

    found = read_typed(open_reader(path), "Customers", head,
                       Place(1, ["customer_id", "first_contact"], 0), no_grid, lambda: True)
    assert found is not None
    cells = read_workbook(path, typed=False).customers["first_contact"].tolist()
    assert found[0][1].tolist() == cells
    # 0.5: noon; serial 1: 1 January 1900 (day 0 is 30 December 1899, shifted a day).
    assert cells[:2] == [time(12), date(1900, 1, 1)] and cells[-1] == "31/12/2025"
