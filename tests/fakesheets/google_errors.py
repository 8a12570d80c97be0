"""Google's error answers, as Google writes them, for fault injection.

Each body is copied from an answer Google gave and people recorded in public issue threads
(cited beside it), keeping Google's fields: ``error.code``, ``error.message``, ``error.status``,
Drive's ``error.errors[].reason``, and ``error.details[]`` with ``google.rpc.ErrorInfo`` and
``google.rpc.Help``.  Project numbers are replaced by ``123456789012``.  The token endpoint's
refusals are ``{"error": ..., "error_description": ...}`` (RFC 6749 section 5.2).
"""

from __future__ import annotations

from typing import Any

PROJECT = "123456789012"
ENABLE_SHEETS = (f"https://console.developers.google.com/apis/api/sheets.googleapis.com/"
                 f"overview?project={PROJECT}")


def _error(code: int, status: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status, **extra}}


#: Sheets API not enabled in the Cloud project (the google.rpc.Help link is the one to follow).
#: Message: associatedpress/harvester#10, home-assistant/core#79744; details: Google's
#: ErrorInfo (reason SERVICE_DISABLED) and Help link; Drive v3 says reason accessNotConfigured
#: in ``errors[]`` instead (openclaw/gogcli#415).
SHEETS_DISABLED = _error(
    403, "PERMISSION_DENIED",
    f"Google Sheets API has not been used in project {PROJECT} before or it is disabled. "
    f"Enable it by visiting {ENABLE_SHEETS} then retry. If you enabled this API recently, wait "
    "a few minutes for the action to propagate to our systems and retry.",
    details=[{"@type": "type.googleapis.com/google.rpc.Help",
              "links": [{"description": "Google developers console API activation",
                         "url": ENABLE_SHEETS}]},
             {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
              "domain": "googleapis.com",
              "metadata": {"service": "sheets.googleapis.com",
                           "consumer": f"projects/{PROJECT}"}}])

#: A token without the needed scope (analogdotnow/Analog#296, GeneralTask/task-manager#2160).
INSUFFICIENT_SCOPES = _error(
    403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.",
    errors=[{"message": "Insufficient Permission", "domain": "global",
             "reason": "insufficientPermissions"}],
    details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
              "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com",
              "metadata": {"service": "sheets.googleapis.com",
                           "method": "google.apps.sheets.v4.SpreadsheetsService.GetSpreadsheet"}}])

#: The spreadsheet is not shared with the account (Sheets API v4's plain PERMISSION_DENIED).
NOT_SHARED = _error(403, "PERMISSION_DENIED", "The caller does not have permission")

#: A write into a protected range (theoephraim/node-google-spreadsheet#20 quotes the text).
PROTECTED = _error(
    400, "INVALID_ARGUMENT",
    "You are trying to edit a protected cell or object. Please contact the spreadsheet owner to "
    "remove protection if you need to edit.")

#: Drive's per-user rate limit (labbots/google-drive-upload#192, ericberman/MyFlightbookWeb#843).
DRIVE_RATE_LIMIT = {"error": {
    "errors": [{"domain": "usageLimits", "reason": "userRateLimitExceeded",
                "message": "User rate limit exceeded."}],
    "code": 403, "message": "User rate limit exceeded."}}

#: Application default credentials of a user, without a quota project
#: (shivamguys/irctc-cypress-automation#6, for vision; the same text for every API).
NO_QUOTA_PROJECT = _error(
    403, "PERMISSION_DENIED",
    "Your application is authenticating by using local Application Default Credentials. The "
    "sheets.googleapis.com API requires a quota project, which is not set by default. To learn "
    "how to set your quota project, see "
    "https://cloud.google.com/docs/authentication/adc-troubleshooting/user-creds .",
    details=[{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
              "domain": "googleapis.com",
              "metadata": {"service": "sheets.googleapis.com",
                           "consumer": "projects/764086051850"}}])

#: What a proxy or Google's front end sends instead of JSON at times.
HTML_PAGE = (b"<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error 502 (Server "
             b"Error)!!1</title><p><b>502.</b> <ins>That\xe2\x80\x99s an error.</ins><p>The "
             b"server encountered a temporary error and could not complete your request.<p>"
             b"Please try again in 30 seconds.  <ins>That\xe2\x80\x99s all we know.</ins>")

# -- the token endpoint (oauth2.googleapis.com/token) --------------------------------------

#: A deleted or disabled service account key (googleapis/google-cloud-python#8736, #10004).
BAD_KEY = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
#: The computer's clock is off (erebusnz/gapi-google-analytics-php-interface#147).
CLOCK_SKEW = {"error": "invalid_grant",
              "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) "
                                   "and in a reasonable timeframe. Check your iat and exp "
                                   "values in the JWT claim."}
#: A revoked or expired OAuth refresh token.
REVOKED = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
