"""The layers of docs/architecture.md, checked: import-linter's contracts in pyproject.toml,
and no import circle anywhere (a circle makes the order of imports matter)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    # In a process of its own: import-linter configures logging, which would silence the
    # loggers of the modules the other tests imported.
    return subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import "
                           "lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"],
                          cwd=root, capture_output=True, text=True, timeout=300)


def test_import_contracts_are_kept() -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 6 kept, 0 broken." in done.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("addin/workbook/a1.py", "import xlwings", "no xlwings, no gspread"),
    ("addin/demo/ids.py", "import gspread", "no xlwings, no gspread"),
    ("addin/core/columns.py", "import zipfile", "the core is pandas/numpy only"),
    ("addin/udfs.py", "import addin.macros", "the adapters never import one another"),
    ("addin/app/cells.py", "import sheets_sync.lock", "addin never imports the sync"),
    ("sheets_sync/lock.py", "import addin.cli", "the sync depends on addin's library"),
    ("addin/core/schema.py", "import addin.workbook.a1", "addin is layered"),
])
def test_a_forbidden_import_breaks_a_contract(tmp_path: Path, module: str, line: str,
                                              contract: str) -> None:
    for folder in ("addin", "sheets_sync"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    source = tmp_path / module
    source.write_text(source.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    done = _lint(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Contracts: 5 kept, 1 broken." in done.stdout, done.stdout
    assert contract in " ".join(done.stdout.split("Broken contracts")[-1].split()), done.stdout


def test_the_architecture_names_every_module() -> None:
    """docs/architecture.md's tree names each module of addin/ and sheets_sync/, so a newcomer
    finds every file on the map (a new module goes on the map in the same change)."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    tree = set(re.findall(r"[\w.]+", doc.split("```")[1]))
    unnamed = [str(path.relative_to(ROOT)) for folder in ("addin", "sheets_sync")
               for path in sorted((ROOT / folder).rglob("*.py"))
               if path.stem != "__init__" and path.stem not in tree and path.name not in tree]
    assert unnamed == [], "add these to the tree of docs/architecture.md"


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
