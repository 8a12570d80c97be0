"""An .xlsx/.xlsm workbook edited as its zip parts, never round-tripped through a library.

:class:`Package` is the one entry point for editing a workbook file: open it, read its tabs
and names, install potentiel's sheets, save.  It builds on the zip layer
(:mod:`addin.workbook.zip_package`: parts, content types and relationships, atomic saving) and
adds what a workbook is: the tab list and defined names of ``xl/workbook.xml``.

potentiel owns a few sheets (Analysis, Dashboard, ...) and marks each with a hidden defined name
``_potentiel.<role>`` that points at it: Excel keeps such names and updates them when a sheet is
renamed, so a re-run finds its own sheets and replaces them in place, never a user's sheet.
Every part potentiel did not write is copied with the same bytes; the XML parts it must touch
(workbook.xml, its rels, [Content_Types].xml, styles.xml) are edited as text
(:mod:`addin.workbook.xml_text`), so namespace prefixes, ``mc:Ignorable`` and unknown
extensions survive.  What an edit did to the user's own content (names turned into ``#REF!``)
is told as a :class:`~addin.workbook.notices.WorkbookNotice` once the file is saved.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from addin.workbook.a1 import quote_sheet, sheet_of_reference
from addin.workbook.content_types import (
    CT_CHART,
    CT_COMMENTS,
    CT_DRAWING,
    CT_SHEET,
    CT_TABLE,
    CT_VML,
    REL_CALC_CHAIN,
    REL_CHART,
    REL_COMMENTS,
    REL_DRAWING,
    REL_NS,
    REL_SHEET,
    REL_TABLE,
    REL_VML,
    WORKBOOK_PART,
    Relationship,
    check_output,
    source_of,
)
from addin.workbook.notices import Notice, WorkbookNotice
from addin.workbook.owned_sheets import MARK, mark_name, mark_reference, own_sheets, place_sheets
from addin.workbook.references import (
    Repointed,
    Tables,
    app_titles,
    refers_to,
    rename_references,
    repoint_chart,
    repoint_worksheet,
    table_change,
    table_columns,
)
from addin.workbook.xml_text import (
    attribute,
    declared_prefix,
    prefix_of,
    set_attribute,
    unescape,
)
from addin.workbook.zip_package import Chunks, ZipPackage

#: What callers import from here: the package, the sheets potentiel writes, and the few names
#: of the layers below that a caller needs (the rest stays in those modules).
__all__ = ["REL_CALC_CHAIN", "WORKBOOK_PART", "OwnSheet", "Package", "Sheet", "WorkbookNotice",
           "check_output"]


@dataclass
class Sheet:
    """One ``<sheet>`` element of workbook.xml."""

    name: str
    sheet_id: int
    rid: str
    part: str | None
    element: str
    position: int


@dataclass
class DefinedName:
    """One ``<definedName>`` element of workbook.xml."""

    name: str
    local_sheet: int | None
    text: str
    element: str


@dataclass
class OwnSheet:
    """A sheet potentiel writes: its role (the mark), tab name, worksheet XML and charts.

    ``worksheet`` is called at save time and yields the XML in chunks, so a million-row sheet
    never sits in memory; with ``charts``, the worksheet must hold ``<drawing r:id="rId1"/>``
    and ``drawing`` is the drawing part that anchors chart ``rId1``, ``rId2``, ... in order.
    """

    role: str
    name: str
    worksheet: Chunks
    drawing: bytes | None = None
    charts: list[bytes] = field(default_factory=list)
    #: The sheet's Excel Table, made from the id the package gives it (related as
    #: ``rIdTable1``: the worksheet must hold ``<tablePart r:id="rIdTable1"/>``) and the
    #: name of the Table it replaces, kept so that structured references keep working.
    table: Callable[[int, str | None], bytes] | None = None
    #: Names scoped to the sheet (``_xlnm.Print_Titles``) -> their formula, '{sheet}' for the
    #: quoted tab name.
    local_names: dict[str, str] = field(default_factory=dict)
    hidden: bool = False
    #: Notes on cells: the comments part and the VML drawing that shows them, made from a
    #: drawing id no other VML drawing has (related as ``rIdVml1``: the worksheet must hold
    #: ``<legacyDrawing r:id="rIdVml1"/>``).
    notes: tuple[bytes, Callable[[int], bytes]] | None = None


class Package(ZipPackage):
    """A workbook's zip parts with its tabs and names, edits kept in memory until
    :meth:`save`."""

    # -- workbook.xml ----------------------------------------------------------------------

    def sheets(self) -> list[Sheet]:
        """The workbook's sheets in tab order, with their parts."""
        xml = self.text(WORKBOOK_PART)
        parts = {r.id: r.part for r in self.relationships(WORKBOOK_PART)}
        found = []
        for position, element in enumerate(re.findall(r"<(?:\w+:)?sheet\b[^>]*>", xml)):
            rid = re.search(r"\s\w+:id\s*=\s*\"([^\"]*)\"", element)
            key = rid.group(1) if rid else ""
            found.append(Sheet(attribute(element, "name") or "",
                               int(attribute(element, "sheetId") or 0), key, parts.get(key),
                               element, position))
        return found

    def defined_names(self) -> list[DefinedName]:
        """The workbook's defined names."""
        xml = self.text(WORKBOOK_PART)
        found = []
        pattern = r"<(?:\w+:)?definedName\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?definedName>)"
        for match in re.finditer(pattern, xml, re.DOTALL):
            element = match.group(0)
            local = attribute(element, "localSheetId")
            found.append(DefinedName(attribute(element, "name") or "",
                                     None if local is None else int(local),
                                     unescape(match.group(1) or ""), element))
        return found

    def own_sheets(self) -> dict[str, Sheet]:
        """potentiel's sheets, by role, as marked by its hidden defined names."""
        by_name = {s.name: s for s in self.sheets()}
        marks = own_sheets([(d.name, d.text) for d in self.defined_names()
                            if d.local_sheet is None], by_name)
        return {role: by_name[tab] for role, tab in marks.items()}

    def _edit_workbook(self, edit: Callable[[str], str]) -> None:
        self.set_text(WORKBOOK_PART, edit(self.text(WORKBOOK_PART)))

    def _set_mark(self, role: str, sheet_name: str) -> None:
        """Point the hidden name ``_potentiel.<role>`` at a sheet (creating it if needed)."""
        xml = self.text(WORKBOOK_PART)
        p = prefix_of(xml, "workbook")
        ref = escape(mark_reference(sheet_name))
        element = f'<{p}definedName name="{mark_name(role)}" hidden="1">{ref}</{p}definedName>'
        for defined in self.defined_names():
            if defined.name == mark_name(role):
                xml = xml.replace(defined.element, "", 1)
        if re.search(r"<(?:\w+:)?definedNames\b[^>]*/>", xml):
            xml = re.sub(r"<(?:\w+:)?definedNames\b[^>]*/>",
                         f"<{p}definedNames></{p}definedNames>", xml, count=1)
        if f"</{p}definedNames>" in xml:
            xml = xml.replace(f"</{p}definedNames>", element + f"</{p}definedNames>", 1)
        else:
            anchor = _last_close(xml, p, ("sheets", "functionGroups", "externalReferences"))
            xml = xml[:anchor] + f"<{p}definedNames>{element}</{p}definedNames>" + xml[anchor:]
        self.set_text(WORKBOOK_PART, xml)

    def _drop_sheet_element(self, sheet: Sheet) -> None:
        """Remove a sheet from the tab list, keeping every sheet-scoped name on its own sheet."""
        def shift(xml: str) -> str:
            xml = xml.replace(sheet.element, "", 1)
            for defined in self.defined_names():
                local = defined.local_sheet
                stale_mark = defined.name.startswith(MARK) and sheet_of_reference(
                    defined.text) in (sheet.name, None)
                if stale_mark or local == sheet.position:
                    xml = xml.replace(defined.element, "", 1)
                elif local is not None and local > sheet.position:
                    xml = xml.replace(defined.element, set_attribute(
                        defined.element, "localSheetId", str(local - 1)), 1)
            for view in re.findall(r"<(?:\w+:)?workbookView\b[^>]*>", xml):
                new = view
                for key in ("activeTab", "firstSheet"):
                    value = attribute(view, key)
                    if value is not None and int(value) >= sheet.position and int(value) > 0:
                        new = set_attribute(new, key, str(int(value) - 1))
                xml = xml.replace(view, new, 1)
            return re.sub(r"<(?:\w+:)?definedNames>\s*</(?:\w+:)?definedNames>", "", xml)
        self._edit_workbook(shift)

    # -- potentiel's sheets ----------------------------------------------------------------

    def install(self, sheets: list[OwnSheet], *, drop: Callable[[str], bool]) -> list[str]:
        """Write potentiel's sheets: replace those already there in place, add the others.

        Own sheets whose role is not in ``sheets`` are deleted when ``drop(role)`` says so.
        Tab names that a user's sheet already has get a number. Returns the tab names used.
        """
        own = self.own_sheets()
        placement = place_sheets([s.name for s in self.sheets()],
                                 {role: sheet.name for role, sheet in own.items()},
                                 [(s.role, s.name) for s in sheets], drop)
        gone = {tab.casefold() for tab in placement.delete}
        self.drop_calc_chain()
        tables = {role: self._table_of(sheet) for role, sheet in own.items()}
        for role, sheet in own.items():
            if role in placement.reuse or sheet.name.casefold() in gone:
                self._remove_parts(sheet)
        for role, sheet in sorted(own.items(), key=lambda item: -item[1].position):
            if sheet.name.casefold() in gone:
                self.remove_relationship(WORKBOOK_PART, self._sheet_rel(sheet))
                self._drop_sheet_element(sheet)
                old = tables[role]
                self._repoint_references(sheet.name, tables={old[0]: None}
                                         if old is not None else None)
        narrowed: dict[str, dict[str, str | None]] = {}
        used: list[str] = []
        for spec in sheets:
            name = placement.names[spec.role]
            used.append(name)
            part = self.free_name("xl/worksheets/sheet{}.xml")
            self.put(part, spec.worksheet, CT_SHEET)
            if spec.charts:
                self._put_drawing(part, spec)
            if spec.table is not None:
                table = self.free_name("xl/tables/table{}.xml")
                kept = tables.get(spec.role) if spec.role in placement.reuse else None
                xml = spec.table(self._free_table_id(), kept[0] if kept is not None else None)
                self.put(table, xml, CT_TABLE)
                if kept is not None:  # columns renamed (language) or gone (#REF!)
                    change = table_change(kept[1], table_columns(xml)[1])
                    if change:
                        narrowed[kept[0]] = change
                self.add_relationship(part, REL_TABLE, table, rid="rIdTable1")
            if spec.notes is not None:
                comments = self.free_name("xl/comments{}.xml")
                self.put(comments, spec.notes[0], CT_COMMENTS)
                self.add_relationship(part, REL_COMMENTS, comments, rid="rIdComments1")
                vml = self.free_name("xl/drawings/vmlDrawing{}.vml")
                self.put(vml, spec.notes[1](self._free_vml_id()), CT_VML)
                self.add_relationship(part, REL_VML, vml, rid="rIdVml1")
            current = self.own_sheets().get(spec.role) if spec.role in placement.reuse else None
            if current is not None:
                rel = self._sheet_rel(current)
                self.remove_relationship(WORKBOOK_PART, rel)
                self.add_relationship(WORKBOOK_PART, REL_SHEET, part, rid=rel.id)
                if current.name != name:  # e.g. a result tab the user renamed by hand
                    self._repoint_references(current.name, name)
                element = set_attribute(current.element, "name", name)
                if spec.hidden or attribute(element, "state") is not None:
                    element = set_attribute(element, "state",
                                             "hidden" if spec.hidden else "visible")
                self._edit_workbook(lambda xml, old=current.element, new=element:
                                    xml.replace(old, new, 1))
            else:
                self._append_sheet(name, part, hidden=spec.hidden)
            self._set_mark(spec.role, name)
        for renamed in (True, False):  # renamed columns first, then those gone (noticed)
            change = {table: {c: now for c, now in columns.items() if (now is None) != renamed}
                      for table, columns in narrowed.items()}
            if any(change.values()):
                self._repoint_references(None, tables=change)
        for spec, name in zip(sheets, used, strict=True):
            for defined, formula in spec.local_names.items():
                self._set_local_name(defined, name, formula.format(sheet=quote_sheet(name)))
        self._update_titles()
        return used

    def drop_calc_chain(self) -> None:
        """Delete the calculation chain (part, relationship, content type): once cells or
        sheets change, a chain naming a cell without a formula is a repair in Excel, and
        Excel rebuilds a missing chain silently."""
        for rel in self.relationships(WORKBOOK_PART):
            if rel.type == REL_CALC_CHAIN and rel.part:
                self.remove(rel.part)
                self.remove_relationship(WORKBOOK_PART, rel)

    def _table_of(self, sheet: Sheet) -> tuple[str, list[str]] | None:
        """The name and columns of a sheet's Excel Table, if it has one."""
        for rel in self.relationships(sheet.part) if sheet.part else []:
            if rel.type == REL_TABLE and rel.part is not None and self.exists(rel.part):
                return table_columns(self.read(rel.part))
        return None

    def _repoint_references(self, gone: str | None, new: str | None = None,
                            tables: Tables | None = None) -> None:
        """Point what the user made that refers to sheet ``gone`` at its new name ``new``, as
        Excel does when a sheet is renamed, or (``new`` None: the sheet is deleted) do what
        Excel does then, each change listed in :attr:`notices`: names, cell formulas, data
        validations and conditional formats turn into ``#REF!``, chart ranges too (their
        cached values stay), hyperlinks to the sheet are removed.  Structured references to
        ``tables`` that are gone, or to a column a kept Table lost, become ``#REF!`` too
        (``gone`` None: only those; no notice when they are only renamed columns)."""
        quiet = new is not None or (gone is None and all(
            all(columns.values()) for columns in (tables or {}).values() if columns is not None))
        self._repoint_names(gone, new, tables, quiet)
        for sheet in self.sheets():
            if sheet.part is None or not self.exists(sheet.part) or \
                    not sheet.part.startswith("xl/worksheets/") or self.streamed(sheet.part):
                continue
            # read, not text(): a part is cached (and rewritten) only if something changes
            xml, found = repoint_worksheet(self.read(sheet.part).decode("utf-8"), gone, new,
                                           tables)
            if found == Repointed():
                continue
            self.set_text(sheet.part, xml)
            if quiet:
                continue
            if gone is None:
                where = found.formulas + found.validations + found.formats
                self.notices.append(Notice("columns", {"n": len(where), "where": sheet.name,
                                                       "cells": _some(where),
                                                       "table": ", ".join(tables or ())}))
                continue
            for key, where in (("formulas", found.formulas), ("validations", found.validations),
                               ("formats", found.formats), ("links", found.links)):
                if where:
                    self.notices.append(Notice(key, {"n": len(where), "where": sheet.name,
                                                     "cells": _some(where), "sheet": gone}))
        if gone is None:
            return
        holders = self._chart_holders()
        for part in self.names():
            if not (part.startswith("xl/charts/") and part.endswith(".xml")):
                continue
            xml, changed = repoint_chart(self.read(part).decode("utf-8"), gone, new)
            if not changed:
                continue
            self.set_text(part, xml)
            if new is None:
                self.notices.append(Notice("chart", {"n": changed, "sheet": gone,
                                                     "where": holders.get(part, "?")}))

    def _repoint_names(self, gone: str | None, new: str | None, tables: Tables | None,
                       quiet: bool) -> None:
        """The user's defined names that refer to sheet ``gone``, repointed (see above)."""
        for defined in self.defined_names():
            if defined.name.startswith(MARK) or not refers_to(defined.text, gone, tables):
                continue
            text = escape(rename_references(defined.text, gone, new, tables))
            element = re.sub(r">.*</", lambda _, t=text: f">{t}</", defined.element, count=1,
                             flags=re.DOTALL)
            self._edit_workbook(lambda xml, old=defined.element, new=element:
                                xml.replace(old, new, 1))
            if quiet:
                continue
            if gone is None:
                self.notices.append(Notice("name.columns", {
                    "name": defined.name, "table": ", ".join(tables or ()),
                    "formula": unescape(text)}))
            else:
                self.notices.append(Notice("name", {"name": defined.name, "sheet": gone,
                                                    "formula": unescape(text)}))

    def _chart_holders(self) -> dict[str, str]:
        """Chart part -> the tab that shows it (through the sheet's drawing)."""
        holders = {}
        for sheet in self.sheets():
            for drawing in self.relationships(sheet.part) if sheet.part else []:
                if drawing.type != REL_DRAWING or drawing.part is None:
                    continue
                for chart in self.relationships(drawing.part):
                    if chart.part is not None:
                        holders.setdefault(chart.part, sheet.name)
        return holders

    def _update_titles(self) -> None:
        """Keep docProps/app.xml's list of worksheets equal to the tab list."""
        part = "docProps/app.xml"
        if not self.exists(part):
            return
        worksheets = [s.name for s in self.sheets() if s.part is not None
                      and s.part.startswith("xl/worksheets/")]
        try:
            updated = app_titles(self.read(part), worksheets)
        except ET.ParseError:
            return
        if updated is not None:
            self.put(part, updated)

    def _free_vml_id(self) -> int:
        """A VML drawing id (``o:idmap data``) no drawing of the workbook uses."""
        ids = [int(i) for name in self.names() if name.endswith(".vml")  # any encoding
               for listed in re.findall(rb"\bdata=\"([\d,\s]+)\"", self.read(name)[:2000])
               for i in listed.replace(b",", b" ").split()]
        return max([0, *ids]) + 1

    def _free_table_id(self) -> int:
        """An Excel Table id no table of the workbook has (ids are workbook-wide)."""
        ids = [int(i) for name in self.names() if name.startswith("xl/tables/")
               and name.endswith(".xml") for i in re.findall(
                   r"<(?:\w+:)?table\b[^>]*?\sid=\"(\d+)\"", self.text(name)[:2000])]
        return max(ids, default=0) + 1

    def _set_local_name(self, defined: str, sheet_name: str, formula: str) -> None:
        """Point a name scoped to a sheet (``_xlnm.Print_Titles``) at ``formula``."""
        position = next(s.position for s in self.sheets() if s.name == sheet_name)
        for old in self.defined_names():
            if old.name == defined and old.local_sheet == position:
                self._edit_workbook(lambda xml, gone=old.element: xml.replace(gone, "", 1))
        xml = self.text(WORKBOOK_PART)
        p = prefix_of(xml, "workbook")
        element = (f'<{p}definedName name="{defined}" localSheetId="{position}">'
                   f"{escape(formula)}</{p}definedName>")
        self.set_text(WORKBOOK_PART, xml.replace(f"</{p}definedNames>",
                                                 element + f"</{p}definedNames>", 1))

    def activate(self, role: str) -> None:
        """Open the workbook on potentiel's sheet ``role``: it becomes the active tab, and the
        only selected one (two selected tabs would open grouped, and typing would go into
        both)."""
        sheet = self.own_sheets().get(role)
        if sheet is None:
            return
        ours = {s.name for s in self.own_sheets().values()}
        for other in self.sheets():
            if other.name not in ours and other.part is not None:
                self._deselect(other.part)

        def edit(xml: str) -> str:
            view = re.search(r"<(?:\w+:)?workbookView\b[^>]*>", xml)
            if view is None:
                return xml
            new = set_attribute(view.group(0), "activeTab", str(sheet.position))
            first = attribute(new, "firstSheet")
            if first is not None and int(first) > sheet.position:
                new = set_attribute(new, "firstSheet", str(sheet.position))
            return xml.replace(view.group(0), new, 1)
        self._edit_workbook(edit)

    def _deselect(self, part: str) -> None:
        """Drop ``tabSelected`` from a sheet's view: the attribute sits in the first bytes of
        the part, so only a sheet that has it is rewritten, and a big one is streamed."""
        selected = re.compile(rb'(<(?:\w+:)?sheetView\b[^>]*?)\s+tabSelected="(?:1|true)"')
        self.edit_head(part, lambda head: selected.sub(rb"\1", head, count=1))

    def _sheet_rel(self, sheet: Sheet) -> Relationship:
        return next(r for r in self.relationships(WORKBOOK_PART) if r.id == sheet.rid)

    def _append_sheet(self, name: str, part: str, hidden: bool = False) -> None:
        rid = self.add_relationship(WORKBOOK_PART, REL_SHEET, part)
        xml = self.text(WORKBOOK_PART)
        p = prefix_of(xml, "workbook")
        sheet_id = max((s.sheet_id for s in self.sheets()), default=0) + 1
        rid_attr = f'{declared_prefix(xml, REL_NS) or "r"}:id="{rid}"'
        if declared_prefix(xml, REL_NS) is None:
            rid_attr = f'xmlns:r="{REL_NS}" ' + rid_attr
        state = ' state="hidden"' if hidden else ""
        element = f'<{p}sheet name={quoteattr(name)} sheetId="{sheet_id}"{state} {rid_attr}/>'
        xml = re.sub(r"<((?:\w+:)?)sheets\s*/>", r"<\1sheets></\1sheets>", xml, count=1)
        self.set_text(WORKBOOK_PART, xml.replace(f"</{p}sheets>", element + f"</{p}sheets>", 1))

    def _put_drawing(self, sheet_part: str, spec: OwnSheet) -> None:
        drawing = self.free_name("xl/drawings/drawing{}.xml")
        self.put(drawing, spec.drawing or b"", CT_DRAWING)
        self.add_relationship(sheet_part, REL_DRAWING, drawing, rid="rId1")
        taken: set[str] = set()
        for n, chart in enumerate(spec.charts, start=1):
            part = self.free_name("xl/charts/chart{}.xml", taken)
            taken.add(part)
            self.put(part, chart, CT_CHART)
            self.add_relationship(drawing, REL_CHART, part, rid=f"rId{n}")

    def _remove_parts(self, sheet: Sheet) -> None:
        """Delete a sheet's part and what only it uses (drawings, charts), nothing shared."""
        if sheet.part is None:
            return
        doomed = self.reachable([sheet.part])
        while True:
            shared = {rel.part for source in self.names() if source.endswith(".rels")
                      for rel in self.relationships(source_of(source))
                      if source_of(source) not in doomed and rel.part in doomed
                      and not (source_of(source) == WORKBOOK_PART and rel.id == sheet.rid)}
            if not shared:
                break
            doomed -= self.reachable(sorted(shared))
        for part in sorted(doomed):
            self.remove(part)


def _last_close(xml: str, p: str, locals_: Iterable[str]) -> int:
    """Offset just after the last of these closing tags present (CT_Workbook element order)."""
    ends = [xml.find(f"</{p}{local}>") + len(f"</{p}{local}>") for local in locals_
            if f"</{p}{local}>" in xml]
    return max(ends)


def _some(cells: list[str]) -> str:
    """The first few cells or ranges of a list, for a notice: ``C1, D1, ...``."""
    return ", ".join(cells[:5]) + (", ..." if len(cells) > 5 else "")
