"""Which columns a sync publishes, and which way each one flows under each conflict policy.

Any column of the Customers sheet can be published, recognised (``budget``) or the user's own;
with ``sheets-wins`` an edit in Sheets to such an input column comes back into the Customers
sheet, cell by cell and with the cell's format kept, while a computed column is reset and the
edit noted in Conflicts.  ``owner-wins`` and ``excel-wins`` reset both kinds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fakesheets import FakeSheets
from openpyxl.styles import Font, PatternFill

from addin import read_workbook
from addin.core.labels import output_column
from addin.demo.sample import build_sample
from addin.errors import SyncError
from addin.workbook.edit import update_cells
from sheets_sync.config import load_config
from sheets_sync.conflicts import HEADERS
from sheets_sync.merge import canonical
from sheets_sync.run import RunReport, sync

HOT = "Hot prospects"
COLUMNS = ["customer_id", "name", "email", "budget", "Territory", "prospect_score"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with a column of the user's own (``Territory``) and a styled email cell."""
    path = build_sample(tmp_path_factory.mktemp("sample") / "customers.xlsx")
    rows = read_workbook(path).customers.index
    update_cells(path, "Customers", pd.DataFrame(
        {"row": rows, "column": "Territory", "value": [f"T{r % 3}" for r in rows]}))
    return path


def setup(tmp: Path, fake: FakeSheets, sample: Path, columns: list[str],
          conflict: str = "owner-wins") -> tuple[Path, str]:
    shutil.copyfile(sample, tmp / "customers.xlsx")
    sid = fake.create_spreadsheet("Sales")
    lines = ['workbook = "customers.xlsx"', f'spreadsheet = "{sid}"', 'credentials = "none"',
             f'endpoint = "{fake.endpoint}"', f'segments = ["{HOT}"]',
             f"columns = {columns!r}".replace("'", '"'), f'conflict = "{conflict}"']
    (tmp / "sync.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp / "sync.toml", sid


def run(config: Path) -> RunReport:
    return sync(load_config(config))


def tab(fake: FakeSheets, sid: str) -> pd.DataFrame:
    rows = fake.sheet_values(sid, HOT, "UNFORMATTED_VALUE")
    return pd.DataFrame(rows[1:], columns=[output_column(h) or h for h in rows[0]])


def customers(path: Path) -> pd.DataFrame:
    return read_workbook(path).customers.set_index("customer_id")


def edit(fake: FakeSheets, sid: str, column: str, value: object) -> str:
    """Type ``value`` into the first data row's ``column``, as sales would; the row's id."""
    rows = fake.sheet_values(sid, HOT)
    headers = [output_column(h) or h for h in rows[0]]
    fake.set_values(sid, HOT, [[value]], start=f"{chr(65 + headers.index(column))}2")
    return rows[1][0]


def conflicts(path: Path) -> pd.DataFrame:
    """The English book's Conflicts sheet, read back to the journal's column names."""
    kept = pd.read_excel(path, sheet_name="Conflicts", engine="openpyxl", dtype=str)
    kept = kept.rename(columns={words[0]: name for name, words in HEADERS.items()})
    kept["column"] = kept["column"].map(lambda shown: output_column(shown) or shown)
    return kept


def test_input_columns_recognised_or_the_users_own_are_published(
        tmp_path: Path, fake_sheets: FakeSheets, sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample, COLUMNS)
    assert run(config).outcome == "ok"
    hot = tab(fake_sheets, sid).set_index("customer_id")
    book = customers(tmp_path / "customers.xlsx")
    assert list(hot.columns[:5]) == COLUMNS[1:]
    for column in ("budget", "Territory"):
        published = canonical(hot[column].astype(object)).tolist()
        assert published == canonical(book.loc[hot.index, column].astype(object)).tolist()
        assert any(published), column


def test_an_unknown_column_is_refused_with_the_available_ones(
        tmp_path: Path, fake_sheets: FakeSheets, sample: Path) -> None:
    config, _ = setup(tmp_path, fake_sheets, sample, ["customer_id", "budjet"])
    with pytest.raises(SyncError) as err:
        run(config)
    message = str(err.value)
    assert message.startswith("column budjet is neither in the Customers sheet nor an analysis "
                              "column (available: ")
    for name in ("budget", "Territory", "channel", "prospect_score"):
        assert name in message
    config.write_text(config.read_text().replace('"budjet"', '"budjet", "teritory"'))
    with pytest.raises(SyncError, match=r"^columns budjet, teritory are neither in the Customers "
                                        "sheet nor analysis columns"):
        run(config)


@pytest.fixture()
def styled(tmp_path: Path, sample: Path) -> Path:
    """The sample with the Customers email column bold on yellow (a user's formatting)."""
    copy = tmp_path / "styled.xlsx"
    book = openpyxl.load_workbook(sample)
    sheet = book["Customers"]
    column = [c.value for c in sheet[1]].index("email") + 1
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, column)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFFF00")
    book.save(copy)
    return copy


