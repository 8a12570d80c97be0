"""Runs xlwings Lite's generated main.py under Pyodide's constraints, in a process of its own.

    python tests/lite_sandbox.py < request.pickle > answer.pickle

In the child, as in xlwings Lite: starting a thread raises ``RuntimeError`` (Pyodide's
``Thread.start``), and the packages Pyodide lacks or potentiel must not need there
(python_calamine, xlsxwriter, gspread, openpyxl) cannot be imported.  xlwings' ``func``,
``arg`` and ``script`` record what main.py registers, then every call of the request runs:
formulas with their arguments, scripts in turn on a :class:`recording_book.Book`.  The answer
holds the results, what was registered, what the scripts left in each workbook, and where
every potentiel module came from.  The request and the answer are pickles: values keep their
types (datetimes, None).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import inspect
import pickle
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

BLOCKED = frozenset({"python_calamine", "xlsxwriter", "gspread", "openpyxl"})


class Blocker(importlib.abc.MetaPathFinder):
    """Packages that are not there: importing one fails as it would in Pyodide."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named '{fullname}'", name=fullname)


def _no_thread(self: threading.Thread) -> None:
    raise RuntimeError("can't start new thread")


def _recorder(kind: str) -> Callable[..., Any]:
    """A decorator factory that notes its options on the function, as Lite's do."""

    def decorator(*args: Any, **options: Any) -> Any:
        if kind != "arg" and len(args) == 1 and callable(args[0]) and not options:
            return decorator()(args[0])

        def mark(f: Any) -> Any:
            f.__dict__.setdefault("__lite__", {"func": None, "script": None, "args": {}})
            if kind == "arg":
                f.__lite__["args"][args[0]] = options
            else:
                f.__lite__[kind] = options
            return f

        return mark

    return decorator


def state(book: Any) -> dict[str, Any]:
    """What a recorded workbook holds after the scripts: cells written, sheets, marks, alerts."""
    return {"written": book.written(), "sheets": [sheet.name for sheet in book.sheets],
            "names": [(name.name, name.refers_to) for name in book.names],
            "alerts": book.alerts}


def main() -> None:
    request = pickle.load(sys.stdin.buffer)
    sys.meta_path.insert(0, Blocker())
    threading.Thread.start = _no_thread  # type: ignore[method-assign]
    sys.path.insert(0, str(Path(__file__).parent))
    import xlwings
    from recording_book import Book

    for kind in ("func", "arg", "script"):
        setattr(xlwings, kind, _recorder(kind))
    spec = importlib.util.spec_from_file_location("main", request["main"])
    assert spec is not None and spec.loader is not None
    lite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lite)

    answer: dict[str, Any] = {"registered": {}, "results": [], "scripts": {}}
    for name in dir(lite):
        marks = getattr(getattr(lite, name), "__lite__", None)
        if marks:
            function = getattr(lite, name)
            params = inspect.signature(function).parameters.values()
            answer["registered"][name] = {**marks, "doc": function.__doc__,
                                          "params": [(p.name, p.default) for p in params]}
    for name, args in request["calls"]:
        try:
            answer["results"].append(getattr(lite, name)(*args))
        except Exception as error:  # a formula must never raise: the test shows which did
            answer["results"].append(("raised", repr(error)))
    for label, scripts, sheets in request["scripts"]:
        book = Book(sheets, "C:/Users/me/customers.xlsx")
        for script in scripts:
            getattr(lite, script)(book)
        answer["scripts"][label] = state(book)
    answer["modules"] = {name: type(module.__spec__.loader).__name__
                         for name, module in sys.modules.items()
                         if name.partition(".")[0] == "addin"}
    answer["imported"] = sorted(BLOCKED & {n.partition(".")[0] for n in sys.modules})
    pickle.dump(answer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
