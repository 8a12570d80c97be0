"""What a user made that points at a result sheet a run deletes: chart ranges, data
validations, conditional formats and links, besides names and formulas; and structured
references to a result sheet's Excel Table (``=COUNTA(potentiel_…[Name])``), which keep
working while the sheet is replaced and become ``#REF!`` when it is deleted.

A user charts the "Hot prospects" list of an earlier run, validates input against it, colours
cells that appear in it and links to it; then renames the segment and runs again.  Excel would
turn every reference to the deleted sheet into ``#REF!`` (a chart keeps its cached values);
potentiel does the same, removes the links, and says so in the book's language.  Each element
is checked as XML, then the whole package by tests/package_check.py, openpyxl and LibreOffice.
"""

from __future__ import annotations

import re
import string
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from package_check import accept_input, check_package, findings
from render import convert
from test_package_check import edited
from test_package_scenarios import libreoffice_sheets
from workbooks import customer_workbook, elements

from addin.cli import main
from addin.core.labels import header
from addin.workbook.edit import update_cells
from addin.workbook.notices import NOTICES, Notice
from addin.workbook.owned_sheets import mark_name, segment_role
from addin.workbook.references import (
    rename_references,
    repoint_chart,
    repoint_worksheet,
    structured_references,
    table_change,
)
from addin.workbook.zip_parts import Package

AS_OF = "2026-03-31"
HOT = "Hot prospects"


def run(book: Path) -> int:
    return main(["run", str(book), "--as-of", AS_OF])


def rename_segment(book: Path, new: str) -> None:
    """The user renames the segment of the first rule (row 2 of Segments)."""
    update_cells(book, "Segments", pd.DataFrame({"row": [2], "column": ["segment"],
                                                 "value": [new]}))


def part_of(book: Path, tab: str) -> str:
    with Package(book) as package:
        part = next(s.part for s in package.sheets() if s.name == tab)
    assert part is not None
    return part


def read(book: Path, part: str) -> str:
    with zipfile.ZipFile(book) as package:
        return package.read(part).decode("utf-8")


# -- one element at a time --------------------------------------------------------------------

def test_cell_validation_format_and_link_on_a_deleted_sheet_become_ref_or_go() -> None:
    sheet = (
        '<worksheet xmlns="m" xmlns:r="r"><sheetData><row r="1">'
        "<c r=\"A1\"><f>COUNTA('Hot prospects'!A:A)&amp;\"'Hot prospects'!A1\"</f><v>3</v></c>"
        "<c r=\"B1\"><f>Clients!A1</f><v>x</v></c></row></sheetData>"
        '<conditionalFormatting sqref="A2:A5"><cfRule type="expression" dxfId="0" priority="1">'
        "<formula>COUNTIF('Hot prospects'!$A:$A,A2)&gt;0</formula></cfRule>"
        "</conditionalFormatting>"
        '<dataValidations count="2"><dataValidation type="list" sqref="B2:B5">'
        "<formula1>'Hot prospects'!$A$2:$A$4</formula1></dataValidation>"
        '<dataValidation type="list" sqref="C2"><formula1>"a,b"</formula1></dataValidation>'
        "</dataValidations>"
        '<hyperlinks><hyperlink ref="A1" location="\'Hot prospects\'!A1" display="Go"/>'
        "</hyperlinks>"
        '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"><x14:dataValidations '
        'xmlns:x14="x14" xmlns:xm="xm" count="1"><x14:dataValidation type="list">'
        "<x14:formula1><xm:f>'Hot prospects'!$B$2:$B$4</xm:f></x14:formula1>"
        "<xm:sqref>D2:D5</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
        "</worksheet>")
    xml, found = repoint_worksheet(sheet, HOT, None)
    # Excel keeps the cell part of a reference; text in quotes is not a reference.
    assert "<f>COUNTA(#REF!A:A)&amp;\"'Hot prospects'!A1\"</f><v>3</v>" in xml
    assert "<f>Clients!A1</f>" in xml
    assert "<formula>COUNTIF(#REF!$A:$A,A2)&gt;0</formula>" in xml
    assert "<formula1>#REF!$A$2:$A$4</formula1>" in xml
    assert '<formula1>"a,b"</formula1>' in xml
    assert "<xm:f>#REF!$B$2:$B$4</xm:f>" in xml
    assert "hyperlink" not in xml  # the only link went, and its empty <hyperlinks> with it
    assert (found.formulas, found.validations, found.formats, found.links) == \
        (["A1"], ["B2:B5", "D2:D5"], ["A2:A5"], ["A1"])


