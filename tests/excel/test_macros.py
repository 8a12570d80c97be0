"""The four macros: headless end to end on the shipped template, and through xlwings' objects."""

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
from builders import AS_OF
from recording_book import Book

from addin import macros, read_workbook
from addin.app.jobs import perform
from addin.app.side import ExcelSide
from addin.demo.book import generate
from addin.workbook.edit import update_cells
from addin.workbook.results import write_results

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "potentiel_template.xlsm"


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """The shipped template with 200 customers and their orders typed in."""
    path = tmp_path / "book.xlsm"
    shutil.copyfile(TEMPLATE, path)
    customers, orders = generate(200, 900, seed=4, as_of=AS_OF.date())
    empty = pd.DataFrame({"row": [], "column": [], "value": []})
    update_cells(path, "Customers", empty, customers.astype(object))
    update_cells(path, "Orders", empty, orders.astype(object))
    update_cells(path, "Settings", empty, pd.DataFrame({"key": ["as_of"], "value": ["2026-06-30"]}))
    return path


def _sheets(path: Path) -> list[str]:
    return pd.ExcelFile(path, engine="openpyxl").sheet_names


def test_each_macro_writes_its_sheets_and_keeps_the_vba(filled: Path, capsys) -> None:
    vba_before = zipfile.ZipFile(filled).read("xl/vbaProject.bin")
    analysis = macros.validate(filled)
    assert analysis is not None and len(analysis.table) == 200
    assert "Validation" in _sheets(filled) and "Analysis" not in _sheets(filled)
    macros.build_segments(filled)
    assert {"Hot prospects", "Lost customers"} <= set(_sheets(filled))
    assert "Analysis" not in _sheets(filled)
    macros.analyze(filled)
    names = _sheets(filled)
    assert {"Analysis", "Dashboard", "Validation", "Start", "xlwings.conf"} <= set(names)
    assert zipfile.ZipFile(filled).read("xl/vbaProject.bin") == vba_before
    out = capsys.readouterr().out
    assert "200 customers analysed." in out
    written = pd.read_excel(filled, sheet_name="Analysis", engine="openpyxl")
    assert written["Customer ID"].tolist() == analysis.table["customer_id"].tolist()
    assert read_workbook(filled).customers.shape[0] == 200


def test_a_problem_is_told_not_raised(tmp_path: Path, capsys) -> None:
    path = tmp_path / "book.xlsm"
    shutil.copyfile(TEMPLATE, path)
    (tmp_path / "~$book.xlsm").write_text("owner", encoding="utf-8")
    assert macros.analyze(path) is None
    assert "Potentiel could not finish" in capsys.readouterr().out


def _cells(sheet: Any) -> list[str]:
    """The text of a copied sheet's cells, in order (inline strings)."""
    return re.findall(r"<t(?: xml:space=\"preserve\")?>([^<]*)</t>", sheet.parts["sheet"])


def _normalised(xml: str) -> str:
    """A part without the indices of styles, which differ between two workbooks."""
    return re.sub(r' (?:s|dxfId)="\d+"', "", xml)


def test_excel_side_reads_grids_and_writes_safe_values() -> None:
    book = Book({
        "Clients": [["Id client", "Nom", "Satisfaction"], ["A", "=HYPERLINK(\"x\")", 1],
                    ["B", "+33 1 23", "#N/A"]],
        "Segments": [["segment", "field", "operator", "value"],
                     ["Unhappy", "customer_type", "=", "disloyal"]],
    }, "C:/Users/me/book.xlsm")
    analysis = perform("analyze", ExcelSide(book))
    assert analysis is not None
    tabs = [s.name for s in book.sheets]
    assert tabs == ["Clients", "Segments", "Dashboard", "Analysis", "Unhappy", "Validation",
                    "Dashboard data"]
    analysis_sheet = book.sheets["Analysis"]
    assert {'=HYPERLINK("x")', "+33 1 23"} <= set(_cells(analysis_sheet))
    assert "<f>" not in analysis_sheet.parts["sheet"]  # text stays text, never a formula
    assert book.sheets["Clients"].written is None and not book.sheets["Clients"].parts
    assert "1 problem in the input" in book.alerts[0]


