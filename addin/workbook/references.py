"""What Excel does to the rest of a workbook when a sheet goes away or the tab list changes.

Deleting a sheet in Excel turns every reference to it, in defined names and in cell formulas,
into ``#REF!`` and keeps the cell part of the reference: ``'Key accounts'!$A$2:$A$55`` becomes
``#REF!$A$2:$A$55``, ``=COUNTA('Key accounts'!A:A)`` becomes ``=COUNTA(#REF!A:A)``.  A name
left pointing at a missing sheet is one of the things Excel "repairs" on open (and LibreOffice
silently drops), so potentiel does the same as Excel when it deletes one of its result sheets.

Renaming a sheet changes the references instead (``'Hot list'!A1`` -> ``'Hot'!A1``).
``docProps/app.xml`` lists the tab names (``TitlesOfParts``, counted by group in
``HeadingPairs``); it is kept equal to the workbook's worksheets.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from addin.workbook.a1 import quote_sheet

#: Text in double quotes inside a formula (``""`` is an escaped quote): never a reference.
_STRING = re.compile(r'"(?:[^"]|"")*"')
#: Headings Excel writes for the group of worksheets in app.xml, in the languages it ships.
WORKSHEET_HEADINGS = frozenset({"Worksheets", "Feuilles de calcul", "Werkbladen",
                                "Arbeitsblätter", "Hojas de cálculo", "Fogli di lavoro",
                                "Planilhas"})
_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def _sheet_pattern(sheet: str) -> re.Pattern[str]:
    """A reference's sheet part (``'It''s'!`` or ``Data!``), case-insensitive as Excel."""
    quoted = "'" + re.escape(sheet.replace("'", "''")) + "'"
    bare = re.escape(sheet) if re.fullmatch(r"[^\W\d]\w*", sheet) else None
    either = quoted if bare is None else f"(?:{quoted}|{bare})"
    return re.compile(r"(?<![\w.'\]!])" + either + "!", re.IGNORECASE)


def rename_references(formula: str, sheet: str, new: str | None) -> str:
    """``formula`` with every reference to ``sheet`` made to sheet ``new`` as Excel does when
    a sheet is renamed, or (``new`` None) turned into ``#REF!`` as when it is deleted; text in
    quotes is left as it is."""
    replacement = "#REF!" if new is None else quote_sheet(new).replace("\\", "\\\\") + "!"
    pattern = _sheet_pattern(sheet)
    pieces, last = [], 0
    for string in _STRING.finditer(formula):
        pieces.append(pattern.sub(replacement, formula[last:string.start()]))
        pieces.append(string.group(0))
        last = string.end()
    pieces.append(pattern.sub(replacement, formula[last:]))
    return "".join(pieces)


def break_references(formula: str, sheet: str) -> str:
    """``formula`` with every reference to ``sheet`` turned into ``#REF!`` as Excel does."""
    return rename_references(formula, sheet, None)


def refers_to(formula: str, sheet: str) -> bool:
    """Whether ``formula`` refers to ``sheet`` (outside quoted text)."""
    return break_references(formula, sheet) != formula


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
