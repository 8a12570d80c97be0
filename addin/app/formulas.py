"""Excel formulas: potentiel's rules as spreadsheet functions, for every runtime that runs them.

The same functions are registered by classic xlwings on Windows (:mod:`addin.udfs`) and by
xlwings Lite on Windows, macOS and the web (the ``main.py`` that ``potentiel lite`` writes):
:func:`declare` gives each runtime its own registered copy, with the same names, arguments,
help and options.  Nothing here imports xlwings.

Each formula is a thin adapter.  Its arguments arrive as xlwings passes them (every argument
as a list of rows, a single cell as ``[[value]]``, blanks as ``None``, Excel errors as text
such as ``'#N/A'``); they are broadcast against each other as Excel does and become pandas
columns; ONE call to the rule the analysis itself uses computes the whole range; the results
go back in the shape of the input (a single cell gives a single value).

Decisions that hold for every scalar formula:

- a cell whose arguments are all blank gives a blank (a formula filled down past the data
  stays quiet);
- a bad cell gives that cell a short message (``#VALUE: satisfaction 'abc' is not a number``)
  and the rest of the range is computed;
- ranges of different sizes broadcast like Excel: a single cell or a single row/column is
  repeated, and the cells a smaller range does not cover say ``#N/A``;
- thresholds are the :class:`~addin.core.settings.Settings` defaults; the table formula
  POTENTIEL_ANALYZE takes a Settings range.

Text results that Excel or another program could read as a formula (starting with
``= + - @``, a tab or a carriage return) are returned with a leading apostrophe.
"""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from addin.app.cells import cell_rows, table_rows
from addin.core import messages
from addin.core.analysis import run_analysis
from addin.core.classify import classify
from addin.core.columnmap import read_mapping
from addin.core.inputs import prepare_customers
from addin.core.labels import canonical_table, header_language, localize
from addin.core.parsing import number_text, parse_bools, parse_dates, parse_numbers
from addin.core.profitability import break_even_order_values, money_figures
from addin.core.prospects import qualify, temperatures
from addin.core.rules import RuleError, segment_mask
from addin.core.schema import canonical_columns
from addin.core.segmentation import generations, rfm_segments
from addin.core.settings import Settings
from addin.core.validation import Validation, shown
from addin.errors import InputError, PotentielError, SettingsError

CATEGORY = "Potentiel"

#: How xlwings must hand every argument over: always as rows (so a column keeps its shape)
#: and Excel error values as text (so they can be named in the cell's message).
CELLS: dict[str, Any] = {"ndim": 2, "err_to_str": True}

#: Help for each argument, shown by Excel's function wizard and ``potentiel functions``.
ARGUMENTS: dict[str, str] = {
    "orders": "Number of orders the customer placed.",
    "days_since_last_order": "Days between the last order and the analysis date.",
    "tenure_days": "Days between the first order and the analysis date.",
    "is_employee": "Optional. Yes if the customer is an employee (blank = no).",
    "complaint": "Optional. A complaint: yes/no or a count (blank = none).",
    "satisfaction": "Optional. Satisfaction from 1 to 5; 2 or less is a bad experience.",
    "nps": "Optional. Net promoter answer from 0 to 10; 6 or less is a bad experience.",
    "ordered_since_complaint": "Optional. Yes if the customer ordered again after the bad "
                               "experience (blank = cannot tell, the experience stands).",
    "budget": "Budget the prospect announced; 1000 or more meets B of BANT.",
    "decision_maker": "Yes if the contact decides the purchase (A of BANT).",
    "need": "Need: yes/no or a level 0-3; 2 or more meets N of BANT.",
    "purchase_horizon_days": "Days until the planned purchase; 90 or less meets T of BANT.",
    "pages_visited": "Pages of your site the prospect visited (10 or more count fully).",
    "form_submitted": "Yes if the prospect sent a form.",
    "days_since_interaction": "Optional. Days since the last interaction; engagement halves "
                              "every 30 days (blank = no fading).",
    "score": "Prospect score from 0 to 100 (PROSPECT_SCORE).",
    "revenue": "Net revenue: what the customer paid, after discounts.",
    "cost": "Cost of the goods sold to the customer.",
    "list_revenue": "Revenue at list (catalogue) prices, before discounts.",
    "cost_per_order": "Cost of handling one order (blank = the Settings default, 0).",
    "margin_rate": "Margin rate: gross margin / revenue (MARGIN_RATE), e.g. 35% or 0,35.",
    "r_score": "Recency score, a whole number from 1 (oldest) to 5 (most recent).",
    "fm_score": "Frequency-monetary score, a whole number from 1 to 5.",
    "birth_year": "Year of birth such as 1980, or a date of birth.",
    "customers": "The customers table WITH its header row (customer_id is required); "
                 "headers in English, French or Dutch.",
    "orders_table": "Optional. The orders table with its header row (customer_id, "
                    "order_date, amount or unit_price, ...).",
    "as_of": "Optional. Analysis date (blank = the Settings as_of, else today).",
    "segments": "Optional. Segment rules with their header row: segment | field | operator "
                "| value.",
    "settings": "Optional. Settings as key | value rows (e.g. language | fr).",
    "columns": "Optional. Your headers mapped to fields, the Columns sheet's rows with its "
               "header row: sheet | your header | field.",
    "analysis": "A table made by POTENTIEL_ANALYZE, with its header row.",
    "segment": "A segment name (yours or an RFM segment such as Champions) or a condition "
               "such as 'customer_type = lost'.",
}

