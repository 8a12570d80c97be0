"""The four macro buttons: Analyze, Build segment sheets, Validate, Sync now.

In Excel, the template's VBA calls ``RunPython "import addin.macros; addin.macros.analyze()"``
and the macro works on the calling workbook (``xw.Book.caller()``).  Headless, the same macro
runs on a file: ``analyze(path)``.  One code path decides what to write (:func:`perform`); a small
side object reads the inputs and applies the result either through xlwings (:class:`ExcelSide`)
or through the workbook writer of the headless job (:class:`FileSide`).  Errors reach the user
as a message box in Excel and as one clear line headless; nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from addin.app.cells import excel_rows, table_rows
from addin.app.jobs import analyze_workbook
from addin.core.analysis import Analysis
from addin.core.schema import canonical_columns
from addin.errors import PotentielError
from addin.workbook.edit import update_cells
from addin.workbook.reader import WorkbookData, data_from_grids, read_workbook
from addin.workbook.results import PARTS, replace_sheet, result_tables, write_results

#: Which result sheets each macro writes.
MACRO_PARTS: dict[str, frozenset[str]] = {
    "analyze": PARTS,
    "build_segments": frozenset({"segments", "validation"}),
    "validate": frozenset({"validation"}),
}


class Side(Protocol):
    """Where a macro reads its inputs and writes its results."""

    def read(self) -> WorkbookData: ...

    def write(self, analysis: Analysis, parts: frozenset[str]) -> None: ...

    def tell(self, message: str) -> None: ...


@dataclass
class FileSide:
    """A workbook file on disk (headless: servers, CI, Linux)."""

    path: Path
    out: Path | None = None
    say: Callable[[str], None] = print

    def read(self) -> WorkbookData:
        return read_workbook(self.path)

    def write(self, analysis: Analysis, parts: frozenset[str]) -> None:
        write_results(self.path, analysis, out=self.out, parts=parts)

    def tell(self, message: str) -> None:
        self.say(message)

    def apply(self, sheet: str, updates: pd.DataFrame, append: pd.DataFrame | None) -> None:
        """Set cells (row, column, value) of a user sheet and append rows, in the file."""
        update_cells(self.path, sheet, updates, append)

    def keep(self, name: str, frame: pd.DataFrame) -> None:
        """Write a table as potentiel's own sheet ``name`` (e.g. Conflicts)."""
        replace_sheet(self.path, name, frame)


