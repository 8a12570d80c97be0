"""Where a job reads its inputs and writes its results: a workbook file, or the workbook open
in Excel.

One protocol, :class:`Side`, serves the macro buttons (:mod:`addin.macros`) and the Google
Sheets sync (:mod:`sheets_sync.run`) alike.  :class:`FileSide` works on a file on disk
(headless: servers, CI, Linux); :class:`ExcelSide` on the open workbook through the xlwings
Book/Sheet/Range API only, which classic xlwings and xlwings Lite both offer.  Both find
potentiel's sheets by their marks (:mod:`addin.workbook.owned_sheets`), never by tab name,
so a user's sheet called like a result is never touched.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from addin.app.cells import cell_rows, table_rows
from addin.core.analysis import Analysis
from addin.core.labels import language_index
from addin.core.schema import canonical_columns, header_row, match_sheet
from addin.workbook.columns_sheet import TITLES, columns_table, new_rows, wanted_rows
from addin.workbook.edit import update_cells
from addin.workbook.files import workbook_in_use
from addin.workbook.owned_sheets import (
    COLUMNS_ROLE,
    MARK,
    mark_name,
    mark_reference,
    own_role,
    own_sheets,
    place_sheets,
    sheet_name,
)
from addin.workbook.reader import WorkbookData, data_from_grids, read_workbook
from addin.workbook.results import (
    ResultTable,
    inputs_currency,
    part_of,
    render_results,
    replace_sheet,
    result_tables,
    write_results,
)
from addin.workbook.sheetxml import currency_in


class Side(Protocol):
    """Where a macro or a sync run reads its inputs and writes its results."""

    @property
    def path(self) -> Path:
        """The workbook's file (a sync configuration is looked for beside it)."""
        ...

    def read(self) -> WorkbookData:
        """The input sheets, as the analysis wants them."""
        ...

    def write(self, analysis: Analysis, parts: frozenset[str]) -> None:
        """Write the result sheets of ``parts`` (see :data:`addin.workbook.results.PARTS`)."""
        ...

    def tell(self, message: str) -> None:
        """Say one thing to the person who started the job."""
        ...

    def apply(self, sheet: str, updates: pd.DataFrame, append: pd.DataFrame | None) -> None:
        """Set cells (row, column, value) of a user sheet and append rows."""
        ...

    def keep(self, name: str, frame: pd.DataFrame, *, role: str | None = None) -> None:
        """Write a table as potentiel's own sheet ``name`` (e.g. the sync's Conflicts).
        ``role`` (default: ``name``) is what finds the sheet again, so a sheet whose name
        follows the book's language is still the same sheet."""
        ...

    def in_use(self) -> str | None:
        """Why the workbook cannot be written now (open elsewhere), or None."""
        ...


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
        update_cells(self.path, sheet, updates, append)

    def keep(self, name: str, frame: pd.DataFrame, *, role: str | None = None) -> None:
        replace_sheet(self.path, name, frame, role=role)

    def in_use(self) -> str | None:
        return workbook_in_use(self.path)


