"""Build a ``vbaProject.bin`` from VBA source text ([MS-OVBA]), without Excel.

Excel keeps a workbook's macros in a compound file (see :mod:`addin.template_maker.cfb`)
with one compressed stream per module, a compressed ``dir`` stream describing the project, a
``PROJECT`` text stream and a ``_VBA_PROJECT`` stream.  We write the ``_VBA_PROJECT`` version
as 0xFFFF and no performance cache, which tells Excel to compile the project from the source
text when it first opens the file (the same shape as the VBA projects xlwings ships in its
quickstart files).

Everything is deterministic: the project id is given by the caller and the "encrypted" fields
of the PROJECT stream use a fixed seed, so the same sources always give the same bytes.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from addin.template_maker.cfb import write_compound_file

CODEPAGE = 1252
ENCODING = "cp1252"

ModuleKind = Literal["standard", "class", "document"]

#: Type library GUIDs of the objects a document module extends (Attribute VB_Base).
WORKBOOK_BASE = "{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "{00020820-0000-0000-C000-000000000046}"
_CLASS_BASE = "{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

#: References every Excel-made project carries: OLE Automation, and the Office library that
#: defines IRibbonControl (Excel upgrades the version to the one installed when it loads).
_REFERENCES = (
    ("stdole", r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
               r"C:\Windows\System32\stdole2.tlb#OLE Automation"),
    ("Office", r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
               r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL"
               r"#Microsoft Office 16.0 Object Library"),
)
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_VBA_PROJECT_STREAM = b"\xcc\x61\xff\xff\x00\x01\x00"  # version 0xFFFF: no performance cache
_SEED = 0x8D
_UNPROTECTED = bytes(4)  # ProjectProtectionState
_NO_PASSWORD = bytes(1)  # ProjectPassword
_VISIBLE = b"\xff"  # ProjectVisibilityState


@dataclass(frozen=True)
class Module:
    """One VBA module: its name, kind and source text as the VBA editor stores it."""

    name: str
    kind: ModuleKind
    code: str


def standard_module(source: str) -> Module:
    """A standard module from the text of an exported ``.bas`` file."""
    code = _crlf(source)
    return Module(_vb_name(code), "standard", code)


def class_module(source: str) -> Module:
    """A class module from the text of an exported ``.cls`` file.

    The export header (``VERSION 1.0 CLASS`` ... ``END``) is not part of the stored module;
    the editor adds ``VB_Base``, ``VB_TemplateDerived`` and ``VB_Customizable`` on import, so we
    do too.
    """
    text = _crlf(source)
    text = re.sub(r"\AVERSION 1\.0 CLASS\r\nBEGIN\r\n.*?\r\nEND\r\n", "", text, flags=re.S)
    name = _vb_name(text)
    lines = text.split("\r\n")
    lines.insert(1, f'Attribute VB_Base = "0{_CLASS_BASE}"')
    exposed = next(i for i, line in enumerate(lines) if line.startswith("Attribute VB_Exposed"))
    lines[exposed + 1:exposed + 1] = [
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = False",
    ]
    return Module(name, "class", "\r\n".join(lines))


def document_module(name: str, base: str) -> Module:
    """The (empty) module behind the workbook or a worksheet, named by its code name."""
    attributes = (
        ("Name", f'"{name}"'),
        ("Base", f'"0{base}"'),
        ("GlobalNameSpace", "False"),
        ("Creatable", "False"),
        ("PredeclaredId", "True"),
        ("Exposed", "True"),
        ("TemplateDerived", "False"),
        ("Customizable", "True"),
    )
    return Module(name, "document", "".join(f"Attribute VB_{k} = {v}\r\n" for k, v in attributes))


def build_vba_project(modules: Sequence[Module], *, name: str, project_id: str) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding ``modules``.

    ``name`` is the VBA project name shown in the editor; ``project_id`` a GUID in braces.
    """
    names = [m.name for m in modules]
    if len(set(map(str.upper, names))) != len(names):
        raise ValueError(f"duplicate VBA module names in {names}")
    streams = {f"VBA/{m.name}": compress(m.code.encode(ENCODING)) for m in modules}
    streams["VBA/dir"] = compress(_dir_stream(modules, name))
    streams["VBA/_VBA_PROJECT"] = _VBA_PROJECT_STREAM
    streams["PROJECT"] = _project_stream(modules, name, project_id)
    streams["PROJECTwm"] = _project_wm_stream(modules)
    return write_compound_file(streams)


