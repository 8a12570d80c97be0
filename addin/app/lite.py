"""What xlwings Lite needs to run potentiel in Excel on Windows, macOS and the web.

xlwings Lite (a free add-in from Excel's add-in store) runs Python in the browser engine of
Excel (Pyodide, WebAssembly) and keeps a workbook's code in the workbook: one ``main.py`` and a
``requirements.txt``.  :func:`write` generates both, and a README of the steps:

- ``main.py`` registers the formulas of :mod:`addin.app.formulas` with Lite's ``func`` and
  ``arg`` decorators (same names, arguments, help and options as :mod:`addin.udfs`), and the
  Analyze, Build segment sheets and Validate buttons as Lite scripts that run
  :func:`addin.app.jobs.perform` (the macros' one code path) on the open workbook through
  :class:`addin.app.side.ExcelSide`, which writes only sheets carrying potentiel's marks;
- below them, potentiel's modules those need, copied as text and imported from there by
  :mod:`addin.template_maker.bundle` (docs/decisions.md says why a copy and not a wheel);
- ``requirements.txt`` names the packages those modules import, all in Pyodide's own set
  (pandas, numpy, pyarrow) except xlwings, pure Python and pinned as potentiel pins it.

The files are generated, never edited: ``templates/lite/`` holds the committed copy.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
import textwrap
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from addin.app import formulas
from addin.template_maker import bundle

#: The packages of potentiel's own code that the bundle may hold.
ROOTS = frozenset({"addin"})
#: What main.py imports from potentiel; the bundle is everything these import, transitively.
ENTRIES = ("addin.app.formulas", "addin.app.jobs", "addin.app.side")
_COLUMNS = (" A header it cannot place adds the Columns sheet (which header feeds which field)"
            "; your rows there are never rewritten, new headers get a row.")
#: The buttons, by the name :func:`addin.app.jobs.perform` knows them: (title, what it does).
SCRIPTS: dict[str, tuple[str, str]] = {
    "analyze": ("Analyze", "writes the Analysis sheet, one sheet per segment and the "
                "Validation sheet into this workbook (the Dashboard's charts are drawn when "
                "the command line writes the file: potentiel run)." + _COLUMNS),
    "build_segments": ("Build segment sheets", "writes one sheet per segment of the Segments "
                       "sheet, and the Validation sheet." + _COLUMNS),
    "validate": ("Validate", "checks the input sheets and lists every problem in the "
                 "Validation sheet." + _COLUMNS),
}
_PACKAGE_DIR = Path(formulas.__file__).resolve().parents[2]
_WIDTH = 76


def _source_file(name: str) -> tuple[bool, Path] | None:
    """(is a package, file) of one of potentiel's modules, None if there is none."""
    base = _PACKAGE_DIR.joinpath(*name.split("."))
    if (base / "__init__.py").is_file():
        return True, base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return False, base.with_suffix(".py")
    return None


def _imports(tree: ast.Module) -> set[str]:
    """Modules imported by the statements of a module's body (not inside functions)."""
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if _source_file(f"{node.module}.{alias.name}"))
    return found


def modules(entries: tuple[str, ...] = ENTRIES) -> dict[str, tuple[bool, str]]:
    """The sources of ``entries`` and of every module of potentiel they import, with their
    packages (importing ``addin.app.formulas`` runs ``addin/__init__.py`` first)."""
    sources: dict[str, tuple[bool, str]] = {}
    waiting = list(entries)
    while waiting:
        name = waiting.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            found = _source_file(prefix)
            if prefix in sources or found is None:
                continue
            is_package, path = found
            text = path.read_text(encoding="utf-8") + (_embedded(path) if is_package else "")
            sources[prefix] = (is_package, text)
            waiting += [m for m in _imports(ast.parse(text)) if m.partition(".")[0] in ROOTS]
    return dict(sorted(sources.items()))


