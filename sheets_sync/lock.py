"""One sync of a workbook at a time, and no sync into a workbook someone has open in Excel.

:func:`sync_lock` is an operating-system file lock (``filelock``) on a hidden file beside the
workbook, so a cron run and a manual "Sync now" on the same workbook take turns, even from two
processes.  The OS frees the lock when its holder dies, however it dies, so a crashed or killed
sync never blocks the next one: its leftovers (the lock file and the holder note) are simply
taken over.  The holder writes who it is (pid, host, since when) in a small JSON note beside
the lock, so the one who has to wait is told who holds it rather than "locked".

Whether a workbook is open in an office program is the workbook layer's
:func:`addin.workbook.files.workbook_in_use`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from addin.errors import SyncLockedError, WorkbookError
from addin.workbook.files import atomic_write

log = logging.getLogger(__name__)


def lock_path(workbook: Path) -> Path:
    """The lock file of a workbook: hidden, beside it, like the sync state."""
    return workbook.with_name(f".{workbook.name}.potentiel-sync.lock")


def holder_path(workbook: Path) -> Path:
    """The note saying who holds the lock."""
    return workbook.with_name(f".{workbook.name}.potentiel-sync.holder.json")


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a workbook's sync lock."""

    pid: int
    host: str
    since: str

    def alive(self) -> bool:
        """Whether the holder still runs; a process on another host is assumed to."""
        return self.host != socket.gethostname() or pid_alive(self.pid)

    def describe(self) -> str:
        here = " on this computer" if self.host == socket.gethostname() else f" on {self.host}"
        return f"process {self.pid}{here}, since {self.since}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFO
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_holder(workbook: Path) -> Holder | None:
    """The holder note, or None when there is none or it cannot be read."""
    try:
        data = json.loads(holder_path(workbook).read_text(encoding="utf-8"))
        return Holder(pid=int(data["pid"]), host=str(data["host"]), since=str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


@contextmanager
def sync_lock(workbook: Path, *, wait: float = 10.0) -> Iterator[Holder | None]:
    """Hold the workbook's sync lock for the ``with`` block.

    Waits up to ``wait`` seconds for another sync to finish, then raises
    :class:`SyncLockedError` naming the holder.  Yields the note of a previous holder that died
    while holding the lock (its lock was taken over), else None.
    """
    workbook = Path(workbook)
    if not workbook.parent.is_dir():  # filelock would create it: a typo must not make folders
        raise WorkbookError(f"the folder of the workbook {workbook} does not exist",
                            hint="Fix 'workbook' in the sync configuration.")
    lock = FileLock(lock_path(workbook), timeout=max(wait, 0.0), thread_local=False)
    try:
        lock.acquire()
    except Timeout:  # an OSError too, so it comes first
        holder = read_holder(workbook)
        who = holder.describe() if holder and holder.alive() else "another process"
        raise SyncLockedError(
            f"another sync of {workbook.name} is running ({who}); waited {wait:g} s",
            hint="Let it finish and try again; scheduled runs simply retry at the next tick.",
        ) from None
    except OSError as err:
        raise WorkbookError(f"the sync lock beside {workbook.name} cannot be created: {err}",
                            hint="The folder must be writable by you: potentiel keeps its lock "
                                 "and state files beside the workbook.") from None
    try:
        previous = read_holder(workbook)
        stale = previous if previous is not None and not previous.alive() else None
        if stale is not None:
            log.warning("took over the sync lock of %s, which no longer runs",
                        stale.describe())
        me = Holder(pid=os.getpid(), host=socket.gethostname(),
                    since=datetime.now(UTC).isoformat(timespec="seconds"))
        _write_holder(workbook, me)
        try:
            yield stale
        finally:
            with suppress(OSError):
                holder_path(workbook).unlink()
    finally:
        lock.release()


def _write_holder(workbook: Path, holder: Holder) -> None:
    """Write the holder note atomically, so a reader never sees half of it."""
    atomic_write(holder_path(workbook), json.dumps(holder.__dict__).encode("utf-8"))
