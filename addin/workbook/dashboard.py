"""The Dashboard: headline figures and native charts on one screen, and its hidden helper
sheet that holds the charts' data."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from addin.core.analysis import Analysis
from addin.core.headline import headline
from addin.core.labels import VALUES, header, language_index
from addin.workbook.a1 import column_letter, quote_sheet
from addin.workbook.charts import Series, bar_chart, curve_chart, drawing
from addin.workbook.header_notes import LEGEND
from addin.workbook.result_words import long_date, word
from addin.workbook.sheetxml import Styles, cells_sheet, worksheet
from addin.workbook.zip_parts import OwnSheet


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


#: Dashboard layout: the colour legend on row 3, figure tiles on rows 4-5 (label above a large
#: number, two columns each), a footnote on row 6, charts on rows 7-19, four side by side, 4
#: columns wide: all within the first screen of a 1366x768 display at 100 % (about 440 pixels
#: of rows under Excel's ribbon: 6 rows of 20 px and 3 taller ones above 13 rows of charts).
DASHBOARD_COLUMN_WIDTH = 10.0
CHART_ROWS = (6, 19)
CHART_COLUMNS = ((0, 4), (4, 8), (8, 12), (12, 16))
#: Row heights (points; 15 points = 20 pixels): the legend and the tiles' labels wrap on two
#: lines, the tiles' numbers are large.
ROW_HEIGHTS = {3: 30.0, 4: 30.0, 5: 24.0, 6: 15.0}


def dashboard(analysis: Analysis, styles: Styles, language: str, names: dict[str, str],
              ) -> list[OwnSheet]:
    """The Dashboard (legend, figures and charts) and its hidden helper sheet (the charts'
    data).  Prospects have no RFM segment: they are left out of the RFM charts and counted in
    the chart's title."""
    table = analysis.table
    figures = headline(analysis)
    name, data_name = names["dashboard"], names["dashboard.data"]
    buyers = table[table["rfm_segment"] != "Prospect"]
    type_labels, type_counts = _counts(table["customer_type"], "customer_type", language)
    rfm_labels, rfm_counts = _counts(buyers["rfm_segment"], "rfm_segment", language)
    measure = "contribution" if table["contribution"].notna().any() else "revenue"
    what = header(measure, language)
    seg_labels, seg_sums = _sums(buyers[measure], buyers["rfm_segment"], "rfm_segment",
                                 language)
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

    by_rfm = word("by_rfm", language)
    if figures.prospects:
        by_rfm += " " + word("without_prospects", language).format(n=figures.prospects)
    charts = [
        bar_chart(word("by_type", language),
                  series(0, 1, customers, type_labels, type_counts)),
        bar_chart(by_rfm, series(2, 3, customers, rfm_labels, rfm_counts),
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
    cells, merges, links = _figures(analysis, styles, language, names)
    sheet = cells_sheet(cells, styles, widths=[DASHBOARD_COLUMN_WIDTH] * 16, merges=merges,
                        links=links, drawing=True, selected=True, heights=ROW_HEIGHTS)
    return [OwnSheet("dashboard", name, sheet, drawing=drawing(anchors), charts=charts),
            helper]


def _figures(analysis: Analysis, styles: Styles, language: str, names: dict[str, str],
             ) -> tuple[list[tuple[int, int, object, int | None]], list[str],
                        list[tuple[str, str]]]:
    """The Dashboard's cells above the charts: title, date, legend, figure tiles, footnote;
    with their merged ranges and the link to the Validation sheet."""
    figures = headline(analysis)
    i = language_index(language)
    cells: list[tuple[int, int, object, int | None]] = [
        (1, 0, word("title", language), styles.title),
        (2, 0, word("as_of", language).format(date=long_date(analysis.as_of, language)),
         styles.note),
    ]
    merges = []
    for n, (meaning, words) in enumerate(LEGEND.items()):
        left, right = 3 * n + (1 if n else 0), 3 * n + 4  # 4 + 3 + 3 + 3 + 3 columns
        cells += [(3, c, words[i] if c == left else None, styles.legend[meaning])
                  for c in range(left, right)]
        merges.append(f"{column_letter(left)}3:{column_letter(right - 1)}3")
    rate_note = 0 < figures.priced < figures.ordering
    shown = (("customers", figures.customers, styles.tile),
             ("revenue", figures.revenue, styles.tile_money),
             ("gross_margin", figures.gross_margin, styles.tile_money),
             ("margin_rate", figures.margin_rate, styles.tile_percent),
             ("hot", figures.hot, styles.tile),
             ("at_risk", figures.at_risk, styles.tile),
             ("risk_revenue", figures.at_risk_revenue, styles.tile_money),
             ("problems", figures.problems, styles.tile_link))
    for n, (key, value, style) in enumerate(shown):
        label = word(key, language) + (" *" if key == "margin_rate" and rate_note else "")
        missing = value is None or (isinstance(value, float) and not np.isfinite(value))
        if missing:
            value, style = word("n/a", language), styles.tile_text
        for c in (2 * n, 2 * n + 1):
            cells.append((4, c, label if c == 2 * n else None, styles.tile_label))
            cells.append((5, c, value if c == 2 * n else None, style))
    merges += [f"{column_letter(2 * n)}{r}:{column_letter(2 * n + 1)}{r}"
               for n in range(len(shown)) for r in (4, 5)]
    if rate_note:
        cells.append((6, 0, "* " + word("rate_subset", language).format(
            n=figures.priced, of=figures.ordering), styles.note))
    cells.append((6, 14, word("see_validation", language), styles.link))
    validation = quote_sheet(names["validation"]) + "!A1"
    links = [(f"{column_letter(2 * (len(shown) - 1))}5", validation), ("O6", validation)]
    return cells, merges, links
