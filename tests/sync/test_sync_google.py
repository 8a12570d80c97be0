"""The Google side through real gspread against the fake Sheets server: request counts,
bytes that follow the change, text that never becomes a formula, rows that never move."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from fakesheets import FakeSheets, Logged

from addin.errors import SheetsApiError
from addin.workbook.a1 import column_letter, quote_sheet
from sheets_sync.config import parse_config
from sheets_sync.google.layout import OWNED_NOTE, Look
from sheets_sync.google.sheets import (
    RemoteTabs,
    SheetsBook,
    json_cell,
    open_book,
)
from sheets_sync.merge import Plan, plan

KEY = "customer_id"
EXCEL = [KEY, "name", "score"]
SALES = ["status", "notes"]
HEADER = EXCEL + SALES
TABS = ["Hot prospects", "Lost"]
LOOK = Look(columns=tuple(HEADER), key=KEY, owned=frozenset(EXCEL))
SHOWN = [LOOK.label(c) for c in HEADER]  # Customer ID, Name, score, Status, Notes
PROTECTION_NOTE = OWNED_NOTE[0]
PAYLOADS = ['=HYPERLINK("http://evil.example","click")', "+1", "-1", "@SUM(A1:A2)",
            "\t=1+1", "=cmd|' /C calc'!A0", "'=quoted"]


def customers(n: int, **extra: object) -> pd.DataFrame:
    frame = pd.DataFrame({KEY: [f"C{i:05d}" for i in range(n)],
                          "name": [f"Customer {i}" for i in range(n)],
                          "score": [float(i % 100) for i in range(n)],
                          "status": "", "notes": "",
                          "segments": [["Hot prospects"] if i % 3 else ["Lost"]
                                       for i in range(n)]})
    return frame.assign(**extra)


class Syncer:
    """The run's Sheets half: read, set up, plan against the kept base, write."""

    def __init__(self, book: SheetsBook) -> None:
        self.book = book
        self.base = pd.DataFrame(columns=["_tab", *HEADER])

    def read(self) -> RemoteTabs:
        return self.book.read(TABS, LOOK)

    def sync(self, local: pd.DataFrame) -> Plan:
        remote, _ = self.book.setup(self.read(), TABS, LOOK)
        p = plan(self.base, local, remote.frame, key=KEY, excel_columns=EXCEL,
                 sales_columns=SALES, tabs=TABS, remote_columns=remote.present)
        self.book.write(p, remote, LOOK)
        self.base = p.new_base
        return p


@pytest.fixture
def sid(fake_sheets: FakeSheets) -> str:
    return fake_sheets.create_spreadsheet("Prospects", sheets=("Notes",))


@pytest.fixture
def book(fake_sheets: FakeSheets, sid: str, tmp_path: Path) -> SheetsBook:
    config = parse_config({"workbook": "c.xlsx", "spreadsheet": sid, "credentials": "none",
                           "endpoint": fake_sheets.endpoint}, tmp_path / "sync.toml", {})
    return open_book(config)


def test_a1_helpers() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert quote_sheet("Sales' tab") == "'Sales'' tab'"
    assert [json_cell(v) for v in (None, float("nan"), 3, 2.5, True, pd.Timestamp("2025-01-02"),
                                   "=1")] == ["", "", 3, 2.5, True, "2025-01-02", "=1"]


def test_first_sync_creates_tabs_with_frozen_header_and_soft_protection(
        fake_sheets: FakeSheets, sid: str, book: SheetsBook) -> None:
    Syncer(book).sync(customers(6))
    assert fake_sheets.sheet_titles(sid) == ["Notes", *TABS, "About"]
    props = fake_sheets.sheet_properties(sid, "Lost")
    assert props["gridProperties"]["frozenRowCount"] == 1
    protected = fake_sheets.protected_ranges(sid, "Lost")
    assert [(p["range"]["startColumnIndex"], p["warningOnly"], p["description"])
            for p in protected] == [(0, True, PROTECTION_NOTE), (1, True, PROTECTION_NOTE),
                                    (2, True, PROTECTION_NOTE)]
    assert fake_sheets.sheet_values(sid, "Lost", "UNFORMATTED_VALUE") == [
        SHOWN, ["C00000", "Customer 0", 0, "", ""], ["C00003", "Customer 3", 3, "", ""]]
    assert fake_sheets.request_count("spreadsheets.batchUpdate") == 1
    assert fake_sheets.request_count("values.batchUpdate") == 1


def logged(fake_sheets: FakeSheets, book: SheetsBook, since: int) -> list[Logged]:
    """Requests the fake saw from the ``since``-th on, once it has logged all the client sent
    (the fake logs a request just after answering it)."""
    deadline = time.monotonic() + 5
    while fake_sheets.request_count() < book.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    return fake_sheets.requests()[since:]


def test_steady_state_costs_three_requests_and_bytes_follow_the_change(
        fake_sheets: FakeSheets, book: SheetsBook) -> None:
    syncer = Syncer(book)
    local = customers(3000)
    syncer.sync(local)
    first = len(logged(fake_sheets, book, 0))
    assert first == 4  # metadata, batchGet, tab set-up, one write
    assert syncer.sync(local).is_noop
    assert [(r.kind, r.method) for r in logged(fake_sheets, book, first)] == [
        ("spreadsheets.get", "GET"), ("values.batchGet", "GET")]
    local.loc[7, "score"] = 99.5
    changed = syncer.sync(local)
    assert len(changed.remote_updates) == 1
    third = logged(fake_sheets, book, first + 2)
    assert [r.kind for r in third] == ["spreadsheets.get", "values.batchGet",
                                       "values.batchUpdate"]
    assert third[2].bytes_in < 400


