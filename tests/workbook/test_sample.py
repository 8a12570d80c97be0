"""The shipped sample workbook: its sheets, Tables, cell types, rules, and a faithful rebuild."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from addin import run_analysis
from addin.core.classify import TYPES
from addin.core.schema import column_kinds
from addin.demo.sample import SEGMENTS, build_sample
from addin.errors import WorkbookError
from addin.workbook.reader import read_workbook

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "templates" / "sample_customers.xlsx"
SHEETS = ["Read me", "Customers", "Orders", "Segments", "Settings"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("sample") / "sample_customers.xlsx")


@pytest.fixture(scope="module")
def book(built: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(built)


def _values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    workbook = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def test_sheets_and_tables(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS
    for name, sheet in (("Customers", "customers"), ("Orders", "orders")):
        ws = book[name]
        assert list(ws.tables) == [name]
        table = ws.tables[name]
        assert table.ref == f"A1:{ws.cell(ws.max_row, ws.max_column).coordinate}"
        headers = [c.value for c in ws[1]]
        assert headers == [col.name for col in table.tableColumns]
        assert set(headers) <= set(column_kinds(sheet))
    assert book["Customers"].max_row == 321 and book["Orders"].max_row == 1501
    assert not book["Segments"].tables and not book["Settings"].tables


def test_cells_have_real_types_and_formats(book: openpyxl.Workbook) -> None:
    orders = book["Orders"]
    headers = {c.value: c.column for c in orders[1]}
    dates = [orders.cell(r, headers["order_date"]) for r in range(2, orders.max_row + 1)]
    assert all(c.is_date and isinstance(c.value, datetime) for c in dates)
    assert {c.number_format for c in dates} == {"yyyy-mm-dd"}
    price = orders.cell(2, headers["unit_price"])
    assert isinstance(price.value, int | float) and "€" in price.number_format
    customers = book["Customers"]
    headers = {c.value: c.column for c in customers[1]}
    codes = [customers.cell(r, headers["postal_code"]) for r in range(2, customers.max_row + 1)]
    assert all(c.data_type == "s" for c in codes)
    assert any(c.value.startswith("0") for c in codes)
    seen = [customers.cell(r, headers["last_interaction"]).value for r in range(2, 322)]
    assert all(v is None or isinstance(v, datetime) for v in seen)
    settings = {row[0]: row[1] for row in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert settings["as_of"] == datetime(2026, 6, 30)
    assert settings["language"] == "en" and settings["cost_per_order"] == 12


def test_text_that_looks_like_a_formula_stays_text(built: Path, book: openpyxl.Workbook) -> None:
    customers = book["Customers"]
    column = next(c.column for c in customers[1] if c.value == "notes")
    notes = [customers.cell(r, column) for r in range(2, customers.max_row + 1)]
    risky = [c for c in notes if isinstance(c.value, str) and c.value[0] in "=+-@"]
    assert risky and all(c.data_type == "s" for c in risky)
    with zipfile.ZipFile(built) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)


def test_segments_and_settings_drive_a_clean_analysis(built: Path) -> None:
    sheets = pd.read_excel(built, sheet_name=None, engine="calamine")
    result = run_analysis(sheets["Customers"], sheets["Orders"], segments=sheets["Segments"],
                          settings=sheets["Settings"])
    assert result.validation.empty, result.validation
    assert result.as_of == pd.Timestamp("2026-06-30")
    assert result.settings.cost_per_order == 12
    assert set(result.table["customer_type"]) == set(TYPES)
    names = list(dict.fromkeys(s[0] for s in SEGMENTS))
    assert list(result.segments) == names
    assert all(len(result.segments[name]) > 0 for name in names)
    assert result.table["is_target"].sum() == len(result.segments["Target"])
    hot = result.segments["Hot prospects"]
    assert (hot["temperature"] == "hot").all() and (hot["customer_type"] == "prospect").all()
    lost = result.table[result.table["customer_type"] == "lost"]
    assert 0 < len(result.segments["Lost customers"]) < len(lost)
    assert (result.table["referrals"] > 0).any() and (result.table["is_referred"]).any()


def test_the_package_reader_finds_everything(built: Path) -> None:
    data = read_workbook(built)
    assert data.sheet_names == {"customers": "Customers", "orders": "Orders",
                                "segments": "Segments", "settings": "Settings"}
    assert len(data.customers) == 320 and len(data.orders) == 1500
    assert data.customers["postal_code"].map(type).eq(str).all()
    result = run_analysis(data.customers, data.orders, segments=data.segments,
                          settings=data.settings, sheet_names=data.sheet_names,
                          problems=data.validation)
    assert result.validation.empty, result.validation
    assert len(result.segments["Hot prospects"]) > 0


def test_rebuild_equals_the_committed_workbook(built: Path) -> None:
    assert _values(built) == _values(COMMITTED)
    with zipfile.ZipFile(built) as new, zipfile.ZipFile(COMMITTED) as old:
        assert new.namelist() == old.namelist()
        for name in new.namelist():
            if name != "docProps/app.xml":  # holds the XlsxWriter version
                assert new.read(name) == old.read(name), name


def test_two_builds_are_byte_identical(built: Path, tmp_path: Path) -> None:
    again = build_sample(tmp_path / "again.xlsx")
    assert again.read_bytes() == built.read_bytes()


def test_the_script_rebuilds_the_sample(tmp_path: Path, built: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "templates" / "make_sample.py"),
                           str(tmp_path)], capture_output=True, text=True, check=True)
    written = tmp_path / "sample_customers.xlsx"
    assert done.stdout.strip() == str(written)
    assert written.read_bytes() == built.read_bytes()


def test_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="Cannot write the sample workbook") as caught:
        build_sample(tmp_path / "no such folder" / "sample.xlsx")
    assert caught.value.hint


def test_sync_sample_config_points_at_the_sample() -> None:
    path = ROOT / "templates" / "sync.sample.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    assert {"workbook", "spreadsheet", "credentials", "key", "segments", "columns",
            "sales_columns", "conflict"} <= set(config)
    assert (path.parent / config["workbook"]).resolve() == COMMITTED
    assert config["segments"] == ["Hot prospects", "Lost customers"]
    assert set(config["segments"]) <= {s[0] for s in SEGMENTS}
    assert config["key"] == "customer_id" and config["conflict"] == "owner-wins"
    assert config["sales_columns"] == ["status", "owner", "notes", "next_action"]
