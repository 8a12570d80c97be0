"""One sync run: read both sides, plan, write Sheets, write the workbook, commit the state.

The order is what makes a run crash-safe.  The plan's conflicts are journaled before anything
is written; Google is written first, then the workbook (atomically), and the new state is
committed last, in one transaction.  A run stopped anywhere leaves the last good state, and the
next run, comparing both sides with it again, converges: values already written read back as
agreeing, never as conflicts, and rows already appended are recognised by their id.  A write
whose outcome is unknown (a timeout, a lost response) is never repeated blindly: the run reads
the spreadsheet again and plans anew.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.app.jobs import analyze_workbook
from addin.app.side import FileSide, Side
from addin.core.analysis import Analysis
from addin.core.schema import CUSTOMER_COLUMNS, canonical_columns
from addin.errors import PotentielError, SyncError
from sheets_sync.config import SyncConfig, load_config
from sheets_sync.google.auth import credentials_for
from sheets_sync.google.retry import WriteOutcomeUnknown
from sheets_sync.google.sheets import RemoteTabs, SheetsBook, open_book
from sheets_sync.lock import sync_lock
from sheets_sync.merge import SEGMENTS, TAB, Plan, plan
from sheets_sync.state import RunStats, SyncState

COUNTS = ("added", "updated", "removed", "pulled", "conflicts")
CONFLICTS_SHEET = "Conflicts"
#: How many times a run re-reads and re-plans after a write whose outcome is unknown.
REPLANS = 3
_INPUT_COLUMNS = frozenset(c.name for c in CUSTOMER_COLUMNS)


@dataclass
class RunReport:
    """What a run did, per tab, in numbers and in plain words."""

    outcome: str
    tabs: dict[str, dict[str, int]] = field(default_factory=dict)
    requests: int = 0
    message: str = ""


def synced_tabs(config: SyncConfig, analysis: Analysis) -> list[str]:
    """The tabs of this run: the configured segments, or every user segment for "all"."""
    if config.segments is None:
        return list(analysis.segments)
    unknown = [s for s in config.segments if s not in analysis.segments]
    if unknown:
        known = ", ".join(analysis.segments) or "none"
        raise SyncError(f"segment(s) {', '.join(unknown)} are not in the workbook's Segments "
                        f"sheet (segments there: {known})",
                        hint="Fix the names in the sync configuration or the Segments sheet.")
    return list(config.segments)


def local_table(analysis: Analysis, config: SyncConfig, tabs: Sequence[str]) -> pd.DataFrame:
    """The workbook side for the merge: key, synced columns and each row's segments (a list)."""
    columns = list(dict.fromkeys([*config.excel_columns, *config.sales_columns]))
    table = analysis.table
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SyncError(f"column(s) {', '.join(missing)} are neither input nor analysis "
                        "columns", hint="Fix 'columns' / 'sales_columns' in the configuration.")
    local = table[columns].copy()
    members = pd.concat([pd.DataFrame({config.key: analysis.segments[t][config.key], TAB: t})
                         for t in tabs] or [pd.DataFrame({config.key: [], TAB: []})])
    # Each customer's tabs as one array, by a sort and a split (no Python call per customer).
    codes = pd.Index(table[config.key]).get_indexer(members[config.key])
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(table))
    pieces = np.split(members[TAB].to_numpy(object)[order], np.cumsum(counts)[:-1])
    local[SEGMENTS] = pd.Series(pieces, index=local.index, dtype=object)
    return local


def report_of(result: Plan, remote: RemoteTabs, tabs: Sequence[str], key: str,
              ) -> dict[str, dict[str, int]]:
    """Per-tab counts of a plan: rows added, rows updated, removed, pulled, conflicts."""
    pulled = pd.Series(dtype=str)
    if key in remote.frame and len(result.local_updates):
        tab_of = remote.frame.drop_duplicates(key).set_index(remote.frame.drop_duplicates(key)[
            key].astype(str))[TAB]
        pulled = result.local_updates.drop_duplicates("key")["key"].astype(str).map(tab_of)
    counts = {
        "added": result.remote_adds[TAB].value_counts(),
        "updated": result.remote_updates.drop_duplicates(["tab", "row"])["tab"].value_counts(),
        "removed": result.remote_clears["tab"].value_counts(),
        "pulled": pulled.value_counts(),
        "conflicts": result.conflicts["tab"].value_counts(),
    }
    return {t: {name: int(c.get(t, 0)) for name, c in counts.items()} for t in tabs}


