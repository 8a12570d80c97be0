"""The typed path of reading a sheet: whole columns from fastexcel, Arrow over calamine.

Where a Customers or Orders sheet's data is — its header row, first column, its Excel Table —
is found as the object path finds it, with the one header locator
(:func:`addin.core.schema.header_row`) on the sheet's top rows, read from the first bytes of
its XML (:func:`head_rows`; the shared strings they use are read from the start of the
shared string table, not all of it).  fastexcel then reads from that row (``header_row``,
``use_columns``, and ``n_rows`` for a Table) in one pass into Arrow columns, each with one
type proven over all its cells (``dtype_coercion="strict"``, every row sampled): numbers,
dates, yes/no or text.  Title rows above the header (a title, a date line, a blank row), a
header that starts in any column, header cells left blank (named and reported as the object
path does), an Excel Table anywhere in the sheet, rows under the data (a totals row, notes):
all are read this way, and those columns reach the parsers typed, with no Python object per
cell.  Excel error values (``#N/A``) come from fastexcel's cell errors of the same pass, as
text, so the parsers report them.

A column that mixes kinds (``1 234,50 €`` typed beside 1234.5, ``31/12/2025`` beside real
dates, ``oui`` beside yes/no: the normal case in a hand-made book) cannot be typed without
losing what each cell was, yet it costs that column only, never a Python object per cell of
the sheet.  fastexcel reads it as durations (:data:`_KINDS`): a date cell converts to its
serial, and every other cell fails to, each failure telling the cell's kind and value as
calamine holds it (``Float(1234.5)``, ``String("n/a")``, ``Bool(true)``, ``Error(NA)``), from
which :func:`_exact_cells` makes the very values python-calamine gives the object path.  The
columns seen mixing in the sheet's head (:func:`mixed_in_head`) are read so in the first
pass; one mixing further down makes strict typing fail and costs one more pass (in Rust) to
name it; a column strict typing let through with text fastexcel took for a blank (``n/a``) or
a number (``nan``) is read again, alone.  Only a date in a book where its serial does not say
it (dates counted from 1904, an elapsed-time format: :func:`plain_dates`) takes the mixed
columns from python-calamine's grid of the sheet, as before.

The object path of :mod:`addin.workbook.reader` reads the sheet instead — same frame, same
messages, only slower — when the top rows do not say where the data is (no recognised header
among them, rows written without their numbers, a Table whose header is further down), when a
header cell holds a number or a date, or when fastexcel would read a header otherwise than
the object path (a repeated header it renames), and for cells fastexcel types otherwise
(durations, times).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from addin.core.schema import HEADER_SEARCH_ROWS
from addin.core.validation import ROW_INDEX
from addin.workbook.a1 import column_index, split_ref

if TYPE_CHECKING:
    from fastexcel import ColumnInfoNoDtype, ExcelReader, ExcelSheet

#: calamine's error cells -> the text Excel shows.
ERROR_TEXT = {"Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!",
              "Num": "#NUM!", "Ref": "#REF!", "Value": "#VALUE!", "GettingData": "#GETTING_DATA"}
#: A cell of the top rows holding a value that is not text (a number, a date, yes/no): the
#: header locator, like the object path, reads text cells only.
NOT_TEXT: object = type("NotText", (), {"__repr__": lambda self: "NOT_TEXT"})()
#: How fastexcel tells a cell it could not read as :data:`_KINDS`: its kind and value as
#: calamine holds them (``Float(1234.5)``, ``String("n/a")``, ``Bool(true)``, ``Error(NA)``,
#: Rust's debug form: one line), between this and a closing quote.
_REPORT = "Expected duration but got '"
_ERROR = re.compile(r"got 'Error\((\w+)\)'?\Z")
_STRING = re.compile(r"\bgot 'String\(")
_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]+)\}|(.))", re.DOTALL)
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}
#: The type a column's exact cells are read as: only a date converts to it (a serial in
#: milliseconds), every other cell comes as an error telling its kind and value.
_KINDS = "duration"
_DAY_MS = 86_400_000
_EPOCH = datetime(1899, 12, 30)
#: The first serial past 31 December 9999, the last day Python's dates hold.
_PAST_9999_MS = 2_958_466 * _DAY_MS
_MIXED = re.compile(r"could not determine dtype for column (.*)$", re.MULTILINE)
#: Each column found mixing kinds costs one more pass over the sheet: on a long sheet, past
#: this many the object path is cheaper (a short one costs little either way).
_MIXED_AT_MOST = 6
_SHORT = 20_000  # rows
#: Data rows of the sheet's head looked at for columns that mix kinds (:func:`mixed_in_head`).
_MIXED_SAMPLE = 500
_TEXT_KINDS = (b"s", b"str", b"inlineStr")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"[A-Z]*\d*:?[A-Z]+(\d+)\"")
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.DOTALL)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_ROW_NUMBER = re.compile(rb"\br=\"(\d+)\"")
_CELL_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_CELL_TYPE = re.compile(rb"\bt=\"(\w+)\"")
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_T = re.compile(rb"<(?:\w+:)?t\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?t>)")
_PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.DOTALL)
_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.DOTALL)
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]+)"')
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
_STRICT = {"schema_sample_rows": None, "dtype_coercion": "strict"}

Cells = Callable[[], np.ndarray]
#: Merged ranges as python-calamine gives them: ((first row, first column), (last row, last
#: column)), 0-based.
Merges = list[tuple[tuple[int, int], tuple[int, int]]]
SharedStrings = Callable[[set[int]], dict[int, str]]


def open_reader(path: Path) -> ExcelReader:
    """The file opened by fastexcel (imported here: xlwings Lite reads grids without it)."""
    import fastexcel

    # fastexcel warns on stderr for each empty column it types as text: nothing to tell a user.
    logging.getLogger("fastexcel").addHandler(logging.NullHandler())
    return fastexcel.read_excel(str(path))


def head_rows(head: bytes, strings: SharedStrings) -> np.ndarray | None:
    """The sheet's top :data:`HEADER_SEARCH_ROWS` rows as the object path's grid holds them
    (a row per Excel row from row 1, a column per Excel column from A): text as ``str``
    (error values as their text), other values as :data:`NOT_TEXT`, blanks None.  ``head``
    is the start of the sheet's XML; ``strings`` gives the shared strings of some indices.
    None when the start given does not hold those rows whole, or a row or cell is written
    without its reference (then only a reader of the whole sheet knows where it is)."""
    cells: list[tuple[int, int, object]] = []
    shared: list[tuple[int, int, int]] = []
    whole = False
    for row in _ROW.finditer(head):
        number = _ROW_NUMBER.search(row.group(1))
        if number is None:
            return None
        if int(number.group(1)) > HEADER_SEARCH_ROWS:
            whole = True
            break
        for cell in _CELL.finditer(row.group(2) or b""):
            where = _CELL_REF.search(cell.group(1))
            if where is None:
                return None
            at = int(where.group(2)) - 1, column_index(where.group(1).decode("ascii"))
            kind = _CELL_TYPE.search(cell.group(1))
            value = _cell_value(kind.group(1) if kind else b"n", cell.group(2) or b"")
            if isinstance(value, int) and not isinstance(value, bool):
                shared.append((*at, value))
            elif value is not None:
                cells.append((*at, value))
    if not whole and _SHEET_DATA_END.search(head) is None:
        return None
    wanted = {index for _, _, index in shared}
    texts = strings(wanted) if wanted else {}
    if len(texts) < len(wanted):  # a string table cut short: the object path reads it
        return None
    cells += [(row, column, texts.get(index) or None) for row, column, index in shared]
    grid = np.full((HEADER_SEARCH_ROWS, max((c for _, c, _ in cells), default=-1) + 1), None,
                   dtype=object)
    for row, column, value in cells:
        grid[row, column] = value
    return grid


def _cell_value(kind: bytes, body: bytes) -> object:
    """A cell of the top rows: the index of its shared string, its text, :data:`NOT_TEXT`,
    or None when blank (an empty text is a blank cell, as calamine says)."""
    if kind == b"inlineStr":
        return _text(body) or None
    value = _V.search(body)
    if value is None or not value.group(1):
        return None
    if kind == b"s":
        return int(value.group(1))
    if kind in (b"str", b"e"):
        return html.unescape(value.group(1).decode("utf-8"))
    return NOT_TEXT


def _text(item: bytes) -> str:
    """The text of a shared or inline string: its runs joined, the phonetic guide left out."""
    return html.unescape("".join(t.decode("utf-8") for t in
                                 _T.findall(_PHONETIC.sub(b"", item))))


def shared_strings(chunks: Iterable[bytes], wanted: set[int]) -> dict[int, str]:
    """The shared strings of the indices wanted, from the shared string table's XML in pieces,
    read no further than the last one wanted (a sheet's first rows use the first strings of
    the table, as Excel and the writers number them by first use)."""
    found: dict[int, str] = {}
    last, index, rest = max(wanted, default=-1), 0, b""
    for chunk in chunks:
        data = rest + chunk
        end = data.rfind(b"</si>")
        closed = data.count(b"</si>") if end >= 0 else 0
        if closed and b"<si/>" not in data and index + closed <= min(
                (i for i in wanted if i >= index), default=last + 1):
            index, rest = index + closed, data[end + 5:]  # none wanted in here: count them
            continue
        end = 0
        for item in _SI.finditer(data):
            if index in wanted:
                found[index] = _text(item.group(1) or b"")
            index, end = index + 1, item.end()
            if index > last:
                return found
        rest = data[end:]
    return found


def merged_ranges(chunks: Iterable[bytes]) -> Merges:
    """A sheet's merged ranges, from its XML in pieces (they are listed after the cells: the
    typed path asks only when a blank header cell has data under it)."""
    found: Merges = []
    rest = b""
    for chunk in chunks:
        data = rest + chunk
        end = data.rfind(b">") + 1
        if b"mergeCell" in data:
            for ref in _MERGE.findall(data, 0, end):
                first, _, last = ref.decode("ascii").partition(":")
                (c1, r1), (c2, r2) = split_ref(first), split_ref(last or first)
                found.append(((r1 - 1, c1), (r2 - 1, c2)))
        rest = data[end:]
    return found


@dataclass(frozen=True)
class Place:
    """Where a sheet's data is: its header's Excel row and cells (from the first column), the
    first and last columns (0-based; last None: to the sheet's last), how many rows under the
    header belong to it (None: all of them)."""

    header: int
    headers: Sequence[object]
    first: int
    last: int | None = None
    rows: int | None = None


def mixed_in_head(head: bytes, place: Place) -> set[int]:
    """The sheet columns (0-based) of the place whose cells in the first data rows held in
    ``head`` (:data:`_MIXED_SAMPLE` of them) mix text with numbers, dates or yes/no: read as
    mixed from the first pass, without a pass spent finding each.  Error cells are no kind;
    none when a row or cell is written without its reference."""
    kinds: dict[int, set[bytes]] = {}
    end = None if place.rows is None else place.header + place.rows
    seen = 0
    for row in _ROW.finditer(head):
        number = _ROW_NUMBER.search(row.group(1))
        if number is None:
            return set()
        at = int(number.group(1))
        if at <= place.header:
            continue
        if seen == _MIXED_SAMPLE or (end is not None and at > end):
            break
        seen += 1
        for cell in _CELL.finditer(row.group(2) or b""):
            where = _CELL_REF.search(cell.group(1))
            if where is None:
                return set()
            column = column_index(where.group(1).decode("ascii"))
            kind = _CELL_TYPE.search(cell.group(1))
            kind = kind.group(1) if kind else b"n"
            if cell.group(2) and kind != b"e" and place.first <= column and (
                    place.last is None or column <= place.last):
                kinds.setdefault(column, set()).add(b"text" if kind in _TEXT_KINDS else kind)
    return {column for column, found in kinds.items() if len(found) > 1}


def read_typed(reader: ExcelReader, name: str, head: bytes, place: Place, cells: Cells,
               plain_dates: Callable[[], bool], *, whole_grid: bool = False,
               ) -> tuple[pd.DataFrame, list[str | None], np.ndarray] | None:
    """The sheet's data at ``place`` as typed columns: (frame indexed by Excel row, with
    columns by position; each column's header text, None for a blank cell; whether each
    column holds a value under its header), or None for the object path.  ``plain_dates``
    says whether the book's dates all count from 1900 with no elapsed-time format (then a
    date in a mixed column is known from its serial alone); ``cells`` gives the sheet's
    exact cells (a grid from A1), called only when one is not.  ``whole_grid``: the mixed
    columns taken from that grid, the way before they were read alone (the baseline the
    benchmark measures them against, and a second opinion for the tests)."""
    dimension = _DIMENSION.search(head)
    short = dimension is not None and int(dimension.group(1)) <= _SHORT
    suspects = set() if whole_grid else mixed_in_head(head, place)
    sheet, mixed = _load(reader, name, place, None if short else _MIXED_AT_MOST,
                         "string" if whole_grid else _KINDS, suspects)
    if sheet is None:
        return None
    infos = sheet.selected_columns
    headers = _headers(infos, place)
    if headers is None:
        return None
    batch, errors = sheet.to_arrow_with_errors()
    del sheet
    positions = {info.index: i for i, info in enumerate(infos)}
    mixed_at = {i for i, info in enumerate(infos)
                if info.name in mixed or info.absolute_index in suspects}
    by_column = _by_column(errors, batch.num_rows, positions)
    if by_column is None:
        return None
    found = _error_texts({i: e for i, e in by_column.items() if i not in mixed_at})
    if found is None:
        return None
    texts, texted = found
    # Mixed too: a column holding text fastexcel took for a blank (``n/a``, ``null``: a cell
    # error) or for a number (``nan``: no Excel number is NaN).  These are read once more.
    again = (texted | {i for i, array in enumerate(batch.columns) if _has_nan(array)}) - mixed_at
    columns = [None if i in mixed_at | again else _column(batch.column(i), texts.get(i))
               for i in range(batch.num_columns)]
    if any(c is None for i, c in enumerate(columns) if i not in mixed_at | again):
        return None  # durations, times: the object path knows them
    height = batch.num_rows
    raw = {i: (batch.column(i), by_column.get(i, _NO_ERRORS)) for i in mixed_at | again}
    del batch
    if again and not whole_grid:
        more = _load_kinds(reader, name, place,
                           {i: infos[i].absolute_index for i in again}, height)
        if more is None:
            return None
        raw |= more
    for i, (array, cell_errors) in raw.items():
        columns[i] = None if whole_grid else _exact_cells(array, cell_errors, plain_dates)
    if any(column is None for column in columns):  # a cell only the grid tells exactly
        grid = cells()
        for i, (_, cell_errors) in raw.items():
            columns[i] = _exact(grid, place.header, infos[i].absolute_index,
                                _error_rows(cell_errors), height)
        del grid
    valid = [np.asarray(column.notna(), dtype=bool) for column in columns]
    filled = np.array([bool(v.any()) for v in valid], dtype=bool)
    kept = np.flatnonzero(filled | np.array([h is not None for h in headers], dtype=bool))
    width = int(kept[-1]) + 1 if len(kept) else 0
    blank = np.ones(height, dtype=bool)
    for column in valid[:width]:
        blank &= ~column
    rows = np.flatnonzero(~blank)
    frame = pd.DataFrame({i: _rows(column, rows) for i, column in enumerate(columns[:width])},
                         index=pd.Index(rows + place.header + 1, name=ROW_INDEX), copy=False)
    return frame, headers[:width], filled[:width]


def _headers(infos: list[ColumnInfoNoDtype], place: Place) -> list[str | None] | None:
    """Each column's header text, None for a blank cell, when fastexcel's columns are the
    place's columns from its first, named from the header cells as the object path reads
    them (none made up for a cell holding text, renamed as a repeat: ``email_1`` beside
    ``email``); None otherwise.  A header cell holding a number or a date is the object
    path's to name."""
    if any(cell is not None for cell in place.headers[len(infos):]):
        return None
    found: list[str | None] = []
    for i, info in enumerate(infos):
        cell = place.headers[i] if i < len(place.headers) else None
        generated = str(info.column_name_from) != "looked_up"
        if info.absolute_index != place.first + i or cell is NOT_TEXT or (
                generated != (cell is None)) or (
                cell is not None and info.name.strip() != str(cell).strip()):
            return None
        found.append(None if cell is None else str(cell))
    return found


