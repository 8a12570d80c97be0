"""A sync killed with SIGKILL at seeded random moments, then run again, ends where an
uninterrupted sync ends (SPEC section 4: a run killed at any point leaves both sides valid and
the next run converges).

One scenario, prepared once per module: the sample workbook synced once, then edited on both
sides.  Excel renames a customer, writes a note and sets a status; sales set statuses, owners,
notes and next actions, overwrite a workbook-owned email, type a row without an id, and set the
status Excel also set (a conflict, which the owner of the column, Sheets, wins).

Every kill point restores that snapshot, starts ``potentiel sync`` in a real subprocess
(``tests/sync_driver.py``, reaching the fake Sheets API over HTTP) and kills it a drawn offset
after an anchor: the start of the run (offsets uniform over an uninterrupted run's length), the
first Sheets request, the Sheets write's arrival at the fake, its answer, or the workbook's
replacement on disk (each uniform over the part of a run that follows, as an uninterrupted run
measured it).  Draws over the whole run alone would nearly always land in the workbook's
analysis; the anchors spread the kills over the Sheets writes, the workbook saves and the state
commit too.  A relay in front of the fake adds a little latency, so kills also land while
requests are in flight.  Then the sync runs to completion and both sides must be valid (ids
unique, every edit of both sides there, the typed row one customer, the dead run's lock taken
over, no stray files: the next run removes the temporary copy an interrupted save left, and
each conflict once in the Conflicts sheet) and equal to an uninterrupted run's.

The offsets come from ``SEED`` (``POTENTIEL_KILL_SEED`` overrides it).  Where a kill lands also
depends on the machine's speed, so every failure names the offset, its anchor and the phase the
kill landed in, read from the evidence (run log, files, the fake's request timeline).  Run with
``-s`` to see the phases and durations of all kill points.
"""

from __future__ import annotations

import http.client
import logging
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fakesheets import FakeSheets

from addin import read_workbook
from addin.core.labels import output_column
from addin.demo.sample import build_sample
from addin.workbook.edit import update_cells
from sheets_sync.config import load_config
from sheets_sync.conflicts import HEADERS
from sheets_sync.lock import holder_path, lock_path, pid_alive, read_holder
from sheets_sync.run import RunReport, sync
from sheets_sync.state import SyncState, state_path

SEED = int(os.environ.get("POTENTIEL_KILL_SEED", "20261123"))
START = "the start"
FIRST_REQUEST = "the first Sheets request"
WRITE_ARRIVED = "the Sheets write's arrival"
WRITE_ANSWERED = "the Sheets write's answer"
REPLACED = "the workbook's replacement"
ANCHORS = {START: 7, FIRST_REQUEST: 7, WRITE_ARRIVED: 6, WRITE_ANSWERED: 6, REPLACED: 6}
"""How many kill points are drawn after each anchor."""
LATENCY = 0.06
"""Seconds the relay waits before passing a request on, and again before answering it."""
DRIVER = Path(__file__).resolve().parents[1] / "sync_driver.py"
HOT, LOST = "Hot prospects", "Lost customers"
TABS = (HOT, LOST)
COLUMNS = ["customer_id", "name", "email", "customer_type", "prospect_score", "temperature"]
SALES = ["status", "owner", "notes", "next_action"]
WORKBOOK = "customers.xlsx"
QUIET = "both sides agree; nothing to do"
GENERATED = re.compile(r"S-[0-9A-F]{12}")
NEW_NAME = "Nouveau Prospect"
VALUES_WRITE = "values:batchUpdate"
WRITE_KINDS = ("write", VALUES_WRITE)


def kind_of(method: str, path: str) -> str:
    """A request as the timeline names it: ``read``, the ``values:batchUpdate`` that carries
    a run's changes, or another ``write``."""
    if method == "GET":
        return "read"
    return VALUES_WRITE if path.partition("?")[0].endswith("/" + VALUES_WRITE) else "write"


_HOP_HEADERS = ("host", "connection", "keep-alive", "transfer-encoding", "content-length")


