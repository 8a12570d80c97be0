"""Contract tests of the fake Sheets API: real gspread over real HTTP, through the product's
endpoint override, must meet what Google's API does (shapes, parsing, errors, limits), and each
injected fault must look to a client exactly like the real failure it stands for."""

from __future__ import annotations

from contextlib import suppress

import gspread
import pytest
import requests
from fakesheets import FakeSheets, Fault
from gspread.utils import ValueInputOption, ValueRenderOption
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.errors import SyncConfigError
from sheets_sync.google.transport import EndpointSession, open_client


@pytest.fixture
def client(fake_sheets: FakeSheets) -> gspread.Client:
    return open_client(endpoint=fake_sheets.endpoint, session=None)


@pytest.fixture
def book(fake_sheets: FakeSheets, client: gspread.Client) -> gspread.Spreadsheet:
    return client.open_by_key(fake_sheets.create_spreadsheet("Customers"))


def api_error(call, *args, **kwargs) -> gspread.exceptions.APIError:
    with pytest.raises(gspread.exceptions.APIError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- the endpoint override ---------------------------------------------------------------------


def test_endpoint_session_rewrites_google_hosts_only() -> None:
    session = EndpointSession("http://127.0.0.1:9/")
    assert session.redirect("https://sheets.googleapis.com/v4/spreadsheets/x") == (
        "http://127.0.0.1:9/v4/spreadsheets/x"
    )
    assert session.redirect("https://www.googleapis.com/drive/v3/files") == (
        "http://127.0.0.1:9/drive/v3/files"
    )
    assert session.redirect("https://oauth2.googleapis.com/token") == (
        "https://oauth2.googleapis.com/token"
    )
    assert session.redirect("https://sheets.googleapis.com.evil.example/v4") == (
        "https://sheets.googleapis.com.evil.example/v4"
    )


@pytest.mark.parametrize("endpoint", ["127.0.0.1:8080", "ftp://host", "http://", "http://h/?a=1"])
def test_a_bad_endpoint_is_a_config_error(endpoint: str) -> None:
    with pytest.raises(SyncConfigError, match="not a web address"):
        open_client(endpoint=endpoint, session=None)


def test_the_base_session_still_sends(fake_sheets: FakeSheets) -> None:
    """Auth and retries wrap the base session; the rewrite must go through it."""
    seen: list[str] = []
    base = requests.Session()
    base.hooks["response"].append(lambda response, **_: seen.append(response.url))
    sid = fake_sheets.create_spreadsheet()
    open_client(endpoint=fake_sheets.endpoint, session=base).open_by_key(sid)
    assert seen == [f"{fake_sheets.endpoint}/v4/spreadsheets/{sid}?includeGridData=false"]


# --- spreadsheets and worksheets ---------------------------------------------------------------


def test_open_by_key_reads_titles_and_grid(fake_sheets: FakeSheets, client) -> None:
    sid = fake_sheets.create_spreadsheet("Customers", sheets=("Sheet1", "Hot prospects"))
    book = client.open_by_key(sid)
    assert book.title == "Customers"
    assert [(w.title, w.index) for w in book.worksheets()] == [
        ("Sheet1", 0),
        ("Hot prospects", 1),
    ]
    assert (book.sheet1.id, book.sheet1.row_count, book.sheet1.col_count) == (0, 1000, 26)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        client.open_by_key("no-such-spreadsheet")


def test_metadata_honours_fields_and_grid_data(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.set_values(book.id, "Sheet1", [["id", 7]])
    assert book.fetch_sheet_metadata({"fields": "sheets.properties.title"}) == {
        "sheets": [{"properties": {"title": "Sheet1"}}]
    }
    grid = book.fetch_sheet_metadata({"includeGridData": "true", "ranges": "Sheet1!A1:C2"})
    row = grid["sheets"][0]["data"][0]["rowData"][0]["values"]
    assert row[0]["userEnteredValue"] == {"stringValue": "id"}
    assert (row[1]["effectiveValue"], row[1]["formattedValue"]) == ({"numberValue": 7}, "7")


def test_create_through_drive_and_sheets_api(fake_sheets: FakeSheets, client) -> None:
    created = client.create("Prospects")
    assert fake_sheets.sheet_titles(created.id) == ["Sheet1"]
    body = {"properties": {"title": "Direct"}, "sheets": [{"properties": {"title": "Leads"}}]}
    answer = requests.post(f"{fake_sheets.endpoint}/v4/spreadsheets", json=body, timeout=5).json()
    assert answer["properties"]["title"] == "Direct"
    assert [s["properties"]["title"] for s in answer["sheets"]] == ["Leads"]
    assert fake_sheets.sheet_titles(answer["spreadsheetId"]) == ["Leads"]


def test_worksheet_add_freeze_resize_delete(fake_sheets: FakeSheets, book) -> None:
    tab = book.add_worksheet("Hot prospects", rows=10, cols=4)
    tab.freeze(rows=1)
    tab.resize(rows=20, cols=5)
    assert fake_sheets.sheet_properties(book.id, "Hot prospects") == {
        "sheetId": tab.id,
        "title": "Hot prospects",
        "index": 1,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 20, "columnCount": 5, "frozenRowCount": 1},
    }
    error = api_error(book.add_worksheet, "hot PROSPECTS", rows=1, cols=1)
    assert error.code == 400
    assert "already exists" in error.error["message"]
    book.del_worksheet(tab)
    assert fake_sheets.sheet_titles(book.id) == ["Sheet1"]
    error = api_error(book.del_worksheet, book.sheet1)
    assert error.error["message"].endswith("You can't remove all the sheets in a document.")


def test_batch_update_answers_one_reply_per_request_and_is_atomic(fake_sheets, book) -> None:
    answer = book.batch_update(
        {
            "requests": [
                {"addSheet": {"properties": {"title": "Lost customers"}}},
                {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 5}},
                {
                    "repeatCell": {
                        "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat",
                    }
                },
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0},
                        "properties": {"pixelSize": 120},
                        "fields": "pixelSize",
                    }
                },
            ]
        }
    )
    assert len(answer["replies"]) == 4
    assert answer["replies"][0]["addSheet"]["properties"]["title"] == "Lost customers"
    assert answer["replies"][1:] == [{}, {}, {}]
    assert fake_sheets.sheet_properties(book.id, "Sheet1")["gridProperties"]["rowCount"] == 1005
    failing = {"requests": [{"addSheet": {"properties": {"title": "X"}}}, {"deleteSheet": {}}]}
    failing["requests"][1]["deleteSheet"]["sheetId"] = 424242
    error = api_error(book.batch_update, failing)
    assert error.error["message"] == "Invalid requests[1].deleteSheet: No grid with id: 424242"
    assert fake_sheets.sheet_titles(book.id) == ["Sheet1", "Lost customers"]


