"""The HTTP side: routing of Sheets API v4 (and the few Drive v3) URLs, the request log, and
fault injection.

Faults are decided per request before it is served: a queue of :class:`Fault` rules matched by
endpoint kind, method or path (deterministic), then an optional seeded random rate.  A fault may
be ``applied`` (the request takes effect, then the answer is replaced by the fault), which is how
a "write applied but response lost" is modelled.
"""

from __future__ import annotations

import json
import random
import re
import socket
import struct
import threading
import traceback
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

from . import a1, batch, decor, discovery, model  # noqa: F401 (decor registers handlers)
from .cells import DEFAULT_LOCALE, LOCALES, Cell, render, user_entered
from .model import ApiError, Book, Sheet

Answer = tuple[int, Any, dict[str, str]]


@dataclass(frozen=True)
class Fault:
    """What goes wrong with one request.

    ``kind`` is ``"http"`` (answer ``status``, with ``Retry-After`` when ``retry_after`` is
    set), ``"timeout"`` (wait ``delay`` seconds, then close without answering) or ``"reset"``
    (close the connection at once).  ``applied`` serves the request first, so the change is made
    but its answer never arrives.  ``body`` replaces the error answer: a JSON object, or bytes
    sent as an HTML page (what a proxy or Google's front end answers at times).
    """

    kind: str
    status: int = 0
    retry_after: float | None = None
    delay: float = 5.0
    applied: bool = False
    body: Any = None

    @classmethod
    def answer(cls, status: int, body: Any, retry_after: float | None = None) -> Fault:
        """Answer ``status`` with ``body`` (Google's JSON error, or an HTML page as bytes)."""
        return cls("http", status, retry_after, body=body)

    @classmethod
    def quota(cls, retry_after: float | None = None, *, applied: bool = False) -> Fault:
        """429 RESOURCE_EXHAUSTED, Google's per-minute quota answer."""
        return cls("http", 429, retry_after, applied=applied)

    @classmethod
    def error(
        cls, status: int = 500, retry_after: float | None = None, *, applied: bool = False
    ) -> Fault:
        """A server error: 500 INTERNAL or 503 UNAVAILABLE."""
        return cls("http", status, retry_after, applied=applied)

    @classmethod
    def timeout(cls, delay: float = 5.0, *, applied: bool = False) -> Fault:
        """No answer for ``delay`` seconds (longer than the client's timeout), then a close."""
        return cls("timeout", delay=delay, applied=applied)

    @classmethod
    def reset(cls, *, applied: bool = False) -> Fault:
        """The connection closes without an answer."""
        return cls("reset", applied=applied)

    @classmethod
    def scope(cls) -> Fault:
        """403 PERMISSION_DENIED: the credentials lack the scope (a Drive call signed for
        Sheets only)."""
        return cls("http", 403)

    @classmethod
    def lost(cls) -> Fault:
        """The request is applied, then the connection closes: the outcome is unknown."""
        return cls("reset", applied=True)

    def describe(self) -> str:
        name = f"http {self.status}" if self.kind == "http" else self.kind
        return name + (" (applied)" if self.applied else "")


#: What the random mode draws from unless told otherwise.
RANDOM_FAULTS = (
    Fault.quota(retry_after=0),
    Fault.quota(),
    Fault.error(500),
    Fault.error(503),
    Fault.reset(),
    Fault.lost(),
)


@dataclass(frozen=True)
class Logged:
    """One request as the server saw it. ``status`` is None when no answer was sent;
    ``bytes_in`` counts the request target (path and query) and body."""

    method: str
    path: str
    query: str
    kind: str
    category: str
    status: int | None
    bytes_in: int
    bytes_out: int
    fault: str | None


@dataclass
class _Rule:
    fault: Fault
    kind: str | None
    method: str | None
    path: re.Pattern[str] | None
    remaining: int | None  # None: every matching request


