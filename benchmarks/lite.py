"""The analysis as xlwings Lite runs it (no threads), beside the threaded desktop run.

    python -m benchmarks.lite [--customers N] [--orders M]

Prints analyze() wall time on 100,000 customers and 500,000 order lines, with every
``Thread.start`` raising ``RuntimeError`` as in Pyodide (the steps then run one after the other)
and threaded as on the desktop, whether the two tables are identical, and memory against
Pyodide's 2 GiB: what the first (cold) call adds, and the whole process' peak, inputs included.
Both runs are native CPython: Pyodide's WebAssembly is slower by a factor this machine cannot
measure (docs/decisions.md).  Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import resource
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pandas as pd

from addin import run_analysis
from addin.core.parallel import CORES
from addin.demo.book import generate
from benchmarks.core import AS_OF, measure

T = TypeVar("T")
#: Pyodide's memory ceiling (xlwings Lite's documented limit).
PYODIDE_MEMORY = 2 * 2**30


@contextmanager
def no_threads() -> Iterator[None]:
    """Thread.start raises as it does in Pyodide, until the block ends."""
    start = threading.Thread.start

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    threading.Thread.start = refuse  # type: ignore[method-assign]
    try:
        yield
    finally:
        threading.Thread.start = start  # type: ignore[method-assign]


def _best(call: Callable[[], T], runs: int = 2) -> tuple[T, float, int]:
    """(result, best seconds of ``runs`` calls after a warm-up, what the warm-up call added to
    the memory in use)."""
    result, _, cold = measure(call)
    return result, min(measure(call)[1] for _ in range(runs)), cold


def main() -> None:
    """Time both runs and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=500_000)
    args = parser.parse_args()

    customers, orders = generate(args.customers, args.orders, seed=1, as_of=AS_OF.date())

    def analysis() -> pd.DataFrame:
        return run_analysis(customers, orders, as_of=AS_OF).table

    def lite() -> pd.DataFrame:
        with no_threads():
            return analysis()

    alone, alone_s, alone_mem = _best(lite)  # first: its cold call pays every allocation
    threaded, threaded_s, _ = _best(analysis)
    process = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"analyze() on {args.customers:,} customers x {args.orders:,} lines "
          f"(best of 2 after a warm-up), {CORES} core(s):")
    print(f"  no threads (xlwings Lite path): {alone_s:.2f} s")
    print(f"  threaded (desktop):             {threaded_s:.2f} s "
          f"-> no threads takes {alone_s / threaded_s:.2f}x; identical tables: "
          f"{threaded.equals(alone)}")
    print(f"  memory: the first call adds {alone_mem / 2**20:,.0f} MiB; the process peaked at "
          f"{process / 2**20:,.0f} MiB with Python, pandas and the inputs "
          f"({process / PYODIDE_MEMORY:.0%} of Pyodide's 2 GiB)")


if __name__ == "__main__":
    main()