_EXCEL_ERROR = re.compile(r"^Excel error value (#\S+)$")
_DATES = (datetime, date, pd.Timestamp, np.datetime64)
#: Past the last birth year the Customers sheet accepts (2200): serial 2201 is 1906-01-10.
_SERIALS_FROM = 2201
#: An arbitrary day: CUSTOMER_TYPE is told durations, the core compares dates.
_DAY = pd.Timestamp("2000-01-01")
_NO_FADING_AFTER_DAYS = 36_500.0  # 0.5 ** (36500 / 30) is 0: more days change nothing


# --- Excel cells <-> pandas columns -------------------------------------------------------


def _grid(value: Any) -> tuple[np.ndarray, int]:
    """An argument as a 2-D object array, and its dimension as given (0, 1 or 2)."""
    if isinstance(value, list | tuple | np.ndarray):
        if len(value) and isinstance(value[0], list | tuple | np.ndarray):
            return np.array(value, dtype=object).reshape(len(value), -1), 2
        cells = np.empty(len(value), dtype=object)
        cells[:] = list(value)
        return cells.reshape(-1, 1), 1
    single = np.empty((1, 1), dtype=object)
    single[0, 0] = value
    return single, 0


def _blank(raw: pd.Series) -> pd.Series:
    """Cells Excel shows as empty: None, NaN or only spaces."""
    blank = raw.isna()
    present = raw[~blank]
    text = present[present.map(type).isin((str, np.str_))]
    blank[text.index] = text.astype(str).str.strip() == ""
    return blank


def _shown(values: pd.Series) -> pd.Series:
    """Numbers as a person would type them in a message: 2 not 2.0."""
    return values.map(lambda v: f"{v:g}" if isinstance(v, float) else str(v)).astype(str)


def _said(keys: pd.Series, raw: pd.Series, values: pd.Series | None = None) -> pd.Series:
    """A parser's message keys as English text: the cell as typed and the number read."""
    given: dict[str, object] = {"value": shown(raw[keys.index])}
    if values is not None:
        given["number"] = values[keys.index].map(number_text)
    return messages.text(keys, "en", given)


def _ambiguous(shown: pd.Series, how: pd.Series) -> pd.Series:
    """'3.000' read by a guess: a formula cell cannot carry a warning beside its value, so it
    says what it would have read instead of computing on a guess."""
    return ("'" + shown + "' is ambiguous (" + how.astype(str)
            + "): type it without a thousands separator").astype(object)


def _message(error: PotentielError) -> str:
    """A whole-formula problem (a missing column, a bad setting) as the text of one cell."""
    return f"#VALUE: {error.message}" + (f" ({error.hint})" if error.hint else "")