_SID = r"(?P<sid>[^/:?]+)"
_ROUTES = [
    (method, re.compile(pattern), kind)
    for method, pattern, kind in (
        ("POST", r"/token", "oauth.token"),
        ("GET", rf"/v4/spreadsheets/{_SID}", "spreadsheets.get"),
        ("POST", r"/v4/spreadsheets", "spreadsheets.create"),
        ("POST", rf"/v4/spreadsheets/{_SID}:batchUpdate", "spreadsheets.batchUpdate"),
        ("GET", rf"/v4/spreadsheets/{_SID}/values:batchGet", "values.batchGet"),
        ("POST", rf"/v4/spreadsheets/{_SID}/values:batchUpdate", "values.batchUpdate"),
        ("POST", rf"/v4/spreadsheets/{_SID}/values:batchClear", "values.batchClear"),
        ("POST", rf"/v4/spreadsheets/{_SID}/values/(?P<range>.+):append", "values.append"),
        ("POST", rf"/v4/spreadsheets/{_SID}/values/(?P<range>.+):clear", "values.clear"),
        ("GET", rf"/v4/spreadsheets/{_SID}/values/(?P<range>.+)", "values.get"),
        ("PUT", rf"/v4/spreadsheets/{_SID}/values/(?P<range>.+)", "values.update"),
        ("POST", r"/drive/v3/files", "drive.create"),
        ("GET", r"/drive/v3/files", "drive.list"),
        ("GET", rf"/drive/v3/files/{_SID}", "drive.get"),
        ("DELETE", rf"/drive/v3/files/{_SID}", "drive.delete"),
    )
]


#: The token the fake's OAuth endpoint hands out: a credential, it must never be stored.
ACCESS_TOKEN = "ya29.fake-access-token-0123456789"


def route(method: str, path: str) -> tuple[str, dict[str, str]]:
    """Endpoint kind (``values.get``...) and decoded path parameters; ``unknown`` if none."""
    for verb, pattern, kind in _ROUTES:
        match = pattern.fullmatch(path)
        if match and verb == method:
            return kind, {k: unquote(v) for k, v in match.groupdict().items()}
    return "unknown", {}


def category(kind: str, method: str) -> str:
    """Google's quota buckets: ``read`` and ``write`` requests; Drive calls apart."""
    if kind.startswith("drive."):
        return "drive"
    if kind.startswith("oauth."):
        return "auth"
    return "read" if method == "GET" else "write"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections end after a minute
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        with suppress(OSError):
            super().finish()
        self.server.fake._track(self.connection, add=False)

    def _serve(self) -> None:
        # A client that stops listening (a CLI exiting on the first error) is not a fault of
        # the fake: without this, the server thread prints a BrokenPipe traceback into the
        # output of whichever test is running.
        with suppress(BrokenPipeError, ConnectionResetError):
            self.server.fake._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fake keeps its own log of requests."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSheets


