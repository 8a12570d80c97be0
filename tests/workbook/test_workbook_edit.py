"""Surgical edits of a user's sheet (what the Google Sheets sync writes back): the cells asked
for change, rows are appended, and every other byte of the workbook stays."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from workbooks import INJECTIONS, changed_parts, customer_workbook, entries, parts

from addin.errors import WorkbookError, WorkbookLockedError
from addin.workbook.edit import cell_xml, update_cells
from addin.workbook.reader import read_workbook
from addin.workbook.sheetxml import Styles
from addin.workbook.zip_parts import REL_CALC_CHAIN, WORKBOOK_PART, Package

SHEET = "xl/worksheets/sheet1.xml"


def test_sales_columns_are_written_and_new_customers_appended(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsm", macro=True)
    out = tmp_path / "out.xlsm"
    updates = pd.DataFrame({"row": [2, 3, 4, 5], "column": ["status", "status", "owner", "notes"],
                            "value": ["won", INJECTIONS[0], "Ann", "call back\nMonday"]})
    new = pd.DataFrame({"customer_id": ["C900", "C901"], "nom": ["+33 1 23", "Zoé"],
                        "next_action": [INJECTIONS[4], None]})
    update_cells(book, "Clients", updates, new, out=out)

    assert set(changed_parts(book, out)) == {SHEET}
    before, after = entries(book), entries(out)
    assert all(after[n] == e for n, e in before.items() if n != SHEET)
    sheet = openpyxl.load_workbook(out)["Clients"]
    header = [c.value for c in sheet[1]]
    assert header == ["id client", "nom", "email", "pays", "budget", "décideur", "status",
                      "notes", "owner", "next_action"]
    assert sheet["G2"].value == "won" and sheet["G3"].value == INJECTIONS[0]
    assert sheet["G3"].data_type == "s"
    assert sheet["I4"].value == "Ann" and sheet["H5"].value == "call back\nMonday"
    assert [c.value for c in sheet[32]][:2] == ["C900", "+33 1 23"]
    assert sheet["J32"].value == INJECTIONS[4] and sheet["J32"].data_type == "s"
    assert [c.value for c in sheet[33]][:2] == ["C901", "Zoé"]
    assert sheet["E2"].number_format == "#,##0.00 €"  # untouched cells keep their format
    assert re.search(r'<dimension ref="A1:J33"/>', parts(out)[SHEET].decode())
    data = read_workbook(out)
    assert data.customers is not None
    assert data.customers.index[-2:].tolist() == [32, 33]
    assert data.customers.loc[2, "status"] == "won"


def test_changed_cells_keep_their_format(tmp_path: Path) -> None:
    path = tmp_path / "styled.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    red = book.add_format({"font_color": "red"})
    sheet.write_row(0, 0, ["customer_id", "status"])
    sheet.write_row(1, 0, ["C1", "new"], red)
    book.close()
    update_cells(path, "Customers", pd.DataFrame({"row": [2], "column": ["status"],
                                                  "value": ["won"]}))
    cell = openpyxl.load_workbook(path)["Customers"]["B2"]
    assert cell.value == "won" and cell.font.color.rgb == "FFFF0000"


def test_an_excel_table_grows_with_its_new_rows_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Klanten")
    sheet.write_string(0, 0, "Klantenlijst")
    sheet.add_table("A3:C5", {"columns": [{"header": h} for h in ("klant id", "naam", "status")],
                              "data": [["K1", "An", "nieuw"], ["K2", "Bo", None]]})
    book.close()
    update_cells(path, "Klanten", pd.DataFrame({"row": [5], "column": ["eigenaar"],
                                                "value": ["Els"]}),
                 pd.DataFrame({"klant id": ["K3"], "status": ["nieuw"],
                               "next_action": [dt.date(2026, 7, 1)]}))
    table = parts(path)["xl/tables/table1.xml"].decode()
    assert 'ref="A3:E6"' in table and '<autoFilter ref="A3:E6"/>' in table
    assert '<tableColumn id="4" name="eigenaar"/><tableColumn id="5" name="next_action"/>' in table
    assert '<tableColumns count="5">' in table
    sheet = openpyxl.load_workbook(path)["Klanten"]
    assert [c.value for c in sheet[3]] == ["klant id", "naam", "status", "eigenaar",
                                           "next_action"]
    assert sheet["D5"].value == "Els"
    assert [c.value for c in sheet[6]] == ["K3", None, "nieuw", None, dt.datetime(2026, 7, 1)]
    assert sheet["E6"].is_date


def test_blank_values_empty_the_cell(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    update_cells(book, "Clients", pd.DataFrame({"row": [2, 2], "column": ["nom", "budget"],
                                                "value": [None, float("nan")]}))
    sheet = openpyxl.load_workbook(book)["Clients"]
    assert sheet["B2"].value is None and sheet["E2"].value is None
    assert sheet["E2"].number_format == "#,##0.00 €"


def test_overwriting_a_formula_drops_the_calculation_chain(tmp_path: Path) -> None:
    path = tmp_path / "formula.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Customers")
    sheet.write_row(0, 0, ["customer_id", "status", "notes"])
    sheet.write_string(1, 0, "C1")
    sheet.write_formula(1, 1, '=UPPER("new")', None, "NEW")
    sheet.write_formula(1, 2, '=LOWER("Kept")', None, "kept")
    book.close()
    with Package(path) as package:  # Excel's files have a calcChain.xml; XlsxWriter's do not
        package.put("xl/calcChain.xml", b'<?xml version="1.0"?><calcChain xmlns="http://schemas.'
                    b'openxmlformats.org/spreadsheetml/2006/main"><c r="B2" i="1"/><c r="C2"/>'
                    b"</calcChain>",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml")
        package.add_relationship(WORKBOOK_PART, REL_CALC_CHAIN, "xl/calcChain.xml")
        package.save()
    update_cells(path, "Customers", pd.DataFrame({"row": [2], "column": ["status"],
                                                  "value": ["won"]}))
    names = parts(path)
    assert "xl/calcChain.xml" not in names
    assert b"calcChain" not in names["[Content_Types].xml"]
    assert b"calcChain" not in names["xl/_rels/workbook.xml.rels"]
    sheet = openpyxl.load_workbook(path)["Customers"]
    assert sheet["B2"].value == "won" and sheet["C2"].value == '=LOWER("Kept")'


def test_unknown_sheet_and_open_workbook_are_clear_errors(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    nothing = pd.DataFrame({"row": [], "column": [], "value": []})
    with pytest.raises(WorkbookError, match="has no sheet 'Kunden'"):
        update_cells(book, "Kunden", nothing)
    before = book.read_bytes()
    (tmp_path / "~$book.xlsx").write_bytes(b"owner")
    with pytest.raises(WorkbookLockedError, match="Close the workbook"):
        update_cells(book, "Clients", pd.DataFrame({"row": [2], "column": ["status"],
                                                    "value": ["x"]}))
    assert book.read_bytes() == before


@pytest.mark.parametrize(("value", "xml"), [
    ("=1+1", '<c r="A1" t="inlineStr"><is><t>=1+1</t></is></c>'),
    (" a&b ", '<c r="A1" t="inlineStr"><is><t xml:space="preserve"> a&amp;b </t></is></c>'),
    ("\x07bell", '<c r="A1" t="inlineStr"><is><t>_x0007_bell</t></is></c>'),
    (2.5, '<c r="A1"><v>2.5</v></c>'),
    (7, '<c r="A1"><v>7.0</v></c>'),
    (True, '<c r="A1" t="b"><v>1</v></c>'),
    (None, '<c r="A1"/>'),
    (float("inf"), '<c r="A1"/>'),
    (dt.date(2026, 1, 1), '<c r="A1" s="9"><v>46023.0</v></c>'),
])
def test_one_cell(value: object, xml: str) -> None:
    assert cell_xml("A1", value, None, Styles(1, 9, 2, 3, 4)) == xml