class _Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _RelayServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _relay(self) -> None:
        link = self.server.link
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        kind = kind_of(self.command, self.path)
        link.mark("arrived", kind)
        time.sleep(link.latency)
        upstream = http.client.HTTPConnection(link.host, link.port, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers={
                k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS})
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        link.mark("applied", kind)
        time.sleep(link.latency)
        try:
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in (*_HOP_HEADERS, "date", "server"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client was killed meanwhile
            self.close_connection = True
            return
        link.mark("answered", kind)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _relay

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the link keeps its own timeline."""


class _RelayServer(ThreadingHTTPServer):
    daemon_threads = True
    link: SlowLink


class SlowLink:
    """An HTTP relay between the sync and the fake Sheets API adding a little latency, with a
    timeline of every request.

    Each request waits ``latency`` seconds before it is passed on, and again between the fake's
    answer (the change is made) and its delivery: a client killed in between has changed the
    spreadsheet without knowing it, which is what a lost answer from Google is.
    """

    def __init__(self, target: str, latency: float) -> None:
        self.host, _, port = target.removeprefix("http://").partition(":")
        self.port = int(port)
        self.latency = latency
        self._timeline: list[tuple[float, str, str]] = []
        self._guard = threading.Lock()
        self._server = _RelayServer(("127.0.0.1", 0), _Relay)
        self._server.link = self
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> SlowLink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def mark(self, what: str, kind: str) -> None:
        with self._guard:
            self._timeline.append((time.monotonic(), what, kind))

    def timeline(self) -> list[tuple[float, str, str]]:
        """``(monotonic time, arrived|applied|answered, kind)`` of every request."""
        with self._guard:
            return list(self._timeline)

    def clear_timeline(self) -> None:
        with self._guard:
            self._timeline.clear()

    def first(self, what: str, kind: str | None = None) -> float | None:
        """The time of the first ``what`` event of a ``kind`` request (of any for None)."""
        return next((t for t, w, k in self.timeline() if w == what and kind in (None, k)),
                    None)


def write_config(where: Path, endpoint: str, sid: str) -> Path:
    lines = [f'workbook = "{WORKBOOK}"', f'spreadsheet = "{sid}"', 'credentials = "none"',
             f'endpoint = "{endpoint}"', f"segments = {list(TABS)!r}".replace("'", '"'),
             f"columns = {COLUMNS!r}".replace("'", '"'),
             f"sales_columns = {SALES!r}".replace("'", '"')]
    (where / "sync.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where / "sync.toml"


def run(config: Path) -> RunReport:
    return sync(load_config(config))


# -- the scenario ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Both sides just before the run that is killed, and what each side changed."""

    workbook: bytes
    state: bytes
    sid: str
    tabs: dict[str, list[list[Any]]]
    pulled: dict[tuple[str, str], str]
    """``(customer id, sales column) -> value`` set in Sheets, which the workbook must get."""
    pushed: dict[tuple[str, str], str]
    """``(customer id, column) -> value`` set in Excel, which Sheets must get."""


def _cell(header: list[Any], rows: list[list[Any]], cid: str, column: str) -> str:
    """The A1 reference of a customer's cell in a tab."""
    row = [r[0] for r in rows].index(cid) + 1
    names = [output_column(h) or h for h in header]  # the tab shows labels
    return f"{chr(65 + names.index(column))}{row}"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    where = tmp_path_factory.mktemp("snapshot")
    workbook = build_sample(where / WORKBOOK)
    with FakeSheets() as fake:
        sid = fake.create_spreadsheet("Sales")
        config = write_config(where, fake.endpoint, sid)
        assert run(config).outcome == "ok"
        grids = {t: fake.sheet_values(sid, t) for t in TABS}
        hot, lost = ([r[0] for r in grids[t][1:]] for t in TABS)

        excel = {(hot[3], "name"): "Renamed in Excel", (lost[3], "notes"): "noted in Excel",
                 (hot[2], "status"): "set in Excel"}
        customers = read_workbook(workbook).customers
        row_of = pd.Series(customers.index, index=customers["customer_id"].astype(str))
        update_cells(workbook, "Customers", pd.DataFrame({
            "row": [int(row_of[cid]) for cid, _ in excel], "column": [c for _, c in excel],
            "value": list(excel.values())}))

        sheets = {(hot[0], "status"): "won", (hot[0], "owner"): "Ana",
                  (hot[2], "status"): "meeting booked", (lost[0], "next_action"): "call back",
                  (lost[1], "notes"): "left a message", (lost[2], "email"): "typo@example.fr"}
        for (cid, column), value in sheets.items():
            title = HOT if cid in hot else LOST
            grid = grids[title]
            fake.set_values(sid, title, [[value]], start=_cell(grid[0], grid, cid, column))
        typed = ["", NEW_NAME, "nouveau@example.fr", "", "", "", "new", "Bo", "", "first call"]
        fake.set_values(sid, HOT, [typed], start=f"A{len(grids[HOT]) + 1}")

        tabs = {t: fake.sheet_values(sid, t, "UNFORMATTED_VALUE") for t in TABS}
    return Snapshot(
        workbook=workbook.read_bytes(), state=state_path(workbook).read_bytes(), sid=sid,
        tabs=tabs,
        pulled={k: v for k, v in sheets.items() if k[1] in SALES},
        pushed={k: v for k, v in excel.items() if k not in sheets})


def restore(where: Path, fake: FakeSheets, endpoint: str, snap: Snapshot) -> Path:
    """The snapshot in ``where`` and in a new fake (whose first spreadsheet gets the same id),
    reached through ``endpoint``."""
    sid = fake.create_spreadsheet("Sales", sheets=("Sheet1", *TABS))
    assert sid == snap.sid
    for title, rows in snap.tabs.items():
        # An apostrophe keeps text text, as the sync's RAW writes did.
        fake.set_values(sid, title, [[f"'{v}" if isinstance(v, str) and v else v for v in row]
                                     for row in rows])
        assert fake.sheet_values(sid, title, "UNFORMATTED_VALUE") == rows
    (where / WORKBOOK).write_bytes(snap.workbook)
    state_path(where / WORKBOOK).write_bytes(snap.state)
    return write_config(where, endpoint, sid)


# -- what both sides hold ----------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """Both sides, comparable across runs: tab rows by id, the Customers sales columns by id,
    and the Conflicts sheet's records (with their counts).  The id generated for the typed row
    is random, so it reads as ``<generated>``."""

    tabs: dict[str, dict[str, tuple[str, ...]]]
    sales: dict[str, tuple[str, ...]]
    conflicts: Counter[tuple[str, ...]]

    def differences(self, other: View) -> list[str]:
        """What differs from ``other``, in words (empty when both sides are equal)."""
        found = []
        for title in TABS:
            mine, theirs = self.tabs[title], other.tabs[title]
            changed = sorted(k for k in mine.keys() | theirs.keys()
                             if mine.get(k) != theirs.get(k))
            if changed:
                found.append(f"tab {title!r} rows {changed}")
        sales = sorted(k for k in self.sales.keys() | other.sales.keys()
                       if self.sales.get(k) != other.sales.get(k))
        if sales:
            found.append(f"Customers sales columns of {sales}")
        missing = set(other.conflicts) - set(self.conflicts)
        extra = set(self.conflicts) - set(other.conflicts)
        if missing or extra:
            found.append(f"Conflicts sheet lacks {sorted(missing)}, has more {sorted(extra)}")
        return found

    @property
    def repeated_conflicts(self) -> int:
        return sum(n - 1 for n in self.conflicts.values())


def _stable(value: Any) -> str:
    text = "" if value is None else str(value)
    return "<generated>" if GENERATED.fullmatch(text) else text


def tab_rows(fake: FakeSheets, sid: str, title: str) -> list[list[str]]:
    """A tab's non-blank data rows."""
    return [row for row in fake.sheet_values(sid, title)[1:] if any(c != "" for c in row)]


def conflict_records(workbook: Path) -> Counter[tuple[str, ...]]:
    """The Conflicts sheet as openpyxl reads it (no sheet: no records); run ids left out."""
    book = openpyxl.load_workbook(workbook, read_only=True)
    try:
        if "Conflicts" not in book.sheetnames:
            return Counter()
        rows = list(book["Conflicts"].iter_rows(values_only=True))
    finally:
        book.close()
    kept = [i for i, h in enumerate(rows[0]) if h != HEADERS["run_id"][0]]
    return Counter(tuple(_stable(r[i]) for i in kept) for r in rows[1:])


def view(fake: FakeSheets, snap: Snapshot, workbook: Path, where: str) -> View:
    """Both sides after a complete run, checked valid on the way: ids present and unique in
    every tab and in the workbook, the typed row one customer, every edit of both sides there.
    """
    tabs = {}
    for title in TABS:
        rows = tab_rows(fake, snap.sid, title)
        ids = [r[0] for r in rows]
        assert "" not in ids, f"{where}: a row of {title!r} has no id"
        repeated = sorted(k for k, n in Counter(ids).items() if n > 1)
        assert not repeated, f"{where}: ids {repeated} repeated in {title!r}"
        tabs[title] = {_stable(r[0]): tuple(map(_stable, r)) for r in rows}
    customers = read_workbook(workbook).customers
    ids = customers["customer_id"].astype("str")
    assert ids.is_unique, f"{where}: repeated ids in the workbook {ids[ids.duplicated()]}"
    by_id = customers.set_index(ids)
    new = by_id[by_id["name"] == NEW_NAME]
    assert len(new) == 1, f"{where}: the typed row is {len(new)} customers in the workbook"
    assert (new["status"].iloc[0], new["owner"].iloc[0]) == ("new", "Bo"), where
    for (cid, column), value in snap.pulled.items():
        assert by_id.loc[cid, column] == value, f"{where}: sales' {column} of {cid} lost"
    header = COLUMNS + SALES
    remote = {r[0]: r for title in TABS for r in tab_rows(fake, snap.sid, title)}
    for (cid, column), value in snap.pushed.items():
        assert remote[cid][header.index(column)] == value, f"{where}: {column} of {cid} lost"
    sales = customers[SALES].astype("str").fillna("")
    return View(tabs, {_stable(cid): tuple(values) for cid, values in
                       zip(ids, sales.itertuples(index=False), strict=True)},
                conflict_records(workbook))


# -- killing -----------------------------------------------------------------------------------


class Drivers:
    """Driver processes started one ahead, so the next one loads while this one is checked."""

    def __init__(self) -> None:
        self._spare: subprocess.Popen[str] | None = None
        self._started: list[subprocess.Popen[str]] = []

    def _spawn(self) -> subprocess.Popen[str]:
        process = subprocess.Popen([sys.executable, str(DRIVER)], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._started.append(process)
        return process

    def take(self) -> subprocess.Popen[str]:
        """A driver that has loaded everything and waits for its configuration."""
        process = self._spare or self._spawn()
        self._spare = self._spawn()
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        return process

    def close(self) -> None:
        for process in self._started:
            if process.poll() is None:
                process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def drivers() -> Iterator[Drivers]:
    pool = Drivers()
    yield pool
    pool.close()


class Watcher(threading.Thread):
    """Looks at the workbook and the state file every half millisecond, noting when the
    workbook is replaced (a new inode: ``os.replace``) and when the state file is written."""

    def __init__(self, workbook: Path) -> None:
        super().__init__(daemon=True)
        self.workbook, self.state = workbook, state_path(workbook)
        self.replaced: list[float] = []
        self.state_written: list[float] = []
        self.first_replacement = threading.Event()
        self._done = threading.Event()

    def _look(self) -> tuple[int, tuple[int, int]]:
        state = self.state.stat()
        return self.workbook.stat().st_ino, (state.st_mtime_ns, state.st_size)

    def run(self) -> None:
        inode, stamp = self._look()
        while not self._done.wait(0.0005):
            now, (new_inode, new_stamp) = time.monotonic(), self._look()
            if new_inode != inode:
                self.replaced.append(now)
                self.first_replacement.set()
            if new_stamp != stamp:
                self.state_written.append(now)
            inode, stamp = new_inode, new_stamp

    def __enter__(self) -> Watcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self.join()


def start(process: subprocess.Popen[str], config: Path, link: SlowLink) -> float:
    """Send the driver its configuration: the run starts now."""
    assert process.stdin is not None
    link.clear_timeline()
    began = time.monotonic()
    process.stdin.write(f"{config}\n")
    process.stdin.flush()
    return began


@dataclass(frozen=True)
class Reference:
    """The uninterrupted run: both sides after it and after a second run (a fixed point), and
    when its parts happened, in seconds from its start."""

    after: tuple[View, View]
    duration: float
    first_request: float
    write_answered: float
    replaced: float
    committed: float


@pytest.fixture(scope="module")
def reference(snapshot: Snapshot, drivers: Drivers,
              tmp_path_factory: pytest.TempPathFactory) -> Reference:
    where = tmp_path_factory.mktemp("reference")
    with FakeSheets() as fake, SlowLink(fake.endpoint, LATENCY) as link:
        config = restore(where, fake, link.endpoint, snapshot)
        process = drivers.take()
        with Watcher(where / WORKBOOK) as watcher:
            began = start(process, config, link)
            out, err = process.communicate(timeout=120)
            duration = time.monotonic() - began
        assert "sync ok" in out, out + err
        first, answered = link.first("arrived"), link.first("answered", VALUES_WRITE)
        assert first is not None and answered is not None
        assert watcher.replaced and watcher.state_written
        link.latency = 0.0
        once = view(fake, snapshot, where / WORKBOOK, "uninterrupted run")
        assert run(config).outcome == "ok"
        twice = view(fake, snapshot, where / WORKBOOK, "second uninterrupted run")
        assert run(config).message == QUIET, "two runs do not reach a fixed point"
        assert not fake.crashes, fake.crashes
    assert once.conflicts and not once.repeated_conflicts, once.conflicts
    return Reference((once, twice), duration, first - began, answered - began,
                     watcher.replaced[0] - began, watcher.state_written[-1] - began)


@dataclass(frozen=True)
class KillPoint:
    anchor: str
    offset: float

    def describe(self, number: int) -> str:
        return (f"kill point {number}: SIGKILL {self.offset:.3f} s after {self.anchor} "
                f"(seed {SEED})")


def kill_points(ref: Reference) -> list[KillPoint]:
    """Seeded offsets from each anchor, uniform over the part of a run that follows it: the
    whole run; the Sheets requests; the write in flight; the workbook writes and the commit
    (the last window reaches a little past the commit)."""
    windows = {
        START: ref.duration,
        FIRST_REQUEST: ref.write_answered - ref.first_request,
        WRITE_ARRIVED: 2 * LATENCY,
        WRITE_ANSWERED: ref.committed - ref.write_answered,
        REPLACED: 1.3 * (ref.committed - ref.replaced),
    }
    draw = random.Random(SEED)
    return [KillPoint(anchor, draw.uniform(0, windows[anchor]))
            for anchor, count in ANCHORS.items() for _ in range(count)]


def anchor_time(point: KillPoint, began: float, link: SlowLink,
                watcher: Watcher) -> float | None:
    """When the point's anchor happened, without waiting (None: not yet)."""
    if point.anchor == START:
        return began
    if point.anchor == FIRST_REQUEST:
        return link.first("arrived")
    if point.anchor == WRITE_ARRIVED:
        return link.first("arrived", VALUES_WRITE)
    if point.anchor == WRITE_ANSWERED:
        return link.first("answered", VALUES_WRITE)
    return watcher.replaced[0] if watcher.replaced else None


def kill(process: subprocess.Popen[str], point: KillPoint, began: float, link: SlowLink,
         watcher: Watcher) -> float:
    """Wait for the point's anchor, then its offset, and SIGKILL the run; the kill's time."""
    deadline = time.monotonic() + 120
    at = anchor_time(point, began, link, watcher)
    while at is None and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)
        at = anchor_time(point, began, link, watcher)
    if at is None:
        process.kill()
        out, err = process.communicate(timeout=60)
        steps = [f"{t - began:.3f} s {what} {kind}" for t, what, kind in link.timeline()]
        raise AssertionError(f"the run never reached {point.anchor} (exit {process.returncode})"
                             f"\nrequests: {steps}\nstdout: {out}\nstderr: {err}")
    time.sleep(max(0.0, at + point.offset - time.monotonic()))
    process.kill()
    killed = time.monotonic()
    process.communicate(timeout=60)
    return killed


def landed(process: subprocess.Popen[str], killed: float, link: SlowLink, where: Path,
           snap: Snapshot) -> str:
    """The phase the run was in when killed, from what it left behind."""
    if process.returncode != -signal.SIGKILL:
        return "finished before the kill"
    with SyncState(state_path(where / WORKBOOK)) as state:
        runs = state.runs()
    if len(runs) < 2:  # the snapshot's state logs one run
        return "starting (run not logged yet)"
    if runs["outcome"].iloc[0] == "ok":
        return "after the state commit"
    written = (where / WORKBOOK).read_bytes() != snap.workbook
    if list(where.glob(".~potentiel-*")):
        return "writing the workbook (second save)" if written else "writing the workbook"
    if written:
        return "workbook written, state not committed"
    events = [(what, kind) for t, what, kind in link.timeline() if t <= killed]
    if ("answered", VALUES_WRITE) in events:
        return "Sheets written, workbook not yet"
    if any(what == "arrived" and kind in WRITE_KINDS for what, kind in events):
        return "Sheets write in flight"
    if events:
        return "reading Sheets, planning"
    return "reading and analysing the workbook"


def kill_and_rerun(point: KillPoint, label: str, snap: Snapshot, drivers: Drivers,
                   where: Path, caplog: pytest.LogCaptureFixture) -> tuple[str, View, float]:
    """Run the scenario in ``where``, kill it at ``point``, run it again to completion.

    Returns the phase the kill landed in (within ``label``, which names the point in messages),
    both sides after the next run (checked valid), and how long the next run took.
    """
    workbook = where / WORKBOOK
    with FakeSheets() as fake, SlowLink(fake.endpoint, LATENCY) as link:
        config = restore(where, fake, link.endpoint, snap)
        process = drivers.take()
        with Watcher(workbook) as watcher:
            killed = kill(process, point, start(process, config, link), link, watcher)
        phase = landed(process, killed, link, where, snap)
        label = f"{label}, landed {phase}"

        holder = read_holder(workbook)
        if holder is not None:  # the killed run held the lock: it must not stay stuck
            assert holder.pid == process.pid and not pid_alive(holder.pid), label
        link.latency = 0.0
        rerun_began = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="sheets_sync.lock"):
            rerun = run(config)
        took = time.monotonic() - rerun_began
        assert rerun.outcome == "ok", f"{label}: the next run did not go: {rerun.message}"
        if holder is not None:
            assert f"took over the sync lock of process {process.pid} " in caplog.text, label
        assert not holder_path(workbook).exists(), label
        final = view(fake, snap, workbook, label)
        assert not fake.crashes, fake.crashes
    known = {WORKBOOK, "sync.toml", lock_path(workbook).name, state_path(workbook).name}
    left = sorted(p.name for p in where.iterdir() if p.name not in known)
    assert not left, f"{label}: the next run left {left}"  # a killed save's copy is removed
    return phase, final, took