def test_protected_ranges_round_trip(fake_sheets: FakeSheets, book) -> None:
    answer = book.sheet1.add_protected_range("A1:C1", warning_only=True)
    protected = answer["replies"][0]["addProtectedRange"]["protectedRange"]
    assert protected["range"] == {
        "sheetId": 0,
        "startRowIndex": 0,
        "endRowIndex": 1,
        "startColumnIndex": 0,
        "endColumnIndex": 3,
    }
    assert "description" not in protected  # gspread's nulls mean "unset", as in Google
    assert book.list_protected_ranges(0) == [protected]
    book.sheet1.delete_protected_range(protected["protectedRangeId"])
    assert fake_sheets.protected_ranges(book.id, "Sheet1") == []


def test_notes_use_update_cells_and_grid_data(book) -> None:
    book.sheet1.update_note("B2", "call back")
    assert book.sheet1.get_note("B2") == "call back"


# --- values: input options ---------------------------------------------------------------------


def test_raw_input_keeps_text_as_text(fake_sheets: FakeSheets, book) -> None:
    book.sheet1.update([["=1+1", "0123", "1,5", "TRUE", "+33 6 12", "@x"]], "A1", raw=True)
    assert [fake_sheets.cell(book.id, "Sheet1", ref) for ref in ("A1", "B1", "C1", "D1")] == [
        ("=1+1", False),
        ("0123", False),
        ("1,5", False),
        ("TRUE", False),
    ]
    assert book.sheet1.get("A1:F1", value_render_option=ValueRenderOption.unformatted) == [
        ["=1+1", "0123", "1,5", "TRUE", "+33 6 12", "@x"]
    ]
    assert fake_sheets.formulas(book.id) == {}


