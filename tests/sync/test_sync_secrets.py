"""Credential hygiene of whole runs: a real service-account sign-in (JWT traded for a token at
the fake's OAuth endpoint), then logs, output, state and workbook scanned for the secrets."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fakesheets import FakeSheets
from fakesheets.server import ACCESS_TOKEN

from addin.cli import main
from addin.demo.sample import build_sample
from sheets_sync.state import state_path

KEY_ID = "f00dfacecafebeef0123456789abcdef01234567"


def test_no_key_material_or_token_is_logged_or_stored(tmp_path: Path, fake_sheets: FakeSheets,
                                                      caplog: pytest.LogCaptureFixture,
                                                      capsys: pytest.CaptureFixture) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    (tmp_path / "service_account.json").write_text(json.dumps({
        "type": "service_account", "project_id": "potentiel-test", "private_key_id": KEY_ID,
        "private_key": pem, "client_email": "bot@potentiel-test.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": f"{fake_sheets.endpoint}/token"}), encoding="utf-8")
    workbook = build_sample(tmp_path / "customers.xlsx")
    sid = fake_sheets.create_spreadsheet("Sales")
    (tmp_path / "sync.toml").write_text(
        f'workbook = "customers.xlsx"\nspreadsheet = "{sid}"\n'
        f'credentials = "service_account.json"\nendpoint = "{fake_sheets.endpoint}"\n'
        'segments = ["Hot prospects"]\n', encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    for _ in range(2):
        assert main(["sync", "--config", str(tmp_path / "sync.toml"),
                     "--log", str(tmp_path / "sync.log")]) == 0
    fake_sheets.set_values(sid, "Hot prospects", [[None] * 6 + ["called"]], start="A2")
    assert main(["sync", "--config", str(tmp_path / "sync.toml")]) == 0
    assert fake_sheets.request_count("oauth.token") >= 1  # it really signed in

    secrets = [ACCESS_TOKEN, KEY_ID, *[line for line in pem.splitlines()[1:-1] if line]]
    out = capsys.readouterr()
    places = {"log records": caplog.text, "stdout": out.out, "stderr": out.err,
              "log file": (tmp_path / "sync.log").read_text(encoding="utf-8"),
              "state": state_path(workbook).read_bytes().decode("latin-1"),
              "workbook": _unzipped(workbook)}
    for place, text in places.items():
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"credential material found in the {place}"


def _unzipped(path: Path) -> str:
    """Every part of the workbook package as text."""
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