class _Cells:
    """One call of a scalar formula: broadcast arguments, typed columns, and the bad cells.

    ``raw`` holds each argument as a flat object column (row-major over the broadcast
    shape); the parsing methods return typed columns and record a message for every cell
    they cannot read; :meth:`result` puts values and messages back in Excel's shape.
    """

    def __init__(self, **arguments: Any) -> None:
        grids = {name: _grid(value) for name, value in arguments.items()}
        self.ndim = max(ndim for _, ndim in grids.values())
        rows = max(cells.shape[0] for cells, _ in grids.values())
        cols = max(cells.shape[1] for cells, _ in grids.values())
        self.shape = (rows, cols)
        outside = np.zeros(self.shape, dtype=bool)
        self.raw: dict[str, pd.Series] = {}
        for name, (cells, _) in grids.items():
            if cells.shape[0] == 1:
                cells = np.repeat(cells, rows, axis=0)
            if cells.shape[1] == 1:
                cells = np.repeat(cells, cols, axis=1)
            full = np.full(self.shape, None, dtype=object)
            full[:cells.shape[0], :cells.shape[1]] = cells
            outside[cells.shape[0]:, :] = True
            outside[:, cells.shape[1]:] = True
            self.raw[name] = pd.Series(full.ravel(), dtype=object)
        self.index = pd.RangeIndex(rows * cols)
        flat = pd.Series(outside.ravel(), index=self.index)
        # (argument position, messages): a cell shows the problem of its first bad argument
        self._problems = [(-1, pd.Series("#N/A: the ranges have different sizes",
                                         index=self.index[flat], dtype=object))]

    def report(self, name: str, errors: pd.Series) -> None:
        """Turn parser and range messages about argument ``name`` into cell messages."""
        if errors.empty:
            return
        errors = errors.astype(str).str.replace(r"'(-?\d+)\.0'", r"'\1'", regex=True)
        code = errors.str.extract(_EXCEL_ERROR, expand=False)
        named = errors.where(errors.str.startswith(name), name + " " + errors)
        text = ("#VALUE: " + named).where(code.isna(), code + ": " + name + " is " + code)
        self._problems.append((list(self.raw).index(name), text.astype(object)))

    def numbers(self, name: str, *, low: float = -np.inf, high: float = np.inf,
                outside: str = "is out of range") -> pd.Series:
        """Numbers of argument ``name``; cells outside [low, high] are reported and blank."""
        parsed = parse_numbers(self.raw[name])
        self.report(name, _said(parsed.errors, self.raw[name]))
        raw = self.raw[name][parsed.warnings.index].astype(str)
        self.report(name, _ambiguous(raw, _said(parsed.warnings, self.raw[name], parsed.values)))
        values = parsed.values
        bad = (values < low) | (values > high)
        self.report(name, "'" + _shown(values[bad]) + "' " + outside)
        return values.mask(bad)

    def counts(self, name: str) -> pd.Series:
        """Order counts of argument ``name``: whole and not negative; others reported, blank."""
        values = self.numbers(name, low=0, outside="is negative")
        whole = values.isna() | (values == np.floor(values))
        self.report(name, "'" + _shown(values[~whole]) + "' is not a whole number of orders")
        return values.where(whole)

    def bools(self, name: str) -> pd.Series:
        """Yes/no answers of argument ``name`` (nullable booleans)."""
        parsed = parse_bools(self.raw[name])
        self.report(name, _said(parsed.errors, self.raw[name]))
        return parsed.values

    def customers(self, *names: str, birth_dates: str | None = None) -> pd.DataFrame:
        """Customer columns read exactly as the analysis reads a Customers sheet.

        The arguments become a Customers table (one row per cell) that goes through the
        same parsing and range checks as the workbook (``satisfaction`` 1-5, ``nps`` 0-10,
        ...), so a formula and the Analysis sheet never disagree about a value.
        ``birth_dates`` names an argument whose date cells (or Excel serial numbers past any
        year) are birth dates.
        """
        raw = pd.DataFrame({"customer_id": np.arange(len(self.index))}, index=self.index)
        for name in names:
            raw[name] = self.raw[name]
        if birth_dates is not None:
            given = self.raw[birth_dates]
            # A date typed as text ('15/03/1975') is a date of birth too; '1975' is a year.
            is_text = given.map(type).isin((str, np.str_))
            text = given[is_text]
            typed_date = (parse_numbers(text).values.isna()
                          & parse_dates(text).values.notna()).reindex(given.index,
                                                                       fill_value=False)
            # Excel on the web and xlwings Lite hand a date cell over as its serial number: a
            # number no birth year can be is read as one, as the Customers sheet reads serials
            number = given.map(lambda v: isinstance(v, int | float | np.number)
                               and not isinstance(v, bool | np.bool_))
            serial = number & (pd.to_numeric(given.where(number), errors="coerce")
                               >= _SERIALS_FROM)
            is_date = given.map(type).isin(_DATES) | typed_date | serial
            raw["birth_date"] = given.where(is_date, None)
            raw[birth_dates] = given.where(~is_date, None)
        validation = Validation()
        typed, _ = prepare_customers(raw, "formula", validation, pd.Timestamp.today())
        problems = validation.to_frame()
        position = problems["row"].astype(np.int64) - 2  # first data row of a table is 2
        for column, found in problems.groupby("column", sort=False):
            # "satisfaction must be between 1 and 5" -> "satisfaction '7' must be ..."
            # A formula's cell says why, not what the Customers sheet does with it.
            why = found["key"].str.replace(r"^(read|unpriced)\.", "cell.", regex=True)
            text, column = messages.render(found.assign(key=why), "en").astype(str), str(column)
            shown = found["value"].astype(str).str.replace(r"\.0$", "", regex=True)
            guessed = found["severity"] == "warning"
            text = text.where(~guessed, _ambiguous(shown, text))
            valued = column + " '" + shown + "'" + text.str[len(column):]
            said = text.where(~text.str.startswith(column), valued)
            said.index = position[found.index].to_numpy()
            self.report(birth_dates if column == "birth_date" else column, said)
        typed.index = self.index
        return typed

    def result(self, values: pd.Series) -> Any:
        """Values, blanks and messages back in the shape Excel gave (one cell: one value)."""
        out = values.astype(object).where(values.notna(), None)
        everything_blank = np.logical_and.reduce([_blank(raw) for raw in self.raw.values()])
        out[everything_blank] = None
        problems = pd.concat([found for _, found in sorted(self._problems,
                                                          key=lambda item: item[0])])
        first = problems[~problems.index.duplicated(keep="first")]
        out[first.index] = first
        grid = pd.DataFrame(out.to_numpy(dtype=object).reshape(self.shape))
        rows = cell_rows(grid)
        if self.shape == (1, 1):
            return rows[0][0]
        if self.ndim == 1:
            return [row[0] for row in rows]
        return rows


