"""Speed and memory of reading and writing real workbooks.

    python -m benchmarks.workbook [--customers N] [--orders M]

Writes a synthetic workbook as Excel saves them (200,000 customers by default, Customers and
Orders sheets, shared strings, real date cells, text ids), then prints: calamine's own parse
time (the floor); the time and peak memory of ``read_workbook`` against
``pandas.read_excel(engine="openpyxl")`` on the same file, with the ratio (target: at least
5x); the time and peak memory of ``write_results`` for the analysis of that workbook; and the
whole ``potentiel run`` command on it, as a separate process (targets: under 30 s, peak
resident memory under 2 GB).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from addin.core.analysis import run_analysis
from addin.demo.book import generate
from addin.workbook.reader import read_workbook
from addin.workbook.results import write_results
from benchmarks.core import measure

MB = 1024 * 1024


def build(path: Path, customers: pd.DataFrame, orders: pd.DataFrame) -> Path:
    """A workbook with these sheets as Excel saves them (shared strings, date formats)."""
    with pd.ExcelWriter(path, engine="xlsxwriter",
                        datetime_format="yyyy-mm-dd", date_format="yyyy-mm-dd") as writer:
        customers.to_excel(writer, sheet_name="Customers", index=False)
        orders.to_excel(writer, sheet_name="Orders", index=False)
    return path


def calamine_only(path: Path) -> int:
    """The floor: calamine parsing both sheets into Python lists, nothing else."""
    book = CalamineWorkbook.from_path(str(path))
    cells = sum(len(book.get_sheet_by_name(n).to_python()) for n in ("Customers", "Orders"))
    book.close()
    return cells


def main() -> None:
    """Generate, write, read both ways, analyse and write the results; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=400_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "customers.xlsx"
        customers, orders = generate(args.customers, args.orders)
        _, seconds, _ = measure(lambda: build(path, customers, orders))
        print(f"workbook: {args.customers:,} customers x {customers.shape[1]} columns, "
              f"{args.orders:,} order lines x {orders.shape[1]} columns, "
              f"{path.stat().st_size / MB:.1f} MB, written in {seconds:.1f} s")

        _, floor, _ = measure(lambda: calamine_only(path))
        print(f"calamine alone (both sheets):   {floor:6.1f} s")
        data, ours, ours_mem = measure(lambda: read_workbook(path))
        print(f"read_workbook:                  {ours:6.1f} s, peak +{ours_mem / MB:,.0f} MB")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, theirs, theirs_mem = measure(
                lambda: pd.read_excel(path, sheet_name=None, engine="openpyxl"))
        print(f"pandas.read_excel(openpyxl):    {theirs:6.1f} s, peak +{theirs_mem / MB:,.0f} MB")
        print(f"ratio: read_workbook is {theirs / ours:.1f}x faster (target >= 5x)")

        analysis = run_analysis(data.customers, data.orders, sheet_names=data.sheet_names,
                                as_of="2026-06-30", problems=data.validation)
        out = Path(folder) / "results.xlsx"
        _, seconds, memory = measure(lambda: write_results(path, analysis, out=out))
        print(f"write_results: {len(analysis.table):,} rows x {analysis.table.shape[1]} columns "
              f"+ dashboard in {seconds:.1f} s, peak +{memory / MB:,.0f} MB, "
              f"{out.stat().st_size / MB:.1f} MB")

        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "addin.cli", "run", str(path), "-o",
                        str(Path(folder) / "run.xlsx"), "--as-of", "2026-06-30"],
                       check=False, capture_output=True)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(f"potentiel run (whole command, own process): {seconds:.1f} s, peak resident "
              f"{peak / MB:,.0f} MB (targets: < 30 s, < 2 GB)")


if __name__ == "__main__":
    main()
