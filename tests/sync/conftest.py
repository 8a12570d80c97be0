"""Fixtures of the sync tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin.demo.sample import build_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample workbook, built once per test module."""
    return build_sample(tmp_path_factory.mktemp("sample") / "customers.xlsx")
