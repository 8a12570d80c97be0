"""Build the Excel files users download: the macro-enabled template and the ribbon add-in.

Both are made from reviewable text in ``addin/data/template`` (VBA modules, the ribbon XML,
the sheet layout) plus xlwings' own VBA, read from the installed xlwings package so the VBA
always matches the xlwings version its Python side will talk to:

* ``potentiel_template.xlsm`` — Start sheet with buttons, the input sheets, an ``xlwings.conf``
  sheet, and a VBA project holding xlwings' standalone module (what ``xlwings quickstart
  --standalone`` embeds: ``xlwings.bas`` and ``Dictionary.cls``) and ``Potentiel.bas``;
* ``potentiel.xlam`` — an xlwings custom add-in (``xlwings_custom_addin.bas``, whose RunPython
  acts on the active workbook) with a ``potentiel.conf`` sheet, ``Potentiel.bas``,
  ``PotentielRibbon.bas`` and the "Potentiel" ribbon tab (``customUI/customUI14.xml``).

Output is byte-for-byte reproducible: fixed document dates, fixed zip timestamps, fixed VBA
project ids.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import tomllib
import zipfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import xlsxwriter

from addin.core.settings import Settings
from addin.errors import WorkbookError
from addin.template_maker.vbaproject import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    Module,
    build_vba_project,
    class_module,
    document_module,
    standard_module,
)
from addin.workbook.files import atomic_write

TEMPLATE_NAME = "potentiel_template.xlsm"
ADDIN_NAME = "potentiel.xlam"
SOURCES = Path(__file__).parent / "data" / "template"

#: Stamped as the documents' creation date so that rebuilding gives the same bytes.
BUILD_DATE = dt.datetime(2025, 1, 1)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_TEMPLATE_PROJECT_ID = "{6F1B3C52-5E0A-4C1D-9B7E-2A4D8C0F1E31}"
_ADDIN_PROJECT_ID = "{8A2C4E61-7F1B-4D2E-AC8F-3B5E9D1F2A42}"
_ADDIN_PROJECT_NAME = "PotentielAddin"
#: xlwings' custom add-in reads its settings from "<PROJECT_NAME>.conf" sheets and files.
_ADDIN_CONF_NAME = "potentiel"
_CUSTOM_ADDIN_NAME = 'Public Const PROJECT_NAME As String = "{}"'

_XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_XLAM_MAIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
_RIBBON_PART = "customUI/customUI14.xml"
_RIBBON_REL = (
    '<Relationship Id="rIdPotentielRibbon" '
    'Type="http://schemas.microsoft.com/office/2007/relationships/ui/extensibility" '
    f'Target="{_RIBBON_PART}"/>'
)


def build(out_dir: Path) -> list[Path]:
    """Write the template and the add-in into ``out_dir`` (created if needed); return the paths.

    Each file is written to a temporary name and moved into place, so an existing copy is
    either kept whole or replaced whole.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WorkbookError(f"cannot create the folder {out_dir}: {err.strerror}",
                            hint="Choose a folder you can write to.") from err
    written = []
    for name, data in ((TEMPLATE_NAME, template_bytes()), (ADDIN_NAME, addin_bytes())):
        written.append(_write_atomic(out_dir / name, data))
    return written


def template_bytes() -> bytes:
    """The bytes of ``potentiel_template.xlsm``."""
    layout = _layout()
    sheet_count = 1 + len(layout["sheet"]) + 1  # Start, input sheets, xlwings.conf
    modules = [
        *_document_modules(sheet_count),
        standard_module(_xlwings_source("xlwings.bas")),
        class_module(_xlwings_source("addin/Dictionary.cls")),
        standard_module(_source("Potentiel.bas")),
    ]
    vba = build_vba_project(modules, name="VBAProject", project_id=_TEMPLATE_PROJECT_ID)
    buffer = io.BytesIO()
    workbook = _new_workbook(buffer, vba, "potentiel template")
    _write_start(workbook, layout)
    for sheet in layout["sheet"]:
        _write_input_sheet(workbook, sheet, layout["descriptions"])
    _write_conf(workbook, "xlwings.conf", layout["xlwings_conf"], hidden=True)
    workbook.close()
    return _repack(buffer.getvalue())


