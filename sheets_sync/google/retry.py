"""Our retry policy for Sheets API requests, as a ``requests`` session gspread sends through.

gspread's own ``BackOffHTTPClient`` retries forever and repeats writes; a sync cannot afford
either.  :class:`RetrySession` wraps the session that really sends (auth, endpoint) and:

* retries reads (GET) on 429, 500, 502, 503, 504, timeouts and broken connections, with capped,
  jittered exponential backoff that waits at least what ``Retry-After`` asks;
* retries a write only when Google certainly did not apply it: a 429 (quota: refused before
  doing anything) or a connection that could not even be opened;
* never repeats a write whose outcome is unknown (a timeout, a reset or a 5xx after the request
  was sent): it raises :class:`WriteOutcomeUnknown`, and the run re-reads both sides and plans
  again, so nothing is applied twice;
* gives up with :class:`~addin.errors.SheetsApiError` after ``attempts`` tries or once the next
  wait would pass ``max_total`` seconds.

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

from addin.errors import SheetsApiError, SyncError

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_TRANSPORT_ERRORS = (requests.ConnectionError, requests.Timeout,
                     requests.exceptions.ChunkedEncodingError,
                     requests.exceptions.ContentDecodingError)


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

    def __post_init__(self) -> None:
        if self.attempts < 1 or min(self.base_delay, self.max_delay, self.max_total) < 0 \
                or self.timeout <= 0:
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


def _describe(response: requests.Response | None, err: Exception | None) -> str:
    if response is not None:
        return f"HTTP {response.status_code} {response.reason or ''}".rstrip()
    return type(err).__name__ if err is not None else "no answer"


class RetrySession(requests.Session):
    """A session applying :class:`RetryPolicy` to every request sent through ``base``.

    ``sleep``, ``rand`` and ``clock`` are injectable so tests run without waiting.  ``sent``
    counts the HTTP requests really sent (for the run log).
    """

    def __init__(self, base: requests.Session | None = None,
                 policy: RetryPolicy | None = None, *,
                 sleep: Callable[[float], None] = time.sleep,
                 rand: Callable[[], float] = random.random,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.base = base
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._rand = rand
        self._clock = clock
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
        read = method in IDEMPOTENT_METHODS
        what = "read" if read else "write"
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
                        f"a write to Google Sheets got no answer ({type(err).__name__}); it "
                        "may or may not have been applied",
                        hint="Nothing is repeated blindly: sync again, it re-reads both sides "
                             "and applies only what is still missing.") from err
                error = err
            if response is not None:
                if response.status_code not in RETRY_STATUSES:
                    return response
                if not read and response.status_code != 429:
                    raise WriteOutcomeUnknown(
                        f"Google Sheets answered {_describe(response, None)} to a write; it "
                        "may or may not have been applied",
                        hint="Nothing is repeated blindly: sync again, it re-reads both sides "
                             "and applies only what is still missing.")
            wait = self.policy.backoff(attempt, self._rand())
            asked = retry_after(response) if response is not None else None
            if asked is not None:
                wait = max(wait, asked)
            attempt += 1
            elapsed = self._clock() - started
            if attempt >= self.policy.attempts or elapsed + wait > self.policy.max_total:
                raise SheetsApiError(
                    f"Google Sheets did not accept a {what} after {attempt} tries over "
                    f"{elapsed:.0f} s (last answer: {_describe(response, error)})",
                    status=response.status_code if response is not None else None,
                    hint="Google may be busy or the quota (60 writes a minute) used up; the "
                         "sync stopped safely, try again in a few minutes.") from error
            log.info("Sheets %s %s: %s, retry %d in %.1f s", what, method,
                     _describe(response, error), attempt, wait)
            if response is not None:
                response.close()
            self._sleep(wait)

    @contextmanager
    def trying_once(self) -> Iterator[None]:
        """Requests inside the block get one try: for a question whose failure has a cheap
        fallback, where waiting out a backoff would cost more than the fallback."""
        kept = self.policy
        self.policy = replace(kept, attempts=1)
        try:
            yield
        finally:
            self.policy = kept

    def close(self) -> None:
        """Close this session's connections and those of ``base``."""
        super().close()
        if self.base is not None:
            self.base.close()
