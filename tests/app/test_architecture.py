"""The layers of docs/architecture.md, checked: import-linter's contracts in pyproject.toml,
and no import circle anywhere (a circle makes the order of imports matter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept() -> None:
    # In a process of its own: import-linter configures logging, which would silence the
    # loggers of the modules the other tests imported.
    done = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import "
                           "lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout


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
