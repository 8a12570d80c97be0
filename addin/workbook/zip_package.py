"""The zip package of a workbook: parts read lazily, edited in memory, saved atomically.

A workbook is a zip package::

    [Content_Types].xml          content type of every part
    _rels/.rels                  package relationships
    xl/workbook.xml              <sheets>, <definedNames>, ...
    xl/_rels/workbook.xml.rels   sheet r:id -> xl/worksheets/sheetN.xml
    xl/styles.xml                cell formats (xf indices are referenced by every cell)
    xl/worksheets/sheetN.xml     one part per sheet (+ _rels/sheetN.xml.rels: drawings, tables)
    xl/vbaProject.bin, xl/drawings/, xl/charts/, xl/comments1.xml, ...   left alone

:class:`ZipPackage` reads parts on demand, keeps edits in memory and writes a new zip on
:meth:`~ZipPackage.save`: every part nobody touched is copied with its compressed bytes as they
are; new parts (a million-row sheet) are produced in chunks while they are deflated.  Saving is
atomic: a temporary file in the same folder, then ``os.replace``.
"""

from __future__ import annotations

import posixpath
import queue
import re
import struct
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self
from xml.sax.saxutils import quoteattr

from addin.errors import WorkbookError, WorkbookLockedError
from addin.workbook.content_types import (
    CONTENT_TYPES,
    CT_VBA,
    MAIN_TYPES,
    PACKAGE_RELS_NS,
    REL_VBA,
    WORKBOOK_PART,
    Relationship,
    check_output,
    rels_part,
    resolve_target,
)
from addin.workbook.files import atomic_write, check_not_open
from addin.workbook.notices import Notice, WorkbookNotice
from addin.workbook.xml_text import attribute, prefix_of

#: Timestamp of the parts potentiel writes: fixed, so two runs give the same package.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
Chunks = Callable[[], Iterable[bytes]]
#: Parts that may reach this size are written with zip64 headers (2 GiB is zipfile's limit);
#: smaller ones without, as some readers (Apple Numbers) dislike zip64 they do not need.
ZIP64_FROM = 1 << 30


@dataclass(frozen=True)
class Stream:
    """A part produced in chunks while saving, with a generous estimate of its size."""

    chunks: Chunks
    size_hint: int

    def __call__(self) -> Iterable[bytes]:
        return self.chunks()