# --- Scalar formulas ----------------------------------------------------------------------


def CUSTOMER_TYPE(orders: Any, days_since_last_order: Any, tenure_days: Any,
                  is_employee: Any = None, complaint: Any = None, satisfaction: Any = None,
                  nps: Any = None, ordered_since_complaint: Any = None) -> Any:
    """Customer type, first match wins: internal, disloyal, prospect, lost (no order for
    over 365 days), loyal (3+ orders, 180+ days, satisfied), occasional (2+ orders),
    one_time. Blank orders count as no order."""
    cells = _Cells(orders=orders, days_since_last_order=days_since_last_order,
                   tenure_days=tenure_days, is_employee=is_employee, complaint=complaint,
                   satisfaction=satisfaction, nps=nps,
                   ordered_since_complaint=ordered_since_complaint)
    people = cells.customers("is_employee", "complaint", "satisfaction", "nps")
    count = cells.counts("orders").fillna(0)
    people["orders"] = count
    people["days_since_last_order"] = cells.numbers("days_since_last_order", low=0,
                                                    outside="is negative")
    people["tenure_days"] = cells.numbers("tenure_days", low=0, outside="is negative")
    # The analysis dates the bad experience (last_interaction) and compares it with the last
    # order; here the user says directly whether the customer came back, so the two dates
    # are placed on an arbitrary day accordingly (no date: the experience stands).
    again = cells.bools("ordered_since_complaint")
    people["last_order"] = pd.Series(_DAY, index=cells.index).where(count > 0)
    people["last_interaction"] = pd.Series(
        np.where(again.fillna(False).to_numpy(dtype=bool), _DAY - pd.Timedelta(days=1), _DAY),
        index=cells.index).where(again.notna())
    return cells.result(classify(people, Settings())["customer_type"])


