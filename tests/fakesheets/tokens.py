"""A local fake of Google's OAuth 2.0 token endpoint (``https://oauth2.googleapis.com/token``).

A service account key's ``token_uri`` and a user token's ``token_uri`` point at
:attr:`FakeTokens.token_uri`, so google-auth fetches its tokens here over real HTTP.  It
answers the three grants the sync meets as Google does:

- ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (a service account): the JWT's signature is
  checked with the key's public half when one is given, else only its presence;
- ``refresh_token`` (a cached OAuth sign-in): ``invalid_grant`` once revoked;
- ``authorization_code`` (the browser sign-in): the refresh token, and in ``scope`` only the
  scopes the person left ticked (granular consent).

Faults are queued like the Sheets fake's (:class:`fakesheets.server.Fault`): an HTTP answer
(JSON refusal or HTML page, with or without ``Retry-After``), a timeout or a reset.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from google.auth import jwt
from google.auth.exceptions import GoogleAuthError

from .server import Fault

ACCESS_TOKEN = "ya29.fake-token-endpoint-access"
REFRESH_TOKEN = "1//fake-token-endpoint-refresh"
SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.metadata.readonly"


@dataclass
class FakeTokens:
    """The token endpoint on 127.0.0.1; use as a context manager."""

    public_pem: bytes | None = None
    granted: tuple[str, ...] = (SHEETS_SCOPE, DRIVE_SCOPE)
    revoked: bool = False
    grants: list[str] = field(default_factory=list)
    _faults: list[list[Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> FakeTokens:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                # a client that gave up (its own timeout) is not the endpoint's fault
                with suppress(BrokenPipeError, ConnectionResetError):
                    fake._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def token_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def inject(self, fault: Fault, times: int | None = 1) -> None:
        """The next ``times`` token requests get ``fault`` (every one when None)."""
        with self._lock:
            self._faults.append([fault, times])

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take(self) -> Fault | None:
        with self._lock:
            if not self._faults:
                return None
            rule = self._faults[0]
            if rule[1] is not None:
                rule[1] -= 1
                if rule[1] <= 0:
                    self._faults.pop(0)
            return rule[0]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        form = {k: v[-1] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        self.grants.append(form.get("grant_type", ""))
        fault = self._take()
        if fault is not None and fault.kind != "http":
            if fault.kind == "timeout":
                self._stopping.wait(fault.delay)
            handler.close_connection = True
            with suppress(OSError):
                handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                              struct.pack("ii", 1, 0))
            return
        if fault is not None:
            status, body = fault.status, fault.body
            headers = {"Retry-After": str(int(fault.retry_after))} \
                if fault.retry_after is not None else {}
        else:
            status, body = self._answer(form)
            headers = {}
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/html; charset=UTF-8" if isinstance(body, bytes)
                            else "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            assertion = form.get("assertion", "")
            try:
                if self.public_pem is not None:
                    jwt.decode(assertion, certs=self.public_pem.decode(), verify=True,
                               clock_skew_in_seconds=60)
                else:
                    jwt.decode(assertion, verify=False)
            except (ValueError, GoogleAuthError):
                return 400, {"error": "invalid_grant", "error_description":
                             "Invalid JWT Signature."}
            return 200, {"access_token": ACCESS_TOKEN, "expires_in": 3599,
                         "token_type": "Bearer"}
        if grant == "refresh_token":
            if self.revoked or form.get("refresh_token") != REFRESH_TOKEN:
                return 400, {"error": "invalid_grant",
                             "error_description": "Token has been expired or revoked."}
            return 200, {"access_token": ACCESS_TOKEN, "expires_in": 3599,
                         "scope": " ".join(self.granted), "token_type": "Bearer"}
        if grant == "authorization_code":
            return 200, {"access_token": ACCESS_TOKEN, "expires_in": 3599,
                         "refresh_token": REFRESH_TOKEN, "scope": " ".join(self.granted),
                         "token_type": "Bearer"}
        return 400, {"error": "unsupported_grant_type",
                     "error_description": f"Invalid grant_type: {grant}"}
