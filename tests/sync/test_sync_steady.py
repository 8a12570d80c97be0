"""The steady state: a run in which nothing changed is one small Drive request.

Each test syncs the sample once, then changes one thing (or nothing) and looks at what the next
run asked the fake Sheets API: one ``files.get`` and nothing else when both sides, the
configuration and the analysis date are as the last run left them; the full read otherwise,
and on every doubt (the version request failing, lost or refused).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from fakesheets import FakeSheets, Fault
from sync_books import customers, run, setup, tab

from addin.workbook.edit import update_cells
from sheets_sync.config import load_config
from sheets_sync.run import AGREE, SCOPE_NOTE, sync
from sheets_sync.state import SyncState

VERSION = "drive.get"


def synced(tmp: Path, fake: FakeSheets, sample: Path) -> tuple[Path, str]:
    """A workbook synced once, the fake's counters reset."""
    config, sid = setup(tmp, fake, sample)
    assert run(config).outcome == "ok"
    fake.reset_counters()
    return config, sid


def kinds(fake: FakeSheets) -> list[str]:
    return [entry.kind for entry in fake.requests()]


def full_read(fake: FakeSheets) -> bool:
    return "values.batchGet" in kinds(fake)


def test_an_unchanged_run_is_one_small_request(tmp_path: Path, fake_sheets: FakeSheets,
                                               sample: Path) -> None:
    config, _ = synced(tmp_path, fake_sheets, sample)
    report = run(config)
    assert (report.outcome, report.message, report.requests) == ("ok", AGREE, 1)
    assert kinds(fake_sheets) == [VERSION]
    assert fake_sheets.bytes_out() < 5 * 1024
    assert set(report.tabs) == {"Hot prospects", "Lost customers"}
    # and again: the stamp stays valid
    fake_sheets.reset_counters()
    assert run(config).requests == 1 and kinds(fake_sheets) == [VERSION]


def test_a_sales_edit_makes_a_full_run_that_pulls_it(tmp_path: Path, fake_sheets: FakeSheets,
                                                     sample: Path) -> None:
    config, sid = synced(tmp_path, fake_sheets, sample)
    first = tab(fake_sheets, sid, "Hot prospects").iloc[0]["customer_id"]
    fake_sheets.set_values(sid, "Hot prospects", [[None] * 6 + ["called"]], start="A2")
    fake_sheets.reset_counters()
    report = run(config)
    assert full_read(fake_sheets) and report.tabs["Hot prospects"]["pulled"] == 1
    assert customers(tmp_path / "customers.xlsx").loc[first, "status"] == "called"
    # what the run wrote into the workbook is analysed by the next run, which then has nothing
    # to do; from there on an unchanged run is one request again
    fake_sheets.reset_counters()
    assert run(config).message == AGREE and full_read(fake_sheets)
    fake_sheets.reset_counters()
    assert run(config).requests == 1


def test_a_workbook_edit_makes_a_full_run(tmp_path: Path, fake_sheets: FakeSheets,
                                          sample: Path) -> None:
    config, sid = synced(tmp_path, fake_sheets, sample)
    first = tab(fake_sheets, sid, "Hot prospects").iloc[0]["customer_id"]
    row = int(customers(tmp_path / "customers.xlsx").index.get_loc(first)) + 2
    update_cells(tmp_path / "customers.xlsx", "Customers",
                 pd.DataFrame({"row": [row], "column": ["name"], "value": ["Renamed"]}))
    report = run(config)
    assert full_read(fake_sheets) and report.tabs["Hot prospects"]["updated"] == 1
    assert tab(fake_sheets, sid, "Hot prospects").iloc[0]["name"] == "Renamed"
    fake_sheets.reset_counters()
    assert run(config).requests == 1  # the run's own writes to Sheets are accounted for


def test_a_touched_but_equal_workbook_is_unchanged(tmp_path: Path, fake_sheets: FakeSheets,
                                                   sample: Path) -> None:
    """Size and modification time only spare the hash: a file saved again, same bytes, is
    still the same workbook."""
    config, _ = synced(tmp_path, fake_sheets, sample)
    workbook = tmp_path / "customers.xlsx"
    workbook.write_bytes(workbook.read_bytes())
    assert run(config).requests == 1 and kinds(fake_sheets) == [VERSION]


def test_a_configuration_change_makes_a_full_run(tmp_path: Path, fake_sheets: FakeSheets,
                                                 sample: Path) -> None:
    config, _ = synced(tmp_path, fake_sheets, sample)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('"temperature"]', '"temperature", "budget"]'),
                      encoding="utf-8")
    report = run(config)
    assert full_read(fake_sheets) and report.tabs["Hot prospects"]["updated"] > 0


def test_a_new_day_makes_a_full_run(tmp_path: Path, fake_sheets: FakeSheets,
                                    sample: Path) -> None:
    """Without a date in Settings the analysis follows today: the day after the last run,
    days since the last order and the prospect decay have moved."""
    config, _ = setup(tmp_path, fake_sheets, sample)
    update_cells(tmp_path / "customers.xlsx", "Settings",
                 pd.DataFrame({"row": [2], "column": ["value"], "value": [""]}))
    assert run(config).outcome == "ok"
    fake_sheets.reset_counters()
    assert run(config).requests == 1
    state = load_config(config).state
    with sqlite3.connect(state) as db:  # the last good run was yesterday
        db.execute("UPDATE steady SET as_of = date(as_of, '-1 day')")
    fake_sheets.reset_counters()
    run(config)
    assert full_read(fake_sheets)


@pytest.mark.parametrize("fault", [Fault.error(500), Fault.lost(), Fault.timeout(3)],
                         ids=["500", "lost", "timeout"])
def test_a_failed_version_request_falls_back_to_the_full_run(
        tmp_path: Path, fake_sheets: FakeSheets, sample: Path, fault: Fault) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample,
                        retry="{ attempts = 3, base_delay = 0.01, timeout = 1 }")
    run(config)
    first = tab(fake_sheets, sid, "Hot prospects").iloc[0]["customer_id"]
    fake_sheets.set_values(sid, "Hot prospects", [[None] * 7 + ["Marie"]], start="A2")
    fake_sheets.inject(fault, kind=VERSION, times=None)
    fake_sheets.reset_counters()
    report = run(config)
    assert report.outcome == "ok" and full_read(fake_sheets)
    assert kinds(fake_sheets).count(VERSION) == 1  # tried once: the fallback is cheaper
    assert customers(tmp_path / "customers.xlsx").loc[first, "owner"] == "Marie"
    fake_sheets.reset_counters()
    run(config)
    assert full_read(fake_sheets)  # no version known: never a skip on doubt


def test_a_refused_version_request_says_once_how_to_grant_it(
        tmp_path: Path, fake_sheets: FakeSheets, sample: Path) -> None:
    config, _ = setup(tmp_path, fake_sheets, sample)
    fake_sheets.inject(Fault.scope(), kind=VERSION, times=None)
    for _ in range(3):
        assert run(config).outcome == "ok"
    with SyncState(load_config(config).state) as state:
        notes = state.runs()["note"]
    assert notes.notna().tolist() == [False, False, True] and notes.iloc[-1] == SCOPE_NOTE
    assert "drive.metadata.readonly" in SCOPE_NOTE


def test_force_does_the_full_run(tmp_path: Path, fake_sheets: FakeSheets,
                                 sample: Path) -> None:
    config, _ = synced(tmp_path, fake_sheets, sample)
    report = sync(load_config(config), force=True)
    assert report.message == AGREE and full_read(fake_sheets)
    assert fake_sheets.request_count("write") == 0

