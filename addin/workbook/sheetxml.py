"""Worksheet XML for potentiel's own sheets, built a whole column at a time.

Cells are written as the file format stores them, never through a library that guesses: text is
an inline string (``t="inlineStr"``, so a value starting with ``=`` stays text and no shared
string table is touched), numbers are ``<v>`` numbers, dates are Excel serial numbers with a
date format, blanks are no cell at all.  Each column's cells are made by Arrow string kernels
over the whole column, rows are joined the same way, and the sheet is yielded in blocks of rows,
so a million-row table costs seconds and a bounded amount of memory.

Cell formats are appended to the workbook's ``styles.xml`` (or found there from a previous run):
existing format indices never move, so every cell of the user's sheets keeps its look.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from addin.core.palette import MEANINGS
from addin.core.parsing import EXCEL_EPOCH
from addin.workbook.a1 import column_letter
from addin.workbook.content_types import CT_STYLES, REL_STYLES, WORKBOOK_PART
from addin.workbook.xml_text import attribute, prefix_of, unescape
from addin.workbook.zip_package import Stream, ZipPackage, iter_chunks

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: Excel's cell text limit; longer text makes Excel refuse the file.
MAX_TEXT = 32767
MAX_ROWS = 1_048_576
_EPOCH = EXCEL_EPOCH.to_datetime64().astype("datetime64[ns]")
_CONTROL = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32))]
_CONTROL_RE = "[" + "".join(re.escape(c) for c in _CONTROL) + "]"


@dataclass(frozen=True)
class Styles:
    """Indices (in ``cellXfs``) of the cell formats potentiel's sheets use, and (in ``dxfs``) of
    the formats its conditional formats apply."""

    header: int
    date: int
    percent: int
    number: int
    title: int
    integer: int = 0
    score: int = 0
    link: int = 0
    figure: int = 0
    figure_money: int = 0
    figure_percent: int = 0
    note: int = 0
    #: A Dashboard figure as a tile: its label (top of the box) and its number (bottom).
    tile_label: int = 0
    tile: int = 0
    tile_money: int = 0
    tile_percent: int = 0
    tile_text: int = 0
    tile_link: int = 0
    #: Wrapped text in a meaning's colours and a small grey note that wraps.
    wrapped_note: int = 0
    #: Conditional formats by meaning (:data:`addin.core.palette.MEANINGS`).
    dxf: Mapping[str, int] = field(default_factory=dict)
    #: Cells filled with a meaning's colours (the Dashboard's legend).
    legend: Mapping[str, int] = field(default_factory=dict)


#: Dates in the workbook's language: Excel's short date, which follows the reader's locale
#: (built-in format 14), in English; day first in French and Dutch, whatever the locale.
DATE_FORMATS: dict[str, str | int] = {"en": 14, "fr": "dd/mm/yyyy", "nl": "dd/mm/yyyy"}
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "#,##0"
SCORE_FORMAT = "0.0"
#: Fill (ARGB) of the header row, border of the Dashboard's figure tiles.
HEADER_FILL = "FFDDEBF7"
TILE_BORDER = "FFA6A6A6"
#: Children of <styleSheet>, in the order the schema requires.
_STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
                "dxfs", "tableStyles", "colors", "extLst")


def money_format(symbol: str | None) -> str:
    """A money format with the inputs' currency: ``#,##0.00 "€"``; plain without one."""
    if not symbol:
        return "#,##0.00"
    quoted = '"' + symbol.replace('"', "") + '"'
    return f"{quoted}#,##0.00" if symbol in ("$", "£") else f"#,##0.00 {quoted}"


def currency_in(codes: Iterable[str]) -> str | None:
    """The first currency symbol (€, £, $) these number formats show, if any.

    ``[$€-x]`` shows €; other bracketed parts (colours, conditions) show nothing.
    """
    for code in codes:
        plain = re.sub(r"\[[^\]]*\]", lambda m: m.group(0)[2:3] if m.group(0).startswith("[$")
                       else "", code)
        for symbol in ("€", "£", "$"):
            if symbol in plain:
                return symbol
    return None


def currency_of(package: ZipPackage) -> str | None:
    """The currency the workbook's own number formats show (money typed with a money format,
    ``#,##0.00 €``, carries it in styles.xml), if any."""
    xml = package.text(_styles_part(package))
    codes = re.findall(r"formatCode\s*=\s*(\"[^\"]*\"|'[^']*')", xml)
    return currency_in(unescape(code[1:-1]) for code in codes)


