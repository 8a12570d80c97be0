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

from addin.core.messages import MESSAGES, RECORD_FIELDS, parameters, render

COLUMNS: tuple[str, ...] = ("sheet", "row", "column", "value", "severity", "message")
#: The frame's columns: the above, the message key (to group repeated messages) and its
#: parameters (to render the message in another language).
FRAME_COLUMNS: tuple[str, ...] = (*COLUMNS, "key", "params")

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
    """An append-only list of problems, turned into a DataFrame at the end.

    A problem is data: a message key of :data:`addin.core.messages.MESSAGES` and the
    parameters its templates use, besides the record's own ``column`` and ``value``.  The frame
    carries the key (so a report can group repeated messages) and the parameters (so it can be
    rendered in the workbook's language); its ``message`` column is the English rendering.
    """

    _parts: list[pd.DataFrame] = field(default_factory=list)

    def add(self, sheet: str, row: int | None, column: str | None, value: object, key: str,
            severity: str = "error", **params: object) -> None:
        """Record one problem (for whole-sheet problems, row and column may be None)."""
        _check(key, params)
        self._parts.append(pd.DataFrame({
            "sheet": [sheet], "row": [row], "column": [column],
            "value": [_show(value)], "severity": [severity], "key": [key],
            "params": [Params({name: _param(v) for name, v in params.items()})],
        }))

    def add_many(self, sheet: str, rows: Sequence[int] | np.ndarray, column: str | None,
                 values: Sequence[object] | np.ndarray | pd.Series,
                 key: str | Sequence[str] | np.ndarray | pd.Series, severity: str = "error",
                 **params: object) -> None:
        """Record one problem per row in one go (vectorised: no Python loop per bad cell).

        ``key`` is one key or one per row; each parameter is one value or one per row.
        """
        if len(rows) == 0:
            return
        keys = key if isinstance(key, str) else np.asarray(key, dtype=object)
        for one in ([keys] if isinstance(keys, str) else pd.unique(keys)):
            _check(str(one), params)
        # Through a Series so that datetime64 values stay dates (np.asarray(..., object) turns
        # nanosecond dates into integers).
        shown = pd.Series(values).astype(object).map(_show)
        self._parts.append(pd.DataFrame({
            "sheet": sheet, "row": np.asarray(rows, dtype=np.int64), "column": column,
            "value": shown.to_numpy(dtype=object), "severity": severity, "key": keys,
            "params": _per_row(params, len(rows)),
        }))

    def extend(self, other: Validation) -> None:
        """Take over every problem another collector found."""
        self._parts.extend(other._parts)

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    def to_frame(self) -> pd.DataFrame:
        """All problems, sorted by sheet and row, one per line, messages in English."""
        if not self._parts:
            return pd.DataFrame({name: pd.Series(dtype=object) for name in FRAME_COLUMNS})
        frame = pd.concat(self._parts, ignore_index=True)
        frame["row"] = frame["row"].astype("Int64")
        order = frame["sheet"].astype(str) + "\0" + frame["row"].fillna(0).astype(str).str.zfill(8)
        frame = frame.loc[order.sort_values(kind="stable").index].reset_index(drop=True)
        frame["message"] = render(frame, "en")
        return frame[list(FRAME_COLUMNS)]


def _check(key: str, params: dict[str, object]) -> None:
    """A key of the catalog given what its templates use: a slip fails where it is made."""
    if key not in MESSAGES:
        raise KeyError(f"no message '{key}' in addin.core.messages.MESSAGES")
    needed = parameters(key)
    if not needed <= params.keys() or RECORD_FIELDS & params.keys():
        raise TypeError(f"message '{key}' takes {sorted(needed)}, not {sorted(params)}")


class Params(dict[str, object]):
    """A record's message parameters: a dict that hashes, so a Validation frame can still be
    deduplicated (``frame.drop_duplicates()``); never changed once recorded."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


def _per_row(params: dict[str, object], n: int) -> list[Params]:
    """Parameters as one dict per row; one shared dict when every parameter is one value."""
    if not any(isinstance(v, np.ndarray | pd.Series | list) for v in params.values()):
        return [Params({name: _param(v) for name, v in params.items()})] * n
    columns = {name: (pd.Series(v).astype(object).map(_param).to_numpy(dtype=object)
                      if isinstance(v, np.ndarray | pd.Series | list) else np.full(n, _param(v)))
               for name, v in params.items()}
    return [Params(row) for row in pd.DataFrame(columns).to_dict("records")]


def _param(value: object) -> object:
    """A message parameter as shown: as a value is, but never cut short."""
    return _show(value, limit=1_000)


def shown(values: pd.Series) -> pd.Series:
    """What to show of each of a column's values (see :func:`_show`), index kept."""
    return values.astype(object).map(_show)


def _show(value: object, limit: int = 80) -> object:
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
    return text if len(text) <= limit else text[:limit - 3] + "..."
