"""Three-way merge of the workbook and the Google tabs against the last synced state.

Deciding is kept apart from doing (vdirsyncer's habit): :func:`plan` is a pure function of
three tables and returns a :class:`Plan`; applying it to Sheets, to the workbook and to the
state store happens elsewhere.  Everything is computed over whole columns; the only Python
loops run over columns and tabs, never over rows.

The rules, each one a user can count on:

* Rows are keyed by (tab, customer id); row position means nothing.
* Cells are compared by their *canonical text* (:func:`canonical`): ``3``, ``3.0`` and ``"3"``
  are one value, and so are ``""``, ``None`` and NaN.  A difference of type is never a change.
* Excel owns the analysis columns, Sheets owns the sales columns.  A sales column is
  customer-level: an edit in any tab reaches the workbook and every other tab of the customer.
* Both sides changed the same sales cell to different values: the policy picks the winner
  (``owner-wins`` and ``sheets-wins``: Sheets, ``excel-wins``: the workbook) and the conflict
  is recorded with both values and the base.  Two tabs changed the same sales cell of one
  customer differently: the first tab in sync order wins, the other value is recorded.
* An Excel-owned cell edited in Sheets is set back to the workbook's value under every policy,
  because the workbook computes these columns and cannot take a typed value; the Sheets text is
  recorded as a conflict, so it is not lost.
* A customer leaving a tab (left the segment) is removed from it only once its sales cells in
  that tab equal the workbook's; until then the row stays and its edits are pulled first.
* A row sales deleted from a tab while the customer is still in the segment is put back (with
  its sales values, which the workbook holds) and a notice says so: deleting a row in Sheets
  never deletes data.
* A row typed by sales with an unknown id, or with no id, becomes a new customer (an id is
  generated and written back to the tab).  A customer deleted from the workbook leaves every
  tab; its unsaved Sheets edits are recorded as conflicts.
* Several rows with one id in a tab: the first is synced, the others are left untouched and
  reported.  Blank rows are ignored.
* A tab emptied on one side while the state says it held rows is refused without ``force``:
  an empty side is far more often an accident than an intention.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import (
    infer_dtype,
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_float_dtype,
    is_integer_dtype,
)

from addin.core.messages import plural
from addin.errors import SyncError

TAB = "_tab"
"""Column naming the tab (segment) of a row in base, remote and plan frames."""
ROW = "_row"
"""Column holding a remote row's 1-based row number in its tab."""
SEGMENTS = "segments"
"""Column of the local table listing the segments (tabs) a customer belongs to."""

POLICIES: Mapping[str, str] = {
    "owner-wins": "sheets",
    "excel-wins": "excel",
    "sheets-wins": "sheets",
}
"""Conflict policy presets: which side wins a sales cell both sides changed."""

_NUMBER = r"-?(?:0|[1-9]\d{0,14})(?:\.\d+)?(?:[eE][-+]?\d{1,3})?"
_BOOLEAN = {"true": "TRUE", "false": "FALSE"}
_MAYBE_FIRST = list("0123456789-tTfF")

NewIds = Callable[[int], Sequence[str]]


class SideEmptiedError(SyncError):
    """One side of a tab is empty while the last sync left rows in it."""


def random_ids(count: int) -> list[str]:
    """Fresh customer ids for rows typed without one: short, unique, never reused."""
    return [f"S-{uuid.uuid4().hex[:12].upper()}" for _ in range(count)]


@dataclass(frozen=True)
class Plan:
    """What one sync run must do, and what the state becomes once it is done.

    ``remote_adds`` — rows to append: ``_tab`` and every synced column (typed values).
    ``remote_updates`` — cells to write: ``tab, row, column, value``.
    ``remote_clears`` — rows to remove (customers leaving a tab): ``tab, row``.
    ``local_updates`` — workbook cells: ``key, column, value`` (sales columns only).
    ``new_customers`` — customers to create in the workbook: ``_tab, _row`` and the columns.
    ``conflicts`` — ``tab, key, column, excel, sheets, base, resolution``.
    ``notices`` — ``tab, row, key, kind, detail`` (restored rows, duplicates, deferred removals).
    ``new_base`` — the state to commit: ``_tab``, the key (canonical text) and every column's
    value as both sides hold it after the run.
    """

    remote_adds: pd.DataFrame
    remote_updates: pd.DataFrame
    remote_clears: pd.DataFrame
    local_updates: pd.DataFrame
    new_customers: pd.DataFrame
    conflicts: pd.DataFrame
    notices: pd.DataFrame
    new_base: pd.DataFrame

    @property
    def remote_changes(self) -> int:
        """Rows added plus cells written plus rows cleared in Sheets."""
        return len(self.remote_adds) + len(self.remote_updates) + len(self.remote_clears)

    @property
    def local_changes(self) -> int:
        """Cells written plus customers created in the workbook."""
        return len(self.local_updates) + len(self.new_customers)

    @property
    def is_noop(self) -> bool:
        """True when neither side needs a change (a second sync in a row plans nothing)."""
        return self.remote_changes == 0 and self.local_changes == 0


