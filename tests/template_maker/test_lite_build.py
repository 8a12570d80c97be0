"""``potentiel lite``: the files pasted into xlwings Lite are generated, and the committed copy
is what the package generates now."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from addin.app import lite
from addin.cli import main
from addin.template_maker import bundle

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "templates" / "lite"


def test_the_committed_copy_equals_a_fresh_generation(tmp_path: Path) -> None:
    written = lite.write(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in COMMITTED.iterdir())
    for path in written:
        assert path.read_bytes() == (COMMITTED / path.name).read_bytes(), (
            f"templates/lite/{path.name} is stale: run `potentiel lite templates/lite` "
            "(or templates/build.py) and commit it")


def test_the_command_writes_the_three_files(tmp_path: Path, capsys) -> None:
    assert main(["lite", str(tmp_path / "lite")]) == 0
    assert sorted(p.name for p in (tmp_path / "lite").iterdir()) == [
        "README.md", "main.py", "requirements.txt"]
    assert "Paste requirements.txt and main.py" in capsys.readouterr().out


def test_requirements_are_xlwings_as_pinned_and_pyodide_packages_unpinned() -> None:
    pinned = next(d for d in tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "dependencies"] if d.startswith("xlwings"))
    lines = (COMMITTED / "requirements.txt").read_text().splitlines()
    assert lines == [re.sub(r"\s", "", pinned), "numpy", "pandas", "pyarrow"]


def test_the_bundle_holds_the_core_and_not_the_file_writers_or_the_sync() -> None:
    names = set(lite.modules())
    assert {"addin", "addin.core.analysis", "addin.core.parallel", "addin.app.formulas",
            "addin.app.jobs", "addin.app.side"} <= names
    assert not {n for n in names if n.startswith(("addin.demo", "addin.template_maker", "addin.cli",
                                                  "addin.udfs", "addin.macros", "sheets_sync"))}
    assert lite.third_party(lite.modules()) == ["numpy", "pandas", "pyarrow"]


@pytest.fixture
def sources() -> dict[str, tuple[bool, str]]:
    return {"fakepkg": (True, "WHO = 'package'\n"),
            "fakepkg.mod": (False, "from fakepkg import WHO\n\n\ndef boom():\n"
                                   "    raise ValueError(WHO)\n")}


def test_bundled_modules_import_and_show_their_lines_in_tracebacks(
        sources: dict[str, tuple[bool, str]]) -> None:
    import traceback

    bundle.install({"fakepkg"}, sources)
    try:
        from fakepkg import mod  # type: ignore[import-not-found]

        with pytest.raises(ValueError, match="package") as raised:
            mod.boom()
        text = "".join(traceback.format_exception(raised.value))
        assert 'File "fakepkg/mod.py", line 5, in boom' in text
        assert "raise ValueError(WHO)" in text
        with pytest.raises(ModuleNotFoundError, match="not part of potentiel in xlwings Lite"):
            import fakepkg.missing  # type: ignore[import-not-found]  # noqa: F401
    finally:
        _uninstall()


def test_installing_again_replaces_the_modules(sources: dict[str, tuple[bool, str]]) -> None:
    bundle.install({"fakepkg"}, sources)
    try:
        import fakepkg  # type: ignore[import-not-found]

        assert fakepkg.WHO == "package"
        bundle.install({"fakepkg"}, {"fakepkg": (True, "WHO = 'edited'\n")})
        import fakepkg  # type: ignore[import-not-found]

        assert fakepkg.WHO == "edited"
        assert sum(getattr(f, "potentiel_bundle", False) for f in sys.meta_path) == 1
    finally:
        _uninstall()


def _uninstall() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, "potentiel_bundle", False)]
    for name in [n for n in sys.modules if n.partition(".")[0] == "fakepkg"]:
        del sys.modules[name]