def _embedded(init: Path) -> str:
    """A package's data files (``addin/core/data/aliases.toml``) as source lines filling its
    ``EMBEDDED`` table: in Lite there is no folder to read them from."""
    files = sorted(init.parent.glob("*.toml"))
    return "".join(f"\nEMBEDDED[{f.name!r}] = {f.read_text(encoding='utf-8')!r}\n"
                   for f in files)


def third_party(sources: dict[str, tuple[bool, str]]) -> list[str]:
    """Top-level packages outside the standard library that the bundled modules import."""
    names = {m.partition(".")[0] for _, text in sources.values()
             for m in _imports(ast.parse(text))}
    return sorted(n for n in names - ROOTS if n not in sys.stdlib_module_names
                  and n != "__future__")


def requirements(sources: dict[str, tuple[bool, str]]) -> str:
    """requirements.txt: xlwings pinned as potentiel pins it; Pyodide's packages unpinned (their
    version is the one built into Lite's Pyodide)."""
    wanted: dict[str, str] = {}
    for line in metadata.requires("potentiel") or []:
        requirement = line.split(";")[0].strip()
        name = re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].lower().replace("-", "_")
        wanted[name] = requirement
    lines = [wanted["xlwings"].replace(" ", "")]
    for name in third_party(sources):
        if name.lower() not in wanted:
            raise ValueError(f"the Lite bundle imports {name}, which potentiel does not require")
        lines.append(name.lower())
    return "\n".join(lines) + "\n"


def _quoted(text: str, indent: int) -> str:
    """A string literal, cut into implicitly joined pieces that fit the line."""
    words = re.findall(r"\S+\s*", text)
    pieces, line = [], ""
    for word in words:
        if line and len(line) + len(word) > _WIDTH - indent:
            pieces.append(line)
            line = ""
        line += word
    pieces.append(line)
    return ("\n" + " " * indent).join(json.dumps(p, ensure_ascii=False) for p in pieces)


def _literal(value: Any) -> str:
    """Python source of a decorator option: text in double quotes, the rest as repr."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _options(options: dict[str, Any]) -> str:
    return ", ".join(f"{key}={_literal(value)}" for key, value in options.items())


def _wrapped(opening: str, items: list[str], closing: str) -> list[str]:
    """``opening`` + items joined by commas + ``closing``, continued under the first item."""
    lines, line = [], opening
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else closing)
        if len(line) + len(piece.rstrip()) > 99 and line.strip():
            lines.append(line.rstrip())
            line = " " * len(opening)
        line += piece
    return [*lines, line]


def _formula(formula: Callable[..., Any]) -> str:
    """One formula registered with Lite's decorators, calling the shared function."""
    name = formula.__name__
    params = list(inspect.signature(formula).parameters.values())
    options = {"category": formulas.CATEGORY, **formulas.OPTIONS.get(name, {})}
    lines = [f"@func({_options(options)})"]
    for argument, text in formulas.argument_help(formula).items():
        lines.append(f"@arg({json.dumps(argument)}, {_options(formulas.CELLS)},")
        lines.append(f"     doc={_quoted(text, 9)})")
    lines += _wrapped(f"def {name}(", [p.name if p.default is p.empty
                                        else f"{p.name}={p.default!r}" for p in params], "):")
    lines.append(f'    """{formula.__doc__}"""')
    lines += _wrapped(f"    return formulas.{name}(", [p.name for p in params], ")")
    return "\n".join(lines)


def _script(macro: str) -> str:
    """One button: the macro run on the open workbook through the Excel side."""
    title, text = SCRIPTS[macro]
    doc = textwrap.fill(f"{title}: {text}", 92, initial_indent='    """',
                        subsequent_indent="    ")
    return "\n".join([
        f"@script(name={json.dumps(title)})",
        f"def {macro}(book: xw.Book):",
        doc + '"""',
        f"    perform({json.dumps(macro)}, ExcelSide(book))",
    ])