def canonical(values: pd.Series) -> pd.Series:
    """Each cell as the text that identifies its value: blanks ``""``, numbers shortest form.

    ``3``, ``3.0`` and ``"3"`` give ``"3"``; ``True`` and ``"TRUE"`` give ``"TRUE"``; a
    midnight timestamp gives its ISO date.  Text that only looks numeric with a leading zero
    (``"007"``) or more than 15 digits stays text, so ids and phone numbers are not rounded.
    """
    index = values.index
    if is_bool_dtype(values.dtype):
        out = pd.Series(np.where(values.fillna(False).astype(bool), "TRUE", "FALSE"),
                        index=index, dtype="str")
        return out.where(values.notna(), "")
    if is_integer_dtype(values.dtype):
        return values.astype("str").fillna("")
    if is_float_dtype(values.dtype):
        return _number_text(values.astype("float64"))
    if is_datetime64_any_dtype(values.dtype):
        return _date_text(values.astype("str").fillna(""))
    text = values.astype("str").fillna("")
    # Only text starting like a number, a date or a boolean can be spelled another way.
    maybe = text.str.slice(0, 1).isin(_MAYBE_FIRST)
    if maybe.all():
        return _canonical_text(text)
    if maybe.any():  # by position: a tab's rows may repeat an index label
        out = text.to_numpy(dtype=object).copy()
        out[maybe.to_numpy()] = _canonical_text(text[maybe]).to_numpy(dtype=object)
        return pd.Series(out, index=index, dtype=text.dtype)
    return text


def _canonical_text(text: pd.Series) -> pd.Series:
    """:func:`canonical` of text that may spell a number, a boolean or a date."""
    numeric = text.str.fullmatch(_NUMBER)
    if numeric.any():
        text = text.mask(numeric, _number_text(pd.to_numeric(text.where(numeric))))
    folded = text.str.lower()
    boolean = folded.isin(list(_BOOLEAN))
    if boolean.any():
        text = text.mask(boolean, folded.map(_BOOLEAN))
    return _date_text(text)


def _number_text(numbers: pd.Series) -> pd.Series:
    """Shortest round-trip text of floats, integral values without ``.0``."""
    text = numbers.astype("str").fillna("")
    return text.str.removesuffix(".0")


def _date_text(text: pd.Series) -> pd.Series:
    """Midnight timestamps as bare ISO dates (how a date cell reads back)."""
    return text.str.replace(r"^(\d{4}-\d\d-\d\d)[ T]00:00:00(?:\.0+)?$", r"\1", regex=True)


def _blank(values: np.ndarray) -> np.ndarray:
    """Cells that hold nothing: None, NaN or empty text (inputs have pd.NA made None)."""
    values = np.asarray(values, dtype=object)
    return (values == "") | (values != values) | np.equal(values, None)


def _differs(left: np.ndarray, right: np.ndarray,
             where: np.ndarray | None = None) -> np.ndarray:
    """Cells whose values differ (by :func:`canonical`), evaluated only ``where`` asked.

    Raw equality settles almost every cell at C speed (unchanged cells hold the very values
    written last time); only cells that differ raw are canonicalised, so the cost follows the
    number of changes, not the size of the table.  When ``where`` asks for few cells (edited
    rows, leaving rows), only those are compared: a whole-column comparison of Python objects
    is the costliest step of a plan.
    """
    if where is None:
        out = np.asarray(left != right, dtype=bool)
    elif np.count_nonzero(where) * 4 < len(where):
        out = np.zeros(len(where), dtype=bool)
        asked = np.flatnonzero(where)
        out[asked] = left[asked] != right[asked]
    else:
        out = np.asarray(left != right, dtype=bool) & where
    doubt = np.flatnonzero(out)
    if len(doubt):  # both sides in one call: canonical's cost is mostly per call
        both = canonical(pd.Series(np.concatenate([left[doubt], right[doubt]]), dtype=object))
        both = both.to_numpy(dtype=object)
        out[doubt] = both[:len(doubt)] != both[len(doubt):]
    return out


