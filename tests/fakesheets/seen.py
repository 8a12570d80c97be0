"""A tab of the fake as a person sees it in Google Sheets, and the same tab as an .xlsx file.

:func:`seen` gives what the eye meets: header texts, values as displayed by their number
format in the spreadsheet's locale (:data:`~fakesheets.cells.LOCALES`: ``4 212,70 €`` and
``05/03/2026`` in fr_FR), the dropdown's choices, the colour a value gets, frozen rows and
columns, the filter.
:func:`to_xlsx` writes a tab with its formats (number formats, header fills, frozen panes,
filter, conditional colours, dropdowns) so that it can be rendered and looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .cells import Cell, formatted
from .model import Book, Sheet
from .server import FakeSheets

#: Google's width of a column and height of a row whose size was never set, the height each
#: more line of wrapped text adds, and its vertical alignments in Excel.
DEFAULT_COLUMN_PIXELS, DEFAULT_ROW_PIXELS, LINE_PIXELS = 100, 21, 16
_CHAR_PIXELS, _CELL_PADDING = 7, 6
_VERTICAL = {"TOP": "top", "MIDDLE": "center", "BOTTOM": "bottom"}


def _hex(color: dict[str, float] | None) -> str | None:
    if not color:
        return None
    return "".join(f"{round(color.get(c, 0) * 255):02X}" for c in ("red", "green", "blue"))


@dataclass
class Seen:
    """One tab as displayed."""

    sheet: Sheet
    locale: str

    @property
    def header(self) -> list[str]:
        return [str(self.cell(0, c).value or "") for c in range(self.width)]

    @property
    def width(self) -> int:
        return max((c + 1 for row in self.sheet.grid.values() for c, cell in row.items()
                    if not cell.blank), default=0)

    @property
    def height(self) -> int:
        return max((r + 1 for r, row in self.sheet.grid.items()
                    if any(not cell.blank for cell in row.values())), default=0)

    def cell(self, row: int, col: int) -> Cell:
        return self.sheet.get(row, col) or Cell()

    def column(self, label: str) -> int:
        return self.header.index(label)

    def shown(self, row: int, col: int) -> str:
        """The text a cell displays."""
        cell = self.cell(row, col)
        if cell.value is None or isinstance(cell.value, str):
            return cell.value or ""
        if isinstance(cell.value, bool):
            return "TRUE" if cell.value else "FALSE"
        return formatted(float(cell.value), cell.number_format, self.locale)

    def rows(self) -> list[list[str]]:
        return [[self.shown(r, c) for c in range(self.width)] for r in range(self.height)]

    def choices(self, row: int, col: int) -> list[str]:
        rule = self.cell(row, col).validation or {}
        condition = rule.get("condition") or {}
        return [v["userEnteredValue"] for v in condition.get("values", [])]

    def validation(self, row: int, col: int) -> dict[str, Any]:
        return dict(self.cell(row, col).validation or {})

    def fill(self, row: int, col: int) -> str | None:
        """The background a cell shows: a matching colour rule's, else its own."""
        cell = self.cell(row, col)
        for rule in self.sheet.rules:
            boolean = rule.get("booleanRule") or {}
            condition = boolean.get("condition") or {}
            inside = any(r.get("startColumnIndex", 0) <= col < r.get("endColumnIndex", 10**6)
                         and r.get("startRowIndex", 0) <= row < r.get("endRowIndex", 10**7)
                         for r in rule["ranges"])
            if inside and condition.get("type") == "TEXT_EQ" and cell.value == condition[
                    "values"][0]["userEnteredValue"]:
                return _hex(boolean["format"]["backgroundColorStyle"]["rgbColor"])
        style = (cell.fmt or {}).get("backgroundColorStyle") or {}
        return _hex(style.get("rgbColor"))

    @property
    def frozen(self) -> tuple[int, int]:
        grid = self.sheet.props["gridProperties"]
        return grid.get("frozenRowCount", 0), grid.get("frozenColumnCount", 0)

    @property
    def filtered(self) -> dict[str, Any] | None:
        return (self.sheet.basic_filter or {}).get("range")


def seen(fake: FakeSheets, sid: str, title: str) -> Seen:
    """A tab of the fake as displayed in a spreadsheet of its locale."""
    book: Book = fake.snapshot(sid)
    sheet = book.find(title)
    assert sheet is not None, f"no tab {title!r}"
    return Seen(sheet, book.locale)


