"""What Excel does to the rest of a workbook when a sheet goes away or the tab list changes.

Deleting a sheet in Excel turns every reference to it, in defined names and in cell formulas,
into ``#REF!`` and keeps the cell part of the reference: ``'Key accounts'!$A$2:$A$55`` becomes
``#REF!$A$2:$A$55``, ``=COUNTA('Key accounts'!A:A)`` becomes ``=COUNTA(#REF!A:A)``.  A name
left pointing at a missing sheet is one of the things Excel "repairs" on open (and LibreOffice
silently drops), so potentiel does the same as Excel when it deletes one of its result sheets.

The same goes for the other places a workbook names a sheet: data validations and conditional
formats (``<formula1>``, ``<formula>``, and ``<xm:f>`` in their Excel 2010 extensions) keep the
cell part as formulas do; a chart's data range (``<c:f>``) becomes ``#REF!`` whole while its
cached values stay, so the chart still shows what it last showed; a hyperlink to the sheet
(``location="'Hot'!A1"``) is removed, as a link that jumps elsewhere would mislead (see
docs/decisions.md).

A structured reference to the Table of a deleted sheet (``=COUNTA(potentiel_hot[Name])``,
``SUM(T[[#Data],[Revenue]])``) becomes ``#REF!`` whole, as Excel writes it once the Table is
gone; so does one to a column a replaced Table no longer has (Excel does the same when a
Table's column is deleted).  References to the sheet's cells and to its Table are rewritten in
one pass, so a formula is listed once.

Renaming a sheet changes the references instead (``'Hot list'!A1`` -> ``'Hot'!A1``).
``docProps/app.xml`` lists the tab names (``TitlesOfParts``, counted by group in
``HeadingPairs``); it is kept equal to the workbook's worksheets.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from addin.core.labels import output_column
from addin.workbook.a1 import quote_sheet
from addin.workbook.xml_text import attribute, set_attribute, unescape

#: Text in double quotes inside a formula (``""`` is an escaped quote): never a reference.
_STRING = re.compile(r'"(?:[^"]|"")*"')
#: Headings Excel writes for the group of worksheets in app.xml, in the languages it ships.
WORKSHEET_HEADINGS = frozenset({"Worksheets", "Feuilles de calcul", "Werkbladen",
                                "Arbeitsblätter", "Hojas de cálculo", "Fogli di lavoro",
                                "Planilhas"})
#: Elements whose text is a formula: a cell's ``<f>``, a data validation's ``<formula1>`` and
#: ``<formula2>``, a conditional format's ``<formula>``, the extensions' ``<xm:f>``.
_FORMULA = re.compile(r"(<(?:\w+:)?(?:f|formula|formula1|formula2)\b[^>]*>)([^<]*)"
                      r"(</(?:\w+:)?(?:f|formula|formula1|formula2)>)")
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>.*?</(?:\w+:)?c>)", re.DOTALL)
_VALIDATION = re.compile(r"<(?:\w+:)?dataValidation\b[^>]*?(?:/>|>.*?</(?:\w+:)?dataValidation>)",
                         re.DOTALL)
_CONDITIONAL = re.compile(r"<(?:\w+:)?conditionalFormatting\b[^>]*?"
                          r"(?:/>|>.*?</(?:\w+:)?conditionalFormatting>)", re.DOTALL)
_SQREF = re.compile(r"<(?:\w+:)?sqref>([^<]*)</(?:\w+:)?sqref>")
_LINK = re.compile(r"<(?:\w+:)?hyperlink\b[^>]*?(?:/>|>.*?</(?:\w+:)?hyperlink>)", re.DOTALL)
_NO_LINKS = re.compile(r"<(?:\w+:)?hyperlinks\b[^>]*?(?:/>|>\s*</(?:\w+:)?hyperlinks>)")
#: A chart's data ranges: ``<c:f>``, and ``<c15:f>``, ``<cx:f>`` of the newer chart parts.
_CHART_FORMULA = re.compile(r"(<(?:\w+:)?f\b[^>]*>)([^<]*)(</(?:\w+:)?f>)")
#: The start of a structured reference: a Table's name then ``[`` (not after ``!``: a Table
#: of another workbook, nor inside a name or a quoted sheet).
_TABLE_REF = re.compile(r"(?<![\w.\\'\]!\[#@])([A-Za-z_\\][\w.\\]*)\[")
#: A Table's column in a structured reference: ``'`` escapes ``[ ] # '``.
_ITEM = re.compile(r"\[((?:[^\]']|'.)*)\]")
_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def _sheet_pattern(sheet: str) -> re.Pattern[str]:
    """A reference's sheet part (``'It''s'!`` or ``Data!``), case-insensitive as Excel."""
    quoted = "'" + re.escape(sheet.replace("'", "''")) + "'"
    bare = re.escape(sheet) if re.fullmatch(r"[^\W\d]\w*", sheet) else None
    either = quoted if bare is None else f"(?:{quoted}|{bare})"
    return re.compile(r"(?<![\w.'\]!])" + either + "!", re.IGNORECASE)


