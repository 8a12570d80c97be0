"""What a run did to the user's own content, told to the user (a warning category).

Edits of a workbook sometimes change what the user made: a name or formula pointing at a
result sheet that went away becomes ``#REF!`` as Excel would make it, a .xlsx copy of a .xlsm
leaves its macros out.  The package collects one line per such change and, once the file is
saved, warns with :class:`WorkbookNotice`; the CLI prints these lines under its summary.
"""

from __future__ import annotations


class WorkbookNotice(UserWarning):
    """Something a run did to the user's own content that the user should hear of: names
    turned into #REF!, macros left out of a .xlsx copy.  The CLI prints these under its
    summary."""