def test_excel_gets_the_sheets_run_writes_and_no_link_to_the_rendering(tmp_path: Path) -> None:
    grids = {
        "Customers": [["customer_id", "name", "satisfaction"], ["A", "Ann", 5], ["B", "Bo", 9],
                      ["C", "Cy", 1]],
        "Orders": [["customer_id", "order_date", "amount"], ["A", "2026-01-05", 120],
                   ["C", "2025-02-05", 80]],
        "Settings": [["key", "value"], ["as_of", "2026-06-30"]],
        "Segments": [["segment", "field", "operator", "value"],
                     ["Buyers", "orders", ">=", "1"]],
    }
    book = Book(grids, "C:/Users/me/book.xlsm")
    book.sheets["Orders"].formats[(2, 3)] = '#,##0.00 "€"'
    analysis = perform("analyze", ExcelSide(book))
    assert analysis is not None
    # The same analysis written headless into a file of the same inputs.
    path = tmp_path / "book.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    euro = workbook.add_format({"num_format": '#,##0.00 "€"'})
    for name, rows in grids.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value, euro if (name, r, c) == ("Orders", 1, 2) else None)
    workbook.close()
    write_results(path, analysis)
    headless = Book.from_file(path)
    ours = [s for s in headless.sheets if s.parts and s.name not in grids]
    assert [s.name for s in ours] == [s.name for s in book.sheets if s.name not in grids]
    for file_sheet in ours:
        excel_sheet = book.sheets[file_sheet.name]
        assert excel_sheet.visible == file_sheet.visible
        assert excel_sheet.local_names == file_sheet.local_names  # print titles
        assert set(excel_sheet.parts) == set(file_sheet.parts)
        for kind, xml in file_sheet.parts.items():
            if kind != "table":  # table ids are numbered per workbook
                assert _normalised(excel_sheet.parts[kind]) == _normalised(xml), \
                    (file_sheet.name, kind)
    (rendered,) = book.app.opened
    euro = '#,##0.00 "€"'
    assert euro in html.unescape(open_styles(path)) and euro in html.unescape(rendered.styles)
    assert "<tablePart " in book.sheets["Analysis"].parts["sheet"]
    assert "<conditionalFormatting" in book.sheets["Analysis"].parts["sheet"]
    assert 'state="frozen"' in book.sheets["Buyers"].parts["sheet"]
    assert "<hyperlink " in book.sheets["Validation"].parts["sheet"]
    # Charts read this workbook's hidden data sheet, never the rendering's file.
    charts = [xml for key, xml in book.sheets["Dashboard"].parts.items()
              if key.startswith("chart")]
    assert len(charts) == 4 and all("'Dashboard data'!" in c for c in charts)
    formulas = [f for c in charts for f in re.findall(r"<c:f>(.*?)</c:f>", c)]
    assert formulas and not any("[" in f for f in formulas)  # no external workbook
    assert book.api.changed == [(rendered.fullname, book.fullname)]  # the copy had linked it
    assert book.api.LinkSources(1) is None
    assert rendered.closed and not Path(rendered.fullname).exists()
    assert all(rendered.fullname not in (n.refers_to or "") for n in book.names)
    assert {n.name for n in book.names} == {
        "_potentiel.dashboard", "_potentiel.analysis", "_potentiel.validation",
        "_potentiel.dashboard.data", next(n.name for n in book.names
                                          if n.name.startswith("_potentiel.segment."))}
    assert book.active is book.sheets["Dashboard"]