#: Tables whose references change: Table name -> what each of its columns (casefolded) is
#: now called, None for a column gone; or None when the whole Table is gone.  A column left
#: out is unchanged.
Tables = Mapping[str, "Mapping[str, str | None] | None"]


def rename_references(formula: str, sheet: str | None, new: str | None,
                      tables: Tables | None = None) -> str:
    """``formula`` with every reference to ``sheet`` made to sheet ``new`` as Excel does when
    a sheet is renamed, or (``new`` None) turned into ``#REF!`` as when it is deleted, and its
    structured references to ``tables`` that are gone (or name a column gone) turned into
    ``#REF!``; text in quotes is left as it is."""
    replacement = "#REF!" if new is None else quote_sheet(new).replace("\\", "\\\\") + "!"
    pattern = _sheet_pattern(sheet) if sheet is not None else None

    def fix(text: str) -> str:
        text = pattern.sub(replacement, text) if pattern is not None else text
        return _break_tables(text, tables) if tables else text
    pieces, last = [], 0
    for string in _STRING.finditer(formula):
        pieces.append(fix(formula[last:string.start()]))
        pieces.append(string.group(0))
        last = string.end()
    pieces.append(fix(formula[last:]))
    return "".join(pieces)


def structured_references(formula: str) -> Iterator[tuple[int, int, str, list[str]]]:
    """Each structured reference of ``formula`` (outside quotes is the caller's business):
    where it starts and ends, its Table's name and the columns it names (``#Data`` and the
    other special items left out)."""
    at = 0
    while (match := _TABLE_REF.search(formula, at)) is not None:
        depth, end = 0, match.end() - 1
        while end < len(formula):
            if formula[end] == "'":
                end += 2
                continue
            depth += {"[": 1, "]": -1}.get(formula[end], 0)
            if depth == 0:
                break
            end += 1
        body = formula[match.end():end]
        items = _ITEM.findall(body) if body.lstrip().startswith("[") else [body]
        yield (match.start(), min(end + 1, len(formula)), match.group(1),
               [re.sub(r"'(.)", r"\1", item) for item in items if item and item[0] != "#"])
        at = end + 1


def _break_tables(text: str, tables: Tables) -> str:
    """``text`` (no quoted strings) with its structured references to a Table gone, or to a
    column its Table no longer has, turned into ``#REF!``, and those to a renamed column
    renamed, as Excel does."""
    by_name = {name.casefold(): now for name, now in tables.items()}
    pieces, last = [], 0
    for start, end, table, columns in structured_references(text):
        if table.casefold() not in by_name:
            continue
        now = by_name[table.casefold()]
        if now is None or any(now.get(c.casefold(), c) is None for c in columns):
            fixed = "#REF!"
        else:
            fixed = _rename_columns(text[start:end], len(table), now)
        pieces.extend((text[last:start], fixed))
        last = end
    return "".join(pieces) + text[last:]


