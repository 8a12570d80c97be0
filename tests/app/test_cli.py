"""The potentiel command: exit codes and the messages a person reads."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import zipfile
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from addin.cli import main
from addin.demo.sample import build_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("sample") / "customers.xlsx")


def _book(path: Path, customers: list[list[object]]) -> Path:
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Clients")
    for r, row in enumerate(customers):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def test_demo_writes_the_sample_and_its_results(tmp_path: Path, capsys) -> None:
    assert main(["demo", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "320 customers analysed as of 2026-06-30" in out
    assert "segment 'Hot prospects'" in out
    result = tmp_path / "demo" / "sample_customers.xlsx"
    names = pd.ExcelFile(result, engine="openpyxl").sheet_names
    assert {"Customers", "Orders", "Analysis", "Dashboard", "Validation"} <= set(names)


def test_run_writes_into_the_workbook_or_into_output(sample: Path, tmp_path: Path,
                                                     capsys) -> None:
    copy = tmp_path / "copy.xlsx"
    shutil.copyfile(sample, copy)
    assert main(["run", str(copy), "-o", str(tmp_path / "out.xlsx")]) == 0
    assert zipfile.ZipFile(copy).namelist() == zipfile.ZipFile(sample).namelist()
    assert "Analysis" in pd.ExcelFile(tmp_path / "out.xlsx", engine="openpyxl").sheet_names
    assert main(["run", str(copy), "--as-of", "2026-01-31"]) == 0
    assert "as of 2026-01-31" in capsys.readouterr().out
    assert "Analysis" in pd.ExcelFile(copy, engine="openpyxl").sheet_names


def test_validate_lists_problems_and_exits_1(tmp_path: Path, capsys) -> None:
    path = _book(tmp_path / "bad.xlsx", [["Id client", "Satisfaction", "NPS"],
                                         ["A", "abc", 9], ["A", 3, None], ["B", None, "#N/A"]])
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Clients row 2, Satisfaction: 'abc' is not a number" in out
    assert "Clients row 3, Id client: 'A' duplicate Id client (first on row 2)" in out


def test_one_of_a_thing_is_singular(tmp_path: Path, capsys) -> None:
    path = _book(tmp_path / "one.xlsx", [["Id client", "Satisfaction"], ["A", "abc"]])
    assert main(["validate", str(path), "--as-of", "2026-06-30"]) == 1
    out = capsys.readouterr().out
    assert "1 customer analysed as of 2026-06-30" in out
    assert "1 problem and 0 warnings in the input:" in out


def test_version_and_exit_codes_are_in_the_help(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"potentiel {metadata.version('potentiel')}"
    for command in ("run", "validate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "exit codes: 0 " in text and "; 1 " in text and "; 2 bad usage" in text


def test_validate_shows_its_progress_on_a_terminal(sample: Path) -> None:
    """Like run: a bar on stderr when stderr is a terminal (a pseudo-terminal here)."""
    main_end, their_end = pty.openpty()
    fcntl.ioctl(their_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 wide
    done = subprocess.run([sys.executable, "-m", "addin.cli", "validate", str(sample)],
                          stdout=subprocess.PIPE, stderr=their_end, timeout=120)
    chunks = []
    while select.select([main_end], [], [], 0)[0]:  # what the terminal got, until drained
        chunks.append(os.read(main_end, 65536))
    os.close(their_end)
    os.close(main_end)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert done.returncode == 0
    assert "reading customers.xlsx" in shown and "analysing 320 customers" in shown


def test_missing_file_is_a_clear_message_and_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["run", str(tmp_path / "nope.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("potentiel: ") and "nope.xlsx" in err
    assert "Traceback" not in err


def test_missing_customer_id_column_exit_2(tmp_path: Path, capsys) -> None:
    path = _book(tmp_path / "noid.xlsx", [["Nom", "Ville"], ["Ann", "Lyon"]])
    assert main(["validate", str(path)]) == 2
    assert "has no column 'customer_id'" in capsys.readouterr().err


def test_bad_usage_exit_2() -> None:
    result = subprocess.run([sys.executable, "-m", "addin.cli", "run"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == ("potentiel run: the following arguments are required: workbook "
                             "(see potentiel run --help)\n")


@pytest.mark.parametrize("value", ["2025-13-01", "31/02/2025", "tomorrow"])
def test_a_bad_as_of_is_one_line_and_exit_2(tmp_path: Path, value: str) -> None:
    path = _book(tmp_path / "ok.xlsx", [["Id client"], ["A"]])
    result = subprocess.run([sys.executable, "-m", "addin.cli", "validate", str(path),
                             "--as-of", value], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert result.stderr == (f"potentiel validate: argument --as-of: as_of '{value}' is not a "
                             "date (use 31/12/2025 or 2025-12-31) (see potentiel validate "
                             "--help)\n")


def test_as_of_on_the_command_line_is_day_first(tmp_path: Path, capsys) -> None:
    path = _book(tmp_path / "ok.xlsx", [["Id client"], ["A"]])
    assert main(["validate", str(path), "--as-of", "05/06/2025"]) == 0
    assert "analysed as of 2025-06-05" in capsys.readouterr().out