def _crlf(text: str) -> str:
    """VBA stores lines ending in CR LF, the last one included."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return (text if text.endswith("\n") else text + "\n").replace("\n", "\r\n")


def _vb_name(code: str) -> str:
    found = re.match(r'Attribute VB_Name = "([A-Za-z][A-Za-z0-9_]{0,30})"\r\n', code)
    if found is None:
        raise ValueError('a VBA module must start with Attribute VB_Name = "Name"')
    return found.group(1)


# --- [MS-OVBA] 2.4.1 compression ---------------------------------------------------------

_CHUNK = 4096


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an [MS-OVBA] CompressedContainer."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        out += _compress_chunk(data[start:start + _CHUNK])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = _tokens(chunk)
    if len(body) + 2 > _CHUNK + 2:
        # Incompressible: a raw chunk is always 4096 bytes, padded as the spec says.
        return struct.pack("<H", 0x3FFF) + chunk.ljust(_CHUNK, b"\0")
    return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body


def _tokens(chunk: bytes) -> bytes:
    """Token sequences: a flag byte, then 8 literals or copy tokens (bit set = copy)."""
    out = bytearray()
    seen: dict[bytes, list[int]] = {}
    pos, end = 0, len(chunk)
    while pos < end:
        flag_at = len(out)
        out.append(0)
        for bit in range(8):
            if pos >= end:
                break
            offset, length = _longest_match(chunk, pos, seen)
            if length >= 3:
                bitcount = max((pos - 1).bit_length(), 4)
                token = ((offset - 1) << (16 - bitcount)) | (length - 3)
                out += struct.pack("<H", token)
                out[flag_at] |= 1 << bit
            else:
                length = 1
                out.append(chunk[pos])
            for p in range(pos, pos + length):
                seen.setdefault(chunk[p:p + 3], []).append(p)
            pos += length
    return bytes(out)


def _longest_match(chunk: bytes, pos: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """Best earlier occurrence of the bytes at ``pos`` (offset back, length); 0 length if none.

    Candidates come from an index of 3-byte prefixes, newest first, capped for speed.  Matches
    may overlap ``pos``: the decompressor copies byte by byte, so comparing the source is exact.
    """
    candidates = seen.get(chunk[pos:pos + 3])
    if pos == 0 or not candidates:
        return 0, 0
    bitcount = max((pos - 1).bit_length(), 4)
    limit = min((0xFFFF >> bitcount) + 3, len(chunk) - pos)
    best_offset, best_length = 0, 0
    for candidate in reversed(candidates[-256:]):
        low, high = best_length, limit  # prefix equality is monotone: binary search the length
        if chunk[candidate:candidate + low + 1] != chunk[pos:pos + low + 1]:
            continue
        while low < high:
            mid = (low + high + 1) // 2
            if chunk[candidate:candidate + mid] == chunk[pos:pos + mid]:
                low = mid
            else:
                high = mid - 1
        if low > best_length:
            best_offset, best_length = pos - candidate, low
            if low == limit:
                break
    return best_offset, best_length


# --- [MS-OVBA] 2.3.4.2 dir stream ----------------------------------------------------------


def _record(ident: int, payload: bytes) -> bytes:
    return struct.pack("<HI", ident, len(payload)) + payload


def _text_records(ident: int, unicode_ident: int, text: str) -> bytes:
    return _record(ident, text.encode(ENCODING)) + _record(unicode_ident, text.encode("utf-16-le"))


def _dir_stream(modules: Sequence[Module], name: str) -> bytes:
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 3))  # SYSKIND: 64-bit Windows
    out += _record(0x0002, struct.pack("<I", 0x0409))  # LCID
    out += _record(0x0014, struct.pack("<I", 0x0409))  # LCIDINVOKE
    out += _record(0x0003, struct.pack("<H", CODEPAGE))
    out += _record(0x0004, name.encode(ENCODING))  # NAME
    out += _text_records(0x0005, 0x0040, "")  # DOCSTRING
    out += _text_records(0x0006, 0x003D, "")  # HELPFILEPATH
    out += _record(0x0007, struct.pack("<I", 0))  # HELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # LIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # VERSION: size field says 4, 6 bytes follow
    out += _text_records(0x000C, 0x003C, "")  # CONSTANTS
    for ref_name, libid in _REFERENCES:
        out += _text_records(0x0016, 0x003E, ref_name)
        encoded = libid.encode(ENCODING)
        out += _record(0x000D, struct.pack("<I", len(encoded)) + encoded + bytes(6))
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        out += _text_records(0x0019, 0x0047, module.name)  # MODULENAME (+ unicode)
        out += _text_records(0x001A, 0x0032, module.name)  # MODULESTREAMNAME (+ unicode)
        out += _text_records(0x001C, 0x0048, "")  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source at stream start
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if module.kind == "standard" else 0x0022, b"")  # MODULETYPE
        out += _record(0x002B, b"")  # terminator
    out += _record(0x0010, b"")  # end of dir stream
    return bytes(out)


# --- [MS-OVBA] 2.3.1 PROJECT stream ---------------------------------------------------------


def _project_stream(modules: Sequence[Module], name: str, project_id: str) -> bytes:
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.kind == "document":
            lines.append(f"Document={module.name}/&H00000000")
        elif module.kind == "class":
            lines.append(f"Class={module.name}")
        else:
            lines.append(f"Module={module.name}")
    lines += [
        f'Name="{name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{_encrypt(project_id, _UNPROTECTED)}"',
        f'DPB="{_encrypt(project_id, _NO_PASSWORD)}"',
        f'GC="{_encrypt(project_id, _VISIBLE)}"',
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
        *(f"{m.name}=0, 0, 0, 0, C" for m in modules),
        "",
    ]
    return "\r\n".join(lines).encode(ENCODING)


def _encrypt(project_id: str, data: bytes) -> str:
    """[MS-OVBA] 2.4.3.2 data encryption, with a fixed seed and zero filler bytes."""
    project_key = sum(project_id.encode(ENCODING)) & 0xFF
    out = bytearray([_SEED, _SEED ^ 2, _SEED ^ project_key])
    plain_1, enc_1, enc_2 = project_key, out[2], out[1]
    for byte in bytes((_SEED & 6) // 2) + struct.pack("<I", len(data)) + data:
        encrypted = byte ^ ((plain_1 + enc_2) & 0xFF)
        out.append(encrypted)
        enc_2, enc_1, plain_1 = enc_1, encrypted, byte
    return out.hex().upper()


def _project_wm_stream(modules: Sequence[Module]) -> bytes:
    """[MS-OVBA] 2.3.3: each module name in MBCS and UTF-16, then a terminator."""
    out = bytearray()
    for module in modules:
        out += module.name.encode(ENCODING) + b"\0" + module.name.encode("utf-16-le") + b"\0\0"
    return bytes(out + b"\0\0")