def ensure_styles(package: ZipPackage, currency: str | None = None,
                  language: str = "en") -> Styles:
    """Find or append potentiel's cell formats in styles.xml; existing indices are untouched.

    Dates take the format of ``language`` (:data:`DATE_FORMATS`).

    Every format uses the workbook's first font (the one its own cells use), made bold,
    larger or blue where needed: one typeface on every sheet.
    """
    part = _styles_part(package)
    xml = package.text(part)
    p = prefix_of(xml, "styleSheet")
    fonts = _block(xml, p, "fonts")
    # An empty <font/>, or a whole <font>...</font> (not up to its first child's "/>").
    first_font = re.search(r"<(?:\w+:)?font\b(?:[^>]*/>|.*?</(?:\w+:)?font>)", fonts,
                           re.DOTALL)
    base = first_font.group(0) if first_font else f"<{p}font/>"
    font_ids = {}
    for key, element in (("bold", _bolder(base, p, size=None)),
                         ("big", _bolder(base, p, size="14")),
                         ("figure", _bolder(base, p, size="16")),
                         ("figure_link", _colored(_bolder(base, p, size="16"), p, "FF0563C1",
                                                  underline=True)),
                         ("link", _colored(base, p, "FF0563C1", underline=True)),
                         ("note", _colored(base, p, "FF595959"))):
        xml, font_ids[key] = _find_or_append(xml, p, "fonts", "font", element)
    xml, fill = _find_or_append(xml, p, "fills", "fill",
                                f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor '
                                f'rgb="{HEADER_FILL}"/><{p}bgColor indexed="64"/>'
                                f"</{p}patternFill></{p}fill>")
    xml, border = _find_or_append(xml, p, "borders", "border",
                                  f'<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom '
                                  f'style="thin"><{p}color auto="1"/></{p}bottom><{p}diagonal/>'
                                  f"</{p}border>")
    tile_borders = {}
    for key, sides in (("top", ("left", "right", "top")), ("bottom", ("left", "right",
                                                                      "bottom"))):
        edges = "".join(f'<{p}{side} style="thin"><{p}color rgb="{TILE_BORDER}"/></{p}{side}>'
                        if side in sides else f"<{p}{side}/>"
                        for side in ("left", "right", "top", "bottom"))
        xml, tile_borders[key] = _find_or_append(xml, p, "borders", "border",
                                                 f"<{p}border>{edges}<{p}diagonal/></{p}border>")
    meaning_fills, meaning_fonts = {}, {}
    for key, (color, background) in MEANINGS.items():
        xml, meaning_fills[key] = _find_or_append(
            xml, p, "fills", "fill", f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor '
            f'rgb="{background}"/><{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
        xml, meaning_fonts[key] = _find_or_append(xml, p, "fonts", "font",
                                                  _colored(base, p, color))
    date_format = DATE_FORMATS.get(language, DATE_FORMATS["en"])
    formats = {}
    if isinstance(date_format, int):
        formats["date"] = date_format
    else:
        xml, formats["date"] = _num_fmt(xml, p, date_format)
    for key, code in (("percent", PERCENT_FORMAT),
                      ("integer", INTEGER_FORMAT), ("score", SCORE_FORMAT),
                      ("money", money_format(currency))):
        xml, formats[key] = _num_fmt(xml, p, code)

    def xf(num_fmt: int, font: int, fill_id: int = 0, border_id: int = 0,
           align: str = "") -> str:
        flags = ((' applyNumberFormat="1"' if num_fmt else "") + (' applyFont="1"' if font
                 else "") + (' applyFill="1"' if fill_id else "")
                 + (' applyBorder="1"' if border_id else ""))
        head = (f'<{p}xf numFmtId="{num_fmt}" fontId="{font}" fillId="{fill_id}" '
                f'borderId="{border_id}" xfId="0"{flags}')
        if not align:
            return head + "/>"
        return head + f' applyAlignment="1"><{p}alignment {align}/></{p}xf>'

    top, bottom = tile_borders["top"], tile_borders["bottom"]
    centred = 'horizontal="center" vertical="center"'

    wanted = {
        "header": xf(0, font_ids["bold"], fill, border, 'vertical="top" wrapText="1"'),
        "date": xf(formats["date"], 0),
        "percent": xf(formats["percent"], 0), "number": xf(formats["money"], 0),
        "title": xf(0, font_ids["big"]), "integer": xf(formats["integer"], 0),
        "score": xf(formats["score"], 0), "link": xf(0, font_ids["link"]),
        "figure": xf(formats["integer"], font_ids["figure"]),
        "figure_money": xf(formats["money"], font_ids["figure"]),
        "figure_percent": xf(formats["percent"], font_ids["figure"]),
        "note": xf(0, font_ids["note"]),
        "tile_label": xf(0, font_ids["note"], 0, top, 'horizontal="center" wrapText="1"'),
        "tile": xf(formats["integer"], font_ids["figure"], 0, bottom, centred),
        "tile_money": xf(formats["money"], font_ids["figure"], 0, bottom, centred),
        "tile_percent": xf(formats["percent"], font_ids["figure"], 0, bottom, centred),
        "tile_text": xf(0, font_ids["figure"], 0, bottom, centred),
        "tile_link": xf(formats["integer"], font_ids["figure_link"], 0, bottom, centred),
        "wrapped_note": xf(0, font_ids["note"], 0, 0, 'vertical="top" wrapText="1"'),
    }
    wanted |= {f"legend.{key}": xf(0, meaning_fonts[key], meaning_fills[key], 0,
                                   'vertical="center" wrapText="1"') for key in MEANINGS}
    ids = {}
    for key, element in wanted.items():
        xml, ids[key] = _find_or_append(xml, p, "cellXfs", "xf", element)
    dxf = {}
    for key, (color, background) in MEANINGS.items():
        xml, dxf[key] = _find_or_append(
            xml, p, "dxfs", "dxf", f'<{p}dxf><{p}font><{p}color rgb="{color}"/></{p}font>'
            f'<{p}fill><{p}patternFill><{p}bgColor rgb="{background}"/></{p}patternFill>'
            f"</{p}fill></{p}dxf>")
    package.set_text(part, xml)
    legend = {key[len("legend."):]: ids.pop(key) for key in list(ids)
              if key.startswith("legend.")}
    return Styles(**ids, dxf=dxf, legend=legend)


def _styles_part(package: ZipPackage) -> str:
    rel = next((r for r in package.relationships(WORKBOOK_PART) if r.type == REL_STYLES), None)
    if rel is not None and rel.part and package.exists(rel.part):
        return rel.part
    # A workbook without styles (some generators omit them): give it the minimal stylesheet.
    part = package.free_name("xl/styles{}.xml")
    package.put(part, _MINIMAL_STYLES.encode("utf-8"), CT_STYLES)
    package.add_relationship(WORKBOOK_PART, REL_STYLES, part)
    return part


_MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _block(xml: str, p: str, local: str) -> str:
    match = re.search(rf"<{p}{local}\b[^>]*?(?:/>|>.*?</{p}{local}>)", xml, re.DOTALL)
    return match.group(0) if match else ""


#: CT_Font's children in schema order: a font copied from a workbook that wrote them in
#: another order (openpyxl: name, family, color, sz) is written in this one.
FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign",
              "sz", "color", "name", "family", "charset", "scheme")