class FakeSheets:
    """A local Google Sheets API v4 for tests, on ``127.0.0.1`` and a free port.

    Use it as a context manager or through the ``fake_sheets`` fixture; point the code under test
    at :attr:`endpoint`.  ``fault_rate=(p, seed)`` makes each Sheets request fail with
    probability ``p``, drawing from ``random_faults``, reproducibly for a seed.
    """

    def __init__(
        self,
        *,
        fault_rate: tuple[float, int] | None = None,
        random_faults: Sequence[Fault] = RANDOM_FAULTS,
        seed: int = 0,
    ) -> None:
        self._books: dict[str, Book] = {}
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._log: list[Logged] = []
        self._rules: list[_Rule] = []
        self._random: tuple[float, random.Random, tuple[Fault, ...], str | None] | None = None
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.crashes: list[str] = []  # tracebacks of bugs in the fake itself
        #: Requests Google's discovery documents do not allow (answered 400, as Google does).
        self.invalid: list[str] = []
        #: Every ``spreadsheets:batchUpdate`` request received, in order.
        self.batch_requests: list[dict[str, Any]] = []
        if fault_rate is not None:
            self.set_fault_rate(*fault_rate, faults=random_faults)

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> FakeSheets:
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; waiting faults wake up and open connections are closed."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            with self._lock:
                connections = list(self._connections)
            for connection in connections:
                with suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeSheets:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``, the value for the ``endpoint`` setting."""
        if self._server is None:
            raise RuntimeError("FakeSheets is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # --- faults -------------------------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        kind: str | None = None,
        method: str | None = None,
        path: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Make the next ``times`` requests that match fail with ``fault`` (all of them until
        :meth:`clear_faults` when ``times`` is None).

        ``kind`` is an endpoint (``values.batchUpdate``) or a quota bucket (``read``,
        ``write``); ``path`` a regular expression searched in the decoded URL path.  Rules are
        used in the order they were added.
        """
        pattern = re.compile(path) if path else None
        with self._lock:
            self._rules.append(_Rule(fault, kind, method and method.upper(), pattern, times))

    def set_fault_rate(
        self,
        p: float,
        seed: int,
        faults: Sequence[Fault] = RANDOM_FAULTS,
        kind: str | None = None,
    ) -> None:
        """Fail each Sheets request (or each of one endpoint kind / quota bucket) with
        probability ``p``, drawing the fault from ``faults``; ``p = 0`` turns it off."""
        with self._lock:
            self._random = (p, random.Random(seed), tuple(faults), kind) if p > 0 else None

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()
            self._random = None

    def _take_fault(self, method: str, path: str, kind: str) -> Fault | None:
        bucket = category(kind, method)
        with self._lock:
            for rule in self._rules:
                if (
                    (rule.kind is None or rule.kind in (kind, bucket))
                    and (rule.method is None or rule.method == method)
                    and (rule.path is None or rule.path.search(path))
                ):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._rules.remove(rule)
                    return rule.fault
            if self._random is not None and bucket != "drive":
                p, rng, faults, only = self._random
                if (only is None or only in (kind, bucket)) and rng.random() < p:
                    return rng.choice(faults)
        return None

    # --- counting -----------------------------------------------------------------------------

    def requests(self, kind: str | None = None) -> list[Logged]:
        """Logged requests, all or of one endpoint kind / quota bucket."""
        with self._lock:
            return [e for e in self._log if kind is None or kind in (e.kind, e.category)]

    def request_count(self, kind: str | None = None) -> int:
        return len(self.requests(kind))

    def bytes_in(self, kind: str | None = None) -> int:
        """Bytes received: request targets and bodies."""
        return sum(e.bytes_in for e in self.requests(kind))

    def bytes_out(self, kind: str | None = None) -> int:
        """Bytes of response bodies sent."""
        return sum(e.bytes_out for e in self.requests(kind))

    def reset_counters(self) -> None:
        with self._lock:
            self._log.clear()

    # --- serving ------------------------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        raw_path, _, query = handler.path.partition("?")
        method = handler.command
        kind, params = route(method, raw_path)
        fault = self._take_fault(method, unquote(raw_path), kind)
        answer: Answer | None = None
        if fault is None or fault.applied:
            answer = self._answer(kind, params, query, body, f"{method} {raw_path}")
        # Every request is logged before the client can see its answer (or the dropped
        # connection), so a test reading the log right after a call never misses it.
        def log(status: int | None, sent: int) -> None:
            self._record(Logged(method, unquote(raw_path), query, kind, category(kind, method),
                                status, len(handler.path) + len(body), sent,
                                fault.describe() if fault else None))

        if fault is not None and fault.kind != "http":
            log(None, 0)
            self._drop(handler, fault)
            return
        if fault is not None:
            status, payload, headers = self._fault_answer(fault, kind, method)
        elif answer is not None:
            status, payload, headers = answer
        if isinstance(payload, bytes):  # an HTML error page
            data = payload
            headers = {**headers, "Content-Type": "text/html; charset=UTF-8"}
        else:
            data = b"" if payload is None else json.dumps(payload, indent=2).encode()
        log(status, len(data))
        self._respond(handler, status, data, headers)

    def _record(self, entry: Logged) -> None:
        with self._lock:
            self._log.append(entry)

    def _respond(self, handler: _Handler, status: int, data: bytes,
                 headers: dict[str, str]) -> None:
        handler.send_response(status)
        headers = dict(headers)
        kind = headers.pop("Content-Type", "application/json; charset=UTF-8")
        if data:
            handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _fault_answer(self, fault: Fault, kind: str, method: str) -> Answer:
        """The error answer of an HTTP fault (429/5xx), with Retry-After when it has one."""
        headers = {}
        if fault.retry_after is not None:
            seconds = fault.retry_after
            headers["Retry-After"] = str(int(seconds) if seconds == int(seconds) else seconds)
        if fault.body is not None:
            return fault.status, fault.body, headers
        return fault.status, self._fault_error(fault.status, category(kind, method)).body(), \
            headers

    def _drop(self, handler: _Handler, fault: Fault) -> None:
        """A timeout (wait, then drop) or a reset: the connection closes without an answer."""
        if fault.kind == "timeout":
            self._stopping.wait(fault.delay)
        handler.close_connection = True
        with suppress(OSError):  # RST rather than FIN: the client sees a reset
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )

    @staticmethod
    def _fault_error(status: int, bucket: str) -> ApiError:
        if status == 429:
            metric = "Read requests" if bucket == "read" else "Write requests"
            quota = metric.replace(" r", "R").replace("Requests", "RequestsPerMinutePerUser")
            return ApiError(
                429,
                f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per "
                "user' of service 'sheets.googleapis.com' for consumer "
                "'project_number:000000000000'.",
                details=[
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "RATE_LIMIT_EXCEEDED",
                        "domain": "googleapis.com",
                        "metadata": {
                            "service": "sheets.googleapis.com",
                            "quota_limit": quota,
                            "quota_metric": f"sheets.googleapis.com/{bucket}_requests",
                            "consumer": "projects/000000000000",
                        },
                    }
                ],
            )
        if status == 503:
            return ApiError(503, "The service is currently unavailable.")
        if status == 403:
            return ApiError(403, "Request had insufficient authentication scopes.")
        return ApiError(status, "Internal error encountered.")

    def _answer(
        self, kind: str, params: dict[str, str], query: str, body: bytes, target: str
    ) -> Answer:
        """Status, JSON payload and extra headers of one request; never raises.  What the fake
        does not implement answers 501 and is recorded in :attr:`crashes`."""
        args = parse_qs(query, keep_blank_values=True)
        if kind == "oauth.token":  # a service account trading its signed JWT for a token
            grant = parse_qs(body.decode())
            if "assertion" not in grant:
                return 400, {"error": "invalid_grant"}, {}
            return 200, {"access_token": ACCESS_TOKEN, "expires_in": 3600,
                         "token_type": "Bearer"}, {}
        try:
            payload = _drop_nulls(json.loads(body)) if body.strip() else {}
        except ValueError:
            return 400, ApiError(400, "Invalid JSON payload received.").body(), {}
        wrong = discovery.problems(kind, args, payload)
        if wrong:
            self.invalid += wrong
            return 400, ApiError(400, "Invalid JSON payload received. " + "; ".join(wrong)
                                 ).body(), {}
        try:
            handler = getattr(self, "_" + kind.replace(".", "_"), None)
            if handler is None:
                raise NotImplementedError(f"the fake does not implement {target}")
            result = handler(params, args, payload)
        except ApiError as err:
            return err.code, err.body(), {}
        except NotImplementedError as err:  # loud: a test relying on it must fail, not retry
            self.crashes.append(str(err))
            return 501, ApiError(501, str(err)).body(), {}
        except Exception:
            self.crashes.append(traceback.format_exc())
            return 500, ApiError(500, "Internal error encountered.").body(), {}
        if result is None:
            return 204, None, {}
        if args.get("fields"):
            result = model.select(result, model.mask_tree(",".join(args["fields"])))
        return 200, result, {}

    def _read(self, sid: str, action: Callable[[Book], Any]) -> Any:
        with self._lock:
            book = self._books.get(sid)
            if book is None:
                raise not_found()
            return action(book)

    def _write(self, sid: str, action: Callable[[Book], Any]) -> Any:
        """Run ``action`` on a copy, swapped in only if it succeeds: requests are atomic."""
        with self._lock:
            book = self._books.get(sid)
            if book is None:
                raise not_found()
            work = book.copy()
            result = action(work)
            work.modified = now()
            work.version += 1
            self._books[sid] = work
            return result

    # --- endpoints (one method per kind, named after it) ---------------------------------------

    def _spreadsheets_get(self, p: dict[str, str], q: dict[str, list[str]], _: Any) -> Any:
        grid = _flag(q, "includeGridData")
        if q.get("fields"):  # Google ignores includeGridData when a field mask is given
            sheets = model.mask_tree(",".join(q["fields"])).get("sheets", {})
            grid = sheets is None or "data" in sheets or "*" in sheets
        return self._read(p["sid"], lambda book: book.metadata(grid, q.get("ranges", [])))

    def _spreadsheets_create(self, _p: dict[str, str], _q: Any, body: dict[str, Any]) -> Any:
        props = body.get("properties") or {}
        tabs = [s.get("properties") or {} for s in body.get("sheets") or []]
        sid = self._create(props.get("title") or "Untitled spreadsheet", tabs or [{}],
                           props.get("locale"))
        return self._read(sid, lambda book: book.metadata())

    def _spreadsheets_batchUpdate(self, p: dict[str, str], _q: Any, body: dict[str, Any]) -> Any:
        requests = body.get("requests") or []
        if not requests:
            raise model.bad("Must specify at least one request.")
        with self._lock:
            self.batch_requests += requests

        def apply(book: Book) -> dict[str, Any]:
            result = {"spreadsheetId": book.id, "replies": batch.run(book, requests, self._rng)}
            if body.get("includeSpreadsheetInResponse"):
                result["updatedSpreadsheet"] = book.metadata(
                    bool(body.get("responseIncludeGridData")), body.get("responseRanges") or ()
                )
            return result

        return self._write(p["sid"], apply)

    def _values_get(self, p: dict[str, str], q: dict[str, list[str]], _: Any) -> Any:
        return self._read(p["sid"], lambda book: model.read(book, p["range"], *_render(q)))

    def _values_batchGet(self, p: dict[str, str], q: dict[str, list[str]], _: Any) -> Any:
        def read(book: Book) -> dict[str, Any]:
            ranges = [model.read(book, text, *_render(q)) for text in q.get("ranges", [])]
            return {"spreadsheetId": book.id, **({"valueRanges": ranges} if ranges else {})}

        return self._read(p["sid"], read)

    def _values_update(self, p: dict[str, str], q: dict[str, list[str]], body: Any) -> Any:
        if not q.get("valueInputOption"):
            raise model.bad("'valueInputOption' is required but not specified")
        option = model.input_option(_one(q, "valueInputOption"))
        echo = _echo(q)
        return self._write(
            p["sid"], lambda book: model.update(book, p["range"], body, option, echo)
        )

    def _values_append(self, p: dict[str, str], q: dict[str, list[str]], body: Any) -> Any:
        if not q.get("valueInputOption"):
            raise model.bad("'valueInputOption' is required but not specified")
        option = model.input_option(_one(q, "valueInputOption"))
        insert, echo = _one(q, "insertDataOption"), _echo(q)
        return self._write(
            p["sid"], lambda book: model.append(book, p["range"], body, option, insert, echo)
        )

    def _values_batchUpdate(self, p: dict[str, str], _q: Any, body: dict[str, Any]) -> Any:
        option = model.input_option(body.get("valueInputOption"))
        echo = body if body.get("includeValuesInResponse") else None

        def apply(book: Book) -> dict[str, Any]:
            responses = [
                model.update(book, data.get("range", ""), data, option, echo)
                for data in body.get("data") or []
            ]
            result: dict[str, Any] = {"spreadsheetId": book.id}
            done = [r for r in responses if "updatedRange" in r]
            if done:
                result.update(
                    totalUpdatedRows=sum(r["updatedRows"] for r in done),
                    totalUpdatedColumns=sum(r["updatedColumns"] for r in done),
                    totalUpdatedCells=sum(r["updatedCells"] for r in done),
                    totalUpdatedSheets=len({r["updatedRange"].rsplit("!", 1)[0] for r in done}),
                )
            if responses:
                result["responses"] = responses
            return result

        return self._write(p["sid"], apply)

    def _values_clear(self, p: dict[str, str], _q: Any, _body: Any) -> Any:
        def apply(book: Book) -> dict[str, Any]:
            return {"spreadsheetId": book.id, "clearedRange": model.clear(book, p["range"])}

        return self._write(p["sid"], apply)

    def _values_batchClear(self, p: dict[str, str], _q: Any, body: dict[str, Any]) -> Any:
        def apply(book: Book) -> dict[str, Any]:
            cleared = [model.clear(book, text) for text in body.get("ranges") or []]
            return {"spreadsheetId": book.id, "clearedRanges": cleared}

        return self._write(p["sid"], apply)

    def _drive_create(self, _p: dict[str, str], _q: Any, body: dict[str, Any]) -> Any:
        sid = self._create(body.get("name") or "Untitled spreadsheet", [{}])
        return {
            "kind": "drive#file",
            "id": sid,
            "name": self._books[sid].title,
            "mimeType": "application/vnd.google-apps.spreadsheet",
        }

    def _drive_list(self, _p: dict[str, str], q: dict[str, list[str]], _: Any) -> Any:
        name = re.search(r'name\s*=\s*"((?:[^"\\]|\\.)*)"', _one(q, "q") or "")
        with self._lock:
            books = [b for b in self._books.values() if not name or b.title == name.group(1)]
            files = [_drive_file(b) for b in books]
        return {"kind": "drive#fileList", "incompleteSearch": False, "files": files}

    def _drive_get(self, p: dict[str, str], _q: Any, _: Any) -> Any:
        return self._read(p["sid"], _drive_file)

    def _drive_delete(self, p: dict[str, str], _q: Any, _: Any) -> None:
        with self._lock:
            if self._books.pop(p["sid"], None) is None:
                raise not_found()

    # --- test helpers: the spreadsheet as the sales team sees it ------------------------------

    def _create(self, title: str, tabs: Sequence[dict[str, Any]],
                locale: str | None = None) -> str:
        with self._lock:
            sid = "".join(self._rng.choice(_ID_CHARS) for _ in range(44))
            stamp = now()
            props = {
                "title": title,
                "locale": locale or DEFAULT_LOCALE,
                "autoRecalc": "ON_CHANGE",
                "timeZone": "Etc/GMT",
            }
            book = Book(sid, props, [], stamp, stamp)
            for i, tab in enumerate(tabs):
                tab = {"sheetId": 0, **tab} if i == 0 else tab
                batch.run(book, [{"addSheet": {"properties": tab}}], self._rng)
            self._books[sid] = book
            return sid

    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        sheets: Sequence[str] = ("Sheet1",),
        rows: int = 1000,
        cols: int = 26,
        locale: str = DEFAULT_LOCALE,
    ) -> str:
        """A new spreadsheet with these tabs (first one gid 0) in ``locale`` (one of
        :data:`~fakesheets.cells.LOCALES`: how it shows numbers and dates); returns its id."""
        if locale not in LOCALES:
            raise ValueError(f"the fake shows no locale {locale!r}: one of {sorted(LOCALES)}")
        grid = {"rowCount": rows, "columnCount": cols}
        tabs = [{"title": t, "gridProperties": dict(grid)} for t in sheets]
        return self._create(title, tabs, locale)

    def set_locale(self, sid: str, locale: str) -> None:
        """A person picks File > Settings > Locale: numbers and dates show the new way."""
        if locale not in LOCALES:
            raise ValueError(f"the fake shows no locale {locale!r}: one of {sorted(LOCALES)}")
        request = {"updateSpreadsheetProperties": {"properties": {"locale": locale},
                                                   "fields": "locale"}}
        self._write(sid, lambda book: batch.run(book, [request], self._rng))

    def add_sheet(self, sid: str, title: str, rows: int = 1000, cols: int = 26) -> int:
        """Add a tab at the end; returns its sheetId."""
        request = {
            "addSheet": {
                "properties": {
                    "title": title,
                    "gridProperties": {"rowCount": rows, "columnCount": cols},
                }
            }
        }
        replies = self._write(sid, lambda book: batch.run(book, [request], self._rng))
        return replies[0]["addSheet"]["properties"]["sheetId"]

    def snapshot(self, sid: str) -> Book:
        """A copy of a spreadsheet as it is now (for helpers that show it as a person sees)."""
        return self._read(sid, lambda book: book.copy())

    def sheet_titles(self, sid: str) -> list[str]:
        return self._read(sid, lambda book: [s.title for s in book.sheets])

    def sheet_properties(self, sid: str, title: str) -> dict[str, Any]:
        """SheetProperties JSON of a tab, as ``spreadsheets.get`` returns it."""

        def props(book: Book) -> dict[str, Any]:
            sheet = _tab(book, title)
            return sheet.properties(book.sheets.index(sheet))

        return self._read(sid, props)

    def protected_ranges(self, sid: str, title: str) -> list[dict[str, Any]]:
        return self._read(sid, lambda book: [dict(p) for p in _tab(book, title).protected])

    def sheet_values(
        self, sid: str, title: str, render_option: str = "FORMATTED_VALUE"
    ) -> list[list[Any]]:
        """The tab's content from A1 to its last used cell, as a rectangle padded with ``""``."""

        def grid(book: Book) -> list[list[Any]]:
            sheet = _tab(book, title)
            used = sheet.used(model.Box(0, 0, sheet.rows, sheet.cols))
            if used is None:
                return []
            return [
                [render(sheet.get(r, c), render_option, locale=book.locale)
                 for c in range(used.col1)]
                for r in range(used.row1)
            ]

        return self._read(sid, grid)

    def cell(self, sid: str, title: str, ref: str) -> tuple[Any, bool]:
        """``(content, is_formula)`` of one cell: the formula text for a formula, else the
        stored value (str, float, bool, or None when blank)."""
        span = a1.parse(ref)

        def look(book: Book) -> tuple[Any, bool]:
            cell = _tab(book, title).get(span.row0 or 0, span.col0 or 0) or Cell()
            return (cell.formula, True) if cell.formula else (cell.value, False)

        return self._read(sid, look)

    def formulas(self, sid: str) -> dict[str, str]:
        """Every cell stored as a formula, ``{"'Tab name'!B2": "=..."}``; empty means safe."""

        def find(book: Book) -> dict[str, str]:
            return {
                f"{a1.quote_title(sheet.title)}!{a1.cell_label(r, c)}": cell.formula
                for sheet in book.sheets
                for r, row in sorted(sheet.grid.items())
                for c, cell in sorted(row.items())
                if cell.formula
            }

        return self._read(sid, find)

    def set_values(
        self, sid: str, title: str, rows: Sequence[Sequence[Any]], start: str = "A1"
    ) -> None:
        """Type ``rows`` into a tab from ``start``, as a person would (USER_ENTERED); ``None``
        leaves a cell alone; the tab grows if needed."""
        span = a1.parse(start)

        def type_in(book: Book) -> None:
            sheet = _tab(book, title)
            row0, col0 = span.row0 or 0, span.col0 or 0
            width = max((len(r) for r in rows), default=0)
            sheet.resize(max(sheet.rows, row0 + len(rows)), max(sheet.cols, col0 + width))
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    if value is not None:
                        cell = sheet.get(row0 + i, col0 + j) or Cell()
                        sheet.put(row0 + i, col0 + j, user_entered(value, cell))

        self._write(sid, type_in)