def _values(column: pd.Series) -> np.ndarray:
    """A column as an object array where ``pd.NA`` (which cannot be compared) is None.

    Only object and nullable columns can hold ``pd.NA``; the others (text, numbers) keep NaN
    for blanks, which :func:`canonical` reads as blank too: that spares a pass per column.  An
    object column of text only (as Sheets and the state give most columns) is taken as it is:
    telling it holds only ``str`` costs a quarter of looking for ``pd.NA`` in it.
    """
    if column.dtype == object and infer_dtype(column, skipna=False) == "string":
        return column.to_numpy()
    if column.dtype == object or getattr(column.dtype, "na_value", None) is pd.NA:
        return column.to_numpy(dtype=object, na_value=None)
    return column.to_numpy(dtype=object)


def _take(values: np.ndarray, positions: np.ndarray, fill: object) -> np.ndarray:
    """``values[positions]``, with ``fill`` where the position is -1 (no such row)."""
    if not len(values):
        return np.full(len(positions), fill, dtype=values.dtype)
    out = values.take(positions)
    out[positions < 0] = fill
    return out


def plan(base: pd.DataFrame, local: pd.DataFrame, remote: pd.DataFrame, *, key: str,
         excel_columns: Sequence[str], sales_columns: Sequence[str], tabs: Sequence[str],
         policy: str = "owner-wins", remote_columns: Mapping[str, Sequence[str]] | None = None,
         force: bool = False, new_ids: NewIds = random_ids,
         computed_columns: Sequence[str] = ()) -> Plan:
    """Compare the last synced state with both sides and decide every change.

    ``base``: ``_tab``, ``key`` and the columns as :class:`Plan.new_base` gave them last
    time.  ``local``: one row per workbook customer with ``key``, the columns and
    ``segments`` (the analysis table).  ``remote``: one row per tab row with ``_tab``,
    ``_row`` and the columns as read.  ``tabs``: the synced tabs, first = highest priority.
    ``remote_columns``: the columns each tab's header holds, when some are missing (a column
    sales deleted is treated as unchanged, never as emptied).  ``force`` lets an emptied side
    propagate.  ``computed_columns``: the Excel-owned columns the workbook computes (an edit
    to one is noted as such in the conflicts).
    """
    if policy not in POLICIES:
        raise SyncError(f"unknown conflict policy '{policy}'",
                        hint=f"Use one of: {', '.join(POLICIES)}.")
    excel = [c for c in dict.fromkeys(excel_columns) if c != key]
    sales = [c for c in dict.fromkeys(sales_columns) if c != key and c not in excel]
    tabs = list(dict.fromkeys(tabs))
    merge = _Merge(key, excel, sales, tabs, POLICIES[policy], frozenset(computed_columns))
    return merge.run(base, local, remote, remote_columns or {}, force, new_ids)


# Columns of the frames a plan aligns (one row per tab and customer).
_TAB_CODE = "_tab_code"
_KEY = "_key"
_TYPED_KEY = "_typed_key"
_NEW_ID = "_new_id"
_AT_BASE = "_at_base"
_AT_SHEETS = "_at_sheets"
_IN_WORKBOOK = "_in_workbook"


