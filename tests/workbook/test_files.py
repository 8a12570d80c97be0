"""Atomic writes and the owner files of a workbook open in an office program."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from addin.workbook.files import TEMP_PREFIX, atomic_write, workbook_in_use


def test_excel_owner_file_is_detected_with_the_user_and_the_date(tmp_path: Path) -> None:
    workbook = tmp_path / "customers.xlsx"
    workbook.write_bytes(b"PK")
    assert workbook_in_use(workbook) is None
    name = b"Ann Lee"
    owner = tmp_path / "~$customers.xlsx"
    owner.write_bytes(bytes([len(name)]) + name + b" " * 46 + b"\0")
    os.utime(owner, (1_790_000_000, 1_790_000_000))
    reason = workbook_in_use(workbook)
    assert reason is not None
    assert reason.startswith("customers.xlsx is open by Ann Lee since 2026-09-2")  # 21 or 22
    assert reason.endswith("(owner file ~$customers.xlsx is beside it); close it in Excel or "
                           "LibreOffice, or, if nobody has it open (a crash leaves that file "
                           "behind), delete that file")


def test_excel_owner_file_without_a_readable_name(tmp_path: Path) -> None:
    (tmp_path / "~$book.xlsm").write_bytes(b"")
    reason = workbook_in_use(tmp_path / "book.xlsm")
    assert reason is not None and reason.startswith("book.xlsm is open since ")


def test_libreoffice_lock_file_is_detected(tmp_path: Path) -> None:
    workbook = tmp_path / "customers.xlsx"
    (tmp_path / ".~lock.customers.xlsx#").write_text(
        "Bob,host,bob,23.11.2026 09:00,file:///home/bob/.config/libreoffice/4;")
    reason = workbook_in_use(workbook)
    assert reason is not None and reason.startswith("customers.xlsx is open by Bob since ")


def test_libreoffice_lock_file_without_a_full_name_names_the_login(tmp_path: Path) -> None:
    (tmp_path / ".~lock.customers.xlsx#").write_text(
        ",bob,host,23.11.2026 09:00,file:///home/bob/.config/libreoffice/4;")
    reason = workbook_in_use(tmp_path / "customers.xlsx")
    assert reason is not None and reason.startswith("customers.xlsx is open by bob since ")


def test_owner_file_of_another_workbook_does_not_count(tmp_path: Path) -> None:
    (tmp_path / "~$other.xlsx").write_bytes(b"\x03Ann")
    assert workbook_in_use(tmp_path / "customers.xlsx") is None


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")

    def half(stream) -> None:
        stream.write(b"new, half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, half)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_atomic_write_keeps_the_mode_or_sets_the_one_asked(tmp_path: Path) -> None:
    target = tmp_path / "token.json"
    atomic_write(target, b"{}", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    atomic_write(target, b"{ }")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_bytes() == b"{ }"
    fresh = atomic_write(tmp_path / "new.bin", b"x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~_umask()


@pytest.mark.invalid_workbooks  # b"new" is no workbook: only the temporary file matters here
def test_a_refusal_just_before_the_swap_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")

    def refuse() -> None:
        assert any(p.name.startswith(TEMP_PREFIX) for p in tmp_path.iterdir())
        raise PermissionError("changed meanwhile")

    with pytest.raises(PermissionError):
        atomic_write(target, b"new", before_replace=refuse)
    assert target.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
