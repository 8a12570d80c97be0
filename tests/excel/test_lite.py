"""xlwings Lite: the generated main.py run as Lite runs it, against the desktop formulas and macros.

The committed ``templates/lite/main.py`` is imported in a child process where no thread can
start and python_calamine, xlsxwriter, gspread and openpyxl cannot be imported (Pyodide's
constraints, see ``tests/lite_sandbox.py``).  Every formula is called there with scalars,
ranges, blanks, bad values and Excel errors and must give exactly what :mod:`addin.udfs` gives
here; every button runs on a recorded workbook and must write what the desktop macro writes.
"""

from __future__ import annotations

import datetime as dt
import inspect
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from builders import AS_OF
from lite_sandbox import _recorder, state
from recording_book import Book

from addin import udfs
from addin.app import formulas
from addin.app.jobs import perform
from addin.app.lite import SCRIPTS
from addin.app.side import ExcelSide
from addin.demo.book import generate
from addin.workbook.a1 import sheet_of_reference

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "templates" / "lite" / "main.py"
SANDBOX = REPO / "tests" / "lite_sandbox.py"
EPOCH = pd.Timestamp("1899-12-30")


def serial(day: str) -> float:
    """A date as Excel's serial number (how Excel on the web hands dates to a formula)."""
    return float((pd.Timestamp(day) - EPOCH).days)


def column(*values: Any) -> list[list[Any]]:
    return [[value] for value in values]


CUSTOMERS = [
    [" Id client ", "Nom", "Satisfaction", "budget", "besoin", "décideur", "Referred by"],
    ["C1", '=HYPERLINK("http://x","y")', 5, None, None, None, None],
    ["C2", "Bob", 4, "5 000", "oui", "oui", "C1"],
    ["C3", "+32 2 555 01 01", "#N/A", None, None, None, None],
    ["C4", "Dana", "abc", "-12", "peut-être", None, "C9"],
    [None, None, None, None, None, None, None],
]
ORDERS = [
    ["customer_id", "order_date", "amount", "unit_cost"],
    ["C1", serial("2024-01-15"), "1 200,50", 700],
    ["C1", dt.datetime(2024, 6, 1), 300, 100],
    ["C3", "15/01/2023", 50, 20],
    ["C4", "31/02/2024", "x", None],
]
SEGMENTS = [["segment", "field", "operator", "value"],
            ["Hot leads", "customer_type", "=", "prospect"],
            ["Odd", "revenue", "between", "a"]]
ANALYSIS = udfs.POTENTIEL_ANALYZE(CUSTOMERS, ORDERS, serial("2024-07-01"), SEGMENTS)

#: (formula, arguments) as Excel passes them: one cell as a value, ranges as rows.
CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("CUSTOMER_TYPE", (0, None, None)),
    ("CUSTOMER_TYPE", (None, None, None)),
    ("CUSTOMER_TYPE", (3, 10, 400, None, None, None, 6)),
    ("CUSTOMER_TYPE", (column(0, 1, 2, 3, None, "abc", -1, "#N/A"),
                       column(None, 10, 400, 10, None, 5, 5, 5), 400,
                       column(None, "yes", "x", "no", None, None, None, None), None,
                       column(1, 7, "zz", 2, None, 3, 3, 3), None,
                       column(None, "oui", None, False, None, None, None, "#REF!"))),
    ("PROSPECT_SCORE", (2000, "oui", 3, 30, 10, True)),
    ("PROSPECT_SCORE", (None, None, None, None, None, None)),
    ("PROSPECT_SCORE", (column("1 000", "abc", None, 5000), "ja", column("yes", 2, 9, None), 90,
                        [[5, 20]], None, column(30, -1, None, "#DIV/0!"))),
    ("TEMPERATURE", (70,)),
    ("TEMPERATURE", ([[75, 45, 10, None, "hot", 101, "#N/A"]],)),
    ("MARGIN_RATE", (100, 60)),
    ("MARGIN_RATE", ([[100.0]], [[60.0]])),
    ("MARGIN_RATE", (column(100, " 1 000,50 ", None, 50, "x", 0, "12,5 %"),
                     column(60, 500.25, 1, 50, 1, 10, 0.1))),
    ("MARGIN_RATE", (column(100, 200, 300), column(60, 50))),
    ("MARKUP_RATE", (column(100, 100, 100), column(60, 0, None))),
    ("DISCOUNT_RATE", (column(90, 90, "n/a"), column(100, 0, 100))),
    ("AVG_ORDER_VALUE", (column(100, 100, 100, 100), column(4, 0, -2, 2.5))),
    ("MARGIN_RATE", (column("3.000", "1.234,56"), 1)),
    ("CONTRIBUTION", (column(100, 200), column(60, 100), column(1, 2), 5)),
    ("CONTRIBUTION", (100, 60, 2, -3)),
    ("CONTRIBUTION", (100, None, 2)),
    ("BREAK_EVEN_ORDER_VALUE", (10, "25 %")),
    ("BREAK_EVEN_ORDER_VALUE", ([[10]], column(0.5, 0.25, 0, "abc", None, 25))),
    ("RFM_SEGMENT", (5, 5)),
    ("RFM_SEGMENT", (column(1, 2.5, 6, "x", None, "5"), column(1, 3, 3, 3, 3, 4.0))),
    ("GENERATION", (1945,)),
    ("GENERATION", ([[1950, dt.datetime(1990, 5, 17)], [" 1980 ", "abc"], [None, "  "],
                     [-5, 2013], [serial("1990-05-17"), 2200.0], ["15/03/1975", "1975"]],)),
    ("POTENTIEL_ANALYZE", (CUSTOMERS, ORDERS, serial("2024-07-01"))),
    ("POTENTIEL_ANALYZE", (CUSTOMERS, ORDERS, "2024-07-01", SEGMENTS, [["language", "fr"]])),
    ("POTENTIEL_ANALYZE", (CUSTOMERS, None, dt.datetime(2024, 7, 1), None,
                           [["key", "value"], ["churn_days", "30"]])),
    ("POTENTIEL_ANALYZE", ([["name"], ["x"]],)),
    ("POTENTIEL_ANALYZE", (CUSTOMERS, ORDERS, "not a date")),
    ("POTENTIEL_ANALYZE", (CUSTOMERS, ORDERS, None, None, [["churn_days", "abc"]])),
    ("POTENTIEL_SEGMENT", (ANALYSIS, "Hot leads")),
    ("POTENTIEL_SEGMENT", (ANALYSIS, "customer_type = one_time")),
    ("POTENTIEL_SEGMENT", (ANALYSIS, "Champions")),
    ("POTENTIEL_SEGMENT", (ANALYSIS, "nonsense")),
    ("POTENTIEL_SEGMENT", (ANALYSIS, None)),
    ("POTENTIEL_SEGMENT", ("#VALUE: customer_id is missing", "x")),
]


