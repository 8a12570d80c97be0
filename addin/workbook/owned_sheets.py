"""Which sheets are potentiel's, and what tab names its sheets get.

potentiel marks each sheet it writes with a hidden workbook name ``_potentiel.<role>`` that
refers to the sheet (``analysis``, ``validation``, ``dashboard``, ``segment.<hash>``,
``sheet.<hash>`` for the sync's Conflicts).  Marks follow a sheet when a user renames it, and a
user's sheet never has one: so a result sheet is found by its mark, never by its tab name.
:func:`place_sheets` is the one decision of where each result goes; the file writer
(:class:`addin.workbook.zip_parts.Package`) and the Excel writer (:mod:`addin.app.side`) both
follow it, so neither can overwrite a user's sheet that happens to be called like a result.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from addin.workbook.a1 import quote_sheet, sheet_of_reference

MARK = "_potentiel."
#: The role of the Columns sheet: written by a run, but input the user edits (it is read as
#: such, and a run only adds rows to it).
COLUMNS_ROLE = "columns"
#: Longest tab name Excel accepts.
MAX_TAB = 31


def mark_name(role: str) -> str:
    """The hidden workbook name that marks the sheet of ``role``."""
    return MARK + role


def mark_reference(sheet: str) -> str:
    """What a mark refers to: the sheet's first cell."""
    return f"{quote_sheet(sheet)}!$A$1"


def own_sheets(names: Iterable[tuple[str, str]], tabs: Iterable[str]) -> dict[str, str]:
    """potentiel's sheets by role, from the workbook's (name, refers-to) pairs and its tabs.

    A mark whose sheet no longer exists (deleted by hand) is ignored.
    """
    by_name = {tab.casefold(): tab for tab in tabs}
    own = {}
    for name, reference in names:
        if name.startswith(MARK):
            target = sheet_of_reference(reference)
            if target is not None and target.casefold() in by_name:
                own[name[len(MARK):]] = by_name[target.casefold()]
    return own


#: Tab names Excel keeps for itself (case-insensitive): a sheet called History is refused.
RESERVED = frozenset({"history"})
#: Characters a tab name cannot hold: Excel's ``[]:*?/\\``, and control characters and lone
#: surrogates, which XML cannot carry either.
_FORBIDDEN = re.compile("[\\[\\]:*?/\\\\\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def sheet_name(text: str) -> str:
    """A valid Excel tab name: no ``[]:*?/\\``, no apostrophe at either end, 31 characters."""
    return _trim(_cut(_trim(_FORBIDDEN.sub(" ", str(text))), MAX_TAB)) or "Segment"


def _trim(name: str) -> str:
    """Without spaces or apostrophes at either end (Excel refuses a name that starts or ends
    with an apostrophe)."""
    return name.strip(" \u00a0'")


def _cut(name: str, length: int) -> str:
    """The longest start of ``name`` Excel counts as at most ``length`` characters (UTF-16
    units: an emoji counts two)."""
    name = name[:length]
    while len(name.encode("utf-16-le", "surrogatepass")) > 2 * length:
        name = name[:-1]
    return name


def segment_role(name: str) -> str:
    """Stable mark of a segment's sheet (defined names allow only letters, digits, _ and .)."""
    return "segment." + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def own_role(name: str) -> str:
    """The role of potentiel's own named sheet (e.g. the sync's ``Conflicts``)."""
    return "sheet." + hashlib.sha1(name.casefold().encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Placement:
    """Where each result sheet goes.

    ``names``: role -> tab name to write, in the order asked; ``reuse``: role -> the tab of
    potentiel's sheet that is replaced in place (same position, new content, maybe renamed);
    ``delete``: tabs of potentiel's sheets that go away.
    """

    names: dict[str, str]
    reuse: dict[str, str]
    delete: list[str]


def place_sheets(tabs: Sequence[str], own: Mapping[str, str], wanted: Sequence[tuple[str, str]],
                 drop: Callable[[str], bool]) -> Placement:
    """Decide the tab of each wanted ``(role, name)``.

    ``tabs`` are all the workbook's tabs, ``own`` potentiel's by role.  A result replaces
    potentiel's sheet of the same role; an own sheet whose role is not wanted is deleted when
    ``drop(role)``.  A name already used by any other sheet (a user's ``Customers``, or another
    own sheet) gets a number: ``Customers (2)``.
    """
    wanted_roles = {role for role, _ in wanted}
    reuse = {role: own[role] for role, _ in wanted if role in own}
    delete = [tab for role, tab in own.items() if role not in wanted_roles and drop(role)]
    freed = {tab.casefold() for tab in [*reuse.values(), *delete]}
    taken = {tab.casefold() for tab in tabs} - freed
    names: dict[str, str] = {}
    for role, name in wanted:
        names[role] = unique_name(name, taken)
        taken.add(names[role].casefold())
    return Placement(names, reuse, delete)


def unique_name(name: str, taken: set[str]) -> str:
    """A tab name no other sheet has (case-insensitive), numbered if needed, 31 chars max,
    never one Excel reserves."""
    candidate, n = _trim(_cut(name, MAX_TAB)) or "Sheet", 2
    while candidate.casefold() in taken or candidate.casefold() in RESERVED:
        suffix = f" ({n})"
        candidate, n = _trim(_cut(name, MAX_TAB - len(suffix))) + suffix, n + 1
    return candidate
