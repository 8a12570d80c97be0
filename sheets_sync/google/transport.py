"""Where gspread's HTTP requests go: to Google, or to the emulator named by ``endpoint``.

SPEC section 4: ``endpoint = "http://127.0.0.1:PORT"`` sends every Sheets API call to an
emulator.  gspread builds its URLs from fixed Google hosts, so instead of patching gspread we
hand it a :class:`requests.Session` that rewrites those hosts on the way out.  Auth and the
retry policy wrap this session (``base``) without knowing about the rewrite.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import gspread
import requests

from addin.errors import SyncConfigError

#: Hosts gspread talks to: the Sheets API, and Drive for create/list/delete of files.
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
#: Google's OAuth 2.0 token endpoint host (user sign-ins always refresh there).
TOKEN_HOSTS = ("https://oauth2.googleapis.com",)


def check_endpoint(endpoint: str) -> str:
    """Return ``endpoint`` without a trailing slash, or explain why it cannot be used."""
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise SyncConfigError(
            f"The Sheets endpoint {endpoint!r} is not a web address.",
            hint='Write it like "http://127.0.0.1:8080", or remove it to use Google.',
        )
    return endpoint.strip().rstrip("/")


class EndpointSession(requests.Session):
    """A session that sends requests meant for Google's hosts to ``endpoint`` instead.

    ``base`` is the session that really sends (for example a google-auth
    ``AuthorizedSession``); without one this session sends itself.
    """

    def __init__(self, endpoint: str, base: requests.Session | None = None,
                 hosts: tuple[str, ...] = GOOGLE_HOSTS) -> None:
        super().__init__()
        self.endpoint = check_endpoint(endpoint)
        self.base = base
        self.hosts = hosts

    def redirect(self, url: str) -> str:
        """The URL the request really goes to; URLs of other hosts are left alone."""
        for host in self.hosts:
            if url == host or url.startswith(host + "/"):
                return self.endpoint + url[len(host) :]
        return url

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        target = self.redirect(url.decode() if isinstance(url, bytes) else url)
        if self.base is not None:
            return self.base.request(method, target, *args, **kwargs)
        return super().request(method, target, *args, **kwargs)

    def close(self) -> None:
        """Close the pooled connections of this session and of ``base``."""
        super().close()
        if self.base is not None:
            self.base.close()


def open_client(endpoint: str | None, session: requests.Session | None) -> gspread.Client:
    """A gspread client sending through ``session`` (plain, no auth, if None), redirected to
    ``endpoint`` when one is given."""
    sender = session if session is not None else requests.Session()
    if endpoint:
        sender = EndpointSession(endpoint, base=sender)
    return gspread.Client(auth=None, session=sender)  # auth, if any, lives in the session