class _Merge:
    """One plan computation over numpy arrays.

    Keys are factorised to integer codes once; per-customer values live in dense arrays indexed
    by code.  Each side's rows are aligned by (tab, key) through their positions only (a merge
    of three narrow frames), and every column is then one take from its side's array, so every
    step is a take or an element-wise comparison over whole columns.
    """

    def __init__(self, key: str, excel: list[str], sales: list[str], tabs: list[str],
                 sales_winner: str, computed: frozenset[str]) -> None:
        self.key = key
        self.excel = excel
        self.sales = sales
        self.columns = excel + sales
        self.tabs = tabs
        self.tab_names = np.array(tabs, dtype=object)
        self.sales_winner = sales_winner
        self.computed = computed
        self.key_text = np.array([], dtype=object)
        self._spread: dict[int, np.ndarray] = {}
        self._from_sheets: dict[str, np.ndarray] = {}
        self._stale: dict[str, np.ndarray] = {}

    def _on_rows(self, per_customer: np.ndarray, aligned: _Aligned) -> np.ndarray:
        """Per-customer values spread over the aligned rows (each array once: an Excel
        column's final values are its workbook values, compared twice)."""
        found = self._spread.get(id(per_customer))
        if found is None:
            found = self._spread[id(per_customer)] = per_customer[aligned.key]
        return found

    # -- inputs ------------------------------------------------------------------------------

    def _tab_codes(self, tabs: pd.Series) -> np.ndarray:
        return pd.Categorical(tabs, categories=self.tabs).codes.astype(np.int64)

    def _local(self, local: pd.DataFrame) -> tuple[_SideRows, pd.DataFrame]:
        """Per-customer workbook values, and the (tab, key) memberships, keyed by the
        customer's position (which is its key code: :meth:`_encode` codes the workbook's
        unique keys first)."""
        if self.key not in local.columns:
            raise SyncError(f"the workbook table has no '{self.key}' column",
                            hint="Check 'key' in the sync configuration.")
        keys = canonical(local[self.key])
        problems = keys.eq("") | keys.duplicated()
        if problems.any():
            bad = local.loc[problems, self.key].head(5).tolist()
            raise SyncError(f"customer ids must be present and unique in the workbook; "
                            f"blank or repeated: {bad}", hint="Fix the ids, then sync again.")
        workbook = _SideRows(keys.to_numpy(dtype=object))
        workbook.typed_key = local[self.key].to_numpy(dtype=object)
        for column in self.columns:
            workbook.values[column] = (_values(local[column])
                                  if column in local.columns else np.full(len(local), "", object))
        lists = local[SEGMENTS].to_numpy() if SEGMENTS in local.columns else []
        segments = pd.Series(lists, dtype=object).explode()  # index: the customer's position
        tab_codes = self._tab_codes(segments)
        synced = tab_codes >= 0
        tab_codes, at = tab_codes[synced], segments.index.to_numpy()[synced]
        once = ~pd.Series(tab_codes * len(local) + at).duplicated().to_numpy()  # tab listed twice
        members = _frame({_TAB_CODE: tab_codes[once], _KEY: at[once], _IN_WORKBOOK: True})
        return workbook, members

    def _base(self, base: pd.DataFrame) -> tuple[_SideRows, pd.DataFrame]:
        """Base values of the synced tabs, and where each (tab, key) is among them."""
        if TAB not in base or self.key not in base:
            base = pd.DataFrame({TAB: pd.Series(dtype=object),
                                 self.key: pd.Series(dtype=object)})
        base = base[base[TAB].isin(self.tabs)]
        side = _SideRows(canonical(base[self.key]).to_numpy(dtype=object))
        for column in self.columns:
            side.values[column] = (_values(base[column]) if column in base
                              else np.full(len(base), "", dtype=object))
        rows = _frame({_TAB_CODE: self._tab_codes(base[TAB]), _KEY: side.keys,
                       _AT_BASE: np.arange(len(base))})
        return side, rows

    def _remote(self, remote: pd.DataFrame, present: Mapping[str, Sequence[str]],
                new_ids: NewIds) -> tuple[_SideRows, pd.DataFrame, pd.DataFrame]:
        """Remote values; keyed rows (rows with an id, then rows typed without one, which get
        one), and those typed rows."""
        remote = remote[remote[TAB].isin(self.tabs)] if TAB in remote else remote.iloc[0:0]
        n = len(remote)
        tabs = remote[TAB].to_numpy() if TAB in remote else np.array([], dtype=object)
        keys = (canonical(remote[self.key]).to_numpy(dtype=object) if self.key in remote
                else np.full(n, "", dtype=object))
        side = _SideRows(keys)
        side.typed_key = (remote[self.key].to_numpy(dtype=object) if self.key in remote
                          else np.full(n, None, dtype=object))
        blank_key = keys == ""
        filled = np.zeros(int(blank_key.sum()), dtype=bool)
        for column in self.columns:
            side.values[column] = (_values(remote[column]) if column in remote
                              else np.full(n, None, dtype=object))
            filled |= ~_blank(side.values[column][blank_key])
            lacking = [tab for tab, cols in present.items() if column not in cols]
            side.missing[column] = np.isin(tabs, lacking) if lacking else np.zeros(n, dtype=bool)
        rows = _frame({_TAB_CODE: self._tab_codes(remote[TAB]) if TAB in remote
                       else np.zeros(0, np.int64),
                       ROW: remote[ROW].to_numpy() if ROW in remote else np.zeros(n, np.int64),
                       _KEY: keys, _TYPED_KEY: side.typed_key, _AT_SHEETS: np.arange(n)})
        unkeyed = rows.iloc[np.flatnonzero(blank_key)[filled]].copy()
        keyed = rows[~blank_key]
        ids = np.array(list(new_ids(len(unkeyed))), dtype=object)
        unkeyed[_KEY] = _column(ids, unkeyed.index)
        unkeyed[_TYPED_KEY] = _column(ids, unkeyed.index)
        keyed = pd.concat([keyed.assign(_new_id=False), unkeyed.assign(_new_id=True)],
                          ignore_index=True)
        return side, keyed, unkeyed

    def _encode(self, *frames: pd.DataFrame) -> None:
        """Replace the key text of every frame by one integer code per distinct key, codes
        in order of first appearance (the first frame's unique keys get 0, 1, 2...)."""
        codes, uniques = pd.factorize(np.concatenate([frame[_KEY].to_numpy(dtype=object)
                                                      for frame in frames]))
        self.key_text = np.asarray(uniques, dtype=object)
        start = 0
        for frame in frames:
            frame[_KEY] = codes[start:start + len(frame)]
            start += len(frame)

    def _repeated(self, rows: pd.DataFrame) -> np.ndarray:
        """Rows whose (tab, key) an earlier row already holds; on the encoded keys, where the
        pair is one integer (hashing the key text again would cost as much as encoding it)."""
        pairs = (rows[_TAB_CODE].to_numpy(dtype=np.int64) * len(self.key_text)
                 + rows[_KEY].to_numpy(dtype=np.int64))
        return pd.Series(pairs).duplicated().to_numpy()

    # -- the merge -----------------------------------------------------------------------------

    def run(self, base: pd.DataFrame, local: pd.DataFrame, remote: pd.DataFrame,
            present: Mapping[str, Sequence[str]], force: bool, new_ids: NewIds) -> Plan:
        """All steps in order: align, guard, decide cells, decide rows, emit changes."""
        workbook, members = self._local(local)
        base_side, base_rows = self._base(base)
        sheets, sheets_rows, unkeyed = self._remote(remote, present, new_ids)
        customers = _frame({_KEY: workbook.keys})
        self._encode(customers, base_rows, sheets_rows, unkeyed)
        base_rows = base_rows[~self._repeated(base_rows)]
        repeated = self._repeated(sheets_rows) & ~sheets_rows[_NEW_ID].to_numpy(dtype=bool)
        duplicates, sheets_rows = sheets_rows[repeated], sheets_rows[~repeated]
        if not force:
            self._guard(members, base_rows, sheets_rows)
        rows = members.merge(base_rows, on=[_TAB_CODE, _KEY], how="outer").merge(
            sheets_rows, on=[_TAB_CODE, _KEY], how="outer")
        order = np.lexsort((rows[_KEY].to_numpy(), rows[ROW].fillna(np.inf).to_numpy(),
                            rows[_TAB_CODE].to_numpy()))
        aligned = _Aligned(rows.iloc[order].reset_index(drop=True), self.columns, base_side,
                           sheets)
        known = self._customers(customers[_KEY].to_numpy(), workbook, aligned, base_side,
                                base_rows)
        conflicts = [self._excel_conflicts(aligned, known)]
        final, sales_conflicts = self._final_sales(aligned, known)
        conflicts += sales_conflicts
        keep = self._membership(aligned, known, final)
        conflicts.append(self._orphan_conflicts(aligned, known, keep))
        return self._emit(aligned, keep, known, final, conflicts, unkeyed, duplicates)

    def _guard(self, members: pd.DataFrame, base_rows: pd.DataFrame,
               sheets_rows: pd.DataFrame) -> None:
        """Refuse to propagate a tab emptied on one side (vdirsyncer's empty-side guard)."""
        had = np.bincount(base_rows[_TAB_CODE], minlength=len(self.tabs))
        sides = (("the workbook", members[_TAB_CODE]),
                 ("Google Sheets",
                  sheets_rows.loc[~sheets_rows[_NEW_ID].to_numpy(dtype=bool), _TAB_CODE]))
        for side, tabs in sides:
            now = np.bincount(tabs.to_numpy(dtype=np.int64), minlength=len(self.tabs))
            for tab in np.nonzero((had > 0) & (now == 0))[0]:
                raise SideEmptiedError(
                    f"tab {self.tabs[tab]!r} is empty in {side} but held "
                    f"{plural(int(had[tab]), 'row', 'rows')} at the last sync; nothing was "
                    "changed",
                    hint="If this is intended, run the sync again with --force.")

    def _customers(self, codes: np.ndarray, workbook: _SideRows, aligned: _Aligned,
                   base_side: _SideRows, base_rows: pd.DataFrame) -> _Customers:
        """Dense per-key arrays: workbook values, or for a new customer its first remote row;
        and each customer's base value (from its first base row)."""
        n = len(self.key_text)
        known = _Customers(n)
        known.known[codes] = True
        known.typed_key[codes] = workbook.typed_key
        in_base = np.zeros(n, dtype=bool)
        in_base[base_rows[_KEY].to_numpy()] = True
        candidates = np.nonzero(aligned.in_sheets & ~known.known[aligned.key]
                                & ~in_base[aligned.key])[0]
        new_codes, first = np.unique(aligned.key[candidates], return_index=True)
        rows = candidates[first]
        known.known[new_codes] = known.new[new_codes] = True
        known.typed_key[new_codes] = aligned.typed_key[rows]
        known.origin_tab[new_codes] = aligned.tab[rows]
        known.origin_row[new_codes] = aligned.row[rows]
        first_base = base_rows.drop_duplicates(_KEY)
        first_codes = first_base[_KEY].to_numpy()
        first_at = first_base[_AT_BASE].to_numpy()
        for column in self.columns:
            values = np.full(n, None, dtype=object)
            values[codes] = workbook.values[column]
            values[new_codes] = aligned.sheets[column][rows]
            known.workbook[column] = values
            known.base[column] = np.full(n, "", dtype=object)
            known.base[column][first_codes] = base_side.values[column][first_at]
        return known

    def _excel_conflicts(self, aligned: _Aligned, known: _Customers) -> pd.DataFrame:
        """Excel-owned cells sales edited in a tab: the workbook value stays, Sheets' is kept."""
        rows = aligned.in_sheets & known.known[aligned.key]
        parts = []
        for column in self.excel:
            ours = self._on_rows(known.workbook[column], aligned)
            # Cells that differ from the workbook's are the ones written back to Sheets too:
            # one comparison over the whole column serves both steps.
            stale = self._stale[column] = _differs(aligned.sheets[column], ours,
                                                   aligned.in_sheets)
            hit = _differs(aligned.sheets[column], aligned.base[column],
                           stale & rows & ~aligned.missing[column])
            why = ("excel (computed by the workbook: recomputed, never pulled)"
                   if column in self.computed else "excel (column owned by the workbook)")
            parts.append(self._records(aligned.tab[hit], aligned.key[hit], column, ours[hit],
                                       aligned.sheets[column][hit], aligned.base[column][hit], why))
        return _concat(parts, _CONFLICT_COLUMNS)

    def _final_sales(self, aligned: _Aligned,
                     known: _Customers) -> tuple[dict[str, np.ndarray], list[pd.DataFrame]]:
        """Per customer and column: the value every side ends with, and the sales conflicts."""
        final: dict[str, np.ndarray] = {}
        conflicts = []
        n = len(self.key_text)
        customer = known.known & ~known.new
        for column in self.sales:
            sheets = aligned.sheets[column]
            changed = np.nonzero(_differs(sheets, aligned.base[column],
                                          aligned.in_sheets & ~aligned.missing[column]))[0]
            codes, first = np.unique(aligned.key[changed], return_index=True)
            chosen = changed[first]
            edit = np.full(n, None, dtype=object)  # the edit each customer's tabs agree on
            edit_tab = np.zeros(n, dtype=np.int64)
            edited = np.zeros(n, dtype=bool)
            edit[codes], edit_tab[codes], edited[codes] = sheets[chosen], aligned.tab[chosen], True
            lose = changed[_differs(sheets[changed], edit[aligned.key[changed]])]
            kept_tab = pd.Series(self.tab_names[edit_tab[aligned.key[lose]]], dtype=object)
            conflicts.append(self._records(
                aligned.tab[lose], aligned.key[lose], column,
                known.workbook[column][aligned.key[lose]],
                sheets[lose], aligned.base[column][lose],
                ("sheets (tab " + kept_tab + " kept)").to_numpy(dtype=object)))
            edited &= customer
            ours = known.workbook[column]
            both = _differs(ours, edit, _differs(ours, known.base[column], edited))
            take_sheets = edited & ~(both & (self.sales_winner == "excel"))
            final[column] = np.where(take_sheets, edit, ours)
            self._from_sheets[column] = take_sheets
            sel = np.nonzero(both)[0]
            conflicts.append(self._records(edit_tab[sel], sel, column, ours[sel], edit[sel],
                                           known.base[column][sel], self.sales_winner))
        for column in self.excel:
            final[column] = known.workbook[column]
        return final, conflicts

    def _membership(self, aligned: _Aligned, known: _Customers,
                    final: dict[str, np.ndarray]) -> np.ndarray:
        """Which (tab, key) rows the tab holds after this run."""
        leaving = aligned.in_sheets & known.known[aligned.key] & ~aligned.in_workbook
        unsaved = np.zeros(len(aligned.key), dtype=bool)
        if leaving.any():
            for column in self.sales:
                target = final[column][aligned.key]
                where = leaving & ~aligned.missing[column]
                unsaved |= (_differs(aligned.sheets[column], target, where)
                            | _differs(target, known.workbook[column][aligned.key], where))
        return aligned.in_workbook | (leaving & (unsaved | known.new[aligned.key]))

    def _orphan_conflicts(self, aligned: _Aligned, known: _Customers,
                          keep: np.ndarray) -> pd.DataFrame:
        """Edits in rows of customers deleted from the workbook, recorded before removal."""
        rows = aligned.in_sheets & ~known.known[aligned.key] & ~keep
        if not rows.any():
            return _concat([], _CONFLICT_COLUMNS)
        parts = []
        for column in self.columns:
            hit = _differs(aligned.sheets[column], aligned.base[column],
                           rows & ~aligned.missing[column])
            parts.append(self._records(aligned.tab[hit], aligned.key[hit], column,
                                       np.full(hit.sum(), ""), aligned.sheets[column][hit],
                                       aligned.base[column][hit],
                                       "removed (customer no longer in the workbook)"))
        return _concat(parts, _CONFLICT_COLUMNS)

    def _records(self, tabs: np.ndarray, codes: np.ndarray, column: str, excel: np.ndarray,
                 sheets: np.ndarray, base: np.ndarray,
                 resolution: str | np.ndarray) -> pd.DataFrame:
        """Conflict records, tabs and keys decoded."""
        return _frame({"tab": self.tab_names[tabs], "key": self.key_text[codes],
                       "column": column, "excel": excel, "sheets": sheets, "base": base,
                       "resolution": resolution})

    # -- output ---------------------------------------------------------------------------------

    def _emit(self, aligned: _Aligned, keep: np.ndarray, known: _Customers,
              final: dict[str, np.ndarray], conflicts: list[pd.DataFrame],
              unkeyed: pd.DataFrame, duplicates: pd.DataFrame) -> Plan:
        """Turn the decisions into change lists for both sides and the new base."""
        add = np.nonzero(keep & ~aligned.in_sheets)[0]
        added_keys = aligned.key[add]
        adds = _frame({TAB: self.tab_names[aligned.tab[add]],
                       self.key: known.typed_key[added_keys]})
        for column in self.columns:
            adds[column] = _column(final[column][added_keys])
        updates = [self._updates(unkeyed[_TAB_CODE].to_numpy(), unkeyed[ROW].to_numpy(),
                                 self.key, unkeyed[_TYPED_KEY].to_numpy())]
        present = keep & aligned.in_sheets
        for column in self.columns:
            target = self._on_rows(final[column], aligned)
            stale = self._stale.get(column)
            hit = (stale & present if stale is not None
                   else _differs(aligned.sheets[column], target, present))
            missing = aligned.missing[column] & hit
            if missing.any():  # a column absent from a tab's header is not written blank
                hit[missing] = ~_blank(target[missing])
            hit = np.nonzero(hit)[0]
            updates.append(self._updates(aligned.tab[hit], aligned.row[hit], column, target[hit]))
        clear = np.nonzero(aligned.in_sheets & ~keep)[0]
        local_updates = []
        for column in self.sales:  # only customers whose value comes from Sheets can change
            taken = np.flatnonzero(self._from_sheets[column])
            hit = taken[_differs(final[column][taken], known.workbook[column][taken])]
            local_updates.append(_frame({"key": known.typed_key[hit], "column": column,
                                         "value": final[column][hit]}))
        new = np.nonzero(known.new)[0]
        new_customers = _frame({TAB: self.tab_names[known.origin_tab[new]],
                                ROW: known.origin_row[new], self.key: known.typed_key[new]})
        for column in self.columns:
            new_customers[column] = _column(known.workbook[column][new])
        kept = np.nonzero(keep)[0]
        kept_keys = aligned.key[kept]
        new_base = _frame({TAB: self.tab_names[aligned.tab[kept]],
                           self.key: self.key_text[kept_keys]})
        for column in self.columns:
            new_base[column] = _column(final[column][kept_keys])
        return Plan(
            remote_adds=adds,
            remote_updates=_concat(updates, ["tab", "row", "column", "value"]),
            remote_clears=_frame({"tab": self.tab_names[aligned.tab[clear]],
                                  "row": aligned.row[clear].astype(np.int64)}),
            local_updates=_concat(local_updates, ["key", "column", "value"]),
            new_customers=new_customers,
            conflicts=_concat(conflicts, _CONFLICT_COLUMNS),
            notices=self._notices(aligned, keep, known, duplicates, unkeyed),
            new_base=new_base,
        )

    def _updates(self, tabs: np.ndarray, rows: np.ndarray, column: str,
                 values: np.ndarray) -> pd.DataFrame:
        """Cell writes for remote rows."""
        return _frame({"tab": self.tab_names[tabs], "row": rows.astype(np.int64),
                       "column": column, "value": values})

    def _notices(self, aligned: _Aligned, keep: np.ndarray, known: _Customers,
                 duplicates: pd.DataFrame, unkeyed: pd.DataFrame) -> pd.DataFrame:
        """Events worth telling the user about, beyond cell changes."""
        restored = np.nonzero(aligned.in_workbook & aligned.in_base & ~aligned.in_sheets)[0]
        deferred = np.nonzero(keep & aligned.in_sheets & ~aligned.in_workbook
                              & known.known[aligned.key] & aligned.in_base)[0]
        parts = [
            (aligned.tab[restored], None, aligned.key[restored], "restored",
             "row deleted in Sheets while the customer is still in the segment; put back"),
            (aligned.tab[deferred], aligned.row[deferred], aligned.key[deferred],
             "removal deferred",
             "customer left the segment; row kept until its sales edits are saved"),
            (duplicates[_TAB_CODE].to_numpy(), duplicates[ROW].to_numpy(),
             duplicates[_KEY].to_numpy(), "duplicate id",
             "another row of this tab has the same id; this row was left untouched"),
            (unkeyed[_TAB_CODE].to_numpy(), unkeyed[ROW].to_numpy(), unkeyed[_KEY].to_numpy(),
             "new customer", "row typed without an id; id generated"),
        ]
        frames = [_frame({"tab": self.tab_names[tabs.astype(np.int64)], "row": row,
                          "key": self.key_text[codes.astype(np.int64)], "kind": kind,
                          "detail": detail})
                  for tabs, row, codes, kind, detail in parts]
        return _concat(frames, ["tab", "row", "key", "kind", "detail"])


