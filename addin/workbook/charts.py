"""Native Excel charts (DrawingML) for the Dashboard sheet, written as the file format has them.

A chart is a ``chartN.xml`` part whose series point at cell ranges of the Dashboard (``<c:f>``),
with a cache of the values so a viewer that does not recalculate still draws them.  The drawing
part anchors each chart to a block of cells.  Only what the Dashboard needs is here: a column
chart, a bar chart, and a scatter line for the Pareto (whale) curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from addin.workbook.a1 import column_letter, quote_sheet

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_COLORS = ("4472C4", "ED7D31", "70AD47")
#: Money on a small chart's axis: 12k, 3M (full figures would overlap).
_SHORT_MONEY = '[>=1000000]#,##0,,"M";[>=1000]#,##0,"k";#,##0'


@dataclass(frozen=True)
class Series:
    """One series: where its categories (or x values) and values are on the sheet, and them."""

    sheet: str
    name_cell: tuple[int, int]
    first_row: int
    category_column: int
    value_column: int
    name: str
    categories: Sequence[object]
    values: Sequence[float]

    def ref(self, column: int) -> str:
        letter = column_letter(column)
        last = self.first_row + max(len(self.values), 1) - 1
        return f"{quote_sheet(self.sheet)}!${letter}${self.first_row}:${letter}${last}"

    def name_ref(self) -> str:
        row, column = self.name_cell
        return f"{quote_sheet(self.sheet)}!${column_letter(column)}${row}"


def _rich(text: str, size: int = 1400) -> str:
    return (f"<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"{size}\" b=\"1\"/>"
            f"</a:pPr><a:r><a:rPr lang=\"en-US\" sz=\"{size}\" b=\"1\"/><a:t>{escape(text)}</a:t>"
            "</a:r></a:p></c:rich></c:tx>")


def _title(text: str, size: int = 1200) -> str:
    return f'<c:title>{_rich(text, size)}<c:overlay val="0"/></c:title>'


def _str_cache(values: Sequence[object]) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{escape(str(v))}</c:v></c:pt>'
                     for i, v in enumerate(values))
    return f'<c:strCache><c:ptCount val="{len(values)}"/>{points}</c:strCache>'


def _num_cache(values: Sequence[float], code: str) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{float(v)!r}</c:v></c:pt>'
                     for i, v in enumerate(values) if np.isfinite(v))
    return (f"<c:numCache><c:formatCode>{escape(code)}</c:formatCode>"
            f'<c:ptCount val="{len(values)}"/>{points}</c:numCache>')


def _series_head(series: Series, color: str) -> str:
    return ('<c:idx val="0"/><c:order val="0"/>'
            f"<c:tx><c:strRef><c:f>{escape(series.name_ref())}</c:f>"
            f"{_str_cache([series.name])}</c:strRef></c:tx>"
            f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
            f'<a:ln w="28575"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln>'
            "</c:spPr>")


def _labels(code: str) -> str:
    """Each bar's value written at its end (small, in the axis' number format)."""
    return (f'<c:dLbls><c:numFmt formatCode={quoteattr(code)} sourceLinked="0"/>'
            "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"
            '<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="800"/></a:pPr>'
            '<a:endParaRPr lang="en-US"/></a:p></c:txPr><c:dLblPos val="outEnd"/>'
            '<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
            '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/>'
            "</c:dLbls>")


def count_step(values: Sequence[float], ticks: int = 5) -> int:
    """A whole step between the gridlines of a count axis: never half a customer."""
    top = max((float(v) for v in values if np.isfinite(v)), default=1.0)
    raw = max(top / ticks, 1.0)
    magnitude = 10 ** int(np.floor(np.log10(raw)))
    return int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def _axis(kind: Literal["cat", "val"], ax: int, cross: int, position: str, *,
          code: str = "General", title: str | None = None, gridlines: bool = False,
          maximum: float | None = None, reverse: bool = False,
          step: int | None = None) -> str:
    order = "maxMin" if reverse else "minMax"
    scaling = f'<c:orientation val="{order}"/>' + (
        f'<c:max val="{maximum}"/><c:min val="0"/>' if maximum is not None else
        '<c:min val="0"/>' if step else "")
    body = (f'<c:axId val="{ax}"/><c:scaling>{scaling}</c:scaling><c:delete val="0"/>'
            f'<c:axPos val="{position}"/>' + ("<c:majorGridlines/>" if gridlines else "")
            + (_title(title, 1000) if title else "")
            + f'<c:numFmt formatCode={quoteattr(code)} sourceLinked="0"/>'
            '<c:majorTickMark val="out"/><c:minorTickMark val="none"/>'
            f'<c:tickLblPos val="nextTo"/><c:crossAx val="{cross}"/>'
            '<c:crosses val="autoZero"/>')
    if step:
        body += f'<c:crossBetween val="between"/><c:majorUnit val="{step}"/>'
        return f"<c:valAx>{body}</c:valAx>"
    if kind == "cat":
        return (f'<c:catAx>{body}<c:auto val="1"/><c:lblAlgn val="ctr"/>'
                '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>')
    return f'<c:valAx>{body}<c:crossBetween val="midCat"/></c:valAx>'


def _space(title: str, plot: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
            '<c:lang val="en-US"/><c:roundedCorners val="0"/><c:chart>'
            f'{_title(title)}<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>{plot}'
            '</c:plotArea><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
            "</c:chartSpace>").encode()


def bar_chart(title: str, series: Series, *, horizontal: bool = False, color: int = 0,
              money: bool = False) -> bytes:
    """A column chart (or horizontal bars, first category on top) of counts per category on a
    whole-number axis, or of sums of money (thousands separated) with ``money``; each bar
    shows its value."""
    code = _SHORT_MONEY if money else "#,##0"
    ser = (f"<c:ser>{_series_head(series, _COLORS[color])}"
           f'<c:invertIfNegative val="0"/>{_labels(code)}'
           f"<c:cat><c:strRef><c:f>{escape(series.ref(series.category_column))}</c:f>"
           f"{_str_cache(series.categories)}</c:strRef></c:cat>"
           f"<c:val><c:numRef><c:f>{escape(series.ref(series.value_column))}</c:f>"
           f'{_num_cache(series.values, "General")}</c:numRef></c:val></c:ser>')
    direction = "bar" if horizontal else "col"
    plot = (f'<c:barChart><c:barDir val="{direction}"/><c:grouping val="clustered"/>'
            f'<c:varyColors val="0"/>{ser}<c:gapWidth val="60"/>'
            '<c:axId val="50010001"/><c:axId val="50010002"/></c:barChart>'
            + _axis("cat", 50010001, 50010002, "l" if horizontal else "b",
                    reverse=horizontal)
            + (_axis("val", 50010002, 50010001, "b" if horizontal else "l", gridlines=True,
                     code=code).replace('"midCat"', '"between"') if money else
               _axis("val", 50010002, 50010001, "b" if horizontal else "l", gridlines=True,
                     code=code, step=count_step(series.values))))
    return _space(title, plot)


def curve_chart(title: str, series: Series, *, x_title: str, y_title: str,
                color: int = 2) -> bytes:
    """A line through (x, y) points with percent axes: the Pareto / whale curve."""
    ser = (f"<c:ser>{_series_head(series, _COLORS[color])}"
           '<c:marker><c:symbol val="none"/></c:marker>'
           f"<c:xVal><c:numRef><c:f>{escape(series.ref(series.category_column))}</c:f>"
           f'{_num_cache([float(v) for v in series.categories], "0%")}</c:numRef></c:xVal>'
           f"<c:yVal><c:numRef><c:f>{escape(series.ref(series.value_column))}</c:f>"
           f'{_num_cache(series.values, "0%")}</c:numRef></c:yVal><c:smooth val="0"/></c:ser>')
    plot = ('<c:scatterChart><c:scatterStyle val="lineMarker"/><c:varyColors val="0"/>'
            f'{ser}<c:axId val="50020001"/><c:axId val="50020002"/></c:scatterChart>'
            + _axis("val", 50020001, 50020002, "b", code="0%", title=x_title, maximum=1)
            + _axis("val", 50020002, 50020001, "l", code="0%", title=y_title, gridlines=True,
                    maximum=1))
    return _space(title, plot)


def drawing(anchors: Sequence[tuple[int, int, int, int]]) -> bytes:
    """A drawing part placing chart ``rId1``, ``rId2``, ... over cells (col, row, col, row)."""
    frames = []
    for n, (col1, row1, col2, row2) in enumerate(anchors, start=1):
        frames.append(
            '<xdr:twoCellAnchor editAs="oneCell">'
            f"<xdr:from><xdr:col>{col1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row1}"
            "</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{col2}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row2}"
            "</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
            '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
            f'<xdr:cNvPr id="{n + 1}" name="Chart {n}"/><xdr:cNvGraphicFramePr/>'
            '</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
            f'</xdr:xfrm><a:graphic><a:graphicData uri="{C_NS}">'
            f'<c:chart xmlns:c="{C_NS}" xmlns:r="{R_NS}" r:id="rId{n}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>"
            "</xdr:twoCellAnchor>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}">{"".join(frames)}</xdr:wsDr>'
            ).encode()
