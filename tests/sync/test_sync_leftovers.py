"""What a killed run leaves behind and the next run cleans: the temporary copy of a workbook
save killed midway (only this workbook's, and only by a run holding the sync lock).  The kill
tests (test_sync_kill.py) check the same after real kills."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakesheets import FakeSheets

from addin.workbook.files import atomic_write, temporary_prefix
from sheets_sync.config import load_config
from sheets_sync.run import remove_stale_saves, sync


def leftovers(folder: Path) -> dict[str, Path]:
    """A killed save's copy of customers.xlsx, and files that are not one."""
    names = {
        "ours": f"{temporary_prefix(folder / 'customers.xlsx')}k2x9_q0z.xlsx",
        "another workbook's": f"{temporary_prefix(folder / 'customers-2.xlsx')}abcd1234.xlsx",
        "the user's": ".~potentiel-notes.txt",
        "Excel's owner file of another book": "~$other.xlsx",
    }
    for name in names.values():
        (folder / name).write_bytes(b"half a zip")
    return {what: folder / name for what, name in names.items()}


@pytest.mark.invalid_workbooks  # an empty file: only its temporary name matters here
def test_a_save_names_its_temporary_copy_after_the_workbook(tmp_path: Path) -> None:
    seen = []
    atomic_write(tmp_path / "customers.xlsx", lambda stream: seen.extend(tmp_path.iterdir()))
    assert [p.name.startswith(temporary_prefix(tmp_path / "customers.xlsx")) for p in seen] \
        == [True]


def test_only_this_workbooks_stale_copies_are_removed(tmp_path: Path) -> None:
    files = leftovers(tmp_path)
    removed = remove_stale_saves(tmp_path / "customers.xlsx")
    assert removed == [files["ours"]]
    assert {what for what, path in files.items() if path.exists()} == set(files) - {"ours"}


def test_the_next_run_removes_them(tmp_path: Path, fake_sheets: FakeSheets,
                                   sample: Path) -> None:
    """The removal runs inside the sync lock, so no run of ours is writing that copy."""
    shutil.copyfile(sample, tmp_path / "customers.xlsx")
    sid = fake_sheets.create_spreadsheet("Sales")
    (tmp_path / "sync.toml").write_text(
        f'workbook = "customers.xlsx"\nspreadsheet = "{sid}"\ncredentials = "none"\n'
        f'endpoint = "{fake_sheets.endpoint}"\nsegments = ["Hot prospects"]\n', encoding="utf-8")
    files = leftovers(tmp_path)
    assert sync(load_config(tmp_path / "sync.toml")).outcome == "ok"
    assert not files["ours"].exists() and files["another workbook's"].exists()