def _raw(text: str) -> str:
    """A module's source as a raw triple-quoted literal, unchanged."""
    if "'''" in text or text.endswith("\\"):
        raise ValueError("a bundled module cannot be written as a raw ''' string")
    return "r'''" + text + "'''"


#: First line of the generated main.py, in the convention code review and linters recognise
#: (``^// Code generated .* DO NOT EDIT\.$``), so tools count it as generated, not as code.
GENERATED_MARKER = "# Code generated by potentiel lite. DO NOT EDIT."


def main_py(sources: dict[str, tuple[bool, str]]) -> str:
    """main.py: the formulas and buttons on top, potentiel's modules as text below."""
    version = metadata.version("potentiel")
    header = f'''{GENERATED_MARKER}
"""potentiel in xlwings Lite: its formulas and its Analyze, Build segment sheets
and Validate buttons in Excel on Windows, macOS and the web.

Generated by `potentiel lite` from potentiel {version}: do not edit, generate it again.  The
formulas and buttons come first; potentiel's own modules follow as text and are imported from
there, so the workbook needs nothing but xlwings Lite and the packages of requirements.txt.
"""

import xlwings as xw
from xlwings import arg, func, script
'''
    formulas_part = "\n\n\n".join(_formula(f) for f in formulas.FORMULAS)
    scripts_part = "\n\n\n".join(_script(m) for m in SCRIPTS)
    modules_part = ",\n".join(f"    {json.dumps(name)}: ({is_package}, {_raw(text)})"
                              for name, (is_package, text) in sources.items())
    loader = inspect.getsource(bundle)
    return "\n".join([
        header,
        "# --- Formulas " + "-" * 80,
        "",
        formulas_part,
        "",
        "",
        "# --- Buttons " + "-" * 81,
        "",
        scripts_part,
        "",
        "",
        "# --- potentiel's modules (addin/template_maker/bundle.py, then the sources) " + "-" * 27,
        "",
        loader,
        "",
        "install({" + ", ".join(json.dumps(r) for r in sorted(ROOTS)) + "}, {",
        modules_part,
        "})",
        "",
        "from addin.app import formulas",
        "from addin.app.jobs import perform",
        "from addin.app.side import ExcelSide",
        "",
    ])


README = """# potentiel in xlwings Lite

Generated by `potentiel lite`: do not edit these files, generate them again.

These files put potentiel's formulas (`=CUSTOMER_TYPE(...)`, `=MARGIN_RATE(...)`,
`=POTENTIEL_ANALYZE(...)`, ...) and its Analyze, Build segment sheets and Validate buttons
into a workbook, for Excel on Windows, on macOS and on the web, without installing Python.

1. In Excel, Home > Add-ins: search for **xlwings Lite** and add it (free, also for
   commercial use). Its editor opens on the right (Home > xlwings Lite reopens it).
2. Open your customer workbook (Customers sheet, and Orders, Segments, Settings if you have
   them).
3. In the editor's **requirements.txt** tab, replace everything with the content of
   `requirements.txt` here. Lite installs the packages (the first time takes a minute).
4. In the **main.py** tab, replace everything with the content of `main.py` here.
5. Save the workbook: the code is stored in it, so whoever opens it with xlwings Lite gets
   the formulas and buttons too.

The formulas are then typed into cells as usual. The buttons are in the editor (the Run
button and its list, or App Mode: Ctrl+Shift+M, Cmd+Shift+M on a Mac): **Analyze**,
**Build segment sheets**, **Validate**. They read the open workbook and write only
potentiel's own sheets (Analysis, one per segment, Validation).

Not in xlwings Lite: the Dashboard's charts, Sync now and the scheduled Google Sheets sync
(run them from the desktop add-in or the `potentiel` command line).
"""


def write(directory: Path) -> list[Path]:
    """Write main.py, requirements.txt and README.md into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sources = modules()
    files = {"main.py": main_py(sources), "requirements.txt": requirements(sources),
             "README.md": README}
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