def _in_order(font: str, p: str) -> str:
    """A ``<font>`` whose (empty) children follow :data:`FONT_ORDER`."""
    start = re.match(rf"<{p}font\b[^>]*>", font)
    if start is None or start.group(0).endswith("/>"):
        return font
    children = re.findall(rf"<{p}(\w+)\b[^>]*/>", font)
    elements = re.findall(rf"<{p}\w+\b[^>]*/>", font[start.end():])
    rank = {name: FONT_ORDER.index(name) if name in FONT_ORDER else len(FONT_ORDER)
            for name in children}
    ordered = sorted(elements, key=lambda e: rank[re.match(rf"<{p}(\w+)", e).group(1)])
    return start.group(0) + "".join(ordered) + f"</{p}font>"


def _bolder(font: str, p: str, size: str | None) -> str:
    """The workbook's default font made bold (and resized): the user's theme is respected."""
    body = re.sub(rf"<{p}b\s*/>|<{p}b\b[^>]*/>", "", font)
    if size is not None:
        body = re.sub(rf"<{p}sz\b[^>]*/>", f'<{p}sz val="{size}"/>', body)
    if body.endswith("/>") and not body.endswith(f"</{p}font>"):
        return f"<{p}font><{p}b/></{p}font>"
    return _in_order(re.sub(rf"^<{p}font\b[^>]*>", lambda m: m.group(0) + f"<{p}b/>", body,
                            count=1), p)


