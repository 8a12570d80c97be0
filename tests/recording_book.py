"""A stand-in for the few xlwings Book/Sheet/Range members the Excel side uses.

Excel does not run on Linux; this records what would be written where, so the adapter's
addressing and text-safety can be checked.  It is not xlwings: only our adapter is under test.
"""

from __future__ import annotations

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

    @property
    def used_range(self) -> Range:
        return Range(self, 1, 1, self.values)

    def range(self, where: str | tuple[int, int]) -> Range:
        row, column = (1, 1) if where == "A1" else where
        return Range(self, row, column)

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


class Names(list):
    def add(self, name: str, refers_to: str) -> Name:
        """As Excel's Names.Add: a name defined again is replaced."""
        self[:] = [n for n in self if n.name != name]
        self.append(Name(name, refers_to))
        return self[-1]


class Book:
    """Sheets from grids; records alerts, saves and every cell written."""

    def __init__(self, sheets: dict[str, list[list[Any]]], fullname: str) -> None:
        self.sheets = Sheets(self, (Sheet(n, v) for n, v in sheets.items()))
        self.names = Names()
        self.fullname = fullname
        self.alerts: list[str] = []
        self.saves = 0
        self.app = type("App", (), {"alert": lambda _, message, title: self.alerts.append(
            message)})()

    def save(self) -> None:
        self.saves += 1

    def written(self) -> dict[str, dict[tuple[int, int], Any]]:
        """Every cell written, by sheet: (row, column) -> value, for sheets written to."""
        return {sheet.name: dict(sheet.cells) for sheet in self.sheets if sheet.cells}
