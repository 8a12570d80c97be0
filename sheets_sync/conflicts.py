"""The workbook's Conflicts sheet as a person reads it: in the book's language.

The state's journal keeps each conflict in the code's words (canonical column names, a
resolution such as ``excel (column owned by the workbook)``), so that runs compare records
whatever the book's language; this module only shows them: the sheet's name, its headers,
the column by its header in the result sheets, and the resolution in plain words.
"""

from __future__ import annotations

import re

import pandas as pd

from addin.core.labels import header, language_index

#: The sheet's name, (en, fr, nl).  A sheet written before keeps its name (it is found by
#: its mark, and a name the user sees is never changed under them).
SHEET_NAMES = ("Conflicts", "Conflits", "Conflicten")

#: Journal column -> header, (en, fr, nl).
HEADERS: dict[str, tuple[str, str, str]] = {
    "run_id": ("Sync run", "Synchronisation n°", "Synchronisatie nr."),
    "tab": ("Tab", "Onglet", "Tabblad"),
    "key": ("Customer", "Client", "Klant"),
    "column": ("Column", "Colonne", "Kolom"),
    "excel": ("Workbook value", "Valeur du classeur", "Waarde in de werkmap"),
    "sheets": ("Google Sheets value", "Valeur Google Sheets", "Waarde in Google Sheets"),
    "base": ("Value before", "Valeur d'avant", "Vorige waarde"),
    "resolution": ("Kept", "Retenu", "Behouden"),
}

#: Resolution as journaled -> (en, fr, nl).
_RESOLUTIONS: dict[str, tuple[str, str, str]] = {
    "excel": ("the workbook's value", "la valeur du classeur", "de waarde van de werkmap"),
    "sheets": ("the Google Sheets value", "la valeur Google Sheets",
               "de waarde in Google Sheets"),
    "excel (computed by the workbook: recomputed, never pulled)": (
        "the workbook's value (computed by the workbook: recomputed, never pulled)",
        "la valeur du classeur (calculée par le classeur : recalculée, jamais reprise)",
        "de waarde van de werkmap (berekend door de werkmap: herberekend, nooit "
        "overgenomen)"),
    "excel (column owned by the workbook)": (
        "the workbook's value (column owned by the workbook)",
        "la valeur du classeur (colonne tenue par le classeur)",
        "de waarde van de werkmap (kolom beheerd door de werkmap)"),
    "removed (customer no longer in the workbook)": (
        "removed (customer no longer in the workbook)",
        "supprimé (client qui n'est plus dans le classeur)",
        "verwijderd (klant staat niet meer in de werkmap)"),
}
#: ``sheets (tab X kept)``: the value of tab X was kept, (en, fr, nl).
_TAB_KEPT = re.compile(r"\Asheets \(tab (.*) kept\)\Z", re.DOTALL)
_TAB_KEPT_WORDS = ("the Google Sheets value (tab {tab} kept)",
                   "la valeur Google Sheets (onglet {tab} retenu)",
                   "de waarde in Google Sheets (tabblad {tab} behouden)")


def sheet_name(language: str) -> str:
    """The Conflicts sheet's name in the book's language."""
    return SHEET_NAMES[language_index(language)]


def shown(journal: pd.DataFrame, language: str) -> pd.DataFrame:
    """The journaled conflicts as the sheet shows them: headers, column names and
    resolutions in ``language``; the values themselves as they were."""
    i = language_index(language)
    out = journal.copy()
    if "column" in out:
        names = pd.unique(out["column"].dropna())
        out["column"] = out["column"].map({n: header(str(n), language) for n in names})
    if "resolution" in out:
        out["resolution"] = out["resolution"].map(
            {r: _resolution(str(r), i) for r in pd.unique(out["resolution"].dropna())})
    return out.rename(columns={c: words[i] for c, words in HEADERS.items()})


def _resolution(text: str, i: int) -> str:
    """One resolution in the book's language (a text from elsewhere stays as it is)."""
    if text in _RESOLUTIONS:
        return _RESOLUTIONS[text][i]
    kept = _TAB_KEPT.match(text)
    return _TAB_KEPT_WORDS[i].format(tab=kept.group(1)) if kept else text
