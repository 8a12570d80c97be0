"""Google's refusals, in plain words: one message per cause, each saying what to do.

Google's API errors carry their cause in machine-readable fields: ``error.status``
(``PERMISSION_DENIED``...), ``error.errors[].reason`` (Drive v3 and older APIs:
``accessNotConfigured``, ``userRateLimitExceeded``, ``insufficientPermissions``...) and
``error.details[]`` (``google.rpc.ErrorInfo`` with ``reason`` such as ``SERVICE_DISABLED`` or
``ACCESS_TOKEN_SCOPE_INSUFFICIENT``; ``google.rpc.Help`` with the console link to enable an
API).  The token endpoint answers ``{"error": "invalid_grant", "error_description": ...}``.
The message is read only where no field tells the cause (a protected range, a missing quota
project).  Nothing here quotes a credential: only Google's own error text and links.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from addin.errors import SheetsApiError, SignInError

DRIVE_SCOPE_HINT = "grant the Drive metadata scope"
RATE_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
SCOPE_REASONS = frozenset({"ACCESS_TOKEN_SCOPE_INSUFFICIENT", "insufficientPermissions"})
DISABLED_REASONS = frozenset({"accessNotConfigured", "SERVICE_DISABLED"})
#: Token endpoint errors that say "try later" (RFC 6749 4.1.2.1; google-auth retries them).
TEMPORARY_TOKEN_ERRORS = frozenset({"server_error", "temporarily_unavailable",
                                    "internal_failure"})


@dataclass(frozen=True)
class GoogleError:
    """The parts of Google's JSON error that tell the cause."""

    code: int
    status: str
    message: str
    reasons: frozenset[str]
    links: tuple[str, ...]
    service: str
    is_json: bool

    @property
    def rate_limited(self) -> bool:
        """A quota refusal (429, or Drive's 403 rate limits): worth waiting for."""
        return self.code == 429 or bool(self.reasons & RATE_REASONS)


def parse_error(response: requests.Response) -> GoogleError:
    """Read Google's error answer; a web page or an empty body is reported as such."""
    try:
        body = response.json()
        error = body["error"] if isinstance(body, dict) else None
    except (ValueError, KeyError):
        error = None
    if not isinstance(error, Mapping):
        return GoogleError(response.status_code, "", "", frozenset(), (), "", False)
    reasons: set[str] = set()
    links: list[str] = []
    extended: list[str] = []
    service = ""
    for item in error.get("errors") or []:
        if isinstance(item, Mapping):
            reasons.add(str(item.get("reason", "")))
            if item.get("extendedHelp"):
                extended.append(str(item["extendedHelp"]))
    for detail in error.get("details") or []:
        if not isinstance(detail, Mapping):
            continue
        kind = str(detail.get("@type", ""))
        if kind.endswith("google.rpc.ErrorInfo"):
            reasons.add(str(detail.get("reason", "")))
            service = str((detail.get("metadata") or {}).get("service", service))
        elif kind.endswith("google.rpc.Help"):
            links += [str(link["url"]) for link in detail.get("links") or []
                      if isinstance(link, Mapping) and link.get("url")]
    code = error.get("code")
    message = " ".join(str(error.get("message", "")).split())
    return GoogleError(code if isinstance(code, int) else response.status_code,
                       str(error.get("status", "")), message,
                       frozenset(reasons - {""}), tuple(dict.fromkeys(links + extended)),
                       service, True)


