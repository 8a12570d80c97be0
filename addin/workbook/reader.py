"""Reading the customer workbook: find the input sheets and their tables, keep cell values exact.

Values stay what the cells hold: dates as dates, text that looks like a number as text
(``"01000"``), numbers as numbers, blanks blank.  The Customers and Orders sheets are read as
whole typed columns by fastexcel (:mod:`addin.workbook.typed_read`), wherever their table is
(title rows above it, a header away from A1, an Excel Table anywhere; a column that mixes
kinds keeps its exact cells there too); other sheets and the few layouts the typed path
leaves, cell by cell from python-calamine (Rust; many times faster than openpyxl), blanks as
None.  Excel error values
(``#N/A``, ``#REF!``) are kept as their text, so the analysis reports them instead of taking
them for empty cells.  Nothing is converted here: parsing is the core's job.

A sheet's data is its Excel Table (ListObject) when it has one, else the range under its header
row: the first of the top rows holding a recognised required header (so title rows above the
table are fine).  Blank rows are skipped, trailing blank rows and columns dropped, and each row
keeps its Excel row number as index, so every message names the row the user sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from addin.core.columnmap import UserMapping, check_headers, read_mapping
from addin.core.inputs import FORMAT_LANGUAGES
from addin.core.progress import Progress
from addin.core.schema import (
    HEADER_SEARCH_ROWS,
    SHEET_ALIASES,
    ColumnMap,
    canonical_columns,
    header_row,
    match_sheet,
)
from addin.core.validation import ROW_INDEX, Validation
from addin.errors import WorkbookError, WorkbookLockedError
from addin.workbook.a1 import column_letter
from addin.workbook.content_types import REL_NS, WORKBOOK_PART
from addin.workbook.owned_sheets import COLUMNS_ROLE
from addin.workbook.result_words import RESULT_SHEET_NAMES
from addin.workbook.typed_read import (
    Merges,
    Place,
    head_rows,
    merged_ranges,
    open_reader,
    plain_dates,
    read_typed,
    shared_strings,
)
from addin.workbook.xml_text import attribute
from addin.workbook.zip_parts import Package, Sheet

if TYPE_CHECKING:
    from fastexcel import ExcelReader
    from python_calamine import CalamineWorkbook


REL_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
REL_STRINGS = REL_NS + "/sharedStrings"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LABELS = {"customers": "Customers", "orders": "Orders", "segments": "Segments",
           "settings": "Settings", "columns": "Columns"}


@dataclass
class WorkbookData:
    """The input sheets as raw cell values, original headers, indexed by Excel row number."""

    path: Path
    customers: pd.DataFrame | None
    orders: pd.DataFrame | None
    segments: pd.DataFrame | None
    settings: pd.DataFrame | None
    sheet_names: dict[str, str]
    validation: Validation = field(default_factory=Validation)
    #: Where each input column is: sheet -> header or canonical name -> (header, 0-based
    #: column index), so a problem can link to the cell the user typed.
    columns: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    #: The user's own mapping of headers to fields (the Columns sheet), by sheet kind.
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The Columns sheet's tab name, None when the workbook has none.
    columns_sheet: str | None = None


@dataclass(frozen=True)
class Region:
    """Where a sheet's table is: header row and last row (1-based), first and last column."""

    header_row: int | None
    last_row: int | None
    first_column: int
    last_column: int | None


def _sniff(path: Path) -> None:
    """Tell apart the files that are not workbooks before a zip reader fails on them."""
    if not path.exists():
        raise WorkbookError(f"The workbook {path} does not exist.",
                            hint="Check the file name and folder.")
    if path.is_dir():
        raise WorkbookError(f"{path} is a folder, not a workbook.",
                            hint="Give the path of the .xlsx or .xlsm file.")
    try:
        with path.open("rb") as stream:
            head = stream.read(8)
            if head == _OLE_MAGIC:
                body = stream.read()
    except PermissionError as err:
        raise WorkbookLockedError(f"{path.name} cannot be read: {err.strerror}.",
                                  hint="Close it in the program that holds it, or check the "
                                       "file's permissions.") from err
    if not head:
        raise WorkbookError(f"{path.name} is an empty file, not a workbook.",
                            hint="Open the workbook in Excel and save it again.")
    if head == _OLE_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in body:
            raise WorkbookError(f"{path.name} is protected by a password.",
                                hint="Open it in Excel, remove the password (File > Info > "
                                     "Protect Workbook) and save it as .xlsx.")
        raise WorkbookError(f"{path.name} is an old Excel 97-2003 file (.xls).",
                            hint="Open it in Excel and save it as .xlsx (Excel Workbook).")
    if not head.startswith(b"PK"):
        raise WorkbookError(f"{path.name} is not an Excel workbook (.xlsx/.xlsm).",
                            hint="Export the data from the program that made it as .xlsx.")