def _load(reader: ExcelReader, name: str, place: Place, most: int | None, kinds: str,
          suspects: set[int]) -> tuple[ExcelSheet | None, set[str]]:
    """The sheet from the place's header row, its columns from the first (to the last), each
    column's type proven over all its cells; the columns that mix kinds named, and read as
    ``kinds``: those seen mixing in the sheet's head (``suspects``, by sheet column) at once,
    each other one found costing a pass (at most ``most``)."""
    import fastexcel

    def used(info: ColumnInfoNoDtype) -> bool:
        return place.first <= info.absolute_index and (
            place.last is None or info.absolute_index <= place.last)

    mixed: set[str] = set()
    while most is None or len(mixed) <= most:
        try:
            return reader.load_sheet(name, header_row=place.header - 1, n_rows=place.rows,
                                     use_columns=used,
                                     dtypes={**dict.fromkeys(suspects, kinds),
                                             **dict.fromkeys(mixed, kinds)} or None,
                                     **_STRICT), mixed
        except fastexcel.UnsupportedColumnTypeCombinationError as err:
            found = _MIXED.search(str(err))
            if found is None or found.group(1) in mixed:
                return None, mixed
            mixed.add(found.group(1))
    return None, mixed


#: A column's cell errors: their rows (under the header) and fastexcel's report of each.
ColumnErrors = tuple[np.ndarray, list[str]]
_NO_ERRORS: ColumnErrors = (np.zeros(0, dtype=np.int64), [])