def PROSPECT_SCORE(budget: Any, decision_maker: Any, need: Any, purchase_horizon_days: Any,
                   pages_visited: Any, form_submitted: Any,
                   days_since_interaction: Any = None) -> Any:
    """Prospect score 0-100: 15 points per BANT criterion met (budget, decision maker, need,
    horizon) + up to 40 for engagement (pages visited, form sent), fading with a 30-day
    half-life. A blank criterion is not met."""
    cells = _Cells(budget=budget, decision_maker=decision_maker, need=need,
                   purchase_horizon_days=purchase_horizon_days, pages_visited=pages_visited,
                   form_submitted=form_submitted, days_since_interaction=days_since_interaction)
    people = cells.customers("budget", "decision_maker", "need", "purchase_horizon_days",
                             "pages_visited", "form_submitted")
    days = cells.numbers("days_since_interaction", low=0, outside="is negative")
    today = pd.Timestamp.today().normalize()
    people["last_interaction"] = today - pd.to_timedelta(
        days.clip(upper=_NO_FADING_AFTER_DAYS), unit="D")
    return cells.result(qualify(people, today, Settings())["prospect_score"])


def TEMPERATURE(score: Any) -> Any:
    """hot (score 70 or more), warm (40 or more) or cold, from a prospect score 0-100."""
    cells = _Cells(score=score)
    value = cells.numbers("score", low=0, high=100, outside="is not between 0 and 100")
    return cells.result(temperatures(value, Settings()))


def _money(cells: _Cells, **columns: pd.Series) -> pd.DataFrame:
    """The analysis' money figures for the columns a formula has; the others stay blank."""
    nothing = pd.Series(np.nan, index=cells.index)
    return money_figures(columns.get("orders", nothing), columns.get("revenue", nothing),
                         columns.get("list_revenue", nothing), columns.get("cost", nothing),
                         columns.get("cost_per_order", Settings().cost_per_order))


def MARGIN_RATE(revenue: Any, cost: Any) -> Any:
    """Margin rate (French taux de marque) = (revenue - cost) / revenue. Blank when the
    revenue is not positive or a value is blank. Not the markup rate (MARKUP_RATE)."""
    cells = _Cells(revenue=revenue, cost=cost)
    money = _money(cells, revenue=cells.numbers("revenue"), cost=cells.numbers("cost"))
    return cells.result(money["margin_rate"])


def MARKUP_RATE(revenue: Any, cost: Any) -> Any:
    """Markup rate (French taux de marge) = (revenue - cost) / cost. Blank when the cost
    is not positive or a value is blank. Not the margin rate (MARGIN_RATE)."""
    cells = _Cells(revenue=revenue, cost=cost)
    money = _money(cells, revenue=cells.numbers("revenue"), cost=cells.numbers("cost"))
    return cells.result(money["markup_rate"])


def DISCOUNT_RATE(revenue: Any, list_revenue: Any) -> Any:
    """Discount rate = 1 - revenue / list_revenue: the share of the list price given away.
    Blank when the list revenue is not positive or a value is blank."""
    cells = _Cells(revenue=revenue, list_revenue=list_revenue)
    money = _money(cells, revenue=cells.numbers("revenue"),
                   list_revenue=cells.numbers("list_revenue"))
    return cells.result(money["discount_rate"])


def AVG_ORDER_VALUE(revenue: Any, orders: Any) -> Any:
    """Average order value = revenue / orders. Blank when there is no order or a value is
    blank."""
    cells = _Cells(revenue=revenue, orders=orders)
    money = _money(cells, revenue=cells.numbers("revenue"), orders=cells.counts("orders"))
    return cells.result(money["avg_order_value"])


def CONTRIBUTION(revenue: Any, cost: Any, orders: Any, cost_per_order: Any = None) -> Any:
    """Contribution = revenue - cost - orders x cost_per_order: what the customer leaves
    once goods and order handling are paid. Blank when revenue, cost or orders is blank."""
    cells = _Cells(revenue=revenue, cost=cost, orders=orders, cost_per_order=cost_per_order)
    handling = cells.numbers("cost_per_order", low=0, outside="is negative")
    money = _money(cells, revenue=cells.numbers("revenue"), cost=cells.numbers("cost"),
                   orders=cells.counts("orders"),
                   cost_per_order=handling.fillna(Settings().cost_per_order))
    return cells.result(money["contribution"])