def _rename_columns(reference: str, at: int, now: Mapping[str, str | None]) -> str:
    """A structured reference (its Table's name ``at`` characters long) with its columns
    called as in ``now``; special items (``#Data``) kept."""
    def one(item: str) -> str:
        name = re.sub(r"'(.)", r"\1", item)
        if not item or item[0] == "#" or now.get(name.casefold()) is None:
            return item
        return re.sub(r"([\[\]#'])", r"'\1", now[name.casefold()] or name)
    body = reference[at + 1:-1]
    if body.lstrip().startswith("["):
        body = _ITEM.sub(lambda m: "[" + one(m.group(1)) + "]", body)
    else:
        body = one(body)
    return reference[:at + 1] + body + "]"


def table_change(old: list[str], new: list[str]) -> dict[str, str | None]:
    """What each column of a replaced Table is called in the Table that replaces it: the same
    name, the name of the same result column in another language (a book whose language
    changed: Excel renames references when a header is renamed), or None when it is gone."""
    folded = {c.casefold(): c for c in new}
    by_column = {output_column(c): c for c in new if output_column(c) is not None}
    now: dict[str, str | None] = {}
    for column in old:
        key = column.casefold()
        if key in folded:
            continue
        now[key] = by_column.get(output_column(column)) if output_column(column) else None
    return now


def table_columns(xml: bytes) -> tuple[str, list[str]]:
    """A Table part's name and its column names."""
    root = ET.fromstring(xml)
    return (root.get("displayName") or root.get("name") or "",
            [c.get("name", "") for c in root.iter() if isinstance(c.tag, str)
             and c.tag.rsplit("}", 1)[-1] == "tableColumn"])


def break_references(formula: str, sheet: str) -> str:
    """``formula`` with every reference to ``sheet`` turned into ``#REF!`` as Excel does."""
    return rename_references(formula, sheet, None)


def refers_to(formula: str, sheet: str | None, tables: Tables | None = None) -> bool:
    """Whether ``formula`` refers to ``sheet`` or to what of ``tables`` changes (outside
    quoted text)."""
    return rename_references(formula, sheet, None, tables) != formula


def mentions(xml: str, sheet: str | None, tables: Tables | None = None) -> bool:
    """Whether a part's text may refer to ``sheet`` or one of ``tables``: a cheap test before
    parsing, true for every spelling (quotes doubled, entities) of the sheet's name."""
    folded = xml.casefold()
    if any(table.casefold() + "[" in folded for table in tables or ()):
        return True
    return sheet is not None and max(re.split(r"['&<>\"]", sheet), key=len).casefold() in folded