def _by_column(errors: object, height: int, columns: dict[int, int],
               ) -> dict[int, ColumnErrors] | None:
    """fastexcel's cell errors by column (``columns``: fastexcel's index of each column read
    -> its place among them); None for one outside the columns read."""
    found = getattr(errors, "errors", None) or []
    if not found:
        return {}
    where = np.array([error.offset_position for error in found], dtype=np.int64)
    details = np.array([error.detail for error in found], dtype=object)
    rows, at = where[:, 0], where[:, 1]
    if (rows >= height).any() or not np.isin(at, list(columns)).all():
        return None
    return {columns[int(column)]: (rows[at == column], details[at == column].tolist())
            for column in np.unique(at)}


def _error_texts(errors: dict[int, ColumnErrors],
                 ) -> tuple[dict[int, dict[int, str]], set[int]] | None:
    """Column -> row -> the text of each Excel error cell, and the columns holding a text
    cell strict typing let through; None if a cell failed otherwise (the object path
    decides)."""
    found: dict[int, dict[int, str]] = {}
    texted: set[int] = set()
    for column, (rows, details) in errors.items():
        for row, detail in zip(rows.tolist(), details, strict=True):
            kind = _ERROR.search(detail)
            if kind is not None and kind.group(1) in ERROR_TEXT:
                found.setdefault(column, {})[row] = ERROR_TEXT[kind.group(1)]
            elif _STRING.search(detail):
                texted.add(column)
            else:
                return None
    return found, texted


