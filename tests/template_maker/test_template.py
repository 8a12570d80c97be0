"""The shipped Excel files, checked as files: Excel does not run here.

Every way a user can start a macro (a button on the Start sheet, a ribbon button) must name a
VBA Sub that exists; every RunPython call must name a Python function that imports; the
config sheet must name UDF modules that import; the committed files must be what the sources
build; and an independent office suite (LibreOffice) must open them and read their VBA.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import fields
from pathlib import Path

import openpyxl
import pytest
from oletools.olevba import VBA_Parser
from python_calamine import CalamineWorkbook

from addin.core.rules import OPERATORS
from addin.core.schema import canonical_columns, match_sheet
from addin.core.settings import Settings
from addin.core.validation import Validation
from addin.errors import WorkbookError
from addin.template_maker.template import ADDIN_NAME, SOURCES, TEMPLATE_NAME, build, xlwings_vba_dir

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "templates"
SPREADSHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CUSTOM_UI = "{http://schemas.microsoft.com/office/2009/07/customui}"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
MACRO_SUBS = ("PotentielAnalyze", "PotentielBuildSegments", "PotentielValidate",
              "PotentielSyncNow")

_SUB = re.compile(r"^[ \t]*(?:Public[ \t]+|Private[ \t]+)?Sub[ \t]+(\w+)[ \t]*\(([^)]*)\)",
                  re.MULTILINE | re.IGNORECASE)
_RUNPYTHON = re.compile(r'RunPython[ \t]+"([^"]*)"')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths = build(tmp_path_factory.mktemp("template"))
    return {path.name: path for path in paths}


def vba_modules(path: Path) -> dict[str, str]:
    """Module name -> source code, as oletools reads the file's VBA project."""
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
                for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def subs(modules: dict[str, str]) -> dict[tuple[str, str], str]:
    """(module, Sub) -> parameter list, for every Sub of every module."""
    return {(module, name): params.strip()
            for module, code in modules.items() for name, params in _SUB.findall(code)}


def test_build_writes_both_files(built: dict[str, Path]) -> None:
    assert set(built) == {TEMPLATE_NAME, ADDIN_NAME}
    for path in built.values():
        assert zipfile.is_zipfile(path)


@pytest.mark.parametrize("name", [TEMPLATE_NAME, ADDIN_NAME])
def test_committed_files_equal_a_fresh_build(built: dict[str, Path], name: str) -> None:
    assert (COMMITTED / name).read_bytes() == built[name].read_bytes(), (
        f"templates/{name} is stale: run `.venv/bin/python templates/build.py` and commit it "
        "(the build embeds the VBA of the installed xlwings version)")


def test_build_into_a_file_path_says_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    with pytest.raises(WorkbookError, match="cannot create the folder") as raised:
        build(blocker)
    assert raised.value.hint


def test_rebuilding_gives_the_same_bytes(built: dict[str, Path], tmp_path: Path) -> None:
    again = {path.name: path.read_bytes() for path in build(tmp_path)}
    assert again == {name: path.read_bytes() for name, path in built.items()}


@pytest.mark.parametrize("name", [TEMPLATE_NAME, ADDIN_NAME])
def test_vba_project_holds_the_macros(built: dict[str, Path], name: str) -> None:
    modules = vba_modules(built[name])
    assert modules["Potentiel"] == (SOURCES / "Potentiel.bas").read_text().replace("\r\n", "\n")
    found = subs(modules)
    for sub in MACRO_SUBS:
        assert found[("Potentiel", sub)] == ""
    assert "Dictionary" in modules  # xlwings needs it on macOS


def test_template_embeds_the_installed_xlwings_standalone_module(built: dict[str, Path]) -> None:
    modules = vba_modules(built[TEMPLATE_NAME])
    installed = (xlwings_vba_dir() / "xlwings.bas").read_bytes().decode("cp1252")
    assert modules["xlwings"] == installed.replace("\r\n", "\n")
    assert "xlwings is distributed under a BSD 3-clause license." in modules["xlwings"]
    assert set(modules) == {"ThisWorkbook", *(f"Sheet{i}" for i in range(1, 7)), "xlwings",
                            "Dictionary", "Potentiel"}


