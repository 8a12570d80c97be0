"""Result tables as Excel Table sheets: number formats by column, colours by value (one
palette, :mod:`addin.core.palette`), data bars, filter buttons, frozen id and name columns and
links, all as worksheet XML."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
import pyarrow as pa

from addin.core.labels import VALUES, language_index
from addin.core.palette import COLOURED_VALUES
from addin.workbook.a1 import column_letter
from addin.workbook.header_notes import comments_part, header_notes, notes_drawing
from addin.workbook.result_words import SEVERITY
from addin.workbook.sheetxml import MAIN_NS, Links, Styles, worksheet
from addin.workbook.zip_parts import OwnSheet

PERCENT_COLUMNS = ("discount_rate", "margin_rate", "markup_rate")
#: Columns holding amounts of money: shown with the money format (the workbook's currency
#: when it has one).
MONEY_AMOUNT_COLUMNS = ("monetary_value", "revenue", "list_revenue", "cost", "gross_margin",
                        "avg_order_value", "cost_to_serve", "contribution",
                        "break_even_order_value", "clv", "budget")
INTEGER_COLUMNS = ("orders", "days_since_last_order", "tenure_days", "frequency", "recency", "T",
                   "referrals", "r_score", "f_score", "m_score", "days_since_contact",
                   "purchase_horizon_days")
SCORE_COLUMNS = ("prospect_score",)
#: Id and name stay in view when scrolling right.
FROZEN_COLUMNS = 2
_DATA_BAR = ("contribution",)


@dataclass(frozen=True)
class ResultTable:
    """One result sheet as a table: its role (the mark), tab name and frame as shown.

    ``columns`` are the canonical names of the frame's columns (the frame shows them in the
    workbook's language); ``grouped`` those folded away at the right of a call list.
    """

    part: str
    role: str
    name: str
    frame: pd.DataFrame
    columns: tuple[str, ...] = ()
    grouped: tuple[str, ...] = ()
    links: pa.Array | None = field(default=None, compare=False)


def _column_styles(styles: Styles) -> dict[str, int]:
    """Canonical column -> the cell format of its values."""
    return (dict.fromkeys(PERCENT_COLUMNS, styles.percent)
            | dict.fromkeys(MONEY_AMOUNT_COLUMNS, styles.number)
            | dict.fromkeys(INTEGER_COLUMNS, styles.integer)
            | dict.fromkeys(SCORE_COLUMNS, styles.score))


def conditional_formats(columns: Sequence[str], rows: int, styles: Styles, language: str,
                        first_row: int = 2) -> str:
    """Conditional formatting of a result table: colours by value and data bars, each on its
    whole column, so they follow the data when the user sorts or filters."""
    i = language_index(language)
    last = first_row + max(rows, 1) - 1
    out, priority = [], 1
    for at, column in enumerate(columns):
        span = f"{column_letter(at)}{first_row}:{column_letter(at)}{last}"
        rules = []
        if column in COLOURED_VALUES:
            for value, meaning in COLOURED_VALUES[column].items():
                shown = VALUES[column][value][i] if column in VALUES else value
                formula = escape('"' + shown.replace('"', '""') + '"')
                rules.append(f'<cfRule type="cellIs" dxfId="{styles.dxf[meaning]}" '
                             f'priority="{priority}" operator="equal"><formula>{formula}'
                             "</formula></cfRule>")
                priority += 1
        if column == "severity":
            for value, meaning in (("error", "act"), ("warning", "watch")):
                formula = escape('"' + SEVERITY[value][i] + '"')
                rules.append(f'<cfRule type="cellIs" dxfId="{styles.dxf[meaning]}" '
                             f'priority="{priority}" operator="equal"><formula>{formula}'
                             "</formula></cfRule>")
                priority += 1
        if column in _DATA_BAR:
            rules.append(f'<cfRule type="dataBar" priority="{priority}"><dataBar>'
                         '<cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/>'
                         "</dataBar></cfRule>")
            priority += 1
        if rules:
            out.append(f'<conditionalFormatting sqref="{span}">{"".join(rules)}'
                       "</conditionalFormatting>")
    return "".join(out)


def table_part(name: str, headers: Sequence[str],
               rows: int) -> Callable[[int, str | None], bytes]:
    """An Excel Table over a result sheet (header row 1): banded rows, filter buttons.

    The part is made from its id and the name of the Table it replaces, if any: a re-run
    keeps that name (even one the user gave it in Excel), so structured references to it
    (``=COUNTA(potentiel_…[Name])``) keep working."""
    last = f"{column_letter(max(len(headers), 1) - 1)}{1 + max(rows, 1)}"
    unique: list[str] = []
    for label in headers:  # Excel repairs a table whose column names repeat
        text, n = str(label), 2
        while text.casefold() in {u.casefold() for u in unique}:
            text, n = f"{label}{n}", n + 1
        unique.append(text)
    columns = "".join(f'<tableColumn id="{n}" name={quoteattr(_table_column(label))}/>'
                      for n, label in enumerate(unique, start=1))

    def xml(table_id: int, kept: str | None) -> bytes:
        shown = quoteattr(kept or name)
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<table xmlns="{MAIN_NS}" id="{table_id}" name={shown} displayName={shown} '
                f'ref="A1:{last}" totalsRowShown="0"><autoFilter ref="A1:{last}"/>'
                f'<tableColumns count="{len(unique)}">{columns}</tableColumns>'
                '<tableStyleInfo name="TableStyleLight9" showFirstColumn="0" '
                'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>'
                ).encode()
    return xml


def _table_column(label: str) -> str:
    """A header as a table column name (line breaks become spaces, as Excel stores them)."""
    return re.sub(r"[\r\n]+", " ", label)


def table_name(role: str) -> str:
    """The Excel Table name of a result sheet: letters, digits and _ only, unique per role."""
    return "potentiel_" + re.sub(r"\W", "_", role)


def table_sheet(table: ResultTable, styles: Styles, language: str) -> OwnSheet:
    """A result table as an Excel Table sheet: formats, colours, frozen id and name, links."""
    by_column = _column_styles(styles)
    formats = {label: by_column[c] for label, c in zip(table.frame.columns, table.columns,
                                                        strict=True) if c in by_column}
    grouped = [at for at, c in enumerate(table.columns) if c in table.grouped]
    rows = len(table.frame)
    links = None
    if table.links is not None:
        links = Links(table.columns.index("cell"), table.links)
    notes = header_notes(table.columns, language)
    wide = table.part == "analysis"
    sheet = worksheet(table.frame, styles, formats=formats, table_part=True,
                      freeze_columns=FROZEN_COLUMNS if table.part != "validation" else 0,
                      hidden_columns=grouped, links=links, notes=bool(notes),
                      page_header=True, fit_width=not wide,
                      conditional=conditional_formats(table.columns, rows, styles, language))
    # Printed across pages, the Analysis repeats who each row is (id and name) on every page.
    titles = "{sheet}!$A:$B,{sheet}!$1:$1" if wide else "{sheet}!$1:$1"
    return OwnSheet(table.role, table.name, sheet,
                    table=table_part(table_name(table.role), list(table.frame.columns), rows),
                    local_names={"_xlnm.Print_Titles": titles},
                    notes=(comments_part(notes), partial(notes_drawing, notes))
                    if notes else None)
