"""Values on their way into Excel cells through xlwings: text never becomes a formula.

xlwings, like Excel's ``Range.Value``, turns a string starting with ``=`` into a formula, and
values pasted or exported as CSV are re-read by Excel the same way (``=cmd|' /C calc'!A0``).
An apostrophe is Excel's own "this is text" mark: it is not shown in the cell.  The formulas
(:mod:`addin.udfs`) and the macros (:mod:`addin.macros`) both send values through here.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

#: Text Excel would read as a formula: = + - @, a tab or carriage return (also full-width).
FORMULA_START = re.compile(r"^[=+\-@\t\r＝＋－＠]")


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix with an apostrophe every text cell that could be read as a formula.

    A UDF's result is never evaluated by Excel itself, but the same values are copied, pasted
    and exported (CSV) by users, where ``=cmd|' /C calc'!A0`` would run: the apostrophe is
    Excel's own "this is text" mark.
    """
    out = frame.copy()
    for column in out.columns:
        cells = out[column]
        if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "mixed",
                                                                 "mixed-integer"):
            continue
        text = cells.map(type).isin((str, np.str_))
        starts = cells.where(text, "").astype(str).str.contains(FORMULA_START.pattern)
        risky = text & starts
        out[column] = cells.astype(object).mask(risky, "'" + cells[risky].astype(str))
    return out


def cell_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """A frame as rows of plain values for xlwings: blanks as None, text made safe."""
    safe = neutralize(frame.astype(object))
    return safe.astype(object).where(safe.notna(), None).to_numpy(dtype=object).tolist()


def table_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """A table as a spilled range: its header row, then its rows, all made safe."""
    return cell_rows(pd.DataFrame([list(frame.columns)], dtype=object)) + cell_rows(frame)
