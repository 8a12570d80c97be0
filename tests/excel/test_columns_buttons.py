"""The buttons write the Columns sheet as ``potentiel run`` does: new with the guesses, then
only added to, in the book's language, every other sheet left alone.

The open workbook is the recording stand-in of xlwings (``recording_book``); what the user
sees on the next press is what Excel would show: the cells written, a copied sheet's cells
from its worksheet XML, Excel's "this is text" apostrophe not part of the value.
"""

from __future__ import annotations

import html
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter
from recording_book import Book, Sheet

from addin import macros
from addin.app.jobs import perform
from addin.app.side import ExcelSide
from addin.workbook.a1 import column_letter
from addin.workbook.edit import update_cells
from addin.workbook.reader import read_sheet_table
from addin.workbook.results import write_results

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "potentiel_template.xlsm"
GUESS = "een gok: controleer het, de volgende analyse leest het"
UNUSED = "niet gebruikt: kies een veld om ze te gebruiken"
KNOWN = "herkend"


def _grids() -> dict[str, list[list[Any]]]:
    """A Dutch book: a phone and an e-mail column only guessed, last year's revenue unplaced."""
    return {
        "Customers": [["customer_id", "name", "Telefoon nr", "Mail klant", "Omzet vorig jaar",
                       "satisfaction"],
                      ["A", "Ann", "+32 2 555 01 01", "ann@x.be", 1200.5, 5],
                      ["B", "Bo", "+32 2 555 01 02", "bo@y.be", 300, 1]],
        "Orders": [["customer_id", "order_date", "amount"], ["A", "2026-01-05", 120]],
        "Settings": [["key", "value"], ["as_of", "2026-06-30"], ["language", "nl"]],
        "Notities": [["my own notes"]],
    }


#: The rows the first press writes, worked out from the headers above (field labels in Dutch).
FIRST = [["Blad", "Uw kolomkop", "Veld", "Opmerking"],
         ["Customers", "customer_id", "Klantnummer", KNOWN],
         ["Customers", "name", "Naam", KNOWN],
         ["Customers", "Telefoon nr", "Telefoon", GUESS],
         ["Customers", "Mail klant", "E-mail", GUESS],
         ["Customers", "Omzet vorig jaar", None, UNUSED],
         ["Customers", "satisfaction", "Tevredenheid", KNOWN],
         ["Orders", "customer_id", "Klantnummer", KNOWN],
         ["Orders", "order_date", "Besteldatum", KNOWN],
         ["Orders", "amount", "Bedrag", KNOWN]]


def _cell(xml: str) -> Any:
    """A worksheet cell's value: inline text, or a number."""
    text = re.search(r"<t(?: [^>]*)?>([^<]*)</t>", xml)
    if text:
        return html.unescape(text.group(1))
    number = re.search(r"<v>([^<]*)</v>", xml)
    return float(number.group(1)) if number else None


def _column(letters: str) -> int:
    return next(i for i in range(1, 200) if column_letter(i - 1) == letters)


def shown(sheet: Sheet) -> list[list[Any]]:
    """What Excel shows in ``sheet`` (and xlwings reads from it on the next press)."""
    cells: dict[tuple[int, int], Any] = {}
    for r, row in enumerate(sheet.values or [], start=1):
        cells.update({(r, c): v for c, v in enumerate(row, start=1)})
    for ref, row, body in re.findall(r'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>(.*?)</c>)',
                                     sheet.parts.get("sheet", "")):
        cells[(int(row), _column(ref))] = _cell(body)
    for at, value in sheet.cells.items():
        cells[at] = value[1:] if isinstance(value, str) and value.startswith("'") else value
    cells = {at: v for at, v in cells.items() if v not in (None, "")}
    rows, columns = max(r for r, _ in cells), max(c for _, c in cells)
    return [[cells.get((r, c)) for c in range(1, columns + 1)] for r in range(1, rows + 1)]


def _press(book: Book, render: bool) -> None:
    """One press of Analyze, then the Columns sheet as Excel shows it to the user."""
    assert perform("analyze", ExcelSide(book, render=render)) is not None
    sheet = book.sheets["Kolommen"]
    sheet.values, sheet.cells, sheet.parts = shown(sheet), {}, {}


