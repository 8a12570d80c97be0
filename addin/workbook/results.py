"""potentiel's result sheets written into the user's workbook: a Dashboard with headline figures
and native charts, Analysis, one call list per user segment, and Validation.

The sheets are rendered as worksheet XML (:mod:`addin.workbook.sheetxml`) and installed into
the package (:mod:`addin.workbook.zip_parts`): every other part of the workbook keeps its bytes.
Each result sheet is marked with a hidden name ``_potentiel.<role>`` (``analysis``,
``validation``, ``dashboard``, ``dashboard.data``, ``segment.<key>``), so a re-run replaces
exactly these sheets, in place, and removes the sheets of segments that no longer exist; a
user's sheet is never touched, even one with the same name (potentiel's then gets a number).

What a salesperson sees is decided here: readable headers in the workbook's language, segment
sheets as call lists (who, how to reach them, why they are on the list, the sales columns, the
rest grouped out of the way) sorted by what matters for the list, colour as conditional formats,
Excel Tables, frozen id and name columns, the inputs' currency on money.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa

from addin.core.analysis import Analysis
from addin.core.labels import VALUES, header, language_index, localize
from addin.core.messages import render
from addin.core.palette import COLOURED_VALUES
from addin.workbook.a1 import column_letter, quote_sheet
from addin.workbook.charts import Series, bar_chart, curve_chart, drawing
from addin.workbook.owned_sheets import own_role, segment_role, sheet_name
from addin.workbook.sheetxml import (
    MAIN_NS,
    Links,
    Styles,
    cells_sheet,
    currency_in,
    currency_of,
    ensure_styles,
    worksheet,
)
from addin.workbook.zip_parts import OwnSheet, Package

Progress = Callable[[str], None]

#: Fixed tab names of the result sheets, (en, fr, nl).
SHEET_NAMES: dict[str, tuple[str, str, str]] = {
    "dashboard": ("Dashboard", "Tableau de bord", "Dashboard"),
    "dashboard.data": ("Dashboard data", "Données du tableau", "Dashboardgegevens"),
    "analysis": ("Analysis", "Analyse", "Analyse"),
    "validation": ("Validation", "Validation", "Validatie"),
}
_WORDS: dict[str, tuple[str, str, str]] = {
    "title": ("Customer dashboard", "Tableau de bord clients", "Klantendashboard"),
    "as_of": ("As of {date}", "Au {date}", "Op {date}"),
    "customers": ("Customers", "Clients", "Klanten"),
    "revenue": ("Revenue", "Chiffre d'affaires", "Omzet"),
    "gross_margin": ("Gross margin", "Marge brute", "Brutomarge"),
    "margin_rate": ("Margin rate", "Taux de marque", "Margepercentage"),
    "hot": ("Hot prospects", "Prospects chauds", "Warme prospects"),
    "at_risk": ("Customers at risk", "Clients à risque", "Klanten met risico"),
    "risk_revenue": ("Their revenue", "Leur chiffre d'affaires", "Hun omzet"),
    "problems": ("Data problems", "Problèmes de données", "Gegevensproblemen"),
    "by_type": ("Customers per type", "Clients par type", "Klanten per type"),
    "by_rfm": ("Customers per RFM segment", "Clients par segment RFM",
               "Klanten per RFM-segment"),
    "by_segment": ("{what} per RFM segment", "{what} par segment RFM", "{what} per RFM-segment"),
    "pareto": ("Top 20 % of customers = {share} of {what}",
               "Les 20 % premiers clients = {share} {what}",
               "Top 20 % van de klanten = {share} van de {what}"),
    "pareto_empty": ("Pareto curve of {what}", "Courbe de Pareto {what}",
                     "Paretocurve van de {what}"),
    "of_contribution": ("contribution", "de la contribution", "bijdrage"),
    "of_revenue": ("revenue", "du chiffre d'affaires", "omzet"),
    "share_customers": ("share of customers", "part des clients", "aandeel klanten"),
    "share_value": ("cumulative share", "part cumulée", "cumulatief aandeel"),
    "no_problems": ("No problems found in the input.", "Aucun problème trouvé dans les données.",
                    "Geen problemen gevonden in de gegevens."),
    "see_validation": ("see Validation", "voir Validation", "zie Validatie"),
}
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}
_VALIDATION_HEADERS: dict[str, tuple[str, str, str]] = {
    "sheet": ("Sheet", "Feuille", "Blad"), "row": ("Row", "Ligne", "Rij"),
    "column": ("Column", "Colonne", "Kolom"), "cell": ("Cell", "Cellule", "Cel"),
    "value": ("Value", "Valeur", "Waarde"), "severity": ("Severity", "Gravité", "Ernst"),
    "message": ("Message", "Message", "Bericht"),
}
_SEVERITY: dict[str, tuple[str, str, str]] = {
    "error": ("error", "erreur", "fout"), "warning": ("warning", "avertissement", "waarschuwing"),
}
PERCENT_COLUMNS = ("discount_rate", "margin_rate", "markup_rate")
MONEY_COLUMNS = ("monetary_value", "revenue", "list_revenue", "cost", "gross_margin",
                 "avg_order_value", "cost_to_serve", "contribution", "break_even_order_value",
                 "clv")
INTEGER_COLUMNS = ("orders", "days_since_last_order", "tenure_days", "frequency", "recency", "T",
                   "referrals", "r_score", "f_score", "m_score")
SCORE_COLUMNS = ("prospect_score",)
#: RFM segments a salesperson must win back before they leave.
AT_RISK = ("At Risk", "Can't Lose")

#: The first columns of every segment sheet: who to call and how to reach them.
CALL_COLUMNS = ("customer_id", "name", "company", "email", "city")
#: The sales team's columns, after what the list is about.
SALES = ("status", "owner", "next_action", "notes")
#: What a segment is about -> the columns that say why a customer is on it, and its sort
#: (highest first).
FOCUS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "prospects": (("prospect_score", "temperature", "bant"), ("prospect_score",)),
    "accounts": (("contribution", "margin_rate", "abc_class"), ("contribution",)),
    "risk": (("days_since_last_order", "revenue", "rfm_segment"), ("revenue",)),
    "other": (("contribution", "prospect_score", "customer_type"),
              ("contribution", "prospect_score")),
}
#: Id and name stay in view when scrolling right.
FROZEN_COLUMNS = 2
_DATA_BAR = ("contribution",)

_RESULT_ROLES = frozenset({"dashboard", "analysis", "validation"})
#: The result parts a run may write; macros write a subset (Validate: the Validation sheet).
PARTS: frozenset[str] = frozenset({"dashboard", "analysis", "segments", "validation"})


def _quiet(_: str) -> None:
    """Progress sink for callers that show nothing."""


def word(key: str, language: str) -> str:
    """A word of the result sheets in the workbook's language."""
    return _WORDS[key][language_index(language)]


