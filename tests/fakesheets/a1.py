"""A1 notation the way the Sheets API reads it and writes it back.

A range is a sheet title (quoted with ``'`` when needed, ``''`` for a quote) and an optional
``!`` part: ``A1``, ``A1:B2``, ``A:B``, ``2:3`` or ``A2:B``.  Missing ends are unbounded and are
filled in from the grid; Google echoes the filled-in range (``Sheet1!A1:Z1000``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Column ZZZ, the last one Google Sheets has.
MAX_COLUMNS = 18278

_END = re.compile(r"([A-Za-z]{1,3})?([0-9]+)?")
_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")


class BadRange(ValueError):
    """The text is not A1 notation."""


@dataclass(frozen=True)
class Span:
    """Zero-based, end-exclusive bounds; ``None`` means unbounded on that side."""

    row0: int | None
    col0: int | None
    row1: int | None
    col1: int | None

    @property
    def is_cell(self) -> bool:
        """A single cell: Google then treats the range as a start point only."""
        return (
            self.row0 is not None
            and self.col0 is not None
            and self.row1 == self.row0 + 1
            and self.col1 == self.col0 + 1
        )


def column_letters(index: int) -> str:
    """0 -> ``A``, 26 -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` -> 0, ``AA`` -> 26."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def quote_title(title: str) -> str:
    """A sheet title as Google writes it in a range: bare if it is a plain name, else quoted."""
    if _PLAIN_TITLE.fullmatch(title) and not _CELL_LIKE.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split(text: str) -> tuple[str | None, str | None]:
    """``(title, a1)`` of a range; a bare ``A1:B2`` gives ``(None, 'A1:B2')`` and a bare word
    ``(None, word)``, which the caller tries as A1 first, then as a sheet title."""
    text = text.strip()
    if not text.startswith("'"):
        if "!" in text:
            title, a1 = text.rsplit("!", 1)
            return title, a1
        return None, text
    title, i = [], 1
    while i < len(text):
        if text[i] == "'":
            if text[i + 1 : i + 2] == "'":
                title.append("'")
                i += 2
                continue
            break
        title.append(text[i])
        i += 1
    else:
        raise BadRange(text)
    rest = text[i + 1 :]
    if not rest:
        return "".join(title), None
    if not rest.startswith("!"):
        raise BadRange(text)
    return "".join(title), rest[1:]


def parse(a1: str) -> Span:
    """Bounds of the part after ``!``; raises :class:`BadRange`."""
    parts = a1.strip().split(":")
    if len(parts) > 2 or not all(parts):
        raise BadRange(a1)
    ends = []
    for part in parts:
        match = _END.fullmatch(part)
        if match is None or not any(match.groups()):
            raise BadRange(a1)
        letters, digits = match.groups()
        col = column_index(letters) if letters else None
        row = int(digits) - 1 if digits else None
        if (row is not None and row < 0) or (col is not None and col >= MAX_COLUMNS):
            raise BadRange(a1)
        ends.append((row, col))
    if len(ends) == 1:
        row, col = ends[0]
        if row is None or col is None:
            raise BadRange(a1)
        return Span(row, col, row + 1, col + 1)
    (r0, c0), (r1, c1) = ends
    if r0 is not None and r1 is not None and r0 > r1:
        r0, r1 = r1, r0
    if c0 is not None and c1 is not None and c0 > c1:
        c0, c1 = c1, c0
    # A row-only start (``2:3``) spans all columns; a column-only one (``A:B``) all rows.
    return Span(r0, c0, None if r1 is None else r1 + 1, None if c1 is None else c1 + 1)


def is_a1(text: str) -> bool:
    """Whether a bare range (no ``!``) reads as cells rather than as a sheet title."""
    try:
        parse(text)
    except BadRange:
        return False
    return True


def label(title: str, row0: int, col0: int, row1: int, col1: int) -> str:
    """``Sheet1!A1:B2`` for end-exclusive bounds; one cell gives ``Sheet1!A1``."""
    start = f"{column_letters(col0)}{row0 + 1}"
    end = f"{column_letters(col1 - 1)}{row1}"
    cells = start if (row1 - row0, col1 - col0) == (1, 1) else f"{start}:{end}"
    return f"{quote_title(title)}!{cells}"


def cell_label(row: int, col: int) -> str:
    """``A1`` of zero-based indexes."""
    return f"{column_letters(col)}{row + 1}"
