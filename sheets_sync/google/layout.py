"""How a synced tab looks and reads: the Excel segment sheet's call list, made for Google Sheets.

One label table for both surfaces: headers and words come from :mod:`addin.core.labels`, colours
and their meanings from :mod:`addin.core.palette`, number formats follow the Excel result
sheets.  The sync keeps canonical names and values everywhere else (configuration, merge,
state); this module is the only place that turns them into what a salesperson sees, and back:

- :func:`shown_cells` -- canonical values as cells: words in the book's language, dates as
  serial numbers (real date cells, shown by the column's DATE format in the spreadsheet's
  locale), numbers at full precision;
- :func:`read_cells` -- cells back to canonical values (a localized word, a date serial, an
  earlier version's English word or ISO text), and which cells still show an old form and must
  be rewritten so the tab is upgraded in place;
- :func:`format_requests` -- the ``spreadsheets:batchUpdate`` requests that dress a tab:
  header labels' look, number formats, status dropdown, date validation (the date picker),
  filter, frozen header + id + name, colours, warning-only protection of the sync's columns.
  They are sent only when a tab is created, when its header changes, or on ``--reformat``;
  a person's own formatting is never fought on a normal run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from addin.core.labels import VALUES, canonical_value, header, language_index, output_column
from addin.core.palette import COLOURED_VALUES, MEANINGS
from addin.core.schema import fold
from addin.workbook.sheetxml import (
    HEADER_FILL,
    INTEGER_FORMAT,
    PERCENT_FORMAT,
    SCORE_FORMAT,
    money_format,
)
from addin.workbook.tables import (
    INTEGER_COLUMNS,
    MONEY_AMOUNT_COLUMNS,
    PERCENT_COLUMNS,
    SCORE_COLUMNS,
)

#: Columns holding dates whatever the workbook (others are dates when the workbook's are).
DATE_COLUMNS = ("first_order", "last_order", "next_action")
#: Day 0 of Google's (and Excel's) serial dates.
EPOCH = pd.Timestamp("1899-12-30")
#: The status dropdown's choices when the configuration gives none (en, fr, nl).
STATUS_CHOICES: dict[str, tuple[str, ...]] = {
    "en": ("to call", "called", "call back", "meeting booked", "won", "not interested"),
    "fr": ("à appeler", "appelé", "à rappeler", "rendez-vous pris", "gagné", "pas intéressé"),
    "nl": ("te bellen", "gebeld", "terugbellen", "afspraak gemaakt", "gewonnen",
           "geen interesse"),
}
#: What each colour of the palette says, for the legend (en, fr, nl).
MEANING_WORDS: dict[str, tuple[str, str, str]] = {
    "opportunity": ("worth a call now", "à appeler maintenant", "nu bellen"),
    "good": ("healthy", "en bonne santé", "gezond"),
    "watch": ("keep an eye on it", "à surveiller", "in de gaten houden"),
    "act": ("something is going wrong: act", "quelque chose ne va pas : agir",
            "er gaat iets mis: actie nodig"),
    "neutral": ("unremarkable", "rien à signaler", "niets bijzonders"),
}
#: Notes on the headers: who fills the column (en, fr, nl).
OWNED_NOTE = ("Computed by the workbook and overwritten at every sync: an edit here is undone "
              "(and kept in the Conflicts sheet).",
              "Calculé par le classeur et réécrit à chaque synchronisation : une saisie ici est "
              "annulée (et gardée dans la feuille Conflicts).",
              "Berekend door de werkmap en bij elke synchronisatie overschreven: een wijziging "
              "hier wordt ongedaan gemaakt (en bewaard in het blad Conflicts).")
SALES_NOTE = ("Yours: what you type here is brought back into the workbook at the next sync.",
              "À vous : ce que vous saisissez ici revient dans le classeur à la prochaine "
              "synchronisation.",
              "Van u: wat u hier typt, komt bij de volgende synchronisatie in de werkmap.")
#: Descriptions of the protected ranges of earlier versions and of this one: ranges with one
#: of them are the sync's own, replaced when a tab is dressed again.
OLD_PROTECTION_NOTES = ("Computed by the workbook: an edit here is undone at the next sync "
                        "(and kept in the Conflicts sheet).",)
OWN_NOTES = frozenset({*OWNED_NOTE, *OLD_PROTECTION_NOTES})
HEADER_ROW_PIXELS = 36
#: Widths (pixels) of the columns of free text, by what people keep there; bounds of any column.
TEXT_WIDTHS = {"name": 160, "company": 170, "email": 220, "notes": 240, "owner": 140,
               "key": 90, "typed date": 140, "other": 110}
MIN_WIDTH, MAX_WIDTH = 70, 280
DROPDOWN_PIXELS = 24
_CHAR_PIXELS = (7, 8)  # normal, bold
_PADDING = 12
#: Bumped when the way tabs are dressed changes, so existing tabs are dressed again.
LOOK_VERSION = 2
_FILL_OWNED = MEANINGS["neutral"][1]
_ISO_DATE = r"\d{4}-\d\d-\d\d(?:[ T]00:00:00(?:\.0+)?)?"


@dataclass(frozen=True)
class Look:
    """What a run's tabs show: their columns (canonical, in tab order), which the sync owns,
    the book's language and currency, the date columns and the status choices."""

    columns: tuple[str, ...]
    key: str
    owned: frozenset[str]
    language: str = "en"
    currency: str | None = None
    dates: frozenset[str] = frozenset(DATE_COLUMNS)
    choices: tuple[str, ...] = ()
    status: str = "status"
    #: tab -> customer ids in call-list order (how new rows are appended).
    order: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def label(self, column: str) -> str:
        """The header a column shows in the book's language (its own name when unknown)."""
        return header(column, self.language)

    def signature(self) -> str:
        """A short fingerprint of everything dressing a tab depends on (not the rows)."""
        what = [self.columns, self.key, sorted(self.owned), self.language, self.currency,
                sorted(self.dates), self.choices, self.status, LOOK_VERSION]
        return "look:" + hashlib.sha256(json.dumps(what).encode()).hexdigest()[:12]

    def word(self, words: tuple[str, str, str]) -> str:
        return words[language_index(self.language)]