def _grid(frame: pd.DataFrame) -> list[list[Any]]:
    """A sheet's cells as xlwings reads them: header row, dates as datetimes, blanks None."""
    cells = frame.astype(object).where(frame.notna(), None)
    rows = [[v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row]
            for row in cells.to_numpy(dtype=object).tolist()]
    return [list(frame.columns), *rows]


def _workbook() -> dict[str, list[list[Any]]]:
    customers, orders = generate(300, 1_200, seed=7, as_of=AS_OF.date())
    rows = _grid(customers)
    at = rows[0].index
    rows[4][at("satisfaction")] = "#N/A"
    rows[6][at("name")] = "=cmd|' /C calc'!A0"
    return {
        "Start": [["Welcome"]],
        "Customers": rows,
        "Orders": _grid(orders),
        "Segments": [["segment", "field", "operator", "value"],
                     ["Hot prospects", "temperature", "=", "hot"],
                     ["Lost customers", "customer_type", "=", "lost"]],
        "Settings": [["key", "value"], ["as_of", dt.datetime(2026, 6, 30)]],
    }


def _users_analysis() -> dict[str, list[list[Any]]]:
    """A workbook with the user's own sheet called Analysis (no mark: not potentiel's)."""
    return {**_workbook(), "Analysis": [["my own notes"], ["keep me"]]}


def _unplaced_header() -> dict[str, list[list[Any]]]:
    """A workbook whose Customers sheet has a column nothing places (a Columns sheet to
    write)."""
    book = _workbook()
    book["Customers"] = [[*row, "Omzet vorig jaar" if i == 0 else 100 * i]
                         for i, row in enumerate(book["Customers"])]
    return book


#: (label, buttons clicked in turn, workbook): each button alone, and re-runs.
RUNS: list[tuple[str, list[str], dict[str, list[list[Any]]]]] = [
    *((macro, [macro], _workbook()) for macro in SCRIPTS),
    ("twice", ["analyze", "validate", "analyze"], _workbook()),
    ("user's Analysis", ["analyze", "analyze"], _users_analysis()),
    ("columns", ["validate"], _unplaced_header()),
]


