"""Sign-in: a generated service account key loads, and its text never leaks anywhere."""

from __future__ import annotations

import json
import logging
import socket
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.oauth2 import credentials as user_credentials

from addin.errors import SheetsApiError, SignInError, SyncConfigError
from sheets_sync.config import parse_config
from sheets_sync.google.auth import (
    SCOPES,
    TOKEN_FILE,
    authorized_session,
    config_dir,
    credentials_for,
    login,
    oauth_credentials,
    save_token,
    service_account_credentials,
)
from sheets_sync.google.retry import RetryPolicy

EMAIL = "sync-bot@potentiel-test.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def key_file(tmp_path: Path, pem: str) -> Path:
    path = tmp_path / "service_account.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "potentiel-test",
        "private_key_id": "0123456789abcdef", "private_key": pem, "client_email": EMAIL,
        "client_id": "1234567890", "token_uri": "https://oauth2.googleapis.com/token"}))
    return path


def secret_fragments(pem: str) -> list[str]:
    """Lines of the key body: any of them appearing anywhere is a leak."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def test_a_service_account_key_file_gives_credentials(tmp_path: Path, pem: str, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    config = parse_config({"workbook": "c.xlsx", "spreadsheet": "x" * 20,
                           "credentials": "service_account.json"}, tmp_path / "sync.toml", {})
    key_file(tmp_path, pem)
    credentials = credentials_for(config)
    assert credentials.service_account_email == EMAIL
    assert tuple(credentials.scopes) == SCOPES
    shown = repr(credentials) + str(credentials) + caplog.text + repr(vars(config))
    assert not any(fragment in shown for fragment in secret_fragments(pem))


def test_a_broken_key_file_is_named_not_quoted(tmp_path: Path, pem: str) -> None:
    path = key_file(tmp_path, pem)
    data = json.loads(path.read_text())
    data["private_key"] = pem.replace("\n", "", 3)[:-40]
    path.write_text(json.dumps(data))
    with pytest.raises(SyncConfigError) as err:
        service_account_credentials(path)
    text = str(err.value) + repr(err.value) + repr(err.value.__cause__)
    assert str(path) in text and "not a usable service account key file" in text
    assert not any(fragment in text for fragment in secret_fragments(pem))
    assert err.value.__cause__ is None and err.value.__suppress_context__


def test_a_missing_key_file_says_where_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(SyncConfigError, match="does not exist") as err:
        service_account_credentials(tmp_path / "nope.json")
    assert "Google Cloud console" in str(err.value)


def test_default_credentials_follow_the_environment(tmp_path: Path, pem: str,
                                                    monkeypatch) -> None:
    config = parse_config({"workbook": "c.xlsx", "spreadsheet": "x" * 20},
                          tmp_path / "sync.toml", {})
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file(tmp_path, pem)))
    assert credentials_for(config).service_account_email == EMAIL
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "gone.json"))
    with pytest.raises(SyncConfigError):
        credentials_for(config)


def test_no_credentials_for_an_emulator(tmp_path: Path) -> None:
    config = parse_config({"workbook": "c.xlsx", "spreadsheet": "x" * 20, "credentials": "none",
                           "endpoint": "http://127.0.0.1:1"}, tmp_path / "sync.toml", {})
    assert credentials_for(config) is None
    assert "Authorization" not in authorized_session(None).headers


def user_token(expires_in: timedelta, refresh: str | None = "1//refresh",
               token_uri: str = "https://oauth2.googleapis.com/token",
               ) -> user_credentials.Credentials:
    return user_credentials.Credentials(
        token="ya29.test-token", refresh_token=refresh, client_id="cid", client_secret="csec",
        token_uri=token_uri, scopes=list(SCOPES),
        expiry=(datetime.now(UTC) + expires_in).replace(tzinfo=None))


def test_the_oauth_token_is_cached_owner_only_and_reused(tmp_path: Path) -> None:
    path = config_dir({"XDG_CONFIG_HOME": str(tmp_path)}) / TOKEN_FILE
    save_token(user_token(timedelta(hours=1)), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = oauth_credentials(None, path, interactive=False)
    assert again.token == "ya29.test-token"


def test_an_expired_token_is_renewed_or_the_failure_explained(tmp_path: Path) -> None:
    path = tmp_path / TOKEN_FILE
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/token"
    save_token(user_token(timedelta(hours=-1), token_uri=closed), path)
    fast = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
    with pytest.raises(SheetsApiError, match="sign-in service could not be reached after 3"):
        oauth_credentials(None, path, interactive=False, policy=fast)


def test_without_a_usable_token_a_person_must_sign_in(tmp_path: Path) -> None:
    path = tmp_path / TOKEN_FILE
    path.write_text("{}")
    with pytest.raises(SignInError, match="no Google sign-in is cached") as err:
        oauth_credentials(None, path, interactive=False)
    assert "potentiel sync login" in str(err.value)
    # No terminal (a schedule, CI, pytest): never a browser that nobody will answer.
    with pytest.raises(SignInError, match="cannot open a browser"):
        oauth_credentials(None, path, interactive=True)
    config = parse_config({"workbook": "c.xlsx", "spreadsheet": "x" * 20,
                           "credentials": "oauth"}, tmp_path / "sync.toml", {})
    with pytest.raises(SyncConfigError, match=r"OAuth client file \(not set\)"):
        login(config, {"XDG_CONFIG_HOME": str(tmp_path)})
