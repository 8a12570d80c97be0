"""Every command the README and docs/ show is run as written, or says in the doc why it cannot
run here (an HTML comment on the line before its block: ``<!-- not run by the docs test: why
-->``).

The runnable blocks run in document order, as a new user following the docs would, in a copy
of the repository with a fresh virtual environment: the README's install line, the wheel
build and its install, the CLI on a workbook, the Excel files.  A ``customers.xlsx`` (the
shipped sample) stands for the user's workbook, and the virtual environment is on ``PATH``, as
the README says it is activated.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from addin.demo.sample import build_sample

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<indent> *)```(?P<language>[\w-]*)\s*$")
REASON = re.compile(r"^\s*<!-- not run by the docs test: (?P<why>\S.*?) -->\s*$")
#: Languages of command blocks: run here, or only elsewhere (they must say why not here).
SHELL, ELSEWHERE = {"bash", "sh", "shell"}, {"powershell", "bat", "cmd"}
#: How an unlabelled block that holds commands would start.
COMMAND = re.compile(r"^(potentiel|pip|python|py|xlwings|\.venv/|scripts/)\b")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its lines, and why it is not run."""

    doc: Path
    line: int
    language: str
    lines: tuple[str, ...]
    reason: str | None

    @property
    def commands(self) -> list[str]:
        """Its command lines, continuation lines joined, comments and blanks left out."""
        text = "\n".join(self.lines).replace("\\\n", " ")
        return [line.strip() for line in text.splitlines()
                if line.strip() and not line.strip().startswith("#")]

    def __str__(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def _blocks(doc: Path) -> list[Block]:
    lines = doc.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "```")
        why = REASON.match(lines[i - 1]) if i else None
        indent = len(opening["indent"])
        found.append(Block(doc, i + 1, opening["language"],
                           tuple(line[indent:] for line in lines[i + 1:end]),
                           why["why"] if why else None))
        i = end + 1
    return found


BLOCKS = [block for doc in DOCS for block in _blocks(doc)]
RUN = [block for block in BLOCKS if block.language in SHELL and block.reason is None]


def test_every_command_block_runs_here_or_says_why_not() -> None:
    unlabelled = [str(b) for b in BLOCKS if not b.language and b.commands
                  and COMMAND.match(b.commands[0])]
    assert unlabelled == [], "label these command blocks (```bash or ```powershell)"
    elsewhere = [str(b) for b in BLOCKS if b.language in ELSEWHERE and b.reason is None]
    assert elsewhere == [], "say why these cannot run here: <!-- not run by the docs test: ... -->"
    reasons = [b for b in BLOCKS if b.reason is not None]
    assert all(b.language in SHELL | ELSEWHERE for b in reasons)
    # The docs' main paths are among what runs: install, wheel, CLI, Excel files.
    ran = " ".join(command for block in RUN for command in block.commands)
    for needed in ("pip install -q -e .", "python -m build --wheel", "potentiel --version",
                   "potentiel run customers.xlsx", "potentiel validate", "potentiel lite",
                   "potentiel template", "templates/build.py"):
        assert needed in ran, needed


def test_no_doc_installs_from_a_package_index() -> None:
    """potentiel is on no index: 'pip install potentiel' would fail for a new user."""
    said = [str(b) for b in BLOCKS if any(re.search(r"pip install (-\S+ )*potentiel\b", c)
                                          for c in b.commands)]
    prose = [str(doc) for doc in DOCS
             if re.search(r"pip install potentiel\b", doc.read_text(encoding="utf-8"))]
    assert said == [] and prose == []


def test_system_deps_wait_for_the_apt_lock_and_show_progress() -> None:
    script = (ROOT / "scripts" / "system-deps.sh").read_text(encoding="utf-8")
    calls = [line for line in script.splitlines() if line.lstrip().startswith("apt-get")]
    assert calls and all('"${wait_for_lock[@]}"' in line for line in calls)
    assert "DPkg::Lock::Timeout=600" in script
    assert not any("/dev/null" in line or " -qq" in line for line in calls)
    assert subprocess.run(["bash", "-n", str(ROOT / "scripts" / "system-deps.sh")],
                          timeout=30).returncode == 0


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's files (what a clone holds), with a workbook to work on."""
    target = tmp_path_factory.mktemp("docs") / "potentiel"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True, timeout=60).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    build_sample(target / "customers.xlsx")
    (target / "customers.xlsm").write_bytes((ROOT / "templates" / "potentiel_template.xlsm")
                                            .read_bytes())
    return target


def test_the_documented_commands_run_as_written(clone: Path) -> None:
    env = {**os.environ, "PATH": f"{clone / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "PIP_NO_COMPILE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("VIRTUAL_ENV", None)
    for block in RUN:
        for command in block.commands:
            done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", command], cwd=clone,
                                  env=env, capture_output=True, text=True, timeout=900)
            assert done.returncode == 0, (f"{block}: {command}\n{done.stdout[-2000:]}"
                                          f"\n{done.stderr[-2000:]}")
    assert (clone / "dist" / "potentiel-0.1.0-py3-none-any.whl").is_file()
    assert (clone / "lite-files" / "main.py").read_text(encoding="utf-8").startswith(
        "# Code generated by potentiel lite. DO NOT EDIT.\n")
