"""The retry policy, through real gspread against the fake Sheets server with injected faults.

Sleeps are recorded instead of waited; random is fixed at 0.5, so backoff is 3/4 of its cap.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import gspread
import pytest
import requests
from fakesheets import FakeSheets, Fault

from addin.errors import SheetsApiError
from sheets_sync.google.retry import RetryPolicy, RetrySession, WriteOutcomeUnknown, retry_after
from sheets_sync.google.transport import open_client

WRITE = {"valueInputOption": "RAW", "data": [{"range": "Sheet1!A1", "values": [["x"]]}]}


class Clock:
    """Sleeps recorded and added to a fake monotonic clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def session(clock: Clock, **policy: float) -> RetrySession:
    policy.setdefault("timeout", 2.0)
    return RetrySession(policy=RetryPolicy(**policy), sleep=clock.sleep, rand=lambda: 0.5,
                        clock=lambda: clock.now)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sid(fake_sheets: FakeSheets) -> str:
    return fake_sheets.create_spreadsheet("Customers")


def http(fake_sheets: FakeSheets, retry: RetrySession) -> gspread.HTTPClient:
    return open_client(fake_sheets.endpoint, retry).http_client


def test_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=8)
    assert [policy.backoff(a, 0.5) for a in range(6)] == [0.75, 1.5, 3, 6, 6, 6]
    assert policy.backoff(2, 0.0) == 2 and policy.backoff(2, 1.0) == 4


def test_a_read_is_retried_and_retry_after_is_honoured(fake_sheets, sid, clock) -> None:
    fake_sheets.inject(Fault.quota(retry_after=7), kind="values.batchGet")
    fake_sheets.inject(Fault.error(503), kind="values.batchGet")
    retry = session(clock)
    answer = http(fake_sheets, retry).values_batch_get(sid, ["Sheet1"])
    assert answer["valueRanges"][0]["range"].startswith("Sheet1")
    assert clock.sleeps == [7, 1.5]
    assert fake_sheets.request_count("values.batchGet") == 3 and retry.sent == 3


@pytest.mark.parametrize("fault", [Fault.reset(), Fault.timeout(delay=4), Fault.error(500),
                                   Fault.error(502), Fault.error(504)])
def test_reads_survive_transport_faults_and_server_errors(fake_sheets, sid, clock,
                                                          fault) -> None:
    fake_sheets.inject(fault, kind="spreadsheets.get")
    meta = http(fake_sheets, session(clock, timeout=0.5)).fetch_sheet_metadata(sid)
    assert meta["spreadsheetId"] == sid and clock.sleeps == [0.75]


def test_a_read_gives_up_after_the_attempt_bound(fake_sheets, sid, clock) -> None:
    fake_sheets.inject(Fault.error(503), kind="values.batchGet", times=None)
    with pytest.raises(SheetsApiError, match=r"read after 4 tries .* HTTP 503") as err:
        http(fake_sheets, session(clock, attempts=4)).values_batch_get(sid, ["Sheet1"])
    assert err.value.status == 503 and "try again in a few minutes" in str(err.value)
    assert fake_sheets.request_count("values.batchGet") == 4
    assert clock.sleeps == [0.75, 1.5, 3]


def test_a_read_gives_up_when_the_wait_would_pass_the_time_bound(fake_sheets, sid,
                                                                 clock) -> None:
    fake_sheets.inject(Fault.quota(retry_after=300), kind="values.batchGet")
    with pytest.raises(SheetsApiError, match="after 1 try over") as err:
        http(fake_sheets, session(clock, max_total=60)).values_batch_get(sid, ["Sheet1"])
    assert err.value.status == 429 and clock.sleeps == []


def test_a_write_refused_by_quota_is_retried_and_applied_once(fake_sheets, sid, clock) -> None:
    fake_sheets.inject(Fault.quota(retry_after=2), kind="values.batchUpdate")
    http(fake_sheets, session(clock)).values_batch_update(sid, WRITE)
    assert fake_sheets.sheet_values(sid, "Sheet1") == [["x"]]
    assert fake_sheets.request_count("values.batchUpdate") == 2 and clock.sleeps == [2]


@pytest.mark.parametrize("fault", [Fault.error(503, applied=True), Fault.error(500),
                                   Fault.lost(), Fault.reset(),
                                   Fault.timeout(delay=3, applied=True)])
def test_a_write_with_unknown_outcome_is_never_repeated(fake_sheets, sid, clock,
                                                        fault) -> None:
    fake_sheets.inject(fault, kind="values.batchUpdate")
    with pytest.raises(WriteOutcomeUnknown, match="may or may not have been applied") as err:
        http(fake_sheets, session(clock, timeout=0.5)).values_batch_update(sid, WRITE)
    assert "sync again" in str(err.value)
    fake_sheets.stop()  # a request still held by a timeout fault is logged once it ends
    assert fake_sheets.request_count("values.batchUpdate") == 1 and clock.sleeps == []


def test_a_write_that_could_not_connect_is_retried_then_reported(clock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = open_client(f"http://127.0.0.1:{port}", session(clock, attempts=3))
    with pytest.raises(SheetsApiError,
                       match=r"could not be reached after 3 tries .*ConnectionError"):
        client.http_client.values_batch_update("x", WRITE)
    assert clock.sleeps == [0.75, 1.5]


def test_errors_that_retrying_cannot_fix_pass_through_at_once(fake_sheets, clock) -> None:
    with pytest.raises(gspread.exceptions.APIError) as err:
        http(fake_sheets, session(clock)).values_batch_get("no-such-sheet", ["Sheet1"])
    assert err.value.response.status_code == 404 and clock.sleeps == []


def test_retry_after_reads_seconds_and_http_dates() -> None:
    response = requests.Response()
    assert retry_after(response) is None
    response.headers["Retry-After"] = "2.5"
    assert retry_after(response) == 2.5
    response.headers["Retry-After"] = "Wed, 21 Oct 2026 07:28:30 GMT"
    assert retry_after(response, datetime(2026, 10, 21, 7, 28, tzinfo=UTC)) == 30
    response.headers["Retry-After"] = "soon"
    assert retry_after(response) is None


def test_a_nonsense_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid retry policy"):
        RetryPolicy(attempts=0)