def test_a_renamed_sheet_takes_every_reference_and_link_with_it() -> None:
    sheet = ('<worksheet xmlns="m"><sheetData/><hyperlinks>'
             '<hyperlink ref="A1" location="Hot!A1"/><hyperlink ref="A2" location="Other!A1"/>'
             '<hyperlink ref="A3" r:id="rId1" location="Hot!A1"/></hyperlinks>'
             '<dataValidations count="1"><dataValidation type="list" sqref="B2">'
             "<formula1>Hot!$A$2:$A$4</formula1></dataValidation></dataValidations></worksheet>")
    xml, found = repoint_worksheet(sheet, "Hot", "Very hot")
    assert '<hyperlink ref="A1" location="\'Very hot\'!A1"/>' in xml
    assert '<hyperlink ref="A2" location="Other!A1"/>' in xml
    # a link to another file (r:id) names that file's sheet: left alone
    assert '<hyperlink ref="A3" r:id="rId1" location="Hot!A1"/>' in xml
    assert "<formula1>'Very hot'!$A$2:$A$4</formula1>" in xml
    assert (found.links, found.validations) == (["A1"], ["B2"])
    unchanged = sheet.replace("Hot!", "Cold!")
    assert repoint_worksheet(unchanged, "Hot", None)[0] == unchanged


def hot_chart(path: Path) -> str:
    """The chart part XlsxWriter writes for a column chart of the Hot prospects list (with
    the cached values Excel would have saved)."""
    book = xlsxwriter.Workbook(str(path))
    hot = book.add_worksheet(HOT)
    hot.write_column("A1", ["customer", "C1", "C2", "C3"])
    hot.write_column("B1", ["budget", 1000, 1500, 2250])
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": f"='{HOT}'!$B$1", "categories": f"='{HOT}'!$A$2:$A$4",
                      "values": f"='{HOT}'!$B$2:$B$4"})
    book.add_worksheet("My report").insert_chart("B2", chart)
    book.close()
    return read(path, "xl/charts/chart1.xml")


def caches(xml: str) -> list[str]:
    return elements(xml.encode(), "c:strCache") + elements(xml.encode(), "c:numCache")


def test_a_chart_range_on_a_deleted_sheet_becomes_ref_and_keeps_its_cached_values(
        tmp_path: Path) -> None:
    chart = hot_chart(tmp_path / "chart.xlsx")
    assert len(re.findall(r"<c:f>'Hot prospects'!", chart)) == 3  # name, categories, values
    xml, changed = repoint_chart(chart, HOT, None)
    assert changed == 3
    assert re.findall(r"<c:f>[^<]*</c:f>", xml) == ["<c:f>#REF!</c:f>"] * 3
    assert caches(xml) == caches(chart) and len(caches(chart)) == 3
    assert "<c:v>2250</c:v>" in xml  # the chart still shows what it showed
    renamed, _ = repoint_chart(chart, HOT, "Warm leads")
    assert "<c:f>'Warm leads'!$B$2:$B$4</c:f>" in renamed
    assert repoint_chart(chart, "Hot", None) == (chart, 0)  # another sheet's name: no change


# -- notices ------------------------------------------------------------------------------------

def test_every_notice_has_its_three_languages_with_the_same_parameters() -> None:
    fields = {key: [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in texts]
              for key, texts in NOTICES.items()}
    for key, per_language in fields.items():
        assert len(per_language) == 3 and all(NOTICES[key]), key
        assert per_language[1] == per_language[0] == per_language[2], key
        if key.endswith(".one"):
            assert fields[key[:-4]][0] == per_language[0], key