class _SideRows:
    """One side's rows as arrays: keys (canonical text, then codes), the ids as typed, each
    column's values as read, and (Sheets) where a tab's header lacks a column."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = keys
        self.typed_key = keys
        self.values: dict[str, np.ndarray] = {}
        self.missing: dict[str, np.ndarray] = {}


class _Aligned:
    """The (tab, key) rows of all three sides as plain arrays: which sides hold each row, and
    per column the Sheets value (None where no row), the base value ("" where none) and
    whether the tab's header lacks the column."""

    def __init__(self, rows: pd.DataFrame, columns: list[str], base: _SideRows,
                 sheets: _SideRows) -> None:
        self.tab = rows[_TAB_CODE].to_numpy(dtype=np.int64)
        self.key = rows[_KEY].to_numpy(dtype=np.int64)
        self.row = rows[ROW].fillna(0).to_numpy(dtype=np.int64)
        self.typed_key = rows[_TYPED_KEY].to_numpy(dtype=object)
        self.in_workbook = np.equal(rows[_IN_WORKBOOK].to_numpy(dtype=object), True)
        at_base = rows[_AT_BASE].fillna(-1).to_numpy(dtype=np.int64)
        at_sheets = rows[_AT_SHEETS].fillna(-1).to_numpy(dtype=np.int64)
        self.in_base = at_base >= 0
        self.in_sheets = at_sheets >= 0
        self.sheets = {column: _take(sheets.values[column], at_sheets, None) for column in columns}
        self.base = {column: _take(base.values[column], at_base, "") for column in columns}
        nowhere = np.zeros(len(self.tab), dtype=bool)
        self.missing = {column: _take(sheets.missing[column], at_sheets, False)
                        if sheets.missing[column].any() else nowhere for column in columns}