def _error_rows(errors: ColumnErrors) -> dict[int, str]:
    """Row -> the text of each Excel error cell among a column's cell errors."""
    return {row: ERROR_TEXT[kind.group(1)] for row, detail in zip(*errors, strict=True)
            if (kind := _ERROR.search(detail)) is not None and kind.group(1) in ERROR_TEXT}


def _load_kinds(reader: ExcelReader, name: str, place: Place, columns: dict[int, int],
                height: int) -> dict[int, tuple[pa.Array, ColumnErrors]] | None:
    """Some columns read once more, only they, as :func:`_exact_cells` reads them
    (``columns``: each one's place among the columns read -> its sheet column): by place ->
    (the column, its cells as fastexcel's errors); None if the rows do not line up."""
    wanted = {absolute: at for at, absolute in columns.items()}
    sheet = reader.load_sheet(name, header_row=place.header - 1, n_rows=place.rows,
                              use_columns=lambda info: info.absolute_index in wanted,
                              dtypes=_KINDS, **_STRICT)
    batch, errors = sheet.to_arrow_with_errors()
    read = sheet.selected_columns
    del sheet
    if batch.num_rows != height or sorted(i.absolute_index for i in read) != sorted(wanted):
        return None
    by_column = _by_column(errors, height, {info.index: i for i, info in enumerate(read)})
    if by_column is None:
        return None
    return {wanted[info.absolute_index]: (batch.column(i), by_column.get(i, _NO_ERRORS))
            for i, info in enumerate(read)}