def long_date(day: pd.Timestamp, language: str) -> str:
    """A date spelled out in the workbook's language: 30 June 2026, 30 juin 2026."""
    return f"{day.day} {_MONTHS[language][day.month - 1]} {day.year}"


def part_of(role: str) -> str | None:
    """Which result part a sheet's role belongs to; None for other own sheets (such as the
    sync's ``Conflicts``), which :func:`write_results` never deletes."""
    if role in _RESULT_ROLES:
        return role
    if role == "dashboard.data":
        return "dashboard"
    return "segments" if role.startswith("segment.") else None


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


def segment_kind(rows: pd.DataFrame) -> str:
    """What a segment is about, from who is in it: prospects, key accounts, customers at risk
    (lost, disloyal, RFM at risk) or other."""
    if rows.empty:
        return "other"
    if rows["customer_type"].eq("prospect").all():
        return "prospects"
    leaving = rows["customer_type"].isin(("lost", "disloyal")) | rows["rfm_segment"].isin(
        (*AT_RISK, "About to Sleep", "Hibernating", "Lost"))
    if leaving.all():
        return "risk"
    if rows["abc_class"].eq("A").all():
        return "accounts"
    return "other"


def call_list(rows: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A segment's rows as a call list: columns in call order, sorted by what matters for the
    segment (highest first, blanks last, ties in customer order); returns the grouped columns."""
    about, order = FOCUS[segment_kind(rows)]
    first = list(dict.fromkeys((*CALL_COLUMNS, *about, *SALES)))
    rest = tuple(c for c in rows.columns if c not in first)
    ranked = rows.reset_index(drop=True)
    for column in reversed(order):
        ranked = ranked.sort_values(column, ascending=False, na_position="last", kind="stable")
    return ranked[[*first, *rest]].reset_index(drop=True), rest


def _validation_frame(analysis: Analysis, language: str) -> tuple[pd.DataFrame, pa.Array]:
    """The problems as shown (each once, in the workbook's language, columns named as the user
    named them) and, for each, where the bad cell is (``'Customers'!N8``) for its link."""
    i = language_index(language)
    frame = analysis.validation.drop_duplicates().reset_index(drop=True)
    if frame.empty:
        empty = pd.DataFrame({v[i]: pd.Series([], dtype=object)
                              for v in _VALIDATION_HEADERS.values()})
        empty.loc[0, _VALIDATION_HEADERS["message"][i]] = word("no_problems", language)
        return empty, pa.array([None], type=pa.string())
    where = analysis.columns
    sheets = frame["sheet"].astype(str).astype(object)
    columns = frame["column"].astype(object).where(frame["column"].notna(), None)
    found = [where.get(s, {}).get(str(c)) if c is not None else None
             for s, c in zip(sheets, columns, strict=True)]
    shown = [f[0] if f else c for f, c in zip(found, columns, strict=True)]
    letters = pd.Series([column_letter(f[1]) if f else None for f in found], dtype=object)
    rows = frame["row"].astype("Int64").astype(object).where(frame["row"].notna(), None)
    text_rows = rows.map(lambda r: None if r is None else str(r)).astype(object)
    has_row, has_column = text_rows.notna(), letters.notna()
    reference = pd.Series("A1", index=frame.index, dtype=object)
    both, row_only, column_only = has_row & has_column, has_row & ~has_column, \
        ~has_row & has_column
    reference[both] = letters[both] + text_rows[both]
    reference[row_only] = text_rows[row_only] + ":" + text_rows[row_only]
    reference[column_only] = letters[column_only] + ":" + letters[column_only]
    cell = sheets + "!" + reference
    cell[~has_row & ~has_column] = sheets[~has_row & ~has_column]
    location = sheets.map(quote_sheet) + "!" + reference
    out = pd.DataFrame({
        "sheet": sheets, "row": rows, "column": pd.Series(shown, dtype=object), "cell": cell,
        "value": frame["value"],
        "severity": frame["severity"].map({k: v[i] for k, v in _SEVERITY.items()}).fillna(
            frame["severity"]),
        "message": render(frame, language).to_numpy(dtype=object),
    })
    out = out.rename(columns={k: v[i] for k, v in _VALIDATION_HEADERS.items()})
    return out, pa.array(location.to_numpy(dtype=object), type=pa.string())


def result_tables(analysis: Analysis, parts: frozenset[str] = PARTS) -> list[ResultTable]:
    """The table sheets of ``parts`` (analysis, segments, validation) in the workbook's
    language, in tab order, as :func:`write_results` shows them.  The Dashboard is not a
    table: it is left out."""
    language = analysis.settings.language
    i = language_index(language)
    tables = []
    if "analysis" in parts:
        table = analysis.table.reset_index(drop=True)
        tables.append(ResultTable("analysis", "analysis", SHEET_NAMES["analysis"][i],
                                  localize(table, language), tuple(table.columns)))
    if "segments" in parts:
        for segment, rows in analysis.segments.items():
            ordered, rest = call_list(rows)
            tables.append(ResultTable("segments", segment_role(segment), sheet_name(segment),
                                      localize(ordered, language), tuple(ordered.columns),
                                      rest))
    if "validation" in parts:
        frame, links = _validation_frame(analysis, language)
        tables.append(ResultTable("validation", "validation", SHEET_NAMES["validation"][i],
                                  frame, tuple(_VALIDATION_HEADERS), links=links))
    return tables


def _column_styles(styles: Styles) -> dict[str, int]:
    """Canonical column -> the cell format of its values."""
    return (dict.fromkeys(PERCENT_COLUMNS, styles.percent)
            | dict.fromkeys(MONEY_COLUMNS, styles.number)
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
                formula = escape('"' + _SEVERITY[value][i] + '"')
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


def table_part(name: str, headers: Sequence[str], rows: int) -> Callable[[int], bytes]:
    """An Excel Table over a result sheet (header row 1): banded rows, filter buttons."""
    last = f"{column_letter(max(len(headers), 1) - 1)}{1 + max(rows, 1)}"
    unique: list[str] = []
    for label in headers:  # Excel repairs a table whose column names repeat
        text, n = str(label), 2
        while text.casefold() in {u.casefold() for u in unique}:
            text, n = f"{label}{n}", n + 1
        unique.append(text)
    columns = "".join(f'<tableColumn id="{n}" name={quoteattr(_table_column(label))}/>'
                      for n, label in enumerate(unique, start=1))

    def xml(table_id: int) -> bytes:
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<table xmlns="{MAIN_NS}" id="{table_id}" name="{name}" displayName="{name}" '
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


def _table_sheet(table: ResultTable, styles: Styles, language: str) -> OwnSheet:
    """A result table as an Excel Table sheet: formats, colours, frozen id and name, links."""
    by_column = _column_styles(styles)
    formats = {label: by_column[c] for label, c in zip(table.frame.columns, table.columns,
                                                        strict=True) if c in by_column}
    grouped = [at for at, c in enumerate(table.columns) if c in table.grouped]
    rows = len(table.frame)
    links = None
    if table.links is not None:
        links = Links(table.columns.index("cell"), table.links)
    sheet = worksheet(table.frame, styles, formats=formats, table_part=True,
                      freeze_columns=FROZEN_COLUMNS if table.part != "validation" else 0,
                      hidden_columns=grouped, links=links,
                      conditional=conditional_formats(table.columns, rows, styles, language))
    return OwnSheet(table.role, table.name, sheet,
                    table=table_part(table_name(table.role), list(table.frame.columns), rows),
                    local_names={"_xlnm.Print_Titles": "{sheet}!$1:$1"})


def _counts(values: pd.Series, column: str, language: str) -> tuple[list[str], list[float]]:
    """Count per canonical value, in the labels' order, shown in the workbook's language."""
    i = language_index(language)
    counts = values.value_counts()
    keys = [k for k in VALUES[column] if counts.get(k, 0) > 0]
    return [VALUES[column][k][i] for k in keys], [float(counts[k]) for k in keys]


def _sums(values: pd.Series, by: pd.Series, column: str, language: str,
          ) -> tuple[list[str], list[float]]:
    """Sum of ``values`` per canonical value of ``by``, in the labels' order."""
    i = language_index(language)
    sums = values.groupby(by).sum(min_count=1)
    keys = [k for k in VALUES[column] if pd.notna(sums.get(k, np.nan))]
    return [VALUES[column][k][i] for k in keys], [float(sums[k]) for k in keys]


def pareto_points(values: pd.Series, points: int = 51) -> tuple[np.ndarray, np.ndarray]:
    """The Pareto curve: cumulative share of the total by share of customers, best first.

    Customers are sorted by value, highest first.  When some customers destroy value the
    running sum passes the total before coming back down; the curve is clamped to 0-100 % so
    the chart reads as a share.  At most ``points`` points, evenly spread.
    """
    sorted_values = np.sort(values.dropna().to_numpy(dtype="float64"))[::-1]
    total = sorted_values.sum()
    if len(sorted_values) == 0 or total <= 0:
        return np.array([]), np.array([])
    cumulative = np.clip(np.concatenate([[0.0], np.cumsum(sorted_values)]) / total, 0.0, 1.0)
    count = len(sorted_values)
    positions = np.unique(np.rint(np.linspace(0, count, min(points, count + 1))).astype(np.int64))
    return positions / count, cumulative[positions]


def top_share(values: pd.Series, top: float = 0.2) -> float | None:
    """Share of the total held by the best ``top`` of the customers (0-1), None without one."""
    sorted_values = np.sort(values.dropna().to_numpy(dtype="float64"))[::-1]
    total = sorted_values.sum()
    if len(sorted_values) == 0 or total <= 0:
        return None
    best = int(np.ceil(top * len(sorted_values)))
    return float(np.clip(sorted_values[:best].sum() / total, 0.0, 1.0))


@dataclass(frozen=True)
class Headline:
    """The figures on top of the Dashboard, as :func:`analyze` computes them."""

    customers: int
    revenue: float
    gross_margin: float  # NaN when no cost is known
    margin_rate: float | None
    hot: int
    at_risk: int
    at_risk_revenue: float
    problems: int


def headline(analysis: Analysis) -> Headline:
    """The Dashboard's headline figures from the analysis table."""
    table = analysis.table
    margin = table["gross_margin"]
    known = margin.notna()
    revenue_known = table.loc[known, "revenue"].sum()
    risk = table["rfm_segment"].isin(AT_RISK)
    return Headline(
        customers=len(table), revenue=float(table["revenue"].sum()),
        gross_margin=float(margin.sum(min_count=1)),  # blank when no cost is known
        margin_rate=float(margin.sum() / revenue_known) if revenue_known > 0 else None,
        hot=int((table["temperature"] == "hot").sum()), at_risk=int(risk.sum()),
        at_risk_revenue=float(table.loc[risk, "revenue"].sum()),
        problems=len(analysis.validation.drop_duplicates()))


#: Dashboard layout: figures on rows 4-5, two columns each; charts from row 7, four side by
#: side, 4 columns wide: all within the first screen of a 1366x768 display at 100 %.
DASHBOARD_COLUMN_WIDTH = 10.0
CHART_ROWS = (6, 21)
CHART_COLUMNS = ((0, 4), (4, 8), (8, 12), (12, 16))


def _dashboard(analysis: Analysis, styles: Styles, language: str, names: dict[str, str],
               ) -> list[OwnSheet]:
    """The Dashboard (figures and charts) and its hidden helper sheet (the charts' data)."""
    table = analysis.table
    name, data_name = names["dashboard"], names["dashboard.data"]
    type_labels, type_counts = _counts(table["customer_type"], "customer_type", language)
    rfm_labels, rfm_counts = _counts(table["rfm_segment"], "rfm_segment", language)
    measure = "contribution" if table["contribution"].notna().any() else "revenue"
    what = header(measure, language)
    seg_labels, seg_sums = _sums(table[measure], table["rfm_segment"], "rfm_segment", language)
    shares, cumulative = pareto_points(table[measure])
    length = max(len(type_labels), len(rfm_labels), len(shares), len(seg_labels), 1)

    def padded(values: Sequence[object] | np.ndarray, dtype: str) -> pd.Series:
        return pd.Series(list(values) + [None] * (length - len(values)), dtype=dtype)

    customers = word("customers", language)
    data = pd.DataFrame({
        header("customer_type", language): padded(type_labels, "object"),
        customers: padded(type_counts, "float64"),
        header("rfm_segment", language): padded(rfm_labels, "object"),
        customers + " ": padded(rfm_counts, "float64"),
        word("share_customers", language): padded(shares, "float64"),
        word("share_value", language): padded(cumulative, "float64"),
        header("rfm_segment", language) + " ": padded(seg_labels, "object"),
        what: padded(seg_sums, "float64"),
    })
    helper = OwnSheet("dashboard.data", data_name, worksheet(
        data, styles, formats={word("share_customers", language): styles.percent,
                               word("share_value", language): styles.percent,
                               what: styles.number}, table=False), hidden=True)

    def series(category: int, value: int, label: str, categories: Sequence[object],
               values: Sequence[float]) -> Series:
        return Series(data_name, (1, value), 2, category, value, label, categories, values)

    charts = [
        bar_chart(word("by_type", language),
                  series(0, 1, customers, type_labels, type_counts)),
        bar_chart(word("by_rfm", language), series(2, 3, customers, rfm_labels, rfm_counts),
                  horizontal=True, color=1),
    ]
    share = top_share(table[measure])
    of_what = word(f"of_{measure}", language)
    title = (word("pareto", language).format(share=f"{share:.0%}".replace("%", " %"),
                                             what=of_what)
             if share is not None else word("pareto_empty", language).format(what=of_what))
    charts.append(curve_chart(
        title, series(4, 5, what, shares.tolist(), cumulative.tolist()),
        x_title=word("share_customers", language), y_title=word("share_value", language)))
    charts.append(bar_chart(word("by_segment", language).format(what=what),
                            series(6, 7, what, seg_labels, seg_sums), horizontal=True,
                            color=2, money=True))
    top, bottom = CHART_ROWS
    anchors = [(left, top, right, bottom) for left, right in CHART_COLUMNS]

    figures = headline(analysis)
    i = language_index(language)
    validation = quote_sheet(SHEET_NAMES["validation"][i]) + "!A1"
    cells: list[tuple[int, int, object, int | None]] = [
        (1, 0, word("title", language), styles.title),
        (2, 0, word("as_of", language).format(date=long_date(analysis.as_of, language)),
         styles.note),
    ]
    shown = (("customers", figures.customers, styles.figure),
             ("revenue", figures.revenue, styles.figure_money),
             ("gross_margin", figures.gross_margin, styles.figure_money),
             ("margin_rate", figures.margin_rate, styles.figure_percent),
             ("hot", figures.hot, styles.figure),
             ("at_risk", figures.at_risk, styles.figure),
             ("risk_revenue", figures.at_risk_revenue, styles.figure_money),
             ("problems", figures.problems, styles.figure))
    for n, (key, value, style) in enumerate(shown):
        cells.append((4, 2 * n, word(key, language), styles.note))
        cells.append((5, 2 * n, value, style))
    merges = [f"{column_letter(2 * n)}{r}:{column_letter(2 * n + 1)}{r}"
              for n in range(len(shown)) for r in (4, 5)]
    links = [(f"{column_letter(2 * (len(shown) - 1))}5", validation)]
    sheet = cells_sheet(cells, styles, widths=[DASHBOARD_COLUMN_WIDTH] * 16, merges=merges,
                        links=links, drawing=True, selected=True)
    return [OwnSheet("dashboard", name, sheet, drawing=drawing(anchors), charts=charts),
            helper]


def write_results(path: Path, analysis: Analysis, *, out: Path | None = None,
                  progress: Progress | None = None, parts: frozenset[str] = PARTS,
                  currency: str | None = None) -> Path:
    """Write the result sheets into the workbook at ``path`` (or a copy at ``out``).

    ``parts`` chooses among dashboard, analysis, segments and validation; the result sheets of
    other parts are left as they are.  Money shows ``currency`` ('' for none), by default the
    one the workbook's own formats show.  Returns the path written.  Raises
    WorkbookLockedError when the workbook is open in Excel, WorkbookError when it cannot be
    read or written; the file on disk is then unchanged.
    """
    say = progress or _quiet
    language = analysis.settings.language
    i = language_index(language)
    with Package(Path(path)) as package:
        if currency is None:
            currency = currency_of(package) or inputs_currency(analysis) or ""
        styles = ensure_styles(package, currency)
        sheets, helper = [], []
        if "dashboard" in parts:
            dashboard, *helper = _dashboard(analysis, styles, language,
                                            {k: v[i] for k, v in SHEET_NAMES.items()})
            sheets.append(dashboard)
        for table in result_tables(analysis, parts):
            sheets.append(_table_sheet(table, styles, language))
        sheets.extend(helper)  # hidden, last: the tabs a user sees keep their order
        package.install(sheets, drop=lambda role: part_of(role) in parts)
        if "dashboard" in parts:
            package.activate("dashboard")
        say(f"writing {len(sheets)} result sheets ({len(analysis.table)} customers)")
        return package.save(out)


def inputs_currency(analysis: Analysis) -> str | None:
    """The currency the input headers name (``Montant (€)``), for amounts typed as text."""
    return currency_in(header for columns in analysis.columns.values()
                       for header, _ in columns.values())


def render_results(folder: Path, analysis: Analysis, *, parts: frozenset[str] = PARTS,
                   currency: str | None = None) -> Path:
    """The result sheets alone, in a new workbook ``results.xlsx`` in ``folder``: what the
    Excel side copies into the open workbook (one rendering for both paths)."""
    import xlsxwriter  # here: xlwings Lite has no XlsxWriter, and writes values instead

    path = Path(folder) / "results.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("potentiel")
    book.close()
    return write_results(path, analysis, parts=parts, currency=currency or "")


def replace_sheet(path: Path, name: str, frame: pd.DataFrame, *, out: Path | None = None,
                  ) -> Path:
    """Write ``frame`` as potentiel's sheet ``name`` (e.g. the sync's ``Conflicts``).

    The sheet is marked as potentiel's: a later call replaces it in place; a user's own sheet
    of that name is left alone and this one gets a number.  Values are written as they are
    (text always as text, never as a formula).
    """
    with Package(Path(path)) as package:
        styles = ensure_styles(package)
        package.install([OwnSheet(own_role(name), sheet_name(name),
                                  worksheet(frame.reset_index(drop=True), styles))],
                        drop=lambda _: False)
        return package.save(out)
