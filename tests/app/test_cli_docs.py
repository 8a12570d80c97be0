"""Docs that cannot drift: the CLI reference is what the parser says, every command is in it."""

from __future__ import annotations

from pathlib import Path

from addin.cli import build_parser
from addin.clidoc import _subcommands, reference

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_cli_reference_is_up_to_date() -> None:
    committed = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert committed == reference(), "run: python -m addin.clidoc > docs/cli.md"


def test_every_command_is_documented_with_help() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for name, parser in _subcommands(build_parser()).items():
        assert f"`potentiel {name}`" in text
        assert parser.description or parser.format_usage()