def _has_nan(array: pa.Array) -> bool:
    return pa.types.is_floating(array.type) and bool(pc.any(pc.is_nan(array)).as_py())


def _no_empty_text(array: pa.Array) -> pa.Array:
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)) or \
            not pc.any(pc.equal(array, "")).as_py():
        return array
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, array.type), array)


def _column(array: pa.Array, errors: dict[int, str] | None) -> pd.Series | None:
    """One Arrow column as the pandas column the parsers read fastest; error cells as text
    (the column then holds objects)."""
    kind = array.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        series = pd.Series(array.cast(pa.float64()).to_numpy(zero_copy_only=False))
    elif pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        stamps = array.cast(pa.timestamp("ms")) if pa.types.is_date(kind) else array
        series = pd.Series(stamps.to_pandas(), dtype=f"datetime64[{stamps.type.unit}]")
    elif pa.types.is_boolean(kind):
        series = pd.Series(array.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get))
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        series = pd.Series(pd.array(_no_empty_text(array), dtype=_TEXT))
    elif pa.types.is_null(kind):
        series = pd.Series(np.full(len(array), None, dtype=object))
    else:
        return None
    if errors:
        series = series.astype(object)
        series.iloc[list(errors)] = list(errors.values())
    return series


def _exact(grid: np.ndarray, header: int, column: int, errors: dict[int, str],
           height: int) -> pd.Series:
    """A mixed column's exact cells for the ``height`` rows under the header (Excel row
    ``header``) from the sheet's grid, error cells as text."""
    values = np.full(height, None, dtype=object)
    cells = grid[header: header + height, column] if column < grid.shape[1] else values[:0]
    values[: len(cells)] = cells
    for row, text in errors.items():
        values[row] = text
    return pd.Series(values, dtype=object)