class _Customers:
    """Dense per-key-code arrays: who is a customer, their workbook values (a new customer's:
    its first Sheets row) and their base values."""

    def __init__(self, n: int) -> None:
        self.known = np.zeros(n, dtype=bool)
        self.new = np.zeros(n, dtype=bool)
        self.typed_key = np.full(n, None, dtype=object)
        self.origin_tab = np.zeros(n, dtype=np.int64)
        self.origin_row = np.zeros(n, dtype=np.int64)
        self.workbook: dict[str, np.ndarray] = {}
        self.base: dict[str, np.ndarray] = {}


_CONFLICT_COLUMNS = ["tab", "key", "column", "excel", "sheets", "base", "resolution"]


def _column(values: np.ndarray, index: pd.Index | None = None) -> Any:
    """An object array as a column that stays ``object`` (pandas 3 would otherwise infer a
    string dtype and copy every value into Arrow, the slowest step of a plan)."""
    if values.dtype != object:
        return values
    return pd.Series(values, dtype=object, index=index, copy=False)


def _frame(columns: Mapping[str, object]) -> pd.DataFrame:
    """A frame whose object arrays stay ``object`` columns (see :func:`_column`)."""
    return pd.DataFrame({name: _column(v) if isinstance(v, np.ndarray) else v
                         for name, v in columns.items()})


def _concat(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Concatenate record frames, keeping the columns when every part is empty."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    return pd.concat(parts, ignore_index=True)[columns]