class _Run:
    """The state of one run while it goes: both sides, the plan, the requests."""

    def __init__(self, config: SyncConfig, state: SyncState, local: Side,
                 book: SheetsBook) -> None:
        self.config, self.state, self.side, self.book = config, state, local, book
        self.data = data = local.read()
        self.analysis = analyze_workbook(data)
        self.tabs = synced_tabs(config, self.analysis)
        self.local = local_table(self.analysis, config, self.tabs)
        self.header = list(dict.fromkeys([*config.excel_columns, *config.sales_columns]))

    def plan(self, force: bool) -> tuple[Plan, RemoteTabs]:
        """Read the spreadsheet (metadata + one batchGet) and decide every change."""
        c = self.config
        remote = self.book.read(self.tabs, self.header)
        base = self.state.base(c.spreadsheet, c.key, self.header)
        decided = plan(base, self.local, remote.frame, key=c.key,
                       excel_columns=c.excel_columns, sales_columns=c.sales_columns,
                       tabs=self.tabs, policy=c.conflict, remote_columns=remote.present,
                       force=force)
        return decided, remote

    def write_remote(self, decided: Plan, remote: RemoteTabs) -> None:
        remote = self.book.setup(remote, self.tabs, self.header, self.config.excel_columns)
        self.book.write(decided, remote, self.header)

    def write_local(self, decided: Plan) -> None:
        """Sales edits and new customers into the Customers sheet; the Conflicts sheet."""
        sheet, key = self.data.sheet_names["customers"], self.config.key
        if decided.local_changes:
            customers = self.data.customers
            id_header = next(h for h, c in canonical_columns("customers",
                                                             customers.columns).items()
                             if c == "customer_id")
            row_of = pd.Series(customers.index, index=customers[id_header].astype(str))
            updates = decided.local_updates
            updates = pd.DataFrame({"row": updates["key"].astype(str).map(row_of).to_numpy(),
                                    "column": updates["column"].to_numpy(),
                                    "value": updates["value"].to_numpy()})
            new = decided.new_customers
            keep = [c for c in new.columns if c == key or c in _INPUT_COLUMNS]
            self.side.apply(sheet, updates.dropna(subset=["row"]),
                            new[keep] if len(new) else None)
        if len(decided.conflicts) or self.previous_unfinished():
            journaled = self.state.conflicts()
            if len(journaled):
                self.side.keep(CONFLICTS_SHEET, journaled)

    def previous_unfinished(self) -> bool:
        """Whether the run before this one did not finish.  Killed after writing its cells but
        before its Conflicts sheet, it left conflicts in the journal only, and this run no
        longer sees them (both sides agree now): the sheet is written again from the journal."""
        runs = self.state.runs(2)
        return len(runs) == 2 and runs["outcome"].iloc[1] != "ok"

    def apply_remote(self, run_id: int, force: bool) -> tuple[Plan, RemoteTabs]:
        """Journal the conflicts, then write Sheets; on an unknown outcome read and plan again
        (what was applied then reads back as agreeing, so nothing is applied twice)."""
        replans = 0
        while True:
            decided, remote = self.plan(force)
            self.state.journal(run_id, decided.conflicts)
            try:
                self.write_remote(decided, remote)
                return decided, remote
            except WriteOutcomeUnknown:
                replans += 1
                if replans > REPLANS:
                    raise


def sync(config: SyncConfig, *, dry_run: bool = False, force: bool = False,
         local: Side | None = None) -> RunReport:
    """One sync run of ``config`` (the lock is taken here: one run at a time per workbook).

    ``local`` is the workbook side: by default the file itself; the Sync now macro passes the
    workbook open in Excel, so sales edits are written through Excel.
    """
    side = local or FileSide(config.workbook)
    with sync_lock(config.workbook):
        busy = side.in_use()
        if busy:
            return _skipped(config, busy)
        with SyncState(config.state) as state:
            return _locked_run(config, state, side, dry_run, force)


def _skipped(config: SyncConfig, reason: str) -> RunReport:
    """Log a run that did nothing because the workbook is open; the next run catches up."""
    message = f"{reason}: nothing pulled or written; the next run catches up"
    with SyncState(config.state) as state:
        state.fail(state.start(config.spreadsheet), message, RunStats())
    return RunReport("skipped", message=message)


def _locked_run(config: SyncConfig, state: SyncState, local: Side, dry_run: bool,
                force: bool) -> RunReport:
    run_id = None if dry_run else state.start(config.spreadsheet)
    book = None
    try:
        book = open_book(config, credentials_for(config, interactive=not dry_run))
        run = _Run(config, state, local, book)
        if run_id is None:
            decided, remote = run.plan(force)
            return RunReport("dry-run", report_of(decided, remote, run.tabs, config.key),
                             book.requests, _describe(decided, "would change"))
        decided, remote = run.apply_remote(run_id, force)
        run.write_local(decided)
        stats = RunStats(book.requests, decided.remote_changes, decided.local_changes,
                         len(decided.conflicts))
        state.commit(run_id, config.spreadsheet, decided.new_base, key=config.key, stats=stats)
        return RunReport("ok", report_of(decided, remote, run.tabs, config.key),
                         book.requests, _describe(decided, "changed"))
    except PotentielError as err:
        if run_id is not None:
            state.fail(run_id, str(err), RunStats(book.requests if book else 0))
        raise


def _describe(decided: Plan, verb: str) -> str:
    if decided.is_noop and decided.conflicts.empty:
        return "both sides agree; nothing to do"
    return (f"{verb} {decided.remote_changes} cell/row(s) in Sheets and "
            f"{decided.local_changes} in the workbook; {len(decided.conflicts)} conflict(s) "
            f"kept in the {CONFLICTS_SHEET} sheet")


#: Where the Sync now macro looks for the configuration, beside the workbook.
CONFIG_NAMES = ("{stem}.sync.toml", "sync.toml")


def sync_now(side: Side) -> str:
    """The Sync now macro: find the configuration beside the workbook and run once."""
    workbook = side.path
    candidates = [workbook.with_name(n.format(stem=workbook.stem)) for n in CONFIG_NAMES]
    found = next((p for p in candidates if p.exists()), None)
    if found is None:
        raise SyncError(f"no sync configuration beside {workbook.name} (looked for "
                        f"{', '.join(p.name for p in candidates)})",
                        hint="Create one with: potentiel sync init " + str(candidates[1]))
    report = sync(load_config(found), local=side)
    return f"Sync {report.outcome}: {report.message}"
