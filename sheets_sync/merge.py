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
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_float_dtype,
    is_integer_dtype,
)

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

_K = "_k"
_NUMBER = r"-?(?:0|[1-9]\d{0,14})(?:\.\d+)?(?:[eE][-+]?\d{1,3})?"
_BOOLEAN = {"true": "TRUE", "false": "FALSE"}

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
    ``remote_clears`` — rows to blank: ``tab, row``.
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


def _differs(a: np.ndarray, b: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """Cells whose values differ (by :func:`canonical`), evaluated only ``where`` asked.

    Raw equality settles almost every cell at C speed (unchanged cells hold the very values
    written last time); only cells that differ raw are canonicalised, so the cost follows the
    number of changes, not the size of the table.
    """
    out = np.zeros(len(a), dtype=bool)
    idx = np.arange(len(a)) if where is None else np.nonzero(where)[0]
    if len(idx) == 0:
        return out
    left, right = a[idx], b[idx]
    raw = left != right
    doubt = idx[raw]
    if len(doubt):
        out[doubt] = (canonical(pd.Series(a[doubt], dtype=object)).to_numpy(dtype=object)
                      != canonical(pd.Series(b[doubt], dtype=object)).to_numpy(dtype=object))
    return out


def plan(base: pd.DataFrame, local: pd.DataFrame, remote: pd.DataFrame, *, key: str,
         excel_columns: Sequence[str], sales_columns: Sequence[str], tabs: Sequence[str],
         policy: str = "owner-wins", remote_columns: Mapping[str, Sequence[str]] | None = None,
         force: bool = False, new_ids: NewIds = random_ids) -> Plan:
    """Compare the last synced state with both sides and decide every change.

    ``base``: ``_tab``, ``key`` and the columns as :class:`Plan.new_base` gave them last
    time.  ``local``: one row per workbook customer with ``key``, the columns and
    ``segments`` (the analysis table).  ``remote``: one row per tab row with ``_tab``,
    ``_row`` and the columns as read.  ``tabs``: the synced tabs, first = highest priority.
    ``remote_columns``: the columns each tab's header holds, when some are missing (a column
    sales deleted is treated as unchanged, never as emptied).  ``force`` lets an emptied side
    propagate.
    """
    if policy not in POLICIES:
        raise SyncError(f"unknown conflict policy '{policy}'",
                        hint=f"Use one of: {', '.join(POLICIES)}.")
    excel = [c for c in dict.fromkeys(excel_columns) if c != key]
    sales = [c for c in dict.fromkeys(sales_columns) if c != key and c not in excel]
    tabs = list(dict.fromkeys(tabs))
    merge = _Merge(key, excel, sales, tabs, POLICIES[policy])
    return merge.run(base, local, remote, remote_columns or {}, force, new_ids)


class _Merge:
    """One plan computation over numpy arrays.

    Keys are factorised to integer codes once; per-customer values live in dense arrays indexed
    by code, and the aligned (tab, key) table ``u`` is a set of arrays, so every step is a
    take or an element-wise comparison over whole columns.
    """

    def __init__(self, key: str, excel: list[str], sales: list[str], tabs: list[str],
                 sales_winner: str) -> None:
        self.key = key
        self.excel = excel
        self.sales = sales
        self.columns = excel + sales
        self.tabs = tabs
        self.tab_names = np.array(tabs, dtype=object)
        self.sales_winner = sales_winner
        self.key_text = np.array([], dtype=object)

    # -- inputs ------------------------------------------------------------------------------

    def _tab_codes(self, tabs: pd.Series) -> np.ndarray:
        return pd.Categorical(tabs, categories=self.tabs).codes.astype(np.int64)

    def _local(self, local: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Per-customer canonical and typed values, and the (tab, key) memberships."""
        if self.key not in local.columns:
            raise SyncError(f"the workbook table has no '{self.key}' column",
                            hint="Check 'key' in the sync configuration.")
        keys = canonical(local[self.key])
        problems = keys.eq("") | keys.duplicated()
        if problems.any():
            bad = local.loc[problems, self.key].head(5).tolist()
            raise SyncError(f"customer ids must be present and unique in the workbook; "
                            f"blank or repeated: {bad}", hint="Fix the ids, then sync again.")
        frame = {_K: keys.to_numpy(dtype=object), "_kt": local[self.key].to_numpy(dtype=object)}
        for c in self.columns:
            typed = local[c] if c in local.columns else pd.Series("", index=local.index)
            frame["lt:" + c] = frame["l:" + c] = typed.to_numpy(dtype=object, na_value=None)
        if SEGMENTS in local.columns:
            members = _frame({_K: frame[_K], TAB: local[SEGMENTS].to_numpy()})
            members = members.explode(TAB)
            members = members[members[TAB].isin(self.tabs)].drop_duplicates()
        else:
            members = pd.DataFrame({_K: pd.Series(dtype=object), TAB: pd.Series(dtype=object)})
        members = _frame({"_t": self._tab_codes(members[TAB]),
                                _K: members[_K].to_numpy(dtype=object), "_inL": True})
        return _frame(frame), members

    def _base(self, base: pd.DataFrame) -> pd.DataFrame:
        """Base rows of the synced tabs, renamed ``b:<column>``."""
        if TAB not in base or self.key not in base:
            base = pd.DataFrame({TAB: pd.Series(dtype=object),
                                 self.key: pd.Series(dtype=object)})
        base = base[base[TAB].isin(self.tabs)]
        frame = _frame({"_t": self._tab_codes(base[TAB]),
                              _K: canonical(base[self.key]).to_numpy(dtype=object)})
        for c in self.columns:
            frame["b:" + c] = _column(base[c].to_numpy(dtype=object, na_value=None) if c in base
                                      else np.full(len(frame), "", dtype=object))
        return frame.drop_duplicates(["_t", _K]).assign(_inB=True)

    def _remote(self, remote: pd.DataFrame, present: Mapping[str, Sequence[str]],
                new_ids: NewIds) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Keyed remote rows (``r:``/``rt:``), rows typed without id, and duplicate rows."""
        remote = remote[remote[TAB].isin(self.tabs)] if TAB in remote else remote.iloc[0:0]
        n = len(remote)
        frame = {"_t": self._tab_codes(remote[TAB]),
                 ROW: remote[ROW].to_numpy() if ROW in remote else np.zeros(n, np.int64)}
        frame[_K] = (canonical(remote[self.key]).to_numpy(dtype=object) if self.key in remote
                     else np.full(n, "", dtype=object))
        frame["_kt"] = (remote[self.key].to_numpy(dtype=object) if self.key in remote
                        else np.full(n, None, dtype=object))
        filled = np.zeros(n, dtype=bool)
        tabs = remote[TAB].to_numpy() if TAB in remote else np.array([], dtype=object)
        for c in self.columns:
            if c in remote:
                frame["rt:" + c] = frame["r:" + c] = remote[c].to_numpy(dtype=object,
                                                                        na_value=None)
            else:
                frame["r:" + c] = np.full(n, "", dtype=object)
                frame["rt:" + c] = np.full(n, None, dtype=object)
            filled |= ~_blank(frame["r:" + c])
            lacking = [tab for tab, cols in present.items() if c not in cols]
            frame["_miss:" + c] = np.isin(tabs, lacking)
        table = _frame(frame)
        blank_key = table[_K].to_numpy() == ""
        unkeyed = table[blank_key & filled].copy()
        keyed = table[~blank_key]
        dup = keyed.duplicated(["_t", _K]).to_numpy()
        duplicates = keyed[dup]
        keyed = keyed[~dup]
        ids = np.array(list(new_ids(len(unkeyed))), dtype=object)
        unkeyed[_K] = _column(ids, unkeyed.index)
        unkeyed["_kt"] = _column(ids, unkeyed.index)
        keyed = pd.concat([keyed.assign(_new_id=False), unkeyed.assign(_new_id=True)],
                          ignore_index=True)
        return keyed.assign(_inR=True), unkeyed, duplicates

    def _encode(self, *frames: pd.DataFrame) -> None:
        """Replace the key text of every frame by one integer code per distinct key."""
        codes, uniques = pd.factorize(np.concatenate([f[_K].to_numpy(dtype=object)
                                                      for f in frames]))
        self.key_text = np.asarray(uniques, dtype=object)
        start = 0
        for frame in frames:
            frame[_K] = codes[start:start + len(frame)]
            start += len(frame)

    # -- the merge -----------------------------------------------------------------------------

    def run(self, base: pd.DataFrame, local: pd.DataFrame, remote: pd.DataFrame,
            present: Mapping[str, Sequence[str]], force: bool, new_ids: NewIds) -> Plan:
        """All steps in order: align, guard, decide cells, decide rows, emit changes."""
        lframe, members = self._local(local)
        b = self._base(base)
        r, unkeyed, duplicates = self._remote(remote, present, new_ids)
        if not force:
            self._guard(members, b, r)
        self._encode(lframe, members, b, r, unkeyed, duplicates)
        u = members.merge(b, on=["_t", _K], how="outer").merge(r, on=["_t", _K], how="outer")
        order = np.lexsort((u[_K].to_numpy(), u[ROW].fillna(np.inf).to_numpy(),
                            u["_t"].to_numpy()))
        u = u.iloc[order].reset_index(drop=True)
        a = _Aligned(u, self.columns)
        cust = self._customers(lframe, a, b)
        conflicts = [self._excel_conflicts(a, cust)]
        final, sales_conflicts = self._final_sales(a, cust)
        conflicts += sales_conflicts
        keep = self._membership(a, cust, final)
        conflicts.append(self._orphan_conflicts(a, cust, keep))
        return self._emit(a, keep, cust, final, conflicts, unkeyed, duplicates)

    def _guard(self, members: pd.DataFrame, b: pd.DataFrame, r: pd.DataFrame) -> None:
        """Refuse to propagate a tab emptied on one side (vdirsyncer's empty-side guard)."""
        had = np.bincount(b["_t"], minlength=len(self.tabs))
        sides = (("the workbook", members["_t"]),
                 ("Google Sheets", r.loc[~r["_new_id"].to_numpy(dtype=bool), "_t"]))
        for side, tabs in sides:
            now = np.bincount(tabs.to_numpy(dtype=np.int64), minlength=len(self.tabs))
            for t in np.nonzero((had > 0) & (now == 0))[0]:
                raise SideEmptiedError(
                    f"tab {self.tabs[t]!r} is empty in {side} but held {had[t]} rows at the "
                    f"last sync; nothing was changed",
                    hint="If this is intended, run the sync again with --force.")

    def _customers(self, lframe: pd.DataFrame, a: _Aligned, b: pd.DataFrame) -> _Customers:
        """Dense per-key arrays: workbook values, or for a new customer its first remote row."""
        n = len(self.key_text)
        cust = _Customers(n)
        codes = lframe[_K].to_numpy()
        cust.known[codes] = True
        cust.typed_key[codes] = lframe["_kt"].to_numpy()
        in_base = np.zeros(n, dtype=bool)
        in_base[b[_K].to_numpy()] = True
        candidates = np.nonzero(a.in_r & ~cust.known[a.k] & ~in_base[a.k])[0]
        new_codes, first = np.unique(a.k[candidates], return_index=True)
        rows = candidates[first]
        cust.known[new_codes] = cust.new[new_codes] = True
        cust.typed_key[new_codes] = a.typed_key[rows]
        cust.origin_tab[new_codes] = a.t[rows]
        cust.origin_row[new_codes] = a.row[rows]
        bfirst = b.drop_duplicates(_K)
        for c in self.columns:
            cust.l[c] = np.full(n, np.nan, dtype=object)
            cust.lt[c] = np.full(n, np.nan, dtype=object)
            cust.l[c][codes] = lframe["l:" + c].to_numpy()
            cust.lt[c][codes] = lframe["lt:" + c].to_numpy()
            cust.l[c][new_codes] = a.r[c][rows]
            cust.lt[c][new_codes] = a.rt[c][rows]
            cust.lb[c] = np.full(n, "", dtype=object)
            cust.lb[c][bfirst[_K].to_numpy()] = bfirst["b:" + c].to_numpy()
        return cust

    def _excel_conflicts(self, a: _Aligned, cust: _Customers) -> pd.DataFrame:
        """Excel-owned cells sales edited in a tab: the workbook value stays, Sheets' is kept."""
        rows = a.in_r & cust.known[a.k]
        parts = []
        for c in self.excel:
            lv = cust.l[c][a.k]
            edited = _differs(a.r[c], a.b[c], rows & ~a.miss[c])
            hit = _differs(a.r[c], lv, edited)
            parts.append(self._records(a.t[hit], a.k[hit], c, lv[hit], a.r[c][hit], a.b[c][hit],
                                       "excel (column owned by the workbook)"))
        return _concat(parts, _CONFLICT_COLUMNS)

    def _final_sales(self, a: _Aligned,
                     cust: _Customers) -> tuple[_Final, list[pd.DataFrame]]:
        """Per customer and sales column: the value every side ends with, and its conflicts."""
        final = _Final()
        conflicts = []
        n = len(self.key_text)
        customer = cust.known & ~cust.new
        for c in self.sales:
            changed = np.nonzero(_differs(a.r[c], a.b[c], a.in_r & ~a.miss[c]))[0]
            codes, first = np.unique(a.k[changed], return_index=True)
            chosen = changed[first]
            rv = np.full(n, np.nan, dtype=object)
            rt = np.full(n, np.nan, dtype=object)
            rtab = np.zeros(n, dtype=np.int64)
            has_r = np.zeros(n, dtype=bool)
            rv[codes], rt[codes] = a.r[c][chosen], a.rt[c][chosen]
            rtab[codes], has_r[codes] = a.t[chosen], True
            lose = changed[_differs(a.r[c][changed], rv[a.k[changed]])]
            kept_tab = pd.Series(self.tab_names[rtab[a.k[lose]]], dtype=object)
            conflicts.append(self._records(
                a.t[lose], a.k[lose], c, cust.l[c][a.k[lose]], a.r[c][lose], a.b[c][lose],
                ("sheets (tab " + kept_tab + " kept)").to_numpy(dtype=object)))
            has_r &= customer
            lv, lt = cust.l[c], cust.lt[c]
            both = _differs(lv, rv, _differs(lv, cust.lb[c], has_r))
            take_r = has_r & ~(both & (self.sales_winner == "excel"))
            final.f[c] = np.where(take_r, rv, lv)
            final.ft[c] = np.where(take_r, rt, lt)
            sel = np.nonzero(both)[0]
            conflicts.append(self._records(rtab[sel], sel, c, lv[sel], rv[sel], cust.lb[c][sel],
                                           self.sales_winner))
        for c in self.excel:
            final.f[c], final.ft[c] = cust.l[c], cust.lt[c]
        return final, conflicts

    def _membership(self, a: _Aligned, cust: _Customers, final: _Final) -> np.ndarray:
        """Which (tab, key) rows the tab holds after this run."""
        leaving = a.in_r & cust.known[a.k] & ~a.in_l
        unsaved = np.zeros(len(a.k), dtype=bool)
        for c in self.sales:
            target = final.f[c][a.k]
            where = leaving & ~a.miss[c]
            unsaved |= _differs(a.r[c], target, where) | _differs(target, cust.l[c][a.k], where)
        return a.in_l | (leaving & (unsaved | cust.new[a.k]))

    def _orphan_conflicts(self, a: _Aligned, cust: _Customers,
                          keep: np.ndarray) -> pd.DataFrame:
        """Edits in rows of customers deleted from the workbook, recorded before removal."""
        rows = a.in_r & ~cust.known[a.k] & ~keep
        parts = []
        for c in self.columns:
            hit = _differs(a.r[c], a.b[c], rows & ~a.miss[c])
            parts.append(self._records(a.t[hit], a.k[hit], c, np.full(hit.sum(), ""),
                                       a.r[c][hit], a.b[c][hit],
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

    def _emit(self, a: _Aligned, keep: np.ndarray, cust: _Customers, final: _Final,
              conflicts: list[pd.DataFrame], unkeyed: pd.DataFrame,
              duplicates: pd.DataFrame) -> Plan:
        """Turn the decisions into change lists for both sides and the new base."""
        add = np.nonzero(keep & ~a.in_r)[0]
        adds = _frame({TAB: self.tab_names[a.t[add]],
                             self.key: cust.typed_key[a.k[add]]})
        for c in self.columns:
            adds[c] = _column(final.ft[c][a.k[add]])
        updates = [self._updates(unkeyed["_t"].to_numpy(), unkeyed[ROW].to_numpy(), self.key,
                                 unkeyed["_kt"].to_numpy())]
        present = keep & a.in_r
        for c in self.columns:
            target = final.f[c][a.k]
            hit = np.nonzero(_differs(a.r[c], target, present) & ~(a.miss[c] & _blank(target)))[0]
            updates.append(self._updates(a.t[hit], a.row[hit], c, final.ft[c][a.k[hit]]))
        clear = np.nonzero(a.in_r & ~keep)[0]
        customer = np.nonzero(cust.known & ~cust.new)[0]
        local_updates = []
        for c in self.sales:
            hit = customer[_differs(final.f[c][customer], cust.l[c][customer])]
            local_updates.append(_frame({"key": cust.typed_key[hit], "column": c,
                                               "value": final.ft[c][hit]}))
        new = np.nonzero(cust.new)[0]
        new_customers = _frame({TAB: self.tab_names[cust.origin_tab[new]],
                                      ROW: cust.origin_row[new], self.key: cust.typed_key[new]})
        for c in self.columns:
            new_customers[c] = _column(cust.lt[c][new])
        kept = np.nonzero(keep)[0]
        new_base = _frame({TAB: self.tab_names[a.t[kept]],
                                 self.key: self.key_text[a.k[kept]]})
        for c in self.columns:
            new_base[c] = _column(final.f[c][a.k[kept]])
        return Plan(
            remote_adds=adds,
            remote_updates=_concat(updates, ["tab", "row", "column", "value"]),
            remote_clears=_frame({"tab": self.tab_names[a.t[clear]],
                                        "row": a.row[clear].astype(np.int64)}),
            local_updates=_concat(local_updates, ["key", "column", "value"]),
            new_customers=new_customers,
            conflicts=_concat(conflicts, _CONFLICT_COLUMNS),
            notices=self._notices(a, keep, cust, duplicates, unkeyed),
            new_base=new_base,
        )

    def _updates(self, tabs: np.ndarray, rows: np.ndarray, column: str,
                 values: np.ndarray) -> pd.DataFrame:
        """Cell writes for remote rows."""
        return _frame({"tab": self.tab_names[tabs], "row": rows.astype(np.int64),
                             "column": column, "value": values})

    def _notices(self, a: _Aligned, keep: np.ndarray, cust: _Customers,
                 duplicates: pd.DataFrame, unkeyed: pd.DataFrame) -> pd.DataFrame:
        """Events worth telling the user about, beyond cell changes."""
        restored = np.nonzero(a.in_l & a.in_b & ~a.in_r)[0]
        deferred = np.nonzero(keep & a.in_r & ~a.in_l & cust.known[a.k] & a.in_b)[0]
        parts = [
            (a.t[restored], None, a.k[restored], "restored",
             "row deleted in Sheets while the customer is still in the segment; put back"),
            (a.t[deferred], a.row[deferred], a.k[deferred], "removal deferred",
             "customer left the segment; row kept until its sales edits are saved"),
            (duplicates["_t"].to_numpy(), duplicates[ROW].to_numpy(), duplicates[_K].to_numpy(),
             "duplicate id", "another row of this tab has the same id; this row was left "
                             "untouched"),
            (unkeyed["_t"].to_numpy(), unkeyed[ROW].to_numpy(), unkeyed[_K].to_numpy(),
             "new customer", "row typed without an id; id generated"),
        ]
        frames = [_frame({"tab": self.tab_names[t.astype(np.int64)], "row": row,
                                "key": self.key_text[k.astype(np.int64)], "kind": kind,
                                "detail": detail})
                  for t, row, k, kind, detail in parts]
        return _concat(frames, ["tab", "row", "key", "kind", "detail"])


class _Aligned:
    """The (tab, key) rows of all three sides as plain arrays (``r``/``rt``/``b``/``miss``
    per column)."""

    def __init__(self, u: pd.DataFrame, columns: list[str]) -> None:
        self.t = u["_t"].to_numpy(dtype=np.int64)
        self.k = u[_K].to_numpy(dtype=np.int64)
        self.row = u[ROW].fillna(0).to_numpy(dtype=np.int64)
        self.typed_key = u["_kt"].to_numpy(dtype=object)
        self.in_l = np.equal(u["_inL"].to_numpy(dtype=object), True)
        self.in_b = np.equal(u["_inB"].to_numpy(dtype=object), True)
        self.in_r = np.equal(u["_inR"].to_numpy(dtype=object), True)
        self.r = {c: u["r:" + c].to_numpy(dtype=object) for c in columns}
        self.rt = {c: u["rt:" + c].to_numpy(dtype=object) for c in columns}
        self.b = {c: np.where(self.in_b, u["b:" + c].to_numpy(dtype=object), "")
                  for c in columns}
        self.miss = {c: np.equal(u["_miss:" + c].to_numpy(dtype=object), True)
                     for c in columns}


class _Customers:
    """Dense per-key-code arrays: who is a customer, and their workbook values."""

    def __init__(self, n: int) -> None:
        self.known = np.zeros(n, dtype=bool)
        self.new = np.zeros(n, dtype=bool)
        self.typed_key = np.full(n, None, dtype=object)
        self.origin_tab = np.zeros(n, dtype=np.int64)
        self.origin_row = np.zeros(n, dtype=np.int64)
        self.l: dict[str, np.ndarray] = {}
        self.lt: dict[str, np.ndarray] = {}
        self.lb: dict[str, np.ndarray] = {}


class _Final:
    """Per-key-code final values: canonical ``f`` and typed ``ft`` per column."""

    def __init__(self) -> None:
        self.f: dict[str, np.ndarray] = {}
        self.ft: dict[str, np.ndarray] = {}


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
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(parts, ignore_index=True)[columns]
