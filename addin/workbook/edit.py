"""Surgical edits of a user's sheet: set some cells, append some rows, keep everything else.

The Google Sheets sync writes the sales team's columns (status, owner, notes, next_action) back
into the Customers sheet and adds the customers typed in by sales.  It must not disturb anything
else, so the sheet's XML is edited as text: only the ``<row>`` elements that change are
rewritten (each changed cell keeps its format), new rows are inserted in row order, the
``<dimension>`` and the Excel Table's range grow to cover them.  Every other part of the
workbook keeps its bytes, and the file is replaced atomically.

Text is written as inline strings: a value starting with ``=`` stays text.  Overwriting a
formula drops ``calcChain.xml`` (Excel rebuilds it) because Excel refuses a chain naming a cell
that no longer holds a formula.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from addin.core.parsing import EXCEL_EPOCH
from addin.core.schema import canonical_columns, fold, match_sheet
from addin.errors import WorkbookError
from addin.workbook.a1 import column_index, column_letter, split_ref
from addin.workbook.reader import read_sheet_table
from addin.workbook.sheetxml import MAX_TEXT, Styles, ensure_styles
from addin.workbook.xml_text import attribute
from addin.workbook.zip_parts import Package

_ROW_START = re.compile(r"<(?:\w+:)?row[\s>/]")
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>.*?</(?:\w+:)?c>)", re.DOTALL)
_R = re.compile(r"\sr=\"([A-Z]*)(\d+)\"")
_S = re.compile(r"\ss=\"(\d+)\"")
_FORMULA = re.compile(r"<(?:\w+:)?f[\s>/]")


def cell_xml(ref: str, value: object, style: str | None, styles: Styles | None) -> str:
    """One cell holding ``value``: text as an inline string (never a formula), numbers as
    numbers, dates as serials, blanks as an empty cell that keeps its format."""
    s = f' s="{style}"' if style is not None else ""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool | np.bool_):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return f'<c r="{ref}"{s}><v>{number!r}</v></c>' if np.isfinite(number) else \
            f'<c r="{ref}"{s}/>'
    if _is_date(value):
        serial = (pd.Timestamp(value).tz_localize(None) - EXCEL_EPOCH) / pd.Timedelta(days=1)
        date_style = s or (f' s="{styles.date}"' if styles else "")
        return f'<c r="{ref}"{date_style}><v>{serial!r}</v></c>'
    text = str(value)[:MAX_TEXT]
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group(0)):04X}_", text)
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _prefix(tag: str) -> str:
    """The namespace prefix (with its colon) of an element's start tag, or ''."""
    match = re.match(r"<(\w+:)?", tag)
    return (match.group(1) or "") if match else ""


def _is_date(value: object) -> bool:
    return not isinstance(value, str) and hasattr(value, "isoformat")