def status_choices(language: str, configured: Sequence[str] | None) -> tuple[str, ...]:
    """The status dropdown's choices: the configuration's, else the default list."""
    return tuple(configured) if configured else STATUS_CHOICES[language]


def column_of(text: object, columns: Sequence[str]) -> str | None:
    """The synced column a header cell names: its canonical name, its label in any language,
    or an earlier version's label (case, accents and spaces aside); None for other columns."""
    folded = fold(text)
    if not folded:
        return None
    by_name = {fold(c): c for c in columns}
    if folded in by_name:
        return by_name[folded]
    found = output_column(text)
    return found if found in columns else None


# -- values ----------------------------------------------------------------------------------


def shown_cells(column: str, values: pd.Series, look: Look) -> pd.Series:
    """Canonical values as a tab shows them: words in the book's language, dates as serials."""
    out = values.astype(object)
    words = VALUES.get(column)
    if words is not None:
        i = language_index(look.language)
        mapped = out.map({k: v[i] for k, v in words.items()})
        out = mapped.where(mapped.notna(), out)
    if column in look.dates:
        out = _serials(out)
    return out


def _serials(values: pd.Series) -> pd.Series:
    """Dates (and ISO date text) as Google's serial day numbers; other values unchanged."""
    kinds = values.map(type)
    stamps = kinds.isin((pd.Timestamp, datetime, date))
    texts = kinds.eq(str)
    if texts.any():
        stamps |= texts & values.astype(str).str.fullmatch(_ISO_DATE)
    if not stamps.any():
        return values
    when = pd.to_datetime(values[stamps].map(str), format="ISO8601", errors="coerce")
    when = when.dt.tz_localize(None) if when.dt.tz is not None else when
    serial = (when - EPOCH) / pd.Timedelta(days=1)
    out = values.copy()
    good = serial.notna()
    out[serial.index[good]] = serial[good].astype(object)
    return out