class ZipPackage:
    """A workbook's zip parts, read lazily, with edits kept in memory until :meth:`save`.

    This layer knows parts, content types and relationships, not sheets: :class:`Package`
    (:mod:`addin.workbook.zip_parts`) adds the workbook's tabs, names and potentiel's sheets.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._stat = self.path.stat()
            self._zip = zipfile.ZipFile(self.path)
        except FileNotFoundError as err:
            raise WorkbookError(f"The workbook {self.path} does not exist.",
                                hint="Check the file name and folder.") from err
        except PermissionError as err:
            raise WorkbookLockedError(f"The workbook {self.path.name} cannot be opened: "
                                      "another program locks it or you may not read it.",
                                      hint="Close it in Excel and check the file's permissions."
                                      ) from err
        except (zipfile.BadZipFile, OSError) as err:
            raise WorkbookError(f"{self.path.name} is not an Excel workbook (.xlsx/.xlsm): "
                                f"{err}", hint="Open it in Excel and save it as .xlsx.") from err
        self._infos = {info.filename: info for info in self._zip.infolist()}
        self._text: dict[str, str] = {}
        self._bytes: dict[str, bytes] = {}
        self._streams: dict[str, Chunks] = {}
        self._added: list[str] = []
        self._removed: set[str] = set()
        #: What the edits did to the user's own content, for the run's summary.
        self.notices: list[Notice] = []
        if WORKBOOK_PART not in self._infos or CONTENT_TYPES not in self._infos:
            self._zip.close()
            raise WorkbookError(f"{self.path.name} is a zip file but not an Excel workbook.",
                                hint="Open it in Excel and save it as .xlsx.")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the source file."""
        self._zip.close()

    # -- parts -----------------------------------------------------------------------------

    def exists(self, part: str) -> bool:
        """Whether the package (as edited so far) holds a part."""
        return part not in self._removed and (
            part in self._infos or part in self._text or part in self._bytes
            or part in self._streams)

    def names(self) -> list[str]:
        """Part names as edited so far, original order first."""
        kept = [n for n in self._infos if n not in self._removed]
        return kept + [n for n in self._added if n not in self._infos and n not in self._removed]

    def read(self, part: str) -> bytes:
        """A part's bytes as edited so far."""
        if part in self._bytes:
            return self._bytes[part]
        if part in self._text:
            return self._text[part].encode("utf-8")
        if part in self._removed or part not in self._infos:
            raise KeyError(part)
        return self._zip.read(self._infos[part])

    def head(self, part: str, size: int) -> bytes:
        """The first ``size`` bytes of a part, inflating no more of it than that."""
        if part in self._bytes or part in self._text or part not in self._infos:
            return self.read(part)[:size]
        with self._zip.open(self._infos[part]) as stream:
            return stream.read(size)

    def chunks(self, part: str, size: int = 1 << 22) -> Iterator[bytes]:
        """A part's bytes in pieces of ``size``, inflated as they are read: a big sheet is
        never whole in memory."""
        if part in self._bytes or part in self._text or part not in self._infos:
            yield self.read(part)
            return
        with self._zip.open(self._infos[part]) as stream:
            while chunk := stream.read(size):
                yield chunk

    def text(self, part: str) -> str:
        """A part as text (cached, so successive text edits build on each other)."""
        if part not in self._text:
            self._text[part] = self.read(part).decode("utf-8")
        return self._text[part]

    def set_text(self, part: str, xml: str) -> None:
        """Replace an XML part's text."""
        self._text[part] = xml
        self._bytes.pop(part, None)
        self._mark_added(part)

    def put(self, part: str, data: bytes | Chunks, content_type: str | None = None) -> None:
        """Add or replace a part; chunked data is produced only while saving."""
        self._text.pop(part, None)
        if isinstance(data, bytes):
            self._bytes[part] = data
        else:
            self._streams[part] = data
        self._mark_added(part)
        if content_type is not None:
            self._set_override(part, content_type)

    def streamed(self, part: str) -> bool:
        """Whether a part is produced only while saving (one of potentiel's new sheets)."""
        return part in self._streams and part not in self._removed

    def edit_head(self, part: str, edit: Callable[[bytes], bytes], size: int = 1 << 16) -> None:
        """Rewrite the first ``size`` bytes of a part nobody edited yet, streaming the rest
        as it is: only a part that ``edit`` changes is rewritten, and a big one is never
        held in memory."""
        if part in self._text or part in self._bytes or part in self._streams \
                or part not in self._infos:
            return
        info = self._infos[part]
        with self._zip.open(info) as stream:
            head = stream.read(size)
        if edit(head) == head:
            return

        def chunks() -> Iterator[bytes]:
            with self._zip.open(info) as stream:
                yield edit(stream.read(size))
                while chunk := stream.read(1 << 20):
                    yield chunk
        self.put(part, Stream(chunks, size_hint=info.file_size))

    def _mark_added(self, part: str) -> None:
        self._removed.discard(part)
        if part not in self._infos and part not in self._added:
            self._added.append(part)

    def remove(self, part: str) -> None:
        """Delete a part, its .rels part and its content-type override."""
        for name in (part, rels_part(part)):
            self._removed.add(name)
            self._text.pop(name, None)
            self._bytes.pop(name, None)
            self._streams.pop(name, None)
        types = self.text(CONTENT_TYPES)
        pattern = r"<(?:\w+:)?Override\b[^>]*PartName=\"/" + re.escape(part) + r"\"[^>]*/>"
        self.set_text(CONTENT_TYPES, re.sub(pattern, "", types))

    def free_name(self, pattern: str, taken: set[str] | None = None) -> str:
        """The first ``pattern.format(n)`` (n = 1, 2, ...) no part uses: stable across runs."""
        taken = taken or set()
        n = 1
        while self.exists(pattern.format(n)) or pattern.format(n) in taken:
            n += 1
        return pattern.format(n)

    def _set_override(self, part: str, content_type: str) -> None:
        types = self.text(CONTENT_TYPES)
        pattern = r"<(?:\w+:)?Override\b[^>]*PartName=\"/" + re.escape(part) + r"\"[^>]*/>"
        types = re.sub(pattern, "", types)
        p = prefix_of(types, "Types")
        override = f'<{p}Override PartName="/{part}" ContentType="{content_type}"/>'
        close = f"</{p}Types>"
        self.set_text(CONTENT_TYPES, types.replace(close, override + close))

    # -- relationships ---------------------------------------------------------------------

    def relationships(self, source: str) -> list[Relationship]:
        """The relationships of a part ('' for the package), external ones with part None."""
        name = rels_part(source) if source else "_rels/.rels"
        if not self.exists(name):
            return []
        found = []
        for element in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", self.text(name)):
            target = attribute(element, "Target") or ""
            external = (attribute(element, "TargetMode") or "").lower() == "external"
            found.append(Relationship(attribute(element, "Id") or "", attribute(element, "Type")
                                      or "", target, None if external else
                                      resolve_target(source, target), element))
        return found

    def add_relationship(self, source: str, type_: str, part: str, rid: str | None = None,
                         ) -> str:
        """Relate ``source`` to ``part``; returns the (new, unused) relationship id."""
        name = rels_part(source)
        if not self.exists(name):
            self.set_text(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                f'<Relationships xmlns="{PACKAGE_RELS_NS}"></Relationships>')
        xml = self.text(name)
        used = {r.id for r in self.relationships(source)}
        if rid is None:
            n = 1
            while f"rId{n}" in used:
                n += 1
            rid = f"rId{n}"
        target = posixpath.relpath(part, posixpath.dirname(source))
        p = prefix_of(xml, "Relationships")
        element = f'<{p}Relationship Id="{rid}" Type="{type_}" Target={quoteattr(target)}/>'
        self.set_text(name, xml.replace(f"</{p}Relationships>",
                                        element + f"</{p}Relationships>"))
        return rid

    def remove_relationship(self, source: str, rel: Relationship) -> None:
        """Drop one relationship element of a part."""
        name = rels_part(source)
        self.set_text(name, self.text(name).replace(rel.element, "", 1))

    def reachable(self, roots: list[str]) -> set[str]:
        """The parts ``roots`` lead to through relationships, themselves included."""
        seen: set[str] = set()
        todo = list(roots)
        while todo:
            part = todo.pop()
            if part in seen or not self.exists(part):
                continue
            seen.add(part)
            todo.extend(r.part for r in self.relationships(part) if r.part)
        return seen

    # -- saving ----------------------------------------------------------------------------

    def save(self, out: Path | None = None) -> Path:
        """Write the package atomically to ``out`` (default: over the source file).

        Only the file written must be free: writing a copy beside a workbook open in Excel
        or LibreOffice is allowed.
        """
        target = Path(out) if out is not None else self.path
        self._fit_extension(target)
        check_not_open(target)
        check = self._check_unchanged if target == self.path else None
        folder = target.resolve().parent
        if not folder.is_dir():
            raise WorkbookError(f"Cannot write in the folder {folder}: it does not exist.",
                                hint="Create it, or choose another output file with -o.")
        try:
            written = atomic_write(target, self._write_zip, before_replace=check,
                                   source=self.path)
            for notice in self.notices:
                warnings.warn(WorkbookNotice(notice), stacklevel=2)
            return written
        except PermissionError as err:
            raise WorkbookLockedError(f"Cannot replace {target.name}: {err.strerror}.",
                                      hint="Close the workbook in Excel and run again.") from err
        except OSError as err:
            raise WorkbookError(f"Cannot write {target}: {err.strerror or err}.",
                                hint="Check the free disk space, that the folder exists and "
                                     "that you may write there (see -o).") from err

    def _fit_extension(self, target: Path) -> None:
        """Make the package what the target's extension says: a .xlsx holds no macros (the
        VBA project is dropped, with a notice), a .xlsm is macro-enabled.  A copy (-o) with
        any other extension is refused; a file written in place keeps its own kind."""
        if target == self.path:
            return
        check_output(target)
        suffix = target.suffix.lower()
        if suffix == ".xlsx":
            vba = [r for r in self.relationships(WORKBOOK_PART) if r.type == REL_VBA and r.part]
            for rel in vba:
                for part in sorted(self.reachable([rel.part or ""])):
                    self.remove(part)
                self.remove_relationship(WORKBOOK_PART, rel)
            if vba:
                self.notices.append(Notice("macros", {"target": target.name,
                                                      "source": self.path.name}))
            if not any(n.lower().endswith(".bin") and f'PartName="/{n}"' not in
                       self.text(CONTENT_TYPES) for n in self.names()):
                self.set_text(CONTENT_TYPES, re.sub(
                    r"<(?:\w+:)?Default\b[^>]*ContentType=\"" + re.escape(CT_VBA) + r"\"[^>]*/>",
                    "", self.text(CONTENT_TYPES)))
        types = self.text(CONTENT_TYPES)
        if f'PartName="/{WORKBOOK_PART}"' in types and MAIN_TYPES[suffix] not in types:
            self._set_override(WORKBOOK_PART, MAIN_TYPES[suffix])

    def _check_unchanged(self) -> None:
        now = self.path.stat()
        if (now.st_mtime_ns, now.st_size) != (self._stat.st_mtime_ns, self._stat.st_size):
            raise WorkbookLockedError(
                f"{self.path.name} was changed by another program while potentiel worked.",
                hint="Run again once the other program has finished with the file.")

    def _write_zip(self, stream: object) -> None:
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target:
            for name in self.names():
                info = self._infos.get(name)
                if name in self._streams:
                    zinfo = _zip_entry(name, info, level=1)
                    size = getattr(self._streams[name], "size_hint", ZIP64_FROM)
                    with target.open(zinfo, "w", force_zip64=size >= ZIP64_FROM) as part:
                        for chunk in rendered_ahead(self._streams[name]()):
                            part.write(chunk)
                elif name in self._text or name in self._bytes:
                    data = self.read(name)
                    level = 1 if len(data) > ZIP64_FROM // 128 else 6  # big sheet: fast
                    target.writestr(_zip_entry(name, info, level=level), data)
                else:
                    assert info is not None
                    _copy_raw(self._zip, info, target)




