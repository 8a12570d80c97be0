"""A scheduled run meeting what the real Google does, at every step of a run.

Each case signs in with a generated service account key whose ``token_uri`` is a local fake
token endpoint, syncs against the Sheets fake, and injects one fault at one step: sign-in,
the Drive version, the metadata, the values read, the tab creation, the values write.  For
each: the exit code, one plain line on stderr (no traceback) that is also the ``--log`` line and
the run log's error, nothing half-applied on either side, and a fault-free run afterwards that
converges with every row once.  Error bodies are Google's (:mod:`fakesheets.google_errors`).

Waits are not slept: the retry layer's clock and sleep are a fake clock (``Clock``), so a
quota window of 70 s takes no time and its length is checked on that clock.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fakesheets import FakeSheets, Fault
from fakesheets import google_errors as g
from fakesheets.tokens import FakeTokens
from sync_books import setup, tab

from addin.cli import main
from sheets_sync.config import load_config
from sheets_sync.google import retry
from sheets_sync.google.errors import token_error
from sheets_sync.google.retry import RetryPolicy
from sheets_sync.google.transport import open_client
from sheets_sync.state import SyncState


def potentiel(*argv: str) -> int:
    return main(list(argv))


EMAIL = "sync-bot@potentiel-test.iam.gserviceaccount.com"
TABS = {"Hot prospects": 12}  # rows of the sample's segment (tests/sync/test_sync_run.py)


@dataclass
class Clock:
    """The retry layer's time: sleeping moves it on at once."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(retry, "SLEEP", fake.sleep)
    monkeypatch.setattr(retry, "CLOCK", fake)
    return fake