@pytest.mark.parametrize("render", [True, False], ids=["desktop", "values (Lite)"])
def test_the_first_press_writes_the_guesses_then_only_adds_rows(render: bool) -> None:
    book = Book(_grids(), "C:/Users/me/boek.xlsm")
    inputs = {s.name: [list(row) for row in s.values] for s in book.sheets}
    assert perform("analyze", ExcelSide(book, render=render)) is not None
    sheet = book.sheets["Kolommen"]
    assert {n.name: n.refers_to for n in book.names}["_potentiel.columns"] == "='Kolommen'!$A$1"
    if render:  # the sheet potentiel run writes, dropdown of the Dutch labels included
        assert re.findall(r"<dataValidation .*?</dataValidation>", sheet.parts["sheet"]) == [
            '<dataValidation type="list" allowBlank="1" showErrorMessage="1" sqref="C2:C546">'
            "<formula1>$F$2:$F$47</formula1></dataValidation>"]
    else:  # no portable xlwings call sets a dropdown: values only
        assert not sheet.parts
    grid = shown(sheet)
    assert [row[:4] for row in grid[:len(FIRST)]] == FIRST
    assert grid[0][4:] == [" ", "Velden"] and grid[1][5] == "Klantnummer"
    assert grid[-1][5] == "negeren" and len(grid) == 47  # header + the 46 labels
    # The user picks Budget for last year's revenue, and corrects nothing else.
    sheet.values, sheet.cells, sheet.parts = grid, {}, {}
    grid[5][2] = "Budget"
    analysis = perform("analyze", ExcelSide(book, render=render))
    assert analysis is not None
    assert analysis.fields["customers"]["Omzet vorig jaar"] == "budget"
    assert analysis.inputs["budget"].tolist() == [1200.5, 300]
    # A guess left as written is confirmed: the next press reads it.
    assert analysis.table["phone"].tolist() == ["+32 2 555 01 01", "+32 2 555 01 02"]
    assert book.sheets["Kolommen"] is sheet and sheet.values == grid  # kept as the user left
    assert not sheet.cells and not sheet.parts  # ... it: nothing written to it
    # A new column in Customers gets a row, right below the last one (not below the list).
    customers = book.sheets["Customers"]
    for row, value in zip(customers.values, ["+ marge", "hoog", "laag"], strict=True):
        row.append(value)
    inputs["Customers"] = [list(row) for row in customers.values]
    _press(book, render)
    assert sheet.values[len(FIRST)][:4] == ["Customers", "+ marge", None, UNUSED]
    assert [row[:4] for row in sheet.values[:len(FIRST)]] == [
        *FIRST[:5], ["Customers", "Omzet vorig jaar", "Budget", UNUSED], *FIRST[6:]]
    assert len(sheet.values) == 47  # the list of fields beside it is as it was
    # A press with nothing new writes nothing to it; the inputs and the user's sheet are
    # untouched by every press.
    _press(book, render)
    assert sheet.values[len(FIRST) + 1][:4] == [None] * 4
    for name, values in inputs.items():
        assert book.sheets[name].values == values and not book.sheets[name].cells
        assert not book.sheets[name].parts


@pytest.mark.parametrize("macro", ["analyze", "build_segments", "validate"])
def test_every_button_that_reads_the_input_writes_the_sheet(macro: str) -> None:
    book = Book(_grids(), "C:/Users/me/boek.xlsm")
    assert perform(macro, ExcelSide(book)) is not None
    assert [row[:4] for row in shown(book.sheets["Kolommen"])[:len(FIRST)]] == FIRST


def test_the_text_of_a_new_header_never_becomes_a_formula() -> None:
    book = Book(_grids(), "C:/Users/me/boek.xlsm")
    _press(book, render=False)
    for row, value in zip(book.sheets["Customers"].values, ["=SUM(A1)", 1, 2], strict=True):
        row.append(value)
    perform("analyze", ExcelSide(book, render=False))
    written = book.sheets["Kolommen"].cells
    assert written[(len(FIRST) + 1, 2)] == "'=SUM(A1)"  # Excel's "this is text" mark


