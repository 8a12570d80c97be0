"""Run a sync again and again, on time, in this process (``potentiel sync --every 15m``).

A small loop on :meth:`threading.Event.wait` rather than APScheduler: the whole need is one job
at a fixed rate, never overlapping, stopping on a signal, and that is a few lines whose every
branch is tested here, with no scheduler thread pool, job store or misfire settings to get
wrong (docs/scheduling.md weighs the two).

Ticks are fixed-rate: run *k* starts at ``start + k * interval`` on the monotonic clock, so
the schedule does not drift by the run times.  A run that overruns its interval makes the loop
skip the ticks it covered (runs never overlap and never pile up); a run that raises is
reported and the loop goes on.  :func:`run_until_signalled` adds Ctrl-C/SIGTERM: the first
signal lets the current run finish and stops, a second one abandons it (a run is crash-safe:
its state is committed last).
"""

from __future__ import annotations

import logging
import math
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from addin.errors import InputError, PotentielError

log = logging.getLogger(__name__)

R = TypeVar("R")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


def parse_interval(text: str) -> timedelta:
    """``"90s"``, ``"15m"``, ``"1h"``, ``"1d"`` or combined (``"1h30m"``) as a timedelta."""
    cleaned = str(text).strip().lower().replace(" ", "")
    parts = _PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise InputError(f"'{text}' is not an interval",
                         hint="Write a number and a unit: 90s, 15m, 1h, 1d (or 1h30m).")
    seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise InputError(f"the interval '{text}' is zero", hint="Use at least 1s, e.g. 15m.")
    return timedelta(seconds=seconds)


def format_interval(interval: timedelta) -> str:
    """The shortest spelling of an interval (``15m``, ``1h30m``, ``0.5s``)."""
    seconds = interval.total_seconds()
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        count = int(seconds // size)
        if count:
            parts.append(f"{count}{unit}")
            seconds -= count * size
    if seconds or not parts:
        parts.append(f"{seconds:g}s")
    return "".join(parts)


def run_every(job: Callable[[], R], interval: timedelta, *, stop: threading.Event | None = None,
              on_report: Callable[[R], Any] | None = None,
              on_error: Callable[[Exception], Any] | None = None) -> int:
    """Run ``job`` now and then at every tick of ``interval`` until ``stop`` is set.

    Each result goes to ``on_report``; an exception is logged, handed to ``on_error``, and the
    loop goes on.  Returns the number of runs.  Without ``stop`` the loop runs forever.
    """
    period = interval.total_seconds()
    if period <= 0:
        raise InputError("the interval must be above zero", hint="Use e.g. 15m.")
    stop = stop or threading.Event()
    start = time.monotonic()
    runs = 0
    tick = 0
    while not stop.is_set():
        runs += 1
        try:
            report = job()
        except Exception as err:
            if isinstance(err, PotentielError):  # a failure explained in plain words
                log.info("scheduled sync run %d failed: %s", runs, err)
            else:  # a bug: keep the traceback
                log.exception("scheduled sync run %d failed", runs)
            if on_error is not None:
                on_error(err)
        else:
            if on_report is not None:
                on_report(report)
        # The next tick strictly after now: ticks a long run covered are skipped, not queued.
        tick = max(tick + 1, math.floor((time.monotonic() - start) / period) + 1)
        stop.wait(max(0.0, start + tick * period - time.monotonic()))
    return runs


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by the first SIGINT/SIGTERM; a second one raises KeyboardInterrupt.

    The previous handlers come back on exit.  Call from the main thread.
    """
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    names = ("SIGINT", "SIGTERM", "SIGBREAK")
    numbers = [getattr(signal, n) for n in names if hasattr(signal, n)]
    previous = {number: signal.signal(number, handle) for number in numbers}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_until_signalled(job: Callable[[], R], interval: timedelta, *,
                        on_report: Callable[[R], Any] | None = None,
                        on_error: Callable[[Exception], Any] | None = None) -> int:
    """:func:`run_every` until Ctrl-C or SIGTERM; returns the number of runs.

    The loop runs in a worker thread while the main thread only waits for it: a signal
    handler then never interrupts the loop's own ``Event.wait`` (setting an event from a
    handler that interrupted a wait on that same event can deadlock), and on Windows Ctrl-C
    is seen at once.  A second signal raises KeyboardInterrupt here and the worker, a daemon
    thread, is abandoned with the process.
    """
    counted: list[int] = []
    with stop_on_signals() as stop:
        worker = threading.Thread(
            target=lambda: counted.append(run_every(job, interval, stop=stop,
                                                    on_report=on_report, on_error=on_error)),
            name="potentiel-sync-loop", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(0.25)
    return counted[0] if counted else 0
