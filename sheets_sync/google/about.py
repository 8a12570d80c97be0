"""The About tab: a legend of the synced tabs and the stamp of the last sync that wrote.

It says, in the book's language, which columns the sync overwrites and which are the sales
team's, what each colour means (the palette of :mod:`addin.core.palette`), and when the sync
last changed the spreadsheet.  The legend is written when the tab is created and whenever the
segment tabs are dressed again; the stamp rides in the run's single ``values:batchUpdate`` when
the run writes anything else.  A run that changes nothing writes no stamp: stamping it would
cost a write request and bump the spreadsheet's version, so the next run could no longer tell
"unchanged" in one small request (see docs/decisions.md).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from addin.core.labels import VALUES, language_index
from addin.core.messages import plural
from addin.core.palette import COLOURED_VALUES, MEANINGS
from addin.workbook.a1 import quote_sheet
from sheets_sync.google.layout import MEANING_WORDS, Look, rgb, text_pixels

TITLES = ("About", "À propos", "Over")
_WORDS: dict[str, tuple[str, str, str]] = {
    "heading": ("Google Sheets sync of the workbook: what the tabs show",
                "Synchronisation du classeur avec Google Sheets : ce que montrent les onglets",
                "Synchronisatie van de werkmap met Google Sheets: wat de tabbladen tonen"),
    "last": ("Last sync that changed this spreadsheet", "Dernière synchronisation qui a modifié "
             "ce classeur", "Laatste synchronisatie die deze spreadsheet wijzigde"),
    "column": ("Column", "Colonne", "Kolom"),
    "filled": ("Filled by", "Rempli par", "Ingevuld door"),
    "workbook": ("the workbook: overwritten at every sync (grey header)",
                 "le classeur : réécrit à chaque synchronisation (en-tête gris)",
                 "de werkmap: bij elke synchronisatie overschreven (grijze kop)"),
    "you": ("you: brought back into the workbook", "vous : revient dans le classeur",
            "u: gaat terug naar de werkmap"),
    "colour": ("Colour", "Couleur", "Kleur"),
    "meaning": ("Meaning", "Signification", "Betekenis"),
    "stamp": ("{when}: {cells} written here, {conflicts} kept in the workbook's Conflicts sheet",
              "{when} : {cells} ici, {conflicts} dans la feuille Conflits du classeur",
              "{when}: {cells} hier geschreven, {conflicts} bewaard in het blad Conflicten van de "
              "werkmap"),
}
#: What the stamp counts, (singular, plural) in en, fr, nl (French participles agree).
_COUNTED: dict[str, tuple[tuple[str, str], ...]] = {
    "cells": (("change", "changes"), ("modification écrite", "modifications écrites"),
              ("wijziging", "wijzigingen")),
    "conflicts": (("conflict", "conflicts"), ("conflit gardé", "conflits gardés"),
                  ("conflict", "conflicten")),
}
SIGNATURE_CELL = "E1"
LEGEND_TOP = 4
"""1-based row of the legend's column table (rows 1-3: heading, stamp, blank)."""
#: The About tab's grid: the legend is rewritten over all its rows, so a shorter one leaves
#: nothing of a longer one behind.
ROWS, COLUMNS = 100, 5
#: Bounds of the legend's two column widths (pixels): its text fits, or wraps past the bound.
LABEL_BOUNDS, TEXT_BOUNDS = (160, 360), (240, 480)


def title(look: Look) -> str:
    """The About tab's title in the book's language."""
    return look.word(TITLES)


def _word(key: str, look: Look) -> str:
    return _WORDS[key][language_index(look.language)]


def legend(look: Look) -> tuple[list[list[str]], list[tuple[int, str]]]:
    """The legend's rows (from row 1) and the (0-based row, meaning) of its colour swatches."""
    rows = [[_word("heading", look)], [_word("last", look)], [],
            [_word("column", look), _word("filled", look)]]
    rows += [[look.label(c), _word("workbook" if c in look.owned else "you", look)]
             for c in look.columns]
    rows += [[], [_word("colour", look), _word("meaning", look)]]
    swatches = []
    i = language_index(look.language)
    for column in look.columns:
        for value, meaning in COLOURED_VALUES.get(column, {}).items():
            shown = VALUES[column][value][i] if column in VALUES else value
            swatches.append((len(rows), meaning))
            rows.append([f"{look.label(column)} = {shown}", look.word(MEANING_WORDS[meaning])])
    return rows, swatches