def BREAK_EVEN_ORDER_VALUE(cost_per_order: Any, margin_rate: Any) -> Any:
    """Smallest order whose margin pays its handling: cost_per_order / margin_rate. Blank
    when the margin rate is not positive or a value is blank; a margin rate above 1 (100 %)
    cannot be, and the cell says so (25 is almost surely 25 %)."""
    cells = _Cells(cost_per_order=cost_per_order, margin_rate=margin_rate)
    handling = cells.numbers("cost_per_order", low=0, outside="is negative")
    rate = cells.numbers("margin_rate", high=1,
                         outside="is above 100 %: for 25 %, type 25 % or 0.25")
    return cells.result(break_even_order_values(handling, rate))


def RFM_SEGMENT(r_score: Any, fm_score: Any) -> Any:
    """RFM segment (Champions, Loyal, At Risk, ...) from the recency score and the
    frequency-monetary score, each 1-5, on the classic 11-segment map."""
    cells = _Cells(r_score=r_score, fm_score=fm_score)
    scores = []
    for name in ("r_score", "fm_score"):
        value = cells.numbers(name, low=1, high=5, outside="is not a score from 1 to 5")
        whole = value.isna() | (value == np.floor(value))
        cells.report(name, "'" + _shown(value[~whole]) + "' is not a score from 1 to 5")
        scores.append(value.where(whole))
    known = scores[0].notna() & scores[1].notna()
    r_score, fm_score = (s.fillna(1).astype(np.int64) for s in scores)
    return cells.result(rfm_segments(r_score, fm_score).where(known))


def GENERATION(birth_year: Any) -> Any:
    """Generation from the year (or date) of birth: Silent (to 1945), Boomers (1946-64),
    Gen X (1965-80), Millennials (1981-96), Gen Z (1997-2012), Gen Alpha (2013 on)."""
    cells = _Cells(birth_year=birth_year)
    people = cells.customers("birth_year", birth_dates="birth_year")
    return cells.result(generations(people["birth_year"]))


# --- Table formulas -----------------------------------------------------------------------


def _table(value: Any, *, header: bool = True) -> pd.DataFrame:
    """A range with its header row as a DataFrame; empty rows and columns left out.

    Selecting whole columns (A:F) is common, so blank rows never become customers.
    """
    cells, _ = _grid(value)
    if header:
        names = [("" if h is None else str(h).strip()) for h in cells[0]]
        frame = pd.DataFrame(cells[1:], columns=names, dtype=object)
    else:
        frame = pd.DataFrame(cells, dtype=object)
    empty = pd.DataFrame({i: _blank(frame.iloc[:, i]) for i in range(frame.shape[1])})
    keep_columns = ~(empty.all(axis=0).to_numpy()
                     & (frame.columns.astype(str).str.strip() == ""))
    return frame.loc[~empty.all(axis=1).to_numpy(), keep_columns].reset_index(drop=True)


def _settings(value: Any) -> Settings:
    """Settings from a key | value range, with or without its header row."""
    if value is None:
        return Settings()
    cells, _ = _grid(value)
    has_header = bool(canonical_columns("settings", [cells[0][0]]))
    table = _table(value, header=has_header)
    if table.shape[1] < 2:
        raise SettingsError("settings need two columns: key | value",
                            hint="select the Settings range with its two columns")
    return Settings.from_frame(table)


def _as_of(value: Any) -> pd.Timestamp | None:
    """The as_of argument as a date (serial number, date cell or text); blank gives None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    cells, _ = _grid(value)
    parsed = parse_dates(pd.Series([cells[0][0]], dtype=object))
    if not parsed.errors.empty:
        said = _said(parsed.errors, pd.Series([cells[0][0]], dtype=object))
        raise InputError(f"as_of {said.iloc[0]}")
    return parsed.values.iloc[0]


def _mapping(value: Any) -> dict[str, dict[str, str]] | None:
    """The user's mapping from a range of Columns rows (sheet | your header | field, with its
    header row); a bad row fails the formula with the Columns sheet's own message."""
    if value is None:
        return None
    problems = Validation()
    mapping = read_mapping(_table(value), "columns",
                           {"customers": "customers", "orders": "orders"}, problems)
    errors = problems.to_frame()
    if len(errors):
        first = errors.iloc[0]
        raise InputError(f"columns row {first['row']}: {first['message']}",
                         hint="correct the row in the Columns range")
    return mapping.fields


