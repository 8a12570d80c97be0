"""Content types and relationships: how the parts of a workbook package find one another.

Every part of the zip has a content type (``[Content_Types].xml``: a ``Default`` by extension
or an ``Override`` by part name), and parts point at one another through relationships kept in
a ``.rels`` part beside them (``xl/_rels/workbook.xml.rels`` relates ``xl/workbook.xml`` to its
sheets, styles, VBA project...).  This module names the types and relationship kinds potentiel
writes, and turns a ``.rels`` part's targets into part names.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from addin.errors import WorkbookError

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_SHEET = REL_NS + "/worksheet"
REL_STYLES = REL_NS + "/styles"
REL_DRAWING = REL_NS + "/drawing"
REL_CHART = REL_NS + "/chart"
REL_CALC_CHAIN = REL_NS + "/calcChain"
REL_COMMENTS = REL_NS + "/comments"
REL_VML = REL_NS + "/vmlDrawing"
REL_TABLE = REL_NS + "/table"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
#: The namespace of the .rels parts themselves.
PACKAGE_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_VBA = "application/vnd.ms-office.vbaProject"
#: The content type of the workbook part for each kind of file potentiel writes.
MAIN_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}

WORKBOOK_PART = "xl/workbook.xml"
CONTENT_TYPES = "[Content_Types].xml"


@dataclass
class Relationship:
    """One ``<Relationship>`` of a .rels part, with its target resolved to a part name."""

    id: str
    type: str
    target: str
    part: str | None
    element: str


def check_output(path: Path) -> None:
    """Refuse to write a workbook under a name that is not a .xlsx or .xlsm file's: Excel
    would not open it (``out.csv``), or open it as another kind of file."""
    if Path(path).suffix.lower() not in MAIN_TYPES:
        raise WorkbookError(f"{Path(path).name} is not a workbook name: write to a .xlsx file "
                            "(or .xlsm to keep the macros)",
                            hint="potentiel writes .xlsx and .xlsm workbooks.")


def rels_part(part: str) -> str:
    """Name of the .rels part holding a part's relationships."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def source_of(rels: str) -> str:
    """The part a .rels part describes ('' for the package's own)."""
    folder, name = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), name[: -len(".rels")]) if folder != "_rels" \
        else ""


def resolve_target(source: str, target: str) -> str:
    """The part a relationship of ``source`` points at (targets are relative to its folder)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