def read_cells(column: str, cells: np.ndarray, look: Look,
               written_in: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Cells of a tab back to canonical values, and where a cell shows an old form (an English
    word in a French book, ISO text where a date cell belongs) and is to be rewritten.

    ``written_in`` is the language the column's words were written in when its header says
    so (an earlier version's snake_case header: the code's English words), so that an old
    ``warm`` in a Dutch book is read as warm, not as the Dutch ``warm`` (hot)."""
    values = pd.Series(cells, dtype=object)
    stale = np.zeros(len(values), dtype=bool)
    words = VALUES.get(column)
    if words is not None and len(values):
        codes, uniques = pd.factorize(values)
        i = language_index(look.language)
        known = [canonical_value(column, w, written_in or look.language)
                 if isinstance(w, str) else w for w in uniques]
        shown = [words[k][i] if isinstance(k, str) and k in words else w
                 for k, w in zip(known, uniques, strict=True)]
        canon = np.array([*known, None], dtype=object)[codes]
        stale = np.array([s != w for s, w in zip(shown, uniques, strict=True)] + [False])[codes]
        values = pd.Series(canon, dtype=object)
    if column in look.dates and len(values):
        kinds = values.map(type)
        numbers = kinds.isin((int, float)).to_numpy()
        if numbers.any():
            serial = pd.to_numeric(values[numbers])
            days = (EPOCH + pd.to_timedelta(serial, unit="D")).dt.round("s")
            values[numbers] = days.astype(object)
        texts = kinds.eq(str).to_numpy()
        if texts.any():
            stale |= texts & values.astype(str).str.fullmatch(_ISO_DATE).to_numpy()
    return values.to_numpy(dtype=object), stale


# -- dressing a tab ---------------------------------------------------------------------------


def rgb(argb: str) -> dict[str, float]:
    """An ARGB colour of the palette as the Sheets API's Color."""
    return {name: round(int(argb[at:at + 2], 16) / 255, 4)
            for name, at in (("red", 2), ("green", 4), ("blue", 6))}


def _span(sheet_id: int, column: int, start: int = 1, end: int | None = None) -> dict[str, Any]:
    span = {"sheetId": sheet_id, "startRowIndex": start, "startColumnIndex": column,
            "endColumnIndex": column + 1}
    if end is not None:
        span["endRowIndex"] = end
    return span


def number_format(column: str, look: Look) -> dict[str, str] | None:
    """The number format of a column's cells, as the Excel result sheets have it."""
    if column in look.dates:
        return {"type": "DATE"}  # no pattern: the spreadsheet's locale decides how it reads
    if column in PERCENT_COLUMNS:
        return {"type": "PERCENT", "pattern": PERCENT_FORMAT}
    if column in MONEY_AMOUNT_COLUMNS:
        return {"type": "CURRENCY" if look.currency else "NUMBER",
                "pattern": money_format(look.currency)}
    if column in INTEGER_COLUMNS:
        return {"type": "NUMBER", "pattern": INTEGER_FORMAT}
    if column in SCORE_COLUMNS:
        return {"type": "NUMBER", "pattern": SCORE_FORMAT}
    return None


def cell_requests(sheet_id: int, where: Mapping[str, int], look: Look, start: int,
                  end: int) -> list[dict[str, Any]]:
    """Number formats and validations of rows ``[start, end)`` (0-based): what new rows need
    when a grid grows, and part of dressing a whole tab."""
    out: list[dict[str, Any]] = []
    for column, at in where.items():
        fmt = number_format(column, look)
        if fmt is not None:
            out.append({"repeatCell": {
                "range": _span(sheet_id, at, start, end),
                "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                "fields": "userEnteredFormat.numberFormat"}})
        rule = _validation(column, look)
        if rule is not None:
            out.append({"setDataValidation": {"range": _span(sheet_id, at, start, end),
                                              "rule": rule}})
    return out


def _validation(column: str, look: Look) -> dict[str, Any] | None:
    """The status dropdown (other text allowed, with a warning mark) and the date picker."""
    if column == look.status and look.choices:
        return {"condition": {"type": "ONE_OF_LIST",
                              "values": [{"userEnteredValue": c} for c in look.choices]},
                "strict": False, "showCustomUi": True}
    if column in look.dates and column not in look.owned:
        return {"condition": {"type": "DATE_IS_VALID"}, "strict": False}
    return None


def frozen_columns(columns: Sequence[str], key: str) -> int:
    """How many leading columns stay in view: the id and the name when they lead."""
    count = 0
    for column in columns:
        if column not in (key, "name", "company"):
            break
        count += 1
    return min(count, 2)


@dataclass(frozen=True)
class Decor:
    """What the sync put on a tab before and will replace: its protected ranges and the
    indexes of its conditional format rules (both found by ``spreadsheets.get``)."""

    protected: tuple[int, ...] = ()
    rules: tuple[int, ...] = ()


def decor_of(sheet: Mapping[str, Any]) -> Decor:
    """The sync's own protections and colour rules in a sheet of ``spreadsheets.get``."""
    protected = tuple(p["protectedRangeId"] for p in sheet.get("protectedRanges", [])
                      if p.get("description") in OWN_NOTES)
    fills = {tuple(rgb(fill).values()) for _, fill in MEANINGS.values()}
    rules = []
    for index, rule in enumerate(sheet.get("conditionalFormats", [])):
        boolean = rule.get("booleanRule") or {}
        colour = ((boolean.get("format") or {}).get("backgroundColorStyle") or {}).get(
            "rgbColor") or {}
        shade = tuple(round(float(colour.get(c, 0)), 4) for c in ("red", "green", "blue"))
        if (boolean.get("condition") or {}).get("type") == "TEXT_EQ" and shade in fills:
            rules.append(index)
    return Decor(protected, tuple(rules))


def format_requests(sheet_id: int, where: Mapping[str, int], rows: int, look: Look,
                    decor: Decor = Decor()) -> list[dict[str, Any]]:
    """Every request that dresses a tab of ``rows`` rows whose columns sit at ``where``,
    after removing the sync's earlier protections and colour rules (``decor``)."""
    out: list[dict[str, Any]] = [{"deleteProtectedRange": {"protectedRangeId": p}}
                                 for p in decor.protected]
    out += [{"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": i}}
            for i in sorted(decor.rules, reverse=True)]
    ordered = sorted(where, key=where.__getitem__)
    width = max(where.values()) + 1
    out.append({"updateSheetProperties": {
        "properties": {"sheetId": sheet_id, "gridProperties": {
            "frozenRowCount": 1, "frozenColumnCount": frozen_columns(ordered, look.key)}},
        "fields": "gridProperties.frozenRowCount,gridProperties.frozenColumnCount"}})
    for column, at in where.items():
        owned = column in look.owned
        out.append({"repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1,
                      "startColumnIndex": at, "endColumnIndex": at + 1},
            "cell": {"userEnteredFormat": {
                "backgroundColorStyle": {"rgbColor": rgb(_FILL_OWNED if owned
                                                         else HEADER_FILL)},
                "textFormat": {"bold": True},
                "verticalAlignment": "MIDDLE", "wrapStrategy": "WRAP"},
                "note": look.word(OWNED_NOTE if owned else SALES_NOTE)},
            "fields": "userEnteredFormat(backgroundColorStyle,textFormat.bold,"
                      "verticalAlignment,wrapStrategy),note"}})
        out.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": at,
                      "endIndex": at + 1},
            "properties": {"pixelSize": _width(column, look)}, "fields": "pixelSize"}})
        if owned:
            out.append({"addProtectedRange": {"protectedRange": {
                "range": _span(sheet_id, at, 0), "description": look.word(OWNED_NOTE),
                "warningOnly": True}}})
    out.append({"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": 0, "endIndex": 1},
        "properties": {"pixelSize": HEADER_ROW_PIXELS}, "fields": "pixelSize"}})
    out += cell_requests(sheet_id, where, look, 1, rows)
    out.append({"setBasicFilter": {"filter": {"range": {
        "sheetId": sheet_id, "startRowIndex": 0, "startColumnIndex": 0,
        "endColumnIndex": width}}}})
    out += colour_rules(sheet_id, where, look)
    return out


