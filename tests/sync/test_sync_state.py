"""The state store: base round trip, atomic swap, journal, run log, schema version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from addin.errors import SyncError
from sheets_sync.merge import TAB
from sheets_sync.state import _SCHEMA, SCHEMA_VERSION, RunStats, Steady, SyncState, state_path

KEY = "customer_id"
COLUMNS = [KEY, "name", "notes"]


def base_frame(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[TAB, KEY, "name", "notes"])


def test_state_lives_hidden_beside_the_workbook(tmp_path: Path) -> None:
    assert state_path(tmp_path / "customers.xlsx") == \
        tmp_path / ".customers.xlsx.potentiel-sync.sqlite"


def test_new_state_has_an_empty_base_and_a_version(tmp_path: Path) -> None:
    with SyncState(tmp_path / "s.sqlite") as state:
        assert state.base("sheet1", KEY, COLUMNS).columns.tolist() == [TAB, *COLUMNS]
        assert state.base("sheet1", KEY, COLUMNS).empty
    db = sqlite3.connect(tmp_path / "s.sqlite")
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_commit_swaps_the_base_and_logs_the_run(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with SyncState(path) as state:
        run = state.start("sheet1")
        state.commit(run, "sheet1", base_frame(("Hot", "1", "Ann", "=cmd|' /C calc'!A0"),
                                               ("Hot", "2", "Bob", "")),
                     key=KEY, stats=RunStats(requests=3, rows_pushed=2))
    with SyncState(path) as state:
        base = state.base("sheet1", KEY, [*COLUMNS, "status"])
        assert base.values.tolist() == [["Hot", "1", "Ann", "=cmd|' /C calc'!A0", ""],
                                        ["Hot", "2", "Bob", "", ""]]
        assert state.base("other", KEY, COLUMNS).empty
        log = state.runs()
        assert log.loc[0, ["outcome", "requests", "rows_pushed"]].tolist() == ["ok", 3, 2]
        run = state.start("sheet1")
        state.commit(run, "sheet1", base_frame(("Lost", "2", "Bob", "x")), key=KEY,
                     stats=RunStats())
        assert state.base("sheet1", KEY, COLUMNS).values.tolist() == [["Lost", "2", "Bob", "x"]]


def test_a_commit_that_fails_leaves_the_last_good_base(tmp_path: Path) -> None:
    with SyncState(tmp_path / "s.sqlite") as state:
        state.commit(state.start("s"), "s", base_frame(("Hot", "1", "Ann", "")), key=KEY,
                     stats=RunStats())
        run = state.start("s")
        broken = base_frame(("Hot", "1", "Ann", "a"), ("Hot", "1", "Ann", "b"))
        with pytest.raises(sqlite3.IntegrityError):
            state.commit(run, "s", broken, key=KEY, stats=RunStats())
        assert state.base("s", KEY, COLUMNS).values.tolist() == [["Hot", "1", "Ann", ""]]
        assert state.runs().loc[0, "outcome"] == "running"
        state.fail(run, "Google Sheets answered 503", RunStats(requests=1))
        assert state.runs().loc[0, ["outcome", "error"]].tolist() == [
            "failed", "Google Sheets answered 503"]


def test_journaled_conflicts_survive_a_run_that_never_commits(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    conflicts = pd.DataFrame([{"tab": "Hot", "key": "1", "column": "notes", "excel": "x",
                               "sheets": "y", "base": "", "resolution": "sheets"}])
    with SyncState(path) as state:
        run = state.start("s")
        state.journal(run, conflicts)
        state.journal(run, conflicts.iloc[0:0])
    with SyncState(path) as state:
        saved = state.conflicts(run)
        assert saved.drop(columns="run_id").to_dict("records") == conflicts.to_dict("records")
        assert len(state.conflicts()) == 1
        assert state.runs().loc[0, "finished"] is None


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    SyncState(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(SyncError, match="newer potentiel"):
        SyncState(path)


def test_a_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(SyncError, match="cannot be used") as err:
        SyncState(path)
    assert "next sync rebuilds it" in str(err.value)


def test_a_conflict_is_journaled_once_across_runs(tmp_path: Path) -> None:
    """A run killed after journaling and its rerun plan the same conflict: one record."""
    conflict = {"tab": "Hot", "key": "1", "column": "notes", "excel": "x", "sheets": "y",
                "base": "", "resolution": "sheets"}
    with SyncState(tmp_path / "s.sqlite") as state:
        killed = state.start("s")
        state.journal(killed, pd.DataFrame([conflict]))
        rerun = state.start("s")
        state.journal(rerun, pd.DataFrame([conflict, {**conflict, "tab": "Lost"},
                                           {**conflict, "sheets": "z"}]))
        kept = state.conflicts()
    assert kept[["run_id", "tab", "sheets"]].values.tolist() == [[killed, "Hot", "y"],
                                                                   [rerun, "Hot", "z"]]


STEADY = Steady("42", "ab" * 32, 1000, 123, "cd" * 32, "2026-06-30", "2026-06-30")


def test_the_steady_stamp_is_committed_with_the_base_and_replaced(tmp_path: Path) -> None:
    with SyncState(tmp_path / "s.sqlite") as state:
        assert state.steady("s") is None
        state.commit(state.start("s"), "s", base_frame(), key=KEY, stats=RunStats(),
                     steady=STEADY)
        assert state.steady("s") == STEADY and state.steady("other") is None
        state.commit(state.start("s"), "s", base_frame(), key=KEY, stats=RunStats())
        assert state.steady("s") is None  # a run that cannot stamp: the next one reads all
        run = state.start("s")
        state.unchanged(run, RunStats(requests=1))
        assert state.runs().loc[0, ["outcome", "requests"]].tolist() == ["ok", 1]


def test_a_note_is_said_once(tmp_path: Path) -> None:
    with SyncState(tmp_path / "s.sqlite") as state:
        first = state.start("s")
        assert not state.noted("grant the scope")
        state.note(first, "grant the scope")
        assert state.noted("grant the scope") and not state.noted("something else")
        assert state.runs().loc[0, "note"] == "grant the scope"


def test_a_schema_1_file_is_upgraded_keeping_its_base(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA + "INSERT INTO schema_version VALUES (1);"
                     "INSERT INTO base_rows VALUES ('s', 'Hot', '1', '{\"name\": \"Ann\"}');")
    db.close()
    with SyncState(path) as state:
        assert state.base("s", KEY, [KEY, "name"]).values.tolist() == [["Hot", "1", "Ann"]]
        assert state.steady("s") is None
        state.commit(state.start("s"), "s", base_frame(), key=KEY, stats=RunStats(),
                     steady=STEADY)
    version = sqlite3.connect(path).execute("SELECT version FROM schema_version").fetchone()
    assert version == (SCHEMA_VERSION,)