def _zip_entry(name: str, like: zipfile.ZipInfo | None, level: int = 6) -> zipfile.ZipInfo:
    """Zip entry for a part: the original's date and compression, or fixed ones for new parts."""
    info = zipfile.ZipInfo(name, like.date_time if like else ZIP_DATE)
    info.compress_type = like.compress_type if like else zipfile.ZIP_DEFLATED
    info.external_attr = like.external_attr if like else 0o600 << 16
    # Level 1 for potentiel's big generated sheets: 3x faster, about the same size for XML.
    info._compresslevel = level  # type: ignore[attr-defined]
    return info


def _copy_raw(source: zipfile.ZipFile, info: zipfile.ZipInfo, target: zipfile.ZipFile) -> None:
    """Copy a member's compressed bytes as they are, CRC and sizes included.

    The part keeps its exact bytes, even compressed, and a big sheet costs a file copy instead
    of inflating and deflating it again.  zipfile has no public API for this, so the local
    header is written with ``ZipInfo.FileHeader`` and the entry registered as ``ZipFile.write``
    does (stable since Python 3.6).
    """
    if info.flag_bits & 0x1:
        raise WorkbookError(f"the part {info.filename} of the workbook is encrypted",
                            hint="Remove the workbook's password in Excel and save it again.")
    stream = source.fp
    assert stream is not None and target.fp is not None
    stream.seek(info.header_offset)
    local = stream.read(30)
    if local[:4] != b"PK\x03\x04":
        raise WorkbookError(f"the workbook is damaged near the part {info.filename}",
                            hint="Open it in Excel and save it again.")
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    stream.seek(info.header_offset + 30 + name_length + extra_length)
    entry = zipfile.ZipInfo(info.filename, info.date_time)
    entry.compress_type, entry.create_system = info.compress_type, info.create_system
    entry.external_attr, entry.internal_attr = info.external_attr, info.internal_attr
    entry.flag_bits = info.flag_bits & ~0x08  # sizes go in the local header, no descriptor
    entry.CRC, entry.compress_size, entry.file_size = info.CRC, info.compress_size, \
        info.file_size
    entry.header_offset = target.fp.tell()
    zip64 = max(info.file_size, info.compress_size) > zipfile.ZIP64_LIMIT
    target.fp.write(entry.FileHeader(zip64))
    remaining = info.compress_size
    while remaining:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            raise WorkbookError(f"the workbook is truncated in the part {info.filename}",
                                hint="Open it in Excel and save it again.")
        target.fp.write(chunk)
        remaining -= len(chunk)
    target.filelist.append(entry)
    target.NameToInfo[entry.filename] = entry
    target.start_dir = target.fp.tell()




_DONE = object()


def rendered_ahead(chunks: Iterable[bytes], depth: int = 1) -> Iterator[bytes]:
    """The chunks of a part, the next one rendered in a second thread while this one is
    deflated here: zlib and Arrow's string kernels release Python's lock, so both cores work.

    At most ``depth`` chunks wait rendered (each one block of rows: memory stays flat).  Where
    no thread can start (Python in WebAssembly), the chunks come one after the other.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def render() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        ready.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_DONE)
        except BaseException as error:  # raised again in the writing thread
            ready.put(error)

    thread = threading.Thread(target=render, name="potentiel-render", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # no threads here: render and deflate in turn
        yield from chunks
        return
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():  # unblock a renderer waiting on a full queue, then wait
            try:
                ready.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def iter_chunks(parts: Iterable[str | bytes]) -> Iterator[bytes]:
    """Encode text chunks as UTF-8 on the way to the zip."""
    for part in parts:
        yield part.encode("utf-8") if isinstance(part, str) else part
