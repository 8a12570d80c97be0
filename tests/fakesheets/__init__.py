"""A faithful local fake of the Google Sheets API v4, for tests that drive real gspread.

``FakeSheets`` serves the API over HTTP on 127.0.0.1; ``fake_sheets`` is the pytest fixture
(function scope) that yields a started one.  See :mod:`fakesheets.server` for the helpers.

Where Google's behaviour is known, the fake copies it rather than what would be convenient:

- a range naming an unknown tab is ``400 Unable to parse range: <range>`` (Google does not say
  404 for tabs); an unknown spreadsheet is ``404 NOT_FOUND``;
- reads cut a range's end at the grid's edge but refuse a start outside it; writes anywhere
  outside the grid are ``400 ... exceeds grid limits``; append grows the grid;
- ``USER_ENTERED`` text starting with ``=``, and ``+``/``-`` text that is not a number, becomes
  a formula (shown ``#NAME?``/``#ERROR!`` unless it is plain arithmetic); ``@`` text stays text;
- JSON ``null`` fields are "unset"; ``null`` cells in ``values`` leave the cell alone;
- a spreadsheet has a locale (``spreadsheetProperties.locale``, en_US unless created or set
  otherwise: ``create_spreadsheet(locale=...)``, ``set_locale``): formatted values show its
  decimal mark, thousands separator and date order (``4 212,70 €``, ``05/03/2026`` in fr_FR);
  ``USER_ENTERED`` text is still parsed as in en_US (ISO dates read the same everywhere).

Every request is checked against Google's discovery documents (:mod:`fakesheets.discovery`):
an unknown field, a wrong type or enum is answered ``400`` and recorded in
``FakeSheets.invalid``, which fails the test through the fixture.  What the fake does not
implement answers ``501 UNIMPLEMENTED`` and is recorded in
``FakeSheets.crashes``, which fails the test through the fixture.
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
        assert not fake.invalid, ("requests Google's discovery documents refuse:\n"
                                  + "\n".join(fake.invalid))