def _fitted_row(tab: Seen, row: int) -> int:
    """The height (pixels) Google gives a row never sized by hand: one line, or as many
    as its longest wrapped text takes in its column (about 7 pixels a character)."""
    lines = 1
    for c, text in enumerate(tab.shown(row, c) for c in range(tab.width)):
        if text and (tab.cell(row, c).fmt or {}).get("wrapStrategy") == "WRAP":
            room = tab.sheet.sizes.get(("COLUMNS", c), DEFAULT_COLUMN_PIXELS) - _CELL_PADDING
            lines = max(lines, -(-len(text) * _CHAR_PIXELS // max(room, _CHAR_PIXELS)))
    return DEFAULT_ROW_PIXELS + (lines - 1) * LINE_PIXELS


def _horizontal(cell: Cell, fmt: dict[str, Any]) -> str:
    """Where Google puts a cell's text: as its format says, else numbers and dates to the
    right, TRUE/FALSE centred, text to the left (the export holds the shown text, so Excel
    would put it all on the left)."""
    if fmt.get("horizontalAlignment"):
        return str(fmt["horizontalAlignment"]).lower()
    if isinstance(cell.value, bool):
        return "center"
    return "right" if isinstance(cell.value, int | float) else "left"


def to_xlsx(tabs: list[Seen], path: Path) -> Path:
    """The tabs as an .xlsx with their look: values as displayed (numbers to the right), fills,
    fonts, wrapping, column widths and row heights as Google shows them (Arial 10, 100 px
    columns unless set), frozen panes, filter, colour rules and dropdowns."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for tab in tabs:
        ws = book.create_sheet(tab.sheet.title[:31])
        for r, row in enumerate(tab.rows()):
            for c, text in enumerate(row):
                cell = ws.cell(r + 1, c + 1, text)
                fmt = tab.cell(r, c).fmt or {}
                fill = _hex((fmt.get("backgroundColorStyle") or {}).get("rgbColor"))
                if fill:
                    cell.fill = PatternFill("solid", fgColor=fill)
                text = fmt.get("textFormat") or {}
                colour = _hex((text.get("foregroundColorStyle") or {}).get("rgbColor"))
                cell.font = Font(name="Arial", bold=text.get("bold"), color=colour,
                                 size=text.get("fontSize", 10))
                cell.alignment = Alignment(
                    wrap_text=fmt.get("wrapStrategy") == "WRAP",
                    horizontal=_horizontal(tab.cell(r, c), fmt),
                    vertical=_VERTICAL.get(fmt.get("verticalAlignment", "BOTTOM")))
        for c in range(tab.width):
            pixels = tab.sheet.sizes.get(("COLUMNS", c), DEFAULT_COLUMN_PIXELS)
            ws.column_dimensions[get_column_letter(c + 1)].width = max(pixels - 5, 0) / 7
        for r in range(tab.height):
            pixels = tab.sheet.sizes.get(("ROWS", r)) or _fitted_row(tab, r)
            ws.row_dimensions[r + 1].height = pixels * 0.75
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.print_options.gridLines = True
        rows, cols = tab.frozen
        if rows or cols:
            ws.freeze_panes = ws.cell(rows + 1, cols + 1)
        if tab.filtered is not None:
            ws.auto_filter.ref = f"A1:{get_column_letter(max(tab.width, 1))}{max(tab.height, 1)}"
        for rule in tab.sheet.rules:
            boolean = rule.get("booleanRule") or {}
            value = boolean["condition"]["values"][0]["userEnteredValue"]
            fmt = boolean.get("format") or {}
            fill = _hex(fmt["backgroundColorStyle"]["rgbColor"])
            font = _hex(((fmt.get("textFormat") or {}).get("foregroundColorStyle") or {}).get(
                "rgbColor"))
            for r in rule["ranges"]:
                letter = get_column_letter(r["startColumnIndex"] + 1)
                ws.conditional_formatting.add(
                    f"{letter}2:{letter}{max(tab.height, 2)}",
                    CellIsRule(operator="equal", formula=[f'"{value}"'],
                               fill=PatternFill("solid", bgColor=fill),
                               font=Font(color=font, bold=fmt["textFormat"].get("bold"))))
        for c in range(tab.width):
            choices = tab.choices(1, c)
            if choices:
                letter = get_column_letter(c + 1)
                check = DataValidation(type="list", formula1='"' + ",".join(choices) + '"')
                check.add(f"{letter}2:{letter}{max(tab.height, 2)}")
                ws.add_data_validation(check)
    book.save(path)
    return path


__all__ = ["Seen", "seen", "to_xlsx"]