class _SheetText:
    """A worksheet's XML with its rows indexed, edited row by row."""

    def __init__(self, xml: str) -> None:
        self.xml = xml
        start = re.search(r"<(?:\w+:)?sheetData\b[^>]*?(/?)>", xml)
        if start is None:
            raise WorkbookError("the sheet has no cell data part",
                                hint="Open the workbook in Excel and save it again.")
        self.p = _prefix(start.group(0))
        if start.group(1):
            xml = xml[: start.start()] + f"<{self.p}sheetData></{self.p}sheetData>" + \
                xml[start.end():]
            start = re.search(r"<(?:\w+:)?sheetData\b[^>]*>", xml) or start
        self.head = xml[: start.end()]
        end = xml.index(f"</{self.p}sheetData>", start.end())
        self.tail = xml[end:]
        body = xml[start.end(): end]
        self.rows: dict[int, str] = {}
        number = 0
        # Rows are cut at their start tags (a literal search, much faster than matching each
        # row to its end): sheetData holds nothing but rows.
        starts = [m.start() for m in _ROW_START.finditer(body)] + [len(body)]
        for start, end in pairwise(starts):
            row = body[start:end].rstrip()
            r = _R.search(row[: row.find(">")])
            number = int(r.group(2)) if r else number + 1
            self.rows[number] = row
        self.formulas_overwritten = False
        self.last_column = 0
        dimension = re.search(r"<(?:\w+:)?dimension\b[^>]*\bref=\"[A-Z]*\d*:?([A-Z]+)\d+\"",
                              self.head)
        if dimension is not None:
            self.last_column = column_index(dimension.group(1))
        else:
            self.last_column = max((column_index(m) for m in re.findall(
                r'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)\d+"', body)), default=0)

    def set_cells(self, row: int, cells: Mapping[int, object], styles: Styles | None) -> None:
        """Write values into one row's cells (by 0-based column), keeping each cell's style."""
        old = self.rows.get(row)
        existing: dict[int, str] = {}
        start_tag = f'<{self.p}row r="{row}">'
        if old is not None:
            start_tag = old[: old.find(">") + 1]
            start_tag = re.sub(r'\sspans="[^"]*"', "", start_tag)
            if start_tag.endswith("/>"):
                start_tag = start_tag[:-2].rstrip() + ">"
            column = -1
            for match in _CELL.finditer(old):
                ref = _R.search(" " + match.group(1))
                column = column_index(ref.group(1)) if ref else column + 1
                existing[column] = match.group(0)
        for column, value in cells.items():
            previous = existing.get(column)
            found = _S.search(previous[: previous.find(">")]) if previous else None
            style = found.group(1) if found else None
            if previous and _FORMULA.search(previous):
                self.formulas_overwritten = True
            self.last_column = max(self.last_column, column)
            if previous is None and _is_date(value):
                style = None
            cell = cell_xml(f"{column_letter(column)}{row}", value, style, styles)
            existing[column] = re.sub(r"<(/?)(c|v|is|t)\b", rf"<\1{self.p}\2", cell) \
                if self.p else cell
        body = "".join(existing[c] for c in sorted(existing))
        self.rows[row] = f"{start_tag}{body}</{self.p}row>"

    def text(self) -> str:
        rows = "".join(self.rows[n] for n in sorted(self.rows))
        return self.head + rows + self.tail

    def extent(self) -> tuple[int, int]:
        """Last row and last column (0-based) of the sheet's cells, edits included."""
        return max(self.rows, default=1), self.last_column


def _resolve_columns(labels: list[str], wanted: list[str], kind: str) -> dict[str, int | None]:
    """Map each wanted column (a header as typed, or a canonical name) to its position."""
    by_fold: dict[str, int] = {}
    for i, label in enumerate(labels):
        by_fold.setdefault(fold(label), i)
    canonical = {name: by_fold[fold(h)] for h, name in canonical_columns(kind, labels).items()}
    found: dict[str, int | None] = {}
    for name in wanted:
        found[name] = by_fold.get(fold(name), canonical.get(name))
    return found


