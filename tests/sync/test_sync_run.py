"""Whole sync runs: a real workbook, real gspread over HTTP, the fake Sheets API.

Covers what users see: tabs set up on the first sync, a steady state costing a constant number
of requests, sales edits pulled into the Customers sheet, conflicts kept, typed rows becoming
customers, text staying text on both sides, and faults ending where a fault-free run ends.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fakesheets import FakeSheets, Fault
from recording_book import Book
from sync_books import COLUMNS, customers, run, setup, tab

from addin import macros
from addin.app.side import ExcelSide
from addin.errors import PotentielError
from addin.workbook.edit import update_cells
from sheets_sync.config import load_config
from sheets_sync.run import sync, sync_now
from sheets_sync.state import SyncState

SALES = ["status", "owner", "notes", "next_action"]


def test_first_sync_sets_up_the_tabs(tmp_path: Path, fake_sheets: FakeSheets,
                                     sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample)
    report = run(config)
    assert report.outcome == "ok"
    assert report.tabs["Hot prospects"]["added"] == 12
    hot = tab(fake_sheets, sid, "Hot prospects")
    assert list(hot.columns) == COLUMNS + SALES
    assert set(hot["temperature"]) == {"hot"}
    props = fake_sheets.sheet_properties(sid, "Hot prospects")
    assert props["gridProperties"]["frozenRowCount"] == 1
    protected = fake_sheets.protected_ranges(sid, "Hot prospects")
    assert len(protected) == len(COLUMNS) and all(p["warningOnly"] for p in protected)


def test_segments_missing_from_the_workbook_are_named(tmp_path: Path, fake_sheets: FakeSheets,
                                                      sample: Path) -> None:
    """One missing segment is "a segment ... is", two are "segments ... are"; nothing sent."""
    config, _ = setup(tmp_path, fake_sheets, sample)
    text = config.read_text()
    config.write_text(text.replace('"Lost customers"', '"Warm leads"'))
    with pytest.raises(PotentielError, match=r"^segment Warm leads is not in the workbook's "
                                             "Segments sheet"):
        run(config)
    config.write_text(text.replace('"Lost customers"', '"Warm leads", "VIP"'))
    with pytest.raises(PotentielError, match=r"^segments Warm leads, VIP are not in the "
                                             "workbook's Segments sheet"):
        run(config)
    assert fake_sheets.request_count("write") == 0


def test_steady_state_is_constant_and_writes_nothing(tmp_path: Path, fake_sheets: FakeSheets,
                                                     sample: Path) -> None:
    config, _ = setup(tmp_path, fake_sheets, sample)
    run(config)
    fake_sheets.reset_counters()
    report = run(config)
    assert report.message == "both sides agree; nothing to do"
    assert fake_sheets.request_count() <= 3
    assert fake_sheets.request_count("write") == 0


def test_sales_edits_come_back_into_the_customers_sheet(tmp_path: Path,
                                                        fake_sheets: FakeSheets,
                                                        sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample)
    run(config)
    first = tab(fake_sheets, sid, "Hot prospects").iloc[0]
    fake_sheets.set_values(sid, "Hot prospects", [[None] * 6 + ["called", "Marie", "=1+1"]],
                           start="A2")
    vba_like = zipfile.ZipFile(tmp_path / "customers.xlsx").namelist()
    report = run(config)
    assert report.tabs["Hot prospects"]["pulled"] == 1
    row = customers(tmp_path / "customers.xlsx").loc[first["customer_id"]]
    assert (row["status"], row["owner"]) == ("called", "Marie")
    assert set(vba_like) <= set(zipfile.ZipFile(tmp_path / "customers.xlsx").namelist())
    assert run(config).message == "both sides agree; nothing to do"


def test_both_sides_edit_the_same_cell_owner_wins_and_both_values_are_kept(
        tmp_path: Path, fake_sheets: FakeSheets, sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample)
    run(config)
    first = tab(fake_sheets, sid, "Hot prospects").iloc[0]["customer_id"]
    row = int(customers(tmp_path / "customers.xlsx").index.get_loc(first)) + 2
    update_cells(tmp_path / "customers.xlsx", "Customers",
                 pd.DataFrame({"row": [row], "column": ["status"], "value": ["excel says"]}))
    fake_sheets.set_values(sid, "Hot prospects", [[None] * 6 + ["sheets says"]], start="A2")
    report = run(config)
    assert report.tabs["Hot prospects"]["conflicts"] == 1
    assert customers(tmp_path / "customers.xlsx").loc[first, "status"] == "sheets says"
    kept = pd.read_excel(tmp_path / "customers.xlsx", sheet_name="Conflicts", engine="openpyxl")
    assert {"excel says", "sheets says"} <= set(kept.astype(str).to_numpy().ravel())
    with SyncState(load_config(config).state) as state:
        assert len(state.conflicts()) == 1


def test_a_row_typed_by_sales_becomes_a_customer_with_an_id(tmp_path: Path,
                                                            fake_sheets: FakeSheets,
                                                            sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample)
    run(config)
    end = len(fake_sheets.sheet_values(sid, "Hot prospects")) + 1
    fake_sheets.set_values(sid, "Hot prospects",
                           [["", "New Lead", "lead@example.fr", None, None, None, "new"]],
                           start=f"A{end}")
    run(config)
    typed = fake_sheets.sheet_values(sid, "Hot prospects")[end - 1]
    new_id = typed[0]
    assert new_id and typed[1] == "New Lead"
    book = customers(tmp_path / "customers.xlsx")
    assert book.loc[new_id, "name"] == "New Lead" and book.loc[new_id, "status"] == "new"


PAYLOADS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1",
            "=cmd|' /C calc'!A0", "=1+1", "+33 6 12 34 56 78", "-", "=", "'=quoted",
            "=IMPORTXML(\"http://x\",\"//a\")", "@", "==", "=A1", "+A1", "-A1",
            "=WEBSERVICE(\"http://x\")", "\r=1", "=DDE(\"cmd\")", "＝1+1"]


def test_injection_payloads_stay_text_on_both_sides(tmp_path: Path, fake_sheets: FakeSheets,
                                                    sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample)
    run(config)
    ids = pd.concat([tab(fake_sheets, sid, t)["customer_id"] for t in
                     ("Hot prospects", "Lost customers")]).tolist()[: len(PAYLOADS)]
    assert len(ids) == len(PAYLOADS) >= 20
    rows = {cid: int(customers(tmp_path / "customers.xlsx").index.get_loc(cid)) + 2
            for cid in ids}
    update_cells(tmp_path / "customers.xlsx", "Customers", pd.DataFrame({
        "row": [rows[c] for c in ids], "column": "name", "value": PAYLOADS[: len(ids)]}))
    run(config)
    assert fake_sheets.formulas(sid) == {}
    pushed = pd.concat([tab(fake_sheets, sid, t) for t in ("Hot prospects", "Lost customers")]
                       ).set_index("customer_id")["name"]
    # text is stripped of surrounding blanks when read, as every text cell is
    assert [pushed[c] for c in ids] == [p.strip() for p in PAYLOADS]
    sheet = openpyxl.load_workbook(tmp_path / "customers.xlsx")["Customers"]
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def _final(fake: FakeSheets, sid: str, path: Path) -> tuple[dict, pd.Series]:
    tabs = {t: tab(fake, sid, t).sort_values("customer_id").reset_index(drop=True)
            for t in ("Hot prospects", "Lost customers")}
    return tabs, customers(path)["status"].sort_index()


def _scenario(fake: FakeSheets, sid: str, config: Path, faults: bool, seed: int) -> None:
    """First sync, sales edits, sync again, with or without random faults and reruns."""
    def until_done() -> None:
        for _ in range(30):
            try:
                run(config)
                return
            except PotentielError:
                continue
        raise AssertionError("the sync never got through")

    if faults:
        fake.set_fault_rate(0.25, seed)
    until_done()
    fake.clear_faults()
    fake.set_values(fake_sid := sid, "Hot prospects", [[None] * 6 + ["won", "Ana"]],
                    start="A3")
    fake.set_values(fake_sid, "Lost customers", [[None] * 6 + ["call back"]], start="A2")
    if faults:
        fake.set_fault_rate(0.25, seed + 100)
    until_done()
    fake.clear_faults()
    until_done()


FAST_RETRY = "{ attempts = 2, base_delay = 0.01, max_delay = 0.02, timeout = 2 }"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_faults_end_where_a_fault_free_run_ends(tmp_path: Path, sample: Path,
                                                       seed: int) -> None:
    finals = []
    for faults in (False, True):
        where = tmp_path / str(faults)
        where.mkdir()
        with FakeSheets() as fake:
            config, sid = setup(where, fake, sample, retry=FAST_RETRY)
            _scenario(fake, sid, config, faults, seed)
            finals.append(_final(fake, sid, where / "customers.xlsx"))
            assert not fake.crashes
    (tabs_a, status_a), (tabs_b, status_b) = finals
    for title in tabs_a:
        pd.testing.assert_frame_equal(tabs_a[title], tabs_b[title])
    pd.testing.assert_series_equal(status_a, status_b)


def test_a_lost_write_response_is_not_applied_twice(tmp_path: Path, fake_sheets: FakeSheets,
                                                    sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample)
    fake_sheets.inject(Fault.lost(), kind="values.batchUpdate")
    run(config)
    hot = tab(fake_sheets, sid, "Hot prospects")
    assert hot["customer_id"].is_unique and len(hot) == 12


def test_dry_run_writes_nothing(tmp_path: Path, fake_sheets: FakeSheets, sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample)
    report = sync(load_config(config), dry_run=True)
    assert report.outcome == "dry-run" and report.tabs["Lost customers"]["added"] == 18
    assert fake_sheets.sheet_titles(sid) == ["Sheet1"]
    assert fake_sheets.request_count("write") == 0


def test_sync_now_in_excel_writes_sales_edits_through_excel(tmp_path: Path,
                                                            fake_sheets: FakeSheets,
                                                            sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample)
    run(config)
    (tmp_path / "~$customers.xlsx").write_text("Excel has it open", encoding="utf-8")
    assert run(config).outcome == "skipped"
    first = tab(fake_sheets, sid, "Hot prospects").iloc[0]["customer_id"]
    fake_sheets.set_values(sid, "Hot prospects", [[None] * 6 + ["@called", "Marie"]],
                           start="A2")
    from python_calamine import CalamineWorkbook

    book_file = CalamineWorkbook.from_path(str(tmp_path / "customers.xlsx"))
    grids = {name: [[None if v == "" else v for v in row] for row in
                    book_file.get_sheet_by_name(name).to_python()]
             for name in book_file.sheet_names}
    book = Book(grids, str(tmp_path / "customers.xlsx"))
    message = sync_now(ExcelSide(book))
    assert message.startswith("Sync ok")
    sheet = book.sheets["Customers"]
    header = grids["Customers"][0]
    row = [r[0] for r in grids["Customers"]].index(first) + 1
    assert sheet.cells[(row, header.index("status") + 1)] == "'@called"
    assert sheet.cells[(row, header.index("owner") + 1)] == "Marie"
    assert book.saves >= 1


def test_sync_now_macro_headless_runs_a_sync_on_the_file(tmp_path: Path, fake_sheets: FakeSheets,
                                                         sample: Path, capsys) -> None:
    """The Sync now button without Excel: ``addin.macros.sync_now(path)`` (it used to fail
    with AttributeError: the file side had no ``in_use``)."""
    _, sid = setup(tmp_path, fake_sheets, sample)
    macros.sync_now(tmp_path / "customers.xlsx")
    said = capsys.readouterr().out
    assert said.startswith("Sync ok"), said
    hot = tab(fake_sheets, sid, "Hot prospects")
    assert len(hot) == 12
    fake_sheets.set_values(sid, "Hot prospects", [[None] * 6 + ["called"]], start="A2")
    macros.sync_now(tmp_path / "customers.xlsx")
    assert capsys.readouterr().out.startswith("Sync ok")
    assert customers(tmp_path / "customers.xlsx").loc[hot["customer_id"][0], "status"] == "called"