def test_user_entered_input_parses_like_the_ui(fake_sheets: FakeSheets, book) -> None:
    typed = ["=1+1", "0123", "1,5", "true", "2025-12-31", "'=2+2", "12%", "1,234.50", "-x"]
    book.sheet1.update([typed], "A1", value_input_option=ValueInputOption.user_entered)
    assert fake_sheets.formulas(book.id) == {"Sheet1!A1": "=1+1", "Sheet1!I1": "=-x"}
    assert book.sheet1.get("A1:I1") == [
        ["2", "123", "1,5", "TRUE", "2025-12-31", "=2+2", "12%", "1,234.50", "#NAME?"]
    ]
    assert book.sheet1.get("A1:I1", value_render_option=ValueRenderOption.unformatted) == [
        [2, 123, "1,5", True, 46022, "=2+2", 0.12, 1234.5, "#NAME?"]
    ]
    assert book.sheet1.get("A1:B1", value_render_option=ValueRenderOption.formula) == [
        ["=1+1", 123]
    ]
    dated = book.values_get(
        "Sheet1!E1",
        params={
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "FORMATTED_STRING",
        },
    )
    assert dated["values"] == [["2025-12-31"]]


def test_missing_value_input_option_is_refused(book) -> None:
    error = api_error(book.values_update, "Sheet1!A1", params={}, body={"values": [["x"]]})
    assert (error.code, error.error["status"]) == (400, "INVALID_ARGUMENT")


TEXT = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(TEXT, min_size=1, max_size=4), min_size=1, max_size=4))
def test_raw_text_reads_back_unchanged(fake_sheets: FakeSheets, book, rows) -> None:
    """Whatever a person might type (``=x``, ``'0``, ``1,5``...) survives RAW as text."""
    book.values_update("Sheet1!A1", params={"valueInputOption": "RAW"}, body={"values": rows})
    for option in ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"):
        answer = book.values_get("Sheet1!A1:D4", params={"valueRenderOption": option})
        assert answer["values"] == rows
    assert fake_sheets.formulas(book.id) == {}
    book.values_clear("Sheet1")