def open_styles(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("xl/styles.xml").decode()


def _book(segment: str) -> Book:
    """A workbook open in Excel whose one user segment is named ``segment``."""
    return Book({
        "Customers": [["customer_id", "name", "satisfaction"], ["A", "Ann", 5], ["B", "Bo", 1]],
        "Orders": [["customer_id", "order_date", "amount"], ["A", "2026-01-05", 120]],
        "Settings": [["key", "value"], ["as_of", "2026-06-30"]],
        "Segments": [["segment", "field", "operator", "value"],
                     [segment, "customer_type", "!=", "internal"]],
    }, "C:/Users/me/book.xlsm")


@pytest.mark.parametrize("segment", ["Customers", "Orders", "Settings", "Segments",
                                     "customers"])
def test_a_segment_named_like_an_input_sheet_leaves_that_sheet_alone(segment: str) -> None:
    book = _book(segment)
    inputs = {s.name: [list(row) for row in s.values] for s in book.sheets}
    assert perform("analyze", ExcelSide(book)) is not None
    for name, values in inputs.items():
        sheet = book.sheets[name]
        assert sheet.values == values and sheet.written is None and not sheet.cells
        assert not sheet.parts
    tabs = [s.name for s in book.sheets]
    numbered = next(t for t in tabs if t.casefold() == f"{segment} (2)".casefold())
    cells = _cells(book.sheets[numbered])
    assert cells[:2] == ["Customer ID", "Name"]
    assert {"Ann", "Bo"} <= set(cells)  # both customers


def test_a_second_analyze_replaces_the_first_ones_sheets_found_by_their_marks() -> None:
    book = _book("Customers")
    perform("analyze", ExcelSide(book))
    first = [s.name for s in book.sheets]
    assert first == ["Customers", "Orders", "Settings", "Segments", "Dashboard", "Analysis",
                     "Customers (2)", "Validation", "Dashboard data"]
    book.sheets["Analysis"].name = "My analysis"  # the user renames a result sheet;
    mark = next(n for n in book.names if n.name == "_potentiel.analysis")
    mark.refers_to = "='My analysis'!$A$1"  # Excel moves the mark with it
    book.sheets.add("Analysis")  # and makes a sheet of their own with the old name
    book.sheets["Analysis"].range("A1").value = [["my own notes"]]
    perform("analyze", ExcelSide(book))
    tabs = [s.name for s in book.sheets]
    assert tabs == ["Customers", "Orders", "Settings", "Segments", "Dashboard", "Analysis (2)",
                    "Customers (2)", "Validation", "Dashboard data", "Analysis"]
    assert book.sheets["Analysis"].cells == {(1, 1): "my own notes"}
    assert _cells(book.sheets["Analysis (2)"])[0] == "Customer ID"
    marks = {n.name: n.refers_to for n in book.names}
    assert marks["_potentiel.analysis"] == "='Analysis (2)'!$A$1"
    assert len(book.app.opened) == 2 and book.api.LinkSources(1) is None


def test_segments_that_no_longer_exist_lose_their_sheet_in_excel_too() -> None:
    book = _book("Happy")
    perform("build_segments", ExcelSide(book))
    assert "Happy" in [s.name for s in book.sheets]
    assert "Dashboard" not in [s.name for s in book.sheets]
    book.sheets["Segments"].values[1][0] = "Glad"
    perform("build_segments", ExcelSide(book))
    tabs = [s.name for s in book.sheets]
    assert "Happy" not in tabs and "Glad" in tabs and tabs.count("Validation") == 1


def test_the_macro_tells_in_the_workbooks_language() -> None:
    book = Book({
        "Clients": [["N° client", "Nom", "Satisfaction"], ["A", "Ann", 9]],
        "Paramètres": [["clé", "valeur"], ["langue", "fr"], ["as_of", "2026-06-30"]],
    }, "C:/Users/me/livre.xlsm")
    assert perform("analyze", ExcelSide(book)) is not None
    assert book.alerts == ["1 client analysé. 1 problème dans les données : voir la "
                           "feuille Validation."]
    assert [s.name for s in book.sheets][2:] == ["Tableau de bord", "Analyse", "Validation",
                                                 "Données du tableau"]
