"""Our retry policy for Sheets API requests, as a ``requests`` session gspread sends through.

gspread's own ``BackOffHTTPClient`` retries forever and repeats writes; a sync cannot afford
either.  :class:`RetrySession` wraps the session that really sends (auth, endpoint) and:

* retries reads (GET) on 408, 429, 500, 502, 503, 504, timeouts and broken connections, with
  capped, jittered exponential backoff that waits at least what ``Retry-After`` asks;
* retries a write only when Google certainly did not apply it: a 429 (quota: refused before
  doing anything) or a connection that could not even be opened;
* never repeats a write whose outcome is unknown (a timeout, a reset or a 5xx after the request
  was sent): it raises :class:`WriteOutcomeUnknown`, and the run re-reads both sides and plans
  again, so nothing is applied twice;
* gives up with :class:`~addin.errors.SheetsApiError` after ``attempts`` tries or once the next
  wait would pass ``max_total`` seconds; except that a quota refusal (429, or Drive's 403
  ``userRateLimitExceeded``) without ``Retry-After`` is waited out for at least
  ``quota_window`` seconds, Google's per-minute quota window, and the message then says quota.

The same class carries the token requests of google-auth (``idempotent=True``: asking for a
token twice is harmless, so every method is retried like a read).  The clock and the sleep
default to :data:`CLOCK` and :data:`SLEEP`, read when a session is made, so a test can run a
long wait in no time.

gspread stays unmodified: it is handed this session
(see :func:`sheets_sync.google.transport.open_client`).
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from addin.core.messages import plural
from addin.errors import SheetsApiError, SyncError
from sheets_sync.google.errors import parse_error

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout,
                     requests.exceptions.ChunkedEncodingError,
                     requests.exceptions.ContentDecodingError)


#: The clock and sleep of new sessions (module attributes, so tests can swap them).
CLOCK: Callable[[], float] = time.monotonic
SLEEP: Callable[[float], None] = time.sleep


class WriteOutcomeUnknown(SyncError):
    """A write was sent but its answer was lost: Google may or may not have applied it."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: tries per request, backoff bounds and the per-request timeout."""

    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 32.0
    max_total: float = 120.0
    timeout: float = 60.0
    quota_window: float = 70.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or min(self.base_delay, self.max_delay, self.max_total,
                                    self.quota_window) < 0 or self.timeout <= 0:
            raise ValueError(f"invalid retry policy {self}")

    def backoff(self, attempt: int, rand: float) -> float:
        """Seconds to wait before try ``attempt + 1``: half fixed, half random ("equal jitter")."""
        cap = min(self.max_delay, self.base_delay * 2 ** attempt)
        return cap / 2 + cap / 2 * rand


def retry_after(response: requests.Response, now: datetime | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or HTTP date), if any."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _not_sent(err: Exception) -> bool:
    """True when the connection could not be opened, so the request never left."""
    if isinstance(err, requests.ConnectTimeout):
        return True
    reason = err.args[0] if err.args else None
    return isinstance(getattr(reason, "reason", reason), NewConnectionError)


def _rate_limited(response: requests.Response) -> bool:
    """A quota refusal: 429, or a 403 whose reason is a rate limit (Drive answers so)."""
    return response.status_code == 429 or (
        response.status_code == 403 and parse_error(response).rate_limited)


def _describe(response: requests.Response | None, err: Exception | None) -> str:
    if response is not None:
        return f"HTTP {response.status_code} {response.reason or ''}".rstrip()
    return type(err).__name__ if err is not None else "no answer"