def test_a_notice_takes_the_count_and_the_language_of_the_book() -> None:
    one = Notice("links", {"n": 1, "where": "Report", "cells": "A1", "sheet": HOT})
    two = Notice("links", {"n": 2, "where": "Report", "cells": "A1, A2", "sheet": HOT})
    assert one.line() == ("Note: 1 link of sheet 'Report' (A1) led to the deleted sheet "
                          "'Hot prospects': removed, the cell keeps its text")
    assert two.text("en").startswith("2 links of sheet 'Report' (A1, A2) led to")
    assert one.line("fr") == ("Remarque : 1 lien de la feuille 'Report' (A1) menait à la "
                              "feuille supprimée 'Hot prospects' : retiré, la cellule garde son "
                              "texte")
    assert two.text("nl").startswith("2 koppelingen van blad 'Report' (A1, A2) leidden naar")


# -- a whole run ----------------------------------------------------------------------------------

def earlier_run(path: Path, language: str) -> Path:
    """A book as Excel saved it after a run and a user's work: the run's "Hot prospects"
    list (marked as potentiel's), and the user's "My report" sheet with a chart of that list,
    a drop-down of its ids, cells coloured when listed there, a link to it and a formula."""
    book = xlsxwriter.Workbook(str(path))
    customers = book.add_worksheet("Clients")
    customers.write_row(0, 0, ["N° client", "Nom", "Budget"])
    for row, (key, name, budget) in enumerate(
            [("C1", "Ann", 1000), ("C2", "Bob", 1500), ("C3", "Cid", 2250), ("C4", "Dan", 500)],
            start=1):
        customers.write_row(row, 0, [key, name, budget])
    orders = book.add_worksheet("Commandes")
    orders.write_row(0, 0, ["N° client", "Date", "Montant"])
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for row, key in enumerate(["C1", "C1", "C2", "C2", "C3", "C3", "C4"], start=1):
        orders.write_string(row, 0, key)
        orders.write_datetime(row, 1, datetime(2026, 1, row), date)
        orders.write_number(row, 2, 100 * row)
    rules = book.add_worksheet("Segments")
    rules.write_row(0, 0, ["segment", "field", "operator", "value"])
    rules.write_row(1, 0, [HOT, "orders", ">=", "2"])
    settings = book.add_worksheet("Paramètres")
    settings.write_row(0, 0, ["clé", "valeur"])
    settings.write_row(1, 0, ["langue", language])
    report = book.add_worksheet("My report")
    report.write_url("A1", f"internal:'{HOT}'!A1", string="Go to the hot prospects")
    report.write_column("A2", ["C1", "C2", "C4", "C9"])
    report.write_formula("C1", f"=COUNTA('{HOT}'!A:A)", None, 4)
    report.write_url("A7", "internal:Clients!A1", string="All customers")
    report.data_validation("B2:B5", {"validate": "list", "source": f"='{HOT}'!$A$2:$A$4"})
    report.conditional_format("A2:A5", {"type": "formula",
                                        "criteria": f"=COUNTIF('{HOT}'!$A:$A,A2)>0",
                                        "format": book.add_format({"bg_color": "#DDEBF7"})})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"categories": f"='{HOT}'!$A$2:$A$4", "values": f"='{HOT}'!$B$2:$B$4"})
    report.insert_chart("E2", chart)
    hot = book.add_worksheet(HOT)
    hot.write_column("A1", ["customer", "C1", "C2", "C3"])
    hot.write_column("B1", ["budget", 1000, 1500, 2250])
    book.define_name(mark_name(segment_role(HOT)), f"='{HOT}'!$A$1")
    book.close()
    return path


def test_the_package_check_sees_each_kind_of_reference_left_on_a_missing_sheet(
        tmp_path: Path) -> None:
    book = earlier_run(tmp_path / "book.xlsx", "en")
    # the tab renamed in the tab list alone: everything that names it now dangles
    broken = edited(book, tmp_path / "broken.xlsx", {
        "xl/workbook.xml": lambda x: x.replace(f'name="{HOT}"', 'name="Gone"'),
        "docProps/app.xml": lambda x: x.replace(f">{HOT}<", ">Gone<")})
    found = "\n".join(check_package(broken))
    for kind in ("a formula", "a data validation", "a conditional format", "a chart range"):
        assert f"{kind} refers to missing sheet 'Hot prospects'" in found, (kind, found)
    assert check_package(book) == []


