"""Excel formulas, called the way xlwings calls them.

On Linux ``@xw.func`` leaves the functions plain callables, so the tests hand them what
xlwings hands them on Windows (``ndim=2``: every argument as rows, a cell as ``[[v]]``,
blanks as None, dates as datetimes or serial numbers, Excel errors as ``'#N/A'`` text) and
check shapes, values, per-cell messages, and agreement with :func:`addin.analyze`.  The last
tests load the module through xlwings' real Windows decorators (pywin32 stubbed) and run
xlwings' own VBA wrapper generator over it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import math
import re
import sys
import types
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlwings
from builders import AS_OF, analyse, books
from hypothesis import HealthCheck, given, settings

from addin import analyze, udfs
from addin.app.cells import neutralize
from addin.core.labels import header, localize
from addin.udfs import (
    AVG_ORDER_VALUE,
    BREAK_EVEN_ORDER_VALUE,
    CONTRIBUTION,
    CUSTOMER_TYPE,
    DISCOUNT_RATE,
    GENERATION,
    MARGIN_RATE,
    MARKUP_RATE,
    POTENTIEL_ANALYZE,
    POTENTIEL_SEGMENT,
    PROSPECT_SCORE,
    RFM_SEGMENT,
    TEMPERATURE,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "excel.md"
EPOCH = pd.Timestamp("1899-12-30")


def serial(day: str) -> float:
    """The Excel serial number of a date, as a date cell without date format holds it."""
    return float((pd.Timestamp(day) - EPOCH).days)


def column(values: Any) -> list[list[Any]]:
    """A pandas column as xlwings passes a one-column range: rows of one cell, blanks None."""
    return [[None if pd.isna(v) else v] for v in values]


def flat(result: Any) -> list[Any]:
    """The cells of a result, row by row (a single cell comes back as a plain value)."""
    rows = result if isinstance(result, list) else [[result]]
    return [cell for row in rows for cell in row]


# --- one cell in, one value out ---------------------------------------------------------


@pytest.mark.parametrize(("formula", "args", "expected"), [
    (MARGIN_RATE, (100, 60), 0.4),
    (MARGIN_RATE, ([[100.0]], [[60.0]]), 0.4),  # a single-cell range is still one value
    (MARKUP_RATE, (100, 60), 40 / 60),
    (DISCOUNT_RATE, (90, 100), 1 - 90 / 100),
    (AVG_ORDER_VALUE, (100, 4), 25.0),
    (CONTRIBUTION, (100, 60, 2), 40.0),
    (CONTRIBUTION, (100, 60, 2, 5), 30.0),
    (BREAK_EVEN_ORDER_VALUE, (10, "25 %"), 40.0),
    (BREAK_EVEN_ORDER_VALUE, (10, "0,25"), 40.0),
    (TEMPERATURE, (70,), "hot"),
    (TEMPERATURE, (69.9,), "warm"),
    (TEMPERATURE, (40,), "warm"),
    (TEMPERATURE, (39.9,), "cold"),
    (GENERATION, (1945,), "Silent"),
    (GENERATION, (1946,), "Boomers"),
    (GENERATION, (" 1980 ",), "Gen X"),
    (GENERATION, (dt.datetime(1990, 5, 17),), "Millennials"),
    (GENERATION, ("15/03/1975",), "Gen X"),  # a date of birth typed as text
    (GENERATION, ("1996-12-31",), "Millennials"),
    (GENERATION, (serial("1990-05-17"),), "Millennials"),  # a date as Excel on the web sends it
    (GENERATION, (2201.0,), "Silent"),  # no birth year is past 2200: serial 2201 is 1906
    (GENERATION, (2013,), "Gen Alpha"),
    (RFM_SEGMENT, (5, 5), "Champions"),
    (RFM_SEGMENT, (5, 1), "Recent"),
    (RFM_SEGMENT, (1, 5), "Can't Lose"),
    (RFM_SEGMENT, ("1", 1.0), "Lost"),
    (PROSPECT_SCORE, (2000, "oui", 3, 30, 10, True), 100.0),
    (PROSPECT_SCORE, (2000, "oui", 3, 30, 10, True, 30), 80.0),  # engagement halved
    (PROSPECT_SCORE, (999, "non", 1, 91, 0, False), 0.0),
    (PROSPECT_SCORE, ("1 000", "ja", "yes", 90, 5, None), 70.0),
    (CUSTOMER_TYPE, (0, None, None), "prospect"),
    (CUSTOMER_TYPE, (None, None, None, "yes"), "internal"),
    (CUSTOMER_TYPE, (1, 10, 10), "one_time"),
    (CUSTOMER_TYPE, (2, 10, 400), "occasional"),
    (CUSTOMER_TYPE, (3, 10, 180), "loyal"),
    (CUSTOMER_TYPE, (3, 366, 900), "lost"),
    (CUSTOMER_TYPE, (3, 10, 400, "no", "yes"), "disloyal"),
    (CUSTOMER_TYPE, (3, 10, 400, None, None, 2), "disloyal"),
    (CUSTOMER_TYPE, (3, 10, 400, None, None, None, 6), "disloyal"),
    (CUSTOMER_TYPE, (3, 10, 400, None, None, None, 7), "loyal"),
    (CUSTOMER_TYPE, (3, 10, 400, None, 1, None, None, "oui"), "occasional"),
    (CUSTOMER_TYPE, (3, 10, 400, None, 1, None, None, False), "disloyal"),
])
def test_single_cell_gives_a_single_value(formula: Any, args: tuple[Any, ...],
                                          expected: Any) -> None:
    result = formula(*args)
    if isinstance(expected, float):
        assert result == pytest.approx(expected)
    else:
        assert result == expected


def test_blank_inputs_give_blanks_not_zeros() -> None:
    assert MARGIN_RATE(None, None) is None
    assert MARGIN_RATE(100, None) is None  # no cost information: blank, never 0
    assert MARGIN_RATE(0, 10) is None  # no revenue: no rate
    assert MARKUP_RATE(100, 0) is None
    assert AVG_ORDER_VALUE(100, 0) is None
    assert TEMPERATURE(None) is None
    assert GENERATION("  ") is None
    assert CUSTOMER_TYPE(None, None, None) is None  # an empty row stays empty
    assert PROSPECT_SCORE(None, None, None, None, None, None) is None


# --- ranges: shapes and broadcasting -----------------------------------------------------


def test_a_column_gives_a_column_of_the_same_length() -> None:
    result = MARGIN_RATE([[100], [" 1 000,50 "], [None], [50]], [[60], [500.25], [1], [50]])
    assert result == [[0.4], [0.5], [None], [0.0]]


def test_a_row_and_a_block_keep_their_shape() -> None:
    assert TEMPERATURE([[75, 45, 10]]) == [["hot", "warm", "cold"]]
    assert GENERATION([[1950, 1970], [1990, 2000], [2015, None]]) == [
        ["Boomers", "Gen X"], ["Millennials", "Gen Z"], ["Gen Alpha", None]]


def test_a_single_cell_broadcasts_against_a_range() -> None:
    assert CONTRIBUTION([[100], [200]], [[60], [100]], [[1], [2]], 5) == [[35.0], [90.0]]
    assert BREAK_EVEN_ORDER_VALUE([[10]], [[0.5], [0.25]]) == [[20.0], [40.0]]


def test_a_column_against_a_row_gives_the_grid() -> None:
    assert MARGIN_RATE([[100], [200]], [[50, 100]]) == [[0.5, 0.0], [0.75, 0.5]]


def test_ranges_of_different_sizes_mark_the_uncovered_cells() -> None:
    result = MARGIN_RATE([[100], [200], [300]], [[60], [100]])
    assert result == [[0.4], [0.5], ["#N/A: the ranges have different sizes"]]


def test_python_lists_give_python_lists() -> None:
    assert GENERATION([1950, 1990]) == ["Boomers", "Millennials"]


# --- bad cells ---------------------------------------------------------------------------


def test_a_bad_cell_gets_a_message_and_the_rest_is_computed() -> None:
    result = CUSTOMER_TYPE([[3], [3], [3]], 10, 400,
                           satisfaction=[["abc"], [4], [7]])
    assert result == [["#VALUE: satisfaction 'abc' is not a number"], ["loyal"],
                      ["#VALUE: satisfaction '7' must be between 1 and 5"]]


@pytest.mark.parametrize(("formula", "args", "message"), [
    (MARGIN_RATE, ("abc", 1), "#VALUE: revenue 'abc' is not a number"),
    (MARGIN_RATE, (100, "#N/A"), "#N/A: cost is #N/A"),
    (AVG_ORDER_VALUE, (100, -1), "#VALUE: orders '-1' is negative"),
    (AVG_ORDER_VALUE, (300, 2.5), "#VALUE: orders '2.5' is not a whole number of orders"),
    (CUSTOMER_TYPE, (1.5, 10, 10), "#VALUE: orders '1.5' is not a whole number of orders"),
    (CONTRIBUTION, (100, 60, 0.5), "#VALUE: orders '0.5' is not a whole number of orders"),
    (MARGIN_RATE, ("1.500", 1), "#VALUE: revenue '1.500' is ambiguous (read as 1500 — "
                                "thousands separator): type it without a thousands separator"),
    (PROSPECT_SCORE, ("3.000", "oui", 3, 30, 10, True),
     "#VALUE: budget '3.000' is ambiguous (read as 3000 — thousands separator): type it "
     "without a thousands separator"),
    (BREAK_EVEN_ORDER_VALUE, (5, 25),
     "#VALUE: margin_rate '25' is above 100 %: for 25 %, type 25 % or 0.25"),
    (TEMPERATURE, (120,), "#VALUE: score '120' is not between 0 and 100"),
    (RFM_SEGMENT, (3.5, 2), "#VALUE: r_score '3.5' is not a score from 1 to 5"),
    (RFM_SEGMENT, (2, 6), "#VALUE: fm_score '6' is not a score from 1 to 5"),
    (GENERATION, (1849.0,), "#VALUE: birth_year '1849' must be a year such as 1980"),
    (PROSPECT_SCORE, (1, "maybe", 1, 1, 1, 1),
     "#VALUE: decision_maker 'maybe' is not yes or no"),
    (PROSPECT_SCORE, (1, 1, 5, 1, 1, 1), "#VALUE: need '5' is not yes/no or 0 to 3"),
    (CUSTOMER_TYPE, (1, 1, 1, "peut-être"), "#VALUE: is_employee 'peut-être' is not yes or no"),
    (CUSTOMER_TYPE, (1, 1, 1, None, None, None, "#DIV/0!"), "#DIV/0!: nps is #DIV/0!"),
    (CONTRIBUTION, (1, 1, 1, -5), "#VALUE: cost_per_order '-5' is negative"),
])
def test_bad_cell_messages(formula: Any, args: tuple[Any, ...], message: str) -> None:
    assert formula(*args) == message


def test_the_first_bad_argument_of_a_cell_is_named() -> None:
    assert MARGIN_RATE("x", "y") == "#VALUE: revenue 'x' is not a number"
    assert CUSTOMER_TYPE("many", 1, 1, "perhaps") == "#VALUE: orders 'many' is not a number"


# --- the formulas compute what the analysis computes ---------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_formulas_agree_with_the_analysis(book: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    customers, orders = book
    table = analyse(customers.to_dict("records"), orders.to_dict("records"),
                    settings={"cost_per_order": 5}).table
    since = customers["last_interaction"]
    came_back = column((table["last_order"] > since) & table["last_order"].notna())
    types_ = CUSTOMER_TYPE(column(table["orders"]), column(table["days_since_last_order"]),
                           column(table["tenure_days"]), column(customers["is_employee"]),
                           column(customers["complaint"]), column(customers["satisfaction"]),
                           column(customers["nps"]), came_back)
    assert flat(types_) == list(table["customer_type"])

    days = column((AS_OF - since).dt.days)
    scores = flat(PROSPECT_SCORE(column(customers["budget"]), None, column(customers["need"]),
                                 None, column(customers["pages_visited"]), None, days))
    prospects = table["customer_type"] == "prospect"
    assert [s for s, p in zip(scores, prospects, strict=True) if p] == list(
        table.loc[prospects, "prospect_score"])

    revenue, cost = column(table["revenue"]), column(table["cost"])
    count, listed = column(table["orders"]), column(table["list_revenue"])
    for result, name in ((MARGIN_RATE(revenue, cost), "margin_rate"),
                         (MARKUP_RATE(revenue, cost), "markup_rate"),
                         (DISCOUNT_RATE(revenue, listed), "discount_rate"),
                         (AVG_ORDER_VALUE(revenue, count), "avg_order_value"),
                         (CONTRIBUTION(revenue, cost, count, 5), "contribution"),
                         (BREAK_EVEN_ORDER_VALUE(5, column(table["margin_rate"])),
                          "break_even_order_value")):
        assert flat(result) == flat(column(table[name])), name


def test_generation_agrees_with_the_analysis() -> None:
    years = [1930, 1946, 1964, 1965, 1980, 1981, 1996, 1997, 2012, 2013, None]
    table = analyse([{"customer_id": i, "birth_year": y} for i, y in enumerate(years)]).table
    assert flat(GENERATION(column(pd.Series(years, dtype=object)))) == [
        None if pd.isna(g) else g for g in table["generation"]]


# --- table formulas ------------------------------------------------------------------------

CUSTOMERS = [
    [" Id client ", "Nom", "Satisfaction", "budget", "besoin", "décideur", None],
    ["C1", '=HYPERLINK("http://x","y")', 5, None, None, None, None],
    ["C2", "Bob", 4, "5 000", "oui", "oui", None],
    ["C3", "+32 2 555 01 01", None, None, None, None, None],
    [None, None, None, None, None, None, None],  # a selection past the data
]
ORDERS = [
    ["customer_id", "order_date", "amount", "unit_cost"],
    ["C1", serial("2024-01-15"), "1 200,50", 700],
    ["C1", dt.datetime(2024, 6, 1), 300, 100],
    ["C3", "15/01/2023", 50, 20],
]
SEGMENTS = [["segment", "field", "operator", "value"],
            ["Hot leads", "customer_type", "=", "prospect"]]


def frame(rows: list[list[Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows[1:], columns=rows[0])


def shown(table: pd.DataFrame, language: str = "en") -> list[list[Any]]:
    """What the spilled range should hold: localized values, blanks as None."""
    out = localize(table, language).astype(object)
    return out.where(out.notna(), None).to_numpy(dtype=object).tolist()


def test_analyze_spills_a_header_and_one_row_per_customer() -> None:
    result = POTENTIEL_ANALYZE(CUSTOMERS, ORDERS, serial("2024-07-01"))
    expected = analyze(frame(CUSTOMERS[:-1]).iloc[:, :-1], frame(ORDERS), as_of="2024-07-01")
    assert result[0] == [header(c, "en") for c in expected.columns]
    assert len(result) == 1 + 3
    rows = shown(expected)
    for row in rows:  # text that Excel could read as a formula comes back as text
        row[1] = "'" + row[1] if row[1][0] in "=+" else row[1]
    assert result[1:] == rows
    assert result[1][1] == '\'=HYPERLINK("http://x","y")'
    assert result[3][1] == "'+32 2 555 01 01"


def test_analyze_takes_segments_settings_and_a_text_date() -> None:
    result = POTENTIEL_ANALYZE(CUSTOMERS, None, " 01/07/2024 ", SEGMENTS,
                               [["clé", "valeur"], ["langue", "fr"], ["churn_days", "100"]])
    expected = analyze(frame(CUSTOMERS[:-1]).iloc[:, :-1], None, as_of="2024-07-01",
                       segments=frame(SEGMENTS), settings={"language": "fr"})
    assert result[0][:3] == ["N° client", "Nom", "E-mail"]
    assert [row[result[0].index("Segments")] for row in result[1:]] == [
        "Hot leads", "Hot leads", "Hot leads"]
    assert [row[result[0].index("Type de client")] for row in result[1:]] == ["prospect"] * 3
    assert len(result) == 1 + len(expected)


def test_ids_come_as_excel_numbers_and_still_link_orders() -> None:
    customers = [["customer_id", "name"], [1001.0, "Ann"], [1002.0, "Bob"]]
    orders = [["customer_id", "order_date", "amount"], [1001.0, serial("2024-01-02"), 10.0],
              [1001.0, serial("2024-02-03"), 20.0]]
    result = POTENTIEL_ANALYZE(customers, orders, serial("2024-07-01"))
    header = result[0]
    assert [(row[0], row[header.index("Orders")], row[header.index("Revenue")])
            for row in result[1:]] == [("1001", 2, 30.0), ("1002", 0, 0.0)]


def test_settings_without_a_header_row_are_read_too() -> None:
    result = POTENTIEL_ANALYZE(CUSTOMERS, None, None, None, [["language", "nl"]])
    assert result[0][0] == "Klantnummer"


@pytest.mark.parametrize(("args", "message"), [
    (([["name"], ["Ann"]],), "#VALUE: Sheet 'Customers' has no column 'customer_id'"),
    ((CUSTOMERS, None, "someday"), "#VALUE: as_of 'someday' is not a date"),
    ((CUSTOMERS, None, None, None, [["language", "de"]]),
     "#VALUE: language 'de' is not one of en, fr, nl"),
    ((CUSTOMERS, None, None, None, [["language"], ["fr"]]),
     "#VALUE: settings need two columns: key | value"),
])
def test_analyze_problems_give_one_message_not_an_error(args: tuple[Any, ...],
                                                        message: str) -> None:
    result = POTENTIEL_ANALYZE(*args)
    assert isinstance(result, str)
    assert result.startswith(message)


@pytest.fixture(scope="module")
def analysis() -> list[list[Any]]:
    return POTENTIEL_ANALYZE(CUSTOMERS, ORDERS, serial("2024-07-01"), SEGMENTS)


def ids(rows: Any) -> list[str]:
    return [row[0] for row in rows[1:]]


@pytest.mark.parametrize(("segment", "expected"), [
    ("Hot leads", ["C2"]),  # the user's own segment
    (" hot LEADS ", ["C2"]),
    ("Champions", ["C1"]),  # an RFM segment
    ("Prospect", ["C2"]),
    ("customer_type = lost", ["C3"]),
    ("customer_type = loyal", []),
    ("customer_type = occasional", ["C1"]),
    ("revenue >= 100", ["C1"]),
    ("prospect_score > 0", ["C2"]),
    ("email is_empty", ["C1", "C2", "C3"]),
    ("customer_type in prospect, occasional", ["C1", "C2"]),
])
def test_segment_filters_the_analysis(analysis: list[list[Any]], segment: str,
                                      expected: list[str]) -> None:
    result = POTENTIEL_SEGMENT(analysis, segment)
    assert result[0] == analysis[0]
    assert ids(result) == expected
    for row in result[1:]:
        assert row == analysis[ids(analysis).index(row[0]) + 1]  # rows come back unchanged


def test_segment_reads_a_french_table() -> None:
    french = POTENTIEL_ANALYZE(CUSTOMERS, ORDERS, serial("2024-07-01"), SEGMENTS,
                               [["language", "fr"]])
    assert ids(POTENTIEL_SEGMENT(french, "type client = occasionnel")) == ["C1"]
    assert ids(POTENTIEL_SEGMENT(french, "température = tiède")) == ["C2"]
    assert ids(POTENTIEL_SEGMENT(french, "Champions")) == ["C1"]


@pytest.mark.parametrize(("segment", "message"), [
    ("Nobody", "#VALUE: no customer is in a segment named 'Nobody'"),
    ("", "#VALUE: segment is empty"),
    ("shoe_size > 40", "#VALUE: unknown field 'shoe_size'"),
])
def test_segment_problems_give_one_message(analysis: list[list[Any]], segment: str,
                                           message: str) -> None:
    assert POTENTIEL_SEGMENT(analysis, segment).startswith(message)


def test_segment_passes_on_the_message_of_a_failed_analysis() -> None:
    failed = POTENTIEL_ANALYZE([["name"], ["Ann"]])
    assert POTENTIEL_SEGMENT([[failed]], "Champions") == failed


# --- text never becomes a formula ---------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "=cmd|' /C calc'!A0",
                                  "＝1", "-"])
def test_formula_like_text_is_returned_as_text(text: str) -> None:
    rows = [["customer_id", "name", "notes"], ["C1", text, text]]
    result = POTENTIEL_ANALYZE(rows, None, "2024-07-01")
    header = result[0]
    row = result[1]
    assert row[header.index("Name")] == "'" + text
    assert row[header.index("Notes")] == "'" + text
    again = POTENTIEL_SEGMENT(result, "customer_type = prospect")
    assert again[1][header.index("Name")] == "'" + text  # prefixed once, not twice


def test_segment_makes_headers_safe_too() -> None:
    table = [["customer_id", "=HEADER()"], ["C1", "x"]]
    assert POTENTIEL_SEGMENT(table, "customer_id = C1") == [["customer_id", "'=HEADER()"],
                                                             ["C1", "x"]]


def test_neutralize_leaves_numbers_and_plain_text_alone() -> None:
    table = pd.DataFrame({"a": ["plain", "-x", "\tx", "\rx", None],
                          "b": [-1.0, 2.0, 3.0, 4.0, None]})
    out = neutralize(table)
    assert list(out["a"])[:4] == ["plain", "'-x", "'\tx", "'\rx"]
    assert pd.isna(out["a"].iloc[4])
    assert out["b"].equals(table["b"])


# --- the list of formulas and its documentation --------------------------------------------


def test_functions_list_every_formula_with_its_arguments() -> None:
    listed = {name: (signature, doc) for name, signature, doc in udfs.functions()}
    assert list(listed) == [f.__name__ for f in udfs.FORMULAS]
    assert listed["CONTRIBUTION"][0] == "(revenue, cost, orders, [cost_per_order])"
    assert listed["POTENTIEL_ANALYZE"][0] == (
        "(customers, [orders], [as_of], [segments], [settings], [columns])")
    assert all(doc and "\n" not in doc for _, doc in listed.values())


def test_every_formula_is_documented_with_its_signature() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name, signature, _ in udfs.functions():
        assert f"`{name}{signature}`" in text, name


# --- as xlwings sees the module on Windows -------------------------------------------------


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> tuple[types.ModuleType, types.ModuleType]:
    """xlwings.udfs and addin.udfs as on Windows: pywin32 stubbed, real UDF decorators.

    xlwings only binds ``xw.func``/``xw.arg``/``xw.ret`` to its recording decorators when
    pywin32 imports; here the stubs let ``xlwings.udfs`` import and a fresh copy of
    ``addin/udfs.py`` is executed with those decorators, as Excel's COM server would.
    """
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = type("com_error", (Exception,), {})
    pywintypes.TimeType = dt.datetime
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *args, **kwargs: None
    win32com.client = client
    for module in (pywintypes, pythoncom, win32com, client, types.ModuleType("win32api")):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    recorder = fresh("xlwings.udfs", Path(xlwings.__file__).with_name("udfs.py"))
    monkeypatch.setattr(xlwings, "func", recorder.xlfunc)
    monkeypatch.setattr(xlwings, "arg", recorder.xlarg)
    monkeypatch.setattr(xlwings, "ret", recorder.xlret)
    return recorder, fresh("addin.udfs", Path(udfs.__file__))


def fresh(name: str, path: Path) -> types.ModuleType:
    """A new copy of a module, executed now and kept out of ``sys.modules``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_VBA_FUNCTION = re.compile(r"^Function (\w+)\((.*)\)$", re.MULTILINE)


