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
    ``new_base`` — the state to commit: ``_tab``, the key and every column as canonical text.
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


def _text(values: pd.Series) -> pd.Series:
    """Values already canonical (or missing) as text, missing as ``""``."""
    return values.astype("str").fillna("")


def _number_text(numbers: pd.Series) -> pd.Series:
    """Shortest round-trip text of floats, integral values without ``.0``."""
    text = numbers.astype("str").fillna("")
    return text.str.removesuffix(".0")


def _date_text(text: pd.Series) -> pd.Series:
    """Midnight timestamps as bare ISO dates (how a date cell reads back)."""
    return text.str.replace(r"^(\d{4}-\d\d-\d\d) 00:00:00$", r"\1", regex=True)


def plan(base: pd.DataFrame, local: pd.DataFrame, remote: pd.DataFrame, *, key: str,
         excel_columns: Sequence[str], sales_columns: Sequence[str], tabs: Sequence[str],
         policy: str = "owner-wins", remote_columns: Mapping[str, Sequence[str]] | None = None,
         force: bool = False, new_ids: NewIds = random_ids) -> Plan:
    """Compare the last synced state with both sides and decide every change.

    ``base``: ``_tab``, ``key`` and the columns as canonical text (what :class:`Plan.new_base`
    produced last time).  ``local``: one row per workbook customer with ``key``, the columns
    and ``segments`` (the analysis table).  ``remote``: one row per tab row with ``_tab``,
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
    """One plan computation; holds the column lists so the steps stay short."""

    def __init__(self, key: str, excel: list[str], sales: list[str], tabs: list[str],
                 sales_winner: str) -> None:
        self.key = key
        self.excel = excel
        self.sales = sales
        self.columns = excel + sales
        self.tabs = tabs
        self.sales_winner = sales_winner

    # -- inputs ------------------------------------------------------------------------------

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
        frame = pd.DataFrame({_K: keys.to_numpy(), "_kt": local[self.key].to_numpy()})
        for c in self.columns:
            typed = local[c] if c in local.columns else pd.Series("", index=local.index)
            frame["l:" + c] = canonical(typed).to_numpy()
            frame["lt:" + c] = typed.astype(object).to_numpy()
        if SEGMENTS in local.columns:
            members = pd.DataFrame({_K: keys.to_numpy(), TAB: local[SEGMENTS].to_numpy()})
            members = members.explode(TAB)
            members = members[members[TAB].isin(self.tabs)].drop_duplicates()
        else:
            members = pd.DataFrame({_K: pd.Series(dtype="str"), TAB: pd.Series(dtype="str")})
        return frame, members.assign(_inL=True)

    def _base(self, base: pd.DataFrame) -> pd.DataFrame:
        """Base rows of the synced tabs, renamed ``b:<column>``."""
        frame = pd.DataFrame({TAB: base[TAB].astype("str") if TAB in base else [],
                              _K: canonical(base[self.key]) if self.key in base else []})
        for c in self.columns:
            frame["b:" + c] = (base[c].astype("str").fillna("").to_numpy() if c in base
                               else "")
        frame = frame[frame[TAB].isin(self.tabs)].drop_duplicates([TAB, _K])
        return frame.assign(_inB=True)

    def _remote(self, remote: pd.DataFrame, present: Mapping[str, Sequence[str]],
                new_ids: NewIds) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Keyed remote rows (``r:``/``rt:``), rows typed without id, and duplicate rows."""
        remote = remote[remote[TAB].isin(self.tabs)] if TAB in remote else remote.iloc[0:0]
        frame = pd.DataFrame({TAB: remote[TAB].astype("str").to_numpy(),
                              ROW: remote[ROW].to_numpy() if ROW in remote else 0})
        keys = (canonical(remote[self.key]) if self.key in remote
                else pd.Series("", index=remote.index))
        frame[_K] = keys.to_numpy()
        frame["_kt"] = (remote[self.key].astype(object).to_numpy() if self.key in remote
                        else None)
        filled = pd.Series(False, index=frame.index)
        for c in self.columns:
            if c in remote:
                frame["r:" + c] = canonical(remote[c]).to_numpy()
                frame["rt:" + c] = remote[c].astype(object).to_numpy()
            else:
                frame["r:" + c] = ""
                frame["rt:" + c] = None
            filled |= frame["r:" + c].ne("")
        for c in self.columns:
            lacking = [tab for tab, cols in present.items() if c not in cols]
            frame["_miss:" + c] = frame[TAB].isin(lacking).to_numpy()
        unkeyed = frame[frame[_K].eq("") & filled].copy()
        keyed = frame[frame[_K].ne("")]
        dup = keyed.duplicated([TAB, _K])
        duplicates = keyed[dup]
        keyed = keyed[~dup]
        ids = list(new_ids(len(unkeyed)))
        unkeyed[_K] = ids
        unkeyed["_kt"] = ids
        unkeyed["_new_id"] = True
        keyed = pd.concat([keyed.assign(_new_id=False), unkeyed], ignore_index=True)
        return keyed.assign(_inR=True), unkeyed, duplicates

    # -- the merge -----------------------------------------------------------------------------

    def run(self, base: pd.DataFrame, local: pd.DataFrame, remote: pd.DataFrame,
            present: Mapping[str, Sequence[str]], force: bool, new_ids: NewIds) -> Plan:
        """All steps in order: align, guard, decide cells, decide rows, emit changes."""
        lframe, members = self._local(local)
        b = self._base(base)
        r, unkeyed, duplicates = self._remote(remote, present, new_ids)
        if not force:
            self._guard(members, b, r)
        u = members.merge(b, on=[TAB, _K], how="outer").merge(r, on=[TAB, _K], how="outer",
                                                               suffixes=("", "_r"))
        for flag in ("_inL", "_inB", "_inR", "_new_id"):
            u[flag] = u[flag].fillna(False).astype(bool)
        for c in self.columns:
            u["_miss:" + c] = u["_miss:" + c].fillna(False).astype(bool)
            u["b:" + c] = u["b:" + c].fillna("")
        u["_rank"] = pd.Categorical(u[TAB], categories=self.tabs).codes
        u = u.sort_values(["_rank", ROW, _K], na_position="last", kind="stable",
                          ignore_index=True)
        customers, new_keys = self._customers(lframe, u, b)
        u = u.merge(customers[[_K, "_known"]], on=_K, how="left")
        u["_known"] = u["_known"].fillna(False).astype(bool)
        conflicts = [self._excel_conflicts(u, customers)]
        final, sales_conflicts = self._final_sales(u, customers)
        conflicts += sales_conflicts
        keep = self._membership(u, customers, final)
        conflicts.append(self._orphan_conflicts(u, keep))
        return self._emit(u, keep, customers, final, new_keys, conflicts, unkeyed, duplicates)

    def _guard(self, members: pd.DataFrame, b: pd.DataFrame, r: pd.DataFrame) -> None:
        """Refuse to propagate a tab emptied on one side (vdirsyncer's empty-side guard)."""
        had = b[TAB].value_counts()
        for side, counts in (("the workbook", members[TAB].value_counts()),
                             ("Google Sheets", r.loc[~r["_new_id"], TAB].value_counts())):
            emptied = [t for t in self.tabs if had.get(t, 0) > 0 and counts.get(t, 0) == 0]
            if emptied:
                raise SideEmptiedError(
                    f"tab {emptied[0]!r} is empty in {side} but held {had[emptied[0]]} rows "
                    f"at the last sync; nothing was changed",
                    hint="If this is intended, run the sync again with --force.")

    def _customers(self, lframe: pd.DataFrame, u: pd.DataFrame,
                   b: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
        """One row per customer: local values (or, for a new one, its first remote row)."""
        known = lframe.assign(_known=True, _new=False)
        remote_rows = u[u["_inR"] & ~u[_K].isin(known[_K]) & ~u[_K].isin(b[_K])]
        first = remote_rows.drop_duplicates(_K)
        new = pd.DataFrame({_K: first[_K].to_numpy(), "_kt": first["_kt"].to_numpy(),
                            "_known": True, "_new": True})
        for c in self.columns:
            new["l:" + c] = first["r:" + c].to_numpy()
            new["lt:" + c] = first["rt:" + c].to_numpy()
        customers = pd.concat([known, new], ignore_index=True)
        lbase = b.drop_duplicates(_K).set_index(_K)
        for c in self.sales:
            customers["lb:" + c] = _text(customers[_K].map(lbase["b:" + c])).to_numpy()
        customers.index = pd.Index(customers[_K].to_numpy())
        return customers, pd.Index(new[_K])

    def _excel_conflicts(self, u: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
        """Excel-owned cells sales edited in a tab: the workbook value stays, Sheets' is kept."""
        parts = []
        rows = u[u["_inR"] & u["_known"]]
        for c in self.excel:
            lv = rows[_K].map(customers["l:" + c])
            hit = (rows["r:" + c].ne(rows["b:" + c]) & rows["r:" + c].ne(lv)
                   & ~rows["_miss:" + c])
            parts.append(_conflict_rows(rows[hit], c, lv[hit], rows.loc[hit, "r:" + c],
                                        rows.loc[hit, "b:" + c],
                                        "excel (column owned by the workbook)"))
        return _concat(parts, _CONFLICT_COLUMNS)

    def _final_sales(self, u: pd.DataFrame,
                     customers: pd.DataFrame) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
        """Per customer and sales column: the value every side ends with, and its conflicts."""
        final = pd.DataFrame(index=customers.index)
        conflicts = []
        rows = u[u["_inR"]]
        for c in self.sales:
            changed = rows[rows["r:" + c].ne(rows["b:" + c]) & ~rows["_miss:" + c]]
            chosen = changed.drop_duplicates(_K).set_index(_K)
            losers = changed[changed["r:" + c].ne(changed[_K].map(chosen["r:" + c]))]
            conflicts.append(_conflict_rows(
                losers, c, losers[_K].map(customers["l:" + c]), losers["r:" + c],
                losers["b:" + c],
                "sheets (tab " + losers[_K].map(chosen[TAB]).astype("str") + " kept)"))
            lv, lt = customers["l:" + c], customers["lt:" + c]
            rv = chosen["r:" + c].reindex(customers.index)
            rt = chosen["rt:" + c].reindex(customers.index)
            has_r = rv.notna() & ~customers["_new"]
            l_changed = lv.ne(customers["lb:" + c])
            both = has_r & l_changed & lv.ne(rv)
            take_r = has_r & ~(both & (self.sales_winner == "excel"))
            final["f:" + c] = lv.mask(take_r, rv)
            final["ft:" + c] = lt.mask(take_r, rt)
            winner = "sheets" if self.sales_winner == "sheets" else "excel"
            sel = both.to_numpy()
            hits = chosen.reindex(customers.index[sel])
            conflicts.append(pd.DataFrame({
                "tab": hits[TAB].to_numpy(), "key": customers.index[sel].to_numpy(),
                "column": c, "excel": lv[sel].to_numpy(), "sheets": rv[sel].to_numpy(),
                "base": customers["lb:" + c][sel].to_numpy(), "resolution": winner}))
        for c in self.excel:
            final["f:" + c] = customers["l:" + c]
            final["ft:" + c] = customers["lt:" + c]
        return final, conflicts

    def _membership(self, u: pd.DataFrame, customers: pd.DataFrame,
                    final: pd.DataFrame) -> pd.Series:
        """Which (tab, key) rows the tab holds after this run."""
        known = u["_known"]
        leaving = u["_inR"] & known & ~u["_inL"]
        unsaved = pd.Series(False, index=u.index)
        for c in self.sales:
            target = u[_K].map(final["f:" + c])
            unsaved |= (u["r:" + c].ne(target) | target.ne(u[_K].map(customers["l:" + c]))) \
                & ~u["_miss:" + c]
        is_new = u[_K].map(customers["_new"]).fillna(False).astype(bool)
        return u["_inL"] | (leaving & (unsaved | is_new))

    def _orphan_conflicts(self, u: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
        """Edits in rows of customers deleted from the workbook, recorded before removal."""
        rows = u[u["_inR"] & ~u["_known"] & ~keep]
        parts = []
        for c in self.columns:
            hit = rows["r:" + c].ne(rows["b:" + c]) & ~rows["_miss:" + c]
            parts.append(_conflict_rows(rows[hit], c, pd.Series("", index=rows.index[hit]),
                                        rows.loc[hit, "r:" + c], rows.loc[hit, "b:" + c],
                                        "removed (customer no longer in the workbook)"))
        return _concat(parts, _CONFLICT_COLUMNS)

    # -- output ---------------------------------------------------------------------------------

    def _emit(self, u: pd.DataFrame, keep: pd.Series, customers: pd.DataFrame,
              final: pd.DataFrame, new_keys: pd.Index, conflicts: list[pd.DataFrame],
              unkeyed: pd.DataFrame, duplicates: pd.DataFrame) -> Plan:
        """Turn the decisions into change lists for both sides and the new base."""
        kept = u[keep]
        targets = final.reindex(kept[_K])
        adds_rows = kept[~kept["_inR"]]
        adds = pd.DataFrame({TAB: adds_rows[TAB].to_numpy(),
                             self.key: adds_rows[_K].map(customers["_kt"]).to_numpy()})
        for c in self.columns:
            adds[c] = final["ft:" + c].reindex(adds_rows[_K]).to_numpy()
        updates = [_update_rows(unkeyed, self.key, unkeyed["_kt"])]
        present = kept[kept["_inR"]]
        for c in self.columns:
            target = present[_K].map(final["f:" + c])
            diff = present["r:" + c].ne(target) & ~(present["_miss:" + c] & target.eq(""))
            rows = present[diff]
            updates.append(_update_rows(rows, c, rows[_K].map(final["ft:" + c])))
        clears = u[u["_inR"] & ~keep]
        locals_ = []
        known = customers[customers["_known"] & ~customers["_new"]]
        for c in self.sales:
            diff = final.loc[known.index, "f:" + c].ne(known["l:" + c])
            locals_.append(pd.DataFrame({
                "key": known.loc[diff, "_kt"].to_numpy(), "column": c,
                "value": final.loc[known.index[diff], "ft:" + c].to_numpy()}))
        new = customers.loc[new_keys]
        first_rows = u[u["_inR"]].drop_duplicates(_K).set_index(_K)
        new_customers = pd.DataFrame({TAB: first_rows[TAB].reindex(new_keys).to_numpy(),
                                      ROW: first_rows[ROW].reindex(new_keys).to_numpy(),
                                      self.key: new["_kt"].to_numpy()})
        for c in self.columns:
            new_customers[c] = new["lt:" + c].to_numpy()
        new_base = pd.DataFrame({TAB: kept[TAB].to_numpy(), self.key: kept[_K].to_numpy()})
        for c in self.columns:
            new_base[c] = targets["f:" + c].to_numpy()
        notices = self._notices(u, keep, duplicates, unkeyed)
        return Plan(
            remote_adds=adds,
            remote_updates=_concat(updates, ["tab", "row", "column", "value"]),
            remote_clears=pd.DataFrame({"tab": clears[TAB].to_numpy(),
                                        "row": clears[ROW].astype("int64").to_numpy()}),
            local_updates=_concat(locals_, ["key", "column", "value"]),
            new_customers=new_customers,
            conflicts=_concat(conflicts, _CONFLICT_COLUMNS),
            notices=notices,
            new_base=new_base,
        )

    def _notices(self, u: pd.DataFrame, keep: pd.Series, duplicates: pd.DataFrame,
                 unkeyed: pd.DataFrame) -> pd.DataFrame:
        """Events worth telling the user about, beyond cell changes."""
        restored = u[u["_inL"] & u["_inB"] & ~u["_inR"]]
        deferred = u[keep & u["_inR"] & ~u["_inL"] & u["_known"] & u["_inB"]]
        parts = [
            _notice(restored, "restored",
                    "row deleted in Sheets while the customer is still in the segment; "
                    "put back"),
            _notice(deferred, "removal deferred",
                    "customer left the segment; row kept until its sales edits are saved"),
            _notice(duplicates, "duplicate id",
                    "another row of this tab has the same id; this row was left untouched"),
            _notice(unkeyed, "new customer", "row typed without an id; id generated"),
        ]
        return _concat(parts, ["tab", "row", "key", "kind", "detail"])


_CONFLICT_COLUMNS = ["tab", "key", "column", "excel", "sheets", "base", "resolution"]


def _conflict_rows(rows: pd.DataFrame, column: str, excel: pd.Series, sheets: pd.Series,
                   base: pd.Series, resolution: str | pd.Series) -> pd.DataFrame:
    """Conflict records for the given rows of the aligned table."""
    return pd.DataFrame({
        "tab": rows[TAB].to_numpy(), "key": rows[_K].to_numpy(), "column": column,
        "excel": excel.to_numpy(), "sheets": sheets.to_numpy(), "base": base.to_numpy(),
        "resolution": (resolution.to_numpy() if isinstance(resolution, pd.Series)
                       else resolution)})


def _update_rows(rows: pd.DataFrame, column: str, values: pd.Series) -> pd.DataFrame:
    """Cell writes for the given remote rows."""
    return pd.DataFrame({"tab": rows[TAB].to_numpy(), "row": rows[ROW].astype("int64").to_numpy(),
                         "column": column, "value": values.astype(object).to_numpy()})


def _notice(rows: pd.DataFrame, kind: str, detail: str) -> pd.DataFrame:
    """Notice records for the given rows."""
    row = rows[ROW].to_numpy() if ROW in rows else None
    return pd.DataFrame({"tab": rows[TAB].to_numpy(), "row": row, "key": rows[_K].to_numpy(),
                         "kind": kind, "detail": detail})


def _concat(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Concatenate record frames, keeping the columns when every part is empty."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(parts, ignore_index=True)[columns]