def test_addin_embeds_the_custom_addin_module_renamed(built: dict[str, Path]) -> None:
    modules = vba_modules(built[ADDIN_NAME])
    code = modules["xlwings"]
    assert 'Public Const PROJECT_NAME As String = "potentiel"' in code
    assert "myaddin" not in code
    assert "Set wb = ActiveWorkbook" in code  # RunPython acts on the user's workbook
    assert set(modules) == {"ThisWorkbook", "Sheet1", "xlwings", "Dictionary", "Potentiel",
                            "PotentielRibbon"}


def test_every_button_runs_an_existing_sub(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built[TEMPLATE_NAME]) as package:
        vml = "".join(package.read(n).decode() for n in package.namelist()
                      if re.fullmatch(r"xl/drawings/vmlDrawing\d+\.vml", n))
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert set(MACRO_SUBS) <= set(macros)
    found = subs(vba_modules(built[TEMPLATE_NAME]))
    for macro in macros:
        matches = [params for (_, sub), params in found.items() if sub == macro]
        assert matches == [""], f"button macro {macro} has no Sub without arguments"


def test_every_ribbon_action_names_a_ribbon_callback(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built[ADDIN_NAME]) as package:
        types = package.read("[Content_Types].xml").decode()
        rels = ET.fromstring(package.read("_rels/.rels"))
        targets = {rel.get("Target") for rel in rels if rel.get("Type") == RIBBON_REL}
        assert targets == {"customUI/customUI14.xml"}
        ribbon = ET.fromstring(package.read("customUI/customUI14.xml"))
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    tab = ribbon.find(f"{CUSTOM_UI}ribbon/{CUSTOM_UI}tabs/{CUSTOM_UI}tab")
    assert tab is not None and tab.get("label") == "Potentiel"
    modules = vba_modules(built[ADDIN_NAME])
    found = subs(modules)
    actions = [button.get("onAction") for button in tab.iter(f"{CUSTOM_UI}button")]
    assert len(actions) >= 4
    called = set()
    for action in actions:
        module, sub = action.split(".")
        assert re.fullmatch(r"control As IRibbonControl", found[(module, sub)], re.IGNORECASE)
        body = modules[module].split(f"Sub {sub}(", 1)[1].split("End Sub", 1)[0]
        called |= set(re.findall(r"^\s+(\w+)\s*$", body, re.MULTILINE))
    assert set(MACRO_SUBS) <= called