_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _tab(book: Book, title: str) -> Sheet:
    sheet = book.find(title)
    if sheet is None:
        raise KeyError(f"no tab {title!r} in spreadsheet {book.id}")
    return sheet


def _one(q: dict[str, list[str]], name: str) -> str | None:
    values = q.get(name)
    return values[-1] if values else None


def _flag(q: dict[str, list[str]], name: str) -> bool:
    return (_one(q, name) or "").lower() == "true"


def _render(q: dict[str, list[str]]) -> tuple[str | None, str | None, str | None]:
    return _one(q, "majorDimension"), _one(q, "valueRenderOption"), _one(q, "dateTimeRenderOption")


def _echo(q: dict[str, list[str]]) -> dict[str, Any] | None:
    if not _flag(q, "includeValuesInResponse"):
        return None
    return {
        "responseValueRenderOption": _one(q, "responseValueRenderOption"),
        "responseDateTimeRenderOption": _one(q, "responseDateTimeRenderOption"),
    }


def _drop_nulls(value: Any) -> Any:
    """JSON ``null`` fields mean "not set" to Google; ``null`` cells in value lists stay."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _drive_file(book: Book) -> dict[str, Any]:
    return {
        "id": book.id,
        "name": book.title,
        "createdTime": book.created,
        "modifiedTime": book.modified,
        "version": str(book.version),
    }