class RetrySession(requests.Session):
    """A session applying :class:`RetryPolicy` to every request sent through ``base``.

    ``sleep``, ``rand`` and ``clock`` are injectable so tests run without waiting.  ``sent``
    counts the HTTP requests really sent (for the run log).  ``service`` names who answers in
    messages; ``idempotent`` retries every method like a read (token requests); ``reason``
    tags the errors it gives up with (``"sign-in"`` for token requests: a run does not try to
    sign in again after its sign-in failed).
    """

    def __init__(self, base: requests.Session | None = None,
                 policy: RetryPolicy | None = None, *,
                 sleep: Callable[[float], None] | None = None,
                 rand: Callable[[], float] = random.random,
                 clock: Callable[[], float] | None = None,
                 service: str = "Google Sheets", idempotent: bool = False,
                 reason: str = "") -> None:
        super().__init__()
        self.base = base
        self.policy = policy or RetryPolicy()
        self._sleep = sleep or SLEEP
        self._rand = rand
        self._clock = clock or CLOCK
        self.service = service
        self.idempotent = idempotent
        self.reason = reason
        self.sent = 0

    def _send(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        self.sent += 1
        if self.base is not None:
            return self.base.request(method, url, *args, **kwargs)
        return super().request(method, url, *args, **kwargs)

    def request(self, method: str | bytes, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        method = (method.decode() if isinstance(method, bytes) else method).upper()
        url = url.decode() if isinstance(url, bytes) else url
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.policy.timeout
        read = self.idempotent or method in IDEMPOTENT_METHODS
        what = "read" if method in IDEMPOTENT_METHODS else "write"
        started = self._clock()
        attempt = 0
        while True:
            response: requests.Response | None = None
            error: Exception | None = None
            try:
                response = self._send(method, url, *args, **kwargs)
            except _TRANSPORT_ERRORS as err:
                if not (read or _not_sent(err)):
                    raise WriteOutcomeUnknown(
                        f"a write to {self.service} got no answer ({type(err).__name__}); it "
                        "may or may not have been applied",
                        hint="Nothing is repeated blindly: sync again, it re-reads both sides "
                             "and applies only what is still missing.") from err
                error = err
            quota = response is not None and _rate_limited(response)
            if response is not None:
                if response.status_code not in RETRY_STATUSES and not quota:
                    return response
                if not read and not quota:
                    raise WriteOutcomeUnknown(
                        f"{self.service} answered {_describe(response, None)} to a write; it "
                        "may or may not have been applied",
                        hint="Nothing is repeated blindly: sync again, it re-reads both sides "
                             "and applies only what is still missing.")
            wait = self.policy.backoff(attempt, self._rand())
            asked = retry_after(response) if response is not None else None
            if asked is not None:
                wait = max(wait, asked)
            attempt += 1
            elapsed = self._clock() - started
            # Without Retry-After, a quota refusal is waited out for a whole quota window.
            window = quota and asked is None and elapsed < self.policy.quota_window
            limit = max(self.policy.max_total, self.policy.quota_window + self.policy.max_delay
                        if window else 0)
            if (attempt >= self.policy.attempts and not window) or elapsed + wait > limit:
                raise self._gave_up(what, attempt, elapsed, response, error, quota) from error
            log.info("%s %s %s: %s, retry %d in %.1f s", self.service, what, method,
                     _describe(response, error), attempt, wait)
            if response is not None:
                response.close()
            self._sleep(wait)

    def _gave_up(self, what: str, attempt: int, elapsed: float,
                 response: requests.Response | None, error: Exception | None,
                 quota: bool) -> SheetsApiError:
        status = response.status_code if response is not None else None
        tries = f"after {plural(attempt, 'try', 'tries')} over {elapsed:.0f} s"
        if quota:
            return SheetsApiError(
                f"the per-minute request quota of {self.service} stayed used up {tries} "
                f"(last answer: {_describe(response, error)})", status=status,
                reason=self.reason or "quota",
                hint="The quota (about 60 requests a minute per user) is shared with every "
                     "other script of the account; the sync stopped safely and the next run "
                     "catches up. Space the runs out if it happens often.")
        if response is None:
            return SheetsApiError(
                f"{self.service} could not be reached {tries} (last: {_describe(None, error)})",
                reason=self.reason,
                hint="Check the internet connection (and any proxy); the sync stopped safely "
                     "and the next run catches up.")
        return SheetsApiError(
            f"{self.service} did not accept a {what} {tries} (last answer: "
            f"{_describe(response, error)})", status=status, reason=self.reason,
            hint="Google is having trouble; the sync stopped safely, try again in a few "
                 "minutes.")

    @contextmanager
    def trying_once(self) -> Iterator[None]:
        """Requests inside the block get one try: for a question whose failure has a cheap
        fallback, where waiting out a backoff would cost more than the fallback."""
        kept = self.policy
        self.policy = replace(kept, attempts=1, quota_window=0)
        try:
            yield
        finally:
            self.policy = kept

    def close(self) -> None:
        """Close this session's connections and those of ``base``."""
        super().close()
        if self.base is not None:
            self.base.close()
