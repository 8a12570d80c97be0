"""``potentiel``: the command line, a thin layer over :mod:`addin.app.jobs`.

Each command builds its arguments, calls one job and prints what a person needs to read.  Exit
codes: 0 all good, 1 the input has problems (listed), 2 bad usage or a file that cannot be used.
Commands from other packages (``sync``, ``schedule``) plug in through the ``potentiel.commands``
entry point group, so addin never imports them.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from importlib import metadata
from importlib.metadata import entry_points
from pathlib import Path
from typing import NoReturn

from tqdm import tqdm

from addin.errors import PotentielError

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one line on stderr (exit code 2), not a usage
    block: the line names the argument, what is wrong and where to read more."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _as_of(text: str) -> str:
    """An --as-of date, checked when the command line is read: day first, ISO accepted."""
    from addin.core.settings import as_of_date

    try:
        return as_of_date(text).isoformat()
    except PotentielError as err:
        raise argparse.ArgumentTypeError(err.message) from err


class _Bar:
    """A step progress bar on stderr: one tick per job step, silent when not a terminal."""

    def __init__(self, steps: int) -> None:
        self.bar = tqdm(total=steps, file=sys.stderr, leave=False,
                        disable=not sys.stderr.isatty(), bar_format="{desc} {bar} {n}/{total}")

    def __call__(self, message: str) -> None:
        self.bar.set_description_str(message)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _output(text: str) -> Path:
    """A -o file, checked when the command line is read: potentiel writes .xlsx and .xlsm."""
    from addin.workbook.zip_parts import check_output

    try:
        check_output(Path(text))
    except PotentielError as err:
        raise argparse.ArgumentTypeError(err.message) from err
    return Path(text)


def _run(args: argparse.Namespace) -> int:
    from addin.app.jobs import SUMMARY, run_file, summarize
    from addin.core.labels import language_index
    from addin.workbook.zip_parts import WorkbookNotice

    bar = _Bar(3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", WorkbookNotice)
        try:
            analysis, written = run_file(args.workbook, out=args.output, as_of=args.as_of,
                                         progress=bar)
        finally:
            bar.close()
    print(summarize(analysis))
    for notice in caught:
        if isinstance(notice.message, WorkbookNotice):
            print(notice.message.notice.line(analysis.settings.language))
        else:
            warnings.showwarning(notice.message, notice.category, notice.filename,
                                 notice.lineno)
    print(SUMMARY["written"][language_index(analysis.settings.language)].format(path=written))
    return 1 if analysis.has_errors else 0


def _validate(args: argparse.Namespace) -> int:
    from addin.app.jobs import analyze_file, summarize

    bar = _Bar(2)
    try:
        analysis = analyze_file(args.workbook, as_of=args.as_of, progress=bar)
    finally:
        bar.close()
    print(summarize(analysis, limit=args.limit))
    return 1 if analysis.has_errors else 0


def _demo(args: argparse.Namespace) -> int:
    from addin.app.jobs import demo, summarize

    bar = _Bar(4)
    try:
        analysis, written = demo(args.directory, progress=bar)
    finally:
        bar.close()
    print(summarize(analysis))
    print(f"\nThe sample workbook and its results: {written}")
    print("Open it in Excel or LibreOffice: see the Analysis, Dashboard and segment sheets.")
    return 0


def _functions(args: argparse.Namespace) -> int:
    from addin.app.formulas import functions

    for name, signature, doc in functions():
        print(f"{name}{signature}\n    {doc}\n")
    return 0


def _template(args: argparse.Namespace) -> int:
    from addin.template_maker.template import build

    for path in build(args.directory):
        print(f"wrote {path}")
    return 0


def _lite(args: argparse.Namespace) -> int:
    from addin.app.lite import write

    for path in write(args.directory):
        print(f"wrote {path}")
    print("Paste requirements.txt and main.py into xlwings Lite's editor (steps in README.md).")
    return 0


_BAD_USAGE = "2 bad usage, or a workbook that cannot be read or written (nothing written)."


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command, plugins included (also used to document them)."""
    parser = _Parser(
        prog="potentiel",
        description="Classify customers, measure profitability and build prospect lists from "
                    "an Excel workbook.")
    parser.add_argument("--version", action="version",
                        version=f"potentiel {metadata.version('potentiel')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run the whole job on the shipped sample workbook")
    demo.add_argument("directory", nargs="?", type=Path, default=Path("potentiel-demo"),
                      help="where to put the sample and its results (default: ./potentiel-demo)")
    demo.set_defaults(handler=_demo)

    run = commands.add_parser("run", help="analyse a workbook and write the result sheets",
                              epilog="exit codes: 0 results written, no problem in the input; "
                                     "1 results written, problems found in the input (listed, "
                                     "and in the Validation sheet); " + _BAD_USAGE)
    run.add_argument("workbook", type=Path, help="the .xlsx or .xlsm customer workbook")
    run.add_argument("-o", "--output", type=_output,
                     help="write to this .xlsx or .xlsm file instead of updating the workbook "
                          "(.xlsx leaves the macros out)")
    run.add_argument("--as-of", type=_as_of,
                     help="analysis date, day first (30/06/2026) or ISO (2026-06-30); "
                          "default: Settings or today")
    run.set_defaults(handler=_run)

    validate = commands.add_parser("validate", help="check a workbook and list its problems",
                                   epilog="exit codes: 0 no problem in the input; 1 problems "
                                          "found (listed); " + _BAD_USAGE)
    validate.add_argument("workbook", type=Path, help="the .xlsx or .xlsm customer workbook")
    validate.add_argument("--as-of", type=_as_of,
                          help="analysis date, day first (30/06/2026) or ISO (2026-06-30); "
                               "default: Settings or today")
    validate.add_argument("--limit", type=int, default=50, help="problems to list (default 50)")
    validate.set_defaults(handler=_validate)

    functions = commands.add_parser("functions", help="list the Excel formulas with their help")
    functions.set_defaults(handler=_functions)

    template = commands.add_parser("template",
                                   help="write the macro-enabled template and the ribbon add-in")
    template.add_argument("directory", type=Path)
    template.set_defaults(handler=_template)

    lite = commands.add_parser(
        "lite", help="write main.py and requirements.txt for xlwings Lite (formulas and buttons "
                     "in Excel on Mac and the web)")
    lite.add_argument("directory", type=Path, help="where to write them (created if missing)")
    lite.set_defaults(handler=_lite)

    for plugin in entry_points(group="potentiel.commands"):
        plugin.load()(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``potentiel`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except PotentielError as err:
        print(f"potentiel: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("potentiel: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
