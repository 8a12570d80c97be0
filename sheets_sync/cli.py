"""The ``sync`` and ``schedule`` commands, plugged into ``potentiel`` (entry point group
``potentiel.commands``).

Thin on purpose: each handler loads the configuration, calls one function of
:mod:`sheets_sync.run`, :mod:`sheets_sync.schedule` or :mod:`sheets_sync.install`, and prints
what a person needs.  Exit codes of ``potentiel sync``: 0 the run went through with no conflict
(or a dry run found none); 1 it needs a look: conflicts were recorded, or the run was skipped
(workbook open in Excel), failed (Google, network, sign-in), or another sync held the lock;
2 bad usage or configuration.  A failed run is one line on stderr (and in ``--log``), never a
traceback.  With ``--every`` it prints one line per run and exits 0 when stopped by Ctrl-C or
SIGTERM.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from addin.core.messages import plural
from addin.errors import (
    InputError,
    PotentielError,
    SyncConfigError,
    SyncError,
    SyncLockedError,
    WorkbookError,
)

if TYPE_CHECKING:
    from sheets_sync.config import SyncConfig
    from sheets_sync.install import Backend
    from sheets_sync.run import RunReport

COUNTS = ("added", "updated", "removed", "pulled", "conflicts")


def _stamp() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _conflicts(report: RunReport) -> int:
    return sum(tab.get("conflicts", 0) for tab in report.tabs.values())


def exit_code(report: RunReport) -> int:
    """0 when nothing needs a look, 1 when conflicts were recorded or the run did not go."""
    return 1 if report.outcome in ("skipped", "failed") or _conflicts(report) else 0


def _counted(counts: Mapping[str, int]) -> str:
    """``7 added, 0 updated, 0 removed, 0 pulled, 1 conflict``."""
    return ", ".join(plural(counts.get(c, 0), "conflict", "conflicts") if c == "conflicts"
                     else f"{counts.get(c, 0)} {c}" for c in COUNTS)


def _requests(n: int) -> str:
    return plural(n, "request", "requests")


def summary(report: RunReport) -> str:
    """A run as a person reads it: the outcome, then one line per tab."""
    lines = [f"{_stamp()} sync {report.outcome} ({_requests(report.requests)}): "
             f"{report.message}"]
    for tab, counts in report.tabs.items():
        lines.append(f"  {tab}: {_counted(counts)}")
    return "\n".join(lines)


def one_line(report: RunReport) -> str:
    """A run on one line, for the ``--every`` loop."""
    totals = {c: sum(tab.get(c, 0) for tab in report.tabs.values()) for c in COUNTS}
    return (f"{_stamp()} {report.outcome}: {_counted(totals)}; {_requests(report.requests)}. "
            f"{report.message}")


@contextmanager
def _output(log: Path | None) -> Iterator[TextIO]:
    """Standard output, or the log file (appended, line by line) given with ``--log``."""
    if log is None:
        yield sys.stdout
        return
    with ExitStack() as stack:
        try:
            stream = stack.enter_context(Path(log).open("a", encoding="utf-8", buffering=1))
        except OSError as err:
            raise InputError(f"the log file {log} cannot be written: {err}") from None
        yield stream


def _config(args: argparse.Namespace) -> SyncConfig:
    from sheets_sync.config import load_config

    if args.config is None:
        raise InputError("which configuration? --config is missing",
                         hint="Add --config sync.toml; `potentiel sync init` writes one.")
    return load_config(args.config)


def failure_line(err: PotentielError) -> str:
    """A failed run on one line: what happened and what to do."""
    return err.line()


def _sync(args: argparse.Namespace) -> int:
    with _output(args.log) as out:
        try:
            config = _config(args)
            if args.every is None:
                from sheets_sync.run import sync

                report = sync(config, dry_run=args.dry_run, force=args.force,
                              reformat=args.reformat)
                print(summary(report), file=out)
                return exit_code(report)
            return _loop(config, args, out)
        except SyncLockedError as err:
            print(f"{_stamp()} sync not run: {failure_line(err)}", file=out)
            return 1
        except (SyncError, WorkbookError) as err:  # the run failed: one line, exit 1
            if isinstance(err, SyncConfigError):
                raise _usage(err, args, out) from None
            line = f"{_stamp()} sync failed: {failure_line(err)}"
            if args.log is not None:
                print(line, file=out)
            print(f"potentiel: {line}", file=sys.stderr)
            return 1
        except PotentielError as err:
            raise _usage(err, args, out) from None


def _usage(err: PotentielError, args: argparse.Namespace, out: TextIO) -> PotentielError:
    """Bad usage or configuration: logged, then shown as usual (exit 2)."""
    if args.log is not None:
        print(f"{_stamp()} sync failed: {failure_line(err)}", file=out)
    return err


def _loop(config: SyncConfig, args: argparse.Namespace, out: TextIO) -> int:
    from sheets_sync.schedule import format_interval, parse_interval, run_until_signalled

    interval = parse_interval(args.every)
    from sheets_sync.run import sync

    print(f"{_stamp()} syncing every {format_interval(interval)}; Ctrl-C stops after the "
          "current run", file=out, flush=True)

    def failed(err: Exception) -> None:
        text = failure_line(err) if isinstance(err, PotentielError) else str(err)
        print(f"{_stamp()} failed: {text}", file=out, flush=True)

    runs = run_until_signalled(lambda: sync(config, dry_run=args.dry_run, force=args.force,
                                            reformat=args.reformat),
                               interval, on_report=lambda r: print(one_line(r), file=out,
                                                                   flush=True),
                               on_error=failed)
    print(f"{_stamp()} stopped after {plural(runs, 'run', 'runs')}", file=out, flush=True)
    return 0


def _init(args: argparse.Namespace) -> int:
    from sheets_sync.config import sample_config

    path: Path = args.path
    if path.exists():
        raise InputError(f"{path} already exists; it was left as it is",
                         hint="Edit it, or give another file name: potentiel sync init NAME.toml")
    try:
        with path.open("x", encoding="utf-8") as stream:
            stream.write(sample_config())
    except OSError as err:
        raise InputError(f"{path} cannot be written: {err}") from None
    print(f"wrote {path}: fill in the workbook, spreadsheet and credentials, then run\n"
          f"  potentiel sync --config {path}")
    return 0


def recent_runs(config: SyncConfig, limit: int) -> str:
    """The last runs of the run log, newest first, in plain words."""
    from sheets_sync.state import SyncState

    if not config.state.exists():
        return f"no sync has run yet for {config.workbook.name}"
    with SyncState(config.state) as state:
        runs = state.runs(limit)
    if runs.empty:
        return f"no sync has run yet for {config.workbook.name}"
    lines = [f"last {plural(len(runs), 'run', 'runs')} of {config.workbook.name}, newest first:"]
    for run in runs.itertuples(index=False):
        lines.append(f"  {run.started}  {run.outcome:<8} {_requests(run.requests):>13}, "
                     f"{plural(run.rows_pushed, 'row', 'rows')} pushed, {run.rows_pulled} "
                     f"pulled, {plural(run.conflicts, 'conflict', 'conflicts')}")
        if run.outcome == "running":
            lines.append("      (still running, or stopped before it could finish: the next "
                         "run starts from the last good state)")
        if isinstance(run.error, str) and run.error:
            lines.append(f"      {run.error}")
        if isinstance(run.note, str) and run.note:
            lines.append(f"      note: {run.note}")
    return "\n".join(lines)


def _login(args: argparse.Namespace) -> int:
    from sheets_sync.google.auth import login

    path = login(_config(args))
    print(f"signed in; the sign-in is kept in {path} (readable by you only)")
    return 0


def _check(args: argparse.Namespace) -> int:
    from sheets_sync.checks import problems

    config = _config(args)
    found = problems(config)
    if not found:
        print(f"{config.path.name}: no problem found (the network was not tried)")
        return 0
    print(f"{config.path.name}: {plural(len(found), 'problem', 'problems')}")
    for problem in found:
        print(f"  - {problem}")
    return 2


def _status(args: argparse.Namespace) -> int:
    print(recent_runs(_config(args), args.limit))
    return 0


def _schedule_target(args: argparse.Namespace) -> tuple[Backend, Path]:
    from sheets_sync.install import absolute_config, backend

    config = absolute_config(args.config)
    return backend(args.using, apply=args.apply), config


def _schedule_install(args: argparse.Namespace) -> int:
    from sheets_sync.config import load_config
    from sheets_sync.install import log_path
    from sheets_sync.schedule import parse_interval

    interval = parse_interval(args.every)
    scheduler, config = _schedule_target(args)
    load_config(config)
    print(scheduler.install(config, interval, None))
    print(f"each run appends what it did to {log_path(config)}")
    return 0


def _schedule_remove(args: argparse.Namespace) -> int:
    scheduler, config = _schedule_target(args)
    done = scheduler.remove(config)
    if done is None:
        print(f"no {scheduler.name} schedule was installed for {config}")
        return 1
    print(done)
    return 0


def _schedule_status(args: argparse.Namespace) -> int:
    from sheets_sync.config import load_config

    scheduler, config = _schedule_target(args)
    found = scheduler.status(config)
    if found is None:
        print(f"no {scheduler.name} schedule is installed for {config}")
        return 1
    print(f"{found.backend} schedule:\n{found.entry}")
    if found.next_run:
        print(f"next run: {found.next_run}")
    print(f"log: {found.log}")
    print(recent_runs(load_config(config), args.limit))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``sync`` and ``schedule`` to the ``potentiel`` command."""
    sync = commands.add_parser(
        "sync", help="sync segment lists with Google Sheets (one run, or --every)",
        description="One two-way sync between the workbook and Google Sheets, or a run every "
                    "interval with --every. Exit 0: done, no conflict; 1: conflicts recorded, "
                    "or the run was skipped (workbook open), failed (Google, network, sign-in) "
                    "or locked; 2: bad usage or configuration.")
    sync.add_argument("--config", type=Path, help="the sync configuration (TOML)")
    sync.add_argument("--dry-run", action="store_true",
                      help="show what would change, change nothing")
    sync.add_argument("--force", action="store_true",
                      help="do the full run even when nothing changed since the last sync, and "
                           "allow a run that would empty a side (the guard refuses otherwise)")
    sync.add_argument("--reformat", action="store_true",
                      help="dress every tab again: headers, number formats, status dropdown, "
                           "filter, frozen columns, colours (undoing formatting changed by hand)")
    sync.add_argument("--every", metavar="INTERVAL",
                      help="keep running: every 90s, 15m, 1h, 1d... until Ctrl-C")
    sync.add_argument("--log", type=Path, metavar="FILE",
                      help="append the output to FILE instead of printing it")
    sync.set_defaults(handler=_sync)
    actions = sync.add_subparsers(dest="sync_command", metavar="ACTION")

    init = actions.add_parser("init", help="write a commented sample configuration",
                              description="Write a commented sample configuration; an "
                                          "existing file is never overwritten.")
    init.add_argument("path", nargs="?", type=Path, default=Path("sync.toml"),
                      help="where to write it (default: sync.toml)")
    init.set_defaults(handler=_init)

    login = actions.add_parser("login", help="sign in to Google in the browser (credentials = "
                                             "\"oauth\")",
                               description="Open Google's sign-in page and keep the sign-in for "
                                           "the next runs (also after it was revoked or has "
                                           "expired). Untick Google Drive to allow Sheets only: "
                                           "runs then read the whole spreadsheet each time.")
    login.add_argument("--config", type=Path, required=True)
    login.set_defaults(handler=_login)

    check = actions.add_parser("check", help="report every configuration problem at once",
                               description="Check the configuration without touching the "
                                           "network: the workbook, the spreadsheet id, the key "
                                           "file or OAuth client and sign-in. Exit 0: nothing "
                                           "found; 2: problems, all listed.")
    check.add_argument("--config", type=Path, required=True)
    check.set_defaults(handler=_check)

    status = actions.add_parser("status", help="the last runs from the run log",
                                description="The last sync runs: time, outcome, requests, rows "
                                            "pushed and pulled, conflicts, errors.")
    status.add_argument("--config", type=Path, required=True)
    status.add_argument("--limit", type=int, default=10, help="runs to show (default 10)")
    status.set_defaults(handler=_status)

    schedule = commands.add_parser(
        "schedule", help="run the sync on a schedule (cron, systemd timer, Task Scheduler)",
        description="Install, remove or show the system schedule that runs `potentiel sync` "
                    "for one configuration.")
    steps = schedule.add_subparsers(dest="schedule_command", required=True, metavar="ACTION")
    for name, handler, text in (
            ("install", _schedule_install, "install (or replace) the schedule"),
            ("remove", _schedule_remove, "remove the schedule"),
            ("status", _schedule_status, "show the schedule, its next run and the last runs")):
        step = steps.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        step.add_argument("--config", type=Path, required=True,
                          help="the sync configuration (TOML)")
        if name == "install":
            step.add_argument("--every", required=True, metavar="INTERVAL",
                              help="15m, 30m, 1h, 1d...")
        if name == "status":
            step.add_argument("--limit", type=int, default=5, help="runs to show (default 5)")
        step.add_argument("--using", choices=("cron", "systemd", "schtasks"),
                          help="the scheduler (default: systemd user timer when available, "
                               "else cron; schtasks on Windows)")
        step.add_argument("--apply", action="store_true",
                          help="Windows: run the schtasks command instead of printing it")
        step.set_defaults(handler=handler)
