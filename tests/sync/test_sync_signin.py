"""OAuth sign-in under a schedule, granular consent, a tab renamed in case, and a run log that
tells the truth (skipped runs, dry runs needing a sign-in, every configuration problem at once).

The OAuth token endpoint is the local fake of :mod:`fakesheets.tokens`; the user token's
``token_uri`` points at it, as Google's points at ``oauth2.googleapis.com``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from fakesheets import FakeSheets
from fakesheets.tokens import DRIVE_SCOPE, REFRESH_TOKEN, SHEETS_SCOPE, FakeTokens
from google.oauth2 import credentials as user_credentials
from google_auth_oauthlib.flow import InstalledAppFlow
from sync_books import setup, tab

from addin.cli import main
from sheets_sync.config import load_config
from sheets_sync.google.auth import (
    SCOPES,
    TOKEN_FILE,
    granted_credentials,
    relaxed_scope,
    save_token,
)
from sheets_sync.state import SyncState


def potentiel(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture
def tokens(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTokens]:
    """The fake token endpoint; a user sign-in refreshes there (google-auth itself always
    refreshes at Google's host: POTENTIEL_TOKEN_ENDPOINT redirects that host)."""
    with FakeTokens() as fake:
        monkeypatch.setenv("POTENTIEL_TOKEN_ENDPOINT", fake.token_uri.removesuffix("/token"))
        yield fake


@pytest.fixture
def oauth(tmp_path: Path, fake_sheets: FakeSheets, sample: Path,
          monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """A sync.toml signing in with OAuth; the token cache in a temporary folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CI", raising=False)
    config, sid = setup(tmp_path, fake_sheets, sample)
    config.write_text(config.read_text().replace('credentials = "none"',
                                                 'credentials = "oauth"\n'
                                                 'oauth_client = "client_secret.json"'))
    (tmp_path / "client_secret.json").write_text("{}")
    return config, sid


def token_path(config: Path) -> Path:
    return config.parent / "home" / "potentiel" / TOKEN_FILE


def cached(config: Path, token_uri: str, *, expires_in: timedelta,
           scopes: list[str] | None = None) -> None:
    save_token(user_credentials.Credentials(
        token="ya29.cached", refresh_token=REFRESH_TOKEN, client_id="cid",
        client_secret="csec", token_uri=token_uri, scopes=scopes or list(SCOPES),
        expiry=(datetime.now(UTC) + expires_in).replace(tzinfo=None)), token_path(config))


def failure(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


def test_a_revoked_sign_in_under_a_schedule_fails_at_once_saying_how_to_sign_in(
        oauth: tuple[Path, str], tokens: FakeTokens, capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = oauth
    cached(config, tokens.token_uri, expires_in=timedelta(hours=-1))
    tokens.revoked = True
    started = datetime.now(UTC)
    assert potentiel("sync", "--config", str(config)) == 1  # stdin is no terminal: no browser
    assert datetime.now(UTC) - started < timedelta(seconds=20)
    err = failure(capsys)
    assert "the Google sign-in was revoked or has expired (invalid_grant: Token has been " \
           "expired or revoked.)" in err
    assert f"Sign in again: potentiel sync login --config {config}" in err
    with SyncState(load_config(config).state) as state:
        assert state.runs(1)["outcome"].iloc[0] == "failed"


def test_an_unreachable_refresh_exits_1(oauth: tuple[Path, str],
                                        monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = oauth
    config.write_text(config.read_text() + "[retry]\nbase_delay = 0.01\nmax_delay = 0.02\n")
    monkeypatch.setenv("POTENTIEL_TOKEN_ENDPOINT", "http://127.0.0.1:9")  # nobody listens
    cached(config, "http://127.0.0.1:9/token", expires_in=timedelta(hours=-1))
    assert potentiel("sync", "--config", str(config)) == 1
    assert "sign-in service could not be reached" in failure(capsys)


def test_a_refreshed_token_is_kept_and_used(oauth: tuple[Path, str], tokens: FakeTokens,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = oauth
    cached(config, tokens.token_uri, expires_in=timedelta(hours=-1))
    assert potentiel("sync", "--config", str(config)) == 0, capsys.readouterr().err
    assert tokens.grants == ["refresh_token"]
    assert "fake-token-endpoint-access" in token_path(config).read_text()


def test_granular_consent_without_drive_is_saved_used_and_explained_once(
        oauth: tuple[Path, str], tokens: FakeTokens, fake_sheets: FakeSheets,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config, sid = oauth
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake endpoint is plain http
    client = {"installed": {"client_id": "cid.apps.googleusercontent.com",
                            "client_secret": "csec", "token_uri": tokens.token_uri,
                            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                            "redirect_uris": ["http://localhost"]}}
    tokens.granted = (SHEETS_SCOPE,)  # the person unticked Google Drive on the consent page
    flow = InstalledAppFlow.from_client_config(client, scopes=list(SCOPES),
                                               redirect_uri="http://localhost:1/")
    with pytest.raises(Warning, match="Scope has changed"):  # what oauthlib does by default
        flow.fetch_token(code="4/granted-code")
    with relaxed_scope():
        flow.fetch_token(code="4/granted-code")
    credentials = granted_credentials(flow)
    assert credentials.scopes == [SHEETS_SCOPE] and credentials.refresh_token == REFRESH_TOKEN
    save_token(credentials, token_path(config))

    assert potentiel("sync", "--config", str(config)) == 0, capsys.readouterr().err
    fake_sheets.set_values(sid, "Hot prospects", [["Called"]], "I2")
    assert potentiel("sync", "--config", str(config)) == 0
    assert fake_sheets.request_count("drive.get") == 0  # never asked without the scope
    with SyncState(load_config(config).state) as state:
        notes = state.runs(5)["note"].dropna().tolist()
    assert len(notes) == 1 and DRIVE_SCOPE in notes[0] and "potentiel sync login" in notes[0]


def test_a_dry_run_needing_a_sign_in_says_how_to_sign_in(
        oauth: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = oauth
    assert potentiel("sync", "--config", str(config), "--dry-run") == 1
    err = failure(capsys)
    assert f"Sign in once: potentiel sync login --config {config}" in err
    assert "by hand" not in err


def test_sync_check_and_every_run_list_all_problems_at_once(
        tmp_path: Path, fake_sheets: FakeSheets, sample: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = setup(tmp_path, fake_sheets, sample)
    text = config.read_text().replace('credentials = "none"', 'credentials = "key.json"')
    text = text.replace('workbook = "customers.xlsx"', 'workbook = "missing.xlsx"')
    config.write_text(text.replace(f'spreadsheet = "{_sid(text)}"',
                                   'spreadsheet = "https://docs.google.com/spreadsheets/d/'
                                   'YOUR-SPREADSHEET-ID/edit"'))
    fake_sheets.reset_counters()
    assert potentiel("sync", "check", "--config", str(config)) == 2
    out = capsys.readouterr().out
    assert "3 problems" in out and "problem(s)" not in out
    for words in ("missing.xlsx does not exist", "placeholder", "key.json does not exist"):
        assert words in out
    assert potentiel("sync", "--config", str(config)) == 2
    err = capsys.readouterr().err
    assert "has 3 problems:\n  (1) the workbook" in err and "\n  (3) the service account key" in err
    assert fake_sheets.request_count() == 0
    config.write_text(config.read_text().replace("missing.xlsx", "customers.xlsx"))


def _sid(text: str) -> str:
    return next(line.split('"')[1] for line in text.splitlines()
                if line.startswith("spreadsheet"))


def test_a_good_configuration_checks_clean(tmp_path: Path, fake_sheets: FakeSheets,
                                           sample: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = setup(tmp_path, fake_sheets, sample)
    assert potentiel("sync", "check", "--config", str(config)) == 0
    assert "no problem found" in capsys.readouterr().out


def test_a_skipped_run_is_logged_as_skipped(tmp_path: Path, fake_sheets: FakeSheets,
                                            sample: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = setup(tmp_path, fake_sheets, sample)
    (tmp_path / "~$customers.xlsx").write_bytes(b"\x03Ann" + b" " * 50)
    assert potentiel("sync", "--config", str(config)) == 1
    with SyncState(load_config(config).state) as state:
        row = state.runs(1).iloc[0]
    assert row["outcome"] == "skipped" and "open by Ann" in row["error"]
    capsys.readouterr()
    assert potentiel("sync", "status", "--config", str(config)) == 0
    assert "skipped" in capsys.readouterr().out


def test_a_tab_renamed_only_in_case_keeps_syncing_under_its_new_name(
        tmp_path: Path, fake_sheets: FakeSheets, sample: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample)
    assert potentiel("sync", "--config", str(config)) == 0
    sheet_id = fake_sheets.sheet_properties(sid, "Hot prospects")["sheetId"]
    answer = requests.post(f"{fake_sheets.endpoint}/v4/spreadsheets/{sid}:batchUpdate", json={
        "requests": [{"updateSheetProperties": {"properties": {"sheetId": sheet_id,
                                                               "title": "hot prospects"},
                                                "fields": "title"}}]}, timeout=5)
    assert answer.ok, answer.text
    fake_sheets.set_values(sid, "hot prospects", [["Called back"]], "I2")
    capsys.readouterr()
    assert potentiel("sync", "--config", str(config)) == 0, capsys.readouterr()
    assert "1 pulled" in capsys.readouterr().out
    assert potentiel("sync", "--config", str(config), "--force") == 0
    titles = fake_sheets.sheet_titles(sid)
    assert "hot prospects" in titles and "Hot prospects" not in titles  # kept as renamed
    hot = tab(fake_sheets, sid, "hot prospects")
    assert len(hot) == 12 and hot["customer_id"].is_unique
    assert (hot["notes"] == "Called back").sum() == 1


def test_a_refresh_answering_fewer_scopes_is_kept_narrow_and_drive_never_asked(
        oauth: tuple[Path, str], tokens: FakeTokens, fake_sheets: FakeSheets,
        capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = oauth
    cached(config, tokens.token_uri, expires_in=timedelta(hours=-1))
    tokens.granted = (SHEETS_SCOPE,)  # Drive access withdrawn in the Google account since
    assert potentiel("sync", "--config", str(config)) == 0, capsys.readouterr().err
    assert '"scopes": ["https://www.googleapis.com/auth/spreadsheets"]' in \
        token_path(config).read_text()
    assert fake_sheets.request_count("drive.get") == 0
