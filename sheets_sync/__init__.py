"""Two-way sync of segment lists between the workbook and a Google spreadsheet.

A run is: read both sides (:meth:`SheetsBook.read`, the workbook), decide
(:func:`plan`, pure), journal the conflicts (:meth:`SyncState.journal`), apply to Sheets
(:meth:`SheetsBook.setup`, :meth:`SheetsBook.write`), apply to the workbook, then commit the new
base (:meth:`SyncState.commit`).
"""

from sheets_sync.config import SyncConfig, load_config, sample_config
from sheets_sync.google.auth import credentials_for
from sheets_sync.google.retry import RetryPolicy, RetrySession, WriteOutcomeUnknown
from sheets_sync.google.sheets import RemoteTabs, SheetsBook, open_book
from sheets_sync.merge import POLICIES, Plan, SideEmptiedError, canonical, plan
from sheets_sync.state import RunStats, SyncState, state_path

__all__ = [
    "POLICIES",
    "Plan",
    "RemoteTabs",
    "RetryPolicy",
    "RetrySession",
    "RunStats",
    "SheetsBook",
    "SideEmptiedError",
    "SyncConfig",
    "SyncState",
    "WriteOutcomeUnknown",
    "canonical",
    "credentials_for",
    "load_config",
    "open_book",
    "plan",
    "sample_config",
    "state_path",
]
