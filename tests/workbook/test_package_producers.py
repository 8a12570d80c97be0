"""Workbooks from every common producer, each run twice through ``potentiel run``: every output
is namespace-well-formed (``xml.etree`` refuses an unbound prefix) and passes the validator of
tests/package_check.py, and openpyxl reads it back with the user's sheets, names and charts.

Producers: XlsxWriter, openpyxl with and without lxml (with lxml it declares the relationships
namespace on each ``<sheet>``, which once broke new sheets), pandas ``to_excel`` with both
engines, LibreOffice, and files saved by Excel itself (tests/files/ORIGIN.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
from package_check import accept_input, findings
from workbooks import customer_workbook

from addin.cli import main
from addin.core.analysis import run_analysis
from addin.workbook.reader import read_workbook
from addin.workbook.results import write_results

FILES = Path(__file__).parent.parent / "files"
AS_OF = "2026-03-31"
CUSTOMERS = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "name": ["Ann", "Bob", "Cy"],
                          "country": ["FR", "BE", "NL"]})
ORDERS = pd.DataFrame({"order_id": ["O1", "O2", "O3", "O4"],
                       "customer_id": ["C1", "C1", "C2", "C3"],
                       "order_date": pd.to_datetime(["2025-11-02", "2026-01-15", "2026-02-01",
                                                     "2025-06-30"]),
                       "amount": [120.0, 80.5, 300.0, 45.0]})
SEGMENTS = pd.DataFrame({"segment": ["Loyal"], "field": ["orders"], "operator": [">="],
                         "value": ["2"]})
SHEETS = {"Customers": CUSTOMERS, "Orders": ORDERS, "Segments": SEGMENTS}

#: openpyxl writes the three sheets; OPENPYXL_LXML says whether it may use lxml.
_OPENPYXL = """
import sys
import openpyxl
from openpyxl.xml import LXML
assert LXML == (sys.argv[2] == "True"), LXML
book = openpyxl.Workbook()
book.active.title = "Customers"
for row in [["customer_id", "name", "country"], ["C1", "Ann", "FR"], ["C2", "Bob", "BE"],
            ["C3", "Cy", "NL"]]:
    book["Customers"].append(row)
orders = book.create_sheet("Orders")
import datetime
for row in [["order_id", "customer_id", "order_date", "amount"],
            ["O1", "C1", datetime.datetime(2025, 11, 2), 120.0],
            ["O2", "C1", datetime.datetime(2026, 1, 15), 80.5],
            ["O3", "C2", datetime.datetime(2026, 2, 1), 300.0],
            ["O4", "C3", datetime.datetime(2025, 6, 30), 45.0]]:
    orders.append(row)
segments = book.create_sheet("Segments")
segments.append(["segment", "field", "operator", "value"])
segments.append(["Loyal", "orders", ">=", "2"])
book.defined_names["Buyers"] = openpyxl.workbook.defined_name.DefinedName(
    "Buyers", attr_text="Customers!$A$2:$A$4")
book.save(sys.argv[1])
"""


def _openpyxl(path: Path, lxml: bool) -> Path:
    env = dict(os.environ, OPENPYXL_LXML=str(lxml))
    subprocess.run([sys.executable, "-c", _OPENPYXL, str(path), str(lxml)], env=env,
                   check=True, timeout=120)
    return path


def _pandas(path: Path, engine: str) -> Path:
    with pd.ExcelWriter(path, engine=engine) as writer:
        for name, frame in SHEETS.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def _libreoffice(path: Path) -> Path:
    (path.parent / "source").mkdir()
    source = customer_workbook(path.parent / "source" / "book.xlsx")
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{path.parent}/lo",
                    "--convert-to", "xlsx", "--outdir", str(path.parent), str(source)],
                   check=True, capture_output=True, timeout=240)
    return path.parent / "book.xlsx"


PRODUCERS = {
    "xlsxwriter": lambda path: customer_workbook(path),
    "openpyxl-lxml": lambda path: _openpyxl(path, lxml=True),
    "openpyxl-no-lxml": lambda path: _openpyxl(path, lxml=False),
    "pandas-openpyxl": lambda path: _pandas(path, "openpyxl"),
    "pandas-xlsxwriter": lambda path: _pandas(path, "xlsxwriter"),
    "libreoffice": _libreoffice,
}


def strict_parse(path: Path) -> None:
    """Every XML part parses with a namespace-aware parser (an unbound prefix fails)."""
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(package.read(name))


def counts(path: Path) -> tuple[list[str], list[str], int]:
    """The user-visible inventory openpyxl reads: sheets, defined names, charts."""
    book = openpyxl.load_workbook(path)
    charts = sum(len(sheet._charts) for sheet in book.worksheets)
    return book.sheetnames, sorted(book.defined_names), charts


@pytest.mark.parametrize("producer", PRODUCERS)
def test_a_workbook_from_each_producer_runs_twice_into_a_valid_package(
        producer: str, tmp_path: Path) -> None:
    if producer == "libreoffice" and shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is needed: scripts/system-deps.sh installs it")
    book = PRODUCERS[producer](tmp_path / "book.xlsx")
    strict_parse(book)
    accept_input(book)
    user_sheets, user_names, user_charts = counts(book)
    for run in (1, 2):
        assert main(["run", str(book), "--as-of", AS_OF]) in (0, 1), f"run {run}"
        strict_parse(book)
        assert findings(book) == []
        sheets, names, charts = counts(book)
        assert sheets[: len(user_sheets)] == user_sheets
        assert [n for n in names if not n.startswith("_potentiel.")] == user_names
        assert charts >= user_charts
        if run == 1:
            first = (sheets, names, charts)
    assert (sheets, names, charts) == first  # a re-run replaces, adds nothing


@pytest.mark.parametrize("name", ["excel_defined_names.xlsx", "excel_calc_chain.xlsx"])
def test_a_workbook_saved_by_excel_takes_result_sheets_twice(name: str, tmp_path: Path) -> None:
    book = tmp_path / name
    shutil.copy(FILES / name, book)
    accept_input(book)
    names_before = openpyxl.load_workbook(book).defined_names
    data = read_workbook(customer_workbook(tmp_path / "data.xlsx"))
    analysis = run_analysis(data.customers, data.orders, segments=data.segments,
                            as_of=date(2026, 3, 31), settings=data.settings,
                            sheet_names=data.sheet_names, problems=data.validation)
    for _ in range(2):
        write_results(book, analysis)
        strict_parse(book)
        assert findings(book) == []
    with zipfile.ZipFile(book) as package:
        assert "xl/calcChain.xml" not in package.namelist()
        workbook = package.read("xl/workbook.xml").decode()
    names = openpyxl.load_workbook(book).defined_names
    assert sorted(n for n in names if not n.startswith("_potentiel.")) == sorted(names_before)
    if name == "excel_defined_names.xlsx":  # names scoped to the user's sheets stay on them
        assert '<definedName name="_xlnm.Print_Area" localSheetId="0">Sheet1!$A$1:$E$6' \
            in workbook