def api_error(response: requests.Response, what: str, account: str = "") -> SheetsApiError:
    """The message for Google's refusal of ``what`` (e.g. "read the tabs")."""
    err = parse_error(response)
    code = err.code
    said = f": {err.message}" if err.message else ""
    head = f"Google refused to {what} (HTTP {code}{' ' + err.status if err.status else ''})"
    if not err.is_json:
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        return SheetsApiError(f"Google answered HTTP {code} to '{what}' with a {kind} page, not "
                              "an API answer", status=code,
                              hint="A proxy, firewall or captive portal may be in the way, or "
                                   "Google had an outage; nothing was half-applied, sync again "
                                   "later.")
    if err.reasons & DISABLED_REASONS and "quota project" in err.message:
        return SheetsApiError(f"{head}: these application default credentials have no quota "
                              "project", status=code,
                              reason="quota-project",
                              hint="Run `gcloud auth application-default set-quota-project "
                                   "PROJECT_ID` with a project where the Google Sheets API is "
                                   "enabled, or use a service account key file.")
    if err.reasons & DISABLED_REASONS:
        api = {"drive.googleapis.com": "Google Drive API"}.get(err.service, "Google Sheets API")
        if "drive" in " ".join(err.links) or "Drive API" in err.message:
            api = "Google Drive API"
        link = err.links[0] if err.links else "https://console.cloud.google.com/apis/library"
        return SheetsApiError(f"{head}: the {api} is not enabled in the Google Cloud project of "
                              "these credentials", status=code,
                              reason="disabled",
                              hint=f"Enable it at {link}, wait a few minutes, then sync again.")
    if err.rate_limited:
        return SheetsApiError(f"{head}: Google's per-minute request quota is used up{said}",
                              status=code, reason="quota",
                              hint="The sync stopped safely and tries again at the next run; "
                                   "if another script shares the quota, space the runs out.")
    if err.reasons & SCOPE_REASONS or "insufficient authentication scopes" in err.message:
        return SheetsApiError(f"{head}: the sign-in does not allow this (a scope is missing)",
                              status=code, reason="scope",
                              hint="Sign in again and allow access to Google Sheets: "
                                   "`potentiel sync login --config sync.toml` with credentials "
                                   "= \"oauth\"; `gcloud auth application-default login "
                                   "--scopes=https://www.googleapis.com/auth/spreadsheets` with "
                                   "\"default\".")
    if "protected cell or object" in err.message:
        return SheetsApiError(f"{head}: a synced cell is in a protected range the account may "
                              "not edit", status=code,
                              hint="In the spreadsheet, Data > Protect sheets and ranges: "
                                   "remove the protection from the synced columns or add the "
                                   "sync's account as an editor of it, then sync again "
                                   "(nothing of this write was applied).", reason="protected")
    if code == 403:
        who = account or "the account the sync signs in as"
        return SheetsApiError(f"{head}{said}", status=code, reason="not-shared",
                              hint=f"Share the spreadsheet as Editor with {who}.")
    if code == 404:
        return SheetsApiError(f"{head}{said}", status=code,
                              hint="Check the spreadsheet id in the configuration, and that "
                                   "the spreadsheet was not deleted.")
    if code == 401:
        return SheetsApiError(f"{head}{said}", status=code,
                              hint="The sign-in was refused: sign in again (`potentiel sync "
                                   "login`) or use a new key.")
    return SheetsApiError(f"{head}{said}", status=code)


def token_error(data: Any, mode: str, where: str) -> SignInError:
    """The message for the token endpoint's refusal (``data``: its JSON answer, if any).

    ``mode`` is the configuration's ``credentials`` kind (``file``, ``oauth``, ``default``)
    and ``where`` the key file or the configuration, to name in the hint.
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            data = {}
    data = data if isinstance(data, Mapping) else {}
    code = str(data.get("error", "")) or "refused"
    said = " ".join(str(data.get("error_description") or "").split())
    detail = f"{code}: {said}" if said else code
    if code in TEMPORARY_TOKEN_ERRORS:
        return SignInError(f"Google's sign-in service had a temporary problem ({detail})",
                           hint="Nothing to do: the next run signs in again.")
    clock = any(words in said for words in ("iat and exp", "timeframe", "clock"))
    if clock:
        return SignInError(f"Google refused the sign-in because this computer's clock is off "
                           f"({detail})", hint="Set the clock right (automatic time), then "
                                               "sync again.")
    if mode == "file":
        return SignInError(f"Google refused the service account key {where} ({detail})",
                           hint="The key was deleted or the account disabled: create a new "
                                "JSON key (Google Cloud console, IAM > Service accounts > "
                                f"Keys) and put it in place of {where}; also check this "
                                "computer's clock.")
    if mode == "oauth":
        return SignInError(f"the Google sign-in was revoked or has expired ({detail})",
                           hint=f"Sign in again: potentiel sync login --config {where}")
    return SignInError(f"Google refused the application default credentials ({detail})",
                       hint="Run `gcloud auth application-default login` again, or name a key "
                            "file in 'credentials'.")


def unreachable(what: str, err: BaseException) -> SignInError:
    """Google's sign-in service could not be reached at all."""
    return SignInError(f"Google's sign-in service could not be reached to {what} "
                       f"({type(err).__name__})",
                       hint="Check the internet connection (and any proxy), then sync again; "
                            "nothing was changed.")