@pytest.mark.parametrize(("workbook", "caller"), [("potentiel_template.xlsm", "ThisWorkbook"),
                                                  ("potentiel.xlam", "ActiveWorkbook")])
def test_xlwings_writes_one_vba_wrapper_per_formula(
        windows: tuple[types.ModuleType, types.ModuleType], workbook: str, caller: str) -> None:
    recorder, module = windows
    out = io.StringIO()
    recorder.generate_vba_wrapper("addin.udfs", module, out,
                                  types.SimpleNamespace(Name=workbook))
    vba = out.getvalue()
    wrappers = dict(_VBA_FUNCTION.findall(vba))
    assert sorted(wrappers) == sorted(f.__name__ for f in udfs.FORMULAS)
    for name, signature, _ in udfs.functions():
        expected = re.sub(r"\[(\w+)\]", r"Optional \1", signature)[1:-1]
        assert wrappers[name] == expected
        arguments = re.sub(r"[\[\]]", "", signature)[1:-1]
        assert (f'{name} = XLPy.CallUDF("addin.udfs", "{name}", Array({arguments}), '
                f"{caller}, Application.Caller)") in vba
    # the table formulas, heavy, are not run while the user types in the function wizard
    skip = 'If (Not Application.CommandBars("Standard").Controls(1).Enabled) Then Exit Function'
    bodies = dict(re.findall(r"^Function (\w+)\(.*?\)\n(.*?)^End Function", vba,
                             re.MULTILINE | re.DOTALL))
    assert sorted(n for n, body in bodies.items() if skip in body) == [
        "POTENTIEL_ANALYZE", "POTENTIEL_SEGMENT"]


