"""The layers of docs/architecture.md, checked: import-linter's contracts in pyproject.toml,
and no import circle anywhere (a circle makes the order of imports matter)."""

from __future__ import annotations

import os
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept(capsys) -> None:
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                            no_logo=True)
    finally:
        os.chdir(here)
    assert code == 0, capsys.readouterr().out


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("addin", "sheets_sync")
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                circles.append(" -> ".join((module, *back)))
    assert circles == []


def test_a_circle_would_be_seen() -> None:
    graph = grimp.build_graph("addin")
    graph.add_import(importer="addin.core.schema", imported="addin.core.analysis")
    assert graph.find_shortest_chain(importer="addin.core.analysis",
                                     imported="addin.core.schema") is not None
