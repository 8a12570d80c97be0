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
from addin.settings import Settings

__all__ = [
    "OUTPUT_COLUMNS",
    "Analysis",
    "InputError",
    "PotentielError",
    "Settings",
    "SettingsError",
    "SyncError",
    "WorkbookError",
    "WorkbookLockedError",
    "analyze",
    "run_analysis",
]
