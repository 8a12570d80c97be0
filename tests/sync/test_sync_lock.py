"""The sync lock across real processes, stale-lock recovery, and "is the workbook open?"."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest

from addin.errors import SyncLockedError, WorkbookError
from sheets_sync.lock import Holder, holder_path, read_holder, sync_lock

ROOT = Path(__file__).resolve().parents[2]

# A process that holds the lock for HOLD seconds, writing when it got it and let it go.
HOLDER = """
import sys, time
from pathlib import Path
from addin.errors import SyncLockedError, WorkbookError
from sheets_sync.lock import sync_lock
workbook, log, hold, wait = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), \
    float(sys.argv[4])
try:
    with sync_lock(workbook, wait=wait):
        with log.open("a") as f:
            f.write(f"start {time.time()!r}\\n")
        print("holding", flush=True)
        time.sleep(hold)
        with log.open("a") as f:
            f.write(f"end {time.time()!r}\\n")
except SyncLockedError as err:
    print(err, flush=True)
    sys.exit(3)
"""

# A process that dies (SIGKILL, no clean-up at all) while it holds the lock.
DIES = """
import os, signal, sys
from pathlib import Path
from sheets_sync.lock import sync_lock
with sync_lock(Path(sys.argv[1])):
    print("holding", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _python(script: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _intervals(log: Path) -> list[tuple[float, float]]:
    lines = [line.split() for line in log.read_text().splitlines()]
    starts = [float(v) for k, v in lines if k == "start"]
    ends = [float(v) for k, v in lines if k == "end"]
    return sorted(zip(starts, ends, strict=True))


def test_two_processes_take_turns(tmp_path: Path) -> None:
    workbook, log = tmp_path / "customers.xlsx", tmp_path / "times.log"
    workers = [_python(HOLDER, workbook, log, 0.4, 20) for _ in range(3)]
    for worker in workers:
        assert worker.wait(timeout=60) == 0, worker.stderr.read() if worker.stderr else ""
    spans = _intervals(log)
    assert len(spans) == 3
    for (_, first_end), (second_start, _) in pairwise(spans):
        assert second_start >= first_end
    assert not holder_path(workbook).exists()


def test_second_process_is_told_who_holds_the_lock(tmp_path: Path) -> None:
    workbook, log = tmp_path / "customers.xlsx", tmp_path / "times.log"
    first = _python(HOLDER, workbook, log, 30, 1)
    assert first.stdout is not None and first.stdout.readline().strip() == "holding"
    try:
        second = _python(HOLDER, workbook, log, 0, 0.3)
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 3
        assert out.startswith(f"another sync of customers.xlsx is running (process "
                              f"{first.pid} on this computer, since ")
        assert "waited 0.3 s" in out
        assert "hint: Let it finish" in out
    finally:
        first.kill()
        first.wait()
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["start"]


def test_in_process_second_taker_gets_the_same_message(tmp_path: Path) -> None:
    workbook = tmp_path / "book.xlsm"
    with sync_lock(workbook), pytest.raises(SyncLockedError) as caught,\
            sync_lock(workbook, wait=0):
        pass
    assert f"(process {os.getpid()} on this computer, since " in str(caught.value)
    with sync_lock(workbook, wait=0) as stale:
        assert stale is None


def test_lock_of_a_killed_process_is_taken_over(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    workbook = tmp_path / "customers.xlsx"
    dead = _python(DIES, workbook)
    assert dead.wait(timeout=60) == -9
    left = read_holder(workbook)
    assert left is not None and left.pid == dead.pid and not left.alive()
    with sync_lock(workbook, wait=1) as stale:
        assert stale == left
        now = read_holder(workbook)
        assert now is not None and now.pid == os.getpid()
    assert not holder_path(workbook).exists()
    assert f"took over the sync lock of process {dead.pid} on this computer" in caplog.text


def test_a_leftover_note_of_a_dead_pid_is_recovered(tmp_path: Path) -> None:
    workbook = tmp_path / "customers.xlsx"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    note = {"pid": int(gone.stdout), "host": socket.gethostname(), "since": "2026-01-01"}
    holder_path(workbook).write_text(json.dumps(note))
    (tmp_path / ".customers.xlsx.potentiel-sync.lock").write_text("")
    with sync_lock(workbook, wait=0) as stale:
        assert stale == Holder(**note)


def test_holder_on_another_host_counts_as_alive() -> None:
    assert Holder(pid=999_999_999, host="not-" + socket.gethostname(), since="x").alive()
    assert not Holder(pid=999_999_999, host=socket.gethostname(), since="x").alive()


def test_holder_note_is_written_whole(tmp_path: Path) -> None:
    workbook = tmp_path / "customers.xlsx"
    with sync_lock(workbook):
        note = json.loads(holder_path(workbook).read_text())
        assert note["pid"] == os.getpid() and note["host"] == socket.gethostname()
        assert datetime.fromisoformat(note["since"]).tzinfo is not None
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            ".customers.xlsx.potentiel-sync.holder.json", ".customers.xlsx.potentiel-sync.lock"]


def test_a_workbook_in_a_missing_folder_makes_no_folder(tmp_path: Path) -> None:
    workbook = tmp_path / "typo" / "customers.xlsx"
    with pytest.raises(WorkbookError) as caught, sync_lock(workbook):
        pass
    assert str(caught.value) == (f"the folder of the workbook {workbook} does not exist\n"
                                 "  hint: Fix 'workbook' in the sync configuration.")
    assert not workbook.parent.exists()