def _colored(font: str, p: str, rgb: str, underline: bool = False) -> str:
    """The workbook's default font in another colour (and underlined, for links)."""
    body = re.sub(rf"<{p}(?:color|u)\b[^>]*/>", "", font)
    extra = (f"<{p}u/>" if underline else "") + f'<{p}color rgb="{rgb}"/>'
    if body.endswith("/>") and not body.endswith(f"</{p}font>"):
        return f"<{p}font>{extra}</{p}font>"
    return _in_order(re.sub(rf"^<{p}font\b[^>]*>", lambda m: m.group(0) + extra, body,
                            count=1), p)


def _num_fmt(xml: str, p: str, code: str) -> tuple[str, int]:
    """Id of a custom number format, appended (id 164 or more) when the workbook lacks it."""
    block = _block(xml, p, "numFmts")
    for element in re.findall(rf"<{p}numFmt\b[^>]*/>", block):
        if unescape(attribute(element, "formatCode") or "") == code:
            return xml, int(attribute(element, "numFmtId") or 0)
    used = [int(i) for i in re.findall(r'numFmtId="(\d+)"', block)]
    new_id = max([163, *used]) + 1
    element = f'<{p}numFmt numFmtId="{new_id}" formatCode={quoteattr(code)}/>'
    return _find_or_append(xml, p, "numFmts", "numFmt", element)[0], new_id


def _find_or_append(xml: str, p: str, container: str, local: str, element: str,
                    ) -> tuple[str, int]:
    """Index of ``element`` in a styles list, appending it (and fixing count) when absent."""
    block = _block(xml, p, container)
    items = re.findall(rf"<{p}{local}\b(?:[^>]*/>|.*?</{p}{local}>)", block, re.DOTALL)
    if element in items:
        return xml, items.index(element)
    if not block:
        new = f"<{p}{container} count=\"1\">{element}</{p}{container}>"
        at = _insert_at(xml, p, container)
        return xml[:at] + new + xml[at:], 0
    if block.endswith("/>"):
        grown = re.sub(r"/>$", f">{element}</{p}{container}>", block)
    else:
        grown = block[: -len(f"</{p}{container}>")] + element + f"</{p}{container}>"
    grown = re.sub(r'\bcount="\d+"', f'count="{len(items) + 1}"', grown, count=1)
    return xml.replace(block, grown, 1), len(items)


def _insert_at(xml: str, p: str, container: str) -> int:
    """Where a missing styleSheet child goes: after the last sibling the schema puts first."""
    at = None
    for earlier in _STYLE_ORDER[: _STYLE_ORDER.index(container)]:
        block = _block(xml, p, earlier)
        if block:
            at = xml.index(block) + len(block)
    if at is None:
        anchor = re.search(rf"<{p}styleSheet\b[^>]*>", xml)
        assert anchor is not None
        at = anchor.end()
    return at


