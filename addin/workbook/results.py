"""potentiel's result sheets written into the user's workbook: Analysis, one sheet per user
segment, Validation and a Dashboard with native charts.

The sheets are rendered as worksheet XML (:mod:`addin.workbook.sheetxml`) and installed into
the package (:mod:`addin.workbook.package`): every other part of the workbook keeps its bytes.
Each result sheet is marked with a hidden name ``_potentiel.<role>`` (``analysis``,
``validation``, ``dashboard``, ``segment.<key>``), so a re-run replaces exactly these sheets, in
place, and removes the sheets of segments that no longer exist; a user's sheet is never touched,
even one with the same name (potentiel's then gets a number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from addin.core.analysis import Analysis
from addin.core.labels import VALUES, header, language_index, localize
from addin.workbook.charts import Series, bar_chart, curve_chart, drawing
from addin.workbook.marks import own_role, segment_role, sheet_name
from addin.workbook.package import OwnSheet, Package
from addin.workbook.sheetxml import Styles, ensure_styles, worksheet

Progress = Callable[[str], None]

#: Fixed tab names of the result sheets, (en, fr, nl).
SHEET_NAMES: dict[str, tuple[str, str, str]] = {
    "dashboard": ("Dashboard", "Tableau de bord", "Dashboard"),
    "analysis": ("Analysis", "Analyse", "Analyse"),
    "validation": ("Validation", "Validation", "Validatie"),
}
_WORDS: dict[str, tuple[str, str, str]] = {
    "title": ("Customer dashboard", "Tableau de bord clients", "Klantendashboard"),
    "as_of": ("as of {date}: {n} customers", "au {date} : {n} clients",
              "op {date}: {n} klanten"),
    "customers": ("customers", "clients", "klanten"),
    "by_type": ("Customers per type", "Clients par type", "Klanten per type"),
    "by_rfm": ("Customers per RFM segment", "Clients par segment RFM",
               "Klanten per RFM-segment"),
    "pareto": ("Pareto curve of {what}", "Courbe de Pareto de la {what}",
               "Paretocurve van de {what}"),
    "share_customers": ("share of customers", "part des clients", "aandeel klanten"),
    "share_value": ("cumulative share", "part cumulée", "cumulatief aandeel"),
}
_VALIDATION_HEADERS: dict[str, tuple[str, str, str]] = {
    "sheet": ("sheet", "feuille", "blad"), "row": ("row", "ligne", "rij"),
    "column": ("column", "colonne", "kolom"), "value": ("value", "valeur", "waarde"),
    "severity": ("severity", "gravité", "ernst"), "message": ("message", "message", "bericht"),
}
_SEVERITY: dict[str, tuple[str, str, str]] = {
    "error": ("error", "erreur", "fout"), "warning": ("warning", "avertissement", "waarschuwing"),
}
PERCENT_COLUMNS = ("discount_rate", "margin_rate", "markup_rate")
MONEY_COLUMNS = ("monetary_value", "revenue", "list_revenue", "cost", "gross_margin",
                 "avg_order_value", "cost_to_serve", "contribution", "break_even_order_value",
                 "clv")
_RESULT_ROLES = frozenset(SHEET_NAMES)
#: The result parts a run may write; macros write a subset (Validate: the Validation sheet).
PARTS: frozenset[str] = frozenset({"dashboard", "analysis", "segments", "validation"})


def _quiet(_: str) -> None:
    """Progress sink for callers that show nothing."""


def word(key: str, language: str) -> str:
    """A word of the result sheets in the workbook's language."""
    return _WORDS[key][language_index(language)]


def part_of(role: str) -> str | None:
    """Which result part a sheet's role belongs to; None for other own sheets (such as the
    sync's ``Conflicts``), which :func:`write_results` never deletes."""
    if role in _RESULT_ROLES:
        return role
    return "segments" if role.startswith("segment.") else None


@dataclass(frozen=True)
class ResultTable:
    """One result sheet as a table: its role (the mark), tab name and frame as shown."""

    part: str
    role: str
    name: str
    frame: pd.DataFrame


def _formats(styles: Styles, language: str) -> dict[str, int]:
    formats = {header(c, language): styles.percent for c in PERCENT_COLUMNS}
    return formats | {header(c, language): styles.number for c in MONEY_COLUMNS}


def _validation_frame(analysis: Analysis, language: str) -> pd.DataFrame:
    i = language_index(language)
    frame = analysis.validation.reset_index(drop=True).copy()
    frame["severity"] = frame["severity"].map(
        {k: v[i] for k, v in _SEVERITY.items()}).fillna(frame["severity"])
    frame["column"] = frame["column"].map(
        lambda c: header(str(c), language) if isinstance(c, str) else c)
    return frame.rename(columns={k: v[i] for k, v in _VALIDATION_HEADERS.items()})


def result_tables(analysis: Analysis, parts: frozenset[str] = PARTS) -> list[ResultTable]:
    """The table sheets of ``parts`` (analysis, segments, validation) in the workbook's
    language, in tab order: what :func:`write_results` writes, for writers that cannot draw
    charts (xlwings in the open workbook).  The Dashboard is not a table: it is left out."""
    language = analysis.settings.language
    i = language_index(language)
    tables = []
    if "analysis" in parts:
        tables.append(ResultTable("analysis", "analysis", SHEET_NAMES["analysis"][i],
                                  localize(analysis.table.reset_index(drop=True), language)))
    if "segments" in parts:
        for segment, rows in analysis.segments.items():
            tables.append(ResultTable("segments", segment_role(segment), sheet_name(segment),
                                      localize(rows.reset_index(drop=True), language)))
    if "validation" in parts:
        tables.append(ResultTable("validation", "validation", SHEET_NAMES["validation"][i],
                                  _validation_frame(analysis, language)))
    return tables