def addin_bytes() -> bytes:
    """The bytes of ``potentiel.xlam``: a custom xlwings add-in with the Potentiel ribbon tab."""
    layout = _layout()
    xlwings_vba = _xlwings_source("xlwings_custom_addin.bas")
    quickstart_name = _CUSTOM_ADDIN_NAME.format("myaddin")
    if xlwings_vba.count(quickstart_name) != 1:
        raise WorkbookError(
            "the installed xlwings has an unexpected custom add-in module "
            "(no PROJECT_NAME constant to rename)",
            hint="Install the xlwings version named in potentiel's requirements.",
        )
    xlwings_vba = xlwings_vba.replace(quickstart_name, _CUSTOM_ADDIN_NAME.format(_ADDIN_CONF_NAME))
    modules = [
        *_document_modules(1),
        standard_module(xlwings_vba),
        class_module(_xlwings_source("addin/Dictionary.cls")),
        standard_module(_source("Potentiel.bas")),
        standard_module(_source("PotentielRibbon.bas")),
    ]
    vba = build_vba_project(modules, name=_ADDIN_PROJECT_NAME, project_id=_ADDIN_PROJECT_ID)
    buffer = io.BytesIO()
    workbook = _new_workbook(buffer, vba, "potentiel add-in")
    _write_conf(workbook, f"{_ADDIN_CONF_NAME}.conf", layout["xlwings_conf"])
    workbook.close()
    return _repack(buffer.getvalue(), ribbon=_source("customUI14.xml"))