def colour_rules(sheet_id: int, where: Mapping[str, int], look: Look) -> list[dict[str, Any]]:
    """The palette's colours on the coloured columns, matching the words the tab shows."""
    out = []
    i = language_index(look.language)
    for column, at in where.items():
        for value, meaning in COLOURED_VALUES.get(column, {}).items():
            shown = VALUES[column][value][i] if column in VALUES else value
            font, fill = MEANINGS[meaning]
            out.append({"addConditionalFormatRule": {"index": len(out), "rule": {
                "ranges": [_span(sheet_id, at)],
                "booleanRule": {
                    "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": shown}]},
                    "format": {"backgroundColorStyle": {"rgbColor": rgb(fill)},
                               "textFormat": {"foregroundColorStyle": {"rgbColor": rgb(font)},
                                              "bold": meaning in ("opportunity", "act")}}}}}})
    return out


def text_pixels(text: str, bold: bool = False) -> int:
    """About how wide ``text`` shows in Google's default font (Arial 10), padding included:
    a character counted wider than Arial's average, so what is measured fits."""
    return len(text) * _CHAR_PIXELS[bold] + _PADDING


def _width(column: str, look: Look) -> int:
    """A column's width in pixels: room for its label's longest word (the header wraps on two
    lines, never inside a word) and for the values it usually holds."""
    label = look.label(column)
    header = max([text_pixels(w, bold=True) for w in label.split()]
                 + [text_pixels(label, bold=True) // 2 + _PADDING])
    return int(min(max(header, _value_pixels(column, look), MIN_WIDTH), MAX_WIDTH))


def _value_pixels(column: str, look: Look) -> int:
    """Room for a column's values: its longest word in the book's language (bold when a colour
    rule makes it bold), the longest status choice beside the dropdown's arrow, a date, an
    amount, or a width that suits the text people keep there."""
    if column == look.key:
        return TEXT_WIDTHS["key"]
    if column in VALUES:
        i = language_index(look.language)
        coloured = column in COLOURED_VALUES
        return max(text_pixels(words[i], bold=coloured) for words in VALUES[column].values())
    if column == look.status and look.choices:
        return max(text_pixels(c) for c in look.choices) + DROPDOWN_PIXELS
    if column in look.dates:  # a date people type may be a few words ("call back Monday")
        return text_pixels("31/12/2026") if column in look.owned else TEXT_WIDTHS["typed date"]
    if column in MONEY_AMOUNT_COLUMNS:
        return text_pixels("1 234 567,89 €")
    if column in (*PERCENT_COLUMNS, *SCORE_COLUMNS, *INTEGER_COLUMNS):
        return text_pixels("100.0%")
    return TEXT_WIDTHS.get(column, TEXT_WIDTHS["other"])