def ends_like(final: View, ref: Reference, label: str) -> list[int]:
    """After how many uninterrupted runs both sides were as they are now (1, 2 or both).

    The next run ends where the uninterrupted run does, or, when the killed run got as far as
    the workbook, where a second uninterrupted run does (it then does that run's work).
    """
    like = [n for n, done in enumerate(ref.after, 1) if not final.differences(done)]
    assert like, f"{label}: after the next run, " + "; ".join(
        f"unlike {n} uninterrupted run(s): " + ", ".join(final.differences(done))
        for n, done in enumerate(ref.after, 1))
    return like


#: What each kill point found, printed at the end of the module (pytest -s).
FIGURES: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[None]:
    yield
    if FIGURES:
        print(f"\nkill points (seed {SEED}):", *FIGURES, sep="\n  ")
        phases = Counter(line.split("landed ", 1)[1].split(";")[0] for line in FIGURES)
        print("phases:", dict(phases))


def test_the_uninterrupted_run_reaches_a_fixed_point(reference: Reference) -> None:
    print(f"\nuninterrupted run {reference.duration:.2f} s: first Sheets request at "
          f"{reference.first_request:.2f} s, write answered {reference.write_answered:.2f} s, "
          f"workbook replaced {reference.replaced:.2f} s, state committed "
          f"{reference.committed:.2f} s")
    once, twice = reference.after
    assert once.differences(twice) == [f"tab {HOT!r} rows ['<generated>']"]


