"""How long work tells where it is: one callable type, shared by every layer that reports.

A reader, an analysis job or a writer calls ``progress("reading Orders")``; the CLI passes a
function that moves its progress bar, the macros one that writes Excel's status bar, and the
library's callers pass nothing (:func:`quiet`).
"""

from __future__ import annotations

from collections.abc import Callable

#: Told a short, user-facing description of each step as it starts.
Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """Progress sink for callers that show nothing."""
