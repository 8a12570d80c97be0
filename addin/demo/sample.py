"""The shipped sample workbook: a small coffee roaster's customers, orders, segments, settings.

``templates/sample_customers.xlsx`` is what a new user opens first, and what ``potentiel demo``
runs on.  It is written here from the synthetic generator with a fixed seed and a fixed creation
date, so rebuilding it gives the same workbook: the committed file can always be regenerated and
checked.  Customers and Orders are Excel Tables with canonical headers; dates are real date
cells, postal codes are text, money has a money format.  Segments and Settings are plain ranges,
as users type them.

Segment value syntax (the rule engine's): ``in`` / ``not_in`` take a comma-separated list,
``between`` takes ``low..high`` (both ends included).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from addin.demo.book import generate
from addin.errors import WorkbookError

AS_OF = date(2026, 6, 30)
SEED = 2026
N_CUSTOMERS = 320
N_ORDER_LINES = 1500
CREATED = datetime(2026, 6, 30, 8, 0, 0)

#: segment | field | operator | value rows of the Segments sheet.
SEGMENTS: tuple[tuple[str, str, str, object], ...] = (
    ("Target", "country", "in", "BE, FR"),
    ("Target", "company", "not_empty", None),
    ("Target", "income", ">=", 250_000),
    ("Hot prospects", "customer_type", "=", "prospect"),
    ("Hot prospects", "temperature", "=", "hot"),
    ("Lost customers", "customer_type", "=", "lost"),
    ("Lost customers", "contribution", ">=", 100),
    ("Key accounts", "abc_class", "=", "A"),
    ("Key accounts", "customer_type", "in", "loyal, occasional"),
    ("Key accounts", "margin_rate", "between", "0.3..0.9"),
    ("At risk", "rfm_segment", "in", "At Risk, Can't Lose"),
)

#: key | value rows of the Settings sheet (the defaults spelled out, plus a cost per order).
SETTINGS: tuple[tuple[str, object], ...] = (
    ("as_of", AS_OF),
    ("language", "en"),
    ("churn_days", 365),
    ("cost_per_order", 12),
    ("min_budget", 1000),
    ("hot_score", 70),
    ("warm_score", 40),
    ("retention_rate", 0.8),
    ("discount_rate", 0.1),
)

README = (
    "potentiel — sample workbook",
    "",
    "The customers and orders of a small coffee roaster selling beans, machines, accessories "
    "and training in France, Belgium and the Netherlands.",
    "Customers: one row per person or company: contact details, place, birth year, income, "
    "how they came (channel, referred_by), satisfaction, complaints and, for prospects, the "
    "BANT answers (budget, decision maker, need, purchase horizon) and web engagement.",
    "Orders: one row per order line, two years up to the analysis date: net unit price, "
    "catalogue (list) price and unit cost. A blank list price means no discount information; a "
    "blank cost means no margin information.",
    "Segments: your own lists, one condition per row (segment | field | operator | value); "
    "rows of a segment must all hold. Operators: = != < <= > >= in not_in contains between "
    "is_empty not_empty. 'in' takes a comma-separated list, 'between' takes low..high. The "
    "segment named Target marks your target customers.",
    "Settings: thresholds of the analysis (key | value), such as the analysis date (as_of), "
    "the language of the results (en, fr, nl) and the cost of serving one order.",
    "",
    "Run the analysis: potentiel run sample_customers.xlsx  (or the Analyze button of the "
    "Excel add-in). It adds the Analysis, segment, Validation and Dashboard sheets.",
)

_BOOLEAN = {"is_employee", "form_submitted", "decision_maker"}
_WHOLE = {"birth_year", "satisfaction", "nps", "complaint", "pages_visited", "need",
          "purchase_horizon_days", "order_id", "quantity"}
_MONEY = {"unit_price", "list_price", "unit_cost"}
_ROUND_MONEY = {"income", "budget"}


def build_sample(path: Path) -> Path:
    """Write the sample workbook to ``path`` (replacing it) and return the path."""
    path = Path(path)
    customers, orders = generate(N_CUSTOMERS, N_ORDER_LINES, seed=SEED, as_of=AS_OF)
    try:
        workbook = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False})
        workbook.set_properties({"title": "potentiel sample customers", "author": "potentiel",
                                 "company": "potentiel", "created": CREATED})
        formats = _formats(workbook)
        _readme(workbook.add_worksheet("Read me"), formats)
        _table(workbook.add_worksheet("Customers"), "Customers", customers, formats)
        _table(workbook.add_worksheet("Orders"), "Orders", orders, formats)
        _pairs(workbook.add_worksheet("Segments"), ("segment", "field", "operator", "value"),
               SEGMENTS, formats, widths=(18, 16, 12, 22))
        _pairs(workbook.add_worksheet("Settings"), ("key", "value"), SETTINGS, formats,
               widths=(18, 14))
        workbook.close()
    except (OSError, FileCreateError) as err:
        cause = err.args[0] if isinstance(err, FileCreateError) and err.args else err
        reason = getattr(cause, "strerror", None) or str(cause)
        raise WorkbookError(f"Cannot write the sample workbook {path}: {reason}.",
                            hint="Choose a folder you can write to, and close the file if it "
                                 "is open in Excel.") from err
    return path


def _formats(workbook: xlsxwriter.Workbook) -> dict[str, Format]:
    return {
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "money": workbook.add_format({"num_format": '#,##0.00 "€"'}),
        "round_money": workbook.add_format({"num_format": '#,##0 "€"'}),
        "whole": workbook.add_format({"num_format": "0"}),
        "percent": workbook.add_format({"num_format": "0%"}),
        "text": workbook.add_format({"num_format": "@"}),
        "header": workbook.add_format({"bold": True, "bottom": 1}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }


def _column_format(name: str, column: pd.Series, formats: dict[str, Format]) -> Format | None:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return formats["date"]
    if name in _MONEY:
        return formats["money"]
    if name in _ROUND_MONEY:
        return formats["round_money"]
    if name in _WHOLE:
        return formats["whole"]
    if name == "postal_code":
        return formats["text"]
    return None


def _cells(name: str, column: pd.Series) -> list[object]:
    """Python values XlsxWriter writes as the right cell type; None is an empty cell."""
    if name in _BOOLEAN:
        flags = column.astype("boolean")
        return [None if pd.isna(v) else ("yes" if v else "no") for v in flags]
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return [None if pd.isna(v) else v.to_pydatetime() for v in column]
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.to_numpy(np.float64)
        return [None if math.isnan(v) else (int(v) if name in _WHOLE else v) for v in values]
    return [None if pd.isna(v) else str(v) for v in column]


def _table(sheet: Worksheet, name: str, frame: pd.DataFrame,
           formats: dict[str, Format]) -> None:
    """The frame as an Excel Table named ``name`` with canonical headers, typed cells."""
    columns = []
    for col, header in enumerate(frame.columns):
        fmt = _column_format(header, frame[header], formats)
        sheet.write_column(1, col, _cells(header, frame[header]), fmt)
        columns.append({"header": header, **({"format": fmt} if fmt else {})})
        width = max(len(header), *(len(str(v)) for v in frame[header].head(50))) + 2
        sheet.set_column(col, col, min(width, 32))
    sheet.add_table(0, 0, len(frame), len(frame.columns) - 1,
                    {"name": name, "style": "Table Style Medium 2", "columns": columns})
    sheet.freeze_panes(1, 1)


def _pairs(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[object]],
           formats: dict[str, Format], *, widths: Sequence[int]) -> None:
    """A plain range with a header row, as users type Segments and Settings."""
    sheet.write_row(0, 0, headers, formats["header"])
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day),
                                     formats["date"])
            elif isinstance(value, float) and 0 < value < 1:
                sheet.write_number(r, c, value, formats["percent"])
            elif value is not None:
                sheet.write(r, c, value)
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)


def _readme(sheet: Worksheet, formats: dict[str, Format]) -> None:
    sheet.set_column(0, 0, 110, formats["wrap"])
    sheet.write_string(0, 0, README[0], formats["title"])
    for r, line in enumerate(README[1:], start=1):
        if line:
            sheet.write_string(r, 0, line, formats["wrap"])