def _python_call(statement: str) -> tuple[str, str]:
    """``"import a.b; a.b.f()"`` -> ``("a.b", "f")``: the module imported and the function."""
    body = ast.parse(statement).body
    imported = {alias.name for node in body if isinstance(node, ast.Import)
                for alias in node.names}
    calls = [node.value for node in body
             if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
    assert len(calls) == 1 and not calls[0].args and not calls[0].keywords, statement
    module, _, function = ast.unparse(calls[0].func).rpartition(".")
    assert module in imported, statement
    return module, function


def test_every_runpython_call_names_an_importable_function(built: dict[str, Path]) -> None:
    code = vba_modules(built[TEMPLATE_NAME])["Potentiel"]
    statements = _RUNPYTHON.findall(code)
    assert len(statements) == len(MACRO_SUBS)
    for statement in statements:
        module, function = _python_call(statement)
        target = getattr(importlib.import_module(module), function)
        inspect.signature(target).bind()  # callable with no arguments, as RunPython calls it


def _sheet(path: Path, name: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


@pytest.mark.parametrize(("name", "sheet"), [(TEMPLATE_NAME, "xlwings.conf"),
                                             (ADDIN_NAME, "potentiel.conf")])
def test_config_sheet_names_importable_udf_modules(built: dict[str, Path], name: str,
                                                    sheet: str) -> None:
    config = {str(key).upper(): value for key, value in _sheet(built[name], sheet)}
    assert all(value != "" for value in config.values())  # empty would override user config
    modules = str(config["UDF MODULES"]).split(";")
    assert modules == ["addin.udfs"]
    for module in modules:
        importlib.import_module(module)


def test_input_sheets_use_canonical_names(built: dict[str, Path]) -> None:
    book = CalamineWorkbook.from_path(str(built[TEMPLATE_NAME]))
    inputs = [name for name in book.sheet_names if match_sheet(name)]
    assert inputs == ["Customers", "Orders", "Segments", "Settings"]
    for name in inputs:
        headers = book.get_sheet_by_name(name).to_python()[0]
        mapping = canonical_columns(match_sheet(name), headers)
        described = [h for h in headers if h != "description"]  # Settings explains its keys
        assert mapping == {header: header for header in described}, name
    segments = _sheet(built[TEMPLATE_NAME], "Segments")[1:]
    assert all(OPERATORS[row[2]] == row[2] for row in segments)
    assert ["At risk", "rfm_segment", "in", "At Risk, Can't Lose"] in segments


def test_settings_sheet_lists_and_describes_every_setting_at_its_default(
        built: dict[str, Path]) -> None:
    rows = _sheet(built[TEMPLATE_NAME], "Settings")
    assert rows[0] == ["key", "value", "description"]
    assert [row[0] for row in rows[1:]] == [f.name for f in fields(Settings)]
    assert all(len(row[2]) > 10 for row in rows[1:])
    problems = Validation()
    read = Settings.from_mapping({row[0]: row[1] for row in rows[1:]}, validation=problems)
    assert len(problems) == 0 and read == Settings()


def test_config_sheet_is_hidden_and_required_columns_say_so(built: dict[str, Path]) -> None:
    book = openpyxl.load_workbook(built[TEMPLATE_NAME])
    assert book["xlwings.conf"].sheet_state == "hidden"
    assert book["Start"].sheet_state == "visible"
    customers = book["Customers"]
    assert "Required" in customers["A1"].comment.text
    orders = {c.value: c for c in book["Orders"][1]}
    assert orders["customer_id"].comment and orders["order_date"].comment
    assert orders["quantity"].comment is None


def test_segment_operator_choices_are_the_canonical_operators(built: dict[str, Path]) -> None:
    with zipfile.ZipFile(built[TEMPLATE_NAME]) as package:
        sheet = ET.fromstring(package.read("xl/worksheets/sheet4.xml"))
    formulas = [f.text for f in sheet.iter(f"{SPREADSHEET}formula1")]
    assert len(formulas) == 1
    listed = formulas[0].strip('"').split(",")
    assert sorted(listed) == sorted(set(OPERATORS.values()))


def _soffice() -> str:
    found = shutil.which("soffice")
    assert found, ("LibreOffice is needed: "
                   "apt-get install -y libreoffice-calc --no-install-recommends")
    return found


def _convert(source: Path, fmt: str, out: Path, *infilter: str) -> Path:
    profile = (out / "profile").as_uri()
    subprocess.run([_soffice(), f"-env:UserInstallation={profile}", "--headless", *infilter,
                    "--convert-to", fmt, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    result = out / f"{source.stem}.{fmt}"
    assert result.is_file(), f"LibreOffice could not open {source.name}"
    return result


def test_template_opens_in_libreoffice(built: dict[str, Path], tmp_path: Path) -> None:
    pdf = _convert(built[TEMPLATE_NAME], "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("name", "library"), [(TEMPLATE_NAME, "VBAProject"),
                                                (ADDIN_NAME, "PotentielAddin")])
def test_libreoffice_reads_the_vba_project(built: dict[str, Path], tmp_path: Path, name: str,
                                           library: str) -> None:
    # LibreOffice has its own reader of vbaProject.bin: it imports the modules as Basic.
    ods = _convert(built[name], "ods", tmp_path, "--infilter=Calc MS Excel 2007 VBA XML")
    with zipfile.ZipFile(ods) as package:
        potentiel = package.read(f"Basic/{library}/Potentiel.xml").decode()
        assert f"Basic/{library}/xlwings.xml" in package.namelist()
    for sub in MACRO_SUBS:
        assert f"Sub {sub}()" in potentiel