def test_sales_edits_come_back_through_one_read(fake_sheets: FakeSheets, sid: str,
                                                book: SheetsBook) -> None:
    syncer = Syncer(book)
    syncer.sync(customers(4))
    fake_sheets.set_values(sid, "Hot prospects", [["called", "wants a demo"]], start="D2")
    p = syncer.sync(customers(4))
    assert sorted(p.local_updates.values.tolist()) == [["C00001", "notes", "wants a demo"],
                                                        ["C00001", "status", "called"]]


def test_injection_payloads_are_stored_and_read_back_as_text(fake_sheets: FakeSheets,
                                                             sid: str,
                                                             book: SheetsBook) -> None:
    syncer = Syncer(book)
    local = customers(len(PAYLOADS) * 3)
    local["notes"] = (PAYLOADS * 3)[: len(local)]
    local["name"] = (PAYLOADS[::-1] * 3)[: len(local)]
    syncer.sync(local)
    assert fake_sheets.formulas(sid) == {}
    remote = syncer.read()
    by_key = remote.frame.set_index(KEY)
    for row in local.itertuples():
        assert by_key.loc[row.customer_id, "notes"] == row.notes
        assert by_key.loc[row.customer_id, "name"] == row.name
    assert syncer.sync(local).is_noop


def test_numbers_are_numbers_and_text_is_text(fake_sheets: FakeSheets, sid: str,
                                              book: SheetsBook) -> None:
    local = customers(2, notes="007")
    Syncer(book).sync(local)
    assert fake_sheets.cell(sid, "Lost", "C2") == (0.0, False)
    assert fake_sheets.cell(sid, "Lost", "E2") == ("007", False)


def test_removed_rows_are_deleted_and_the_rows_below_keep_their_extra_columns(
        fake_sheets: FakeSheets, sid: str, book: SheetsBook) -> None:
    syncer = Syncer(book)
    local = customers(4)
    syncer.sync(local)
    fake_sheets.set_values(sid, "Hot prospects", [["sales only"], ["keep me"]], start="G2")
    local.at[1, "segments"] = []
    local.at[2, "notes"] = "still here"  # a write below the deleted row lands on its row
    p = syncer.sync(local)
    assert p.remote_clears.values.tolist() == [["Hot prospects", 2]]
    assert fake_sheets.sheet_values(sid, "Hot prospects", "UNFORMATTED_VALUE") == [
        [*SHOWN, "", ""], ["C00002", "Customer 2", 2, "", "still here", "", "keep me"]]
    local.at[1, "segments"] = ["Hot prospects"]
    syncer.sync(local)
    rows = fake_sheets.sheet_values(sid, "Hot prospects", "UNFORMATTED_VALUE")
    assert rows[2][:3] == ["C00001", "Customer 1", 1]  # back, appended at the end


def test_columns_are_found_by_header_name_wherever_sales_moved_them(
        fake_sheets: FakeSheets, sid: str, book: SheetsBook) -> None:
    syncer = Syncer(book)
    local = customers(2)
    syncer.sync(local)
    fake_sheets.set_values(sid, "Hot prospects", [
        ["Notes ", "Customer_ID", "status", "score", "name", "sales own"],
        ["n1", "C00001", "won", 1, "Customer 1", "x"]])
    p = syncer.sync(local)
    assert p.local_updates.sort_values("column").values.tolist() == [
        ["C00001", "notes", "n1"], ["C00001", "status", "won"]]
    assert p.remote_changes == 0
    local.loc[1, "score"] = 42
    syncer.sync(local)
    assert fake_sheets.cell(sid, "Hot prospects", "D2") == (42, False)


def test_a_column_header_sales_deleted_is_written_back(fake_sheets: FakeSheets, sid: str,
                                                       book: SheetsBook) -> None:
    syncer = Syncer(book)
    local = customers(2, notes="keep")
    syncer.sync(local)
    fake_sheets.set_values(sid, "Hot prospects", [[""], [""]], start="E1")
    p = syncer.sync(local)
    assert p.local_updates.empty
    assert fake_sheets.sheet_values(sid, "Hot prospects", "UNFORMATTED_VALUE") == [
        SHOWN, ["C00001", "Customer 1", 1, "", "keep"]]


def test_large_writes_are_split_under_the_payload_limit(fake_sheets: FakeSheets,
                                                        book: SheetsBook) -> None:
    book.max_payload = 20_000
    syncer = Syncer(book)
    local = customers(1500)
    syncer.sync(local)
    sizes = [r.bytes_in for r in fake_sheets.requests("values.batchUpdate")]
    assert len(sizes) > 3 and max(sizes) < 20_000 + 500
    assert syncer.sync(local).is_noop


def test_a_small_grid_grows_before_rows_are_written(fake_sheets: FakeSheets,
                                                    book: SheetsBook) -> None:
    fake_sheets.add_sheet(book.spreadsheet_id, "Lost", rows=3, cols=3)
    syncer = Syncer(book)
    syncer.sync(customers(30))
    props = fake_sheets.sheet_properties(book.spreadsheet_id, "Lost")["gridProperties"]
    assert props["rowCount"] >= 11 and props["columnCount"] >= 5
    assert len(syncer.read().frame.query("_tab == 'Lost'")) == 10


def test_an_unknown_spreadsheet_is_explained(fake_sheets: FakeSheets, book: SheetsBook) -> None:
    book.spreadsheet_id = "no-such-spreadsheet-id"
    with pytest.raises(SheetsApiError,
                       match=r"refused to read the spreadsheet \(HTTP 404 NOT_FOUND\)") as err:
        book.read(TABS, LOOK)
    assert err.value.status == 404 and "spreadsheet id" in str(err.value)