def escape_text(text: pa.Array) -> pa.Array:
    """Text ready for ``<t>``: XML-escaped, Excel's ``_xHHHH_`` escapes for control characters,
    literal ``_xHHHH_`` protected, cut at Excel's 32,767-character limit."""
    # Each pass copies the column: run only those the column needs.
    if (pc.max(pc.utf8_length(text)).as_py() or 0) > MAX_TEXT:
        text = pc.utf8_slice_codeunits(text, 0, MAX_TEXT)
    if pc.any(pc.match_substring(text, "_x")).as_py():
        text = pc.replace_substring_regex(text, r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1")
    for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if pc.any(pc.match_substring(text, old)).as_py():
            text = pc.replace_substring(text, old, new)
    if pc.any(pc.match_substring_regex(text, _CONTROL_RE)).as_py():
        for char in _CONTROL:
            text = pc.replace_substring(text, char, f"_x{ord(char):04X}_")
    return text


def _numbers(values: np.ndarray) -> pa.Array:
    """Numbers as ``<v>`` text; NaN and infinities become null (no cell)."""
    floats = values.astype("float64", copy=False)
    return pc.cast(pa.array(floats, mask=~np.isfinite(floats)), pa.string())


def _date_serials(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values, errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    raw = stamps.to_numpy(dtype="datetime64[ns]")
    serial = (raw - _EPOCH) / np.timedelta64(1, "D")
    return np.where(np.isnat(raw), np.nan, serial)


def column_cells(values: pd.Series, refs: pa.Array, style: int | None,
                 styles: Styles) -> pa.Array:
    """One column's cells as XML ('' where blank); ``refs`` holds each cell's reference."""
    s = "" if style is None else f' s="{style}"'
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        known = values.notna().to_numpy()
        truth = values.to_numpy(dtype=bool, na_value=False)
        flags = pa.array(np.where(truth, "1", "0"), mask=~known)
        return _join(refs, f'"{s} t="b"><v>', flags, "</v></c>")
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        return _join(refs, f'"{s}><v>', _numbers(numbers), "</v></c>")
    if pd.api.types.is_datetime64_any_dtype(dtype):
        date = f' s="{styles.date}"' if style is None else s
        return _join(refs, f'"{date}><v>', _numbers(_date_serials(values)), "</v></c>")
    return _mixed_cells(values, refs, style, styles)


def _mixed_cells(values: pd.Series, refs: pa.Array, style: int | None,
                 styles: Styles) -> pa.Array:
    """Text columns, and object columns mixing text, numbers and dates, element by kind."""
    s = "" if style is None else f' s="{style}"'
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in ("string", "empty"):
        text = pa.array(values.to_numpy(dtype=object, na_value=None), type=pa.string())
        return _text(refs, text, s)
    obj = values.to_numpy(dtype=object, na_value=None)
    kind = pd.Series(obj).map(_kind).to_numpy()
    out = np.full(len(obj), "", dtype=object)
    for name in ("number", "date", "bool", "text"):
        mask = kind == name
        if not mask.any():
            continue
        part = pd.Series(obj[mask])
        refs_part = refs.filter(pa.array(mask))
        if name == "number":
            cells = column_cells(part.astype("float64"), refs_part, style, styles)
        elif name == "date":
            cells = column_cells(pd.to_datetime(part), refs_part, style, styles)
        elif name == "bool":
            cells = column_cells(part.astype(bool), refs_part, style, styles)
        else:
            cells = _text(refs_part, pa.array(part.map(str).to_numpy(dtype=object),
                                               type=pa.string()), s)
        out[mask] = np.asarray(cells.to_pylist(), dtype=object)
    return pa.array(out, type=pa.string())


def _kind(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return "blank"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | float | np.integer | np.floating):
        return "number"
    if isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat"):
        return "date"
    return "text"


def _text(refs: pa.Array, text: pa.Array, s: str) -> pa.Array:
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    escaped = escape_text(text)
    spaced = pc.match_substring_regex(escaped, r"^\s|\s$|\n")
    open_t = pc.if_else(spaced, '<t xml:space="preserve">', "<t>")
    return _join(refs, f'"{s} t="inlineStr"><is>', open_t, escaped, "</t></is></c>")


def _join(refs: pa.Array, *pieces: str | pa.Array) -> pa.Array:
    """``<c r="REF" ...>`` cells; null when the value is null, then '' (no cell)."""
    joined = pc.binary_join_element_wise('<c r="', refs, *pieces, "")
    return pc.fill_null(joined, "")


def rows_xml(frame: pd.DataFrame, first_row: int, styles: Styles,
             formats: Mapping[str, int] | None = None, first_column: int = 0) -> bytes:
    """``<row>`` elements for a frame's values, Excel row ``first_row`` onwards."""
    numbers = np.arange(first_row, first_row + len(frame))
    row_text = pa.array(numbers.astype(str))
    cells = []
    for i, name in enumerate(frame.columns):
        letter = column_letter(first_column + i)
        refs = pc.binary_join_element_wise(letter, row_text, "")
        cells.append(column_cells(frame.iloc[:, i], refs, (formats or {}).get(name), styles))
    row = pc.binary_join_element_wise('<row r="', row_text, '">', *cells, "</row>", "")
    return _buffer(row)


def _buffer(strings: pa.Array) -> bytes:
    """The concatenation of a string array, straight from its data buffer (no Python join)."""
    strings = strings.cast(pa.large_string()) if strings.type != pa.large_string() else strings
    if len(strings) == 0:
        return b""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64,
                            count=len(strings) + 1, offset=strings.offset * 8)
    return bytes(memoryview(strings.buffers()[2])[offsets[0]: offsets[-1]])


def header_cells(labels: Sequence[object], row: int, style: int | None,
                 first_column: int = 0) -> str:
    """One row of text cells (headers, titles)."""
    frame = pd.DataFrame([[None if v is None else str(v) for v in labels]], dtype=object)
    styles = Styles(0, 0, 0, 0, 0)
    formats = dict.fromkeys(frame.columns, style) if style is not None else None
    return rows_xml(frame, row, styles, formats, first_column).decode("utf-8")


#: A bold header character is about this many widths of the font's digit (Excel's unit).
_BOLD = 1.15
#: The filter button takes the right of the header cell: about 2.5 character widths.
_BUTTON = 2.5
#: Most lines a header wraps on, and the width up to which a column widens to keep it on two.
HEADER_LINES = 3
_TWO_LINES = 20.0


def header_lines(label: str, width: float, button: bool = True) -> int:
    """How many lines ``label`` wraps on, at word boundaries, in a column ``width`` wide,
    with the filter button's room kept free on every line."""
    room = width - 1 - (_BUTTON if button else 0)
    lines, used = 1, 0.0
    for part in label.split():
        size = len(part) * _BOLD
        if used and used + _BOLD + size > room:
            lines, used = lines + 1, size
        else:
            used += (_BOLD if used else 0) + size
    return lines


def header_width(label: str, content: float, button: bool = True) -> float:
    """The narrowest width from ``content`` up that shows the header whole: no word cut,
    no text under the filter button, on at most :data:`HEADER_LINES` lines."""
    words = max((len(w) for w in label.split()), default=0)
    width = max(content, words * _BOLD + 1 + (_BUTTON if button else 0))
    # Two lines where a column up to _TWO_LINES wide holds them, so the header row of a
    # sheet stays two lines high; three at most otherwise.
    while header_lines(label, width, button) > 2 and width < _TWO_LINES:
        width += 1
    while header_lines(label, width, button) > HEADER_LINES:
        width += 1
    return float(np.ceil(width))


def column_widths(frame: pd.DataFrame, headers: Sequence[object], sample: int = 2000,
                  button: bool = True) -> list[float]:
    """Column widths from the values as shown (numbers with their separators, dates as
    dd/mm/yyyy) and the header, which wraps at word boundaries beside its filter button:
    between 6 and 50."""
    head = frame.head(sample)
    widths = []
    for i, name in enumerate(headers):
        column = head.iloc[:, i]
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            longest = 10
        elif pd.api.types.is_numeric_dtype(column.dtype) and not \
                pd.api.types.is_bool_dtype(column.dtype):
            values = column.to_numpy(dtype="float64", na_value=np.nan)
            finite = np.abs(values[np.isfinite(values)])
            digits = len(f"{finite.max():,.0f}") if len(finite) else 1
            longest = digits + 5  # decimals and a currency sign
        else:
            lengths = column.dropna().astype(str).str.len()
            longest = int(lengths.max()) if len(lengths) else 0
        content = max(6, longest + 2)
        widths.append(min(50.0, header_width(str(name or ""), content, button)))
    return widths


@dataclass(frozen=True)
class Links:
    """Hyperlinks to places in the workbook: one per row of a column (null: no link)."""

    column: int
    locations: pa.Array


#: Most hyperlinks Excel keeps on one worksheet (it drops the rest, with a repair prompt).
MAX_HYPERLINKS = 65_530


def _hyperlinks(links: Links, first_row: int) -> bytes:
    """The ``<hyperlink>`` elements of a column: the first :data:`MAX_HYPERLINKS` rows that
    have one are linked, later rows are not."""
    rows = pa.array(np.arange(first_row, first_row + len(links.locations)).astype(str))
    location = links.locations
    linked = np.cumsum(np.asarray(pc.is_valid(location)))
    if len(linked) and linked[-1] > MAX_HYPERLINKS:
        location = pc.if_else(pa.array(linked <= MAX_HYPERLINKS), location, None)
    for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        location = pc.replace_substring(location, old, new)
    element = pc.binary_join_element_wise('<hyperlink ref="' + column_letter(links.column),
                                          rows, '" location="', location, '"/>', "")
    return _buffer(pc.fill_null(element, ""))


def worksheet(frame: pd.DataFrame, styles: Styles, *, formats: Mapping[str, int] | None = None,
              top: Sequence[tuple[str, int | None]] = (), table: bool = True,
              headers: Sequence[object] | None = None, drawing: bool = False,
              one_page: bool = False, table_part: bool = False, freeze_columns: int = 0,
              hidden_columns: Sequence[int] = (), conditional: str = "",
              links: Links | None = None, selected: bool = False, notes: bool = False,
              page_header: bool = False, fit_width: bool = True, validations: str = "",
              block: int = 20_000, min_widths: Mapping[int, float] | None = None) -> Stream:
    """A worksheet part for ``frame``: optional title lines, then a header row and the data.

    ``headers`` overrides the header labels (None leaves a header cell blank). With ``table``,
    the header row (and ``freeze_columns`` columns) are frozen, the sheet prints landscape one
    page wide with its header on each page, and filters: through the Excel Table related as
    ``rIdTable1`` with ``table_part``, else a sheet autofilter.  ``hidden_columns`` are grouped
    and collapsed (one click shows them); ``conditional`` is ready-made conditional formatting
    XML and ``validations`` ready-made data validation XML (dropdowns); ``links`` puts
    hyperlinks on a column; with ``drawing``, the sheet refers to drawing ``rId1`` (charts);
    ``one_page`` prints the sheet on one landscape page, ``fit_width=False`` across as many
    pages as its columns need (at 80 %); ``notes`` refers to the VML drawing ``rIdVml1`` of
    the cells' notes; ``page_header`` prints the tab name and the date on top of each page,
    page numbers below.  ``min_widths`` widens columns (0-based) for what the user will type
    in them (the labels a dropdown offers).
    """
    labels = list(frame.columns) if headers is None else list(headers)
    header_row = len(top) + 1 if not top else len(top) + 2
    last_row = header_row + len(frame)
    if last_row > MAX_ROWS:
        from addin.errors import WorkbookError
        raise WorkbookError(f"{len(frame)} rows do not fit in one Excel sheet "
                            f"(at most {MAX_ROWS - header_row}).",
                            hint="Split the customers over several workbooks.")
    last = column_letter(max(len(frame.columns), 1) - 1)
    widths = column_widths(frame, labels, button=table) if len(frame.columns) else []
    widths = [max(w, (min_widths or {}).get(i, 0.0)) for i, w in enumerate(widths)]
    hidden = set(hidden_columns)
    lines = max((header_lines(str(label or ""), w, table) for label, w in
                 zip(labels, widths, strict=True)), default=1)

    def pane() -> str:
        if not (table and len(frame.columns)):
            return ""
        if freeze_columns:
            corner = f"{column_letter(freeze_columns)}{header_row + 1}"
            return (f'<pane xSplit="{freeze_columns}" ySplit="{header_row}" '
                    f'topLeftCell="{corner}" activePane="bottomRight" state="frozen"/>'
                    '<selection pane="topRight"/><selection pane="bottomLeft"/>'
                    f'<selection pane="bottomRight" activeCell="{corner}" sqref="{corner}"/>')
        return (f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" '
                'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>')

    def chunks() -> Iterator[str | bytes]:
        fit = one_page or (table and fit_width)
        view = ' tabSelected="1"' if selected else ""
        yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
               + ('<sheetPr><outlinePr summaryRight="0"/>'
                  + ('<pageSetUpPr fitToPage="1"/>' if fit else "") + "</sheetPr>"
                  if fit or table else "")
               + f'<dimension ref="A1:{last}{last_row}"/>'
               + f'<sheetViews><sheetView{view} workbookViewId="0">' + pane()
               + "</sheetView></sheetViews>"
               + '<sheetFormatPr defaultRowHeight="15"'
               + (' outlineLevelCol="1"' if hidden else "") + "/>")
        if len(frame.columns):
            # A folded group shows its + on the column left of it (summaryRight="0").
            yield "<cols>" + "".join(
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"'
                + (' hidden="1" outlineLevel="1"' if i - 1 in hidden else "")
                + (' collapsed="1"' if i in hidden and i - 1 not in hidden else "") + "/>"
                for i, w in enumerate(widths, start=1)) + "</cols>"
        yield "<sheetData>"
        for i, (text, style) in enumerate(top, start=1):
            yield header_cells([text], i, style)
        head = header_cells(labels, header_row, styles.header)
        if lines > 1:
            head = head.replace(f'<row r="{header_row}">', f'<row r="{header_row}" '
                                f'ht="{15 * lines + 3}" customHeight="1">', 1)
        yield head
        for start in range(0, len(frame), block):
            yield rows_xml(frame.iloc[start: start + block], header_row + 1 + start, styles,
                           formats)
        yield "</sheetData>"
        if table and len(frame.columns) and not table_part:
            yield f'<autoFilter ref="A{header_row}:{last}{last_row}"/>'
        yield conditional
        yield validations
        if links is not None and links.locations.null_count < len(links.locations):
            yield "<hyperlinks>"
            yield _hyperlinks(links, header_row + 1)
            yield "</hyperlinks>"
        yield ('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" '
               'footer="0.3"/>')
        if fit:
            yield ('<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="'
                   + ("1" if one_page else "0") + '"/>')
        elif table:
            yield '<pageSetup scale="80" orientation="landscape" pageOrder="overThenDown"/>'
        if page_header:
            yield ('<headerFooter><oddHeader>&amp;L&amp;"-,Bold"&amp;A&amp;R&amp;D</oddHeader>'
                   "<oddFooter>&amp;R&amp;P / &amp;N</oddFooter></headerFooter>")
        if drawing:
            yield '<drawing r:id="rId1"/>'
        if notes:
            yield '<legacyDrawing r:id="rIdVml1"/>'
        if table_part:
            yield '<tableParts count="1"><tablePart r:id="rIdTable1"/></tableParts>'
        yield "</worksheet>"

    # About 40 bytes a cell at most in practice (1M x 51 analysis cells: 1.75 GB); 64 is safe.
    return Stream(lambda: iter_chunks(chunks()), size_hint=64 * (last_row + 1) * (
        len(frame.columns) + 1))


