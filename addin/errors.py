"""One error hierarchy for the whole product.

Every error a user can meet derives from :class:`PotentielError` and carries a message written
for the person who has to act on it, plus an optional ``hint`` saying what to do.  Adapters (CLI,
macros, UDFs) catch ``PotentielError`` and show ``str(err)``; anything else is a bug.
"""

from __future__ import annotations


class PotentielError(Exception):
    """Base of every error potentiel raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None,
                 problems: tuple[tuple[str, dict[str, object]], ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: The problems as data, (message key, parameters) each, for a Validation report
        #: to render in the workbook's language (see addin.core.messages).
        self.problems = problems

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message

    def line(self) -> str:
        """The error and what to do, on one line (for a run log and a schedule's stderr)."""
        hint = f" {self.hint}" if self.hint else ""
        return " ".join(f"{self.message.rstrip('.')}.{hint}".split())


class InputError(PotentielError):
    """The data or settings given to potentiel cannot be used as they are."""


class SettingsError(InputError):
    """A setting has an unknown key or a value of the wrong kind."""


class WorkbookError(PotentielError):
    """A workbook file cannot be read or written (missing, locked, corrupt, protected)."""


class WorkbookLockedError(WorkbookError):
    """The workbook is open in Excel or locked by another program."""


class SyncError(PotentielError):
    """The Google Sheets sync could not complete; nothing was committed.

    Exit code 1: the setup may be fine and the next run may go through (Google busy, network
    down, workbook open); only :class:`SyncConfigError` is bad usage (2).
    """

    exit_code = 1


class SyncConfigError(SyncError):
    """The sync configuration file is missing, malformed or inconsistent."""

    exit_code = 2


class SignInError(SyncError):
    """Google refused or could not give the sign-in (token endpoint): a new key, a new sign-in
    or the clock is needed, or Google was unreachable."""


class SheetsApiError(SyncError):
    """Google Sheets answered with an error we could not recover from."""

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None,
                 reason: str = ""):
        super().__init__(message, hint=hint)
        self.status = status
        self.reason = reason


class SyncLockedError(SyncError):
    """Another sync of the same workbook is running."""
