"""A1 references: column letters, cell references and quoted sheet names.

One module for the workbook files and the Google Sheets ranges alike.  It is plain Python (no
XlsxWriter import) because the Excel adapters, xlwings Lite included, address cells with it too.
"""

from __future__ import annotations

import re

from addin.errors import WorkbookError

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """0-based index of Excel column letters: A -> 0, AA -> 26."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def split_ref(ref: str) -> tuple[int, int]:
    """(0-based column, 1-based row) of a cell reference such as ``B7`` or ``$B$7``."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise WorkbookError(f"unreadable cell reference '{ref}'",
                            hint="Open the workbook in Excel and save it again.")
    return column_index(match.group(1)), int(match.group(2))


def cell_ref(row: int, column: int) -> str:
    """``B7`` for the 1-based row 7 and the 0-based column 1."""
    return f"{column_letter(column)}{row}"


def quote_sheet(name: str) -> str:
    """A sheet name as formulas, defined names and Sheets ranges write it: ``'It''s'``.

    Always quoted: Excel and the Sheets API accept quotes around any name, and a name that
    looks like a cell (``A1``) or holds a space needs them.
    """
    return "'" + name.replace("'", "''") + "'"


def sheet_of_reference(text: str) -> str | None:
    """The sheet a reference such as ``'My sheet'!$A$1`` (or ``=Sheet!A1``) points at; None
    for ``#REF!`` or a reference without a sheet."""
    match = re.match(r"\s*=?\s*'((?:[^']|'')+)'!|\s*=?\s*([^'!=]+)!", text)
    if match is None:
        return None
    name = match.group(1).replace("''", "'") if match.group(1) else match.group(2)
    return None if name.startswith("#REF") else name
