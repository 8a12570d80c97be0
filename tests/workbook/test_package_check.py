"""The workbook checker of the test suite (tests/package_check.py) finds each defect of
issue 21 in a package that has it: the checker every test relies on is itself tested."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from package_check import check_package

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def valid_book(path: Path) -> Path:
    """A small XlsxWriter workbook: two sheets, a Table, a formula, a defined name."""
    book = xlsxwriter.Workbook(str(path))
    data = book.add_worksheet("Data")
    data.add_table("A1:B3", {"name": "People", "columns": [{"header": "id"},
                                                            {"header": "name"}],
                             "data": [["C1", "Ann"], ["C2", "Bob"]]})
    notes = book.add_worksheet("Notes")
    notes.write_formula("A1", "=COUNTA(Data!A:A)", None, 3)
    book.define_name("Ids", "=Data!$A$2:$A$3")
    book.close()
    return path


def edited(source: Path, target: Path, edits: dict[str, Callable[[str], str]],
           extra: dict[str, str] | None = None) -> Path:
    """A copy of ``source`` with some parts' text edited and some parts added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename in edits:
                data = edits[info.filename](data.decode()).encode()
            new.writestr(info, data)
        for name, text in (extra or {}).items():
            new.writestr(name, text)
    return target


def test_a_valid_workbook_has_no_findings(tmp_path: Path) -> None:
    assert check_package(valid_book(tmp_path / "book.xlsx")) == []


CHAIN = ('<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<c r="B7" i="2"/></calcChain>')
CASES: dict[str, tuple[dict[str, Callable[[str], str]], dict[str, str], str]] = {
    # issue 21.0: r:id written with a prefix declared nowhere in scope
    "unbound prefix": ({"xl/workbook.xml": lambda x: x.replace(f' xmlns:r="{REL}"', "")}, {},
                       "xl/workbook.xml: not well-formed XML (unbound prefix"),
    # issue 21.1: a calcChain naming a cell that holds no formula
    "stale calcChain": ({"[Content_Types].xml": lambda x: x.replace(
        "</Types>", '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')},
        {"xl/calcChain.xml": CHAIN}, "xl/calcChain.xml: xl/worksheets/sheet2.xml B7 holds no "
        "formula"),
    # issue 21.2: a name and a formula left on a sheet that is gone
    "dangling name": ({"xl/workbook.xml": lambda x: x.replace("Data!$A$2", "Gone!$A$2")}, {},
                      "name 'Ids' refers to missing sheet 'Gone'"),
    "dangling formula": ({"xl/worksheets/sheet2.xml": lambda x: x.replace("Data!A:A",
                                                                          "'Key list'!A:A")},
                         {}, "a formula refers to missing sheet 'Key list'"),
    # issue 21.3: a tab name Excel refuses
    "apostrophe": ({"xl/workbook.xml": lambda x: x.replace('name="Notes"', 'name="Notes\'"'),
                    "docProps/app.xml": lambda x: x.replace(">Notes<", ">Notes'<")}, {},
                   "sheet name \"Notes'\" starts or ends with an apostrophe"),
    "History": ({"xl/workbook.xml": lambda x: x.replace('name="Notes"', 'name="history"'),
                 "docProps/app.xml": lambda x: x.replace(">Notes<", ">history<")}, {},
                "sheet name 'history' is reserved by Excel"),
    # issue 21.4: a macro-enabled package named .xlsx
    "macros in xlsx": ({"[Content_Types].xml": lambda x: x.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml")}, {},
        "xl/workbook.xml: content type application/vnd.ms-excel.sheet.macroEnabled.main+xml in "
        "a .xlsx file"),
    "table header": ({"xl/tables/table1.xml": lambda x: x.replace('name="name"',
                                                                  'name="Name!"')}, {},
                     "column 'Name!' but its header cell holds 'name'"),
    "app titles": ({"docProps/app.xml": lambda x: x.replace(">Notes<", ">Old tab<")}, {},
                   "docProps/app.xml: worksheets ['Data', 'Old tab']"),
    "missing part": ({"xl/_rels/workbook.xml.rels": lambda x: x.replace(
        "worksheets/sheet2.xml", "worksheets/sheet9.xml")}, {},
        "xl/_rels/workbook.xml.rels: rId2 targets missing part worksheets/sheet9.xml"),
    "dxf id": ({"xl/worksheets/sheet2.xml": lambda x: re.sub(
        "</sheetData>", '</sheetData><conditionalFormatting sqref="A1"><cfRule type="cellIs" '
        'dxfId="7" priority="1" operator="equal"><formula>1</formula></cfRule>'
        "</conditionalFormatting>", x)}, {}, "conditional format dxfId 7 of 0 dxfs"),
}


@pytest.mark.parametrize("case", CASES)
def test_each_defect_excel_repairs_is_found(case: str, tmp_path: Path) -> None:
    edits, extra, expected = CASES[case]
    broken = edited(valid_book(tmp_path / "book.xlsx"), tmp_path / "broken.xlsx", edits, extra)
    found = check_package(broken)
    assert any(expected in finding for finding in found), found