def test_a_renamed_segment_leaves_no_chart_validation_format_or_link_on_its_old_sheet(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = earlier_run(tmp_path / "book.xlsx", "en")
    report = part_of(book, "My report")
    chart_before = read(book, "xl/charts/chart1.xml")
    sheets = openpyxl.load_workbook(book).sheetnames
    rename_segment(book, "Warm leads")
    assert run(book) in (0, 1)
    said = capsys.readouterr().out
    for line in (
            "Note: 1 formula of sheet 'My report' (C1) referred to the deleted sheet "
            "'Hot prospects': it now shows #REF!",
            "Note: 1 data validation rule of sheet 'My report' (B2:B5) referred to the deleted "
            "sheet 'Hot prospects': it now refers to #REF!",
            "Note: 1 conditional format of sheet 'My report' (A2:A5) referred to the deleted "
            "sheet 'Hot prospects': it now refers to #REF! and no longer applies",
            "Note: 1 link of sheet 'My report' (A1) led to the deleted sheet 'Hot prospects': "
            "removed, the cell keeps its text",
            "Note: 2 data ranges of a chart on sheet 'My report' referred to the deleted sheet "
            "'Hot prospects': they are now #REF! (the chart keeps the values it last showed)"):
        assert line in said, said
    xml = read(book, report)
    assert "<f>COUNTA(#REF!A:A)</f>" in xml
    assert "<formula1>#REF!$A$2:$A$4</formula1>" in xml
    assert "<formula>COUNTIF(#REF!$A:$A,A2)&gt;0</formula>" in xml
    assert elements(xml.encode(), "hyperlink") == [
        '<hyperlink ref="A7" location="Clients!A1" display="All customers"/>']
    chart = read(book, "xl/charts/chart1.xml")
    assert re.findall(r"<c:f>[^<]*</c:f>", chart) == ["<c:f>#REF!</c:f>"] * 2
    assert caches(chart) == caches(chart_before)
    assert findings(book) == []
    after = openpyxl.load_workbook(book)
    assert HOT not in after.sheetnames and "Warm leads" in after.sheetnames
    assert [s for s in after.sheetnames if s in sheets] == [s for s in sheets if s != HOT]
    mine = after["My report"]
    assert [v.formula1 for v in mine.data_validations.dataValidation] == ["#REF!$A$2:$A$4"]
    assert [r.formula for cf in mine.conditional_formatting for r in cf.rules] == \
        [["COUNTIF(#REF!$A:$A,A2)>0"]]
    assert mine["A1"].value == "Go to the hot prospects" and mine["A1"].hyperlink is None
    assert mine["A7"].hyperlink.location == "Clients!A1"
    assert len(mine._charts) == 1
    assert libreoffice_sheets(book, tmp_path) == after.sheetnames


def test_the_notes_are_in_the_language_of_the_book(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = earlier_run(tmp_path / "livre.xlsx", "fr")
    rename_segment(book, "Prospects tièdes")
    assert run(book) in (0, 1)
    said = capsys.readouterr().out
    assert ("Remarque : 1 formule de la feuille 'My report' (C1) faisait référence à la "
            "feuille supprimée 'Hot prospects' : elle affiche maintenant #REF!") in said
    assert ("Remarque : 2 plages de données d'un graphique de la feuille 'My report' "
            "faisaient référence à la feuille supprimée 'Hot prospects'") in said
    assert "Note:" not in said


def test_a_book_saved_by_openpyxl_with_a_chart_and_rules_on_a_result_sheet(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = customer_workbook(tmp_path / "book.xlsx", segments=(HOT, "Big spenders"))
    assert run(book) in (0, 1)
    user = openpyxl.load_workbook(book)  # the user's own tool adds to the results
    notes, hot = user["My notes"], user[HOT]
    chart = BarChart()
    chart.add_data(Reference(hot, min_col=1, min_row=2, max_row=4))
    notes.add_chart(chart, "H2")
    rule = DataValidation(type="list", formula1=f"'{HOT}'!$A$2:$A$9")
    notes.add_data_validation(rule)
    rule.add("C3:C9")
    notes.conditional_formatting.add("A3:A9", FormulaRule(
        formula=[f"COUNTIF('{HOT}'!$A:$A,A3)>0"], fill=PatternFill("solid", "DDEBF7")))
    notes["A10"] = "See the list"
    notes["A10"].hyperlink = Hyperlink(ref="A10", location=f"'{HOT}'!A1")
    user.save(book)
    accept_input(book)  # openpyxl's own departures (it drops extensions it cannot read)
    charts = sum(len(sheet._charts) for sheet in openpyxl.load_workbook(book).worksheets)
    capsys.readouterr()
    rename_segment(book, "Warm leads")
    assert run(book) in (0, 1)
    said = capsys.readouterr().out
    assert "Note: 1 link of sheet 'My notes' (A10) led to the deleted sheet" in said
    assert "Note: 1 data range of a chart on sheet 'My notes' referred to the deleted sheet " \
           "'Hot prospects': it is now #REF!" in said
    assert not [f for f in check_package(book) if "missing sheet" in f]
    assert findings(book) == []
    after = openpyxl.load_workbook(book)
    assert HOT not in after.sheetnames and "Warm leads" in after.sheetnames
    notes = after["My notes"]
    assert [v.formula1 for v in notes.data_validations.dataValidation] == ["#REF!$A$2:$A$9"]
    assert notes["A10"].value == "See the list" and notes["A10"].hyperlink is None
    # the user's two charts (the Clients one and the list's), the Dashboard's unchanged
    assert sum(len(sheet._charts) for sheet in after.worksheets) == charts


# -- structured references to a result sheet's Table ------------------------------------------

def test_a_structured_reference_to_a_table_gone_becomes_ref_whole() -> None:
    formula = ('COUNTA(Hot[Name])+SUM(hot[[#Data],[Revenue]])&"Hot[Name]"+Big[Name]'
               "+Book.xlsx!Hot[Name]+Hot[[Name]:[City]]+ROWS(Hot[#All])")
    assert [(table, columns) for _, _, table, columns in structured_references(formula)] == [
        ("Hot", ["Name"]), ("hot", ["Revenue"]), ("Hot", ["Name"]), ("Big", ["Name"]),
        ("Hot", ["Name", "City"]), ("Hot", [])]  # the 3rd is inside quotes: callers skip it
    # Excel: a Table's name is case-insensitive; text in quotes and a Table of another
    # workbook are not references to this one.
    assert rename_references(formula, None, None, {"HOT": None}) == (
        'COUNTA(#REF!)+SUM(#REF!)&"Hot[Name]"+Big[Name]+Book.xlsx!Hot[Name]+#REF!+ROWS(#REF!)')
    # with the sheet: its cell references and its Table's references in one pass
    assert rename_references("Hot!A1+Hot[Name]", "Hot", None, {"Hot": None}) == "#REF!A1+#REF!"


def test_a_column_renamed_follows_and_a_column_gone_becomes_ref() -> None:
    old = ["Customer ID", "Nom", "Old score", "It's [new]"]
    new = ["Customer ID", "Name", "It's [new]"]
    change = table_change(old, new)
    assert change == {"nom": "Name", "old score": None}  # the French header of name: renamed
    formula = "COUNTA(T[Nom])+SUM(T[[#Data],[nom]])+T[Old score]+T[It''s '[new']]"
    assert rename_references(formula, None, None, {"T": change}) == \
        "COUNTA(T[Name])+SUM(T[[#Data],[Name]])+#REF!+T[It''s '[new']]"
    escaped = table_change(["Nom"], ["Cote [A#]"])
    assert escaped == {"nom": None}  # 'Cote [A#]' is no result column: no rename by guess


def table_of(book: Path, tab: str) -> str:
    """The name of the Excel Table on sheet ``tab``."""
    (name,) = openpyxl.load_workbook(book)[tab].tables.keys()
    return name


def with_structured_references(book: Path, hot: str, big: str) -> None:
    """The user's own formulas and name over the Tables of an earlier run, saved by openpyxl:
    a count of the Hot prospects, a sum over the Big spenders' revenue, a name of the Hot
    names (for a drop-down) and a count through that name."""
    user = openpyxl.load_workbook(book)
    notes = user["My notes"]
    notes["A20"], notes["B20"] = "Hot prospects", f"=COUNTA({hot}[Name])"
    notes["A21"], notes["B21"] = "Big revenue", f"=SUM({big}[[#Data],[Revenue]])"
    notes["A22"], notes["B22"] = "Via the name", "=COUNTA(HotNames)"
    user.defined_names["HotNames"] = openpyxl.workbook.defined_name.DefinedName(
        "HotNames", attr_text=f"{hot}[Name]")
    user.save(book)
    accept_input(book)  # openpyxl's own departures (it drops extensions it cannot read)


def formulas(book: Path) -> tuple[list[str], str]:
    user = openpyxl.load_workbook(book)
    return ([user["My notes"][f"B{row}"].value for row in (20, 21, 22)],
            user.defined_names["HotNames"].attr_text)


def libreoffice_values(book: Path, tmp_path: Path) -> list[object]:
    """What LibreOffice computes for the user's three cells once it has opened the book."""
    out = convert(book, tmp_path / "lo", "xlsx")
    notes = openpyxl.load_workbook(out, data_only=True)["My notes"]
    return [notes[f"B{row}"].value for row in (20, 21, 22)]


def test_a_replaced_result_sheet_keeps_its_table_name_even_one_the_user_gave(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = customer_workbook(tmp_path / "book.xlsx", segments=(HOT, "Big spenders"))
    assert run(book) in (0, 1)
    hot = table_of(book, HOT)
    assert hot == "potentiel_" + segment_role(HOT).replace(".", "_")
    # the user names the Big spenders' Table "Big" in Excel (Table Design > Table Name) and
    # renames the Hot prospects tab by hand (Excel follows in the mark's reference)
    big = table_of(book, "Big spenders")
    tab = {"xl/workbook.xml": lambda x: x.replace(f'name="{HOT}"', 'name="My hot list"')
           .replace(f"'{HOT}'!", "'My hot list'!"),
           "docProps/app.xml": lambda x: x.replace(f">{HOT}<", ">My hot list<")}
    renamed = edited(book, tmp_path / "mine.xlsx", tab | {
        part: (lambda x: x.replace(f'"{big}"', '"Big"'))
        for part in zipfile.ZipFile(book).namelist() if part.startswith("xl/tables/")})
    assert table_of(renamed, "My hot list") == hot
    with_structured_references(renamed, hot, "Big")
    before = formulas(renamed)
    hot_rows = openpyxl.load_workbook(renamed)["My hot list"].max_row - 1  # less its header
    capsys.readouterr()
    assert run(renamed) in (0, 1)
    assert "Note:" not in capsys.readouterr().out  # nothing of the user's changed
    # the tab gets its name back, each Table keeps its name
    assert (table_of(renamed, HOT), table_of(renamed, "Big spenders")) == (hot, "Big")
    assert formulas(renamed) == before == (
        [f"=COUNTA({hot}[Name])", "=SUM(Big[[#Data],[Revenue]])", "=COUNTA(HotNames)"],
        f"{hot}[Name]")
    assert findings(renamed) == []  # every structured reference names a Table and column there
    big_sheet = openpyxl.load_workbook(renamed)["Big spenders"]
    revenue = next(c.column for c in big_sheet[1] if c.value == "Revenue")
    total = sum(big_sheet.cell(r, revenue).value or 0 for r in range(2, big_sheet.max_row + 1))
    counted = libreoffice_values(renamed, tmp_path)
    assert counted[0] == counted[2] == hot_rows and counted[1] == pytest.approx(total)


def test_a_deleted_result_sheet_leaves_ref_where_its_table_was_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = customer_workbook(tmp_path / "book.xlsx", segments=(HOT, "Big spenders"))
    assert run(book) in (0, 1)
    hot, big = table_of(book, HOT), table_of(book, "Big spenders")
    with_structured_references(book, hot, big)
    capsys.readouterr()
    rename_segment(book, "Warm leads")
    assert run(book) in (0, 1)
    said = capsys.readouterr().out
    assert ("Note: 1 formula of sheet 'My notes' (B20) referred to the deleted sheet "
            "'Hot prospects': it now shows #REF!") in said, said
    assert ("Note: the name HotNames referred to the deleted sheet 'Hot prospects': it is now "
            "#REF!") in said, said
    # what Excel leaves when the sheet holding the Table is deleted: #REF! for the whole
    # reference; the other Table's reference and the formula through the name are untouched
    assert formulas(book) == (["=COUNTA(#REF!)", f"=SUM({big}[[#Data],[Revenue]])",
                               "=COUNTA(HotNames)"], "#REF!")
    assert hot not in read(book, part_of(book, "My notes"))
    assert findings(book) == []
    after = openpyxl.load_workbook(book)
    assert HOT not in after.sheetnames and table_of(book, "Big spenders") == big
    assert libreoffice_sheets(book, tmp_path) == after.sheetnames


def test_a_column_the_new_table_lacks_becomes_ref_and_a_translated_one_follows(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = customer_workbook(tmp_path / "book.xlsx", segments=(HOT, "Big spenders"))
    assert run(book) in (0, 1)
    hot = table_of(book, HOT)
    hot_table = next(p for p in zipfile.ZipFile(book).namelist() if p.startswith("xl/tables/")
                     and f'name="{hot}"' in read(book, p))
    # as an earlier run (French, and with a column this version no longer writes) left it
    french = header("name", "fr")
    older = edited(book, tmp_path / "older.xlsx", {hot_table: lambda x: x.replace(
        'name="Name"', f'name="{french}"').replace('name="Next action"', 'name="Old score"')})
    user = openpyxl.load_workbook(older)
    user["My notes"]["B20"] = f"=COUNTA({hot}[{french}])"
    user["My notes"]["B21"] = f"=COUNTA({hot}[Old score])+COUNTA({hot}[[#Headers],[{french}]])"
    user.save(older)
    accept_input(older)  # the edited headers no longer match their cells: the input's own
    capsys.readouterr()
    assert run(older) in (0, 1)
    said = capsys.readouterr().out
    assert ("Note: 1 formula or rule of sheet 'My notes' (B21) used a column that table "
            f"{hot} no longer has: it now shows #REF!") in said, said
    notes = openpyxl.load_workbook(older)["My notes"]
    # Excel renames references with a header, and turns one to a deleted column into #REF!
    assert notes["B20"].value == f"=COUNTA({hot}[Name])"
    assert notes["B21"].value == f"=COUNTA(#REF!)+COUNTA({hot}[[#Headers],[Name]])"
    assert findings(older) == []


def test_the_package_check_sees_a_structured_reference_to_a_missing_table_or_column(
        tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx", segments=(HOT,))
    assert run(book) in (0, 1)
    hot = table_of(book, HOT)
    notes = part_of(book, "My notes")
    broken = edited(book, tmp_path / "broken.xlsx", {
        notes: lambda x: x.replace("</sheetData>", '<row r="30"><c r="A30"><f>COUNTA(Gone[Name])'
                                   f"+COUNTA({hot}[Nope])+COUNTA({hot}[Name])</f></c></row>"
                                   "</sheetData>"),
        "xl/workbook.xml": lambda x: x.replace(
            "</definedNames>", f'<definedName name="Dangling">{hot}[Nope]</definedName>'
            "</definedNames>")})
    found = check_package(broken)
    assert f"{notes} (My notes): a formula refers to missing table 'Gone'" in found, found
    assert (f"{notes} (My notes): a formula refers to column 'Nope' that table {hot!r} does "
            "not have") in found, found
    assert (f"xl/workbook.xml: name 'Dangling' refers to column 'Nope' that table {hot!r} "
            "does not have") in found, found
    assert len([f for f in found if "table" in f]) == 3