@dataclass
class ExcelSide:
    """The open workbook in Excel, through xlwings (Book/Sheet/Range/Names only).

    ``render``: write the result sheets as ``potentiel run`` does (True) or as values (False);
    by default, rendered wherever XlsxWriter is there (not in xlwings Lite).
    """

    book: Any
    render: bool | None = None

    @property
    def path(self) -> Path:
        return Path(self.book.fullname)

    def read(self) -> WorkbookData:
        grids: dict[str, list[list[object]]] = {}
        for sheet in self.book.sheets:
            used = sheet.used_range
            values = used.options(ndim=2, err_to_str=True).value or []
            top, left = used.row - 1, used.column - 1
            width = left + (len(values[0]) if values else 0)
            grids[sheet.name] = ([[None] * width for _ in range(top)]
                                 + [[None] * left + list(row) for row in values])
        return data_from_grids(self.path, grids)

    def write(self, analysis: Analysis, parts: frozenset[str]) -> None:
        """The result sheets as ``potentiel run`` writes them (formats, tables, colours,
        charts, links): rendered once into a workbook of their own, opened in the same Excel
        and copied in with ``Sheet.copy``; only potentiel's sheets are replaced.  The Columns
        sheet too, as ``potentiel run`` writes it: new, with the guesses and the dropdown,
        when a header could not be placed; else only the rows of headers it does not list
        yet are added below the user's, as values.

        xlwings Lite runs in the browser, without XlsxWriter and without files Excel could
        open: there the tables are written as values, in the same places (the Columns sheet
        without its dropdown: docs/decisions.md).
        """
        columns, writable = self._columns_sheet()
        create = writable and columns is None
        if not (_renders() if self.render is None else self.render):
            self._install(result_tables(analysis, parts), lambda role: part_of(role) in parts)
            table = columns_table(analysis, None) if create else None
            if table is not None:
                title = TITLES[language_index(analysis.settings.language)]
                self._install([ResultTable("own", COLUMNS_ROLE, title, table)], lambda _: False)
        else:
            with tempfile.TemporaryDirectory(prefix="potentiel-") as folder:
                currency = currency_in(self._number_formats()) or inputs_currency(analysis)
                rendered = render_results(Path(folder), analysis, parts=parts,
                                          currency=currency or "", columns=create)
                source = self.book.app.books.open(str(rendered))
                try:
                    self._copy_in(source, lambda role: part_of(role) in parts)
                finally:
                    source.close()
        if writable and columns is not None:
            self._add_columns(columns, analysis)

    def _columns_sheet(self) -> tuple[Any | None, bool]:
        """potentiel's Columns sheet of the open workbook (None without one), and whether a
        button may write it: never beside a Columns sheet of the user's own (no mark), which
        is read only, as :func:`addin.workbook.columns_sheet.users_own` says for files."""
        tabs = [sheet.name for sheet in self.book.sheets]
        marks = own_sheets(((n.name, n.refers_to or "") for n in self.book.names), tabs)
        users = any(match_sheet(tab) == "columns" and tab not in marks.values() for tab in tabs)
        ours = marks.get(COLUMNS_ROLE)
        return (self.book.sheets[ours] if ours is not None else None), not users

    def _add_columns(self, sheet: Any, analysis: Analysis) -> None:
        """Add, below the rows of potentiel's Columns sheet as the user left it, a row for each
        header it does not list yet; nothing else of the sheet is touched (a sheet the user
        emptied is written anew, as when there is none)."""
        used = sheet.used_range
        values = used.options(ndim=2).value or [[]]
        if all(cell in (None, "") for row in values for cell in row):  # emptied by hand
            table = columns_table(analysis, None)
            if table is not None:
                sheet.range("A1").value = table_rows(table)
            return
        at = header_row(values, "columns") or 0
        existing = pd.DataFrame(values[at + 1:], columns=values[at], dtype=object)
        added = new_rows(wanted_rows(analysis, analysis.settings.language), existing)
        if added.empty:
            return
        filled = [i for i, row in enumerate(values[at + 1:])
                  if any(cell not in (None, "") for cell in row[:4])]
        below = used.row + at + 1 + (filled[-1] + 1 if filled else 0)
        sheet.range((below, used.column)).value = cell_rows(added)

    def _number_formats(self) -> list[str]:
        """The number formats of the input sheets' first data row (money shows its
        currency there)."""
        found = []
        for sheet in self.book.sheets:
            if match_sheet(sheet.name) in ("customers", "orders"):
                used = sheet.used_range
                width = len((used.options(ndim=2).value or [[]])[0])
                found += [sheet.range((used.row + 1, used.column + i)).number_format or ""
                          for i in range(width)]
        return found

    def _copy_in(self, source: Any, drop: Callable[[str], bool]) -> None:
        """Copy the rendered workbook's marked sheets where :func:`place_sheets` says, then
        point the charts' links back at this workbook (they read its hidden data sheet)."""
        source_tabs = [sheet.name for sheet in source.sheets]
        roles = own_sheets(((n.name, n.refers_to or "") for n in source.names), source_tabs)
        for name in [n for n in source.names if n.name.startswith(MARK)]:
            name.delete()  # copied along, a mark would clash with this workbook's own
        wanted = sorted(roles.items(), key=lambda item: source_tabs.index(item[1]))
        sheets = {sheet.name: sheet for sheet in self.book.sheets}
        marks = own_sheets(((n.name, n.refers_to or "") for n in self.book.names), sheets)
        placement = place_sheets(list(sheets), marks, wanted, drop)
        for tab in placement.delete:
            sheets[tab].delete()
        for role, tab in wanted:
            name = placement.names[role]
            current = placement.reuse.get(role)
            tabs = [sheet.name for sheet in self.book.sheets]
            if current is not None and tabs.index(current) + 1 < len(tabs):
                following = self.book.sheets[tabs[tabs.index(current) + 1]]
                self.book.sheets[current].delete()
                copied = source.sheets[tab].copy(before=following)
            else:
                if current is not None:
                    self.book.sheets[current].delete()
                copied = source.sheets[tab].copy(after=self.book.sheets[-1])
            if copied.name != name:
                copied.name = name
            self.book.names.add(mark_name(role), "=" + mark_reference(name))
        if source.fullname in (self.book.api.LinkSources(1) or ()):
            self.book.api.ChangeLink(source.fullname, self.book.fullname, 1)
        if "dashboard" in roles:
            self.book.sheets[placement.names["dashboard"]].activate()

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
        header_at = header_row(values, "customers") or 0
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
                cell_rows(pd.DataFrame([[value]]))[0][0]
        if append is not None and len(append):
            ordered = pd.DataFrame({i: append[name] for name, i in position.items()
                                    if name in append.columns}).reindex(
                columns=range(len(headers)))
            target.range((used.row + len(values), used.column)).value = cell_rows(ordered)
        self.book.save()

    def keep(self, name: str, frame: pd.DataFrame, *, role: str | None = None) -> None:
        """Write a table as potentiel's sheet of the open workbook (e.g. Conflicts), then save."""
        self._install([ResultTable("own", own_role(role or name), sheet_name(name), frame)],
                      lambda _: False)
        self.book.save()

    def _install(self, tables: list[ResultTable], drop: Callable[[str], bool]) -> None:
        """Write tables as potentiel's sheets where :func:`place_sheets` says."""
        sheets = {sheet.name: sheet for sheet in self.book.sheets}
        marks = own_sheets(((n.name, n.refers_to or "") for n in self.book.names), sheets)
        placement = place_sheets(list(sheets), marks, [(t.role, t.name) for t in tables], drop)
        for tab in placement.delete:
            sheets[tab].delete()
        for table in tables:
            name = placement.names[table.role]
            current = placement.reuse.get(table.role)
            if current is None:
                sheet = self.book.sheets.add(name, after=self.book.sheets[-1])
            else:
                sheet = sheets[current]
                sheet.clear_contents()
                if sheet.name != name:
                    sheet.name = name
            sheet.range("A1").value = table_rows(table.frame)
            self.book.names.add(mark_name(table.role), "=" + mark_reference(name))


def _renders() -> bool:
    """Whether result sheets can be rendered to a file here (not in xlwings Lite)."""
    try:
        return importlib.util.find_spec("xlsxwriter") is not None
    except ImportError:  # an import hook that hides the package
        return False


__all__ = ["ExcelSide", "FileSide", "Side"]
