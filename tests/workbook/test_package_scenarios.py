"""What users do between two runs, and a package Excel opens without a repair prompt after.

Each scenario ends with the package checked (tests/package_check.py, also run on every write
by the hook in conftest.py) and re-read by openpyxl and LibreOffice with the user's sheets,
names and charts where they were.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from package_check import findings
from workbooks import customer_workbook

from addin.cli import main
from addin.workbook.edit import update_cells
from addin.workbook.references import app_titles
from addin.workbook.zip_parts import REL_CALC_CHAIN, Package

AS_OF = "2026-03-31"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def run(book: Path, *args: str) -> int:
    return main(["run", str(book), "--as-of", AS_OF, *args])


def inventory(path: Path) -> tuple[list[str], list[str], int, int]:
    """Sheets, global names, charts and Excel Tables as openpyxl reads them."""
    book = openpyxl.load_workbook(path)
    return (book.sheetnames, sorted(book.defined_names),
            sum(len(sheet._charts) for sheet in book.worksheets),
            sum(len(sheet.tables) for sheet in book.worksheets))


def libreoffice_sheets(path: Path, tmp_path: Path) -> list[str]:
    """The tabs LibreOffice keeps when it opens the workbook (and saves it again)."""
    assert shutil.which("soffice"), "LibreOffice (soffice) is needed: scripts/system-deps.sh"
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=240)
    return openpyxl.load_workbook(out / (path.stem + ".xlsx")).sheetnames


def sheet_part(package: Package, name: str) -> tuple[str, int]:
    sheet = next(s for s in package.sheets() if s.name == name)
    assert sheet.part is not None
    return sheet.part, sheet.sheet_id


def rename_segment(book: Path, old: str, new: str) -> None:
    rules = openpyxl.load_workbook(book)["Segments"]
    row = next(r for r in range(2, rules.max_row + 1) if rules.cell(r, 1).value == old)
    update_cells(book, "Segments", pd.DataFrame({"row": [row], "column": ["segment"],
                                                 "value": [new]}))


def test_a_formula_typed_in_a_result_sheet_then_a_renamed_segment_leaves_no_stale_chain(
        tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    assert run(book) in (0, 1)
    with Package(book) as package:  # what Excel saves after the user types =1+1 in 'Hot'
        part, hot = sheet_part(package, "Hot")
        xml = re.sub(r'(<row r="2"[^>]*?)\s+spans="[^"]*"', r"\1", package.text(part))
        row = re.search(r'<row r="2"[^>]*>.*?</row>', xml, re.DOTALL)
        assert row is not None
        typed = row.group(0).replace("</row>", '<c r="XFA2"><f>1+1</f><v>2</v></c></row>')
        package.set_text(part, xml.replace(row.group(0), typed))
        _, notes = sheet_part(package, "My notes")
        chain = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain '
                 f'xmlns="{MAIN}"><c r="XFA2" i="{hot}"/><c r="B1" i="{notes}"/></calcChain>')
        package.put("xl/calcChain.xml", chain.encode(), "application/vnd.openxmlformats-"
                    "officedocument.spreadsheetml.calcChain+xml")
        package.add_relationship("xl/workbook.xml", REL_CALC_CHAIN, "xl/calcChain.xml")
        package.save()
    sheets, names, charts, tables = inventory(book)
    rename_segment(book, "Hot", "Very hot")
    assert run(book) in (0, 1)
    assert findings(book) == []
    with zipfile.ZipFile(book) as package:
        assert "xl/calcChain.xml" not in package.namelist()
        assert "calcChain" not in package.read("[Content_Types].xml").decode()
        assert "calcChain" not in package.read("xl/_rels/workbook.xml.rels").decode()
    after, after_names, after_charts, after_tables = inventory(book)
    assert sorted(after) == sorted("Very hot" if s == "Hot" else s for s in sheets)
    # one segment mark each, the same charts and Tables
    assert (len(after_names), after_charts, after_tables) == (len(names), charts, tables)
    assert [n for n in after_names if not n.startswith("_potentiel.segment")] == \
        [n for n in names if not n.startswith("_potentiel.segment")]
    assert libreoffice_sheets(book, tmp_path) == after


def test_names_and_formulas_on_a_deleted_result_sheet_become_ref_errors_as_in_excel(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    assert run(book) in (0, 1)
    with Package(book) as package:  # the user's own name and formulas on result sheets
        xml = package.text("xl/workbook.xml").replace(
            "</definedNames>", "<definedName name=\"KeyList\">'Hot'!$A$2:$A$55</definedName>"
            "<definedName name=\"Spenders\">'Big spenders'!$A$2:$A$9</definedName>"
            "</definedNames>")
        package.set_text("xl/workbook.xml", xml)
        part, _ = sheet_part(package, "My notes")
        notes = re.sub(r'(<row r="1"[^>]*?)\s+spans="[^"]*"', r"\1", package.text(part))
        notes = notes.replace(
            "</row>", "<c r=\"C1\"><f>COUNTA('Hot'!A:A)+COUNTA(Spenders)</f><v>9</v></c>"
                      "<c r=\"D1\" t=\"str\"><f>\"'Hot'!A1\"&amp;Hot!B2</f><v>x</v></c></row>",
            1)
        package.set_text(part, notes)
        package.save()
    capsys.readouterr()
    rename_segment(book, "Hot", "Warm")
    assert run(book) in (0, 1)
    said = capsys.readouterr().out
    assert "the name KeyList referred to the deleted sheet 'Hot': it is now #REF!$A$2:$A$55" \
        in said
    assert "2 formulas of sheet 'My notes' (C1, D1) referred to the deleted sheet 'Hot'" in said
    with zipfile.ZipFile(book) as package:
        workbook = package.read("xl/workbook.xml").decode()
        with Package(book) as ours:
            notes_part, _ = sheet_part(ours, "My notes")
        notes = package.read(notes_part).decode()
    assert '<definedName name="KeyList">#REF!$A$2:$A$55</definedName>' in workbook
    assert "<definedName name=\"Spenders\">'Big spenders'!$A$2:$A$9</definedName>" in workbook
    # Excel keeps the cell part; text in quotes is not a reference.
    assert "<f>COUNTA(#REF!A:A)+COUNTA(Spenders)</f>" in notes
    assert "<f>\"'Hot'!A1\"&amp;#REF!B2</f>" in notes
    assert findings(book) == []
    sheets, names, _, _ = inventory(book)
    assert "Warm" in sheets and "Hot" not in sheets and {"KeyList", "Spenders"} <= set(names)
    assert libreoffice_sheets(book, tmp_path) == sheets


def test_a_result_tab_renamed_by_hand_gets_its_name_back_and_references_follow(
        tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    assert run(book) in (0, 1)
    with Package(book) as package:  # what Excel saves: the user renamed Analysis, then used it
        analysis = next(s for s in package.sheets() if s.name == "Analysis")
        renamed = analysis.element.replace('name="Analysis"', 'name="My analysis"')
        xml = package.text("xl/workbook.xml").replace(analysis.element, renamed)
        xml = xml.replace("'Analysis'!", "'My analysis'!").replace(
            "</definedNames>", "<definedName name=\"Scores\">'My analysis'!$B$2:$B$31"
            "</definedName></definedNames>")
        package.set_text("xl/workbook.xml", xml)
        part, _ = sheet_part(package, "My notes")
        notes = re.sub(r'(<row r="1"[^>]*?)\s+spans="[^"]*"', r"\1", package.text(part))
        package.set_text(part, notes.replace(
            "</row>", "<c r=\"C1\"><f>COUNTA('My analysis'!A:A)</f><v>31</v></c></row>", 1))
        titles = app_titles(package.read("docProps/app.xml"), [s.name for s in package.sheets()])
        assert titles is not None
        package.put("docProps/app.xml", titles)
        package.save()
    assert run(book) in (0, 1)
    assert findings(book) == []
    with zipfile.ZipFile(book) as package:
        workbook = package.read("xl/workbook.xml").decode()
        notes = package.read(part).decode()
    assert "<definedName name=\"Scores\">'Analysis'!$B$2:$B$31</definedName>" in workbook
    assert "<f>COUNTA('Analysis'!A:A)</f>" in notes
    assert "My analysis" not in workbook + notes


def test_segment_names_excel_would_refuse_become_valid_tabs(tmp_path: Path) -> None:
    odd = ("Accounts managed by Paris team's A list", "History")
    book = customer_workbook(tmp_path / "book.xlsx", segments=odd)
    for _ in range(2):
        assert run(book) in (0, 1)
        assert findings(book) == []
    sheets, *_ = inventory(book)
    # 31 characters would end on the apostrophe: cut before it; History is Excel's.
    assert "Accounts managed by Paris team" in sheets and "History (2)" in sheets
    assert libreoffice_sheets(book, tmp_path) == sheets


@pytest.mark.parametrize(("source", "target"), [("xlsx", "xlsx"), ("xlsx", "xlsm"),
                                                ("xlsm", "xlsm"), ("xlsm", "xlsx"),
                                                ("xlsx", "XLSX")])
def test_output_takes_the_kind_its_extension_names(
        source: str, target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = customer_workbook(tmp_path / f"book.{source}", macro=source == "xlsm")
    out = tmp_path / f"out.{target}"
    assert run(book, "-o", str(out)) in (0, 1)
    said = capsys.readouterr().out
    assert findings(out) == []
    with zipfile.ZipFile(out) as package:
        types = package.read("[Content_Types].xml").decode()
        has_vba = "xl/vbaProject.bin" in package.namelist()
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
    macro_enabled = "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert macro_enabled == (target == "xlsm")
    assert has_vba == (source == target == "xlsm")
    assert ("vbaProject" in rels) == has_vba
    dropped = "holds no macros" in said
    assert dropped == (source == "xlsm" and target.lower() == "xlsx")
    assert inventory(out)[0][:4] == ["Clients", "Commandes", "Segments", "My notes"]


@pytest.mark.parametrize("name", ["out.csv", "out.xls", "out", "out.xlsb"])
def test_an_output_that_is_not_a_workbook_is_refused_in_one_line(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    with pytest.raises(SystemExit) as exit_:
        run(book, "-o", str(tmp_path / name))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{name} is not a workbook name" in err
    assert not (tmp_path / name).exists()
