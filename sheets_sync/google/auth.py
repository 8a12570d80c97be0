"""Signing in to Google: a service account key file, the OAuth user flow, or ADC.

Key material is only ever handed to google-auth: it is never logged, printed, stored in the
workbook or the sync state, nor quoted in an error (errors name the file, not its content).
The OAuth token cache lives in the user's configuration folder with mode 0600.

Token requests go through the same retry policy as the API requests (a
:class:`~sheets_sync.google.retry.RetrySession` handed to google-auth as its transport), so a
network blip while fetching a token is retried, and a refusal (``invalid_grant``) becomes a
message saying what to do (:func:`sheets_sync.google.errors.token_error`).  The browser sign-in
runs only when a person can answer it (a terminal, not CI): a scheduled run whose sign-in was
revoked stops at once with the command to sign in again, ``potentiel sync login``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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

from addin.errors import SignInError, SyncConfigError
from addin.workbook.files import atomic_write
from sheets_sync.config import OAUTH_CLIENT_ENV, SyncConfig
from sheets_sync.google.errors import token_error, unreachable
from sheets_sync.google.retry import RetryPolicy, RetrySession
from sheets_sync.google.transport import TOKEN_HOSTS, EndpointSession

DRIVE_METADATA_SCOPE = "https://www.googleapis.com/auth/drive.metadata.readonly"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets", DRIVE_METADATA_SCOPE)
"""Sheets to read and write the tabs; Drive metadata (read-only: no file content) to ask
whether the spreadsheet changed since the last sync, one tiny request instead of a full read."""

TOKEN_FILE = "google-token.json"
SIGN_IN_SERVICE = "Google's sign-in service"
TOKEN_ENDPOINT_ENV = "POTENTIEL_TOKEN_ENDPOINT"
#: Environment variables that mark a run nobody watches (CI services set one of them).
UNATTENDED_ENV = ("CI", "POTENTIEL_UNATTENDED")


def can_ask(env: Mapping[str, str] | None = None) -> bool:
    """Whether a person can answer a browser sign-in now: a terminal, and not CI."""
    env = os.environ if env is None else env
    if any(env.get(name) for name in UNATTENDED_ENV):
        return False
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed stdin
        return False


def token_request(policy: RetryPolicy | None = None,
                  env: Mapping[str, str] | None = None) -> Request:
    """google-auth's transport for token requests, with our retry policy.

    ``POTENTIEL_TOKEN_ENDPOINT`` sends what goes to Google's token host to an emulator, as
    ``endpoint`` does for the Sheets API: google-auth always refreshes a cached user sign-in at
    ``oauth2.googleapis.com`` (it ignores the file's ``token_uri``, rightly), so this is the one
    way to exercise a refresh without Google.
    """
    env = os.environ if env is None else env
    sender = requests.Session()
    if env.get(TOKEN_ENDPOINT_ENV):
        sender = EndpointSession(env[TOKEN_ENDPOINT_ENV], sender, hosts=TOKEN_HOSTS)
    session = RetrySession(sender, policy, service=SIGN_IN_SERVICE, idempotent=True,
                           reason="sign-in")
    return Request(session)


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
                                 interactive=interactive, policy=config.retry,
                                 config_path=config.path)
    return default_credentials()


def refusal(err: RefreshError | TransportError, config: SyncConfig) -> SignInError:
    """A google-auth failure met while signing requests, in plain words."""
    if isinstance(err, TransportError):
        return unreachable("get an access token", err)
    where = {"file": str(config.credentials_file), "oauth": str(config.path)}
    data = err.args[1] if len(err.args) > 1 else (err.args[0] if err.args else "")
    return token_error(data, config.credentials, where.get(config.credentials, ""))


def login(config: SyncConfig, env: Mapping[str, str] | None = None) -> Path:
    """``potentiel sync login``: the browser sign-in, whatever is cached; returns the token
    file written."""
    if config.credentials != "oauth":
        raise SyncConfigError(f"{config.path.name} signs in with credentials = "
                              f"\"{config.credentials}\", not \"oauth\"; there is nothing to "
                              "log in to", hint="`potentiel sync login` is for credentials = "
                                                "\"oauth\".")
    path = config_dir(env) / TOKEN_FILE
    save_token(_browser_sign_in(config.oauth_client), path)
    return path


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
                      interactive: bool = True, policy: RetryPolicy | None = None,
                      config_path: Path | None = None) -> user_credentials.Credentials:
    """User credentials: the cached token, refreshed if needed, else the browser flow once
    (only when ``interactive`` and a person can answer it, see :func:`can_ask`)."""
    cached = _cached_token(token_path)
    if cached is not None and cached.valid:
        return cached
    where = str(config_path or "sync.toml")
    refused: SignInError | None = None
    if cached is not None and cached.refresh_token:
        try:
            cached.refresh(token_request(policy))
        except RefreshError as err:  # revoked or expired for good: sign in again
            data = err.args[1] if len(err.args) > 1 else ""
            refused = token_error(data, "oauth", where)
        except TransportError as err:
            raise unreachable("renew the sign-in", err) from None
        else:
            return _save(_as_granted(cached), token_path)
    if not (interactive and can_ask()):
        if refused is not None:
            raise refused
        raise SignInError("no Google sign-in is cached and this run cannot open a browser to "
                          "ask for one", hint=f"Sign in once: potentiel sync login --config "
                                              f"{where}")
    return _save(_browser_sign_in(client_secrets), token_path)


def _save(credentials: user_credentials.Credentials,
          path: Path) -> user_credentials.Credentials:
    save_token(credentials, path)
    return credentials


@contextmanager
def relaxed_scope() -> Iterator[None]:
    """Let oauthlib accept a token granted fewer scopes than asked.

    Google's consent screen lets a person untick a scope (granular consent); oauthlib then
    raises ``Warning("Scope has changed ...")`` unless ``OAUTHLIB_RELAX_TOKEN_SCOPE`` is set.
    Without the Drive scope the sync still works (it reads in full), so the narrower token is
    taken, and saved with the scopes actually granted.
    """
    kept = os.environ.get("OAUTHLIB_RELAX_TOKEN_SCOPE")
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    try:
        yield
    finally:
        if kept is None:
            os.environ.pop("OAUTHLIB_RELAX_TOKEN_SCOPE", None)
        else:
            os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = kept


def granted_credentials(flow: Any) -> user_credentials.Credentials:
    """The flow's credentials, carrying the scopes Google granted (not those asked)."""
    credentials = flow.credentials
    granted = flow.oauth2session.token.get("scope")
    if isinstance(granted, str):
        granted = granted.split()
    return _with_scopes(credentials, granted) if granted else credentials


def _as_granted(credentials: user_credentials.Credentials) -> user_credentials.Credentials:
    """A refreshed sign-in, with the scopes Google says it granted when they are fewer than
    those asked (a consent narrowed since): the next runs then know not to ask Drive."""
    granted = credentials.granted_scopes
    if not granted or set(granted) >= set(credentials.scopes or ()):
        return credentials
    return _with_scopes(credentials, granted)


def _with_scopes(credentials: user_credentials.Credentials,
                 scopes: Sequence[str]) -> user_credentials.Credentials:
    return user_credentials.Credentials(
        credentials.token, refresh_token=credentials.refresh_token,
        id_token=credentials.id_token, token_uri=credentials.token_uri,
        client_id=credentials.client_id, client_secret=credentials.client_secret,
        scopes=list(scopes), expiry=credentials.expiry)


def has_drive_scope(credentials: Credentials | None) -> bool:
    """Whether the credentials may ask Drive for the version (user tokens say their scopes;
    other credentials are assumed to, and a refusal is explained when it comes)."""
    scopes = getattr(credentials, "scopes", None)
    if not isinstance(credentials, user_credentials.Credentials) or not scopes:
        return True
    return DRIVE_METADATA_SCOPE in scopes


def _browser_sign_in(client_secrets: Path | None) -> user_credentials.Credentials:
    """The OAuth browser flow: a local page receives Google's answer."""
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
    try:
        with relaxed_scope():
            flow.run_local_server(port=0, open_browser=True)
    except (RefreshError, TransportError, requests.RequestException, OSError, ValueError) as err:
        raise SignInError(f"the browser sign-in did not complete ({type(err).__name__})",
                          hint="Run `potentiel sync login` again and accept the access in the "
                               "browser.") from None
    return granted_credentials(flow)


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


def authorized_session(credentials: Credentials | None,
                       policy: RetryPolicy | None = None) -> requests.Session:
    """The session that signs requests (a plain one without credentials, for an emulator);
    its token requests follow ``policy``."""
    if credentials is None:
        return requests.Session()
    return AuthorizedSession(credentials, auth_request=token_request(policy))
