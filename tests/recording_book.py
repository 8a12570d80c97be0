"""A stand-in for the few xlwings Book/Sheet/Range members the Excel side uses.

Excel does not run on Linux; this records what would be written where, so the adapter's
addressing and text-safety can be checked.  It is not xlwings: only our adapter is under test.

A workbook file opened through ``book.app.books.open(path)`` keeps each sheet's parts as the
file has them (worksheet XML, its table, drawing and charts).  ``Sheet.copy`` into another book
behaves as Excel's: the copy keeps its parts and its sheet-scoped names, takes a numbered name
when the tab name is taken, and a chart that reads another sheet of the source book then reads
it through an external link (``'[results.xlsx]Data'!``) until ``Book.api.ChangeLink`` points
the link at the book itself.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any


class Range:
    def __init__(self, sheet: Sheet, row: int = 1, column: int = 1,
                 values: list[list[Any]] | None = None) -> None:
        self.sheet, self.row, self.column, self._values = sheet, row, column, values

    def options(self, **_: Any) -> Range:
        return self

    @property
    def value(self) -> list[list[Any]] | None:
        return self._values

    @value.setter
    def value(self, rows: Any) -> None:
        grid = rows if isinstance(rows, list) and rows and isinstance(rows[0], list) else [[rows]]
        for i, row in enumerate(grid):
            for j, cell in enumerate(row):
                self.sheet.cells[(self.row + i, self.column + j)] = cell
        self.sheet.written = grid if (self.row, self.column) == (1, 1) else self.sheet.written


class Sheet:
    def __init__(self, name: str, values: list[list[Any]] | None = None) -> None:
        self.name, self.values, self.written = name, values, None
        self.book: Any = None
        self.cells: dict[tuple[int, int], Any] = {}
        #: A sheet from a file: its parts (``sheet``, ``table``, ``drawing``, ``chart1``...),
        #: names scoped to it and whether it is visible.
        self.parts: dict[str, str] = {}
        self.local_names: dict[str, str] = {}
        self.visible = True
        #: Number formats of cells, by (row, column), as a test sets them.
        self.formats: dict[tuple[int, int], str] = {}

    def copy(self, before: Sheet | None = None, after: Sheet | None = None) -> Sheet:
        """Excel's Sheet.Copy into the book of ``before``/``after``."""
        anchor = before or after
        assert anchor is not None
        target = anchor.book
        taken = {s.name.casefold() for s in target.sheets}
        name, n = self.name, 2
        while name.casefold() in taken:
            name, n = f"{self.name} ({n})", n + 1
        copy = Sheet(name, self.values)
        copy.book, copy.visible = target, self.visible
        copy.local_names = dict(self.local_names)
        copy.parts = dict(self.parts)
        if target is not self.book:
            others = {s.name for s in self.book.sheets if s is not self}
            for key, xml in copy.parts.items():
                if key.startswith("chart"):
                    linked = re.sub(r"<c:f>'((?:[^']|'')+)'!",
                                    lambda m: (f"<c:f>'[{Path(self.book.fullname).name}]"
                                               f"{m.group(1)}'!" if m.group(1) in others
                                               else m.group(0)), xml)
                    if linked != xml:
                        target.links.add(self.book.fullname)
                    copy.parts[key] = linked
        at = target.sheets.index(anchor) + (0 if before is not None else 1)
        target.sheets.insert(at, copy)
        return copy

    def activate(self) -> None:
        self.book.active = self

    @property
    def used_range(self) -> Range:
        return Range(self, 1, 1, self.values)

    def range(self, where: str | tuple[int, int]) -> Range:
        row, column = (1, 1) if where == "A1" else where
        cell = Range(self, row, column)
        cell.number_format = self.formats.get((row, column), "General")
        return cell

    def clear_contents(self) -> None:
        self.written, self.cells = None, {}

    def delete(self) -> None:
        self.book.sheets.remove(self)


class Sheets(list):
    def __init__(self, book: Book, sheets: Any) -> None:
        super().__init__(sheets)
        self.book = book
        for sheet in self:
            sheet.book = book

    def add(self, name: str, after: Any = None) -> Sheet:
        if name.casefold() in {s.name.casefold() for s in self}:
            raise ValueError(f"a sheet named {name!r} exists already")  # as Excel refuses
        self.append(Sheet(name))
        self[-1].book = self.book
        return self[-1]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return super().__getitem__(key)


class Name:
    def __init__(self, name: str, refers_to: str) -> None:
        self.name, self.refers_to = name, refers_to
        self.names: Names | None = None

    def delete(self) -> None:
        assert self.names is not None
        self.names.remove(self)