def update_cells(path: Path, sheet_name: str, updates: pd.DataFrame,
                 append_rows: pd.DataFrame | None = None, *, out: Path | None = None) -> Path:
    """Set cells of a user's sheet and append rows; every other byte of the workbook stays.

    ``updates`` has columns ``row`` (the Excel row number, as in the index of
    :func:`addin.workbook.reader.read_workbook`'s frames), ``column`` (the header as it is in
    the sheet, or its canonical name such as ``status``) and ``value``.  ``append_rows`` has one
    column per header (or canonical name); its rows go after the sheet's last data row, in
    order.  A column the sheet does not have yet gets a new header after the last one (and joins
    the Excel Table if the data is one).  Returns the path written.
    """
    path = Path(path)
    located = read_sheet_table(path, sheet_name)
    if located.header_row is None:
        raise WorkbookError(f"Sheet '{sheet_name}' has no header row to write under.",
                            hint="Put the column headers on the first row.")
    labels = [str(c) for c in located.frame.columns]
    kind = match_sheet(sheet_name) or "customers"
    appended = append_rows if append_rows is not None else pd.DataFrame()
    wanted = list(dict.fromkeys([*map(str, updates["column"]), *map(str, appended.columns)]))
    found = _resolve_columns(labels, wanted, kind)
    new_columns = [name for name, at in found.items() if at is None]
    added = {name: len(labels) + n for n, name in enumerate(new_columns)}
    positions = {name: at for name, at in found.items() if at is not None} | added
    first, header_row = located.first_column, located.header_row
    last_row = int(located.frame.index.max()) if len(located.frame) else header_row

    with Package(path) as package:
        sheet = next(s for s in package.sheets() if s.name.casefold() == sheet_name.casefold())
        if sheet.part is None or not package.exists(sheet.part):
            raise WorkbookError(f"Sheet '{sheet_name}' has no cells part in the workbook.",
                                hint="Open the workbook in Excel and save it again.")
        dates = any(_is_date(v) for v in updates["value"]) or any(
            _is_date(v) for column in appended.columns for v in appended[column])
        styles = ensure_styles(package) if dates else None
        text = _SheetText(package.text(sheet.part))
        edits: dict[int, dict[int, object]] = {}
        if new_columns:
            edits[header_row] = {first + positions[n]: n for n in new_columns}
        for row, column, value in zip(updates["row"], updates["column"], updates["value"],
                                      strict=True):
            edits.setdefault(int(row), {})[first + positions[str(column)]] = value
        for offset, record in enumerate(appended.itertuples(index=False)):
            cells = edits.setdefault(last_row + 1 + offset, {})
            for column, value in zip(appended.columns, record, strict=True):
                cells[first + positions[str(column)]] = value
        for row in sorted(edits):
            text.set_cells(row, edits[row], styles)
        last, last_column = text.extent()
        xml = re.sub(r'(<(?:\w+:)?dimension\b[^>]*\bref=")[^"]*(")',
                     lambda m: f"{m.group(1)}A1:{column_letter(last_column)}{last}{m.group(2)}",
                     text.text(), count=1)
        package.set_text(sheet.part, xml)
        if located.table_part is not None:
            _grow_table(package, located.table_part, last_row + len(appended), new_columns)
        if text.formulas_overwritten:
            package.drop_calc_chain()
        return package.save(out)


def _grow_table(package: Package, part: str, last_row: int, new_columns: list[str]) -> None:
    """Extend an Excel Table to its new last row and new columns."""
    xml = package.text(part)
    start = re.search(r"<(?:\w+:)?table\b[^>]*>", xml)
    if start is None:
        return
    ref = attribute(start.group(0), "ref") or "A1:A1"
    first, _, last = ref.partition(":")
    last_column, old_last = split_ref(last or first)
    totals = int(attribute(start.group(0), "totalsRowCount") or 0)
    new_ref = f"{first}:{column_letter(last_column + len(new_columns))}" \
              f"{max(old_last, last_row + totals)}"
    xml = re.sub(r'(<(?:\w+:)?(?:table|autoFilter)\b[^>]*\bref=")' + re.escape(ref) + '"',
                 lambda m: m.group(1) + new_ref + '"', xml)
    if new_columns:
        p = _prefix(start.group(0))
        ids = [int(i) for i in re.findall(r'<(?:\w+:)?tableColumn\b[^>]*\bid="(\d+)"', xml)]
        added = "".join(f'<{p}tableColumn id="{max(ids, default=0) + n}" name={quoteattr(name)}/>'
                        for n, name in enumerate(new_columns, start=1))
        xml = xml.replace(f"</{p}tableColumns>", added + f"</{p}tableColumns>", 1)
        xml = re.sub(r'(<(?:\w+:)?tableColumns\b[^>]*\bcount=")\d+"',
                     lambda m: f'{m.group(1)}{len(ids) + len(new_columns)}"', xml, count=1)
    package.set_text(part, xml)