def _source(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


def _layout() -> dict[str, Any]:
    return tomllib.loads(_source("layout.toml"))


def xlwings_vba_dir() -> Path:
    """The folder of the installed xlwings package, where its VBA sources live."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise WorkbookError("xlwings is not installed, so its VBA cannot be put in the template",
                            hint="Run: pip install xlwings")
    return Path(next(iter(spec.submodule_search_locations)))


def _xlwings_source(relative: str) -> str:
    path = xlwings_vba_dir() / relative
    try:
        return path.read_bytes().decode("cp1252")
    except OSError as err:
        raise WorkbookError(
            f"the installed xlwings has no {relative} ({err.strerror})",
            hint="Reinstall xlwings: pip install --force-reinstall xlwings",
        ) from err


def _document_modules(sheet_count: int) -> list[Module]:
    """ThisWorkbook and Sheet1..SheetN, matching the code names XlsxWriter gives the sheets."""
    return [document_module("ThisWorkbook", WORKBOOK_BASE)] + [
        document_module(f"Sheet{i}", WORKSHEET_BASE) for i in range(1, sheet_count + 1)
    ]


def _new_workbook(buffer: io.BytesIO, vba: bytes, title: str) -> xlsxwriter.Workbook:
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.set_properties({"title": title, "author": "potentiel", "created": BUILD_DATE})
    workbook.set_vba_name("ThisWorkbook")
    workbook.add_vba_project(io.BytesIO(vba), is_stream=True)
    return workbook


def _write_start(workbook: xlsxwriter.Workbook, layout: dict[str, Any]) -> None:
    start = layout["start"]
    sheet = workbook.add_worksheet(start["name"])
    sheet.hide_gridlines(2)
    sheet.set_column(0, 0, 12)
    sheet.write_string(0, 0, start["title"], workbook.add_format({"bold": True, "font_size": 16}))
    for row, line in enumerate(start["lines"], start=2):
        sheet.write_string(row, 0, line)
    button_row = 3 + len(start["lines"])
    for i, button in enumerate(layout["button"]):
        sheet.insert_button(button_row, 0, {
            "macro": button["macro"],
            "caption": button["caption"],
            "width": 150,
            "height": 36,
            "x_offset": 10 + i * 165,
        })
    sheet.activate()


def _write_input_sheet(workbook: xlsxwriter.Workbook, spec: dict[str, Any],
                       descriptions: dict[str, str]) -> None:
    sheet = workbook.add_worksheet(spec["name"])
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    required = workbook.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    columns: list[str] = spec["columns"]
    for col, name in enumerate(columns):
        needed = name in spec.get("required", ())
        sheet.write_string(0, col, name, required if needed else header)
        if needed:
            sheet.write_comment(0, col, f"Required: every row needs a {name}.",
                                {"author": "potentiel"})
        width = max(len(name) + 3, 12)
        sheet.set_column(col, col, width, date if name in spec.get("dates", ()) else None)
    rows = _settings_rows(descriptions) if spec.get("settings") else spec.get("rows", ())
    for row, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            sheet.write_string(row, col, value)  # text stays text: "=" must not become a formula
    if spec.get("settings"):
        sheet.set_column(2, 2, 80)
    for name, choices in spec.get("choices", {}).items():
        col = columns.index(name)
        sheet.data_validation(1, col, 1_048_575, col, {
            "validate": "list",
            "source": choices,
            "error_title": f"Unknown {name}",
            "error_message": "Choose one of: " + " ".join(choices),
        })
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, 0, len(columns) - 1)


def _settings_rows(descriptions: dict[str, str]) -> list[list[str]]:
    """key | default value | description for every setting; blank where the default is
    computed (from the data, or today's date)."""
    defaults = Settings()
    missing = [f.name for f in fields(Settings) if f.name not in descriptions]
    if missing:
        raise WorkbookError(f"settings without a description in layout.toml: {missing}",
                            hint="Describe each setting under [descriptions].")
    rows = []
    for item in fields(Settings):
        value = getattr(defaults, item.name)
        shown = "" if value in (None, ()) else (f"{value:g}" if isinstance(value, float)
                                                else str(value))
        rows.append([item.name, shown, descriptions[item.name]])
    return rows


def _write_conf(workbook: xlsxwriter.Workbook, name: str, settings: dict[str, str],
                hidden: bool = False) -> None:
    """xlwings' config sheet: keys in column A from A1 down, values in column B.  Hidden in
    the template (xlwings reads it all the same): users need not see it."""
    sheet = workbook.add_worksheet(name)
    if hidden:
        sheet.hide()
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 40)
    for row, (key, value) in enumerate(settings.items()):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)


def _repack(package: bytes, *, ribbon: str | None = None) -> bytes:
    """Rewrite the zip with fixed timestamps; with ``ribbon``, turn it into an add-in package.

    An add-in differs from a macro-enabled workbook by the content type of its workbook part;
    the ribbon is a ``customUI14.xml`` part related from the package's ``_rels/.rels``.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if ribbon is not None and info.filename == "[Content_Types].xml":
                data = _replace_once(data, _XLSM_MAIN, _XLAM_MAIN)
            if ribbon is not None and info.filename == "_rels/.rels":
                data = _replace_once(data, "</Relationships>", _RIBBON_REL + "</Relationships>")
            target.writestr(zipfile.ZipInfo(info.filename, _ZIP_DATE), data,
                            compress_type=zipfile.ZIP_DEFLATED)
        if ribbon is not None:
            target.writestr(zipfile.ZipInfo(_RIBBON_PART, _ZIP_DATE), ribbon.encode("utf-8"),
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _replace_once(data: bytes, old: str, new: str) -> bytes:
    text = data.decode("utf-8")
    if text.count(old) != 1:
        raise WorkbookError(f"unexpected package layout: {old!r} not found exactly once",
                            hint="Report this as a bug in potentiel.")
    return text.replace(old, new).encode("utf-8")


def _write_atomic(path: Path, data: bytes) -> Path:
    try:
        return atomic_write(path, data)
    except OSError as err:
        raise WorkbookError(f"cannot write {path}: {err.strerror}",
                            hint="Close the file in Excel or choose another folder.") from err
