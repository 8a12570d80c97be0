"""The second core changes nothing but the time: same results, same errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from addin.core import inputs, parallel
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