@pytest.fixture(scope="module")
def keys() -> tuple[str, bytes]:
    """A throwaway RSA key: the private half for the key file, the public one for the fake."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


@pytest.fixture
def tokens(keys: tuple[str, bytes]) -> Iterator[FakeTokens]:
    with FakeTokens(public_pem=keys[1]) as fake:
        yield fake


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class World:
    """A workbook, its sync.toml signing in with a key file, the two fakes and a log file."""

    config: Path
    sid: str
    fake: FakeSheets
    tokens: FakeTokens
    log: Path
    clock: Clock

    @property
    def workbook(self) -> Path:
        return self.config.parent / "customers.xlsx"

    def key_file(self, private: str, token_uri: str) -> None:
        (self.config.parent / "service_account.json").write_text(json.dumps({
            "type": "service_account", "project_id": "potentiel-test",
            "private_key_id": "0123456789abcdef", "private_key": private,
            "client_email": EMAIL, "client_id": "1234567890", "token_uri": token_uri}))

    def sync(self, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
        """One scheduled-style run: exit code, stderr, the run's lines in the log."""
        before = self.log.read_text() if self.log.exists() else ""
        code = potentiel("sync", "--config", str(self.config), "--log", str(self.log))
        err = capsys.readouterr().err
        return code, err, self.log.read_text()[len(before):]

    def synced_with_an_edit(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A first good run, then a sales edit: the next run reads the tab and pulls it."""
        assert self.sync(capsys)[0] == 0
        self.fake.set_values(self.sid, "Hot prospects", [["Called twice"]], "I2")

    def last_run(self) -> tuple[str, str, str]:
        with SyncState(load_config(self.config).state) as state:
            row = state.runs(1).iloc[0]
        return row["outcome"], row["error"] or "", row["note"] or ""

    def snapshot(self) -> tuple[bytes, dict[str, list[list[object]]]]:
        sheets = {t: self.fake.sheet_values(self.sid, t) for t in self.fake.sheet_titles(self.sid)}
        return self.workbook.read_bytes(), sheets

    def converged(self) -> None:
        """Every synced row once in its tab, and a second run finds nothing to do."""
        for title, rows in TABS.items():
            frame = tab(self.fake, self.sid, title)
            assert len(frame) == rows and frame["customer_id"].is_unique
        assert potentiel("sync", "--config", str(self.config)) == 0


@pytest.fixture
def world(tmp_path: Path, fake_sheets: FakeSheets, tokens: FakeTokens, sample: Path,
          keys: tuple[str, bytes], clock: Clock) -> World:
    config, sid = setup(tmp_path, fake_sheets, sample)
    text = config.read_text().replace('credentials = "none"',
                                      'credentials = "service_account.json"')
    text = text.replace('segments = ["Hot prospects", "Lost customers"]',
                        'segments = ["Hot prospects"]')
    config.write_text(text + "[retry]\ntimeout = 0.25\n")
    found = World(config, sid, fake_sheets, tokens, tmp_path / "sync.log", clock)
    found.key_file(keys[0], tokens.token_uri)
    return found


def one_failure(world: World, capsys: pytest.CaptureFixture[str], code: int,
                *words: str) -> str:
    """Run once expecting a failure; check the line everywhere it must be; return it."""
    exit_code, err, logged = world.sync(capsys)
    assert exit_code == code, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    line = err.removeprefix("potentiel: ").strip()
    assert " sync failed: " in line
    message = line.split(" sync failed: ", 1)[1]
    for word in words:
        assert word in message, message
    assert logged.strip() == line
    outcome, error, _note = world.last_run()
    assert (outcome, error) == ("failed", message)
    assert potentiel("sync", "status", "--config", str(world.config), "--limit", "1") == 0
    shown = capsys.readouterr().out.splitlines()
    assert " failed " in shown[1] and shown[2].strip() == message
    return message


# -- sign-in: the token endpoint ------------------------------------------------------------


def test_a_token_endpoint_refusing_connections_is_retried_then_explained(
        world: World, keys: tuple[str, bytes], capsys: pytest.CaptureFixture[str]) -> None:
    world.key_file(keys[0], f"http://127.0.0.1:{closed_port()}/token")
    before = world.snapshot()
    one_failure(world, capsys, 1, "sign-in service could not be reached after 6 tries",
                "internet connection")
    assert world.snapshot() == before
    world.key_file(keys[0], world.tokens.token_uri)
    assert world.sync(capsys)[0] == 0
    world.converged()


def test_an_unresolvable_token_host_is_a_network_failure(
        world: World, keys: tuple[str, bytes], capsys: pytest.CaptureFixture[str]) -> None:
    world.key_file(keys[0], "http://oauth2.potentiel-test.invalid/token")
    one_failure(world, capsys, 1, "sign-in service could not be reached", "ConnectionError")
    assert world.fake.request_count() == 0  # nothing reached the spreadsheet


@pytest.mark.parametrize(("fault", "tries", "words"), [
    (Fault.timeout(1.0), 6, ["sign-in service could not be reached", "Timeout"]),
    (Fault.answer(503, g.HTML_PAGE), 6, ["sign-in service did not accept", "HTTP 503"]),
    (Fault.answer(400, g.BAD_KEY), 1, ["refused the service account key",
                                       "Invalid JWT Signature", "create a new JSON key"]),
    (Fault.answer(400, g.CLOCK_SKEW), 1, ["clock is off", "Set the clock right"]),
], ids=["timeout", "503-html", "invalid-grant-key", "invalid-grant-clock"])
def test_the_token_endpoint_failing_for_good(world: World, capsys: pytest.CaptureFixture[str],
                                            fault: Fault, tries: int, words: list[str]) -> None:
    world.tokens.inject(fault, times=None)
    before = world.snapshot()
    one_failure(world, capsys, 1, *words)
    assert len(world.tokens.grants) == tries  # one budget per run, not one per step
    assert world.snapshot() == before
    world.tokens.clear_faults()
    assert world.sync(capsys)[0] == 0
    world.converged()


def test_a_token_endpoint_blip_is_retried_like_any_request(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.tokens.inject(Fault.answer(503, g.HTML_PAGE), times=2)
    world.tokens.inject(Fault.reset(), times=1)
    code, err, _ = world.sync(capsys)
    assert code == 0, err
    assert world.tokens.grants.count("urn:ietf:params:oauth:grant-type:jwt-bearer") == 4
    world.converged()


def test_a_token_quota_without_retry_after_is_waited_out_past_31_s(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    quota = {"error": "rate_limit_exceeded", "error_description": "Rate limit exceeded"}
    world.tokens.inject(Fault.answer(429, quota), times=6)
    code, err, _ = world.sync(capsys)
    assert code == 0, err
    assert world.clock.now > 31  # six tries used to end in 20-30 s; the window is longer


# -- the Sheets and Drive steps --------------------------------------------------------------


@pytest.mark.parametrize(("kind", "fault", "words"), [
    ("spreadsheets.get", Fault.error(503), ["did not accept a read after 6 tries",
                                            "HTTP 503"]),
    ("spreadsheets.get", Fault.answer(403, g.SHEETS_DISABLED),
     ["Google Sheets API is not enabled", g.ENABLE_SHEETS]),
    ("spreadsheets.get", Fault.answer(403, g.NOT_SHARED),
     ["The caller does not have permission", f"Share the spreadsheet as Editor with {EMAIL}"]),
    ("spreadsheets.get", Fault.answer(403, g.INSUFFICIENT_SCOPES),
     ["a scope is missing", "potentiel sync login"]),
    ("spreadsheets.get", Fault.answer(403, g.NO_QUOTA_PROJECT),
     ["no quota project", "set-quota-project"]),
    ("spreadsheets.get", Fault.answer(404, g.HTML_PAGE), ["HTTP 404", "text/html page"]),
    ("values.batchGet", Fault.reset(), ["could not be reached after 6 tries"]),
    ("values.batchGet", Fault.timeout(1.0), ["could not be reached", "Timeout"]),
    ("values.batchGet", Fault.answer(502, g.HTML_PAGE), ["did not accept a read", "HTTP 502"]),
    ("spreadsheets.batchUpdate", Fault.error(500), ["may or may not have been applied"]),
    ("values.batchUpdate", Fault.error(500), ["may or may not have been applied"]),
    ("values.batchUpdate", Fault.answer(400, g.PROTECTED),
     ["protected range", "Protect sheets and ranges"]),
], ids=["metadata-503", "api-disabled", "not-shared", "scopes", "quota-project",
        "metadata-html-404", "read-reset", "read-stalled", "read-502-html", "tab-creation-500",
        "write-500", "write-protected"])
def test_a_google_failure_at_each_step_ends_in_one_line_and_exit_1(
        world: World, capsys: pytest.CaptureFixture[str], kind: str, fault: Fault,
        words: list[str]) -> None:
    if kind.endswith("batchUpdate"):  # the first run: it creates the tab and writes the rows
        before = world.snapshot()
    else:  # a synced spreadsheet with a sales edit to pull
        world.synced_with_an_edit(capsys)
        before = world.snapshot()
    workbook = world.workbook.read_bytes()
    world.fake.inject(fault, kind=kind, times=None)
    one_failure(world, capsys, 1, *words)
    assert world.workbook.read_bytes() == workbook  # nothing pulled into the workbook
    after = world.snapshot()[1]
    if kind == "values.batchUpdate":  # the tabs (and About) were created; no row was written
        assert len(after) == 3 and {len(rows) for rows in after.values()} == {0}
    else:
        assert after == before[1]
    world.fake.clear_faults()
    assert world.sync(capsys)[0] == 0
    world.converged()


def test_a_read_quota_with_retry_after_waits_as_told(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.synced_with_an_edit(capsys)
    world.fake.inject(Fault.quota(retry_after=40), kind="values.batchGet", times=1)
    assert world.sync(capsys)[0] == 0
    assert 40 in world.clock.slept
    world.converged()


def test_a_quota_without_retry_after_waits_a_full_window_then_says_quota(
        world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.synced_with_an_edit(capsys)
    world.fake.inject(Fault.quota(), kind="values.batchGet", times=None)
    message = one_failure(world, capsys, 1,
                          "per-minute request quota of Google Sheets stayed used up")
    assert world.clock.now >= 70, world.clock.slept
    # the window is waited out: at least 70 s; the last (jittered) wait started inside the
    # window, so at most 70 s + the longest wait (32 s)
    waited = int(re.search(r"over (\d+) s", message).group(1))
    policy = RetryPolicy()
    assert policy.quota_window <= waited <= policy.quota_window + policy.max_delay, message
    world.fake.clear_faults()
    assert world.sync(capsys)[0] == 0
    world.converged()


def test_the_quota_window_is_configurable(world: World,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    world.synced_with_an_edit(capsys)
    world.config.write_text(world.config.read_text() + "quota_window = 0\nattempts = 2\n")
    world.fake.inject(Fault.quota(), kind="values.batchGet", times=None)
    one_failure(world, capsys, 1, "after 2 tries")
    assert world.clock.now < 5


@pytest.mark.parametrize(("body", "noted"), [(g.DRIVE_RATE_LIMIT, False),
                                             (g.INSUFFICIENT_SCOPES, True)],
                         ids=["drive-rate-limit", "drive-scope"])
def test_a_refused_version_means_a_full_run_and_the_scope_note_only_for_scopes(
        world: World, capsys: pytest.CaptureFixture[str], body: dict, noted: bool) -> None:
    world.fake.inject(Fault.answer(403, body), kind="drive.get", times=None)
    code, err, _ = world.sync(capsys)
    assert code == 0, err
    assert ("Drive" in world.last_run()[2]) is noted
    world.converged()


def test_a_drive_style_403_rate_limit_is_retried_like_a_429(fake_sheets: FakeSheets,
                                                           clock: Clock) -> None:
    sid = fake_sheets.create_spreadsheet("Sales")
    fake_sheets.inject(Fault.answer(403, g.DRIVE_RATE_LIMIT), kind="spreadsheets.get", times=2)
    client = open_client(fake_sheets.endpoint, retry.RetrySession(requests.Session()))
    assert client.http_client.fetch_sheet_metadata(sid)["spreadsheetId"] == sid
    assert len(clock.slept) == 2


def test_an_unresolvable_sheets_host_is_a_network_failure(
        tmp_path: Path, fake_sheets: FakeSheets, sample: Path, clock: Clock,
        capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = setup(tmp_path, fake_sheets, sample)
    config.write_text(config.read_text().replace(fake_sheets.endpoint,
                                                 "http://sheets.potentiel-test.invalid"))
    assert potentiel("sync", "--config", str(config)) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    assert "Google Sheets could not be reached after 6 tries" in err


@pytest.mark.parametrize(("data", "mode", "words"), [
    (g.BAD_KEY, "file", "create a new JSON key"),
    (g.CLOCK_SKEW, "file", "clock is off"),
    (g.REVOKED, "oauth", "potentiel sync login --config sync.toml"),
    (g.REVOKED, "default", "gcloud auth application-default login"),
    ({"error": "temporarily_unavailable"}, "oauth", "temporary problem"),
    ('{"error": "invalid_grant", "error_description": "Bad Request"}', "file", "new JSON key"),
    ("<html>502</html>", "file", "(refused)"),
], ids=["key", "clock", "revoked", "adc", "temporary", "as-text", "html"])
def test_each_token_refusal_says_what_to_do(data: object, mode: str, words: str) -> None:
    assert words in token_error(data, mode, "sync.toml" if mode == "oauth" else "k.json").line()
