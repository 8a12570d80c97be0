"""Reading real workbooks: values kept exact, tables found where users put them, and every bad
file a clear message (never a traceback)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook
from workbooks import customer_workbook

from addin.core.analysis import run_analysis
from addin.errors import WorkbookError
from addin.workbook.reader import data_from_grids, read_workbook
from addin.workbook.results import write_results

FILES = Path(__file__).resolve().parents[1] / "files"


def build(path: Path, sheets: dict[str, list[list[object]]], *, table: dict | None = None,
          ) -> Path:
    """A workbook whose sheets hold these rows from A1 (None = no cell)."""
    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, date)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
        if table and name == table["sheet"]:
            sheet.add_table(table["ref"], {"columns": [{"header": h} for h in table["headers"]],
                                           "autofilter": False})
    book.close()
    return path


def test_values_are_kept_exactly(tmp_path: Path) -> None:
    path = build(tmp_path / "values.xlsx", {"Customers": [
        ["customer_id", "name", "since", "budget", "employee"],
        ["01000", "=1+1", dt.datetime(2024, 2, 29), 1500, True],
        ["007", "  spaced ", dt.datetime(2024, 3, 1, 13, 30), 12.75, False],
        [42, None, None, None, None],
    ]})
    customers = read_workbook(path).customers
    assert customers is not None
    assert customers.index.name == "row" and customers.index.tolist() == [2, 3, 4]
    assert customers.columns.tolist() == ["customer_id", "name", "since", "budget", "employee"]

    def values(name: str) -> list[object]:  # a blank is missing, however the column holds it
        return [None if pd.isna(v) else v for v in customers[name].tolist()]

    assert values("customer_id") == ["01000", "007", 42.0]
    assert values("name") == ["=1+1", "  spaced ", None]
    since = values("since")
    assert since[0] in (dt.date(2024, 2, 29), dt.datetime(2024, 2, 29)) and since[2] is None
    assert since[1] == dt.datetime(2024, 3, 1, 13, 30)
    assert values("budget")[:2] == [1500, 12.75]
    assert values("employee") == [True, False, None]


def test_excel_error_values_are_read_as_their_text(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "errors.xlsx"))
    sheet = book.add_worksheet("Clients")
    sheet.write_row(0, 0, ["id client", "budget", "nps"])
    sheet.write_row(1, 0, ["C1"])
    sheet.write_formula(1, 1, "=NA()", None, "#N/A")
    sheet.write_formula(1, 2, "=#REF!", None, "#REF!")
    sheet.write_row(2, 0, ["C2"])
    sheet.write_formula(2, 1, '="a"+1', None, "#VALUE!")
    sheet.write_number(2, 2, 9)
    book.close()
    customers = read_workbook(tmp_path / "errors.xlsx").customers
    assert customers is not None
    assert customers["budget"].tolist() == ["#N/A", "#VALUE!"]
    assert customers["nps"].tolist() == ["#REF!", 9]


def test_header_under_title_rows_blank_rows_skipped(tmp_path: Path) -> None:
    path = build(tmp_path / "titled.xlsx", {"Klanten": [
        ["Customer list 2026"],
        ["exported by the CRM"],
        ["klant id", "naam", None, "land"],
        ["K1", "Anna", None, "NL"],
        [None, None, None, None],
        ["K2", "Bram", None, "BE"],
    ]})
    data = read_workbook(path)
    assert data.sheet_names == {"customers": "Klanten"}
    customers = data.customers
    assert customers is not None
    assert customers.columns.tolist() == ["klant id", "naam", "column C", "land"]
    assert customers.index.tolist() == [4, 6]
    assert customers["land"].tolist() == ["NL", "BE"]
    assert len(data.validation) == 0  # an empty column without header is no problem


def test_excel_table_is_used_when_there_is_one(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Our customers"], [], [],
                                [None, "customer_id", "email"],
                                [None, "C1", "a@x"], [None, "C2", "b@x"], [],
                                [None, "Total: 2 customers (not a customer)"]]
    path = build(tmp_path / "table.xlsx", {"Customers": rows},
                 table={"sheet": "Customers", "ref": "B4:C6",
                        "headers": ["customer_id", "email"]})
    customers = read_workbook(path).customers
    assert customers is not None
    assert customers.columns.tolist() == ["customer_id", "email"]
    assert customers.index.tolist() == [5, 6]
    assert customers["customer_id"].tolist() == ["C1", "C2"]


def test_merged_header_cells_are_reported(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "merged.xlsx"))
    sheet = book.add_worksheet("Customers")
    sheet.write_string(0, 0, "customer_id")
    sheet.merge_range("B1:C1", "contact", None)
    sheet.write_row(1, 0, ["C1", "a@x", "+32 2 123"])
    book.close()
    data = read_workbook(tmp_path / "merged.xlsx")
    assert data.customers is not None
    assert data.customers.columns.tolist() == ["customer_id", "contact", "column C"]
    problems = data.validation.to_frame()
    assert problems[["sheet", "row", "column"]].values.tolist() == [["Customers", 1, "C"]]
    assert "merged cells" in problems["message"][0]


def test_ten_thousand_formatted_blank_rows_are_dropped(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "blank.xlsx"))
    sheet = book.add_worksheet("Customers")
    yellow = book.add_format({"bg_color": "#FFFF00"})
    sheet.write_row(0, 0, ["customer_id", "name"])
    sheet.write_row(1, 0, ["C1", "Ann"])
    for row in range(2, 10_002):
        sheet.write_blank(row, 0, None, yellow)
        sheet.write_blank(row, 5, None, yellow)
    book.close()
    customers = read_workbook(tmp_path / "blank.xlsx").customers
    assert customers is not None
    assert customers.index.tolist() == [2] and customers.shape == (1, 2)


def test_a_sheet_of_1048576_rows_is_read(tmp_path: Path) -> None:
    path = build(tmp_path / "full.xlsx", {"Customers": [["customer_id", "score"], ["x", 1]]})
    rows = np.arange(2, 1_048_577)
    ids = pd.Series(rows.astype(str))
    xml = ('<row r="' + ids + '"><c r="A' + ids + '" t="inlineStr"><is><t>C' + ids
           + '</t></is></c><c r="B' + ids + '"><v>' + ids + "</v></c></row>")
    body = "".join(xml.tolist())
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
             '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension '
             'ref="A1:B1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
             'customer_id</t></is></c><c r="B1" t="inlineStr"><is><t>score</t></is></c></row>'
             f"{body}</sheetData></worksheet>")
    big = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(big, "w",
                                                          zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, sheet if info.filename.endswith("sheet1.xml")
                            else data, compresslevel=1)
    customers = read_workbook(big).customers
    assert customers is not None
    assert len(customers) == 1_048_575
    assert customers.index[-1] == 1_048_576
    assert customers["customer_id"].iloc[-1] == "C1048576"
    assert customers["score"].iloc[-1] == 1_048_576


def test_settings_as_key_value_rows_without_header(tmp_path: Path) -> None:
    path = build(tmp_path / "settings.xlsx", {
        "Customers": [["customer_id"], ["C1"]],
        "Paramètres": [["langue", "fr"], ["churn_days", 200]],
    })
    settings = read_workbook(path).settings
    assert settings is not None
    assert settings.values.tolist() == [["langue", "fr"], ["churn_days", 200]]
    assert settings.index.tolist() == [1, 2]


def test_potentiel_sheets_are_never_read_as_input(tmp_path: Path) -> None:
    path = customer_workbook(tmp_path / "book.xlsx", segments=("Klanten", "Orders"))
    data = read_workbook(path)
    analysis = run_analysis(data.customers, data.orders, segments=data.segments,
                            as_of="2026-06-30", sheet_names=data.sheet_names)
    write_results(path, analysis)
    again = read_workbook(path)
    assert again.sheet_names == data.sheet_names
    assert len(again.validation) == 0
    assert again.customers is not None and data.customers is not None
    pd.testing.assert_frame_equal(again.customers, data.customers)


def test_a_second_customers_sheet_is_reported(tmp_path: Path) -> None:
    path = build(tmp_path / "two.xlsx", {"Clients": [["customer_id"], ["C1"]],
                                         "Customers": [["customer_id"], ["C2"]]})
    data = read_workbook(path)
    assert data.sheet_names["customers"] == "Clients"
    assert "only 'Clients' is read" in data.validation.to_frame()["message"][0]


@pytest.mark.parametrize(("make", "message", "hint"), [
    (lambda p: p.write_text("id;name\n1;Ann\n"), "not an Excel workbook", "as .xlsx"),
    (lambda p: p.write_bytes(b""), "an empty file", "save it again"),
    (lambda p: p.write_bytes((FILES / "encrypted.xlsx").read_bytes()),
     "protected by a password", "remove the password"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504),
     "old Excel 97-2003 file", "save it as .xlsx"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("hello.txt", "hi"),
     "a zip file but not an Excel workbook", "save it as .xlsx"),
    (lambda p: p.write_bytes(b"PK\x03\x04broken"), "not an Excel workbook", "as .xlsx"),
    (lambda p: None, "does not exist", "Check the file name"),
    (lambda p: p.mkdir(), "is a folder", "Give the path"),
])
def test_bad_files_get_a_clear_message(tmp_path: Path, make, message: str, hint: str) -> None:
    path = tmp_path / "book.xlsx"
    make(path)
    with pytest.raises(WorkbookError, match=message) as err:
        read_workbook(path)
    assert hint in (err.value.hint or "")


def test_no_customers_sheet_lists_what_was_found(tmp_path: Path) -> None:
    path = build(tmp_path / "none.xlsx", {"Feuil1": [["a"]], "Orders": [["customer_id"]]})
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert "has no Customers sheet (sheets found: Feuil1, Orders)" in err.value.message
    assert "Clients" in (err.value.hint or "") and "Klanten" in (err.value.hint or "")


def test_empty_customers_sheet(tmp_path: Path) -> None:
    path = build(tmp_path / "empty.xlsx", {"Customers": []})
    with pytest.raises(WorkbookError, match="Sheet 'Customers' is empty"):
        read_workbook(path)


def test_headers_not_recognised_still_read_for_the_core_to_report(tmp_path: Path) -> None:
    path = build(tmp_path / "odd.xlsx", {"Customers": [["who", "what"], ["Ann", 1]]})
    customers = read_workbook(path).customers
    assert customers is not None and customers.columns.tolist() == ["who", "what"]


def test_grids_read_elsewhere_give_the_same_input(tmp_path: Path) -> None:
    path = customer_workbook(tmp_path / "book.xlsx")
    book = CalamineWorkbook.from_path(str(path))
    grids = {name: [[None if v == "" else v for v in row] for row in
                    book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
             for name in book.sheet_names}
    grids["Analysis"] = [["customer_id"], ["not an input"]]
    # Cell by cell, as the grids are read (the typed read is compared with it in
    # test_typed_read.py).
    from_grids, from_file = data_from_grids(path, grids), read_workbook(path, typed=False)
    assert from_grids.sheet_names == from_file.sheet_names
    for kind in ("customers", "orders", "segments"):
        pd.testing.assert_frame_equal(getattr(from_grids, kind), getattr(from_file, kind))
    with pytest.raises(WorkbookError, match="no Customers sheet"):
        data_from_grids(path, {"Feuil1": [["x"]]})
