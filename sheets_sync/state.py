"""The sync state: what both sides held after the last good sync, and a log of every run.

One SQLite file beside the workbook (``.<workbook>.potentiel-sync.sqlite``).  The base rows a
run computes are swapped in by :meth:`SyncState.commit` in one transaction together with the
run's outcome, so a run killed at any point leaves the last good base: the next run simply
sees both sides as they are and converges.  Conflicts are journaled *before* anything is
applied (:meth:`SyncState.journal`), so a value a run overwrites is on disk before it is gone;
a conflict already journaled is not journaled again, so a run killed before it wrote the
Conflicts sheet and its rerun list each conflict once.  The commit also records a
:class:`Steady` stamp of both sides, which lets the next run tell in one small request that
nothing changed.  A schema version table exists from the first release; credentials are never
stored here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from addin.errors import SyncError
from sheets_sync.merge import TAB

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE base_rows (
    spreadsheet TEXT NOT NULL,
    tab TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (spreadsheet, tab, key)
) WITHOUT ROWID;
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    spreadsheet TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    outcome TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    rows_pushed INTEGER NOT NULL DEFAULT 0,
    rows_pulled INTEGER NOT NULL DEFAULT 0,
    conflicts INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE TABLE conflicts (
    run_id INTEGER NOT NULL REFERENCES runs (id),
    tab TEXT, key TEXT, column_name TEXT, excel TEXT, sheets TEXT, base TEXT, resolution TEXT
);
"""

#: From schema 1 to 2: the steady stamp, a note per run, one journal record per conflict.
_UPGRADE_2 = """
CREATE TABLE steady (
    spreadsheet TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    workbook_hash TEXT NOT NULL,
    workbook_size INTEGER NOT NULL,
    workbook_mtime_ns INTEGER NOT NULL,
    config_hash TEXT NOT NULL,
    as_of TEXT NOT NULL,
    as_of_pinned TEXT NOT NULL
);
ALTER TABLE runs ADD COLUMN note TEXT;
CREATE INDEX conflicts_once ON conflicts (key, column_name, excel, sheets);
"""

RUN_COLUMNS = ["id", "spreadsheet", "started", "finished", "outcome", "requests", "rows_pushed",
               "rows_pulled", "conflicts", "error", "note"]
CONFLICT_COLUMNS = ["run_id", "tab", "key", "column", "excel", "sheets", "base", "resolution"]


def state_path(workbook: Path) -> Path:
    """Where the state of a workbook lives: a hidden file beside it."""
    return workbook.with_name(f".{workbook.name}.potentiel-sync.sqlite")


@dataclass(frozen=True)
class RunStats:
    """What a run did, for the run log."""

    requests: int = 0
    rows_pushed: int = 0
    rows_pulled: int = 0
    conflicts: int = 0


