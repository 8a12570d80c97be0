"""The sync configuration file (TOML): read, check, and explain every mistake.

The top-level keys of SPEC section 4 are the contract; a few more are accepted (``state``,
``oauth_client``, a ``[retry]`` table).  Paths are relative to the configuration file, so a
folder holding the workbook and its ``sync.toml`` can be moved as a whole.  An unknown key is an
error rather than ignored: a typo (``segment =``) must not silently sync nothing.  Every unknown
key and every value of the wrong kind is reported in one error, one problem a line, so a person
fixes the file in one go; only a TOML syntax error stops at the first (its line and column).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from addin.core.messages import plural
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
_RETRY_KEYS = tuple(f.name for f in fields(RetryPolicy))
_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


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
    """Reads typed values out of the TOML table and collects every mistake, each naming its
    key and what it should be, so a person fixes the whole file in one go."""

    def __init__(self, path: Path, table: Mapping[str, Any]) -> None:
        self.path = path
        self.table = table
        self.found: list[str] = []

    def bad(self, key: str, expected: str) -> None:
        shown = repr(self.table.get(key, "(missing)"))
        self.found.append(f"'{key}' must be {expected}, not {shown}")

    def text(self, key: str, default: str | None = None) -> str:
        """The text, stripped; ``""`` (never valid) when it is missing or not text."""
        value = self.table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.bad(key, "a non-empty text")
            return ""
        return value.strip()

    def names(self, key: str, default: tuple[str, ...]) -> tuple[str, ...] | None:
        value = self.table.get(key, list(default))
        if (not isinstance(value, list) or not value
                or not all(isinstance(v, str) and v.strip() for v in value)):
            self.bad(key, "a non-empty list of names, like [\"a\", \"b\"]")
            return None
        names = tuple(v.strip() for v in value)
        if len(set(names)) != len(names):
            self.bad(key, "a list without repeated names")
            return None
        return names

    def file(self, value: str) -> Path:
        return (self.path.parent / Path(value).expanduser()).resolve()

    def unknown(self, keys: Iterable[str], known: Sequence[str], table: str = "") -> None:
        """Unknown keys, each with the known key it is probably a typo of, or where it
        belongs when it is a key of the other level (above or under ``[retry]``)."""
        where = f" in [{table}]" if table else ""
        for key in sorted(keys):
            if table and key in _KEYS:
                why = f"it is a top-level key: move it above the [{table}] line"
            elif not table and key in _RETRY_KEYS:
                why = "it belongs in the [retry] table"
            else:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                why = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(known)}"
            self.found.append(f"unknown key '{key}'{where} ({why})")

    def raise_found(self) -> None:
        """One error listing everything found (nothing found: no error)."""
        if self.found:
            raise problems_error(str(self.path), self.found,
                                 f"Fix {self.path.name}; `potentiel sync init NEW.toml` writes a "
                                 "commented example.")


def problems_error(where: str, found: Sequence[str], hint: str | None = None) -> SyncConfigError:
    """The problems of a configuration as one error, one problem a line and numbered (a log
    shows the error on one line, where the numbers keep them apart)."""
    if len(found) == 1:
        return SyncConfigError(f"{where}: {found[0]}", hint=hint)
    listed = "".join(f"\n  ({i}) {p}" for i, p in enumerate(found, 1))
    return SyncConfigError(f"{where} has {plural(len(found), 'problem', 'problems')}:{listed}",
                           hint=hint)


def load_config(path: Path | str, env: Mapping[str, str] | None = None) -> SyncConfig:
    """Read and check a sync configuration file; ``env`` defaults to ``os.environ``."""
    path = Path(path).resolve()
    env = os.environ if env is None else env
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SyncConfigError(f"the sync configuration {path} does not exist",
                              hint="Create one with `potentiel sync init`.") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SyncConfigError(f"the sync configuration {path} cannot be read ({err})") from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _syntax_error(path, text, err) from None
    return parse_config(table, path, env)


def _syntax_error(path: Path, text: str, err: tomllib.TOMLDecodeError) -> SyncConfigError:
    """Bad TOML: the line and column, and the line as written (the parser stops there)."""
    at = _AT.search(str(err))
    what = _AT.sub("", str(err)).strip()
    if at is None:
        return SyncConfigError(f"{path} is not valid TOML: {what}",
                               hint="Check quotes and brackets.")
    line, column = int(at.group(1)), int(at.group(2))
    lines = text.splitlines()
    shown = f": {lines[line - 1].strip()!r}" if 0 < line <= len(lines) else ""
    return SyncConfigError(f"{path} is not valid TOML: line {line}, column {column}: "
                           f"{what[:1].lower()}{what[1:]}{shown}",
                           hint="Check the quotes, brackets and '=' on that line (text goes "
                                'in double quotes: workbook = "customers.xlsx").')


def parse_config(table: Mapping[str, Any], path: Path,
                 env: Mapping[str, str] | None = None) -> SyncConfig:
    """Check a parsed TOML table (``path`` names the file in messages and anchors paths).

    Every unknown key and every value of the wrong kind is reported in one error."""
    env = os.environ if env is None else env
    check = _Checker(path, table)
    check.unknown(set(table) - set(_KEYS), _KEYS)
    workbook = check.text("workbook")
    given = check.text("spreadsheet")
    sid = spreadsheet_id(given) or ""
    if given and not sid:
        check.bad("spreadsheet", "a spreadsheet id or its full https:// address")
    key = check.text("key", "customer_id")
    segments_value = table.get("segments", "all")
    segments: tuple[str, ...] | None = None
    if isinstance(segments_value, list):
        segments = check.names("segments", ())
    elif segments_value != "all":
        check.bad("segments", '"all" or a list of segment names')
    columns = check.names("columns", DEFAULT_COLUMNS)
    sales = check.names("sales_columns", SALES_COLUMNS)
    if columns is not None and sales is not None and key:
        shared = sorted(set(columns) & set(sales))
        if shared or key in sales:
            check.bad("sales_columns", f"columns not also in 'columns' or the key "
                                       f"({', '.join(shared or [key])} is in both)")
    conflict = check.text("conflict", "owner-wins")
    if conflict and conflict not in POLICIES:
        check.bad("conflict", " or ".join(f'"{p}"' for p in POLICIES))
    raw_endpoint = table.get("endpoint") or env.get(ENDPOINT_ENV) or None
    endpoint = _endpoint(check, raw_endpoint)
    credentials = check.text("credentials", "default")
    credentials_file = None
    if credentials and credentials not in CREDENTIAL_MODES:
        credentials_file = check.file(credentials)
        credentials = "file"
    if credentials == "none" and raw_endpoint is None:
        check.bad("credentials", f'a key file, "oauth" or "default" ("none" works only with '
                                 f"an emulator 'endpoint' or {ENDPOINT_ENV})")
    oauth_client = table.get("oauth_client") or env.get(OAUTH_CLIENT_ENV)
    if oauth_client is not None and not isinstance(oauth_client, str):
        check.bad("oauth_client", "the path of an OAuth client file, in quotes")
        oauth_client = None
    state = check.text("state") if "state" in table else None
    retry = _retry(check, table.get("retry", {}))
    choices = check.names("status_choices", ()) if "status_choices" in table else None
    check.raise_found()
    book = check.file(workbook)
    return SyncConfig(
        path=path, workbook=book, spreadsheet=sid,
        credentials=credentials, credentials_file=credentials_file, key=key,
        segments=segments, columns=columns or DEFAULT_COLUMNS,
        sales_columns=sales or SALES_COLUMNS, conflict=conflict, endpoint=endpoint,
        state=check.file(state) if state is not None else state_path(book),
        oauth_client=check.file(oauth_client) if oauth_client else None,
        retry=retry or RetryPolicy(), status_choices=choices,
    )


def _endpoint(check: _Checker, raw: Any) -> str | None:
    """The emulator address, if any (a bad one is recorded)."""
    if raw is None:
        return None
    try:
        return check_endpoint(str(raw))
    except SyncConfigError as err:
        check.found.append(f"'endpoint': {err.message.rstrip('.')} ({err.hint})")
        return None


def _retry(check: _Checker, table: Any) -> RetryPolicy | None:
    """The ``[retry]`` table: attempts, base_delay, max_delay, max_total, timeout,
    quota_window (seconds)."""
    if not isinstance(table, dict):
        check.bad("retry", f"a table with some of {', '.join(_RETRY_KEYS)}")
        return None
    before = len(check.found)
    check.unknown(set(table) - set(_RETRY_KEYS), _RETRY_KEYS, "retry")
    values: dict[str, Any] = {}
    for name, value in table.items():
        if name not in _RETRY_KEYS:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            check.found.append(f"[retry] '{name}' must be a non-negative number of "
                               f"{'tries' if name == 'attempts' else 'seconds'}, not {value!r}")
            continue
        values[name] = int(value) if name == "attempts" else float(value)
    if len(check.found) > before:
        return None
    try:
        return RetryPolicy(**values)
    except ValueError:
        check.bad("retry", "at least 1 attempt and a timeout above 0")
        return None


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
