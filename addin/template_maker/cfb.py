"""A minimal writer of Compound File Binary files ([MS-CFB], version 3), the container of
``vbaProject.bin``.

Python has readers for the format (olefile) but no maintained writer, and the template must be
built on any machine without Excel.  Only what a VBA project needs is supported: storages and
streams given as paths, 512-byte sectors, at most 109 FAT sectors (about 7 MB).  The output is
a pure function of the input: no timestamps, no CLSIDs, no random fill, so rebuilding gives the
same bytes.

File layout written, in sector order::

    header (512 bytes, sector -1)
    regular streams (>= 4096 bytes), each in consecutive sectors
    mini stream (all small streams, 64-byte mini sectors), owned by the root entry
    mini FAT
    directory (128-byte entries)
    FAT
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
ENTRY = 128
MAX_FAT_SECTORS = 109  # what the header's DIFAT array holds; no DIFAT sectors are written

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_BLACK = 1


@dataclass
class _Entry:
    """One directory entry while the file is laid out."""

    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    sid: int = 0
    start: int = ENDOFCHAIN
    size: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM


def write_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """Return a compound file holding ``streams``, keyed by ``/``-separated paths.

    Storages are created for every directory part of a path (``"VBA/dir"`` makes storage
    ``VBA`` with stream ``dir``).
    """
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        *folders, name = path.split("/")
        parent = root
        for folder in folders:
            parent = _child(parent, folder, _STORAGE)
        parent.children.append(_Entry(_check_name(name), _STREAM, bytes(data)))
    entries = _number(root)
    return _Layout(entries).render()


def _check_name(name: str) -> str:
    if not name or len(name) > 31 or any(c in name for c in "/\\:!"):
        raise ValueError(f"invalid compound file entry name {name!r}")
    return name


def _child(parent: _Entry, name: str, kind: int) -> _Entry:
    for entry in parent.children:
        if entry.name == name:
            return entry
    entry = _Entry(_check_name(name), kind)
    parent.children.append(entry)
    return entry


def _sort_key(entry: _Entry) -> tuple[int, str]:
    """[MS-CFB] 2.6.4 order: shorter names first, then by upper-cased name."""
    return len(entry.name), entry.name.upper()


def _number(root: _Entry) -> list[_Entry]:
    """Give every entry its directory index and link siblings into balanced binary trees.

    All nodes are black, which [MS-CFB] 2.6.4 allows: the tree is then a plain binary search
    tree, here built balanced so readers find names in logarithmic time.
    """
    entries = [root]

    def visit(entry: _Entry) -> None:
        for child in entry.children:
            child.sid = len(entries)
            entries.append(child)
        ordered = sorted(entry.children, key=_sort_key)
        entry.child = _link(ordered)
        for child in entry.children:
            visit(child)

    visit(root)
    return entries


def _link(ordered: list[_Entry]) -> int:
    if not ordered:
        return NOSTREAM
    middle = len(ordered) // 2
    node = ordered[middle]
    node.left = _link(ordered[:middle])
    node.right = _link(ordered[middle + 1:])
    return node.sid


def _sectors(size: int, unit: int) -> int:
    return -(-size // unit)


class _Layout:
    """Places streams in sectors and renders the file bytes."""

    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = entries
        self.fat: list[int] = []
        self.body = bytearray()
        streams = [e for e in entries if e.kind == _STREAM]
        for entry in streams:
            entry.size = len(entry.data)
            if entry.size >= MINI_CUTOFF:
                entry.start = self._allocate(entry.data)
        mini_fat: list[int] = []
        mini_stream = bytearray()
        for entry in streams:
            if 0 < entry.size < MINI_CUTOFF:
                count = _sectors(entry.size, MINI_SECTOR)
                entry.start = len(mini_fat)
                mini_fat.extend(range(entry.start + 1, entry.start + count))
                mini_fat.append(ENDOFCHAIN)
                mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\0")
        root = entries[0]
        root.size = len(mini_stream)
        root.start = self._allocate(bytes(mini_stream)) if mini_stream else ENDOFCHAIN
        self.mini_fat_count = _sectors(len(mini_fat) * 4, SECTOR)
        self.mini_fat_start = (
            self._allocate(struct.pack(f"<{len(mini_fat)}I", *mini_fat)) if mini_fat
            else ENDOFCHAIN
        )
        directory = b"".join(_entry_bytes(e) for e in entries)
        unused = _sectors(len(directory), SECTOR) * SECTOR - len(directory)
        self.dir_start = self._allocate(directory + _UNUSED_ENTRY * (unused // ENTRY))
        self._allocate_fat()

    def _allocate(self, data: bytes) -> int:
        """Append ``data`` in a fresh chain of sectors; return its first sector."""
        start = len(self.fat)
        count = max(1, _sectors(len(data), SECTOR))
        self.fat.extend(range(start + 1, start + count))
        self.fat.append(ENDOFCHAIN)
        self.body += data.ljust(count * SECTOR, b"\0")
        return start

    def _allocate_fat(self) -> None:
        per_sector = SECTOR // 4
        count = 1
        while count * per_sector < len(self.fat) + count:
            count += 1
        if count > MAX_FAT_SECTORS:
            raise ValueError("compound file too large for a header-only DIFAT")
        self.fat_sectors = list(range(len(self.fat), len(self.fat) + count))
        self.fat.extend([FATSECT] * count)
        self.fat.extend([FREESECT] * (count * per_sector - len(self.fat)))

    def render(self) -> bytes:
        difat = self.fat_sectors + [FREESECT] * (MAX_FAT_SECTORS - len(self.fat_sectors))
        header = (
            _SIGNATURE
            + bytes(16)  # header CLSID
            + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
            + bytes(6)
            + struct.pack(
                "<IIIIIIIII",
                0,  # directory sectors (always 0 in version 3)
                len(self.fat_sectors),
                self.dir_start,
                0,  # transaction signature
                MINI_CUTOFF,
                self.mini_fat_start,
                self.mini_fat_count,
                ENDOFCHAIN,  # first DIFAT sector: none
                0,
            )
            + struct.pack(f"<{MAX_FAT_SECTORS}I", *difat)
        )
        fat = struct.pack(f"<{len(self.fat)}I", *self.fat)
        return header + bytes(self.body) + fat


def _entry_bytes(entry: _Entry) -> bytes:
    """The 128-byte directory entry of a storage or stream (storages start at sector 0)."""
    name = (entry.name + "\0").encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.kind,
        _BLACK,
        entry.left,
        entry.right,
        entry.child,
        bytes(16),  # CLSID
        0,  # state bits
        0,  # creation time
        0,  # modification time
        0 if entry.kind == _STORAGE else entry.start,
        entry.size,
    )


#: An unallocated directory entry: all zeroes but the three links, which are NOSTREAM.
_UNUSED_ENTRY = bytes(68) + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM) + bytes(48)
