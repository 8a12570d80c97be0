"""potentiel's result sheets written into the user's workbook: a Dashboard with headline figures
and native charts, Analysis, one call list per user segment, and Validation.

The sheets are rendered as worksheet XML (:mod:`addin.workbook.sheetxml`) and installed into
the package (:mod:`addin.workbook.zip_parts`): every other part of the workbook keeps its bytes.
Each result sheet is marked with a hidden name ``_potentiel.<role>`` (``analysis``,
``validation``, ``dashboard``, ``dashboard.data``, ``segment.<key>``), so a re-run replaces
exactly these sheets, in place, and removes the sheets of segments that no longer exist; a
user's sheet is never touched, even one with the same name (potentiel's then gets a number).

This module is the entry point: it puts the sheets together in tab order.  Each sheet is
rendered where it belongs: :mod:`~addin.workbook.dashboard`, :mod:`~addin.workbook.tables`
(Analysis and call lists as Excel Tables), :mod:`~addin.workbook.call_lists` (which columns and
order a segment sheet shows), :mod:`~addin.workbook.validation_sheet`; their words are in
:mod:`~addin.workbook.result_words`, the notes on coded headers and the colour legend in
:mod:`~addin.workbook.header_notes`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from addin.core.analysis import Analysis
from addin.core.labels import language_index, localize
from addin.core.progress import Progress, quiet
from addin.workbook.call_lists import call_list, own_columns
from addin.workbook.columns_sheet import columns_sheet, existing_columns, users_own
from addin.workbook.dashboard import dashboard
from addin.workbook.owned_sheets import own_role, segment_role, sheet_name
from addin.workbook.result_words import SHEET_NAMES, VALIDATION_HEADERS
from addin.workbook.sheetxml import currency_in, currency_of, ensure_styles, worksheet
from addin.workbook.tables import ResultTable, table_sheet
from addin.workbook.validation_sheet import validation_frame
from addin.workbook.zip_parts import OwnSheet, Package

_RESULT_ROLES = frozenset({"dashboard", "analysis", "validation"})
#: The result parts a run may write; macros write a subset (Validate: the Validation sheet).
PARTS: frozenset[str] = frozenset({"dashboard", "analysis", "segments", "validation"})


def part_of(role: str) -> str | None:
    """Which result part a sheet's role belongs to; None for other own sheets (such as the
    sync's ``Conflicts``), which :func:`write_results` never deletes."""
    if role in _RESULT_ROLES:
        return role
    if role == "dashboard.data":
        return "dashboard"
    return "segments" if role.startswith("segment.") else None


def result_tables(analysis: Analysis, parts: frozenset[str] = PARTS) -> list[ResultTable]:
    """The table sheets of ``parts`` (analysis, segments, validation) in the workbook's
    language, in tab order, as :func:`write_results` shows them.  The Dashboard is not a
    table: it is left out."""
    language = analysis.settings.language
    i = language_index(language)
    tables = []
    if "analysis" in parts:
        own = [c for c in own_columns(analysis.inputs) if c not in analysis.table]
        table = analysis.table.join(analysis.inputs[own]) if own else analysis.table
        table = table.reset_index(drop=True)
        tables.append(ResultTable("analysis", "analysis", SHEET_NAMES["analysis"][i],
                                  localize(table, language), tuple(table.columns)))
    if "segments" in parts:
        for segment, rows in analysis.segments.items():
            ordered, rest = call_list(rows, analysis.inputs, analysis.as_of)
            tables.append(ResultTable("segments", segment_role(segment), sheet_name(segment),
                                      localize(ordered, language), tuple(ordered.columns),
                                      rest))
    if "validation" in parts:
        frame, links = validation_frame(analysis, language)
        tables.append(ResultTable("validation", "validation", SHEET_NAMES["validation"][i],
                                  frame, tuple(VALIDATION_HEADERS), links=links))
    return tables


def write_results(path: Path, analysis: Analysis, *, out: Path | None = None,
                  progress: Progress | None = None, parts: frozenset[str] = PARTS,
                  currency: str | None = None, columns: bool = True) -> Path:
    """Write the result sheets into the workbook at ``path`` (or a copy at ``out``).

    ``parts`` chooses among dashboard, analysis, segments and validation; the result sheets of
    other parts are left as they are.  Money shows ``currency`` ('' for none), by default the
    one the workbook's own formats show.  With ``columns``, the Columns sheet is written
    (or added to) when a header could not be placed (:mod:`addin.workbook.columns_sheet`).
    Returns the path written.  Raises
    WorkbookLockedError when the workbook is open in Excel, WorkbookError when it cannot be
    read or written; the file on disk is then unchanged.
    """
    say = progress or quiet
    language = analysis.settings.language
    i = language_index(language)
    with Package(Path(path)) as package:
        if currency is None:
            currency = currency_of(package) or inputs_currency(analysis) or ""
        styles = ensure_styles(package, currency, language)
        sheets, helper = [], []
        if "dashboard" in parts:
            board, *helper = dashboard(analysis, styles, language,
                                   {k: v[i] for k, v in SHEET_NAMES.items()})
            sheets.append(board)
        for table in result_tables(analysis, parts):
            sheets.append(table_sheet(table, styles, language))
        if columns and not users_own(package):
            mapping = columns_sheet(analysis, styles, *existing_columns(Path(path), package))
            sheets.extend([mapping] if mapping is not None else [])
        sheets.extend(helper)  # hidden, last: the tabs a user sees keep their order
        package.install(sheets, drop=lambda role: part_of(role) in parts)
        if "dashboard" in parts:
            package.activate("dashboard")
        say(f"writing {len(sheets)} result sheets ({len(analysis.table)} customers)")
        return package.save(out)


def inputs_currency(analysis: Analysis) -> str | None:
    """The currency the input headers name (``Montant (€)``), for amounts typed as text."""
    return currency_in(header for columns in analysis.columns.values()
                       for header, _ in columns.values())


def render_results(folder: Path, analysis: Analysis, *, parts: frozenset[str] = PARTS,
                   currency: str | None = None, columns: bool = False) -> Path:
    """The result sheets alone, in a new workbook ``results.xlsx`` in ``folder``: what the
    Excel side copies into the open workbook (one rendering for both paths).  With
    ``columns``, a new Columns sheet too, when a header could not be placed."""
    import xlsxwriter  # here: xlwings Lite has no XlsxWriter, and writes values instead

    path = Path(folder) / "results.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("potentiel")
    book.close()
    return write_results(path, analysis, parts=parts, currency=currency or "", columns=columns)


def replace_sheet(path: Path, name: str, frame: pd.DataFrame, *, out: Path | None = None,
                  role: str | None = None) -> Path:
    """Write ``frame`` as potentiel's sheet ``name`` (e.g. the sync's ``Conflicts``).

    The sheet is marked as potentiel's: a later call with the same ``role`` (default: the
    name) replaces it in place, even under another name (``Conflits`` in a French book); a
    user's own sheet of that name is left alone and this one gets a number.  Values are
    written as they are (text always as text, never as a formula).
    """
    with Package(Path(path)) as package:
        styles = ensure_styles(package)
        package.install([OwnSheet(own_role(role or name), sheet_name(name),
                                  worksheet(frame.reset_index(drop=True), styles))],
                        drop=lambda _: False)
        return package.save(out)