def _exact_cells(array: pa.Array, errors: ColumnErrors,
                 plain_dates: Callable[[], bool]) -> pd.Series | None:
    """A mixed column's exact cells, as python-calamine gives them, from the column read
    as :data:`_KINDS` (its dates) and fastexcel's errors (every other cell): numbers as
    floats, text as ``str`` (empty: None), yes/no as bools, dates as dates or datetimes,
    error values as their text.  None when a cell is one the grid must tell (a date in a
    book where a serial alone does not say which, an ISO date cell)."""
    values = np.full(len(array), None, dtype=object)
    if array.null_count < len(array):
        if not pa.types.is_duration(array.type) or not plain_dates():
            return None
        rows = np.flatnonzero(array.is_valid().to_numpy(zero_copy_only=False))
        values[rows] = _serials(array.drop_null().cast(pa.int64()).to_numpy())
    rows, details = errors
    if details:
        cells = _reported(details)
        if cells is None:
            return None
        values[rows] = cells
    return pd.Series(values, dtype=object)


def _reported(details: list[str]) -> np.ndarray | None:
    """The cells fastexcel reports (:data:`_REPORT`), as python-calamine gives them, read
    kind by kind over the whole column; None if one is of a kind it does not say exactly."""
    reports = pa.array(details, pa.large_string())
    if not pc.all(pc.and_(pc.starts_with(reports, _REPORT),
                          pc.ends_with(reports, ")'"))).as_py():
        return None
    said = pc.utf8_slice_codeunits(reports, len(_REPORT), -1)  # Float(1234.5)
    values = np.full(len(details), None, dtype=object)
    done = np.zeros(len(details), dtype=bool)

    def inner(prefix: str, suffix: str = ")") -> tuple[np.ndarray, pa.Array]:
        where = pc.starts_with(said, prefix).to_numpy(zero_copy_only=False)
        done[where] = True
        return where, pc.utf8_slice_codeunits(said.filter(where), len(prefix), -len(suffix))

    for prefix, kind in (("Float(", pa.float64()), ("Int(", pa.int64())):
        where, numbers = inner(prefix)
        if where.any():
            try:
                values[where] = numbers.cast(kind).to_numpy(zero_copy_only=False)
            except pa.ArrowInvalid:
                return None
    for prefix in ('String("', 'SharedString("'):
        where, texts = inner(prefix, '")')
        if where.any():
            text = texts.to_numpy(zero_copy_only=False)
            escaped = np.flatnonzero(pc.match_substring(texts, "\\").to_numpy(
                zero_copy_only=False))
            text[escaped] = [_unescape(t) for t in text[escaped]]
            text[text == ""] = None  # an empty text is a blank cell, as calamine says
            values[where] = text
    for word, flag in (("Bool(true)", True), ("Bool(false)", False)):
        where = pc.equal(said, word).to_numpy(zero_copy_only=False)
        values[where], done[where] = flag, True
    where, kinds = inner("Error(")
    if where.any():
        shown = [ERROR_TEXT.get(kind) for kind in kinds.to_pylist()]
        if None in shown:
            return None
        values[where] = shown
    return values if done.all() else None


