"""The sync configuration file (TOML): read, check, and explain every mistake.

The top-level keys of SPEC section 4 are the contract; a few more are accepted (``state``,
``oauth_client``, a ``[retry]`` table).  Paths are relative to the configuration file, so a
folder holding the workbook and its ``sync.toml`` can be moved as a whole.  An unknown key is an
error rather than ignored: a typo (``segment =``) must not silently sync nothing.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from addin.core.schema import SALES_COLUMNS
from addin.errors import SyncConfigError
from sheets_sync.google.retry import RetryPolicy
from sheets_sync.google.transport import check_endpoint
from sheets_sync.merge import POLICIES
from sheets_sync.state import state_path

ENDPOINT_ENV = "POTENTIEL_SHEETS_ENDPOINT"
OAUTH_CLIENT_ENV = "POTENTIEL_OAUTH_CLIENT"
CREDENTIAL_MODES = ("oauth", "default", "none")
DEFAULT_COLUMNS = ("customer_id", "name", "email", "customer_type", "prospect_score",
                   "temperature")

_URL_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_ID = re.compile(r"[A-Za-z0-9_-]{10,}")
_KEYS = ("workbook", "spreadsheet", "credentials", "key", "segments", "columns",
         "sales_columns", "conflict", "endpoint", "state", "oauth_client", "retry",
         "status_choices")


@dataclass(frozen=True)
class SyncConfig:
    """A checked configuration; paths are absolute.

    ``credentials`` is ``"file"`` (then ``credentials_file`` is the key file), ``"oauth"``,
    ``"default"`` (application default credentials) or ``"none"`` (emulator only).
    ``segments`` is None for "all".
    """

    path: Path
    workbook: Path
    spreadsheet: str
    credentials: str = "default"
    credentials_file: Path | None = None
    key: str = "customer_id"
    segments: tuple[str, ...] | None = None
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    sales_columns: tuple[str, ...] = SALES_COLUMNS
    conflict: str = "owner-wins"
    endpoint: str | None = None
    state: Path = field(default=Path())
    oauth_client: Path | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: The status dropdown's choices; None: a default list in the workbook's language.
    status_choices: tuple[str, ...] | None = None

    @property
    def excel_columns(self) -> tuple[str, ...]:
        """The Excel-owned columns, key first when it is not listed."""
        return self.columns if self.key in self.columns else (self.key, *self.columns)


def spreadsheet_id(value: str) -> str | None:
    """The id in a spreadsheet id or URL (``https://docs.google.com/spreadsheets/d/ID/...``)."""
    value = value.strip()
    found = _URL_ID.search(value)
    if found:
        return found.group(1)
    return value if _ID.fullmatch(value) else None


class _Checker:
    """Reads typed values out of the TOML table, with messages naming the file and the key."""

    def __init__(self, path: Path, table: Mapping[str, Any]) -> None:
        self.path = path
        self.table = table

    def fail(self, key: str, expected: str) -> SyncConfigError:
        shown = repr(self.table.get(key, "(missing)"))
        return SyncConfigError(f"{self.path}: '{key}' must be {expected}, not {shown}",
                               hint=f"Fix '{key}' in {self.path.name}; `potentiel sync init` "
                                    "writes a commented example.")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "a non-empty text")
        return value.strip()

    def names(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.table.get(key, list(default))
        if (not isinstance(value, list) or not value
                or not all(isinstance(v, str) and v.strip() for v in value)):
            raise self.fail(key, "a non-empty list of names, like [\"a\", \"b\"]")
        names = tuple(v.strip() for v in value)
        if len(set(names)) != len(names):
            raise self.fail(key, "a list without repeated names")
        return names

    def file(self, value: str) -> Path:
        return (self.path.parent / Path(value).expanduser()).resolve()


def load_config(path: Path | str, env: Mapping[str, str] | None = None) -> SyncConfig:
    """Read and check a sync configuration file; ``env`` defaults to ``os.environ``."""
    path = Path(path).resolve()
    env = os.environ if env is None else env
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SyncConfigError(f"the sync configuration {path} does not exist",
                              hint="Create one with `potentiel sync init`.") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SyncConfigError(f"the sync configuration {path} cannot be read ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise SyncConfigError(f"{path} is not valid TOML: {err}",
                              hint="Check quotes and brackets on that line.") from None
    return parse_config(table, path, env)


def parse_config(table: Mapping[str, Any], path: Path,
                 env: Mapping[str, str] | None = None) -> SyncConfig:
    """Check a parsed TOML table (``path`` names the file in messages and anchors paths)."""
    env = os.environ if env is None else env
    check = _Checker(path, table)
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise SyncConfigError(f"{path}: unknown key '{unknown[0]}'",
                              hint=f"Known keys: {', '.join(_KEYS)}.")
    workbook = check.file(check.text("workbook"))
    sid = spreadsheet_id(check.text("spreadsheet"))
    if sid is None:
        raise check.fail("spreadsheet", "a spreadsheet id or its full https:// address")
    key = check.text("key", "customer_id")
    segments_value = table.get("segments", "all")
    if segments_value == "all":
        segments = None
    elif isinstance(segments_value, list):
        segments = check.names("segments", ())
    else:
        raise check.fail("segments", '"all" or a list of segment names')
    columns = check.names("columns", DEFAULT_COLUMNS)
    sales = check.names("sales_columns", SALES_COLUMNS)
    shared = sorted(set(columns) & set(sales))
    if shared or key in sales:
        raise check.fail("sales_columns", f"columns not also in 'columns' or the key "
                                          f"({', '.join(shared or [key])} is in both)")
    conflict = check.text("conflict", "owner-wins")
    if conflict not in POLICIES:
        raise check.fail("conflict", " or ".join(f'"{p}"' for p in POLICIES))
    raw_endpoint = table.get("endpoint") or env.get(ENDPOINT_ENV) or None
    endpoint = check_endpoint(str(raw_endpoint)) if raw_endpoint else None
    credentials = check.text("credentials", "default")
    credentials_file = None
    if credentials not in CREDENTIAL_MODES:
        credentials_file = check.file(credentials)
        credentials = "file"
    if credentials == "none" and endpoint is None:
        raise check.fail("credentials", f'a key file, "oauth" or "default" ("none" works only '
                                        f"with an emulator 'endpoint' or {ENDPOINT_ENV})")
    oauth_client = table.get("oauth_client") or env.get(OAUTH_CLIENT_ENV)
    state = table.get("state")
    return SyncConfig(
        path=path, workbook=workbook, spreadsheet=sid, credentials=credentials,
        credentials_file=credentials_file, key=key, segments=segments, columns=columns,
        sales_columns=sales, conflict=conflict, endpoint=endpoint,
        state=check.file(check.text("state")) if state is not None
        else state_path(workbook),
        oauth_client=check.file(str(oauth_client)) if oauth_client else None,
        retry=_retry(check, table.get("retry", {})),
        status_choices=check.names("status_choices", ()) if "status_choices" in table
        else None,
    )


def _retry(check: _Checker, table: Any) -> RetryPolicy:
    """The ``[retry]`` table: attempts, base_delay, max_delay, max_total, timeout,
    quota_window (seconds)."""
    names = [f.name for f in fields(RetryPolicy)]
    if not isinstance(table, dict) or set(table) - set(names):
        raise check.fail("retry", f"a table with some of {', '.join(names)}")
    values: dict[str, Any] = {}
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise check.fail("retry", f"a table of non-negative numbers ('{name}' is not)")
        values[name] = int(value) if name == "attempts" else float(value)
    try:
        return RetryPolicy(**values)
    except ValueError:
        raise check.fail("retry", "at least 1 attempt and a timeout above 0") from None


def sample_config() -> str:
    """A commented configuration to start from (what `potentiel sync init` writes)."""
    return '''\
# potentiel: Google Sheets sync configuration.
# Paths are relative to this file.

workbook = "customers.xlsx"

# The spreadsheet's id, or its full address from the browser.
spreadsheet = "https://docs.google.com/spreadsheets/d/YOUR-SPREADSHEET-ID/edit"

# How to sign in to Google:
#   a service account key file, e.g. "service_account.json" (share the spreadsheet with the
#   account's e-mail address), "oauth" (a browser window asks you once; the token is kept in
#   your user configuration folder), or "default" (gcloud application default credentials,
#   or the file named by GOOGLE_APPLICATION_CREDENTIALS).
credentials = "service_account.json"
# oauth_client = "client_secret.json"   # with credentials = "oauth"

key = "customer_id"

# The segments to publish, one tab each, or "all".
segments = ["Hot prospects", "Lost customers"]

# Columns computed by the workbook (read-only for sales; edits there are undone and kept
# in the Conflicts sheet).
columns = ["customer_id", "name", "email", "customer_type", "prospect_score", "temperature"]

# Columns the sales team fills in; their edits come back into the workbook.
sales_columns = ["status", "owner", "notes", "next_action"]

# The choices of the status column's dropdown (other text is still accepted, with a
# warning mark).  Without this line: a default list in the workbook's language.
# status_choices = ["to call", "called", "call back", "meeting booked", "won", "not interested"]

# When both sides changed the same cell: "owner-wins" (the column's owner), "excel-wins"
# or "sheets-wins".  Every conflict is recorded with both values.
conflict = "owner-wins"

# For tests: send every Sheets call to an emulator (then credentials = "none" is accepted).
# endpoint = "http://127.0.0.1:8080"

# [retry]
# attempts = 6        # tries per request
# max_total = 120     # seconds of waiting before giving up
# timeout = 60        # seconds per request
# quota_window = 70   # seconds a quota refusal without Retry-After is waited out
'''
