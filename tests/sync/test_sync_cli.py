"""`potentiel sync` and `potentiel schedule`: exit codes and the exact messages."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest
from fakesheets import FakeSheets
from test_sync_install import UNRELATED, user_crontab  # noqa: F401 (fixture)
from workbooks import customer_workbook

from addin.cli import main
from sheets_sync.config import load_config, sample_config
from sheets_sync.install import cron_lines, schedule_id
from sheets_sync.lock import sync_lock
from sheets_sync.merge import TAB
from sheets_sync.schedule import parse_interval
from sheets_sync.state import RunStats, SyncState

CONFIG = """\
workbook = "customers.xlsx"
spreadsheet = "1AbCdEfGhIjKlMnOp"
credentials = "none"
endpoint = "http://127.0.0.1:9"
"""


def potentiel(*argv: str) -> int:
    """``potentiel ARGV`` (the sync commands plug in through their entry point)."""
    return main(list(argv))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "sync.toml"
    path.write_text(CONFIG)
    return path


def test_init_writes_the_commented_sample(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "team.toml"
    assert potentiel("sync", "init", str(target)) == 0
    assert target.read_text(encoding="utf-8") == sample_config()
    assert capsys.readouterr().out == (
        f"wrote {target}: fill in the workbook, spreadsheet and credentials, then run\n"
        f"  potentiel sync --config {target}\n")


def test_init_defaults_to_sync_toml_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert potentiel("sync", "init") == 0
    assert (tmp_path / "sync.toml").read_text(encoding="utf-8") == sample_config()


def test_init_never_overwrites(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert potentiel("sync", "init", str(config)) == 2
    assert config.read_text() == CONFIG
    assert capsys.readouterr().err == (
        f"potentiel: {config} already exists; it was left as it is\n"
        "  hint: Edit it, or give another file name: potentiel sync init NAME.toml\n")


def test_sync_without_a_config_is_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert potentiel("sync") == 2
    assert capsys.readouterr().err == (
        "potentiel: which configuration? --config is missing\n"
        "  hint: Add --config sync.toml; `potentiel sync init` writes one.\n")


def test_sync_with_a_missing_config_file(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.toml"
    assert potentiel("sync", "--config", str(missing), "--every", "15m") == 2
    assert capsys.readouterr().err == (
        f"potentiel: the sync configuration {missing} does not exist\n"
        "  hint: Create one with `potentiel sync init`.\n")


def test_every_config_mistake_in_one_go_one_a_line(config: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Two typos and a wrong kind: exit 2, one line each on stderr, one line in the log."""
    config.write_text(CONFIG + 'segmnets = ["Hot"]\nconflict = 3\n[retry]\ntimout = 5\n')
    log = config.with_suffix(".log")
    assert potentiel("sync", "--config", str(config), "--log", str(log)) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"potentiel: {config} has 3 problems:",
        "  (1) unknown key 'segmnets' (did you mean 'segments'?)",
        "  (2) 'conflict' must be a non-empty text, not 3",
        "  (3) unknown key 'timout' in [retry] (did you mean 'timeout'?)",
        f"  hint: Fix {config.name}; `potentiel sync init NEW.toml` writes a commented example."]
    logged = log.read_text(encoding="utf-8").splitlines()
    assert len(logged) == 1 and logged[0].endswith(
        f"sync failed: {config} has 3 problems: (1) unknown key 'segmnets' (did you mean "
        "'segments'?) (2) 'conflict' must be a non-empty text, not 3 (3) unknown key 'timout' "
        f"in [retry] (did you mean 'timeout'?). Fix {config.name}; `potentiel sync init "
        "NEW.toml` writes a commented example.")
    assert potentiel("sync", "check", "--config", str(config)) == 2
    assert "has 3 problems:" in capsys.readouterr().err