def legend_ranges(look: Look) -> list[dict[str, Any]]:
    """The legend as ``values:batchUpdate`` ranges (the stamp cell left alone), blanking the
    rows below it that an earlier, longer legend filled."""
    rows, _ = legend(look)
    name = quote_sheet(title(look))
    top = [{"range": f"{name}!A1:A2", "values": [rows[0], rows[1]]}]
    end = max(len(rows), ROWS)
    body = [r + [""] * (2 - len(r)) for r in rows[2:]] + [["", ""]] * (end - len(rows))
    return [*top, {"range": f"{name}!A3:B{end}", "values": body}]


def signature_range(look: Look) -> str:
    """The cell that keeps what the tabs were dressed for (:meth:`Look.signature`): a change
    of status choices, currency or date columns dresses them again, found in the run's read."""
    return f"{quote_sheet(title(look))}!{SIGNATURE_CELL}"


def stamp_range(look: Look, cells: int, conflicts: int,
                now: datetime | None = None) -> dict[str, Any]:
    """The last-sync stamp (cell B2), in UTC."""
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    i = language_index(look.language)
    counts = {name: plural(count, *_COUNTED[name][i], look.language)
              for name, count in (("cells", cells), ("conflicts", conflicts))}
    text = _word("stamp", look).format(when=when, **counts)
    return {"range": f"{quote_sheet(title(look))}!B2", "values": [[text]]}


def about_requests(sheet_id: int, look: Look) -> list[dict[str, Any]]:
    """The About tab's look, from a clean slate (the legend's rows move when the columns
    change): a bold heading, bold table headers, the colour swatches, two columns as wide as
    their text, wrapped past a bound so nothing is cut off."""
    rows, swatches = legend(look)
    heads = [0, LEGEND_TOP - 1, LEGEND_TOP + len(look.columns) + 1]
    legend_area = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": ROWS,
                   "startColumnIndex": 0, "endColumnIndex": 2}
    out: list[dict[str, Any]] = [{"repeatCell": {
        "range": legend_area, "cell": {}, "fields": "userEnteredFormat"}}]
    out.append({"repeatCell": {  # below the heading, which may run on over the empty B1
        "range": {**legend_area, "startRowIndex": 1},
        "cell": {"userEnteredFormat": {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}},
        "fields": "userEnteredFormat(wrapStrategy,verticalAlignment)"}})
    out += [{"repeatCell": {
        "range": {"sheetId": sheet_id, "startRowIndex": r, "endRowIndex": r + 1,
                  "startColumnIndex": 0, "endColumnIndex": 2},
        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
        "fields": "userEnteredFormat.textFormat.bold"}} for r in heads]
    for row, meaning in swatches:
        font, fill = MEANINGS[meaning]
        out.append({"repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": row, "endRowIndex": row + 1,
                      "startColumnIndex": 0, "endColumnIndex": 1},
            "cell": {"userEnteredFormat": {
                "backgroundColorStyle": {"rgbColor": rgb(fill)},
                "textFormat": {"foregroundColorStyle": {"rgbColor": rgb(font)}}}},
            "fields": "userEnteredFormat(backgroundColorStyle,textFormat.foregroundColorStyle)"}})
    out.append({"repeatCell": {  # the fingerprint: for the sync, not for reading
        "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1,
                  "startColumnIndex": 4, "endColumnIndex": 5},
        "cell": {"userEnteredFormat": {"textFormat": {
            "foregroundColorStyle": {"rgbColor": rgb(MEANINGS["neutral"][1])},
            "fontSize": 6}}},
        "fields": "userEnteredFormat.textFormat(foregroundColorStyle,fontSize)"}})
    labels = [r[0] for r in rows[1:] if r]
    texts = [r[1] for r in rows if len(r) > 1]
    widths = ((0, _fit(labels, LABEL_BOUNDS)), (1, _fit(texts, TEXT_BOUNDS)))
    out += [{"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": c,
                  "endIndex": c + 1},
        "properties": {"pixelSize": size}, "fields": "pixelSize"}}
        for c, size in widths]
    return out


def _fit(texts: list[str], bounds: tuple[int, int]) -> int:
    """A width (pixels) for the longest of ``texts``, within ``bounds``."""
    low, high = bounds
    return min(max([low, *(text_pixels(t) for t in texts)]), high)
