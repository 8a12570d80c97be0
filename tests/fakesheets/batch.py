"""``spreadsheets:batchUpdate``: one handler per request kind, one reply per request.

The whole batch runs on a copy of the spreadsheet that the caller swaps in only if every request
succeeded, so a failing batch changes nothing, as in Google.  Formatting-only requests (merges,
validation, borders, auto-resize, filters) are checked and acknowledged without effect on values.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from .cells import Cell, from_extended
from .model import ApiError, Book, Box, Sheet, bad, copy_path, mask_paths

Request = Mapping[str, Any]


class Invalid(Exception):
    """A request that Google refuses; becomes ``Invalid requests[i].kind: message``."""


def run(book: Book, requests: list[Request], rng: random.Random) -> list[dict[str, Any]]:
    """Apply ``requests`` in order to ``book`` (a copy); the replies, one per request."""
    replies = []
    for i, request in enumerate(requests):
        if not isinstance(request, Mapping) or len(request) != 1:
            raise bad(f"Invalid requests[{i}]: exactly one kind of request must be set.")
        ((kind, body),) = request.items()
        handler = HANDLERS.get(kind)
        if handler is None:
            raise NotImplementedError(f"the fake does not implement batchUpdate request {kind!r}")
        try:
            replies.append(handler(book, body or {}, rng))
            book.check_size()
        except Invalid as err:
            raise bad(f"Invalid requests[{i}].{kind}: {err}") from None
        except ApiError as err:
            raise bad(f"Invalid requests[{i}].{kind}: {err.message}") from None
    return replies


def sheet_of(book: Book, sheet_id: Any) -> Sheet:
    sheet = book.by_id(int(sheet_id or 0))
    if sheet is None:
        raise Invalid(f"No grid with id: {sheet_id or 0}")
    return sheet


def grid_box(book: Book, grid_range: Mapping[str, Any]) -> tuple[Sheet, Box]:
    """Sheet and bounds of a GridRange; missing indexes reach the grid's edges."""
    sheet = sheet_of(book, grid_range.get("sheetId"))
    box = Box(
        grid_range.get("startRowIndex", 0),
        grid_range.get("startColumnIndex", 0),
        grid_range.get("endRowIndex", sheet.rows),
        grid_range.get("endColumnIndex", sheet.cols),
    )
    if box.row1 > sheet.rows or box.col1 > sheet.cols:
        raise Invalid(
            f"Range ({box.label(sheet.title)}) exceeds grid limits. "
            f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
        )
    if box.row0 < 0 or box.col0 < 0 or box.row0 > box.row1 or box.col0 > box.col1:
        raise Invalid("Invalid grid range: the start must not be after the end.")
    return sheet, box


def check_title(book: Book, title: Any, sheet: Sheet | None = None) -> str:
    if not isinstance(title, str) or not title.strip():
        raise Invalid("The sheet name cannot be empty.")
    other = book.find(title)
    if other is not None and other is not sheet:
        raise Invalid(f'A sheet with the name "{title}" already exists. Please enter another name.')
    return title


def check_grid(sheet: Sheet) -> None:
    grid = sheet.props["gridProperties"]
    if sheet.rows < 1 or sheet.cols < 1:
        raise Invalid("A sheet must have at least one row and one column.")
    if grid.get("frozenRowCount", 0) >= sheet.rows:
        raise Invalid("You can't freeze all visible rows on the sheet.")
    if grid.get("frozenColumnCount", 0) >= sheet.cols:
        raise Invalid("You can't freeze all visible columns on the sheet.")


def add_sheet(book: Book, body: Request, rng: random.Random) -> dict[str, Any]:
    given = copy.deepcopy(body.get("properties") or {})
    sheet_id = given.pop("sheetId", None)
    if sheet_id is None:
        sheet_id = new_sheet_id(book, rng)
    elif book.by_id(sheet_id) is not None:
        raise Invalid(f"A sheet with id {sheet_id} already exists.")
    index = given.pop("index", len(book.sheets))
    number = len(book.sheets) + 1
    while book.find(f"Sheet{number}"):
        number += 1
    given["title"] = check_title(book, given.get("title") or f"Sheet{number}")
    given.setdefault("sheetType", "GRID")
    grid = given.setdefault("gridProperties", {})
    grid.setdefault("rowCount", 1000)
    grid.setdefault("columnCount", 26)
    sheet = Sheet(sheet_id, given)
    check_grid(sheet)
    book.sheets.insert(min(max(index, 0), len(book.sheets)), sheet)
    return {"addSheet": {"properties": sheet.properties(book.sheets.index(sheet))}}