def _tables(package: Package, sheet: Sheet) -> list[tuple[str, str, bool, int]]:
    """The sheet's Excel Tables: (part, ref, has header row, totals rows)."""
    if sheet.part is None:
        return []
    found = []
    for rel in package.relationships(sheet.part):
        if rel.type == REL_TABLE and rel.part and package.exists(rel.part):
            start = re.search(r"<(?:\w+:)?table\b[^>]*>", package.text(rel.part))
            if start is None:
                continue
            element = start.group(0)
            found.append((rel.part, attribute(element, "ref") or "",
                          (attribute(element, "headerRowCount") or "1") != "0",
                          int(attribute(element, "totalsRowCount") or 0)))
    return found


def _parse_ref(ref: str) -> tuple[int, int, int, int]:
    """``B3:F10`` -> (first row, first column, last row, last column), 1-based rows,
    0-based columns."""
    def one(cell: str) -> tuple[int, int]:
        match = re.fullmatch(r"\$?([A-Za-z]+)\$?(\d+)", cell)
        if match is None:
            raise WorkbookError(f"unreadable cell reference '{cell}' in a table definition",
                                hint="Open the workbook in Excel and save it again.")
        column = 0
        for char in match.group(1).upper():
            column = column * 26 + ord(char) - 64
        return int(match.group(2)), column - 1
    first, _, last = ref.partition(":")
    (r1, c1), (r2, c2) = one(first), one(last or first)
    return r1, c1, r2, c2


def _errors(package: Package, sheet: Sheet, grid: np.ndarray) -> None:
    """Put Excel error values (python-calamine reads them as blanks) back into the grid as
    text.  The cell-by-cell path only: the typed path has them from fastexcel's pass.

    The sheet's XML is read in pieces (each cut after its last whole cell), so it is never
    whole in memory beside the grid.
    """
    if sheet.part is None or not package.exists(sheet.part):
        return
    rest = b""
    for chunk in package.chunks(sheet.part):
        data, rest = _whole_cells(rest + chunk)
        if b't="e"' in data:
            _put_errors(data, grid)
    _put_errors(rest, grid)


_CELL_END = re.compile(rb"</(?:\w+:)?c>")


def _whole_cells(data: bytes) -> tuple[bytes, bytes]:
    """``data`` cut just after its last closing ``</c>``: (whole cells, the rest)."""
    end = data.rfind(b"c>")
    while end >= 0:
        start = data.rfind(b"</", 0, end)
        if start >= 0 and _CELL_END.fullmatch(data, start, end + 2):
            return data[: end + 2], data[end + 2:]
        end = data.rfind(b"c>", 0, end)
    return b"", data


