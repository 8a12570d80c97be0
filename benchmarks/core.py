"""Speed and memory of the analysis core, against baselines measured in the same run.

    python -m benchmarks.core [--customers N] [--orders M]

Prints: analyze() wall time and peak memory on Excel's row limit of customers (1,048,576) and
5,000,000 order lines; the ratio to a straightforward row-by-row implementation of the whole
analysis (``benchmarks.rowloop.analyze_rows``: the same raw frames in, every cell parsed and
every output column computed by a Python loop) timed on a 20,000-customer slice and scaled
linearly to the full set, beside analyze() on the same slice; and the ratio of the activity
summary to lifetimes' ``summary_data_from_transaction_data`` on the same transactions, with a
check that the numbers are identical.  Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import warnings
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from addin import run_analysis
from addin.core.activity import activity
from addin.core.inputs import prepare
from addin.core.parallel import CORES
from addin.core.validation import Validation
from addin.demo.book import generate
from benchmarks.rowloop import analyze_rows

T = TypeVar("T")
AS_OF = pd.Timestamp("2026-06-30")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def measure(fn: Callable[[], T]) -> tuple[T, float, int]:
    """(result, seconds, peak extra resident memory in bytes) of one call.

    A thread samples the resident set every 5 ms: this counts what numpy and pandas really
    allocate, without tracemalloc's overhead on the timing.
    """
    base, peak, done = _rss(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return result, seconds, max(peak[0], _rss()) - base


def _slice(customers: pd.DataFrame, orders: pd.DataFrame,
           n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    part = customers.iloc[:n]
    return part, orders[orders["customer_id"].isin(part["customer_id"])]


def main() -> None:
    """Run every measurement and print the figures beside their targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_048_576)
    parser.add_argument("--orders", type=int, default=5_000_000)
    parser.add_argument("--slice", type=int, default=20_000)
    args = parser.parse_args()

    print(f"generating {args.customers:,} customers and {args.orders:,} order lines...")
    (customers, orders), gen_s, _ = measure(lambda: generate(args.customers, args.orders,
                                                             seed=1, as_of=AS_OF.date()))
    print(f"  generated in {gen_s:.1f} s")

    analysis, cold_s, core_mem = measure(lambda: run_analysis(customers, orders, as_of=AS_OF))
    core_s = min(measure(lambda: run_analysis(customers, orders, as_of=AS_OF))[1]
                 for _ in range(2))
    print(f"analyze(): {core_s:.2f} s (best of 2 after a first call of {cold_s:.2f} s that "
          f"also pays one-time costs), peak memory +{core_mem / 2**30:.2f} GiB "
          f"for {len(analysis.table):,} customers on {CORES} core(s) (targets: < 5 s, < 3 GB)")

    part_c, part_o = _slice(customers, orders, args.slice)
    _, loop_s, _ = measure(lambda: analyze_rows(part_c, part_o, AS_OF))
    _, slice_s, _ = measure(lambda: run_analysis(part_c, part_o, as_of=AS_OF))
    scaled = loop_s * len(analysis.table) / len(part_c)
    print(f"row loop: {loop_s:.2f} s on {len(part_c):,} customers, scaled to the full set "
          f"{scaled:.0f} s -> analyze() is {scaled / core_s:.0f}x faster (target >= 50x); "
          f"analyze() on the same slice: {slice_s:.2f} s")

    full = prepare(customers, orders, as_of=AS_OF, validation=Validation())
    mine, act_s, _ = measure(lambda: activity(full.orders, len(full.customers), AS_OF))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes.utils import summary_data_from_transaction_data
    lines = full.orders[["code", "order_date", "amount"]]
    theirs, life_s, _ = measure(lambda: summary_data_from_transaction_data(
        lines, "code", "order_date", monetary_value_col="amount", observation_period_end=AS_OF,
        freq="D"))
    columns = ["frequency", "recency", "T", "monetary_value"]
    same = np.allclose(mine.loc[theirs.index, columns].to_numpy(np.float64),
                       theirs[columns].to_numpy(np.float64))
    print(f"activity summary: {act_s:.2f} s vs lifetimes {life_s:.2f} s -> "
          f"{life_s / act_s:.1f}x faster (target >= 2x); identical numbers: {same} "
          f"({len(theirs):,} customers with orders)")


if __name__ == "__main__":
    main()
