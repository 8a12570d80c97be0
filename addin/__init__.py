"""potentiel: classify customers, measure profitability and build prospect lists from Excel.

The public API is DataFrames in, DataFrames out; the Excel formulas, macros and CLI are thin
adapters over it.
"""

from addin.analysis import OUTPUT_COLUMNS, Analysis, analyze, run_analysis
from addin.errors import (
    InputError,
    PotentielError,
    SettingsError,
    SyncError,
    WorkbookError,
    WorkbookLockedError,
)
from addin.results import write_results
from addin.settings import Settings
from addin.workbook import WorkbookData, read_workbook

__all__ = [
    "OUTPUT_COLUMNS",
    "Analysis",
    "InputError",
    "PotentielError",
    "Settings",
    "SettingsError",
    "SyncError",
    "WorkbookData",
    "WorkbookError",
    "WorkbookLockedError",
    "analyze",
    "read_workbook",
    "run_analysis",
    "write_results",
]
