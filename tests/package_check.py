"""An independent check of a written .xlsx/.xlsm package: what Excel would repair.

Two validators, both independent of the code under test: ``openxml-audit`` (a port of the Open
XML SDK's schema and semantic checks) and the structural rules below, which cover what makes
Excel say "We found a problem with some content" though every part is schema-valid: every XML
part namespace-well-formed (``xml.etree``: an unbound prefix is an error), content types and
relationship targets present, sheet names Excel accepts, table ids and names unique and their
headers equal to their header cells, defined names that resolve, a calcChain naming only formula
cells, conditional formats whose ``dxfId`` exists, hyperlinks under Excel's per-sheet limit, and
no formula, data validation, conditional format or chart range naming a missing sheet (a link
to one is no repair: Excel says "Reference isn't valid" when it is clicked), nor a formula,
rule or defined name with a structured reference (``T[Col]``) to a Table, or a Table's column,
the package does not have.
:func:`check_package` returns the findings (empty: valid).  ``tests/conftest.py`` runs it on
every workbook a test writes.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}
M = "{{{}}}".format(NS["m"])
RID = "{{{}}}id".format(NS["r"])
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#: Excel's limit of hyperlinks on one worksheet.
MAX_HYPERLINKS = 65_530
#: Content types of a workbook's main part, by file extension.
MAIN_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}
#: openxml-audit costs 1-2 s per MB of XML on a 2-core CI machine: packages holding more XML
#: than this (benchmark-size books of 100,000+ customers) get the structural rules only; every
#: smaller one gets both.  No test writes one today.
AUDIT_LIMIT = 16 << 20

_SHEET_IN_TEXT = re.compile(r"(?<![#\w.])(?:'((?:[^']|'')+)'|([^\s'!:,()=+\-*/&^<>\"{}#;]+))!")
#: A structured reference: a Table's name, then one bracket level that may hold a second
#: (``T[Col]``, ``T[[#Data],[Col]]``, ``T[[A]:[B]]``); ``'`` escapes ``[ ] # '`` in a column.
_STRUCTURED = re.compile(r"(?<![\w.\\'\]!\[#@])([A-Za-z_\\][\w.\\]*)"
                         r"\[((?:[^\[\]']|'.|\[(?:[^\]']|'.)*\])*)\]")
_cache: dict[str, list[str]] = {}
#: Findings the current test's inputs already had (their producer's, not potentiel's): see
#: :func:`accept_input`; the hook in conftest.py empties it after each test.
ACCEPTED: set[str] = set()


def accept_input(path: Path) -> None:
    """Accept in outputs the findings a test's input workbook already has: potentiel copies the
    parts it does not own as they are (openpyxl, for one, writes a font's children out of
    schema order)."""
    ACCEPTED.update(check_package(path))


def findings(path: Path) -> list[str]:
    """What :func:`check_package` finds that the inputs did not already have."""
    return [f for f in check_package(path) if f not in ACCEPTED]


#: Packages checked, distinct ones, and the CPU seconds spent (the suite prints them at the end).
COST = {"packages": 0, "distinct": 0, "seconds": 0.0}


def check_package(path: Path) -> list[str]:
    """Every finding on the package at ``path`` (cached by content: each version once)."""
    start = time.process_time()
    data = Path(path).read_bytes()
    key = hashlib.sha1(data).hexdigest()
    COST["packages"] += 1
    if key not in _cache:
        COST["distinct"] += 1
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                size = sum(info.file_size for info in package.infolist())
        except zipfile.BadZipFile:
            size = 0
        _cache[key] = _structure(Path(path), data) + _audit(Path(path), size)
    COST["seconds"] += time.process_time() - start
    return _cache[key]


_audit_validator: Any = None


def _validator() -> Any:
    """openxml-audit's validator, with its per-part passes (schema, semantic) run once per
    distinct part: a test suite writes the same sheets again and again (a re-run replaces a
    sheet with the same bytes, a user's sheet is copied as it is), and those passes are most of
    the cost.  A part's schema verdict depends on its bytes alone; its semantic one also on its
    relationships and on the styles, shared strings and workbook parts, all in the key."""
    global _audit_validator
    if _audit_validator is None:
        from openxml_audit import OpenXmlValidator

        _audit_validator = OpenXmlValidator(max_errors=20)
        _audit_validator._schema_validator.validate_part = _once(
            "schema", _audit_validator._schema_validator.validate_part, lambda part: b"")
        semantic = _audit_validator._semantic_validator_spreadsheet
        semantic.validate_part = _once("semantic", semantic.validate_part, _surroundings)
    return _audit_validator


_verdicts: dict[tuple[str, str, bytes, bytes], list[Any]] = {}


def _once(kind: str, validate: Callable[[Any, Any], None],
          surroundings: Callable[[Any], bytes]) -> Callable[[Any, Any], None]:
    def run(part: Any, context: Any) -> None:
        raw = part.raw_content or b""
        key = (kind, part.content_type, hashlib.sha1(raw).digest(), surroundings(part))
        if key in _verdicts:
            context.errors.extend(_verdicts[key])
            return
        before = len(context.errors)
        validate(part, context)
        _verdicts[key] = context.errors[before:]
    return run


def _surroundings(part: Any) -> bytes:
    """What a part's semantic checks may look at besides its bytes."""
    package = part._package
    folder, name = posixpath.split(part.uri)
    digest = hashlib.sha1()
    for other in (f"{folder}/_rels/{name}.rels", "/xl/styles.xml", "/xl/sharedStrings.xml",
                  "/xl/workbook.xml", "/xl/_rels/workbook.xml.rels"):
        try:
            digest.update(package.get_part_content(other) or b"")
        except (KeyError, OSError, ValueError):
            digest.update(b"-")
    return digest.digest()


def _audit(path: Path, size: int) -> list[str]:
    from openxml_audit import ValidationSeverity

    if size > AUDIT_LIMIT:
        return []
    result = _validator().validate(str(path))
    # Warnings are advice about what Excel rewrites on its next save (inline strings moved to
    # the shared strings table), not what it repairs on open.
    return [f"openxml-audit: {e.part_uri or ''} {e.path or ''} {e.description}"
            for e in result.errors if e.severity == ValidationSeverity.ERROR]


def _structure(path: Path, data: bytes) -> list[str]:
    try:
        book = _Book(path)
    except (zipfile.BadZipFile, KeyError, ET.ParseError) as err:
        return [f"not a readable package: {err}"]
    with book:
        return list(book.findings())


class _Book:
    """The parsed parts of one package."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self.names = set(self.zip.namelist())
        self.xml: dict[str, ET.Element] = {}
        self.errors: list[str] = []
        for name in sorted(self.names):
            if name.endswith((".xml", ".rels", ".vml")):
                try:
                    self.xml[name] = ET.fromstring(self.zip.read(name))
                except ET.ParseError as err:
                    self.errors.append(f"{name}: not well-formed XML ({err})")
        #: Table name -> its column names, both casefolded as Excel compares them.
        self.tables: dict[str, set[str]] = {}
        for part, root in self.xml.items():
            if part.startswith("xl/tables/") and root.tag == M + "table":
                self.tables[root.get("displayName", root.get("name", "")).casefold()] = {
                    c.get("name", "").casefold() for c in root.iter(M + "tableColumn")}

    def __enter__(self) -> _Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def rels(self, source: str) -> dict[str, tuple[str, str, str | None]]:
        """id -> (type, target, part) of a part's relationships."""
        folder, name = posixpath.split(source)
        root = self.xml.get(posixpath.join(folder, "_rels", name + ".rels"))
        found = {}
        for rel in [] if root is None else root.findall("pr:Relationship", NS):
            target = rel.get("Target", "")
            part = None if rel.get("TargetMode") == "External" else (
                target[1:] if target.startswith("/") else
                posixpath.normpath(posixpath.join(folder, target)))
            found[rel.get("Id", "")] = (rel.get("Type", ""), target, part)
        return found

    def findings(self) -> Iterator[str]:
        yield from self.errors
        if self.errors:
            return
        yield from self._content_types()
        yield from self._relationships()
        sheets = yield from self._sheets()
        yield from self._names(sheets)
        yield from self._tables(sheets)
        yield from self._calc_chain(sheets)
        yield from self._formats_and_links(sheets)
        yield from self._app_titles(sheets)

    def _content_types(self) -> Iterator[str]:
        types = self.xml["[Content_Types].xml"]
        defaults = {d.get("Extension", "").lower(): d.get("ContentType")
                    for d in types.findall("ct:Default", NS)}
        overrides = {o.get("PartName", "")[1:]: o.get("ContentType")
                     for o in types.findall("ct:Override", NS)}
        for part in overrides:
            if part not in self.names:
                yield f"[Content_Types].xml: override for missing part /{part}"
        for name in self.names - {"[Content_Types].xml"}:
            if not name.endswith("/") and name not in overrides and \
                    name.rsplit(".", 1)[-1].lower() not in defaults:
                yield f"{name}: no content type"
        main = MAIN_TYPES.get(self.path.suffix.lower())
        if main is not None and overrides.get("xl/workbook.xml") != main:
            yield (f"xl/workbook.xml: content type {overrides.get('xl/workbook.xml')} in a "
                   f"{self.path.suffix} file")
        if self.path.suffix.lower() == ".xlsx" and "xl/vbaProject.bin" in self.names:
            yield "xl/vbaProject.bin: a VBA project in a .xlsx file"

    def _relationships(self) -> Iterator[str]:
        for name in sorted(self.names):
            if not name.endswith(".rels"):
                continue
            folder, file = posixpath.split(name)
            source = posixpath.join(posixpath.dirname(folder), file[:-5])
            if source and source not in self.names:
                yield f"{name}: relationships of a missing part {source}"
            ids = [r.get("Id") for r in self.xml[name].findall("pr:Relationship", NS)]
            if len(ids) != len(set(ids)):
                yield f"{name}: duplicate relationship ids"
            for rid, (_, target, part) in self.rels(source).items():
                if part is not None and part not in self.names:
                    yield f"{name}: {rid} targets missing part {target}"

    def _sheets(self) -> Iterator[str]:
        """Check the tab list; returns [(name, part)] in tab order."""
        book = self.xml["xl/workbook.xml"]
        rels = self.rels("xl/workbook.xml")
        sheets, seen, ids = [], set(), set()
        for sheet in book.findall("m:sheets/m:sheet", NS):
            name = sheet.get("name", "")
            problem = sheet_name_problem(name)
            if problem:
                yield f"xl/workbook.xml: sheet name {name!r} {problem}"
            if name.casefold() in seen:
                yield f"xl/workbook.xml: duplicate sheet name {name!r}"
            seen.add(name.casefold())
            if sheet.get("sheetId") in ids:
                yield f"xl/workbook.xml: duplicate sheetId {sheet.get('sheetId')}"
            ids.add(sheet.get("sheetId"))
            rid = sheet.get(RID)
            if rid not in rels:
                yield f"xl/workbook.xml: sheet {name!r} has no relationship {rid}"
            sheets.append((name, rels.get(rid, ("", "", None))[2], sheet.get("sheetId")))
        return sheets

    def _names(self, sheets: list) -> Iterator[str]:
        tabs = {name.casefold() for name, _, _ in sheets}
        seen = set()
        for defined in self.xml["xl/workbook.xml"].findall("m:definedNames/m:definedName", NS):
            name, local = defined.get("name", ""), defined.get("localSheetId")
            if (name.casefold(), local) in seen:
                yield f"xl/workbook.xml: defined name {name!r} twice in one scope"
            seen.add((name.casefold(), local))
            if local is not None and int(local) >= len(sheets):
                yield f"xl/workbook.xml: name {name!r} scoped to sheet {local} of {len(sheets)}"
            for missing in _missing_sheets(defined.text or "", tabs):
                yield f"xl/workbook.xml: name {name!r} refers to missing sheet {missing!r}"
            for missing in _missing_tables(defined.text or "", self.tables):
                yield f"xl/workbook.xml: name {name!r} refers to {missing}"

    def _cells(self, part: str) -> Iterator[ET.Element]:
        yield from self.xml[part].iter(M + "c")

    def _tables(self, sheets: list) -> Iterator[str]:
        ids, names = set(), set()
        strings = [("".join(t.text or "" for t in si.iter(M + "t")))
                   for si in self.xml.get("xl/sharedStrings.xml", ET.Element("x"))
                   .findall("m:si", NS)]
        for _, part, _ in sheets:
            if part is None or part not in self.xml:
                continue
            for _rid, (kind, _, table_part) in self.rels(part).items():
                if kind != REL + "table" or table_part not in self.xml:
                    continue
                table = self.xml[table_part]
                if table.get("id") in ids or table.get("name", "").casefold() in names:
                    yield f"{table_part}: table id/name {table.get('id')}/{table.get('name')} " \
                          "not unique"
                ids.add(table.get("id"))
                names.add(table.get("name", "").casefold())
                if table.get("headerRowCount") == "0":
                    continue
                yield from self._table_headers(part, table_part, table, strings)

    def _table_headers(self, part: str, table_part: str, table: ET.Element,
                       strings: list[str]) -> Iterator[str]:
        first = table.get("ref", "A1").split(":")[0]
        row = re.sub(r"[A-Z]", "", first)
        column = _column(re.sub(r"\d", "", first))
        headers = [c.get("name", "") for c in table.findall("m:tableColumns/m:tableColumn", NS)]
        cells = {}
        for cell in self._cells(part):
            ref = cell.get("r", "")
            if re.sub(r"[A-Z]", "", ref) == row:
                cells[_column(re.sub(r"\d", "", ref))] = _value(cell, strings)
        for n, header in enumerate(headers):
            if cells.get(column + n, "") != header:
                yield (f"{table_part}: column {header!r} but its header cell holds "
                       f"{cells.get(column + n)!r}")

    def _calc_chain(self, sheets: list) -> Iterator[str]:
        chain = self.xml.get("xl/calcChain.xml")
        if chain is None:
            return
        by_id = {sheet_id: part for _, part, sheet_id in sheets}
        formulas: dict[str, set[str]] = {}
        sheet = None
        for entry in chain.findall("m:c", NS):
            sheet = entry.get("i", sheet)
            part = by_id.get(sheet)
            if part is None or part not in self.xml:
                yield f"xl/calcChain.xml: cell {entry.get('r')} of a missing sheet id {sheet}"
                continue
            if part not in formulas:
                formulas[part] = {c.get("r", "") for c in self._cells(part)
                                  if c.find("m:f", NS) is not None}
            if entry.get("r") not in formulas[part]:
                yield f"xl/calcChain.xml: {part} {entry.get('r')} holds no formula"

    def _formats_and_links(self, sheets: list) -> Iterator[str]:
        styles = self.xml.get("xl/styles.xml")
        dxfs = len(styles.findall("m:dxfs/m:dxf", NS)) if styles is not None else 0
        tabs = {name.casefold() for name, _, _ in sheets}
        for name, part, _ in sheets:
            if part is None or part not in self.xml:
                continue
            root = self.xml[part]
            for rule in root.iter(M + "cfRule"):
                dxf = rule.get("dxfId")
                if dxf is not None and int(dxf) >= dxfs:
                    yield f"{part}: conditional format dxfId {dxf} of {dxfs} dxfs"
            links = root.findall("m:hyperlinks/m:hyperlink", NS)
            if len(links) > MAX_HYPERLINKS:
                yield f"{part}: {len(links)} hyperlinks, Excel keeps {MAX_HYPERLINKS}"
            for formula in _formulas(root, _SHEET_FORMULAS):
                kind = _FORMULA_KINDS.get(formula.tag.rsplit("}", 1)[-1], "a formula")
                for missing in _missing_sheets(formula.text or "", tabs):
                    yield f"{part} ({name}): {kind} refers to missing sheet {missing!r}"
                for missing in _missing_tables(formula.text or "", self.tables):
                    yield f"{part} ({name}): {kind} refers to {missing}"
        for part in sorted(p for p in self.xml if p.startswith("xl/charts/")):
            for formula in _formulas(self.xml[part], ("f",)):
                for missing in _missing_sheets(formula.text or "", tabs):
                    yield f"{part}: a chart range refers to missing sheet {missing!r}"

    def _app_titles(self, sheets: list) -> Iterator[str]:
        app = self.xml.get("docProps/app.xml")
        pairs = None if app is None else app.find("ep:HeadingPairs/vt:vector", NS)
        titles = None if app is None else app.find("ep:TitlesOfParts/vt:vector", NS)
        if pairs is None or titles is None:
            return
        variants = list(pairs)
        counts = [int(v.findtext("vt:i4", "0", NS)) for v in variants[1::2]]
        listed = [t.text or "" for t in titles]
        if sum(counts) != len(listed) or int(titles.get("size", len(listed))) != len(listed):
            yield "docProps/app.xml: HeadingPairs counts do not add up to TitlesOfParts"
            return
        offset = 0
        for heading, count in zip(variants[0::2], counts, strict=False):
            label = heading.findtext("vt:lpstr", "", NS)
            if label in ("Worksheets", "Feuilles de calcul", "Werkbladen"):
                worksheets = [name for name, part, _ in sheets
                              if part and part.startswith("xl/worksheets/")]
                if listed[offset:offset + count] != worksheets:
                    yield (f"docProps/app.xml: worksheets {listed[offset:offset + count]} "
                           f"but the workbook has {worksheets}")
            offset += count


#: Elements of a worksheet whose text is a formula (any namespace: ``xm:f`` of the Excel 2010
#: extensions too), and what each is in a finding.
_SHEET_FORMULAS = ("f", "formula", "formula1", "formula2")
_FORMULA_KINDS = {"formula": "a conditional format", "formula1": "a data validation",
                  "formula2": "a data validation"}


def _formulas(root: ET.Element, locals_: tuple[str, ...]) -> Iterator[ET.Element]:
    """The elements under ``root`` whose local name is one of ``locals_``."""
    return (e for e in root.iter() if isinstance(e.tag, str)
            and e.tag.rsplit("}", 1)[-1] in locals_)


def sheet_name_problem(name: str) -> str | None:
    """Why Excel refuses a tab name, or None."""
    if not name or len(name) > 31:
        return "is empty or longer than 31 characters"
    if re.search(r"[:\\/?*\[\]]", name):
        return "holds one of : \\ / ? * [ ]"
    if name.startswith("'") or name.endswith("'"):
        return "starts or ends with an apostrophe"
    if name.casefold() == "history":
        return "is reserved by Excel"
    return None


def _missing_sheets(text: str, tabs: set[str]) -> list[str]:
    """Sheets a formula text names that the workbook does not have (strings skipped)."""
    text = re.sub(r'"(?:[^"]|"")*"', '""', text)
    found = []
    for quoted, bare in _SHEET_IN_TEXT.findall(text):
        name = quoted.replace("''", "'") if quoted else bare
        if name.startswith("["):  # an external workbook
            continue
        if name.casefold() not in tabs:
            found.append(name)
    return found


def _missing_tables(text: str, tables: dict[str, set[str]]) -> list[str]:
    """Tables, or Tables' columns, a formula text names that the package does not have
    (strings skipped; a Table of another workbook, ``Book.xlsx!T[Col]``, is not looked at)."""
    text = re.sub(r"'(?:[^']|'')+'!", "S!", re.sub(r'"(?:[^"]|"")*"', '""', text))
    found = []
    for table, body in _STRUCTURED.findall(text):
        columns = tables.get(table.casefold())
        if columns is None:
            found.append(f"missing table {table!r}")
            continue
        items = re.findall(r"\[((?:[^\]']|'.)*)\]", body) if body.lstrip().startswith("[") \
            else [body]
        for item in items:
            column = re.sub(r"'(.)", r"\1", item)
            if column and not column.startswith("#") and column.casefold() not in columns:
                found.append(f"column {column!r} that table {table!r} does not have")
    return found


def _column(letters: str) -> int:
    n = 0
    for letter in letters:
        n = n * 26 + ord(letter) - 64
    return n - 1


def _value(cell: ET.Element, strings: list[str]) -> str:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(M + "t"))
    value = cell.findtext("m:v", "", NS)
    if kind == "s" and value:
        return strings[int(value)]
    return value
