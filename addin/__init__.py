"""potentiel: classify customers, measure profitability and build prospect lists from Excel.

The public API is DataFrames in, DataFrames out; the Excel formulas, macros and CLI are thin
adapters over it.
"""

from addin.core.analysis import OUTPUT_COLUMNS, Analysis, analyze, run_analysis
from addin.core.settings import Settings
from addin.errors import (
    InputError,
    PotentielError,
    SettingsError,
    SyncError,
    WorkbookError,
    WorkbookLockedError,
)
from addin.workbook.reader import WorkbookData, read_workbook
from addin.workbook.results import write_results

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
