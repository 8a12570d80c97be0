"""One sync run: read both sides, plan, write Sheets, write the workbook, commit the state.

A run first asks whether anything changed: the workbook file's hash, the configuration and the
analysis date against the stamp the last good run left, and the spreadsheet's Drive version
(one small request) against the version seen after that run's own writes.  All equal: the run
ends there, nothing read or written.  Any doubt (a failed version request, an unknown version,
``force``) means the full run below, never a skip.

The order is what makes a run crash-safe.  The plan's conflicts are journaled before anything
is written; Google is written first, then the workbook (atomically), and the new state is
committed last, in one transaction.  A run stopped anywhere leaves the last good state, and the
next run, comparing both sides with it again, converges: values already written read back as
agreeing, never as conflicts, and rows already appended are recognised by their id.  A write
whose outcome is unknown (a timeout, a lost response) is never repeated blindly: the run reads
the spreadsheet again and plans anew.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from google.auth.exceptions import RefreshError, TransportError
from requests import RequestException

from addin.app.jobs import analyze_workbook
from addin.app.side import FileSide, Side
from addin.core.analysis import Analysis
from addin.core.messages import plural
from addin.core.schema import CUSTOMER_COLUMNS, canonical_columns, fold
from addin.errors import PotentielError, SheetsApiError, SyncError
from addin.workbook.files import temporary_prefix
from addin.workbook.reader import WorkbookData
from sheets_sync.checks import check
from sheets_sync.config import SyncConfig, load_config
from sheets_sync.conflicts import sheet_name as conflicts_sheet
from sheets_sync.conflicts import shown as shown_conflicts
from sheets_sync.google.auth import (
    DRIVE_METADATA_SCOPE,
    credentials_for,
    has_drive_scope,
    refusal,
)
from sheets_sync.google.retry import WriteOutcomeUnknown
from sheets_sync.google.sheets import RemoteTabs, SheetsBook, open_book
from sheets_sync.lock import sync_lock
from sheets_sync.merge import SEGMENTS, TAB, Plan, plan
from sheets_sync.state import RunStats, Steady, SyncState
from sheets_sync.tabs import look_for

log = logging.getLogger(__name__)

COUNTS = ("added", "updated", "removed", "pulled", "conflicts")
#: The Conflicts sheet's role: it finds the sheet whatever its name in the book's language.
CONFLICTS_SHEET = "Conflicts"
#: How many times a run re-reads and re-plans after a write whose outcome is unknown.
REPLANS = 3
AGREE = "both sides agree; nothing to do"
_INPUT_COLUMNS = frozenset(c.name for c in CUSTOMER_COLUMNS)
SCOPE_NOTE = (
    "Google refused the quick check for changes (Drive files.get), so every run reads the "
    "whole spreadsheet. To make unchanged runs one small request, grant the scope "
    f"{DRIVE_METADATA_SCOPE}: with a service account, enable the Google Drive API in its "
    "Cloud project; with credentials = \"oauth\", run `potentiel sync login --config "
    "sync.toml` and leave the Google Drive box ticked on Google's consent page; with gcloud, "
    "run `gcloud auth application-default login --scopes=https://www.googleapis.com/auth/"
    f"spreadsheets,{DRIVE_METADATA_SCOPE}`.")


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
        names = ", ".join(unknown)
        what = f"segment {names} is" if len(unknown) == 1 else f"segments {names} are"
        raise SyncError(f"{what} not in the workbook's Segments sheet (segments there: {known})",
                        hint="Fix the names in the sync configuration or the Segments sheet.")
    return list(config.segments)


def input_columns(data: WorkbookData) -> dict[str, str]:
    """The Customers sheet's columns, by the name a configuration gives them (a recognised
    column's canonical name, or the user's own header) -> the header in the sheet."""
    headers = [str(h) for h in data.customers.columns]
    recognised = canonical_columns("customers", headers)
    return {recognised.get(h, h): h for h in headers}


def _find_input(name: str, inputs: Mapping[str, str]) -> str | None:
    """The header of the Customers column a configured name means (case, accents and spaces
    aside), if there is one."""
    if name in inputs:
        return inputs[name]
    folded = {fold(n): h for n, h in inputs.items()}
    return folded.get(fold(name))


def local_table(analysis: Analysis, config: SyncConfig, tabs: Sequence[str],
                data: WorkbookData | None = None) -> pd.DataFrame:
    """The workbook side for the merge: key, synced columns and each row's segments (a list).

    A column the analysis table carries comes from it; any other column of the Customers
    sheet (``budget``, ``channel``, the user's own) comes from the sheet, by customer id.
    """
    columns = list(dict.fromkeys([*config.excel_columns, *config.sales_columns]))
    table = analysis.table
    inputs = input_columns(data) if data is not None else {}
    from_sheet = {c: _find_input(c, inputs) for c in columns if c not in table.columns}
    missing = [c for c, header in from_sheet.items() if header is None]
    if missing:
        available = sorted(set(inputs) | {c for c in table.columns if c != SEGMENTS})
        names = ", ".join(missing)
        what = (f"column {names} is neither in the Customers sheet nor an analysis column"
                if len(missing) == 1 else
                f"columns {names} are neither in the Customers sheet nor analysis columns")
        raise SyncError(f"{what} (available: {', '.join(available)})",
                        hint="Fix 'columns' / 'sales_columns' in the configuration.")
    local = table[[c for c in columns if c in table.columns]].copy()
    if from_sheet and data is not None:
        customers = data.customers
        id_header = inputs.get("customer_id")
        if id_header is None:
            raise SyncError("the Customers sheet has no customer id column",
                            hint="Add a customer_id column to the Customers sheet.")
        ids = customers[id_header].astype("str")
        first = ~ids.duplicated().to_numpy()
        rows = pd.Index(ids[first]).get_indexer(table[config.key].astype("str"))
        for column, header in from_sheet.items():
            values = customers[header].to_numpy(dtype=object)[first]
            local[column] = pd.Series(np.where(rows >= 0, values[rows], None), dtype=object,
                                      index=local.index)
    local = local[columns]
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


def owned_columns(config: SyncConfig,
                  data: WorkbookData) -> tuple[list[str], list[str], list[str]]:
    """The columns the merge treats as the workbook's, those it pulls from Sheets, and the
    computed ones (published columns that are not in the Customers sheet).

    Sales columns are always pulled.  With ``sheets-wins``, the published input columns (those
    of the Customers sheet: a corrected email, phone, company) are pulled too; computed columns
    never are, the workbook recomputes them.
    """
    excel, sales = list(config.excel_columns), list(config.sales_columns)
    inputs = input_columns(data)
    given = [c for c in excel if c != config.key and _find_input(c, inputs) is not None]
    computed = [c for c in excel if c != config.key and c not in given]
    if config.conflict != "sheets-wins":
        return excel, sales, computed
    return [c for c in excel if c not in given], given + sales, computed


class _Run:
    """The state of one run while it goes: both sides, the plan, the requests."""

    def __init__(self, config: SyncConfig, state: SyncState, local: Side,
                 book: SheetsBook) -> None:
        self.config, self.state, self.side, self.book = config, state, local, book
        self.data = data = local.read()
        self.analysis = analyze_workbook(data)
        self.tabs = synced_tabs(config, self.analysis)
        self.local = local_table(self.analysis, config, self.tabs, data)
        self.header = list(dict.fromkeys([*config.excel_columns, *config.sales_columns]))
        self.excel, self.sales, self.computed = owned_columns(config, data)
        self.look = look_for(config, self.analysis, self.local, self.tabs, self.excel)
        self.reformat = False
        self.writes = 0
        self.doubt = False

    def plan(self, force: bool) -> tuple[Plan, RemoteTabs]:
        """Read the spreadsheet (metadata + one batchGet) and decide every change."""
        c = self.config
        remote = self.book.read(self.tabs, self.look)
        base = self.state.base(c.spreadsheet, c.key, self.header)
        decided = plan(base, self.local, remote.frame, key=c.key,
                       excel_columns=self.excel, sales_columns=self.sales,
                       tabs=self.tabs, policy=c.conflict, remote_columns=remote.present,
                       force=force, computed_columns=self.computed)
        return decided, remote

    def write_remote(self, decided: Plan, remote: RemoteTabs) -> None:
        """Create missing tabs and write the changes, counting the write requests made."""
        remote, made = self.book.setup(remote, self.tabs, self.look)
        self.writes += made
        self.writes += self.book.write(decided, remote, self.look, reformat=self.reformat)

    def write_local(self, decided: Plan) -> bool:
        """Sales edits and new customers into the Customers sheet; the Conflicts sheet.
        Returns whether the workbook was written."""
        sheet, key = self.data.sheet_names["customers"], self.config.key
        written = False
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
            inputs = input_columns(self.data)
            keep = [c for c in new.columns if c == key or c in _INPUT_COLUMNS
                    or _find_input(c, inputs) is not None or c in self.config.sales_columns]
            self.side.apply(sheet, updates.dropna(subset=["row"]),
                            new[keep] if len(new) else None)
            written = True
        if len(decided.conflicts) or self.previous_unfinished():
            journaled = self.state.conflicts()
            if len(journaled):
                language = self.analysis.settings.language
                self.side.keep(conflicts_sheet(language), shown_conflicts(journaled, language),
                               role=CONFLICTS_SHEET)
                written = True
        return written

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
                self.doubt = True  # a write may have landed: the version cannot be accounted
                replans += 1
                if replans > REPLANS:
                    raise


# -- the steady stamp: has anything changed since the last good run? ------------------------


def config_hash(config: SyncConfig) -> str:
    """A hash of what a run's result depends on besides both sides' content: the synced
    tabs, columns, policy and potentiel's version (an upgrade may analyse differently)."""
    try:
        version = metadata.version("potentiel")
    except metadata.PackageNotFoundError:
        version = ""
    fields = [str(config.workbook), config.spreadsheet, config.key, config.segments,
              config.columns, config.sales_columns, config.conflict, version,
              config.status_choices]
    return hashlib.sha256(json.dumps(fields, default=list).encode()).hexdigest()


@dataclass(frozen=True)
class FileStamp:
    """A workbook file as it is on disk: its bytes' hash, size and modification time."""

    digest: str
    size: int
    mtime_ns: int


def file_stamp(path: Path, known: Steady | None = None) -> FileStamp:
    """Hash the workbook, unless its size and modification time are those of ``known``
    (then its hash is taken as known: a shortcut for an untouched file)."""
    before = path.stat()
    if known is not None and (before.st_size, before.st_mtime_ns) == (
            known.workbook_size, known.workbook_mtime_ns):
        return FileStamp(known.workbook_hash, known.workbook_size, known.workbook_mtime_ns)
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return FileStamp(digest.hexdigest(), before.st_size, before.st_mtime_ns)


def analysis_date(pinned: str) -> str:
    """The date an analysis would use now: the Settings' ``as_of``, else today."""
    return pinned or date.today().isoformat()


def unchanged(previous: Steady | None, version: str | None, stamp: FileStamp | None,
              config: SyncConfig) -> bool:
    """Whether both sides, the configuration and the analysis date are those of the last
    good run (every doubt answers no)."""
    return (previous is not None and version is not None and stamp is not None
            and previous.version == version and previous.workbook_hash == stamp.digest
            and previous.config_hash == config_hash(config)
            and previous.as_of == analysis_date(previous.as_of_pinned))


def ask_version(book: SheetsBook, state: SyncState, run_id: int) -> str | None:
    """The spreadsheet's version, or None when Google cannot tell (the run reads in full).
    A refusal for lack of a Drive scope is explained once in the run log."""
    try:
        return book.version()
    except SheetsApiError as err:
        if err.reason == "sign-in":  # no token: the full run could not sign in either
            raise
        log.info("no version of the spreadsheet (%s): full run", err)
        if err.reason in ("scope", "disabled") and not state.noted(SCOPE_NOTE):
            state.note(run_id, SCOPE_NOTE)
        return None


def without_drive(state: SyncState, run_id: int) -> None:
    """No version for a sign-in granted without the Drive scope (granular consent): the run
    reads in full, and the run log says once how to grant the scope."""
    if not state.noted(SCOPE_NOTE):
        state.note(run_id, SCOPE_NOTE)


# -- leftovers -----------------------------------------------------------------------------


def remove_stale_saves(workbook: Path) -> list[Path]:
    """Delete the temporary copies that killed saves of this workbook left beside it.

    Called with the sync lock held, so no run of ours is saving it now; only files named as a
    save of this very workbook names its temporary copy are touched.
    """
    prefix = temporary_prefix(workbook)
    pattern = re.compile(re.escape(prefix) + r"[a-z0-9_]+" + re.escape(workbook.suffix))
    removed = []
    for path in workbook.parent.glob(prefix.replace("[", "[[]") + "*"):
        if pattern.fullmatch(path.name) and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    if removed:
        log.info("removed %s left by an interrupted save",
                 plural(len(removed), "temporary file", "temporary files"))
    return removed


# -- one run ---------------------------------------------------------------------------------


def sync(config: SyncConfig, *, dry_run: bool = False, force: bool = False,
         local: Side | None = None, reformat: bool = False) -> RunReport:
    """One sync run of ``config`` (the lock is taken here: one run at a time per workbook).

    ``local`` is the workbook side: by default the file itself; the Sync now macro passes the
    workbook open in Excel, so sales edits are written through Excel.  ``force`` does the full
    run even when nothing changed, and lets a side emptied since the last sync propagate.
    ``reformat`` dresses every tab again (formats, dropdowns, colours) in a full run.
    """
    check(config)
    side = local or FileSide(config.workbook)
    with sync_lock(config.workbook):
        remove_stale_saves(config.workbook)
        busy = side.in_use()
        if busy:
            return _skipped(config, busy)
        with SyncState(config.state) as state:
            return _locked_run(config, state, side, dry_run, force, reformat)


def _skipped(config: SyncConfig, reason: str) -> RunReport:
    """Log a run that did nothing because the workbook is open; the next run catches up."""
    message = f"{reason}: nothing pulled or written; the next run catches up"
    with SyncState(config.state) as state:
        state.skip(state.start(config.spreadsheet), message)
    return RunReport("skipped", message=message)


def _locked_run(config: SyncConfig, state: SyncState, local: Side, dry_run: bool,
                force: bool, reformat: bool = False) -> RunReport:
    run_id = None if dry_run else state.start(config.spreadsheet)
    book = None
    try:
        credentials = credentials_for(config, interactive=not dry_run)
        book = open_book(config, credentials)
        if run_id is None:
            run = _Run(config, state, local, book)
            decided, remote = run.plan(force)
            return RunReport("dry-run", report_of(decided, remote, run.tabs, config.key),
                             book.requests, _describe(decided, "would change"))
        # The file side is stamped before it is read, the version asked before the tabs are:
        # whatever changes after these moments differs from what the state records.
        previous = state.steady(config.spreadsheet)
        on_disk = isinstance(local, FileSide)  # not the workbook open in Excel (unsaved edits)
        stamp = file_stamp(config.workbook, previous) if on_disk else None
        version = ask_version(book, state, run_id) if has_drive_scope(credentials) \
            else without_drive(state, run_id)
        if not (force or reformat) and unchanged(previous, version, stamp, config):
            state.unchanged(run_id, RunStats(book.requests))
            tabs = config.segments or state.tabs(config.spreadsheet)
            return RunReport("ok", {t: dict.fromkeys(COUNTS, 0) for t in tabs}, book.requests,
                             AGREE)
        run = _Run(config, state, local, book)
        run.reformat = reformat
        decided, remote = run.apply_remote(run_id, force)
        wrote_workbook = run.write_local(decided)
        steady = None if decided.local_changes else _steady(run, config, version, stamp,
                                                             wrote_workbook)
        stats = RunStats(book.requests, decided.remote_changes, decided.local_changes,
                         len(decided.conflicts))
        state.commit(run_id, config.spreadsheet, decided.new_base, key=config.key, stats=stats,
                     steady=steady)
        return RunReport("ok", report_of(decided, remote, run.tabs, config.key),
                         book.requests, _describe(decided, "changed"))
    except (RefreshError, TransportError) as err:  # google-auth, signing a request
        failure: PotentielError = refusal(err, config)
    except RequestException as err:  # what the retry layer does not take (a bad URL...)
        failure = SheetsApiError(f"Google could not be reached ({type(err).__name__})",
                                 hint="Check the internet connection and any proxy, then "
                                      "sync again.")
    except PotentielError as err:
        failure = err
    except BaseException as err:  # a bug or Ctrl-C: the run log still says how it ended
        if run_id is not None:
            state.fail(run_id, f"stopped by {type(err).__name__}: {err}", RunStats())
        raise
    if run_id is not None:  # every failure ends the same way: the run's row says why
        state.fail(run_id, failure.line(), RunStats(book.requests if book else 0))
    raise failure from None


def _steady(run: _Run, config: SyncConfig, version: str | None, stamp: FileStamp | None,
            wrote_workbook: bool) -> Steady | None:
    """The stamp of both sides after a full run that wrote no data into the workbook (a run
    that did changed what the analysis reads: the next run analyses again), or None when one
    side cannot be stamped.

    The workbook is stamped as read, or as written when only the Conflicts sheet was (which the
    analysis does not read).  The version after the run's own writes is recorded only when it
    can be accounted for: one step per write request since the version asked before reading.
    Anything else (an edit made meanwhile, a write whose answer was lost) leaves the version
    unknown, and the next run reads in full.
    """
    if stamp is None:
        return None
    known = ""
    if version is not None and not run.doubt:
        after = version if run.writes == 0 else _quiet_version(run.book)
        if after is not None and int(after) - int(version) == run.writes:
            known = after
    if wrote_workbook:
        stamp = file_stamp(config.workbook)
    pinned = run.analysis.settings.as_of
    return Steady(known, stamp.digest, stamp.size, stamp.mtime_ns, config_hash(config),
                  run.analysis.as_of.date().isoformat(), pinned.isoformat() if pinned else "")


def _quiet_version(book: SheetsBook) -> str | None:
    """The version after a run's writes, None if Google cannot tell now."""
    try:
        return book.version()
    except SheetsApiError:
        return None


def _describe(decided: Plan, verb: str) -> str:
    if decided.is_noop and decided.conflicts.empty:
        return AGREE
    sheets = plural(decided.remote_changes, "cell or row", "cells or rows")
    conflicts = plural(len(decided.conflicts), "conflict", "conflicts")
    return (f"{verb} {sheets} in Sheets and {decided.local_changes} in the workbook; "
            f"{conflicts} kept in the workbook's conflicts sheet")


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