def new_sheet_id(book: Book, rng: random.Random) -> int:
    """Google's first tab is gid 0, later ones random positive 31-bit numbers."""
    while True:
        sheet_id = rng.randrange(1, 2**31)
        if book.by_id(sheet_id) is None:
            return sheet_id


def delete_sheet(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    sheet = sheet_of(book, body.get("sheetId"))
    if len(book.sheets) == 1:
        raise Invalid("You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    return {}


def update_sheet_properties(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    given = body.get("properties") or {}
    sheet = sheet_of(book, given.get("sheetId"))
    fields = body.get("fields")
    if not fields:
        raise Invalid("At least one field must be updated, but none are listed in 'fields'.")
    index = book.sheets.index(sheet)
    current = sheet.properties(index)
    current["gridProperties"] = {**sheet.props["gridProperties"]}
    for path in mask_paths(fields):
        if path == ["*"]:
            current = {**copy.deepcopy(dict(given)), "sheetId": sheet.sheet_id}
        elif path != ["sheetId"]:
            copy_path(current, given, path)
    current.setdefault("gridProperties", {})
    rows = current["gridProperties"].get("rowCount", sheet.rows)
    cols = current["gridProperties"].get("columnCount", sheet.cols)
    current["gridProperties"].update(rowCount=rows, columnCount=cols)
    new_index = current.pop("index", index)
    current.pop("sheetId")
    current["title"] = check_title(book, current.get("title"), sheet)
    sheet.props = current
    sheet.resize(rows, cols)
    check_grid(sheet)
    if all(s.props.get("hidden") for s in book.sheets):
        raise Invalid("You can't hide all the sheets in a document.")
    book.sheets.remove(sheet)
    book.sheets.insert(min(max(new_index, 0), len(book.sheets)), sheet)
    return {}


def update_spreadsheet_properties(book: Book, body: Request, _rng: random.Random) -> dict:
    fields = body.get("fields")
    if not fields:
        raise Invalid("At least one field must be updated, but none are listed in 'fields'.")
    for path in mask_paths(fields):
        if path == ["*"]:
            book.props.update(copy.deepcopy(dict(body.get("properties") or {})))
        else:
            copy_path(book.props, body.get("properties") or {}, path)
    if not book.props.get("title"):
        raise Invalid("The spreadsheet title cannot be empty.")
    return {}


def append_dimension(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    sheet = sheet_of(book, body.get("sheetId"))
    length = int(body.get("length", 0))
    if length < 1:
        raise Invalid("length must be at least 1.")
    if body.get("dimension") == "ROWS":
        sheet.resize(rows=sheet.rows + length)
    elif body.get("dimension") == "COLUMNS":
        sheet.resize(cols=sheet.cols + length)
    else:
        raise Invalid("dimension must be ROWS or COLUMNS.")
    return {}


def dimension_range(book: Book, body: Request) -> tuple[Sheet, str, int, int]:
    span = body.get("range") or {}
    sheet = sheet_of(book, span.get("sheetId"))
    dimension = span.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise Invalid("range.dimension must be ROWS or COLUMNS.")
    size = sheet.rows if dimension == "ROWS" else sheet.cols
    start, end = span.get("startIndex", 0), span.get("endIndex", size)
    if not 0 <= start <= end:
        raise Invalid("range: the start index must not be after the end index.")
    return sheet, dimension, start, end


def insert_dimension(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    sheet, dimension, start, end = dimension_range(book, body)
    size = sheet.rows if dimension == "ROWS" else sheet.cols
    if start > size:
        raise Invalid(f"range.startIndex ({start}) is past the end of the grid ({size}).")
    sheet.shift(dimension, start, end - start)
    grow = end - start
    sheet.resize(*((sheet.rows + grow, None) if dimension == "ROWS" else (None, sheet.cols + grow)))
    return {}


def delete_dimension(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    sheet, dimension, start, end = dimension_range(book, body)
    size = sheet.rows if dimension == "ROWS" else sheet.cols
    end = min(end, size)
    if end - start >= size:
        raise Invalid(f"You can't delete all the {dimension.lower()} on the sheet.")
    sheet.shift(dimension, end, start - end)
    shrink = end - start
    sheet.resize(
        *((sheet.rows - shrink, None) if dimension == "ROWS" else (None, sheet.cols - shrink))
    )
    return {}


def update_dimension_properties(book: Book, body: Request, _rng: random.Random) -> dict:
    sheet, dimension, start, end = dimension_range(book, body)
    if not body.get("fields"):
        raise Invalid("At least one field must be updated, but none are listed in 'fields'.")
    size = (body.get("properties") or {}).get("pixelSize")
    if "pixelSize" in body["fields"].split(",") and size is not None:
        sheet.sizes.update({(dimension, i): int(size) for i in range(start, end)})
    return {}


def apply_cell(cell: Cell | None, data: Mapping[str, Any], paths: list[list[str]]) -> Cell:
    """A cell after writing the ``fields`` of a CellData into it."""
    cell = cell or Cell()
    if paths == [["*"]]:
        paths = [["userEnteredValue"], ["userEnteredFormat"], ["note"]]
    for path in paths:
        head = path[0]
        if head == "userEnteredValue":
            cell = from_extended(data.get("userEnteredValue") or {}, cell)
        elif head == "userEnteredFormat":
            fmt = copy.deepcopy(dict(cell.fmt or {}))
            if len(path) == 1:
                fmt = copy.deepcopy(dict(data.get("userEnteredFormat") or {}))
            else:
                copy_path(fmt, data.get("userEnteredFormat") or {}, path[1:])
            cell = replace(cell, fmt=fmt or None)
        elif head == "note":
            cell = replace(cell, note=data.get("note") or None)
    return cell


def repeat_cell(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    sheet, box = grid_box(book, body.get("range") or {})
    paths = mask_paths(body.get("fields") or "")
    if not paths:
        raise Invalid("At least one field must be updated, but none are listed in 'fields'.")
    data = body.get("cell") or {}
    for r in range(box.row0, box.row1):
        for c in range(box.col0, box.col1):
            sheet.put(r, c, apply_cell(sheet.get(r, c), data, paths))
    return {}


def update_cells(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    paths = mask_paths(body.get("fields") or "")
    if not paths:
        raise Invalid("At least one field must be updated, but none are listed in 'fields'.")
    rows = body.get("rows") or []
    if "range" in body:
        sheet, box = grid_box(book, body["range"])
    else:
        start = body.get("start") or {}
        sheet = sheet_of(book, start.get("sheetId"))
        width = max((len(row.get("values") or []) for row in rows), default=0)
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        box = Box(r0, c0, r0 + len(rows), c0 + width)
        if box.row1 > sheet.rows or box.col1 > sheet.cols:
            raise Invalid(
                f"Range ({box.label(sheet.title)}) exceeds grid limits. "
                f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
            )
    for r in range(box.row0, box.row1):
        values = (rows[r - box.row0].get("values") or []) if r - box.row0 < len(rows) else []
        for c in range(box.col0, box.col1):
            data = values[c - box.col0] if c - box.col0 < len(values) else {}
            sheet.put(r, c, apply_cell(sheet.get(r, c), data, paths))
    return {}


def add_protected_range(book: Book, body: Request, rng: random.Random) -> dict[str, Any]:
    protected = copy.deepcopy(dict(body.get("protectedRange") or {}))
    sheet, _box = grid_box(book, protected.get("range") or {})
    protected["range"].setdefault("sheetId", sheet.sheet_id)
    protected["protectedRangeId"] = rng.randrange(1, 2**31)
    protected.setdefault("requestingUserCanEdit", True)
    sheet.protected.append(protected)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(protected)}}


def delete_protected_range(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    wanted = body.get("protectedRangeId")
    for sheet in book.sheets:
        for protected in sheet.protected:
            if protected["protectedRangeId"] == wanted:
                sheet.protected.remove(protected)
                return {}
    raise Invalid(f"No protected range with id: {wanted}")


def acknowledge(*keys: str) -> Callable[[Book, Request, random.Random], dict[str, Any]]:
    """A formatting request: its ranges are checked, its effect on display is not modelled."""

    def handler(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
        for key in keys:
            part: Any = body
            for name in key.split("."):
                part = part.get(name) if isinstance(part, Mapping) else None
            if isinstance(part, Mapping) and "dimension" not in part:
                grid_box(book, part)
            elif isinstance(part, Mapping):
                sheet_of(book, part.get("sheetId"))
            elif part is not None:
                sheet_of(book, part)
        return {}

    return handler


HANDLERS: dict[str, Callable[[Book, Request, random.Random], dict[str, Any]]] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "updateDimensionProperties": update_dimension_properties,
    "repeatCell": repeat_cell,
    "updateCells": update_cells,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "autoResizeDimensions": acknowledge("dimensions"),
    "mergeCells": acknowledge("range"),
    "unmergeCells": acknowledge("range"),
    "setDataValidation": acknowledge("range"),
    "updateBorders": acknowledge("range"),
    "setBasicFilter": acknowledge("filter.range"),
    "clearBasicFilter": acknowledge("sheetId"),
}