@dataclass
class Repointed:
    """What :func:`repoint_worksheet` changed, each by the cell or range it sits on."""

    formulas: list[str] = field(default_factory=list)
    validations: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def repoint_worksheet(xml: str, sheet: str | None, new: str | None,
                      tables: Tables | None = None) -> tuple[str, Repointed]:
    """A worksheet part with its references to ``sheet`` made to ``new`` (or, ``new`` None,
    the sheet deleted: ``#REF!``) and its structured references to what of ``tables`` is gone
    made ``#REF!``, in cell formulas, data validations and conditional formats, and its
    hyperlinks to ``sheet`` following it (or removed); with what changed where."""
    found = Repointed()
    if not mentions(xml, sheet, tables):
        return xml, found

    def cell(match: re.Match[str]) -> str:
        fixed = _formulas(match.group(0), sheet, new, tables)
        if fixed != match.group(0):
            found.formulas.append(attribute(match.group(1) + ">", "r") or "?")
        return fixed

    def ruled(kind: list[str]) -> Callable[[re.Match[str]], str]:
        def one(match: re.Match[str]) -> str:
            fixed = _formulas(match.group(0), sheet, new, tables)
            if fixed != match.group(0):
                ranges = attribute(match.group(0)[:match.group(0).index(">") + 1], "sqref")
                listed = _SQREF.search(match.group(0))
                kind.append(ranges or (listed.group(1) if listed else "?"))
            return fixed
        return one

    def link(match: re.Match[str]) -> str:
        element = match.group(0)
        location = attribute(element, "location")
        if location is None or sheet is None or attribute(element, "id") is not None or \
                not refers_to(location, sheet):
            return element
        found.links.append(attribute(element, "ref") or "?")
        if new is None:
            return ""
        return set_attribute(element, "location", rename_references(location, sheet, new))

    xml = _CELL.sub(cell, xml)
    xml = _VALIDATION.sub(ruled(found.validations), xml)
    xml = _CONDITIONAL.sub(ruled(found.formats), xml)
    xml = _LINK.sub(link, xml)
    if found.links and new is None:
        xml = _NO_LINKS.sub("", xml)  # an empty <hyperlinks> is not valid
    return xml, found


def repoint_chart(xml: str, sheet: str, new: str | None) -> tuple[str, int]:
    """A chart part with its data ranges on ``sheet`` made to ``new``, or (``new`` None)
    turned into ``#REF!`` as Excel does when the sheet is deleted; the cached values are
    kept.  Returns the part and how many ranges changed."""
    changed = 0
    if not mentions(xml, sheet):
        return xml, changed

    def one(match: re.Match[str]) -> str:
        nonlocal changed
        text = unescape(match.group(2))
        if not refers_to(text, sheet):
            return match.group(0)
        changed += 1
        fixed = "#REF!" if new is None else escape(rename_references(text, sheet, new))
        return match.group(1) + fixed + match.group(3)
    return _CHART_FORMULA.sub(one, xml), changed


def _formulas(block: str, sheet: str | None, new: str | None, tables: Tables | None) -> str:
    """``block`` with each formula element's references to ``sheet`` and ``tables``
    repointed."""
    def one(match: re.Match[str]) -> str:
        text = unescape(match.group(2))
        fixed = rename_references(text, sheet, new, tables)
        if fixed == text:
            return match.group(0)
        return match.group(1) + escape(fixed) + match.group(3)
    return _FORMULA.sub(one, block)


def app_titles(xml: bytes, worksheets: list[str]) -> bytes | None:
    """app.xml with its worksheet titles set to ``worksheets`` (tab order), or None when it
    has no worksheet group to update.  Other groups (named ranges, charts) are kept."""
    ET.register_namespace("", _EP)
    ET.register_namespace("vt", _VT)
    root = ET.fromstring(xml)
    pairs = root.find(f"{{{_EP}}}HeadingPairs/{{{_VT}}}vector")
    titles = root.find(f"{{{_EP}}}TitlesOfParts/{{{_VT}}}vector")
    if pairs is None or titles is None:
        return None
    variants = list(pairs)
    offset = 0
    for heading, count in zip(variants[0::2], variants[1::2], strict=False):
        label = heading.findtext(f"{{{_VT}}}lpstr")
        number = count.find(f"{{{_VT}}}i4")
        if number is None:
            return None
        n = int(number.text or 0)
        if label in WORKSHEET_HEADINGS:
            old = list(titles)[offset:offset + n]
            at = list(titles).index(old[0]) if old else offset
            for element in old:
                titles.remove(element)
            for k, name in enumerate(worksheets):
                element = ET.Element(f"{{{_VT}}}lpstr")
                element.text = name
                titles.insert(at + k, element)
            number.text = str(len(worksheets))
            titles.set("size", str(len(titles)))
            return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + \
                ET.tostring(root, encoding="utf-8", xml_declaration=False)
        offset += n
    return None
