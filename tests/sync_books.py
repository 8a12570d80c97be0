"""A workbook synced with a spreadsheet of the fake Sheets API, and ways to read both sides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from fakesheets import FakeSheets

from addin import read_workbook
from addin.core.labels import output_column
from sheets_sync.config import load_config
from sheets_sync.run import RunReport, sync

COLUMNS = ["customer_id", "name", "email", "customer_type", "prospect_score", "temperature"]


def setup(tmp: Path, fake: FakeSheets, sample: Path, **extra: str) -> tuple[Path, str]:
    """A workbook copy and a sync.toml pointing at a new spreadsheet of the fake."""
    shutil.copyfile(sample, tmp / "customers.xlsx")
    sid = fake.create_spreadsheet("Sales")
    lines = ['workbook = "customers.xlsx"', f'spreadsheet = "{sid}"', 'credentials = "none"',
             f'endpoint = "{fake.endpoint}"', 'segments = ["Hot prospects", "Lost customers"]',
             f"columns = {COLUMNS!r}".replace("'", '"'),
             *[f"{k} = {v}" for k, v in extra.items()]]
    (tmp / "sync.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp / "sync.toml", sid


def run(config: Path) -> RunReport:
    return sync(load_config(config))


def tab(fake: FakeSheets, sid: str, title: str) -> pd.DataFrame:
    """A tab of the fake as a frame, its first row as the header, read back to the canonical
    column names (the tab shows them in the workbook's language)."""
    rows = fake.sheet_values(sid, title)
    return pd.DataFrame(rows[1:], columns=[output_column(h) or h for h in rows[0]])


def customers(path: Path) -> pd.DataFrame:
    return read_workbook(path).customers.set_index("customer_id")
