"""The four macros: headless end to end on the shipped template, and through xlwings' objects."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from builders import AS_OF
from recording_book import Book

from addin import macros, read_workbook
from addin.app.jobs import perform
from addin.app.side import ExcelSide
from addin.demo.book import generate
from addin.workbook.edit import update_cells

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


def test_excel_side_reads_grids_and_writes_safe_values() -> None:
    book = Book({
        "Clients": [["Id client", "Nom", "Satisfaction"], ["A", "=HYPERLINK(\"x\")", 1],
                    ["B", "+33 1 23", "#N/A"]],
        "Segments": [["segment", "field", "operator", "value"],
                     ["Unhappy", "customer_type", "=", "disloyal"]],
    }, "C:/Users/me/book.xlsm")
    analysis = perform("analyze", ExcelSide(book))
    assert analysis is not None
    written = {s.name: s.written for s in book.sheets if s.written}
    assert set(written) == {"Analysis", "Unhappy", "Validation"}
    names = [row[1] for row in written["Analysis"][1:]]
    assert names == ["'=HYPERLINK(\"x\")", "'+33 1 23"]
    assert written["Unhappy"][1][0] == "A"
    assert "1 problem(s) in the input" in book.alerts[0]


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
    tabs = [s.name for s in book.sheets]
    numbered = next(t for t in tabs if t.casefold() == f"{segment} (2)".casefold())
    assert book.sheets[numbered].written[0][:2] == ["customer_id", "name"]
    assert len(book.sheets[numbered].written) == 3  # both customers


def test_a_second_analyze_replaces_the_first_ones_sheets_found_by_their_marks() -> None:
    book = _book("Customers")
    perform("analyze", ExcelSide(book))
    first = [s.name for s in book.sheets]
    assert first == ["Customers", "Orders", "Settings", "Segments", "Analysis",
                     "Customers (2)", "Validation"]
    book.sheets["Analysis"].name = "My analysis"  # the user renames a result sheet;
    mark = next(n for n in book.names if n.name == "_potentiel.analysis")
    mark.refers_to = "='My analysis'!$A$1"  # Excel moves the mark with it
    book.sheets.add("Analysis")  # and makes a sheet of their own with the old name
    book.sheets["Analysis"].range("A1").value = [["my own notes"]]
    perform("analyze", ExcelSide(book))
    tabs = [s.name for s in book.sheets]
    assert tabs == ["Customers", "Orders", "Settings", "Segments", "Analysis (2)",
                    "Customers (2)", "Validation", "Analysis"]
    assert book.sheets["Analysis"].cells == {(1, 1): "my own notes"}
    assert book.sheets["Analysis (2)"].written[0][0] == "customer_id"
    marks = {n.name: n.refers_to for n in book.names}
    assert marks["_potentiel.analysis"] == "='Analysis (2)'!$A$1"


def test_segments_that_no_longer_exist_lose_their_sheet_in_excel_too() -> None:
    book = _book("Happy")
    perform("build_segments", ExcelSide(book))
    assert "Happy" in [s.name for s in book.sheets]
    book.sheets["Segments"].values[1][0] = "Glad"
    perform("build_segments", ExcelSide(book))
    tabs = [s.name for s in book.sheets]
    assert "Happy" not in tabs and "Glad" in tabs and tabs.count("Validation") == 1
