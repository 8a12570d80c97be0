"""Signing in to Google: a service account key file, the OAuth user flow, or ADC.

Key material is only ever handed to google-auth: it is never logged, printed, stored in the
workbook or the sync state, nor quoted in an error (errors name the file, not its content).
The OAuth token cache lives in the user's configuration folder with mode 0600.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import google.auth
import requests
from google.auth.credentials import Credentials
from google.auth.exceptions import (
    DefaultCredentialsError,
    GoogleAuthError,
    RefreshError,
    TransportError,
)
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from addin.errors import SheetsApiError, SyncConfigError
from addin.workbook.files import atomic_write
from sheets_sync.config import OAUTH_CLIENT_ENV, SyncConfig

DRIVE_METADATA_SCOPE = "https://www.googleapis.com/auth/drive.metadata.readonly"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets", DRIVE_METADATA_SCOPE)
"""Sheets to read and write the tabs; Drive metadata (read-only: no file content) to ask
whether the spreadsheet changed since the last sync, one tiny request instead of a full read."""

TOKEN_FILE = "google-token.json"


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """The user's potentiel configuration folder (XDG on Linux/macOS, APPDATA on Windows)."""
    env = os.environ if env is None else env
    if sys.platform == "win32" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "potentiel"
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "potentiel"


def credentials_for(config: SyncConfig, *, env: Mapping[str, str] | None = None,
                    interactive: bool = True) -> Credentials | None:
    """The credentials the configuration asks for (None for ``"none"``: emulator only)."""
    if config.credentials == "none":
        return None
    if config.credentials_file is not None:
        return service_account_credentials(config.credentials_file)
    if config.credentials == "oauth":
        return oauth_credentials(config.oauth_client, config_dir(env) / TOKEN_FILE,
                                 interactive=interactive)
    return default_credentials()


def service_account_credentials(path: Path) -> Credentials:
    """Credentials from a service account key file."""
    if not path.is_file():
        raise SyncConfigError(f"the service account key file {path} does not exist",
                              hint="Download a JSON key for the service account in the Google "
                                   "Cloud console and give its path in 'credentials'.")
    try:
        return service_account.Credentials.from_service_account_file(str(path), scopes=SCOPES)
    except (ValueError, KeyError, OSError, GoogleAuthError):
        # The underlying message may quote the file; name the file only.
        raise SyncConfigError(f"{path} is not a usable service account key file",
                              hint="Use the JSON key file Google Cloud gives for a service "
                                   "account (type \"service_account\").") from None


def default_credentials() -> Credentials:
    """Application default credentials (gcloud, GOOGLE_APPLICATION_CREDENTIALS, metadata)."""
    try:
        credentials, _project = google.auth.default(scopes=SCOPES)
    except DefaultCredentialsError:
        raise SyncConfigError("no Google application default credentials were found",
                              hint="Run `gcloud auth application-default login`, set "
                                   "GOOGLE_APPLICATION_CREDENTIALS to a key file, or name a key "
                                   "file in 'credentials'.") from None
    return credentials


def oauth_credentials(client_secrets: Path | None, token_path: Path, *,
                      interactive: bool = True) -> user_credentials.Credentials:
    """User credentials: the cached token, refreshed if needed, else the browser flow once."""
    cached = _cached_token(token_path)
    if cached is not None and cached.valid:
        return cached
    if cached is not None and cached.refresh_token:
        try:
            cached.refresh(Request())
        except RefreshError:
            cached = None  # revoked or expired for good: sign in again
        except TransportError:
            raise SheetsApiError("Google could not be reached to renew the sign-in",
                                 hint="Check the internet connection, then sync again.") from None
        else:
            save_token(cached, token_path)
            return cached
    if not interactive:
        raise SyncConfigError("no valid Google sign-in is cached and this run cannot ask for one",
                              hint="Run `potentiel sync` once by hand to sign in again.")
    if client_secrets is None or not client_secrets.is_file():
        raise SyncConfigError(f"the OAuth client file {client_secrets or '(not set)'} does not "
                              "exist", hint=f"Set 'oauth_client' or {OAUTH_CLIENT_ENV} to the "
                                            "client_secret JSON of a desktop OAuth client.")
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=SCOPES)
    except (ValueError, KeyError, OSError):
        raise SyncConfigError(f"{client_secrets} is not an OAuth client file",
                              hint="Download the JSON of a desktop OAuth client.") from None
    credentials = flow.run_local_server(port=0, open_browser=True)
    save_token(credentials, token_path)
    return credentials


def _cached_token(path: Path) -> user_credentials.Credentials | None:
    """The cached user token, or None if absent or unreadable (then the flow runs again).

    It keeps the scopes it was granted: asking a refresh for more (a token from before the
    Drive scope) would be refused and stop scheduled runs; without the Drive scope the runs
    simply read in full, and the run log says how to sign in again.
    """
    try:
        return user_credentials.Credentials.from_authorized_user_file(str(path))
    except (OSError, ValueError, KeyError):
        return None


def save_token(credentials: user_credentials.Credentials, path: Path) -> None:
    """Write the user token readable by its owner only (0600), replacing any old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, credentials.to_json().encode("utf-8"), mode=0o600)


def authorized_session(credentials: Credentials | None) -> requests.Session:
    """The session that signs requests (a plain one without credentials, for an emulator)."""
    return AuthorizedSession(credentials) if credentials is not None else requests.Session()