def _unescape(text: str) -> str:
    """Text as Rust's debug form quotes it (``\\"``, ``\\n``, ``\\u{200b}``), unquoted."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else
                       _ESCAPED.get(m.group(2), m.group(2)), text)


def _serials(ms: np.ndarray) -> np.ndarray:
    """Date cells' serials (in milliseconds from Excel's day 0) as python-calamine gives them,
    the whole column at once: a whole day a date, else a datetime (the few under a day,
    or past the year 9999, one by one: :func:`_serial`)."""
    found = np.empty(len(ms), dtype=object)
    plain = (ms >= _DAY_MS) & (ms < _PAST_9999_MS)
    days = ms[plain]
    # Before Excel's 29 February 1900 (day 60) one day later, as calamine counts.
    moments = np.datetime64("1899-12-30", "ms") + (
        days + _DAY_MS * (days < 60 * _DAY_MS)).astype("timedelta64[ms]")
    whole = days % _DAY_MS == 0
    dates = np.empty(len(days), dtype=object)
    dates[whole] = moments[whole].astype("datetime64[D]").tolist()
    dates[~whole] = moments[~whole].tolist()
    found[plain] = dates
    for i in np.flatnonzero(~plain):
        found[i] = _serial(int(ms[i]))
    return found


def _serial(ms: int) -> object:
    """One date cell's serial (in milliseconds from Excel's day 0) as python-calamine gives
    it: under a day a time, a whole day a date, else a datetime; past the year 9999 the
    serial in days."""
    value = ms / _DAY_MS
    try:
        moment = _EPOCH + timedelta(milliseconds=ms if value >= 60 else ms + _DAY_MS)
    except OverflowError:
        return value
    if value < 1:
        return moment.time()
    return moment.date() if ms % _DAY_MS == 0 else moment


def plain_dates(workbook: str, styles: str) -> bool:
    """Whether a book's date cells are all told by their serial alone: dates counted from
    1900 (not 1904) and no elapsed-time format (``[h]:mm``, which python-calamine reads as a
    duration).  ``workbook`` and ``styles`` are the XML of its workbook and styles parts; a
    bracket starting with h, m or s anywhere (a colour ``[Magenta]`` too) says no."""
    return re.search(r'\bdate1904="(?:1|true)"', workbook) is None and re.search(
        r'numFmtId="46"|formatCode="[^"]*\[[hms]', styles, re.IGNORECASE) is None


def _rows(column: pd.Series, rows: np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """The kept rows of a column (all of them: the column itself, no copy)."""
    if len(rows) == len(column):
        return column.array
    return column.array.take(rows) if len(rows) else column.array[:0]
