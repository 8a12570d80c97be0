"""The in-process schedule run for real: ticks, overruns, failures, signals."""

from __future__ import annotations

import logging
import math
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from addin.errors import InputError, SyncLockedError
from sheets_sync.schedule import format_interval, parse_interval, run_every

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "seconds"), [
    ("15m", 900), ("1h", 3600), ("90s", 90), ("1d", 86400), ("0.5s", 0.5), (" 2H ", 7200),
    ("1h30m", 5400), ("1d 6h", 108000), ("1.5m", 90)])
def test_parse_interval(text: str, seconds: float) -> None:
    assert parse_interval(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "15", "m", "15x", "fifteen minutes", "-5m", "1.2.3m",
                                  "15m!", "h1"])
def test_parse_interval_refuses_what_is_not_an_interval(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_interval(text)
    assert str(caught.value) == (f"'{text}' is not an interval\n  hint: Write a number and a "
                                 "unit: 90s, 15m, 1h, 1d (or 1h30m).")


@pytest.mark.parametrize("text", ["0m", "0s", "0.0h"])
def test_parse_interval_refuses_zero(text: str) -> None:
    with pytest.raises(InputError, match=f"the interval '{text}' is zero"):
        parse_interval(text)


@pytest.mark.parametrize("text", ["15m", "1h30m", "0.5s", "1d6h", "90s", "45s"])
def test_format_interval_round_trips(text: str) -> None:
    assert parse_interval(format_interval(parse_interval(text))) == parse_interval(text)
    assert format_interval(timedelta(seconds=90)) == "1m30s"


class Recorder:
    """A payload that records when each run starts and ends, and stops the loop after N."""

    def __init__(self, runs: int, duration: float = 0.0, fail_on: tuple[int, ...] = ()) -> None:
        self.stop = threading.Event()
        self.runs = runs
        self.duration = duration
        self.fail_on = fail_on
        self.spans: list[tuple[float, float]] = []
        self.active = 0
        self.most_active = 0
        self.guard = threading.Lock()

    def __call__(self) -> int:
        with self.guard:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        start = time.monotonic()
        try:
            time.sleep(self.duration)
            number = len(self.spans) + 1
            if number >= self.runs:
                self.stop.set()
            if number in self.fail_on:
                raise RuntimeError(f"run {number} broke")
            return number
        finally:
            self.spans.append((start, time.monotonic()))
            with self.guard:
                self.active -= 1


def test_runs_on_a_fixed_grid_of_ticks() -> None:
    job = Recorder(runs=5)
    reports: list[int] = []
    period = 0.2
    before = time.monotonic()  # the loop's grid starts later than this
    assert run_every(job, timedelta(seconds=period), stop=job.stop,
                     on_report=reports.append) == 5
    assert reports == [1, 2, 3, 4, 5]
    for k, (start, _) in enumerate(job.spans):
        assert start >= before + k * period  # never before its tick


def test_an_overrunning_run_skips_ticks_and_never_overlaps() -> None:
    job = Recorder(runs=4, duration=0.5)
    period = 0.2
    before = time.monotonic()  # the loop's grid starts between this and the first run
    assert run_every(job, timedelta(seconds=period), stop=job.stop) == 4
    assert job.most_active == 1
    first = job.spans[0][0]
    for (_, end), (start, _) in pairwise(job.spans):
        assert start >= end
        # the next run waits for the next tick after the overrun, ticks covered are skipped
        assert start >= before + (math.floor((end - first) / period) + 1) * period


def test_a_failing_run_is_reported_and_the_loop_goes_on() -> None:
    job = Recorder(runs=4, fail_on=(2, 3))
    errors: list[Exception] = []
    reports: list[int] = []
    assert run_every(job, timedelta(seconds=0.05), stop=job.stop, on_report=reports.append,
                     on_error=errors.append) == 4
    assert reports == [1, 4]
    assert [str(e) for e in errors] == ["run 2 broke", "run 3 broke"]


def test_a_stop_set_before_the_start_runs_nothing() -> None:
    stop = threading.Event()
    stop.set()
    assert run_every(lambda: 1, timedelta(seconds=1), stop=stop) == 0


def test_zero_interval_is_refused() -> None:
    with pytest.raises(InputError):
        run_every(lambda: 1, timedelta(0))


# The loop in its own process: each run writes "start", takes `duration`, writes "end".
LOOP = """
import sys, time
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from sheets_sync.schedule import run_until_signalled
log, duration = Path(sys.argv[1]), float(sys.argv[2])
def job():
    with log.open("a") as f:
        f.write("start\\n")
    time.sleep(duration)
    with log.open("a") as f:
        f.write("end\\n")
try:
    runs = run_until_signalled(job, timedelta(seconds=0.1))
except KeyboardInterrupt:
    print("abandoned", flush=True)
    sys.exit(130)
print(f"stopped after {runs} runs", flush=True)
"""


def _wait_for_starts(log: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and log.read_text().split().count("start") >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"the loop did not start {count} runs: {log.read_text()}")


def test_sigterm_lets_the_current_run_finish_then_stops(tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    loop = subprocess.Popen([sys.executable, "-c", LOOP, str(log), "0.3"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_starts(log, 2, loop)
    loop.send_signal(signal.SIGTERM)
    out, err = loop.communicate(timeout=60)
    assert loop.returncode == 0, err
    events = log.read_text().split()
    assert events == ["start", "end"] * (len(events) // 2)
    assert out == f"stopped after {len(events) // 2} runs\n"


def test_ctrl_c_stops_too(tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    loop = subprocess.Popen([sys.executable, "-c", LOOP, str(log), "0.05"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_starts(log, 1, loop)
    loop.send_signal(signal.SIGINT)
    out, err = loop.communicate(timeout=60)
    assert loop.returncode == 0, err
    assert out.startswith("stopped after ")


def test_a_second_signal_abandons_the_current_run(tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    loop = subprocess.Popen([sys.executable, "-c", LOOP, str(log), "600"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_starts(log, 1, loop)
    loop.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # two signals sent at once may arrive as one
    loop.send_signal(signal.SIGTERM)
    out, _ = loop.communicate(timeout=60)
    assert loop.returncode == 130
    assert out == "abandoned\n"
    assert log.read_text().split() == ["start"]


def test_explained_failures_are_logged_quietly_bugs_with_their_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    stop = threading.Event()
    failures = iter([SyncLockedError("another sync of customers.xlsx is running"),
                     RuntimeError("a bug")])

    def job() -> None:
        failure = next(failures, None)
        if failure is None:
            stop.set()
            return
        raise failure

    with caplog.at_level(logging.INFO, logger="sheets_sync.schedule"):
        assert run_every(job, timedelta(seconds=0.01), stop=stop) == 3
    explained, bug = caplog.records
    assert (explained.levelno, explained.getMessage(), explained.exc_info) == (
        logging.INFO, "scheduled sync run 1 failed: another sync of customers.xlsx is running",
        None)
    assert bug.levelno == logging.ERROR and bug.exc_info is not None