class Names(list):
    def add(self, name: str, refers_to: str) -> Name:
        """As Excel's Names.Add: a name defined again is replaced."""
        self[:] = [n for n in self if n.name != name]
        self.append(Name(name, refers_to))
        self[-1].names = self
        return self[-1]


class Api:
    """The few members of Excel's Workbook object used through ``book.api``."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.changed: list[tuple[str, str]] = []

    def LinkSources(self, kind: int = 1) -> tuple[str, ...] | None:
        return tuple(sorted(self.book.links)) or None

    def ChangeLink(self, Name: str, NewName: str, Type: int = 1) -> None:
        if Name not in self.book.links:
            raise RuntimeError(f"no link to {Name}")  # as Excel fails on an unknown link
        self.book.links.discard(Name)
        self.changed.append((Name, NewName))
        prefix = f"[{Path(Name).name}]"
        own = NewName == self.book.fullname
        for sheet in self.book.sheets:
            for key, xml in sheet.parts.items():
                sheet.parts[key] = xml.replace(prefix, "" if own else f"[{Path(NewName).name}]")


class App:
    """The Excel instance: alerts and the books it opens."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.books = self
        self.opened: list[Book] = []

    def alert(self, message: str, title: str = "") -> None:
        self.book.alerts.append(message)

    def open(self, path: str) -> Book:
        opened = Book.from_file(Path(path))
        opened.app = self
        self.opened.append(opened)
        return opened


class Book:
    """Sheets from grids; records alerts, saves and every cell written."""

    def __init__(self, sheets: dict[str, list[list[Any]]], fullname: str) -> None:
        self.sheets = Sheets(self, (Sheet(n, v) for n, v in sheets.items()))
        self.names = Names()
        self.fullname = fullname
        self.alerts: list[str] = []
        self.saves = 0
        self.links: set[str] = set()
        self.active: Sheet | None = None
        self.closed = False
        self.styles = ""
        self.api = Api(self)
        self.app = App(self)

    def save(self) -> None:
        self.saves += 1

    def written(self) -> dict[str, dict[tuple[int, int], Any]]:
        """Every cell written, by sheet: (row, column) -> value, for sheets written to."""
        return {sheet.name: dict(sheet.cells) for sheet in self.sheets if sheet.cells}

    def close(self) -> None:
        self.closed = True

    @classmethod
    def from_file(cls, path: Path) -> Book:
        """A workbook file as Excel opens it: its sheets' parts and its names."""
        book = cls({}, str(path))
        with zipfile.ZipFile(path) as package:
            def rels(part: str) -> dict[str, str]:
                folder, name = posixpath.split(part)
                rels_name = posixpath.join(folder, "_rels", name + ".rels")
                if rels_name not in package.namelist():
                    return {}
                xml = package.read(rels_name).decode()
                return {m.group(1): posixpath.normpath(posixpath.join(folder, m.group(2)))
                        for m in re.finditer(r'Id="([^"]+)"[^>]*Target="([^"]+)"', xml)}
            workbook = package.read("xl/workbook.xml").decode()
            book.styles = package.read("xl/styles.xml").decode()
            targets = rels("xl/workbook.xml")
            positions = []
            for element in re.findall(r"<sheet\b[^>]*>", workbook):
                name = re.search(r'name="([^"]*)"', element).group(1)
                rid = re.search(r'r:id="([^"]*)"', element).group(1)
                sheet = Sheet(name.replace("&amp;", "&").replace("&apos;", "'"))
                sheet.book, sheet.visible = book, 'state="hidden"' not in element
                part = targets[rid]
                sheet.parts["sheet"] = package.read(part).decode()
                for target in rels(part).values():
                    kind = re.sub(r"\d+\.xml$", "", posixpath.basename(target))
                    sheet.parts[kind] = package.read(target).decode()
                    for n, chart in enumerate(rels(target).values(), start=1):
                        sheet.parts[f"chart{n}"] = package.read(chart).decode()
                book.sheets.append(sheet)
                positions.append(sheet)
            for match in re.finditer(r'<definedName name="([^"]+)"( localSheetId="(\d+)")?'
                                     r"[^>]*>([^<]*)</definedName>", workbook):
                text = match.group(4).replace("&apos;", "'").replace("&amp;", "&")
                if match.group(3) is None:
                    book.names.add(match.group(1), "=" + text)
                else:
                    positions[int(match.group(3))].local_names[match.group(1)] = text
        return book
