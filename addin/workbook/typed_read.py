"""The typed path of reading a sheet: whole columns from fastexcel, Arrow over calamine.

A plain sheet — its header on the first row holding values, a header over every column —
is read in one pass into Arrow columns, each with one type proven over all its
cells (``dtype_coercion="strict"``, every row sampled): numbers, dates, yes/no or text.  Those
columns reach the parsers typed, with no Python object per cell.  A column that mixes kinds
(numbers and text, as typed by hand) cannot be typed without losing what each cell was, so
only that column is taken from python-calamine's exact cells.  Excel error values (``#N/A``)
come from fastexcel's cell errors of the same pass, as text, so the parsers report them.

Any other layout (title rows, a column without a header) returns None and the
object path of :mod:`addin.workbook.reader` reads the sheet as before: same frame, same
messages, only slower.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from addin.core.schema import ColumnMap, header_row
from addin.core.validation import ROW_INDEX

if TYPE_CHECKING:
    from fastexcel import ColumnInfo, ExcelReader, ExcelSheet

#: calamine's error cells -> the text Excel shows.
ERROR_TEXT = {"Div0": "#DIV/0!", "NA": "#N/A", "Name": "#NAME?", "Null": "#NULL!",
              "Num": "#NUM!", "Ref": "#REF!", "Value": "#VALUE!", "GettingData": "#GETTING_DATA"}
_ERROR = re.compile(r"\bError\((\w+)\)")
_MIXED = re.compile(r"could not determine dtype for column (.*)$", re.MULTILINE)
#: Each column found mixing kinds costs one more pass over the sheet: on a long sheet, past
#: this many the object path is cheaper (a short one costs little either way).
_MIXED_AT_MOST = 6
_SHORT = 20_000  # rows
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"[A-Z]*\d*:?[A-Z]+(\d+)\"")
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)",
                  re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|t)\b[^>]*>[^<]")
_REPEAT = re.compile(r"^(.*)_\d+$", re.DOTALL)
_NOT_TEXT = re.compile(r"^\s*(?:-?\d+(?:\.\d+)?|\d{4}-\d{2}-\d{2}.*|true|false)\s*$", re.DOTALL)
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
_STRICT = {"header_row": 0, "schema_sample_rows": None, "dtype_coercion": "strict"}

Cells = Callable[[], np.ndarray]


def open_reader(path: Path) -> ExcelReader:
    """The file opened by fastexcel (imported here: xlwings Lite reads grids without it)."""
    import fastexcel

    # fastexcel warns on stderr for each empty column it types as text: nothing to tell a user.
    logging.getLogger("fastexcel").addHandler(logging.NullHandler())
    return fastexcel.read_excel(str(path))


def first_value_row(head: bytes) -> int | None:
    """Excel row of the first row holding a value, from the start of the sheet's XML (calamine
    starts a sheet's cells there); None when the start given holds no such row."""
    for row in _ROW.finditer(head):
        if row.group(2) and _VALUE.search(row.group(2)):
            return int(row.group(1))
    return None