def test_a_columns_sheet_emptied_by_hand_is_written_anew() -> None:
    book = Book(_grids(), "C:/Users/me/boek.xlsm")
    _press(book, render=False)
    first = book.sheets["Kolommen"].values
    book.sheets["Kolommen"].values = [[None]]
    _press(book, render=False)
    assert book.sheets["Kolommen"].values == first


def test_a_users_own_columns_sheet_is_read_and_never_written() -> None:
    grids = _grids()
    grids["Columns"] = [["sheet", "your header", "field"],
                        ["Customers", "Omzet vorig jaar", "budget"]]
    book = Book(grids, "C:/Users/me/boek.xlsm")
    analysis = perform("analyze", ExcelSide(book))
    assert analysis is not None and analysis.fields["customers"]["Omzet vorig jaar"] == "budget"
    assert "Kolommen" not in [s.name for s in book.sheets]
    assert not book.sheets["Columns"].cells and not book.sheets["Columns"].parts


def test_the_desktop_press_writes_what_potentiel_run_writes(tmp_path: Path) -> None:
    book = Book(_grids(), "C:/Users/me/boek.xlsm")
    analysis = perform("analyze", ExcelSide(book))
    assert analysis is not None
    path = tmp_path / "boek.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in _grids().items():
        workbook.add_worksheet(name).write_row(0, 0, [])
        for r, row in enumerate(rows):
            workbook.get_worksheet_by_name(name).write_row(r, 0, row)
    workbook.close()
    write_results(path, analysis)
    headless = Book.from_file(path).sheets["Kolommen"].parts["sheet"]
    styles = r' s="\d+"'
    assert re.sub(styles, "", book.sheets["Kolommen"].parts["sheet"]) == re.sub(styles, "",
                                                                                 headless)


def test_the_xlsm_buttons_keep_the_vba_the_other_sheets_and_the_users_row(
        tmp_path: Path) -> None:
    """The macros on a file (headless) of the shipped template: the same round trip."""
    path = tmp_path / "book.xlsm"
    shutil.copyfile(TEMPLATE, path)
    customers = pd.DataFrame({"customer_id": ["A", "B"], "name": ["Ann", "Bo"],
                              "Jaren": [41, 35]}, dtype=object)
    update_cells(path, "Customers", EMPTY, customers)
    update_cells(path, "Settings", EMPTY, pd.DataFrame({"key": ["as_of"],
                                                        "value": ["2026-06-30"]}))
    vba = zipfile.ZipFile(path).read("xl/vbaProject.bin")
    before = {name: frame for name, frame in _sheets(path).items()
              if name in ("Start", "Segments", "xlwings.conf")}
    macros.analyze(path)
    columns = read_sheet_table(path, "Columns", "columns").frame
    row = columns.index[columns["Your header"] == "Jaren"][0]
    assert columns.loc[row, "Note"] == "not used: choose a field to use it"
    update_cells(path, "Columns", pd.DataFrame({"row": [row], "column": ["field"],
                                                "value": ["Age"]}))
    analysis = macros.analyze(path)
    assert analysis is not None and analysis.inputs["age"].tolist() == [41, 35]
    update_cells(path, "Customers", pd.DataFrame({"row": [2], "column": ["Regio code"],
                                                  "value": ["N1"]}))
    macros.validate(path)
    after = read_sheet_table(path, "Columns", "columns").frame
    assert after.loc[row, "Field"] == "Age"
    assert after.iloc[:, 1].dropna().tolist()[-1] == "Regio code"
    assert zipfile.ZipFile(path).read("xl/vbaProject.bin") == vba
    for name, frame in before.items():
        pd.testing.assert_frame_equal(_sheets(path)[name], frame)


EMPTY = pd.DataFrame({"row": [], "column": [], "value": []})


def _sheets(path: Path) -> dict[str, pd.DataFrame]:
    return pd.read_excel(path, sheet_name=None, engine="openpyxl")