@dataclass
class ExcelSide:
    """The open workbook in Excel, through xlwings (Book/Sheet/Range only)."""

    book: Any

    def read(self) -> WorkbookData:
        grids: dict[str, list[list[object]]] = {}
        for sheet in self.book.sheets:
            used = sheet.used_range
            values = used.options(ndim=2, err_to_str=True).value or []
            top, left = used.row - 1, used.column - 1
            width = left + (len(values[0]) if values else 0)
            grids[sheet.name] = ([[None] * width for _ in range(top)]
                                 + [[None] * left + list(row) for row in values])
        return data_from_grids(Path(self.book.fullname), grids)

    def write(self, analysis: Analysis, parts: frozenset[str]) -> None:
        existing = {sheet.name: sheet for sheet in self.book.sheets}
        for table in result_tables(analysis, parts):
            sheet = existing.get(table.name)
            if sheet is None:
                sheet = self.book.sheets.add(table.name, after=self.book.sheets[-1])
            sheet.clear_contents()
            sheet.range("A1").value = table_rows(table.frame)

    def tell(self, message: str) -> None:
        self.book.app.alert(message, title="Potentiel")

    def in_use(self) -> str | None:
        """The open workbook is ours to write through Excel itself: never in the way."""
        return None

    def apply(self, sheet: str, updates: pd.DataFrame, append: pd.DataFrame | None) -> None:
        """Set cells and append rows in the open sheet, then save the workbook."""
        target = self.book.sheets[sheet]
        used = target.used_range
        values = used.options(ndim=2).value or [[]]
        header_at = next((i for i, row in enumerate(values[:30])
                          if "customer_id" in canonical_columns("customers", row).values()), 0)
        headers = [str(h) for h in values[header_at] if h is not None]
        position = {h: i for i, h in enumerate(headers)}
        position |= {c: i for h, c in canonical_columns("customers", headers).items()
                     for i in [position[str(h)]]}
        wanted = [*updates["column"].astype(str), *(append.columns if append is not None
                                                    else [])]
        for name in dict.fromkeys(wanted):
            if name not in position:
                position[name] = len(headers)
                target.range((used.row + header_at, used.column + len(headers))).value = name
                headers.append(name)
        for row, column, value in updates[["row", "column", "value"]].itertuples(index=False):
            target.range((int(row), used.column + position[str(column)])).value = \
                excel_rows(pd.DataFrame([[value]]))[0][0]
        if append is not None and len(append):
            ordered = pd.DataFrame({i: append[name] for name, i in position.items()
                                    if name in append.columns}).reindex(
                columns=range(len(headers)))
            target.range((used.row + len(values), used.column)).value = excel_rows(ordered)
        self.book.save()

    def keep(self, name: str, frame: pd.DataFrame) -> None:
        """Write a table as a sheet of the open workbook (e.g. Conflicts), then save."""
        existing = {sheet.name: sheet for sheet in self.book.sheets}
        sheet = existing.get(name) or self.book.sheets.add(name, after=self.book.sheets[-1])
        sheet.clear_contents()
        sheet.range("A1").value = table_rows(frame)
        self.book.save()


def perform(macro: str, side: Side) -> Analysis | None:
    """Run one macro on one side; returns the analysis (None for the sync)."""
    try:
        if macro == "sync_now":
            side.tell(_sync(side))
            return None
        analysis = analyze_workbook(side.read())
        side.write(analysis, MACRO_PARTS[macro])
        side.tell(_message(macro, analysis))
        return analysis
    except PotentielError as err:
        side.tell(f"Potentiel could not finish: {err}")
        return None


def _message(macro: str, analysis: Analysis) -> str:
    v = analysis.validation
    errors = int((v["severity"] == "error").sum())
    problems = (f"{errors} problem(s) in the input: see the Validation sheet." if errors
                else "No problems found in the input.")
    if macro == "validate":
        return problems
    if macro == "build_segments":
        sizes = ", ".join(f"{name}: {len(rows)}" for name, rows in analysis.segments.items())
        return f"Segment sheets written ({sizes or 'no segments defined'}). {problems}"
    return f"{len(analysis.table)} customers analysed. {problems}"


def _sync(side: Side) -> str:
    """Sync now: the Google Sheets sync plugs in through the ``potentiel.sync`` entry point."""
    found = list(entry_points(group="potentiel.sync"))
    if not found:
        raise PotentielError("The Google Sheets sync is not installed.",
                             hint="pip install potentiel (it ships sheets_sync).")
    return found[0].load()(side)


def _side(path: str | Path | None) -> Side:
    if path is not None:
        return FileSide(Path(path))
    import xlwings as xw

    return ExcelSide(xw.Book.caller())


def analyze(path: str | Path | None = None) -> Analysis | None:
    """Analyze: every result sheet (Analysis, segments, Validation, Dashboard)."""
    return perform("analyze", _side(path))


def build_segments(path: str | Path | None = None) -> Analysis | None:
    """Build segment sheets: one sheet per user segment, and the Validation sheet."""
    return perform("build_segments", _side(path))


def validate(path: str | Path | None = None) -> Analysis | None:
    """Validate: check the input and list its problems in the Validation sheet."""
    return perform("validate", _side(path))


def sync_now(path: str | Path | None = None) -> None:
    """Sync now: run the Google Sheets sync configured beside the workbook."""
    perform("sync_now", _side(path))


__all__ = ["ExcelSide", "FileSide", "analyze", "build_segments", "perform", "sync_now",
           "validate"]
