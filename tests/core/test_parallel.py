"""The second core changes nothing but the time: same results, same errors."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from builders import AS_OF

from addin import analyze
from addin.core import inputs, parallel
from addin.demo.book import generate
from addin.errors import InputError


def test_results_come_back_in_call_order() -> None:
    assert parallel.in_parallel(lambda: 1, lambda: "two", lambda: [3]) == [1, "two", [3]]


def test_an_error_in_one_call_is_raised_first_call_first() -> None:
    def bad(message: str):
        raise InputError(message)

    with pytest.raises(InputError, match="customers"):
        parallel.in_parallel(lambda: bad("customers"), lambda: bad("orders"))


def test_ids_looked_up_in_halves_find_the_same_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    known = pd.Series([f"C{i:05d}" for i in range(500)], dtype="str")
    asked = pd.Series(rng.choice([*known, "nobody", "C99999"], size=2_001), dtype="str")
    (whole,) = inputs.link(known, asked)
    monkeypatch.setattr(inputs, "_PARALLEL_FROM", 10)
    (halves,) = inputs.link(known, asked)
    assert np.array_equal(whole, halves)
    assert (whole[asked.isin(["nobody", "C99999"]).to_numpy()] == -1).all()
    found = whole >= 0
    assert (known.to_numpy()[whole[found]] == asked.to_numpy()[found]).all()


def test_one_core_runs_the_calls_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CORES", 1)
    seen: list[int] = []
    assert parallel.in_parallel(lambda: seen.append(1) or 1, lambda: seen.append(2) or 2) == [1, 2]
    assert seen == [1, 2]


def _no_threads(monkeypatch: pytest.MonkeyPatch, allowed: int = 0) -> None:
    """Thread.start raises RuntimeError, as in Pyodide, after ``allowed`` threads started."""
    start = threading.Thread.start
    left = [allowed]

    def refuse(thread: threading.Thread) -> None:
        if left[0] <= 0:
            raise RuntimeError("can't start new thread")
        left[0] -= 1
        start(thread)

    monkeypatch.setattr(parallel, "CORES", 2)
    monkeypatch.setattr(threading.Thread, "start", refuse)


def test_without_threads_the_calls_run_in_turn_here(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_threads(monkeypatch)
    seen: list[tuple[int, str]] = []

    def call(i: int) -> int:
        seen.append((i, threading.current_thread().name))
        return i

    assert parallel.in_parallel(*(lambda i=i: call(i) for i in range(3))) == [0, 1, 2]
    here = threading.current_thread().name
    assert seen == [(0, here), (1, here), (2, here)]


def test_when_only_some_threads_start_each_call_runs_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _no_threads(monkeypatch, allowed=1)
    counts = [0, 0, 0, 0]

    def call(i: int) -> int:
        counts[i] += 1
        return i * 10

    assert parallel.in_parallel(*(lambda i=i: call(i) for i in range(4))) == [0, 10, 20, 30]
    assert counts == [1, 1, 1, 1]


def test_without_threads_the_analysis_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    customers, orders = generate(2_000, 9_000, seed=11, as_of=AS_OF.date())
    threaded = analyze(customers, orders, as_of=AS_OF)
    _no_threads(monkeypatch)
    monkeypatch.setattr(inputs, "_PARALLEL_FROM", 10)  # every parallel path is taken
    monkeypatch.setattr(inputs, "_PARALLEL_ROWS", 10)
    pd.testing.assert_frame_equal(analyze(customers, orders, as_of=AS_OF), threaded)
