"""Spreadsheets in memory and the operations of the values API on them.

A :class:`Book` is one spreadsheet: properties and ordered :class:`Sheet` tabs, each with grid
properties, protected ranges and a sparse grid of :class:`~fakesheets.cells.Cell`.  Functions
here raise :class:`ApiError` with the codes and messages Google uses, so the HTTP layer only
turns them into JSON.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import a1
from .cells import DEFAULT_LOCALE, Cell, cell_data, raw_value, render, user_entered

#: Google's limit on cells in one spreadsheet.
MAX_CELLS = 10_000_000

STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An error answer: ``{"error": {"code", "message", "status"}}``."""

    def __init__(self, code: int, message: str, *, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "status": STATUS.get(self.code, "UNKNOWN"),
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad(message: str) -> ApiError:
    return ApiError(400, message)


@dataclass
class Sheet:
    """One tab. ``props`` is Google's SheetProperties without ``sheetId`` and ``index``."""

    sheet_id: int
    props: dict[str, Any]
    protected: list[dict[str, Any]] = field(default_factory=list)
    grid: dict[int, dict[int, Cell]] = field(default_factory=dict)
    #: Conditional format rules (ConditionalFormatRule JSON) and the basic filter, if any.
    rules: list[dict[str, Any]] = field(default_factory=list)
    basic_filter: dict[str, Any] | None = None
    #: Pixel sizes set by ``updateDimensionProperties``: ("ROWS" | "COLUMNS", index) -> px.
    sizes: dict[tuple[str, int], int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.props["title"]

    @property
    def rows(self) -> int:
        return self.props["gridProperties"]["rowCount"]

    @property
    def cols(self) -> int:
        return self.props["gridProperties"]["columnCount"]

    def resize(self, rows: int | None = None, cols: int | None = None) -> None:
        """Change the grid size; cells that fall outside are lost, as in Google."""
        grid = self.props["gridProperties"]
        shrinks = (rows or self.rows) < self.rows or (cols or self.cols) < self.cols
        grid["rowCount"] = self.rows if rows is None else rows
        grid["columnCount"] = self.cols if cols is None else cols
        if shrinks:
            self.grid = {
                r: {c: cell for c, cell in row.items() if c < self.cols}
                for r, row in self.grid.items()
                if r < self.rows
            }

    def copy(self) -> Sheet:
        return Sheet(
            self.sheet_id,
            copy.deepcopy(self.props),
            copy.deepcopy(self.protected),
            {r: dict(row) for r, row in self.grid.items()},
            copy.deepcopy(self.rules),
            copy.deepcopy(self.basic_filter),
            dict(self.sizes),
        )

    def properties(self, index: int) -> dict[str, Any]:
        """SheetProperties JSON; zero frozen counts are omitted, as Google does."""
        props = copy.deepcopy(self.props)
        grid = props["gridProperties"]
        for key in ("frozenRowCount", "frozenColumnCount"):
            if not grid.get(key):
                grid.pop(key, None)
        return {"sheetId": self.sheet_id, "title": self.title, "index": index, **props}

    def get(self, row: int, col: int) -> Cell | None:
        return self.grid.get(row, {}).get(col)

    def put(self, row: int, col: int, cell: Cell | None) -> None:
        if cell is None or (cell.blank and not cell.fmt and not cell.note
                            and not cell.validation):
            self.grid.get(row, {}).pop(col, None)
            if not self.grid.get(row, True):
                del self.grid[row]
        else:
            self.grid.setdefault(row, {})[col] = cell

    def cells_in(self, box: Box) -> Iterator[tuple[int, int, Cell]]:
        """Stored cells inside ``box`` (blank ones with only a format included)."""
        for r in sorted(self.grid):
            if box.row0 <= r < box.row1:
                for c in sorted(self.grid[r]):
                    if box.col0 <= c < box.col1:
                        yield r, c, self.grid[r][c]

    def used(self, box: Box) -> Box | None:
        """Bounding box of the cells with content inside ``box``; None if there are none."""
        hits = [(r, c) for r, c, cell in self.cells_in(box) if not cell.blank]
        if not hits:
            return None
        rows, cols = [r for r, _ in hits], [c for _, c in hits]
        return Box(min(rows), min(cols), max(rows) + 1, max(cols) + 1)

    def shift(self, dimension: str, start: int, delta: int) -> None:
        """Move cells at index >= ``start`` by ``delta`` rows or columns; a negative ``delta``
        first drops the band ``[start + delta, start)``."""
        moved: dict[int, dict[int, Cell]] = {}
        for r, row in self.grid.items():
            for c, cell in row.items():
                index = r if dimension == "ROWS" else c
                if delta < 0 and start + delta <= index < start:
                    continue  # inside the deleted band
                new = index + delta if index >= start else index
                nr, nc = (new, c) if dimension == "ROWS" else (r, new)
                moved.setdefault(nr, {})[nc] = cell
        self.grid = moved
        self.sizes = {(d, i + delta if d == dimension and i >= start else i): px
                      for (d, i), px in self.sizes.items()
                      if not (d == dimension and delta < 0 and start + delta <= i < start)}


@dataclass(frozen=True)
class Box:
    """Bounded zero-based, end-exclusive cell rectangle."""

    row0: int
    col0: int
    row1: int
    col1: int

    def label(self, title: str) -> str:
        return a1.label(title, self.row0, self.col0, self.row1, self.col1)


@dataclass
class Book:
    """One spreadsheet."""

    id: str
    props: dict[str, Any]
    sheets: list[Sheet]
    created: str
    modified: str
    version: int = 1
    """Drive's ``version``: grows with every change, through the API or typed in."""

    @property
    def title(self) -> str:
        return self.props["title"]

    @property
    def locale(self) -> str:
        """How the spreadsheet shows numbers and dates (``spreadsheetProperties.locale``)."""
        return self.props.get("locale", DEFAULT_LOCALE)

    def copy(self) -> Book:
        return Book(
            self.id,
            copy.deepcopy(self.props),
            [s.copy() for s in self.sheets],
            self.created,
            self.modified,
            self.version,
        )

    def find(self, title: str) -> Sheet | None:
        """The tab of that title; titles are unique and matched case-insensitively."""
        folded = title.casefold()
        return next((s for s in self.sheets if s.title.casefold() == folded), None)

    def by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def cell_count(self) -> int:
        return sum(s.rows * s.cols for s in self.sheets)

    def check_size(self) -> None:
        if self.cell_count() > MAX_CELLS:
            raise bad(
                "This action would increase the number of cells in the workbook above the "
                f"limit of {MAX_CELLS} cells."
            )

    def metadata(self, include_grid: bool = False, ranges: Sequence[str] = ()) -> dict[str, Any]:
        """The Spreadsheet resource of ``spreadsheets.get``."""
        wanted: dict[int, list[Box]] = {}
        for text in ranges:
            sheet, span = locate(self, text)
            wanted.setdefault(sheet.sheet_id, []).append(read_box(sheet, span))
        sheets = []
        for index, sheet in enumerate(self.sheets):
            if ranges and sheet.sheet_id not in wanted:
                continue
            entry: dict[str, Any] = {"properties": sheet.properties(index)}
            if sheet.protected:
                entry["protectedRanges"] = copy.deepcopy(sheet.protected)
            if sheet.rules:
                entry["conditionalFormats"] = copy.deepcopy(sheet.rules)
            if sheet.basic_filter is not None:
                entry["basicFilter"] = copy.deepcopy(sheet.basic_filter)
            if include_grid:
                boxes = wanted.get(sheet.sheet_id) or [Box(0, 0, sheet.rows, sheet.cols)]
                entry["data"] = [grid_data(sheet, box, self.locale) for box in boxes]
            sheets.append(entry)
        return {
            "spreadsheetId": self.id,
            "properties": copy.deepcopy(self.props),
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.id}/edit",
        }


def grid_data(sheet: Sheet, box: Box, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    """GridData of one range: rowData trimmed of trailing empty rows and cells."""
    rows: list[dict[str, Any]] = []
    for r in range(box.row0, min(box.row1, max(sheet.grid, default=-1) + 1)):
        values = [cell_data(sheet.get(r, c), locale) for c in range(box.col0, box.col1)]
        while values and not values[-1]:
            values.pop()
        rows.append({"values": values} if values else {})
    while rows and not rows[-1]:
        rows.pop()
    data: dict[str, Any] = {"rowData": rows} if rows else {}
    if box.row0:
        data["startRow"] = box.row0
    if box.col0:
        data["startColumn"] = box.col0
    return data


# --- ranges ----------------------------------------------------------------------------------


def locate(book: Book, text: str) -> tuple[Sheet, a1.Span]:
    """The tab and bounds a range names; a bare ``A1:B2`` is on the first tab."""
    unparsable = bad(f"Unable to parse range: {text}")
    try:
        title, cells = a1.split(text)
    except a1.BadRange:
        raise unparsable from None
    if title is None:
        if cells and a1.is_a1(cells):
            sheet: Sheet | None = book.sheets[0]
        else:
            sheet, cells = book.find(cells or ""), None
    else:
        sheet = book.find(title)
    if sheet is None:
        raise unparsable
    try:
        span = a1.parse(cells) if cells else a1.Span(None, None, None, None)
    except a1.BadRange:
        raise unparsable from None
    return sheet, span


def exceeds(sheet: Sheet, box: Box) -> ApiError:
    return bad(
        f"Range ({box.label(sheet.title)}) exceeds grid limits. "
        f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
    )


def read_box(sheet: Sheet, span: a1.Span) -> Box:
    """Bounds of a range read: open ends reach the grid's edge, ends past it are cut."""
    row0, col0 = span.row0 or 0, span.col0 or 0
    if row0 >= sheet.rows or col0 >= sheet.cols:
        raise exceeds(sheet, Box(row0, col0, span.row1 or row0 + 1, span.col1 or col0 + 1))
    row1 = min(span.row1 or sheet.rows, sheet.rows)
    col1 = min(span.col1 or sheet.cols, sheet.cols)
    return Box(row0, col0, row1, col1)


def write_box(sheet: Sheet, span: a1.Span, text: str, height: int, width: int) -> Box:
    """Bounds of a write of ``height`` x ``width`` values at a range, checked as Google does."""
    row0, col0 = span.row0 or 0, span.col0 or 0
    if not span.is_cell:
        if span.row1 is not None and row0 + height > span.row1:
            raise bad(
                f"Requested writing within range [{text}], but tried writing to row "
                f"[{row0 + height}]"
            )
        if span.col1 is not None and col0 + width > span.col1:
            raise bad(
                f"Requested writing within range [{text}], but tried writing to column "
                f"[{a1.column_letters(col0 + width - 1)}]"
            )
    box = Box(row0, col0, max(row0 + height, span.row1 or 0), max(col0 + width, span.col1 or 0))
    if box.row1 > sheet.rows or box.col1 > sheet.cols:
        raise exceeds(sheet, box)
    return box


# --- values ----------------------------------------------------------------------------------


def as_rows(body: Mapping[str, Any]) -> list[list[Any]]:
    """The ``values`` of a ValueRange as rows, checked for non-scalar cells."""
    values = body.get("values") or []
    if not isinstance(values, list) or not all(isinstance(v, list) for v in values):
        raise bad("Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)")
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if isinstance(value, dict | list):
                kind = "struct_value" if isinstance(value, dict) else "list_value"
                raise bad(f"Invalid values[{i}][{j}]: {kind} {{}}")
    if body.get("majorDimension") == "COLUMNS":
        height = max((len(col) for col in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(height)]
    return values


def read(
    book: Book, text: str, major: str | None, option: str | None, date_option: str | None
) -> dict[str, Any]:
    """ValueRange of ``values.get``: trailing empty rows and cells trimmed, ``values`` omitted
    when nothing is there."""
    sheet, span = locate(book, text)
    box = read_box(sheet, span)
    major = major or "ROWS"
    option, date_option = option or "FORMATTED_VALUE", date_option or "SERIAL_NUMBER"
    by_row: dict[int, dict[int, Any]] = {}
    for r, c, cell in sheet.cells_in(box):
        if not cell.blank:
            by_row.setdefault(r, {})[c] = render(cell, option, date_option, book.locale)
    result: dict[str, Any] = {"range": box.label(sheet.title), "majorDimension": major}
    if not by_row:
        return result
    if major == "COLUMNS":
        by_col: dict[int, dict[int, Any]] = {}
        for r, row in by_row.items():
            for c, value in row.items():
                by_col.setdefault(c, {})[r] = value
        lines = [by_col.get(c, {}) for c in range(box.col0, max(by_col) + 1)]
        first = box.row0
    else:
        lines = [by_row.get(r, {}) for r in range(box.row0, max(by_row) + 1)]
        first = box.col0
    result["values"] = [
        [line.get(i, "") for i in range(first, max(line) + 1)] if line else [] for line in lines
    ]
    return result


def write_rows(sheet: Sheet, box: Box, rows: list[list[Any]], option: str) -> None:
    parse = user_entered if option == "USER_ENTERED" else raw_value
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:  # null means "leave this cell alone"
                r, c = box.row0 + i, box.col0 + j
                sheet.put(r, c, parse(value, sheet.get(r, c) or Cell()))


def input_option(option: str | None) -> str:
    if option not in ("RAW", "USER_ENTERED"):
        raise bad(f"Invalid valueInputOption: {option or 'INPUT_VALUE_OPTION_UNSPECIFIED'}")
    return option


def update(
    book: Book, text: str, body: Mapping[str, Any], option: str, echo: Mapping[str, Any] | None
) -> dict[str, Any]:
    """UpdateValuesResponse of ``values.update``; ``echo`` holds the response render options
    when ``includeValuesInResponse`` is set."""
    sheet, span = locate(book, text)
    rows = as_rows(body)
    width = max((len(r) for r in rows), default=0)
    result: dict[str, Any] = {"spreadsheetId": book.id}
    if not rows or not width:
        return result
    box = write_box(sheet, span, text, len(rows), width)
    write_rows(sheet, box, rows, option)
    written = Box(box.row0, box.col0, box.row0 + len(rows), box.col0 + width)
    result.update(
        updatedRange=written.label(sheet.title),
        updatedRows=len(rows),
        updatedColumns=width,
        updatedCells=sum(len(r) for r in rows),
    )
    if echo is not None:
        result["updatedData"] = read(
            book,
            written.label(sheet.title),
            "ROWS",
            echo.get("responseValueRenderOption"),
            echo.get("responseDateTimeRenderOption"),
        )
    return result


def append(
    book: Book,
    text: str,
    body: Mapping[str, Any],
    option: str,
    insert: str | None,
    echo: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """AppendValuesResponse: the values go below the table found from the range (see
    :func:`find_table`), from the table's first column; the grid grows to fit, by inserted rows
    with INSERT_ROWS."""
    if insert not in (None, "OVERWRITE", "INSERT_ROWS"):
        raise bad(f"Invalid insertDataOption: {insert}")
    sheet, span = locate(book, text)
    rows = as_rows(body)
    table = find_table(sheet, read_box(sheet, span), span.is_cell)
    height, width = len(rows), max((len(r) for r in rows), default=0)
    row0 = table.row1 if table else span.row0 or 0
    col0 = table.col0 if table else span.col0 or 0
    if insert == "INSERT_ROWS" and height:
        sheet.shift("ROWS", row0, height)
        sheet.resize(rows=sheet.rows + height)
    sheet.resize(rows=max(sheet.rows, row0 + height), cols=max(sheet.cols, col0 + width))
    book.check_size()
    start = a1.cell_label(row0, col0)
    result: dict[str, Any] = {"spreadsheetId": book.id}
    if table:
        result["tableRange"] = table.label(sheet.title)
    result["updates"] = update(
        book, f"{a1.quote_title(sheet.title)}!{start}", {"values": rows}, option, echo
    )
    return result


def find_table(sheet: Sheet, box: Box, from_cell: bool) -> Box | None:
    """The table an append goes below: it starts at the first value in ``box`` and runs down
    over consecutive rows holding a value in its columns (all columns to the right when the
    range is one cell), past the range if need be; a blank row ends it."""
    start = next(((r, c) for r, c, cell in sheet.cells_in(box) if not cell.blank), None)
    if start is None:
        return None
    row, first_col = start
    right = sheet.cols if from_cell else box.col1
    last_col = first_col
    while row < sheet.rows:
        used = [
            c
            for c, cell in sheet.grid.get(row, {}).items()
            if box.col0 <= c < right and not cell.blank
        ]
        if not used:
            break
        last_col = max(last_col, *used)
        row += 1
    return Box(start[0], first_col, row, last_col + 1)


def clear(book: Book, text: str) -> str:
    """Clear values (formats and notes stay, as in Google); returns the cleared range."""
    sheet, span = locate(book, text)
    box = read_box(sheet, span)
    for r, c, cell in list(sheet.cells_in(box)):
        sheet.put(r, c, replace(cell, value=None, formula=None))
    return box.label(sheet.title)


# --- field masks -----------------------------------------------------------------------------

_MASK_TOKEN = re.compile(r"\s*([A-Za-z0-9_*@]+|[./,()])")


def mask_paths(fields: str) -> list[list[str]]:
    """Leaf paths of a field mask: ``"a.b,c(d,e)"`` -> ``[[a, b], [c, d], [c, e]]``."""
    tokens = _MASK_TOKEN.findall(fields)
    if not tokens:
        return []
    paths, end = _mask_list(tokens, 0)
    if end != len(tokens):
        raise bad(f"Invalid field selection {fields}")
    return paths


def _mask_list(tokens: list[str], i: int) -> tuple[list[list[str]], int]:
    paths: list[list[str]] = []
    while True:
        names = [tokens[i]]
        i += 1
        while i + 1 < len(tokens) and tokens[i] in "./":
            names.append(tokens[i + 1])
            i += 2
        if i < len(tokens) and tokens[i] == "(":
            inner, i = _mask_list(tokens, i + 1)
            if i >= len(tokens) or tokens[i] != ")":
                raise bad("Invalid field selection: unbalanced parentheses")
            i += 1
            paths.extend(names + path for path in inner)
        else:
            paths.append(names)
        if i < len(tokens) and tokens[i] == ",":
            i += 1
            continue
        return paths, i


def mask_tree(fields: str) -> dict[str, Any]:
    """A field mask as nested dicts, ``None`` marking a field selected whole."""
    tree: dict[str, Any] = {}
    for path in mask_paths(fields):
        node: dict[str, Any] | None = tree
        for name in path[:-1]:
            if node is None:
                break
            node = node.setdefault(name, {})
        if node is not None:
            node[path[-1]] = None
    return tree


def select(value: Any, tree: dict[str, Any] | None) -> Any:
    """Keep only the fields a response mask names (lists apply the mask to each item)."""
    if tree is None or not isinstance(value, dict | list):
        return value
    if isinstance(value, list):
        return [select(v, tree) for v in value]
    if "*" in tree:
        return value
    return {k: select(value[k], sub) for k, sub in tree.items() if k in value}


def copy_path(target: dict[str, Any], source: Mapping[str, Any], path: Sequence[str]) -> None:
    """Set ``target[path]`` from ``source[path]``, or remove it when the source lacks it."""
    for key in path[:-1]:
        source = source.get(key) or {}
        target = target.setdefault(key, {})
    if path[-1] in source:
        target[path[-1]] = copy.deepcopy(source[path[-1]])
    else:
        target.pop(path[-1], None)
