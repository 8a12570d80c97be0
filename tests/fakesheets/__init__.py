"""A faithful local fake of the Google Sheets API v4, for tests that drive real gspread.

``FakeSheets`` serves the API over HTTP on 127.0.0.1; ``fake_sheets`` is the pytest fixture
(function scope) that yields a started one.  See :mod:`fakesheets.server` for the helpers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import RANDOM_FAULTS, FakeSheets, Fault, Logged

__all__ = ["RANDOM_FAULTS", "FakeSheets", "Fault", "Logged", "fake_sheets"]


@pytest.fixture
def fake_sheets() -> Iterator[FakeSheets]:
    """A started fake, stopped after the test; a bug inside the fake fails the test."""
    with FakeSheets() as fake:
        yield fake
        assert not fake.crashes, "the fake Sheets server crashed:\n" + "\n".join(fake.crashes)