def test_null_cells_are_skipped_and_empty_strings_clear(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.set_values(book.id, "Sheet1", [["a", "b", "c"]])
    book.sheet1.update([[None, "", "C"]], "A1")
    assert fake_sheets.sheet_values(book.id, "Sheet1") == [["a", "", "C"]]


# --- values: reading ---------------------------------------------------------------------------


def test_get_trims_trailing_empties_and_normalises_the_range(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.set_values(book.id, "Sheet1", [["a", "", "c"], [], ["", "e"], ["", ""]])
    answer = book.values_get("Sheet1")
    assert answer == {
        "range": "Sheet1!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [["a", "", "c"], [], ["", "e"]],
    }
    columns = book.values_get("Sheet1!A1:C3", params={"majorDimension": "COLUMNS"})
    assert columns["values"] == [["a"], ["", "", "e"], ["c"]]
    assert book.values_get("'Sheet1'!B1:B2")["range"] == "Sheet1!B1:B2"
    assert book.values_get("A:B")["range"] == "Sheet1!A1:B1000"


def test_an_empty_range_has_no_values_key(book) -> None:
    assert book.values_get("Sheet1!D5:E6") == {"range": "Sheet1!D5:E6", "majorDimension": "ROWS"}
    assert book.sheet1.get("D5:E6") == [[]]  # what gspread 6 makes of Google's answer
    assert book.sheet1.get_all_values() == [[]]


def test_titles_are_quoted_when_google_quotes_them(fake_sheets: FakeSheets, book) -> None:
    for title in ("Hot prospects", "CO2", "l'équipe"):
        fake_sheets.add_sheet(book.id, title)
    assert book.worksheet("Hot prospects").get("A1:B2").range == "'Hot prospects'!A1:B2"
    assert book.values_get("'CO2'!A1")["range"] == "'CO2'!A1"
    assert book.values_get("'l''équipe'!A1")["range"] == "'l''équipe'!A1"


def test_batch_get_reads_many_ranges_in_one_request(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.add_sheet(book.id, "Leads")
    fake_sheets.set_values(book.id, "Leads", [["id"], ["L1"]])
    fake_sheets.reset_counters()
    answer = book.values_batch_get(["Leads", "Sheet1!A1:B2"])
    assert [r.get("values") for r in answer["valueRanges"]] == [[["id"], ["L1"]], None]
    assert book.sheet1.batch_get(["A1"])[0] == []  # gspread's batch_get: [] for no values
    assert fake_sheets.request_count("values.batchGet") == 2


# --- values: writing ---------------------------------------------------------------------------


def test_batch_update_writes_many_ranges_in_one_request(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.add_sheet(book.id, "Leads")
    answer = book.values_batch_update(
        {
            "valueInputOption": "RAW",
            "data": [
                {"range": "Sheet1!A1", "values": [["a", "b"]]},
                {"range": "Leads!B2:B3", "values": [["x", "y"]], "majorDimension": "COLUMNS"},
            ],
        }
    )
    assert (answer["totalUpdatedCells"], answer["totalUpdatedSheets"]) == (4, 2)
    assert fake_sheets.sheet_values(book.id, "Leads") == [["", ""], ["", "x"], ["", "y"]]
    book.sheet1.batch_update([{"range": "C1", "values": [["=1"]]}], raw=False)
    assert fake_sheets.cell(book.id, "Sheet1", "C1") == ("=1", True)


def test_a_failing_range_makes_the_batch_write_nothing(fake_sheets: FakeSheets, book) -> None:
    body = {
        "valueInputOption": "RAW",
        "data": [
            {"range": "Sheet1!A1", "values": [["a"]]},
            {"range": "Nope!A1", "values": [["b"]]},
        ],
    }
    error = api_error(book.values_batch_update, body)
    assert error.error["message"] == "Unable to parse range: Nope!A1"
    assert fake_sheets.sheet_values(book.id, "Sheet1") == []


def test_writing_past_the_grid_is_invalid_argument(fake_sheets: FakeSheets, book) -> None:
    tab = book.add_worksheet("Small", rows=3, cols=2)
    error = api_error(tab.update, [["x", "y", "z"]], "A1")
    assert (error.code, error.error["status"]) == (400, "INVALID_ARGUMENT")
    assert error.error["message"] == (
        "Range (Small!A1:C1) exceeds grid limits. Max rows: 3, max columns: 2"
    )
    error = api_error(tab.update, [["x"], ["y"]], "A1:B1")
    assert "but tried writing to row [2]" in error.error["message"]
    assert fake_sheets.sheet_values(book.id, "Small") == []


def test_unknown_sheet_and_spreadsheet_errors(client, book) -> None:
    error = api_error(book.values_get, "Nope!A1:B2")
    assert (error.code, error.error["message"]) == (400, "Unable to parse range: Nope!A1:B2")
    error = api_error(client.http_client.values_get, "missing-id", "Sheet1!A1")
    assert (error.code, error.error["status"]) == (404, "NOT_FOUND")
    error = api_error(book.values_get, "Sheet1!A1:B2:C3")
    assert error.code == 400


def test_append_rows_goes_below_the_table_and_grows_the_grid(fake_sheets: FakeSheets, book) -> None:
    tab = book.add_worksheet("Leads", rows=2, cols=2)
    tab.update([["id", "name"]], "A1")
    answer = tab.append_rows([["L1", "Ann"], ["L2", "Bob"], ["L3", "Cy", "extra"]])
    assert answer["tableRange"] == "Leads!A1:B1"
    assert answer["updates"]["updatedRange"] == "Leads!A2:C4"
    assert fake_sheets.sheet_properties(book.id, "Leads")["gridProperties"] == {
        "rowCount": 4,
        "columnCount": 3,
    }
    tab.append_rows([["L4"]], insert_data_option="INSERT_ROWS")
    assert fake_sheets.sheet_properties(book.id, "Leads")["gridProperties"]["rowCount"] == 5
    assert [row[0] for row in fake_sheets.sheet_values(book.id, "Leads")] == [
        "id",
        "L1",
        "L2",
        "L3",
        "L4",
    ]


def test_append_finds_the_table_from_its_first_cell(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.set_values(book.id, "Sheet1", [["id", "name"], ["1", ""], ["", "Bo"], [], ["x"]])
    answer = book.values_append(
        "Sheet1!A1", params={"valueInputOption": "RAW"}, body={"values": [["3", "Cy"]]}
    )
    assert answer["tableRange"] == "Sheet1!A1:B3"  # the blank row 4 ends the table
    assert answer["updates"]["updatedRange"] == "Sheet1!A4:B4"
    empty = book.values_append(
        "Sheet1!D2", params={"valueInputOption": "RAW"}, body={"values": [["first"]]}
    )
    assert "tableRange" not in empty
    assert empty["updates"]["updatedRange"] == "Sheet1!D2"


def test_include_values_in_response(book) -> None:
    answer = book.values_update(
        "Sheet1!A1",
        params={
            "valueInputOption": "USER_ENTERED",
            "includeValuesInResponse": True,
            "responseValueRenderOption": "UNFORMATTED_VALUE",
        },
        body={"values": [["5%", "x"]]},
    )
    assert answer["updatedData"] == {
        "range": "Sheet1!A1:B1",
        "majorDimension": "ROWS",
        "values": [[0.05, "x"]],
    }


def test_insert_and_delete_rows_shift_the_cells(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.set_values(book.id, "Sheet1", [["a"], ["c"]])
    book.sheet1.insert_rows([["b"]], row=2)
    assert fake_sheets.sheet_values(book.id, "Sheet1") == [["a"], ["b"], ["c"]]
    book.sheet1.delete_rows(1)
    assert fake_sheets.sheet_values(book.id, "Sheet1") == [["b"], ["c"]]
    assert fake_sheets.sheet_properties(book.id, "Sheet1")["gridProperties"]["rowCount"] == 1000


def test_clear_keeps_the_grid_and_removes_values(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.set_values(book.id, "Sheet1", [["a", "b"], ["c", "d"]])
    assert book.values_clear("Sheet1!A1:A2")["clearedRange"] == "Sheet1!A1:A2"
    assert fake_sheets.sheet_values(book.id, "Sheet1") == [["", "b"], ["", "d"]]
    answer = book.sheet1.batch_clear(["B1", "B2"])
    assert answer["clearedRanges"] == ["Sheet1!B1", "Sheet1!B2"]
    assert book.sheet1.get_all_values() == [[]]


def test_the_ten_million_cell_limit(book) -> None:
    error = api_error(book.add_worksheet, "Huge", rows=400_000, cols=26)
    assert "above the limit of 10000000 cells" in error.error["message"]


def test_set_values_types_like_a_person(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.set_values(book.id, "Sheet1", [['=HYPERLINK("x")', "42", "'007"]], start="B2")
    assert fake_sheets.formulas(book.id) == {"Sheet1!B2": '=HYPERLINK("x")'}
    assert book.sheet1.get("B2:D2", value_render_option=ValueRenderOption.formula) == [
        ['=HYPERLINK("x")', 42, "007"]
    ]


def test_what_the_fake_lacks_fails_loudly(fake_sheets: FakeSheets, book) -> None:
    error = api_error(book.batch_update, {"requests": [{"duplicateSheet": {"sourceSheetId": 0}}]})
    assert (error.code, error.error["status"]) == (501, "UNIMPLEMENTED")
    assert fake_sheets.crashes == [
        "the fake does not implement batchUpdate request 'duplicateSheet'"
    ]
    fake_sheets.crashes.clear()  # the fixture would fail this test otherwise


# --- counting ----------------------------------------------------------------------------------


def test_requests_and_bytes_are_counted(fake_sheets: FakeSheets, book) -> None:
    tab = book.sheet1
    fake_sheets.reset_counters()
    tab.get("A1:B2")
    tab.update([["x" * 1000]], "A1")
    assert [(e.method, e.kind, e.status) for e in fake_sheets.requests()] == [
        ("GET", "values.get", 200),
        ("PUT", "values.update", 200),
    ]
    assert (fake_sheets.request_count("read"), fake_sheets.request_count("write")) == (1, 1)
    assert fake_sheets.bytes_in("write") > 1000 > fake_sheets.bytes_in("read") > 0
    assert fake_sheets.bytes_out() == sum(e.bytes_out for e in fake_sheets.requests()) > 0
    fake_sheets.reset_counters()
    assert fake_sheets.request_count() == fake_sheets.bytes_in() == 0


# --- faults ------------------------------------------------------------------------------------


def test_quota_fault_is_google_429(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.inject(Fault.quota(retry_after=2), kind="write")
    book.sheet1.get("A1")  # reads are not affected
    error = api_error(book.sheet1.update, [["x"]], "A1")
    assert (error.code, error.error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert error.error["message"].startswith("Quota exceeded for quota metric 'Write requests'")
    assert error.response.headers["Retry-After"] == "2"
    assert fake_sheets.sheet_values(book.id, "Sheet1") == []
    book.sheet1.update([["x"]], "A1")  # the rule was used up
    assert fake_sheets.sheet_values(book.id, "Sheet1") == [["x"]]


@pytest.mark.parametrize(("status", "name"), [(500, "INTERNAL"), (503, "UNAVAILABLE")])
def test_server_errors(fake_sheets: FakeSheets, book, status: int, name: str) -> None:
    fake_sheets.inject(Fault.error(status), kind="values.get")
    error = api_error(book.sheet1.get, "A1")
    assert (error.code, error.error["status"]) == (status, name)
    assert "Retry-After" not in error.response.headers


def test_rules_match_by_path_and_count(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.inject(Fault.error(503), path=r"values:batchGet$", times=2)
    book.sheet1.get("A1")
    statuses = []
    for _ in range(3):
        response = requests.get(
            f"{fake_sheets.endpoint}/v4/spreadsheets/{book.id}/values:batchGet",
            params={"ranges": "Sheet1!A1"},
            timeout=5,
        )
        statuses.append(response.status_code)
    assert statuses == [503, 503, 200]


def test_a_rule_without_count_holds_until_cleared(fake_sheets: FakeSheets, book) -> None:
    tab = book.sheet1
    fake_sheets.inject(Fault.error(503), kind="read", times=None)
    for _ in range(3):
        assert api_error(tab.get, "A1").code == 503
    fake_sheets.clear_faults()
    assert tab.get("A1") == [[]]


def test_timeout_fault_times_the_client_out(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.inject(Fault.timeout(delay=2), kind="values.update")
    url = f"{fake_sheets.endpoint}/v4/spreadsheets/{book.id}/values/Sheet1!A1"
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.put(url, params={"valueInputOption": "RAW"}, json={"values": [["x"]]}, timeout=0.3)
    assert fake_sheets.sheet_values(book.id, "Sheet1") == []


def test_reset_fault_is_a_connection_error(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.inject(Fault.reset(), method="PUT")
    with pytest.raises(requests.exceptions.ConnectionError):
        book.sheet1.update([["x"]], "A1")
    assert fake_sheets.sheet_values(book.id, "Sheet1") == []
    assert fake_sheets.requests("values.update")[0].status is None


def test_applied_but_lost_write_is_visible_on_a_re_read(fake_sheets: FakeSheets, book) -> None:
    fake_sheets.inject(Fault.lost(), kind="values.batchUpdate")
    with pytest.raises(requests.exceptions.ConnectionError):
        book.sheet1.batch_update([{"range": "A1", "values": [["sent once"]]}])
    assert book.sheet1.get("A1") == [["sent once"]]
    assert fake_sheets.requests("values.batchUpdate")[0].fault == "reset (applied)"


def test_random_faults_are_reproducible_for_a_seed() -> None:
    def run(seed: int) -> list[tuple[int | None, str | None]]:
        with FakeSheets(fault_rate=(0.5, seed)) as fake:
            sid = fake.create_spreadsheet()
            with requests.Session() as session:
                for _ in range(30):
                    with suppress(requests.exceptions.ConnectionError):
                        session.get(f"{fake.endpoint}/v4/spreadsheets/{sid}", timeout=5)
            return [(e.status, e.fault) for e in fake.requests()]

    first = run(7)
    assert first == run(7) != run(8)
    assert len(first) == 30
    assert {200, 429} <= {status for status, _ in first}
    assert any(fault and fault.startswith("reset") for _, fault in first)


def test_random_faults_can_target_one_kind(fake_sheets: FakeSheets, book) -> None:
    tab = book.sheet1
    fake_sheets.set_fault_rate(1.0, seed=1, faults=[Fault.quota()], kind="write")
    assert tab.get("A1") == [[]]
    assert api_error(tab.update, [["x"]], "A1").code == 429
    fake_sheets.set_fault_rate(0, seed=1)
    tab.update([["x"]], "A1")