def _put_errors(data: bytes, grid: np.ndarray) -> None:
    for match in re.finditer(rb'<(?:\w+:)?c\b([^>]*?)\bt="e"([^>]*)>(.*?)</(?:\w+:)?c>', data,
                             re.DOTALL):
        where = re.search(rb'\br="([A-Z]+)(\d+)"', match.group(1) + match.group(2))
        value = re.search(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>", match.group(3))
        if where is None or value is None:
            continue
        row = int(where.group(2)) - 1
        column = 0
        for char in where.group(1).decode("ascii"):
            column = column * 26 + ord(char) - 64
        if row < grid.shape[0] and column - 1 < grid.shape[1]:
            grid[row, column - 1] = value.group(1).decode("utf-8")


#: Primary language of a Windows locale id (``[$€-413]`` is nl-NL, ``[$-40C]`` fr-FR).
_LOCALE_LANGUAGES = {0x09: "en", 0x0C: "fr", 0x13: "nl"}
_FORMAT_SAMPLE = 2_000_000


def _format_languages(package: Package) -> dict[int, str]:
    """Cell style index -> the language of its number format's locale tag, for the styles
    whose format names one (Excel writes ``[$€-40C] #,##0.00`` for a French euro amount)."""
    if not package.exists("xl/styles.xml"):
        return {}
    xml = package.text("xl/styles.xml")
    tagged = {}
    for number, code in re.findall(r'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?'
                                   r'formatCode="([^"]*)"', xml):
        locale = re.search(r"\[\$[^\]-]*-([0-9A-Fa-f]{3,8})\]", code)
        language = _LOCALE_LANGUAGES.get(int(locale.group(1), 16) & 0x3FF) if locale else None
        if language:
            tagged[number] = language
    cell_xfs = re.search(r"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", xml, re.DOTALL)
    if not tagged or cell_xfs is None:
        return {}
    xfs = re.findall(r'<(?:\w+:)?xf\b([^>]*)', cell_xfs.group(0))
    number_formats = [re.search(r'numFmtId="(\d+)"', xf) for xf in xfs]
    return {i: tagged[f.group(1)] for i, f in enumerate(number_formats)
            if f is not None and f.group(1) in tagged}


def _column_languages(package: Package, sheet: Sheet, styles: dict[int, str]) -> dict[int, str]:
    """0-based column -> the one language the locale-tagged formats of its number cells name
    (a column whose cells name two languages says nothing).

    A column keeps one format from top to bottom, so the first rows (``_FORMAT_SAMPLE`` bytes
    of the sheet) tell it: a long sheet costs no more than a short one.
    """
    if not styles or sheet.part is None or not package.exists(sheet.part):
        return {}
    ids = "|".join(str(i) for i in styles)
    seen: dict[int, set[str]] = {}
    data = package.head(sheet.part, _FORMAT_SAMPLE)
    # Number cells only: a text cell (t="s", "str", "inlineStr") does not show its format.
    for letters, style in re.findall(rb'<(?:\w+:)?c\b(?![^>]*\bt="(?!n"))[^>]*?\br="([A-Z]+)'
                                     rb'\d+"[^>]*?\bs="(' + ids.encode() + rb')"', data):
        column = 0
        for char in letters.decode("ascii"):
            column = column * 26 + ord(char) - 64
        seen.setdefault(column - 1, set()).add(styles[int(style)])
    return {column: found.pop() for column, found in seen.items() if len(found) == 1}


def _labels(cells: Sequence[object], filled: Sequence[bool], header: int, first: int,
            label: str, merged: Callable[[], Merges], validation: Validation) -> list[str]:
    """Column labels from the header row's cells (0-based row ``header``, columns from
    ``first``), for both paths: text stripped; a blank cell named by its column's letter and,
    when data is under it, reported as part of merged cells or as missing."""
    labels = []
    for i, value in enumerate(cells):
        if value is not None:
            labels.append(value.strip() if isinstance(value, str) else str(value))
            continue
        column = first + i
        labels.append(f"column {column_letter(column)}")
        if filled[i]:
            in_merge = any(r1 <= header <= r2 and c1 <= column <= c2
                           for (r1, c1), (r2, c2) in merged())
            validation.add(label, header + 1, column_letter(column), None,
                           "header.merged" if in_merge else "header.missing",
                           severity="warning")
    return labels


def _frame(grid: np.ndarray, header: int | None, kind: str, label: str, merged: Merges,
           validation: Validation, first: int = 0) -> pd.DataFrame:
    """The data under the header row (``grid`` holds the columns from ``first``): blank rows
    out, index = Excel row numbers."""
    if header is None:
        labels: list[object] = list(SCHEMAS_HEADLESS[kind])
        body, first_row = np.full((grid.shape[0], len(labels)), None, dtype=object), 1
        width = min(len(labels), grid.shape[1])
        body[:, :width] = grid[:, :width]
        empty = pd.isna(body)
    else:
        row = grid[header]
        empty = pd.isna(grid[header + 1:])  # one pass over the cells, used twice
        filled = np.flatnonzero(pd.notna(row) | ~empty.all(axis=0))
        width = int(filled[-1]) + 1 if len(filled) else 0
        body, first_row = grid[header + 1:, :width], header + 2
        empty = empty[:, :width]
        labels = _labels(list(row[:width]), ~empty.all(axis=0), header, first, label,
                         lambda: merged, validation)
    keep = ~empty.all(axis=1) if body.size else np.zeros(len(body), dtype=bool)
    rows = np.flatnonzero(keep)
    # Columns are views of the grid when no row is dropped: no copy of millions of cells.
    picked = body if keep.all() else body[rows]
    columns = {i: picked[:, i] for i in range(picked.shape[1] if picked.ndim == 2 else 0)}
    frame = pd.DataFrame(columns, index=pd.Index(rows + first_row, name=ROW_INDEX),
                         dtype=object, copy=False)
    frame.columns = labels[: frame.shape[1]]
    return frame


#: Headers used when a Settings sheet holds key | value rows without a header row.
SCHEMAS_HEADLESS: dict[str, tuple[str, ...]] = {"settings": ("key", "value"),
                                                "columns": ("sheet", "header", "field")}


def _grid(rows: list[list[object]]) -> np.ndarray:
    """Calamine's rows as a 2-D object array, blanks ('' from calamine) as None."""
    width = max((len(r) for r in rows), default=0)
    grid = np.empty((len(rows), width), dtype=object)
    if rows and width:
        grid[:] = rows if all(len(r) == width for r in rows) else [
            r + [""] * (width - len(r)) for r in rows]
        blank = grid == ""
        grid[blank] = None
    return grid


@dataclass
class SheetTable:
    """A sheet's data and where it sits: what :func:`addin.workbook.edit.update_cells` needs."""

    frame: pd.DataFrame
    header_row: int | None
    first_column: int
    table_part: str | None


def _read_sheet(book: Books, package: Package, sheet: Sheet, kind: str,
                validation: Validation, typed: ExcelReader | None = None,
                mapping: ColumnMap | None = None) -> SheetTable:
    """One input sheet as raw values under its headers, and where they are: typed columns
    where the layout allows (:mod:`addin.workbook.typed_read`), else cell by cell."""
    table = None
    if typed is not None and kind in _TYPED_KINDS:
        table = _read_typed(typed, book, package, sheet, kind, validation, mapping)
    if table is None:
        table = _read_cells(book, package, sheet, kind, validation, mapping)
    languages = _column_languages(package, sheet, _format_languages(package))
    width = table.frame.shape[1]
    table.frame.attrs[FORMAT_LANGUAGES] = {
        str(table.frame.columns[column - table.first_column]): language
        for column, language in languages.items()
        if 0 <= column - table.first_column < width}
    return table


#: Sheets long enough for the typed path to matter; Segments and Settings stay cell by cell.
_TYPED_KINDS = ("customers", "orders")


def _read_typed(reader: ExcelReader, book: Books, package: Package, sheet: Sheet,
                kind: str, validation: Validation, mapping: ColumnMap | None,
                ) -> SheetTable | None:
    """The typed path (:mod:`addin.workbook.typed_read`): the data found where the object
    path finds it — its Excel Table, else the rows under the header row the top rows show —
    then read as typed columns; None: read it cell by cell."""
    part = sheet.part
    if part is None or not package.exists(part):
        return None
    head = package.head(part, _FORMAT_SAMPLE)
    top = head_rows(head, lambda wanted: _shared_strings(package, wanted))
    tables = _tables(package, sheet)
    if top is None or any(has_header and _parse_ref(ref)[0] > len(top)
                          for _, ref, has_header, _ in tables):
        return None
    table = _table_of(tables, lambda r1, c1, c2: top[r1 - 1, c1: c2 + 1], kind, mapping)
    if table is not None:
        r1, c1, r2, c2 = _parse_ref(table[1])
        place = Place(r1, top[r1 - 1, c1: c2 + 1], c1, c2, max(r2 - table[3] - r1, 0))
    else:
        at = header_row(top, kind, mapping)
        if at is None:
            return None
        first = int(np.flatnonzero(pd.notna(top[at]))[0])
        place = Place(at + 1, top[at, first:], first)
    try:
        found = read_typed(reader, sheet.name, head, place,
                           lambda: _cells(book, package, sheet, errors=False)[0],
                           lambda: plain_dates(package.text(WORKBOOK_PART), package.text(
                               "xl/styles.xml") if package.exists("xl/styles.xml") else ""))
    except WorkbookError:
        raise
    except Exception:  # fastexcel refused the sheet: the cell-by-cell path reads it or says why
        return None
    if found is None:
        return None
    frame, headers, filled = found
    frame.columns = _labels(headers, filled, place.header - 1, place.first, sheet.name,
                            lambda: merged_ranges(package.chunks(part)), validation)
    return SheetTable(frame, place.header, place.first, table[0] if table else None)


def _shared_strings(package: Package, wanted: set[int]) -> dict[int, str]:
    """Some of the workbook's shared strings, by index, reading the table no further than
    needed."""
    part = next((r.part for r in package.relationships(WORKBOOK_PART)
                 if r.type == REL_STRINGS and r.part), None)
    if part is None or not package.exists(part):
        return {}
    return shared_strings(package.chunks(part, 1 << 16), wanted)


def _table_of(tables: list[tuple[str, str, bool, int]],
              header_cells: Callable[[int, int, int], Sequence[object]], kind: str,
              mapping: ColumnMap | None) -> tuple[str, str, bool, int] | None:
    """The Excel Table holding the sheet's data: the first with a header row naming its
    columns (``header_cells(row, first column, last column)`` gives its cells), or the only
    one; None: no Table does, the header row is searched instead."""
    for table in tables:
        _, ref, has_header, _ = table
        if not has_header:
            continue
        r1, c1, _, c2 = _parse_ref(ref)
        if header_row([header_cells(r1, c1, c2)], kind, mapping) is not None or \
                len(tables) == 1:
            return table
    return None


def _cells(book: Books, package: Package, sheet: Sheet, *, errors: bool = True,
           ) -> tuple[np.ndarray, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Every cell of a sheet as a Python object (a grid from A1, error values as text unless
    the caller has them already), and its merged ranges."""
    try:
        calamine_sheet = book().get_sheet_by_name(sheet.name)
        merged = [((a[0], a[1]), (b[0], b[1])) for a, b in
                  (calamine_sheet.merged_cell_ranges or [])]
        rows = calamine_sheet.to_python(skip_empty_area=False)
    except Exception as err:  # calamine raises its own types for broken parts
        raise WorkbookError(f"Sheet '{sheet.name}' cannot be read: {err}",
                            hint="Open the workbook in Excel and save it again.") from err
    # The grid holds the values from here: let calamine's sheet and the row lists go.
    del calamine_sheet
    grid = _grid(rows)
    del rows
    if errors:
        _errors(package, sheet, grid)
    return grid, merged


def _read_cells(book: Books, package: Package, sheet: Sheet, kind: str,
                validation: Validation, mapping: ColumnMap | None) -> SheetTable:
    """The object path: every cell a Python object, then the table found in the grid."""
    grid, merged = _cells(book, package, sheet)
    return _locate(grid, kind, sheet.name, merged, _tables(package, sheet), validation,
                   mapping)


def _locate(grid: np.ndarray, kind: str, label: str,
            merged: list[tuple[tuple[int, int], tuple[int, int]]],
            tables: list[tuple[str, str, bool, int]], validation: Validation,
            mapping: ColumnMap | None = None) -> SheetTable:
    """Find the table in a sheet's grid: its Excel Table, else the rows under its header
    (:func:`addin.core.schema.header_row`, the locator the Excel side uses too)."""
    table = _table_of(tables, lambda r1, c1, c2: grid[r1 - 1, c1: c2 + 1], kind, mapping)
    if table is not None:
        r1, c1, r2, c2 = _parse_ref(table[1])
        frame = _frame(grid[: r2 - table[3], c1: c2 + 1], r1 - 1, kind, label, merged,
                       validation, c1)
        return SheetTable(frame, r1, c1, table[0])
    header = header_row(grid[:HEADER_SEARCH_ROWS], kind, mapping)
    if header is None and kind not in SCHEMAS_HEADLESS:
        header = next((i for i in range(grid.shape[0]) if pd.notna(grid[i]).any()), None)
    if header is None and kind not in SCHEMAS_HEADLESS:
        raise WorkbookError(f"Sheet '{label}' is empty.",
                            hint="Put the column headers on the first row and one "
                                 f"{'customer' if kind == 'customers' else 'row'} per line.")
    if header is not None:
        columns = np.flatnonzero(pd.notna(grid[header]))
        first = int(columns[0]) if len(columns) else 0
        frame = _frame(grid[:, first:], header, kind, label, merged, validation, first)
        return SheetTable(frame, header + 1, first, None)
    return SheetTable(_frame(grid, None, kind, label, merged, validation), None, 0, None)


def _where(table: SheetTable, kind: str, mapping: ColumnMap | None = None,
           ) -> dict[str, tuple[str, int]]:
    """A sheet's columns by header and by canonical name -> (header, 0-based column index)."""
    labels = [str(label) for label in table.frame.columns]
    found = {label: (label, table.first_column + i) for i, label in enumerate(labels)}
    for label, name in canonical_columns(kind, labels, mapping).items():
        found.setdefault(name, found[str(label)])
    return found


def _input_names(names: list[str], own: Collection[str], validation: Validation) -> dict[str, str]:
    """Canonical sheet -> the user's sheet name, potentiel's own sheets left out."""
    found: dict[str, str] = {}
    for name in names:
        kind = match_sheet(name)
        if kind is None or name in own:
            continue
        if kind in found:
            validation.add(name, None, None, None, "sheet.second", severity="warning",
                           kind=_LABELS[kind], first=found[kind])
            continue
        found[kind] = name
    return found


def _require_customers(path: Path, names: list[str], found: dict[str, str]) -> None:
    if not names:
        raise WorkbookError(f"{path.name} has no sheets.",
                            hint="Add a Customers sheet with one customer per row.")
    if "customers" not in found:
        accepted = ", ".join(a.title() for a in SHEET_ALIASES["customers"])
        raise WorkbookError(
            f"{path.name} has no Customers sheet (sheets found: {', '.join(names)}).",
            hint=f"Name the sheet of customers one of: {accepted}.")


def data_from_grids(path: Path, grids: Mapping[str, Sequence[Sequence[object]]],
                    ) -> WorkbookData:
    """Input sheets from cell grids read elsewhere (xlwings, from the workbook open in Excel).

    ``grids`` maps each sheet name to its rows from A1 (None for blank cells, errors as text
    such as ``#N/A``).  Sheets are matched, headers found and blank rows skipped exactly as
    :func:`read_workbook` does; without the file, Excel Tables are found by their header row.
    """
    validation = Validation()
    names = list(grids)
    found = _input_names(names, RESULT_SHEET_NAMES, validation)
    _require_customers(Path(path), names, found)

    def read(kind: str, name: str, mapping: ColumnMap | None) -> SheetTable:
        rows = [list(r) for r in grids[name]]
        return _locate(_grid(rows), kind, name, [], [], validation, mapping)

    return _inputs(Path(path), found, read, validation)


def _inputs(path: Path, found: dict[str, str],
            read: Callable[[str, str, ColumnMap | None], SheetTable],
            validation: Validation) -> WorkbookData:
    """Read the input sheets found, the Columns sheet first: its mapping tells how to read
    the headers of the others, and is checked against them."""
    frames: dict[str, pd.DataFrame | None] = dict.fromkeys(_LABELS)
    columns = {}
    mapping = UserMapping()
    if "columns" in found:
        table = read("columns", found["columns"], None)
        frames["columns"] = table.frame
        mapping = read_mapping(table.frame, found["columns"], found, validation)
    for kind, name in found.items():
        if kind != "columns":
            table = read(kind, name, mapping.fields)
            frames[kind], columns[name] = table.frame, _where(table, kind, mapping.fields)
    if "columns" in found:
        check_headers(mapping, {kind: [str(h) for h in frame.columns]
                                for kind, frame in frames.items() if frame is not None},
                      found, validation)
    return WorkbookData(path=path, customers=frames["customers"], orders=frames["orders"],
                        segments=frames["segments"], settings=frames["settings"],
                        sheet_names={k: v for k, v in found.items() if k != "columns"},
                        validation=validation, columns=columns, mapping=mapping.fields,
                        columns_sheet=found.get("columns"))


class Books:
    """The workbook opened by python-calamine when first needed (opening it reads all the
    shared strings: the typed path does without it), closed with :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._book: CalamineWorkbook | None = None

    def __call__(self) -> CalamineWorkbook:
        if self._book is None:
            try:
                self._book = _calamine(self.path)
            except Exception as err:  # calamine's errors carry no common base
                raise WorkbookError(f"{self.path.name} cannot be read as a workbook: {err}",
                                    hint="Open it in Excel and save it again as .xlsx."
                                    ) from err
        return self._book

    def close(self) -> None:
        if self._book is not None:
            self._book.close()


def _columns_reader(path: Path) -> ExcelReader | None:
    """The file opened by fastexcel for the typed path; None if it refuses it (python-calamine
    then reads it cell by cell, or says why it cannot)."""
    try:
        return open_reader(path)
    except Exception:  # fastexcel's errors carry no common base
        return None


def _calamine(path: Path) -> CalamineWorkbook:
    """The file opened by python-calamine, imported here: the grids of a workbook open in Excel
    (:func:`data_from_grids`, xlwings Lite in a browser) are read without it."""
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path))


def read_workbook(path: Path, *, progress: Progress | None = None, typed: bool = True,
                  ) -> WorkbookData:
    """Read the input sheets of an .xlsx/.xlsm workbook (Customers required).

    ``typed=False`` reads every cell as a Python object, as for a workbook open in Excel: the
    same data, slower (the tests compare both paths).

    Raises WorkbookError (with a hint) when the file is missing, not a workbook, protected by a
    password, empty or without a Customers sheet; WorkbookLockedError when it cannot be opened.
    """
    path = Path(path)
    _sniff(path)
    say = progress or (lambda _: None)
    validation = Validation()
    with Package(path) as package:
        book = Books(path)
        columns_reader = _columns_reader(path) if typed else None
        readable = columns_reader.sheet_names if columns_reader else book().sheet_names
        try:
            by_name = {s.name: s for s in package.sheets()}
            names = [n for n in readable if n in by_name]
            # The Columns sheet is potentiel's (a run writes it) but the user's input too.
            own = {s.name for role, s in package.own_sheets().items() if role != COLUMNS_ROLE}
            found = _input_names(names, own, validation)
            _require_customers(path, names, found)

            def read(kind: str, name: str, mapping: ColumnMap | None) -> SheetTable:
                say(f"reading sheet '{name}'")
                return _read_sheet(book, package, by_name[name], kind, validation,
                                   columns_reader, mapping)

            return _inputs(path, found, read, validation)
        finally:
            book.close()


def read_sheet_table(path: Path, sheet_name: str, kind: str | None = None) -> SheetTable:
    """One sheet's data (any sheet, by its tab name) and where its header and table are."""
    path = Path(path)
    _sniff(path)
    kind = kind or match_sheet(sheet_name) or "customers"
    with Package(path) as package:
        sheet = next((s for s in package.sheets() if s.name.casefold() == sheet_name.casefold()),
                     None)
        if sheet is None:
            names = ", ".join(s.name for s in package.sheets())
            raise WorkbookError(f"{path.name} has no sheet '{sheet_name}' (sheets: {names}).",
                                hint="Check the sheet name in the configuration.")
        book = Books(path)
        try:
            return _read_sheet(book, package, sheet, kind, Validation())
        finally:
            book.close()