def cells_sheet(cells: Sequence[tuple[int, int, object, int | None]], styles: Styles, *,
                widths: Sequence[float], merges: Sequence[str] = (),
                links: Sequence[tuple[str, str]] = (), drawing: bool = False,
                selected: bool = False, heights: Mapping[int, float] | None = None,
                ) -> Stream:
    """A small sheet laid out cell by cell (the Dashboard): (row, column, value, style) cells,
    merged ranges, links (cell, location), row ``heights`` (points), no gridlines, charts in
    drawing ``rId1``."""
    by_row: dict[int, list[str]] = {}
    for row, column, value, style in sorted(cells, key=lambda c: (c[0], c[1])):
        ref = f"{column_letter(column)}{row}"
        s = "" if style is None else f' s="{style}"'
        if value is None or (isinstance(value, float) and not np.isfinite(value)):
            cell = f'<c r="{ref}"{s}/>'
        elif isinstance(value, bool | np.bool_):
            cell = f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
        elif isinstance(value, int | float | np.integer | np.floating):
            cell = f'<c r="{ref}"{s}><v>{float(value)!r}</v></c>'.replace(".0</v>", "</v>")
        else:
            text = escape_text(pa.array([str(value)])).to_pylist()[0]
            cell = f'<c r="{ref}"{s} t="inlineStr"><is><t>{text}</t></is></c>'
        by_row.setdefault(row, []).append(cell)
    view = ' tabSelected="1"' if selected else ""
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<sheetViews><sheetView showGridLines="0"{view} workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/><cols>',
        "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                for i, w in enumerate(widths, start=1)),
        "</cols><sheetData>",
        "".join(f'<row r="{row}"' + (f' ht="{heights[row]}" customHeight="1"'
                                      if heights and row in heights else "")
                + f'>{"".join(found)}</row>' for row, found in by_row.items()),
        "</sheetData>",
    ]
    if merges:
        parts.append(f'<mergeCells count="{len(merges)}">'
                     + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>")
    if links:
        parts.append("<hyperlinks>" + "".join(
            f'<hyperlink ref="{ref}" location={quoteattr(location)}/>'
            for ref, location in links) + "</hyperlinks>")
    parts.append('<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" '
                 'footer="0.3"/><pageSetup orientation="landscape" fitToWidth="1" '
                 'fitToHeight="1"/>')
    if drawing:
        parts.append('<drawing r:id="rId1"/>')
    parts.append("</worksheet>")
    data = "".join(parts).encode("utf-8")
    return Stream(lambda: [data], size_hint=len(data))
