"""Files on disk: atomic replacement, and the owner files office programs leave beside a
workbook they have open.

Every file potentiel writes (workbooks, the template, the OAuth token, the sync lock's holder
note) goes through :func:`atomic_write`: a temporary file in the same folder, flushed to disk,
then ``os.replace``, so the file on disk is always either the old or the new one.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from addin.errors import WorkbookLockedError

#: Prefix of potentiel's temporary files: a run killed mid-write leaves one behind.
TEMP_PREFIX = ".~potentiel-"

#: Called with each file :func:`atomic_write` has written, complete, just before it replaces
#: the target, and with the file it was made from (``source``, or None).  Empty in use; the
#: test suite adds a validator here, so every workbook a test writes is checked.
WRITTEN: list[Callable[[Path, Path | None], None]] = []


def temporary_prefix(target: Path) -> str:
    """How the temporary copy of ``target`` is named while it is written: potentiel's prefix
    and the target's name, so a copy a killed write left can be told apart and removed (and
    no other file's)."""
    return f"{TEMP_PREFIX}{Path(target).name}~"


def atomic_write(target: Path, data: bytes | Callable[[BinaryIO], None], *,
                 mode: int | None = None, before_replace: Callable[[], None] | None = None,
                 source: Path | None = None) -> Path:
    """Write ``target`` whole or not at all.

    ``data`` is the bytes, or a function that writes them to a binary stream (for large
    files).  The new file takes ``mode`` if given, else the old file's mode, else the default
    for new files.  ``before_replace`` runs last, just before the swap (e.g. to refuse when the
    file changed meanwhile).  ``source`` is the file the new one was made from, if any (for
    the :data:`WRITTEN` observers).  OSError is raised as it is: callers say what it means for
    them.
    """
    target = Path(target)
    handle, temporary = tempfile.mkstemp(prefix=temporary_prefix(target), suffix=target.suffix,
                                         dir=target.resolve().parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            if callable(data):
                data(stream)
            else:
                stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        elif target.exists():
            shutil.copymode(target, temporary)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        for observer in WRITTEN:
            observer(Path(temporary), source)
        if before_replace is not None:
            before_replace()
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def owner_files(workbook: Path) -> list[Path]:
    """The files an office program writes beside a workbook it has open: Excel's ``~$name``
    and LibreOffice's ``.~lock.name#``."""
    name = Path(workbook).name
    return [Path(workbook).with_name(f"~${name}"), Path(workbook).with_name(f".~lock.{name}#")]


def owner_of(owner_file: Path) -> str | None:
    """The user named in an owner file, if it can be read.

    Excel's starts with a length byte and the user name; LibreOffice's is a CSV line whose
    first field is the user's full name (often empty) and whose second is the login name.
    """
    try:
        data = owner_file.read_bytes()[:256]
    except OSError:
        return None
    if owner_file.name.startswith("~$") and data and 0 < data[0] < len(data):
        name = data[1:1 + data[0]].decode("cp1252", errors="replace").strip()
    else:
        fields = data.decode("utf-8", errors="replace").split(",")[:2]
        name = next((f.strip() for f in fields if f.strip()), "")
    return name if name and name.isprintable() else None


def workbook_in_use(path: Path) -> str | None:
    """Why the workbook looks open in an office program, or None when it looks free.

    The reason names the user and the date in the owner file, so a person can tell a stale
    file (left by a crash) from a workbook a colleague really has open.
    """
    path = Path(path)
    for owner_file in owner_files(path):
        if owner_file.exists():
            user = owner_of(owner_file)
            by = f" by {user}" if user else ""
            try:
                since = datetime.fromtimestamp(owner_file.stat().st_mtime)
                when = f" since {since:%Y-%m-%d %H:%M}"
            except OSError:
                when = ""
            return (f"{path.name} is open{by}{when} (owner file {owner_file.name} is beside "
                    "it); close it in Excel or LibreOffice, or, if nobody has it open (a "
                    "crash leaves that file behind), delete that file")
    if sys.platform == "win32" and path.exists():
        try:
            with path.open("ab"):
                pass
        except PermissionError:
            return f"{path.name} is locked by another program (probably open in Excel)"
    return None


def check_not_open(path: Path) -> None:
    """Refuse to replace a workbook another program holds open."""
    reason = workbook_in_use(path)
    if reason is not None:
        raise WorkbookLockedError(reason + ".",
                                  hint="Close the workbook, or write to another file with -o.")
