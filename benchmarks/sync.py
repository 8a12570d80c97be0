"""Speed and traffic of the Google Sheets sync, against a naive publisher in the same run.

    python -m benchmarks.sync [--rows N] [--merge-rows M]

Everything runs against the local fake of the Sheets API v4 (``tests/fakesheets``, on
127.0.0.1): no network, no Google account.  A generated workbook of ``10 x N`` customers (5,000
by default) gets a user column ``territory`` and a Segments sheet of 10 segments splitting the
customers by it, so the sync publishes exactly 10 tabs of N rows and 15 columns (11
Excel-owned, 4 sales).  Printed:

1. potentiel's sync: a first sync, a no-change sync (the quick check: one Drive request, the
   workbook hashed, nothing read) and a sync after 1 % of the rows changed on the Excel side
   (the ``name`` of 1 % of the customers edited in the workbook), each with its requests,
   bytes sent and received, bytes in write requests, and wall time (the whole run: workbook
   read, analysis, merge, Sheets, workbook write, state commit).
2. The baseline: gspread-dataframe's ``set_with_dataframe`` per tab, through real gspread to the
   same fake, publishing the same 10 frames (read + analysis of the workbook included in its
   wall time); for the no-change and 1 % cases it rewrites every tab, as a naive tool does.
3. Ratios: requests (target: potentiel fewer) and, for the 1 % change, potentiel's bytes
   written as a percentage of the baseline's (target: at most 5 %); then the no-change sync
   beside the full read it spares (``--force``; targets: 1 request, < 5 KB received, < 1 s).
4. Wall time of the pure three-way merge (``sheets_sync.merge.plan``) on ``M`` rows (100,000
   by default) with a few % of changes on both sides (target: < 1 s).

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
from gspread_dataframe import set_with_dataframe

from addin.app.jobs import analyze_file
from addin.demo.book import generate
from addin.workbook.edit import update_cells
from sheets_sync.config import load_config
from sheets_sync.google.transport import open_client
from sheets_sync.merge import ROW, SEGMENTS, TAB, Plan, plan
from sheets_sync.run import sync
from tests.fakesheets import FakeSheets  # the fake lives with the tests

T = TypeVar("T")
AS_OF = "2026-06-30"
TABS = [f"Territory {i}" for i in range(10)]
#: 11 Excel-owned columns (key first) + 4 sales columns = 15 synced columns.
COLUMNS = ["customer_id", "name", "email", "company", "country", "city", "customer_type",
           "orders", "revenue", "prospect_score", "temperature"]
SALES = ["status", "owner", "notes", "next_action"]
HEADER = COLUMNS + SALES
NUMBERS = ("orders", "revenue", "prospect_score")
CHANGED = 0.01
KB = 1024


@dataclass(frozen=True)
class Traffic:
    """What one step cost: HTTP requests, bytes each way, bytes of write requests, time."""

    requests: int
    sent: int
    received: int
    written: int
    seconds: float

    def line(self, label: str) -> str:
        return (f"  {label:<22} {self.requests:5d} requests  sent {self.sent / KB:9,.0f} KB  "
                f"received {self.received / KB:9,.0f} KB  written {self.written / KB:9,.0f} KB"
                f"  {self.seconds:6.2f} s")


def settle(fake: FakeSheets) -> None:
    """Wait until the fake has logged the last request: it logs after sending the answer, so
    the client can be back before the entry is written."""
    seen = -1
    while seen != fake.request_count():
        seen = fake.request_count()
        time.sleep(0.05)


def counted(fake: FakeSheets, step: Callable[[], T]) -> tuple[T, Traffic]:
    """Run ``step`` and read the fake's counters for it (sent = what the server received)."""
    fake.reset_counters()
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    settle(fake)
    return result, Traffic(fake.request_count(), fake.bytes_in(), fake.bytes_out(),
                           fake.bytes_in("write"), seconds)


def build_workbook(folder: Path, rows: int) -> Path:
    """A workbook of ``10 x rows`` customers, a ``territory`` column and one segment per
    territory, as Excel saves it (plain ranges, shared strings)."""
    customers, orders = generate(rows * len(TABS), rows * len(TABS), seed=7,
                                 as_of=pd.Timestamp(AS_OF).date())
    customers["territory"] = np.array(TABS, dtype=object)[np.arange(len(customers)) % len(TABS)]
    segments = pd.DataFrame({"segment": TABS, "field": "territory", "operator": "=",
                             "value": TABS})
    settings = pd.DataFrame({"key": ["as_of"], "value": [AS_OF]})
    path = folder / "customers.xlsx"
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(path, engine="xlsxwriter", datetime_format="yyyy-mm-dd",
                        date_format="yyyy-mm-dd", engine_kwargs={"options": options}) as writer:
        for name, frame in (("Customers", customers), ("Orders", orders),
                            ("Segments", segments), ("Settings", settings)):
            frame.to_excel(writer, sheet_name=name, index=False)
    return path