@pytest.fixture(scope="module")
def lite() -> dict[str, Any]:
    """What the generated main.py registers, returns and writes under Pyodide's constraints."""
    request = {"main": str(MAIN), "calls": CALLS, "scripts": RUNS}
    done = subprocess.run([sys.executable, str(SANDBOX)], input=pickle.dumps(request),
                          capture_output=True, cwd=MAIN.parent, timeout=300, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return pickle.loads(done.stdout)


def test_every_formula_is_called() -> None:
    assert {name for name, _ in CALLS} == {f.__name__ for f in udfs.FORMULAS}


@pytest.mark.parametrize("number", range(len(CALLS)),
                         ids=[f"{name}-{i}" for i, (name, _) in enumerate(CALLS)])
def test_a_formula_gives_in_lite_what_it_gives_on_the_desktop(lite: dict[str, Any],
                                                               number: int) -> None:
    name, args = CALLS[number]
    assert lite["results"][number] == getattr(udfs, name)(*args)


def test_lite_registers_the_desktop_names_arguments_help_and_options(
        lite: dict[str, Any]) -> None:
    for formula in formulas.FORMULAS:
        desktop = formulas.declare(formula, _recorder("func"), _recorder("arg"))
        name = formula.__name__
        assert lite["registered"][name]["func"] == desktop.__lite__["func"]
        assert lite["registered"][name]["args"] == desktop.__lite__["args"]
        assert lite["registered"][name]["doc"] == formula.__doc__
        assert lite["registered"][name]["params"] == [
            (p.name, p.default) for p in inspect.signature(formula).parameters.values()]
    assert {name for name, marks in lite["registered"].items() if marks["script"]} == set(SCRIPTS)
    assert lite["registered"]["build_segments"]["script"] == {"name": "Build segment sheets"}


def test_lite_runs_potentiel_from_the_bundle_without_threads_or_file_libraries(
        lite: dict[str, Any]) -> None:
    assert lite["imported"] == []
    assert set(lite["modules"].values()) == {"Bundle"}
    assert {"addin.app.formulas", "addin.core.analysis", "addin.app.side"} <= set(
        lite["modules"])


@pytest.mark.parametrize("run", range(len(RUNS)), ids=[label for label, _, _ in RUNS])
def test_buttons_write_in_lite_what_the_desktop_macros_write(lite: dict[str, Any],
                                                              run: int) -> None:
    label, macros, sheets = RUNS[run]
    book = Book(sheets, "C:/Users/me/customers.xlsx")
    for macro in macros:  # the desktop renders sheets and copies them in; Lite writes values
        perform(macro, ExcelSide(book, render=False))
    assert lite["scripts"][label] == state(book)
    assert "1 problem in the input" in lite["scripts"][label]["alerts"][-1]


@pytest.mark.parametrize(("label", "sheets"), [
    ("analyze", {"Analysis", "Hot prospects", "Lost customers", "Validation"}),
    ("build_segments", {"Hot prospects", "Lost customers", "Validation"}),
    ("validate", {"Validation"}),
])
def test_each_button_writes_its_sheets_and_marks_them(lite: dict[str, Any], label: str,
                                                      sheets: set[str]) -> None:
    done = lite["scripts"][label]
    assert set(done["written"]) == sheets
    assert {"Start", "Customers", "Orders", "Segments", "Settings"} <= set(done["sheets"])
    marked = {sheet_of_reference(ref) for _, ref in done["names"]}
    assert marked == sheets


def test_buttons_clicked_again_rewrite_their_own_sheets(lite: dict[str, Any]) -> None:
    done = lite["scripts"]["twice"]
    assert done["sheets"] == ["Start", "Customers", "Orders", "Segments", "Settings",
                              "Analysis", "Hot prospects", "Lost customers", "Validation"]
    assert len(done["names"]) == 4


def test_a_users_sheet_named_like_a_result_is_left_alone(lite: dict[str, Any]) -> None:
    done = lite["scripts"]["user's Analysis"]
    assert "Analysis" not in done["written"]
    assert done["sheets"].count("Analysis") == 1
    ours = [sheet_of_reference(ref) for name, ref in done["names"]
            if name.endswith(".analysis")]
    assert ours != ["Analysis"] and len(ours) == 1 and ours[0] in done["written"]


def test_the_analyze_button_writes_every_customer_and_keeps_text_as_text(
        lite: dict[str, Any]) -> None:
    analysis = lite["scripts"]["analyze"]["written"]["Analysis"]
    rows = max(row for row, _ in analysis)
    assert rows == 301  # header + 300 customers
    headers = {analysis[(1, c)]: c for r, c in analysis if r == 1}
    names = [analysis[(r, headers["Name"])] for r in range(2, rows + 1)]
    assert "'=cmd|' /C calc'!A0" in names


def test_a_button_in_lite_writes_the_columns_sheet_as_values(lite: dict[str, Any]) -> None:
    """The Columns sheet of the headless writer, its dropdown left out (tests/excel/
    test_columns_buttons.py follows it through a user's edit and new columns)."""
    done = lite["scripts"]["columns"]
    assert done["sheets"][-2:] == ["Validation", "Columns"]
    assert ("_potentiel.columns", "='Columns'!$A$1") in done["names"]
    columns = done["written"]["Columns"]
    assert [columns[(1, c)] for c in range(1, 7)] == ["Sheet", "Your header", "Field", "Note",
                                                      " ", "Fields"]
    rows = {(columns[(r, 1)], columns[(r, 2)]): [columns.get((r, c)) for c in (3, 4)]
            for r in range(2, 100) if columns.get((r, 2)) is not None}
    assert rows["Customers", "Omzet vorig jaar"] == [None, "not used: choose a field to use it"]
    assert rows["Orders", "customer_id"] == ["Customer ID", "recognised"]
    assert len(rows) == len(_workbook()["Customers"][0]) + len(_workbook()["Orders"][0]) + 1
