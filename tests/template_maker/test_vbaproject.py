"""The compound-file and VBA-project writers, checked with independent readers.

olefile reads the containers, oletools decompresses the streams and extracts the modules: if
they disagree with what we meant to write, Excel would too.
"""

from __future__ import annotations

import io
import random

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from addin.template_maker.cfb import MINI_CUTOFF, write_compound_file
from addin.template_maker.vbaproject import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    build_vba_project,
    class_module,
    compress,
    document_module,
    standard_module,
)

_WORDS = st.sampled_from(["Sub ", "End Sub", "\r\n", "    ", "RunPython ", '"', "x", "Dim i"])


def _roundtrip(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(compress(data))))


@settings(max_examples=60, deadline=None)
@given(st.lists(_WORDS, max_size=3000).map("".join))
def test_compressed_text_decompresses_to_itself(text: str) -> None:
    data = text.encode("cp1252")
    assert _roundtrip(data) == data


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3000))
def test_compressed_short_binary_decompresses_to_itself(data: bytes) -> None:
    assert _roundtrip(data) == data


def test_incompressible_full_chunks_are_stored_raw() -> None:
    data = random.Random(7).randbytes(4096 * 3) + b"tail " * 40
    compressed = compress(data)
    assert compressed[1:3] == b"\xff\x3f"  # raw chunk header: flag 0, size 4096
    assert _roundtrip(data) == data


def test_repetitive_text_shrinks() -> None:
    data = ("    RunPython \"import addin.macros; addin.macros.analyze()\"\r\n" * 400).encode()
    assert len(compress(data)) < len(data) // 10
    assert _roundtrip(data) == data


def test_compound_file_holds_streams_of_every_size() -> None:
    rng = random.Random(3)
    sizes = [0, 1, 63, 64, 65, 511, 512, 513, MINI_CUTOFF - 1, MINI_CUTOFF, 70_000]
    streams = {f"S/stream{size}": rng.randbytes(size) for size in sizes}
    streams |= {"PROJECT": b"ID=1", "A/B/deep": b"nested"}
    ole = olefile.OleFileIO(io.BytesIO(write_compound_file(streams)))
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    for path, data in streams.items():
        assert ole.get_size(path) == len(data)
        assert ole.openstream(path).read() == data


def test_compound_file_finds_entries_among_many_siblings() -> None:
    streams = {f"VBA/Module{i}": f"code {i}".encode() for i in range(200)}
    ole = olefile.OleFileIO(io.BytesIO(write_compound_file(streams)))
    for path, data in streams.items():
        assert ole.openstream(path).read() == data


def test_compound_file_rejects_bad_names() -> None:
    with pytest.raises(ValueError, match="invalid"):
        write_compound_file({"VBA/" + "x" * 32: b""})


_BAS = 'Attribute VB_Name = "Macros"\nOption Explicit\n\nSub Hello()\n    MsgBox "hi"\nEnd Sub\n'
_CLS = (
    "VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  'True\nEND\n"
    'Attribute VB_Name = "Counter"\nAttribute VB_GlobalNameSpace = False\n'
    "Attribute VB_Creatable = False\nAttribute VB_PredeclaredId = False\n"
    "Attribute VB_Exposed = True\nPrivate n As Long\n"
)


def test_vba_project_modules_extract_with_olevba() -> None:
    modules = [
        document_module("ThisWorkbook", WORKBOOK_BASE),
        document_module("Sheet1", WORKSHEET_BASE),
        standard_module(_BAS),
        class_module(_CLS),
    ]
    data = build_vba_project(modules, name="VBAProject",
                             project_id="{11111111-2222-3333-4444-555555555555}")
    parser = VBA_Parser("vbaProject.bin", data=data)
    found = {name: code for _, stream, name, code in parser.extract_macros()}
    assert set(found) == {"ThisWorkbook.cls", "Sheet1.cls", "Macros.bas", "Counter.cls"}
    assert found["Macros.bas"] == _BAS.replace("\n", "\r\n")
    assert found["Counter.cls"].startswith(
        'Attribute VB_Name = "Counter"\r\nAttribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-'
        '08002B3371B5}"\r\n')
    assert "VERSION 1.0 CLASS" not in found["Counter.cls"]
    assert "Attribute VB_Customizable = False\r\nPrivate n As Long" in found["Counter.cls"]
    assert f'Attribute VB_Base = "0{WORKSHEET_BASE}"' in found["Sheet1.cls"]
    project = olefile.OleFileIO(io.BytesIO(data)).openstream("PROJECT").read().decode("cp1252")
    for line in ("Document=ThisWorkbook/&H00000000", "Document=Sheet1/&H00000000",
                 "Module=Macros", "Class=Counter", 'Name="VBAProject"'):
        assert line + "\r\n" in project


def test_vba_project_refuses_nameless_and_duplicate_modules() -> None:
    with pytest.raises(ValueError, match="VB_Name"):
        standard_module("Sub Hello()\nEnd Sub\n")
    twice = [standard_module(_BAS), standard_module(_BAS.replace("Macros", "MACROS"))]
    with pytest.raises(ValueError, match="duplicate"):
        build_vba_project(twice, name="P", project_id="{00000000-0000-0000-0000-000000000000}")