def write_config(folder: Path, fake: FakeSheets, sid: str) -> Path:
    """The sync.toml of the benchmark: every territory tab, 15 columns, the fake's endpoint."""
    def names(values: list[str]) -> str:
        return "[" + ", ".join(f'"{v}"' for v in values) + "]"

    lines = ['workbook = "customers.xlsx"', f'spreadsheet = "{sid}"', 'credentials = "none"',
             f'endpoint = "{fake.endpoint}"', f"segments = {names(TABS)}",
             f"columns = {names(COLUMNS)}", f"sales_columns = {names(SALES)}"]
    path = folder / "sync.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def change_names(workbook: Path, customers: int, share: float) -> int:
    """Edit the name of ``share`` of the customers in the workbook (an Excel-owned column),
    spread evenly over the sheet, so over every tab."""
    count = round(customers * share)
    rows = np.linspace(2, 1 + customers, count, endpoint=False).astype(np.int64)
    update_cells(workbook, "Customers", pd.DataFrame(
        {"row": rows, "column": "name", "value": pd.Series(rows).map("Renamed {}".format)}))
    return count


class Baseline:
    """gspread-dataframe publishing every segment frame to its own spreadsheet."""

    def __init__(self, fake: FakeSheets, workbook: Path) -> None:
        self.client = open_client(fake.endpoint, None)
        self.sid = fake.create_spreadsheet("Baseline")
        self.workbook = workbook

    def publish(self, first: bool) -> None:
        """Read and analyse the workbook, then write every tab whole (creating them first)."""
        analysis = analyze_file(self.workbook)
        book = self.client.open_by_key(self.sid)
        sheets = {} if first else {w.title: w for w in book.worksheets()}
        for tab in TABS:
            sheet = sheets.get(tab) or book.add_worksheet(tab, rows=1000, cols=26)
            set_with_dataframe(sheet, analysis.segments[tab][HEADER])


def sync_benchmark(rows: int) -> None:
    """Parts 1 to 3: three syncs and three naive publications of the same workbook."""
    with tempfile.TemporaryDirectory() as tmp, FakeSheets() as fake:
        folder = Path(tmp)
        start = time.perf_counter()
        workbook = build_workbook(folder, rows)
        config = load_config(write_config(folder, fake, fake.create_spreadsheet("Sales")))
        baseline = Baseline(fake, workbook)
        print(f"workbook: {rows * len(TABS):,} customers -> {len(TABS)} tabs x {rows:,} rows x "
              f"{len(HEADER)} columns, built in {time.perf_counter() - start:.1f} s")

        ours: dict[str, Traffic] = {}
        theirs: dict[str, Traffic] = {}
        _, ours["first"] = counted(fake, lambda: sync(config))
        _, theirs["first"] = counted(fake, lambda: baseline.publish(first=True))
        _, ours["no change"] = counted(fake, lambda: sync(config))
        _, theirs["no change"] = counted(fake, lambda: baseline.publish(first=False))
        _, full = counted(fake, lambda: sync(config, force=True))
        changed = change_names(workbook, rows * len(TABS), CHANGED)
        report, ours["1 % changed"] = counted(fake, lambda: sync(config))
        _, theirs["1 % changed"] = counted(fake, lambda: baseline.publish(first=False))
        updated = sum(t["updated"] for t in report.tabs.values())
        print(f"1 % change: {changed:,} customer names edited in the workbook; the sync "
              f"updated {updated:,} rows")
        if fake.crashes:
            print("the fake Sheets server failed on some requests:\n" + "\n".join(fake.crashes))

        start = time.perf_counter()
        analyze_file(workbook)
        local = time.perf_counter() - start
        print(f"reading and analysing the workbook, part of every wall time below: {local:.1f} s")
        print("potentiel sync:")
        for label, traffic in ours.items():
            print(traffic.line(label))
        print("baseline (gspread-dataframe set_with_dataframe per tab):")
        for label, traffic in theirs.items():
            print(traffic.line(label))
        print("ratios (potentiel / baseline):")
        for label in ours:
            mine, base = ours[label], theirs[label]
            print(f"  {label:<22} requests {mine.requests} vs {base.requests} "
                  f"({mine.requests / base.requests:.2f}x, target: fewer); bytes written "
                  f"{100 * mine.written / base.written:.2f} % of the baseline's; wall time "
                  f"{mine.seconds / base.seconds:.2f}x")
        mine, base = ours["1 % changed"], theirs["1 % changed"]
        print(f"1 % change: potentiel writes {100 * mine.written / base.written:.2f} % of the "
              f"baseline's bytes (target: <= 5 %)")
        quick = ours["no change"]
        print("no-change sync: the quick check (Drive version + workbook hash) beside the full "
              "read it spares (--force):")
        print(quick.line("quick check"))
        print(full.line("full read (--force)"))
        print(f"  quick check: {quick.requests} request(s) (target: 1), received "
              f"{quick.received / KB:.1f} KB (target: < 5 KB), {quick.seconds:.2f} s (target: "
              f"< 1 s); the full read: {full.requests} requests, {full.received / KB:,.0f} KB, "
              f"{full.seconds:.2f} s")
        print("note: wall times against the fake are indicative only. The fake copies the "
              "whole spreadsheet on every write (to make requests atomic), which penalises "
              "tools making many write requests, and it pretty-prints its JSON answers, so "
              "'received' is larger than Google's compact (and gzipped) answers.")