def _counts(values: pd.Series, column: str, language: str) -> tuple[list[str], list[float]]:
    """Count per canonical value, in the labels' order, shown in the workbook's language."""
    i = language_index(language)
    counts = values.value_counts()
    keys = [k for k in VALUES[column] if counts.get(k, 0) > 0]
    return [VALUES[column][k][i] for k in keys], [float(counts[k]) for k in keys]


def pareto_points(values: pd.Series, points: int = 51) -> tuple[np.ndarray, np.ndarray]:
    """The whale curve: cumulative share of the total by share of customers, best first.

    Customers are sorted by value, highest first; the curve rises above 100 % and comes back
    down when some customers destroy value.  At most ``points`` points, evenly spread.
    """
    sorted_values = np.sort(values.dropna().to_numpy(dtype="float64"))[::-1]
    total = sorted_values.sum()
    if len(sorted_values) == 0 or total <= 0:
        return np.array([]), np.array([])
    cumulative = np.concatenate([[0.0], np.cumsum(sorted_values)]) / total
    count = len(sorted_values)
    positions = np.unique(np.rint(np.linspace(0, count, min(points, count + 1))).astype(np.int64))
    return positions / count, cumulative[positions]


def _dashboard(analysis: Analysis, styles: Styles, language: str, name: str) -> OwnSheet:
    table = analysis.table
    type_labels, type_counts = _counts(table["customer_type"], "customer_type", language)
    rfm_labels, rfm_counts = _counts(table["rfm_segment"], "rfm_segment", language)
    measure = "contribution" if table["contribution"].notna().any() else "revenue"
    shares, cumulative = pareto_points(table[measure])
    length = max(len(type_labels), len(rfm_labels), len(shares), 1)

    def padded(values: list[object] | np.ndarray) -> list[object]:
        return list(values) + [None] * (length - len(values))

    frame = pd.DataFrame({
        0: pd.Series(padded(type_labels), dtype=object),
        1: pd.Series(padded(type_counts), dtype="float64"),
        2: pd.Series([None] * length, dtype=object),
        3: pd.Series(padded(rfm_labels), dtype=object),
        4: pd.Series(padded(rfm_counts), dtype="float64"),
        5: pd.Series([None] * length, dtype=object),
        6: pd.Series(padded(shares), dtype="float64"),
        7: pd.Series(padded(cumulative), dtype="float64"),
    })
    customers, share = word("customers", language), header(measure, language)
    headers = [header("customer_type", language), customers, None,
               header("rfm_segment", language), customers, None,
               word("share_customers", language), share]
    top = [(word("title", language), styles.title),
           (word("as_of", language).format(date=analysis.as_of.date(), n=len(table)), None)]
    header_row = len(top) + 2
    first = header_row + 1
    charts = [
        bar_chart(word("by_type", language),
                  Series(name, (header_row, 1), first, 0, 1, customers, type_labels,
                         type_counts)),
        bar_chart(word("by_rfm", language),
                  Series(name, (header_row, 4), first, 3, 4, customers, rfm_labels, rfm_counts),
                  horizontal=True, color=1),
    ]
    anchors = [(9, 1, 17, 18), (9, 19, 17, 40)]
    if len(shares):
        what = header(measure, language)
        charts.append(curve_chart(
            word("pareto", language).format(what=what),
            Series(name, (header_row, 7), first, 6, 7, share, shares.tolist(),
                   cumulative.tolist()),
            x_title=word("share_customers", language), y_title=word("share_value", language)))
        anchors.append((9, 41, 17, 60))
    formats = {6: styles.percent, 7: styles.percent}
    return OwnSheet("dashboard", name,
                    worksheet(frame, styles, formats=formats, top=top, table=False,
                              headers=headers, drawing=True, one_page=True),
                    drawing=drawing(anchors), charts=charts)


def write_results(path: Path, analysis: Analysis, *, out: Path | None = None,
                  progress: Progress | None = None, parts: frozenset[str] = PARTS) -> Path:
    """Write the result sheets into the workbook at ``path`` (or a copy at ``out``).

    ``parts`` chooses among dashboard, analysis, segments and validation; the result sheets of
    other parts are left as they are.  Returns the path written.  Raises WorkbookLockedError
    when the workbook is open in Excel, WorkbookError when it cannot be read or written; the
    file on disk is then unchanged.
    """
    say = progress or _quiet
    language = analysis.settings.language
    with Package(Path(path)) as package:
        styles = ensure_styles(package)
        sheets = []
        if "dashboard" in parts:
            sheets.append(_dashboard(analysis, styles, language,
                                     SHEET_NAMES["dashboard"][language_index(language)]))
        formats = _formats(styles, language)
        for table in result_tables(analysis, parts):
            shown = formats if table.part != "validation" else None
            sheets.append(OwnSheet(table.role, table.name,
                                   worksheet(table.frame, styles, formats=shown)))
        package.install(sheets, drop=lambda role: part_of(role) in parts)
        say(f"writing {len(sheets)} result sheets ({len(analysis.table)} customers)")
        return package.save(out)


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