def POTENTIEL_ANALYZE(customers: Any, orders: Any = None, as_of: Any = None,
                      segments: Any = None, settings: Any = None, columns: Any = None) -> Any:
    """The whole analysis as a spilled table: a header row, then one row per customer
    (type, prospect score, profitability, RFM, segments), in the Settings language.
    Give as_of for results that do not change with the date."""
    try:
        config = _settings(settings)
        table = run_analysis(
            _table(customers), None if orders is None else _table(orders),
            segments=None if segments is None else _table(segments),
            as_of=_as_of(as_of), settings=config, mapping=_mapping(columns)).table
    except PotentielError as error:
        return _message(error)
    return table_rows(localize(table, config.language))


def POTENTIEL_SEGMENT(analysis: Any, segment: Any) -> Any:
    """The rows of a POTENTIEL_ANALYZE table in one segment: your own segment, an RFM
    segment (Champions, At Risk, ...) or a condition such as 'prospect_score >= 70'.
    Spills the header row and the matching rows."""
    cells, _ = _grid(analysis)
    if cells.shape == (1, 1) and str(cells[0, 0]).startswith("#"):
        return cells[0, 0]  # POTENTIEL_ANALYZE's own message: pass it on, as Excel does
    frame = _table(analysis)
    name = str(_grid(segment)[0][0, 0] or "").strip()
    try:
        if not name:
            raise RuleError("segment is empty", hint="give a segment name or a condition")
        language = header_language(frame.columns)
        mask = segment_mask(canonical_table(frame, language), name, language)
    except PotentielError as error:
        return _message(error)
    return table_rows(frame[mask.to_numpy()])


#: Every formula, in the order the documentation lists them.
FORMULAS: tuple[Callable[..., Any], ...] = (
    CUSTOMER_TYPE, PROSPECT_SCORE, TEMPERATURE, MARGIN_RATE, MARKUP_RATE, DISCOUNT_RATE,
    AVG_ORDER_VALUE, CONTRIBUTION, BREAK_EVEN_ORDER_VALUE, RFM_SEGMENT, GENERATION,
    POTENTIEL_ANALYZE, POTENTIEL_SEGMENT)

#: The ARGUMENTS entry of a parameter whose name means something else in another formula.
_HELP_KEYS: dict[tuple[str, str], str] = {("POTENTIEL_ANALYZE", "orders"): "orders_table"}
#: Options of the formulas the function wizard must not run on every key (table formulas).
OPTIONS: dict[str, dict[str, Any]] = {
    "POTENTIEL_ANALYZE": {"call_in_wizard": False},
    "POTENTIEL_SEGMENT": {"call_in_wizard": False},
}


def argument_help(formula: Callable[..., Any]) -> dict[str, str]:
    """Help of each of the formula's arguments, in order, as the function wizard shows it."""
    return {name: ARGUMENTS[_HELP_KEYS.get((formula.__name__, name), name)]
            for name in inspect.signature(formula).parameters}


def declare(formula: Callable[..., Any], func: Callable[..., Any],
            arg: Callable[..., Any]) -> Callable[..., Any]:
    """A copy of ``formula`` registered with a runtime's ``func`` and ``arg`` decorators.

    Each runtime (classic xlwings, xlwings Lite) marks the function it registers; a copy per
    runtime keeps the shared function unmarked, so one rule serves both.
    """
    copy = types.FunctionType(formula.__code__, formula.__globals__, formula.__name__,
                              formula.__defaults__, formula.__closure__)
    copy.__doc__, copy.__annotations__ = formula.__doc__, dict(formula.__annotations__)
    copy.__qualname__ = formula.__qualname__
    for name, text in reversed(argument_help(formula).items()):
        copy = arg(name, doc=text, **CELLS)(copy)
    return func(category=CATEGORY, **OPTIONS.get(formula.__name__, {}))(copy)


def signature(formula: Callable[..., Any]) -> str:
    """The formula's arguments as Excel's help writes them: ``(revenue, cost, [orders])``."""
    params = inspect.signature(formula).parameters.values()
    return "(" + ", ".join(p.name if p.default is p.empty else f"[{p.name}]"
                           for p in params) + ")"


def functions() -> list[tuple[str, str, str]]:
    """(name, signature, help) of every formula, for ``potentiel functions`` and the docs."""
    return [(f.__name__, signature(f), " ".join(inspect.getdoc(f).split()))
            for f in FORMULAS]
