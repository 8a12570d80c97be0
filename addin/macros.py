"""The four macro buttons: Analyze, Build segment sheets, Validate, Sync now.

In Excel, the template's VBA calls ``RunPython "import addin.macros; addin.macros.analyze()"``
and the macro works on the calling workbook (``xw.Book.caller()``).  Headless, the same macro
runs on a file: ``analyze(path)``.  One code path decides what to write
(:func:`addin.app.jobs.perform`); a side object (:mod:`addin.app.side`) reads the inputs and
applies the result either through xlwings (``ExcelSide``) or through the workbook writer of the
headless job (``FileSide``).  Errors reach the user as a message box in Excel and as one clear
line headless; nothing is half-written.  These functions are only the entry points the
template's VBA names.
"""

from __future__ import annotations

import sys
from pathlib import Path

from addin.app.jobs import perform
from addin.app.side import ExcelSide, FileSide, Side
from addin.core.analysis import Analysis


def _side(path: str | Path | None) -> Side:
    """The file named, else the workbook that called the macro.

    In Excel for Windows the result sheets are rendered and copied in as ``potentiel run``
    writes them; elsewhere (Excel for Mac) as values: repointing the copied charts at the
    open workbook uses Windows-only Excel calls.
    """
    if path is not None:
        return FileSide(Path(path))
    import xlwings as xw

    return ExcelSide(xw.Book.caller(), render=sys.platform == "win32")


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


__all__ = ["analyze", "build_segments", "sync_now", "validate"]