def test_excel_gets_category_help_and_cell_options(
        windows: tuple[types.ModuleType, types.ModuleType]) -> None:
    from xlwings import conversion

    _, module = windows
    for formula in module.FORMULAS:
        info = formula.__xlfunc__
        assert info["category"] == "Potentiel"
        assert 0 < len(info["ret"]["doc"]) <= 255  # Excel cuts the wizard's text at 255
        for arg in info["args"]:
            assert arg["doc"] in module.ARGUMENTS.values()
            assert len(arg["doc"]) <= 255
            assert arg["options"]["ndim"] == 2 and arg["options"]["err_to_str"] is True
            # the type hint becomes xlwings' converter: it must be one xlwings knows
            conversion.accessors[arg["options"]["convert"]].reader(arg["options"])
        conversion.accessors[info["ret"]["options"]["convert"]].writer({})
    assert module.MARGIN_RATE([[100.0], [200.0]], [[60.0], [None]]) == [[0.4], [None]]


def test_results_are_plain_values_xlwings_can_write() -> None:
    result = POTENTIEL_ANALYZE(CUSTOMERS, ORDERS, serial("2024-07-01"))
    allowed = (str, int, float, bool, dt.datetime, type(None))
    assert all(isinstance(cell, allowed) for row in result for cell in row)
    assert all(len(row) == len(result[0]) for row in result)
    assert not any(isinstance(cell, float) and math.isnan(cell) for row in result for cell in row)