def read_typed(reader: ExcelReader, name: str, kind: str, head: bytes, cells: Cells,
               mapping: ColumnMap | None = None) -> tuple[pd.DataFrame, int, int] | None:
    """A plain sheet's data as typed columns: (frame indexed by Excel row, header row,
    first column), or None for the object path.  ``cells`` gives the sheet's exact cells
    (a grid from A1), called only when a column mixes kinds."""
    header = first_value_row(head)
    if header is None:
        return None
    dimension = _DIMENSION.search(head)
    short = dimension is not None and int(dimension.group(1)) <= _SHORT
    sheet, mixed = _load(reader, name, None if short else _MIXED_AT_MOST)
    if sheet is None:
        return None
    infos = sheet.available_columns()
    labels = [info.name.strip() for info in infos]
    if not _plain_headers(infos) or header_row([labels], kind, mapping) is None:
        return None
    batch, errors = sheet.to_arrow_with_errors()
    del sheet
    texts = _error_texts(errors, batch.num_rows)
    if texts is None:
        return None
    columns = [_column(batch.column(i), texts.get(i)) for i in range(batch.num_columns)]
    if any(c is None for c in columns):  # durations, times: the object path knows them
        return None
    blank = np.ones(batch.num_rows, dtype=bool)
    for array in batch.columns:
        blank &= ~_valid(array)
    for i in texts:
        blank[list(texts[i])] = False
    height = batch.num_rows
    del batch
    rows = np.flatnonzero(~blank)
    first = infos[0].absolute_index
    if mixed:
        grid = cells()
        for i, info in enumerate(infos):
            if info.name in mixed:
                columns[i] = _exact(grid, header, info.absolute_index, texts.get(i), height)
        del grid
    frame = pd.DataFrame({i: _rows(column, rows) for i, column in enumerate(columns)},
                         index=pd.Index(rows + header + 1, name=ROW_INDEX), copy=False)
    frame.columns = labels
    return frame, header, first


def _plain_headers(infos: list[ColumnInfo]) -> bool:
    """Whether fastexcel's column names are the header cells' text as the object path shows
    it: none made up for a blank cell, renamed as a repeat (``email_1`` beside ``email``), or
    written from a number or a date (the object path decides how those read)."""
    names = {info.name for info in infos}
    for info in infos:
        repeat = _REPEAT.match(info.name)
        if str(info.column_name_from) != "looked_up" or _NOT_TEXT.match(info.name) or (
                repeat is not None and repeat.group(1) in names):
            return False
    return True


def _load(reader: ExcelReader, name: str, most: int | None,
          ) -> tuple[ExcelSheet | None, set[str]]:
    """The sheet with each column's type proven over all its cells; the columns that mix
    kinds read as text and named (each one found costs a pass: at most ``most``)."""
    import fastexcel

    mixed: set[str] = set()
    while most is None or len(mixed) <= most:
        try:
            return reader.load_sheet(name, dtypes=dict.fromkeys(mixed, "string") or None,
                                     **_STRICT), mixed
        except fastexcel.UnsupportedColumnTypeCombinationError as err:
            found = _MIXED.search(str(err))
            if found is None or found.group(1) in mixed:
                return None, mixed
            mixed.add(found.group(1))
    return None, mixed


def _error_texts(errors: object, height: int) -> dict[int, dict[int, str]] | None:
    """Column -> row -> the text of each Excel error cell; None if a cell failed otherwise
    (which strict typing rules out: then the object path decides)."""
    found: dict[int, dict[int, str]] = {}
    for error in getattr(errors, "errors", ()):
        kind = _ERROR.search(error.detail)
        row, column = error.offset_position
        if kind is None or kind.group(1) not in ERROR_TEXT or row >= height:
            return None
        found.setdefault(column, {})[row] = ERROR_TEXT[kind.group(1)]
    return found


def _valid(array: pa.Array) -> np.ndarray:
    """Where the column holds a value (an empty text is a blank cell, as calamine says)."""
    return np.asarray(_no_empty_text(array).is_valid().to_numpy(zero_copy_only=False),
                      dtype=bool)


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


def _exact(grid: np.ndarray, header: int, column: int, errors: dict[int, str] | None,
           height: int) -> pd.Series:
    """A mixed column's exact cells for the ``height`` rows under the header (Excel row
    ``header``), error cells as text."""
    values = np.full(height, None, dtype=object)
    cells = grid[header: header + height, column] if column < grid.shape[1] else values[:0]
    values[: len(cells)] = cells
    for row, text in (errors or {}).items():
        values[row] = text
    return pd.Series(values, dtype=object)


def _rows(column: pd.Series, rows: np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """The kept rows of a column (all of them: the column itself, no copy)."""
    if len(rows) == len(column):
        return column.array
    return column.array.take(rows) if len(rows) else column.array[:0]