def email_cell(path: Path, cid: str) -> openpyxl.cell.Cell:
    sheet = openpyxl.load_workbook(path)["Customers"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == cid)
    return sheet.cell(row, header.index("email") + 1)


def test_sheets_wins_pulls_an_input_correction_keeping_the_cell_format(
        tmp_path: Path, fake_sheets: FakeSheets, styled: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, styled, COLUMNS, "sheets-wins")
    run(config)
    cid = edit(fake_sheets, sid, "email", "corrected@example.fr")
    report = run(config)
    assert report.tabs[HOT]["pulled"] == 1 and report.tabs[HOT]["conflicts"] == 0
    cell = email_cell(tmp_path / "customers.xlsx", cid)
    assert cell.value == "corrected@example.fr"
    assert cell.font.bold and cell.fill.fgColor.rgb.endswith("FFFF00")
    assert tab(fake_sheets, sid).set_index("customer_id").loc[cid, "email"] == \
        "corrected@example.fr"
    assert run(config).message == "both sides agree; nothing to do"


def test_sheets_wins_pulls_the_users_own_column(tmp_path: Path, fake_sheets: FakeSheets,
                                                sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample, COLUMNS, "sheets-wins")
    run(config)
    cid = edit(fake_sheets, sid, "Territory", "North")
    run(config)
    assert customers(tmp_path / "customers.xlsx").loc[cid, "Territory"] == "North"


def test_sheets_wins_resets_a_computed_column_and_notes_it(
        tmp_path: Path, fake_sheets: FakeSheets, sample: Path) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample, COLUMNS, "sheets-wins")
    run(config)
    score = tab(fake_sheets, sid).iloc[0]["prospect_score"]
    cid = edit(fake_sheets, sid, "prospect_score", 99)
    report = run(config)
    assert report.tabs[HOT]["conflicts"] == 1 and report.tabs[HOT]["pulled"] == 0
    assert tab(fake_sheets, sid).set_index("customer_id").loc[cid, "prospect_score"] == score
    kept = conflicts(tmp_path / "customers.xlsx")
    noted = kept[(kept["key"] == cid) & (kept["column"] == "prospect_score")]
    assert noted["sheets"].tolist() == ["99"]
    assert noted["resolution"].str.contains("computed").all()


@pytest.mark.parametrize("policy", ["owner-wins", "excel-wins"])
def test_other_policies_reset_an_input_column_edit(tmp_path: Path, fake_sheets: FakeSheets,
                                                   sample: Path, policy: str) -> None:
    config, sid = setup(tmp_path, fake_sheets, sample, COLUMNS, policy)
    run(config)
    before = tab(fake_sheets, sid).iloc[0]["email"]
    cid = edit(fake_sheets, sid, "email", "corrected@example.fr")
    report = run(config)
    assert report.tabs[HOT]["pulled"] == 0 and report.tabs[HOT]["conflicts"] == 1
    assert customers(tmp_path / "customers.xlsx").loc[cid, "email"] == before
    assert tab(fake_sheets, sid).set_index("customer_id").loc[cid, "email"] == before