@pytest.mark.parametrize("number", range(sum(ANCHORS.values())))
def test_a_killed_sync_leaves_both_sides_valid_and_the_next_run_converges(
        number: int, snapshot: Snapshot, reference: Reference, drivers: Drivers,
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    point = kill_points(reference)[number]
    label = point.describe(number)
    phase, final, took = kill_and_rerun(point, label, snapshot, drivers, tmp_path, caplog)
    like = [n for n, done in enumerate(reference.after, 1) if not final.differences(done)]
    FIGURES.append(f"{label}: landed {phase}; next run {took:.2f} s, ends like {like} "
                   f"uninterrupted run(s), {final.repeated_conflicts} repeated conflict record(s)")
    ends_like(final, reference, f"{label}, landed {phase}")
    assert final.repeated_conflicts == 0, f"{label}, landed {phase}: {final.conflicts}"


def test_a_run_killed_between_its_two_workbook_saves_keeps_its_conflicts(
        snapshot: Snapshot, reference: Reference, drivers: Drivers, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """The first save holds the sales edits, the second the Conflicts sheet.  Killed between
    them, the run leaves conflicts the next run no longer sees (both sides agree by then)."""
    point = KillPoint(REPLACED, 0.0)
    label = "SIGKILL as soon as the workbook was replaced"
    phase, final, _ = kill_and_rerun(point, label, snapshot, drivers, tmp_path, caplog)
    assert phase in ("workbook written, state not committed",
                     "writing the workbook (second save)"), phase
    assert ends_like(final, reference, label) == [2]
    assert final.conflicts == reference.after[1].conflicts  # each conflict once
