"""Problems found in the input, collected as records instead of raised.

One bad cell must not stop the analysis of a million good rows: parsers and rules report what
they could not use to a :class:`Validation`, keep going, and the user gets one report naming the
sheet, the Excel row, the column, the value and what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

COLUMNS: tuple[str, ...] = ("sheet", "row", "column", "value", "severity", "message")

#: Index name marking a frame whose index already holds Excel row numbers.
ROW_INDEX = "row"


def excel_rows(frame: pd.DataFrame | pd.Series) -> np.ndarray:
    """Excel row numbers of a frame's rows.

    Frames read from a workbook carry their row numbers as index (named ``row``); any other frame
    is taken as a table with its header on row 1, so its first data row is row 2.
    """
    if frame.index.name == ROW_INDEX:
        return np.asarray(frame.index, dtype=np.int64)
    return np.arange(2, len(frame) + 2, dtype=np.int64)


@dataclass
class Validation:
    """An append-only list of problems, turned into a DataFrame at the end."""

    _parts: list[pd.DataFrame] = field(default_factory=list)

    def add(self, sheet: str, row: int | None, column: str | None, value: object, message: str,
            severity: str = "error") -> None:
        """Record one problem (for whole-sheet problems, row and column may be None)."""
        self._parts.append(pd.DataFrame({
            "sheet": [sheet], "row": [row], "column": [column],
            "value": [_show(value)], "severity": [severity], "message": [message],
        }))

    def add_many(self, sheet: str, rows: Sequence[int] | np.ndarray, column: str | None,
                 values: Sequence[object] | np.ndarray | pd.Series, message: str | Sequence[str],
                 severity: str = "error") -> None:
        """Record one problem per row in one go (vectorised: no Python loop per bad cell)."""
        if len(rows) == 0:
            return
        # Through a Series so that datetime64 values stay dates (np.asarray(..., object) turns
        # nanosecond dates into integers).
        shown = pd.Series(values).astype(object).map(_show)
        self._parts.append(pd.DataFrame({
            "sheet": sheet, "row": np.asarray(rows, dtype=np.int64), "column": column,
            "value": shown.to_numpy(dtype=object), "severity": severity,
            "message": np.asarray(message, dtype=object) if not isinstance(message, str)
            else message,
        }))

    def extend(self, other: Validation) -> None:
        """Take over every problem another collector found."""
        self._parts.extend(other._parts)

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    def to_frame(self) -> pd.DataFrame:
        """All problems, sorted by sheet and row, one per line."""
        if not self._parts:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in COLUMNS})
        frame = pd.concat(self._parts, ignore_index=True)
        frame["row"] = frame["row"].astype("Int64")
        order = frame["sheet"].astype(str) + "\0" + frame["row"].fillna(0).astype(str).str.zfill(8)
        return frame.loc[order.sort_values(kind="stable").index].reset_index(drop=True)


def _show(value: object) -> object:
    """What to show of a bad value, as the user typed it: short text, blanks as empty, whole
    numbers without '.0' (-1, not -1.0) and dates without a midnight time."""
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating) and np.isfinite(value) and value == int(value):
        text = str(int(value))
    elif isinstance(value, datetime | np.datetime64):
        text = str(pd.Timestamp(value)).removesuffix(" 00:00:00")
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
