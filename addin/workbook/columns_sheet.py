"""The Columns sheet: how a run read each input header, for the user to confirm or correct.

A run that met a header it could not place, or could only guess, writes one row per header of
the Customers and Orders sheets: ``sheet | your header | field | note``, the field pre-filled
with what was recognised or guessed, a dropdown of the fields beside it.  Fields are shown by
their label in the book's language (``Prix unitaire``, not ``unit_price``); the reader takes a
label of any language or a canonical name, so rows written by an earlier version, in another
language or typed by hand keep working and are never rewritten.  The sheet carries
potentiel's mark (:mod:`addin.workbook.owned_sheets`) but it is INPUT: the next run reads it
(:mod:`addin.core.columnmap`), and a later run only appends rows for headers it does not list
yet, so a user's corrections are never overwritten.  A user's own sheet called Columns (no
mark) is read and never written.  Deleting the sheet goes back to automatic recognition.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from addin.core.analysis import Analysis
from addin.core.columnmap import field_label, field_labels
from addin.core.labels import language_index
from addin.core.schema import canonical_columns, fold, match_sheet
from addin.workbook.a1 import column_letter
from addin.workbook.owned_sheets import COLUMNS_ROLE
from addin.workbook.reader import read_sheet_table
from addin.workbook.sheetxml import Styles, worksheet
from addin.workbook.zip_parts import OwnSheet, Package

#: Tab name of the sheet, in (en, fr, nl).
TITLES = ("Columns", "Colonnes", "Kolommen")
#: Its headers in (en, fr, nl); the reader knows them all (aliases.toml, [columns]).
HEADERS = (("Sheet", "Your header", "Field", "Note"),
           ("Feuille", "Votre en-tête", "Champ", "Remarque"),
           ("Blad", "Uw kolomkop", "Veld", "Opmerking"))
#: Header of the list the dropdown offers, in (en, fr, nl).
FIELDS_TITLE = ("Fields", "Champs", "Velden")
#: What a row's note says, in (en, fr, nl).
NOTES: dict[str, tuple[str, str, str]] = {
    "recognised": ("recognised", "reconnu", "herkend"),
    "guess": ("a guess: check it, the next run reads it",
              "supposition : à vérifier, la prochaine analyse la lit",
              "een gok: controleer het, de volgende analyse leest het"),
    "unplaced": ("not used: choose a field to use it",
                 "non utilisée : choisir un champ pour l'utiliser",
                 "niet gebruikt: kies een veld om ze te gebruiken"),
}
#: Rows of column C the dropdown covers, beyond those written (rows the user adds).
_DROPDOWN_ROWS = 500
_SHEETS = ("customers", "orders")


def wanted_rows(analysis: Analysis, language: str) -> pd.DataFrame:
    """One row per input header of Customers and Orders: sheet, header, field (recognised or
    guessed, by its label in ``language``; else blank) and note."""
    i = language_index(language)
    rows = []
    for kind in _SHEETS:
        tab = analysis.sheet_names.get(kind, kind.title())
        guesses = analysis.guesses.get(kind, {})
        for header, field in analysis.fields.get(kind, {}).items():
            how = "recognised" if field else "guess" if header in guesses else "unplaced"
            shown = field or guesses.get(header)
            rows.append((tab, header, shown and field_label(shown, language), NOTES[how][i]))
    return pd.DataFrame(rows, columns=list(HEADERS[i]), dtype=object)


def needed(analysis: Analysis) -> bool:
    """Whether a run met a header it could not place (or only guessed)."""
    return any(not field for kind in _SHEETS
               for field in analysis.fields.get(kind, {}).values())


def _listed(existing: pd.DataFrame) -> set[tuple[str, str]]:
    """(folded sheet, folded header) of the rows a Columns sheet already has."""
    named = {v: k for k, v in canonical_columns("columns", existing.columns).items()}
    if "header" not in named:
        return set()
    sheets = existing[named["sheet"]] if "sheet" in named else pd.Series("", index=existing.index)
    return {(fold(s), fold(h)) for s, h in zip(sheets, existing[named["header"]], strict=True)
            if pd.notna(h)}


def new_rows(wanted: pd.DataFrame, existing: pd.DataFrame | None) -> pd.DataFrame:
    """The wanted rows an existing Columns sheet does not list yet (all without one)."""
    if existing is None:
        return wanted
    listed = _listed(existing)
    keys = [(fold(s), fold(h)) for s, h in zip(wanted.iloc[:, 0], wanted.iloc[:, 1],
                                                strict=True)]
    return wanted[[key not in listed for key in keys]]


def columns_table(analysis: Analysis, existing: pd.DataFrame | None) -> pd.DataFrame | None:
    """The cells of the Columns sheet to write (the list of fields beside the rows), or None
    when there is nothing to write; see :func:`columns_sheet`.  The Excel buttons write these
    same cells where no file can be rendered (:mod:`addin.app.side`)."""
    language = analysis.settings.language
    i = language_index(language)
    if existing is None and not needed(analysis):
        return None
    added = new_rows(wanted_rows(analysis, language), existing)
    if existing is not None and added.empty:
        return None
    if existing is not None:
        kept = existing.reset_index(drop=True).iloc[:, :4]
        kept = kept[kept.notna().to_numpy().any(axis=1)]  # beside the list of fields
        kept.columns = list(HEADERS[i])[: kept.shape[1]]
        added = pd.concat([kept, added], ignore_index=True)
    table = added.reset_index(drop=True).astype(object)
    fields = field_labels(language)
    length = max(len(table), len(fields))
    table = table.reindex(range(length))
    table = table.astype(object).where(table.notna(), None)
    table[" "] = None
    table[FIELDS_TITLE[i]] = np.array(fields + [None] * (length - len(fields)), dtype=object)
    return table


def columns_sheet(analysis: Analysis, styles: Styles, existing: pd.DataFrame | None,
                  tab: str | None) -> OwnSheet | None:
    """The Columns sheet to write, or None when there is nothing to write.

    ``existing`` is potentiel's Columns sheet as the user left it (``tab`` its name): its rows
    are kept as they are and only headers it does not list are appended.  Without one, the
    sheet is written when a header could not be placed.
    """
    table = columns_table(analysis, existing)
    if table is None:
        return None
    language = analysis.settings.language
    fields = field_labels(language)
    letter = column_letter(table.shape[1] - 1)
    source = f"${letter}$2:${letter}${len(fields) + 1}"
    dropdown = ('<dataValidations count="1"><dataValidation type="list" allowBlank="1" '
                f'showErrorMessage="1" sqref="C2:C{len(table) + _DROPDOWN_ROWS}">'
                f"<formula1>{source}</formula1></dataValidation></dataValidations>")
    # The Field column fits any label the dropdown offers, not only those written.
    widest = {2: min(50.0, max(len(f) for f in fields) + 2.0)}
    return OwnSheet(COLUMNS_ROLE, tab or TITLES[language_index(language)],
                    worksheet(table, styles, validations=dropdown, min_widths=widest))


def existing_columns(path: Path, package: Package) -> tuple[pd.DataFrame | None, str | None]:
    """potentiel's Columns sheet of the workbook as the user left it, and its tab name."""
    sheet = package.own_sheets().get(COLUMNS_ROLE)
    if sheet is None:
        return None, None
    return read_sheet_table(path, sheet.name, "columns").frame, sheet.name


def users_own(package: Package) -> bool:
    """Whether the workbook has a Columns sheet of the user's own (no mark): read, never
    written."""
    own = {s.name for s in package.own_sheets().values()}
    return any(match_sheet(s.name) == "columns" and s.name not in own
               for s in package.sheets())