def merge_inputs(rows: int, share: float, seed: int = 3,
                 ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Base, workbook and Sheets tables of ``rows`` customers over 10 tabs, built as whole
    columns: ``share`` of the rows changed on each side, some of them the same sales cell
    (conflicts), and ``share`` new customers in the workbook."""
    rng = np.random.default_rng(seed)
    keys = pd.Series(np.arange(rows)).map("C{:07d}".format)
    tab_of = np.arange(rows) % len(TABS)
    tabs = np.array(TABS, dtype=object)[tab_of]
    values: dict[str, pd.Series] = {"customer_id": keys}
    for column in HEADER[1:]:
        if column in NUMBERS:
            values[column] = pd.Series(rng.integers(0, 10_000, rows) / 4)
        else:
            values[column] = pd.Series(rng.integers(0, 500, rows)).map(f"{column} {{}}".format)
    local = pd.DataFrame(values)
    # The base as the state gives it back: the values last written, numbers as numbers.
    base = pd.DataFrame({TAB: tabs, **{c: local[c].astype(object) for c in HEADER}})
    remote = local.astype(object)
    remote.insert(0, TAB, tabs)
    remote.insert(1, ROW, np.arange(rows) // len(TABS) + 2)

    def some() -> np.ndarray:
        return rng.random(rows) < share

    local.loc[some(), "name"] = "edited in Excel"
    local.loc[some(), "revenue"] = 1.25
    remote.loc[some(), "status"] = "called"
    remote.loc[some(), "notes"] = "=sales note"
    both = some()
    local.loc[both, "owner"] = "excel owner"
    remote.loc[both, "owner"] = "sheets owner"
    lists = np.empty(len(TABS), dtype=object)
    for i, tab in enumerate(TABS):
        lists[i] = [tab]
    added = int(rows * share)
    new = local.sample(added, random_state=seed).assign(
        customer_id=pd.Series(np.arange(added)).map("N{:07d}".format).to_numpy())
    local = pd.concat([local, new], ignore_index=True)
    local[SEGMENTS] = lists[np.concatenate([tab_of, rng.integers(0, len(TABS), added)])]
    return base, local, remote


def merge_benchmark(rows: int) -> None:
    """Part 4: the pure merge on ``rows`` customers with a few % of changes on both sides."""
    base, local, remote = merge_inputs(rows, 0.03)

    def once() -> tuple[Plan, float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = plan(base, local, remote, key="customer_id", excel_columns=COLUMNS,
                      sales_columns=SALES, tabs=TABS)
        return result, time.perf_counter() - wall, time.process_time() - cpu

    runs = [once() for _ in range(3)]
    result = runs[0][0]
    best, best_cpu = min(r[1] for r in runs), min(r[2] for r in runs)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"merge.plan on {rows:,} rows x {len(HEADER)} columns (3 % edited on each side, "
          f"3 % both sides, 3 % new customers): {best:.2f} s wall, {best_cpu:.2f} s CPU, best "
          f"of 3 (target: < 1 s; load average {load:.1f}: wall time grows with it, CPU "
          f"much less); {len(result.remote_updates):,} cells and {len(result.remote_adds):,} "
          f"rows to Sheets, {len(result.local_updates):,} cells to the workbook, "
          f"{len(result.conflicts):,} conflicts")


def main() -> None:
    """Run the sync comparison and the merge timing; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="rows per tab (10 tabs)")
    parser.add_argument("--merge-rows", type=int, default=100_000)
    args = parser.parse_args()
    start = time.perf_counter()
    sync_benchmark(args.rows)
    merge_benchmark(args.merge_rows)
    print(f"whole benchmark: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