@dataclass(frozen=True)
class Steady:
    """Both sides as the last good run left them, to tell cheaply that nothing changed since.

    ``version`` is the spreadsheet's Drive version seen after the run's own writes (``""``
    when it could not be told apart from someone else's edit: the next run reads in full).
    The workbook is known by its bytes' hash (its size and modification time only spare
    hashing an untouched file); ``config_hash`` covers the sync configuration and potentiel's
    version; ``as_of`` is the analysis date used and ``as_of_pinned`` the Settings' date, or
    ``""`` when the analysis follows today (then a new day is a change).
    """

    version: str
    workbook_hash: str
    workbook_size: int
    workbook_mtime_ns: int
    config_hash: str
    as_of: str
    as_of_pinned: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SyncState:
    """The state file of one workbook; use as a context manager (closes the connection)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._prepare()
        except sqlite3.DatabaseError as err:
            raise SyncError(f"the sync state file {self.path} cannot be used: {err}",
                            hint="Move the file away; the next sync rebuilds it by comparing "
                                 "both sides (no data is lost).") from err

    def __enter__(self) -> SyncState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is on disk, or none of it."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _prepare(self) -> None:
        """Create the schema in a new file; refuse a file written by a newer version."""
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if "schema_version" not in tables:
            with self._transaction() as db:
                for statement in (_SCHEMA + _UPGRADE_2).split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            return
        (version,) = self._db.execute("SELECT version FROM schema_version").fetchone()
        if version > SCHEMA_VERSION:
            raise SyncError(f"the sync state file {self.path} was written by a newer potentiel "
                            f"(schema {version}, this one reads {SCHEMA_VERSION})",
                            hint="Upgrade potentiel.")
        if version < 2:
            with self._transaction() as db:
                for statement in _UPGRADE_2.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("UPDATE schema_version SET version = 2")

    # -- base ----------------------------------------------------------------------------------

    def base(self, spreadsheet: str, key: str, columns: Sequence[str]) -> pd.DataFrame:
        """The last synced rows of a spreadsheet: ``_tab``, ``key`` (text) and ``columns``
        (the values last written: text, numbers, booleans; blanks as ``""``).

        A column added to the configuration since reads as blank in every row.
        """
        rows = self._db.execute("SELECT tab, key, data FROM base_rows WHERE spreadsheet = ? "
                                "ORDER BY tab, key", (spreadsheet,)).fetchall()
        cells = pd.DataFrame(json.loads("[" + ",".join(r[2] for r in rows) + "]"),
                             columns=list(columns), dtype=object)
        frame = pd.DataFrame({TAB: pd.Series([r[0] for r in rows], dtype="str"),
                              key: pd.Series([r[1] for r in rows], dtype="str")})
        for c in columns:
            if c != key:
                frame[c] = cells[c].fillna("").to_numpy(dtype=object)
        return frame

    def tabs(self, spreadsheet: str) -> list[str]:
        """The tabs the last synced rows of a spreadsheet are in."""
        rows = self._db.execute("SELECT DISTINCT tab FROM base_rows WHERE spreadsheet = ? "
                                "ORDER BY tab", (spreadsheet,)).fetchall()
        return [r[0] for r in rows]

    # -- runs ----------------------------------------------------------------------------------

    def start(self, spreadsheet: str) -> int:
        """Log a run as started (committed at once) and return its id."""
        with self._transaction() as db:
            cursor = db.execute("INSERT INTO runs (spreadsheet, started, outcome) "
                                "VALUES (?, ?, 'running')", (spreadsheet, _now()))
        return int(cursor.lastrowid or 0)

    def journal(self, run_id: int, conflicts: pd.DataFrame) -> None:
        """Save a plan's conflicts before it is applied, so no overwritten value is lost.

        A conflict already in the journal (same key, column and both values) is not added
        again: a run killed after journaling and its rerun, which plans the same conflict,
        keep one record of it.
        """
        if conflicts.empty:
            return
        records = conflicts[CONFLICT_COLUMNS[1:]].astype("str").fillna("")
        records.insert(0, "run_id", run_id)
        records = records.drop_duplicates(["key", "column", "excel", "sheets"])
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO conflicts SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 "
                "FROM conflicts WHERE key = ?3 AND column_name = ?4 AND excel = ?5 "
                "AND sheets = ?6)", records.itertuples(index=False, name=None))

    def commit(self, run_id: int, spreadsheet: str, new_base: pd.DataFrame, *, key: str,
               stats: RunStats, steady: Steady | None = None) -> None:
        """Swap in the new base and the steady stamp (none: the next run reads both sides in
        full) and mark the run done, in one transaction."""
        columns = [c for c in new_base.columns if c not in (TAB, key)]
        data = (new_base[columns].to_json(orient="records", lines=True, date_format="iso")
                if len(new_base) else "")
        with self._transaction() as db:
            db.execute("DELETE FROM base_rows WHERE spreadsheet = ?", (spreadsheet,))
            db.executemany("INSERT INTO base_rows VALUES (?, ?, ?, ?)",
                           zip([spreadsheet] * len(new_base), new_base[TAB].astype("str"),
                               new_base[key].astype("str"), data.splitlines(), strict=True))
            db.execute("DELETE FROM steady WHERE spreadsheet = ?", (spreadsheet,))
            if steady is not None:
                db.execute("INSERT INTO steady VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (spreadsheet, *astuple(steady)))
            self._finish(db, run_id, "ok", stats, None)

    def steady(self, spreadsheet: str) -> Steady | None:
        """The stamp the last good run of ``spreadsheet`` left, if any."""
        row = self._db.execute("SELECT version, workbook_hash, workbook_size, workbook_mtime_ns, "
                               "config_hash, as_of, as_of_pinned FROM steady "
                               "WHERE spreadsheet = ?", (spreadsheet,)).fetchone()
        return Steady(*row) if row is not None else None

    def unchanged(self, run_id: int, stats: RunStats) -> None:
        """Mark a run done that found nothing changed on either side (the base stays)."""
        with self._transaction() as db:
            self._finish(db, run_id, "ok", stats, None)

    def note(self, run_id: int, text: str) -> None:
        """Add a remark to a run's log line (e.g. how to make the next runs cheaper)."""
        with self._transaction() as db:
            db.execute("UPDATE runs SET note = ? WHERE id = ?", (text, run_id))

    def noted(self, text: str) -> bool:
        """Whether the latest note of the run log says ``text`` (so it is said once)."""
        row = self._db.execute("SELECT note FROM runs WHERE note IS NOT NULL "
                               "ORDER BY id DESC LIMIT 1").fetchone()
        return row is not None and row[0] == text

    def fail(self, run_id: int, error: str, stats: RunStats) -> None:
        """Mark a run failed; the base is left as it was."""
        with self._transaction() as db:
            self._finish(db, run_id, "failed", stats, error)

    def skip(self, run_id: int, reason: str) -> None:
        """Mark a run skipped (the workbook was open): nothing was read or written."""
        with self._transaction() as db:
            self._finish(db, run_id, "skipped", RunStats(), reason)

    @staticmethod
    def _finish(db: sqlite3.Connection, run_id: int, outcome: str, stats: RunStats,
                error: str | None) -> None:
        db.execute("UPDATE runs SET finished = ?, outcome = ?, requests = ?, rows_pushed = ?, "
                   "rows_pulled = ?, conflicts = ?, error = ? WHERE id = ?",
                   (_now(), outcome, stats.requests, stats.rows_pushed, stats.rows_pulled,
                    stats.conflicts, error, run_id))

    def runs(self, limit: int = 20) -> pd.DataFrame:
        """The latest runs, newest first (a run still 'running' was interrupted or is live)."""
        rows = self._db.execute(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs "
                                "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return pd.DataFrame(rows, columns=RUN_COLUMNS)

    def conflicts(self, run_id: int | None = None) -> pd.DataFrame:
        """Journaled conflicts, of one run or of all runs."""
        query = "SELECT * FROM conflicts" + (" WHERE run_id = ?" if run_id is not None else "")
        rows = self._db.execute(query, () if run_id is None else (run_id,)).fetchall()
        return pd.DataFrame(rows, columns=CONFLICT_COLUMNS)
