"""What a run's tabs show, decided from the analysis and the configuration.

The columns keep the configuration's order (the user chose it); rows are published in the
Excel call list's order (:func:`addin.workbook.results.call_list`: score, contribution or
revenue first, as the segment is about), and later rows are appended in that order too, so a
row a person is working on never moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from pandas.api.types import infer_dtype, is_datetime64_any_dtype

from addin.core.analysis import Analysis
from addin.errors import WorkbookError
from addin.workbook.results import call_list, inputs_currency
from addin.workbook.sheetxml import currency_of
from addin.workbook.zip_package import ZipPackage
from sheets_sync.config import SyncConfig
from sheets_sync.google.layout import DATE_COLUMNS, Look, status_choices

#: The most choices a default status dropdown offers (the defaults and the words in use).
MAX_CHOICES = 30


def date_columns(local: pd.DataFrame, columns: Sequence[str]) -> frozenset[str]:
    """The known date columns and every synced column the workbook holds dates in."""
    found = {c for c in columns if c in local and (
        is_datetime64_any_dtype(local[c].dtype)
        or infer_dtype(local[c], skipna=True) in ("datetime", "datetime64", "date"))}
    return frozenset(found | {c for c in columns if c in DATE_COLUMNS})


def look_for(config: SyncConfig, analysis: Analysis, local: pd.DataFrame,
             tabs: Sequence[str], owned: Sequence[str]) -> Look:
    """The look of this run's tabs: labels and words in the book's language, its currency,
    the status choices, the date columns and each tab's call-list order."""
    columns = tuple(dict.fromkeys([*config.excel_columns, *config.sales_columns]))
    language = analysis.settings.language
    order = {t: call_list(analysis.segments[t])[0][config.key].astype(str).tolist()
             for t in tabs if t in analysis.segments}
    choices = status_choices(language, config.status_choices)
    if config.status_choices is None and "status" in local:
        choices = in_use(choices, local["status"])
    return Look(columns=columns, key=config.key, owned=frozenset(owned), language=language,
                currency=book_currency(config.workbook, analysis),
                dates=date_columns(local, columns), choices=choices, order=order)


def book_currency(workbook: Path, analysis: Analysis) -> str | None:
    """The currency the Excel result sheets show: the first one in the workbook's own number
    formats (``#,##0.00 "€"``), else the one an input header names (``Montant (€)``)."""
    try:
        with ZipPackage(workbook) as package:
            found = currency_of(package)
    except WorkbookError:  # a book open in Excel and never saved: the headers still tell
        found = None
    return found or inputs_currency(analysis)


def in_use(choices: tuple[str, ...], statuses: pd.Series, most: int = MAX_CHOICES,
           ) -> tuple[str, ...]:
    """The default choices and then the statuses the workbook already uses (most used first),
    so the dropdown offers the team's own words and their rows carry no warning mark."""
    used = statuses[statuses.map(lambda v: isinstance(v, str) and bool(v.strip()))]
    known = {c.casefold() for c in choices}
    extra = [s for s in used.str.strip().value_counts().index if s.casefold() not in known]
    return (*choices, *extra)[:max(most, len(choices))]