def test_sync_with_a_bad_interval(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert potentiel("sync", "--config", str(config), "--every", "often") == 2
    assert "'often' is not an interval" in capsys.readouterr().err


def test_status_before_any_run(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert potentiel("sync", "status", "--config", str(config)) == 0
    assert capsys.readouterr().out == "no sync has run yet for customers.xlsx\n"
    assert not load_config(config).state.exists()  # looking does not create the state


def test_status_lists_the_last_runs(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_config(config)
    with SyncState(settings.state) as state:
        first = state.start(settings.spreadsheet)
        state.commit(first, settings.spreadsheet,
                     pd.DataFrame({TAB: ["Hot"], "customer_id": ["C1"], "name": ["Ann"]}),
                     key="customer_id",
                     stats=RunStats(requests=3, rows_pushed=5, rows_pulled=2, conflicts=1))
        second = state.start(settings.spreadsheet)
        state.fail(second, "Google refused the service account (403): share the spreadsheet "
                           "with it", RunStats(requests=1))
        state.start(settings.spreadsheet)
        runs = state.runs()
    assert potentiel("sync", "status", "--config", str(config), "--limit", "5") == 0
    started = list(runs["started"])
    assert capsys.readouterr().out == (
        "last 3 runs of customers.xlsx, newest first:\n"
        f"  {started[0]}  running     0 requests, 0 rows pushed, 0 pulled, 0 conflicts\n"
        "      (still running, or stopped before it could finish: the next run starts from "
        "the last good state)\n"
        f"  {started[1]}  failed       1 request, 0 rows pushed, 0 pulled, 0 conflicts\n"
        "      Google refused the service account (403): share the spreadsheet with it\n"
        f"  {started[2]}  ok          3 requests, 5 rows pushed, 2 pulled, 1 conflict\n")


def test_schedule_round_trip_through_the_command(user_crontab: str, config: Path,  # noqa: F811
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = config.resolve()
    log = config.with_suffix(".log")
    assert potentiel("schedule", "install", "--config", str(config), "--every", "15m",
                     "--using", "cron") == 0
    lines = cron_lines(config, parse_interval("15m"))
    assert capsys.readouterr().out == (f"added to your crontab:\n{lines}\n"
                                       f"each run appends what it did to {log}\n")
    assert subprocess.run(["crontab", "-l"], capture_output=True, text=True,
                          check=True).stdout == UNRELATED + lines

    assert potentiel("schedule", "status", "--config", str(config), "--using", "cron") == 0
    shown = capsys.readouterr().out.splitlines()
    assert shown[0] == "cron schedule:"
    assert shown[1:3] == lines.splitlines()
    assert shown[3].startswith("next run: ") and shown[3].endswith(" (local time)")
    assert shown[4:] == [f"log: {log}", "no sync has run yet for customers.xlsx"]

    assert potentiel("schedule", "remove", "--config", str(config), "--using", "cron") == 0
    assert capsys.readouterr().out == "removed from your crontab:\n" + lines
    assert subprocess.run(["crontab", "-l"], capture_output=True, text=True,
                          check=True).stdout == UNRELATED

    assert potentiel("schedule", "status", "--config", str(config), "--using", "cron") == 1
    assert capsys.readouterr().out == f"no cron schedule is installed for {config}\n"
    assert potentiel("schedule", "remove", "--config", str(config), "--using", "cron") == 1
    assert capsys.readouterr().out == f"no cron schedule was installed for {config}\n"


def test_schedule_install_refuses_a_bad_config(user_crontab: str, tmp_path: Path,  # noqa: F811
                                               capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "sync.toml"
    broken.write_text(CONFIG + 'segment = ["Hot"]\n')
    assert potentiel("schedule", "install", "--config", str(broken), "--every", "15m",
                     "--using", "cron") == 2
    assert capsys.readouterr().err.startswith(
        f"potentiel: {broken}: unknown key 'segment' (did you mean 'segments'?)\n")
    assert subprocess.run(["crontab", "-l"], capture_output=True, text=True,
                          check=True).stdout == UNRELATED


def test_schedule_install_refuses_intervals_cron_cannot_keep(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert potentiel("schedule", "install", "--config", str(config), "--every", "7m",
                     "--using", "cron") == 2
    assert capsys.readouterr().err.startswith("potentiel: cron cannot run exactly every 7m\n")


def test_schedule_of_a_missing_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.toml"
    assert potentiel("schedule", "status", "--config", str(missing), "--using", "cron") == 2
    assert capsys.readouterr().err == (
        f"potentiel: the sync configuration {missing} does not exist\n"
        "  hint: Create one with `potentiel sync init`.\n")


def test_schedule_on_windows_prints_the_schtasks_command(
        config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config.resolve()
    assert potentiel("schedule", "install", "--config", str(config), "--every", "30m",
                     "--using", "schtasks") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "run this command (or add --apply):"
    assert out[1].startswith(f"schtasks /Create /F /TN potentiel-sync-{schedule_id(config)} "
                             "/SC MINUTE /MO 30 /TR ")
    assert out[2] == f"each run appends what it did to {config.with_suffix('.log')}"


# -- with the real run, against the fake Sheets API ---------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live_config(fake_sheets: FakeSheets, tmp_path: Path) -> Path:
    """A workbook and a configuration pointing at the fake spreadsheet."""
    customer_workbook(tmp_path / "customers.xlsx")
    sid = fake_sheets.create_spreadsheet("Prospects")
    path = tmp_path / "sync.toml"
    path.write_text(f'workbook = "customers.xlsx"\nspreadsheet = "{sid}"\n'
                    f'credentials = "none"\nendpoint = "{fake_sheets.endpoint}"\n'
                    'segments = ["Hot"]\nsales_columns = ["status", "notes"]\n')
    return path


def test_one_run_prints_the_summary_then_nothing_to_do(
        live_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert potentiel("sync", "--config", str(live_config)) == 0
    first = capsys.readouterr().out.splitlines()
    assert re.search(r" sync ok \(\d+ requests\): changed 7 cells or rows in Sheets and 0 in "
                     "the workbook; 0 conflict", first[0])
    assert first[1:] == ["  Hot: 7 added, 0 updated, 0 removed, 0 pulled, 0 conflicts"]
    log = live_config.with_suffix(".log")
    assert potentiel("sync", "--config", str(live_config), "--log", str(log)) == 0
    assert capsys.readouterr().out == ""
    assert re.search(r" sync ok \(\d+ requests?\): both sides agree; nothing to do$",
                     log.read_text().splitlines()[0])


def test_a_workbook_open_in_excel_is_skipped_with_exit_1(
        live_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (live_config.parent / "~$customers.xlsx").write_bytes(b"\x03Ann" + b" " * 50)
    before = (live_config.parent / "customers.xlsx").read_bytes()
    assert potentiel("sync", "--config", str(live_config)) == 1
    out = capsys.readouterr().out
    assert " sync skipped (0 requests): customers.xlsx is open by Ann " in out
    assert (live_config.parent / "customers.xlsx").read_bytes() == before
    assert potentiel("sync", "status", "--config", str(live_config)) == 0
    assert "customers.xlsx is open by Ann" in capsys.readouterr().out


def _finished_runs(state: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{state}?mode=ro", uri=True)) as db:
            return db.execute("SELECT count(*) FROM runs WHERE finished IS NOT NULL").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet


def test_every_in_a_subprocess_until_sigterm(live_config: Path, fake_sheets: FakeSheets) -> None:
    state = load_config(live_config).state
    loop = subprocess.Popen([sys.executable, "-m", "addin.cli", "sync", "--config",
                             str(live_config), "--every", "0.5s"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _finished_runs(state) < 3 and loop.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    loop.send_signal(signal.SIGTERM)
    out, err = loop.communicate(timeout=120)
    assert loop.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].endswith(" syncing every 0.5s; Ctrl-C stops after the current run")
    runs = lines[1:-1]
    assert lines[-1].endswith(f" stopped after {len(runs)} runs")
    assert len(runs) >= 3
    assert " ok: 7 added, 0 updated, 0 removed, 0 pulled, 0 conflicts; " in runs[0]
    assert all(re.search(r" ok: 0 added, 0 updated, 0 removed, 0 pulled, 0 conflicts; \d+ "
                         r"requests?\. both sides agree; nothing to do$", line)
               for line in runs[1:])
    with SyncState(state) as log:
        logged = log.runs(100).sort_values("id")
    assert list(logged["outcome"]) == ["ok"] * len(runs)  # the last run finished too
    starts, ends = list(logged["started"]), list(logged["finished"])
    assert all(start >= end for start, end in zip(starts[1:], ends, strict=False))
    assert fake_sheets.request_count() == logged["requests"].sum()


def test_two_syncs_started_together_take_turns(live_config: Path) -> None:
    """A cron run and a "Sync now" at the same moment: the second waits for the first."""
    command = [sys.executable, "-m", "addin.cli", "sync", "--config", str(live_config)]
    both = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in both]
    assert [p.returncode for p in both] == [0, 0], outs
    firsts = sorted(out.splitlines()[1] for out, _ in outs)
    assert firsts == ["  Hot: 0 added, 0 updated, 0 removed, 0 pulled, 0 conflicts",
                      "  Hot: 7 added, 0 updated, 0 removed, 0 pulled, 0 conflicts"]
    with SyncState(load_config(live_config).state) as state:
        logged = state.runs().sort_values("id")
    assert list(logged["outcome"]) == ["ok", "ok"]
    assert logged["started"].iloc[1] >= logged["finished"].iloc[0]


def test_a_sync_that_finds_the_lock_taken_exits_1(live_config: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    workbook = load_config(live_config).workbook
    with sync_lock(workbook):
        assert potentiel("sync", "--config", str(live_config)) == 1
    out = capsys.readouterr().out
    assert re.fullmatch(r"\S+ \S+ sync not run: another sync of customers\.xlsx is running "
                        rf"\(process {os.getpid()} on this computer, since \S+\); waited 10 s\. "
                        r"Let it finish and try again; scheduled runs simply retry at "
                        r"the next tick\.\n", out), out
