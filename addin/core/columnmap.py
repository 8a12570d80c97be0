"""The user's own mapping of headers to fields, and guesses for the headers nobody placed.

A workbook's ``Columns`` sheet (``Colonnes``, ``Kolommen``) or a ``[columns]`` table in a TOML
file holds ``sheet | your header | field`` rows: the user's words for what a column is, read
before the headers are recognised from the alias table.  A field is shown by its label in the
book's language (``Prix unitaire``, :data:`FIELD_LABELS`) and read back from its label in any
language, its canonical name (``unit_price``) or a header word the alias table knows
(:func:`field_named`), so a book of any language, or of an earlier version that wrote the
canonical names, reads the same.  Bad rows are reported, never guessed
around: a field the sheet does not have, a field given to two headers, a header the sheet does
not have.  For a header neither the mapping nor the alias table places, :func:`guess_fields`
proposes a field from the spelling of the header and from what the column holds (e-mail
addresses, phone numbers, dates, amounts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from addin.core.labels import HEADERS, language_index
from addin.core.labels import header as result_header
from addin.core.parsing import NO, YES, parse_dates, parse_numbers
from addin.core.schema import (
    IGNORE_WORDS,
    KINDS,
    canonical_columns,
    closest_column,
    fold,
    match_sheet,
)
from addin.core.validation import Validation, excel_rows

#: The sheets whose headers a mapping may name.
MAPPED_SHEETS: tuple[str, ...] = ("customers", "orders")
#: How many cells of a column are looked at to tell what it holds.
_SAMPLE = 200
#: Share of the non-blank cells that must look alike for the column to be taken for them.
_MOSTLY = 0.8
_IGNORED = frozenset(fold(w) for w in IGNORE_WORDS)
_EMAIL = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
_PHONE = r"^(?:\+|00|0)[\d\s().\-/]{6,}$"

#: (en, fr, nl) labels of the fields no result sheet shows; the others are shown by their
#: result sheet header (:data:`addin.core.labels.HEADERS`), so a field reads the same on
#: every sheet.
_INPUT_LABELS: dict[str, tuple[str, str, str]] = {
    "first_name": ("First name", "Prénom", "Voornaam"),
    "last_name": ("Last name", "Nom de famille", "Achternaam"),
    "birth_year": ("Year of birth", "Année de naissance", "Geboortejaar"),
    "birth_date": ("Date of birth", "Date de naissance", "Geboortedatum"),
    "age": ("Age", "Âge", "Leeftijd"),
    "income": ("Annual income", "Revenu annuel", "Jaarinkomen"),
    "is_employee": ("Employee", "Employé", "Medewerker"),
    "channel": ("Acquisition channel", "Canal d'acquisition", "Acquisitiekanaal"),
    "referred_by": ("Referred by", "Recommandé par", "Aangebracht door"),
    "satisfaction": ("Satisfaction", "Satisfaction", "Tevredenheid"),
    "nps": ("NPS", "NPS", "NPS"),
    "complaint": ("Complaints", "Réclamations", "Klachten"),
    "first_contact": ("First contact", "Premier contact", "Eerste contact"),
    "pages_visited": ("Pages visited", "Pages visitées", "Bezochte pagina's"),
    "form_submitted": ("Form submitted", "Formulaire envoyé", "Formulier verzonden"),
    "decision_maker": ("Decision maker", "Décideur", "Beslisser"),
    "need": ("Need", "Besoin", "Behoefte"),
    "order_id": ("Order number", "N° de commande", "Bestelnummer"),
    "customer_email": ("Customer email", "E-mail client", "E-mail klant"),
    "customer_name": ("Customer name", "Nom du client", "Klantnaam"),
    "order_date": ("Order date", "Date de commande", "Besteldatum"),
    "quantity": ("Quantity", "Quantité", "Aantal"),
    "unit_price": ("Unit price", "Prix unitaire", "Stukprijs"),
    "amount": ("Line amount", "Montant", "Bedrag"),
    "list_price": ("List price", "Prix catalogue", "Lijstprijs"),
    "unit_cost": ("Unit cost", "Coût unitaire", "Kostprijs"),
    "product": ("Product", "Produit", "Product"),
    "category": ("Category", "Catégorie", "Categorie"),
}
#: Field of the Customers or Orders sheet -> (en, fr, nl) label the Columns sheet shows.
FIELD_LABELS: dict[str, tuple[str, str, str]] = {
    name: HEADERS[name] if name in HEADERS else _INPUT_LABELS[name]
    for name in dict.fromkeys(f for kind in MAPPED_SHEETS for f in KINDS[kind])}
#: What the Columns sheet offers for a column not to use, (en, fr, nl): words of IGNORE_WORDS.
IGNORE_LABELS: tuple[str, str, str] = ("ignore", "ignorer", "negeren")
#: Sheet kind -> folded canonical name or label (any language) -> field.
_BY_LABEL: dict[str, dict[str, str]] = {
    kind: {fold(word): name for name in KINDS[kind] for word in (name, *FIELD_LABELS[name])}
    for kind in MAPPED_SHEETS}


@dataclass
class UserMapping:
    """The mapping read from a Columns sheet: sheet kind -> {header -> field ('' = not used)},
    and the Excel row of each (sheet kind, header), for messages."""

    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    rows: dict[tuple[str, str], int] = field(default_factory=dict)


def field_label(name: str, language: str) -> str:
    """The label of a field in the book's language (``unit_price`` -> ``Prix unitaire``)."""
    return FIELD_LABELS[name][language_index(language)]


def column_word(column: str, language: str) -> str:
    """A column the workbook does not have (a required one missing, a Python-API input) by
    the word the Columns sheet uses for it, else the result sheets' header: never the code's
    ``amount`` in a French book."""
    if column in FIELD_LABELS:
        return field_label(column, language)
    return result_header(column, language)


def field_labels(language: str) -> list[str]:
    """The labels a Field cell offers, in the book's language: the Customers fields, then
    those of Orders, then the word for a column not to use."""
    i = language_index(language)
    return [*(words[i] for words in FIELD_LABELS.values()), IGNORE_LABELS[i]]


def field_named(kind: str, text: object) -> str | None:
    """The field of a ``kind`` sheet a Field cell names, case, accents and spacing ignored:
    its label in any language, its canonical name, or a header the alias table gives it (a
    header word typed as a field: ``Prijs per stuk``); ``''`` for a word meaning "not used",
    None for a word that names no field of the sheet."""
    folded = fold(text)
    if folded in _IGNORED:
        return ""
    return _BY_LABEL[kind].get(folded) or canonical_columns(kind, [text]).get(text)


def _sheet_kind(name: object, found: Mapping[str, str]) -> str | None:
    """The kind of sheet a Columns row names: one of the user's tab names, or any name of
    the Customers or Orders sheet (``Clients``, ``orders``)."""
    folded = fold(name)
    for kind, tab in found.items():
        if fold(tab) == folded and kind in MAPPED_SHEETS:
            return kind
    kind = match_sheet(str(name))
    return kind if kind in MAPPED_SHEETS else None


def read_mapping(frame: pd.DataFrame, label: str, found: Mapping[str, str],
                 validation: Validation) -> UserMapping:
    """The mapping of a Columns sheet (``sheet | your header | field`` rows).

    A field is read from its label in any language or its name (:func:`field_named`).
    ``found`` maps sheet kinds to the workbook's tab names.  A row naming an unknown sheet or
    field, or a field another row of the same sheet already took, is reported and left out;
    a row with a blank field, or the field the alias table gives its header anyway, leaves
    the header to automatic recognition (so a field moved to another header is given away by
    changing that one row).
    """
    named = canonical_columns("columns", frame.columns)
    by_field = {v: k for k, v in named.items()}
    if "header" not in by_field or "field" not in by_field:
        validation.add(label, None, None, None, "columns.sheet_columns")
        return UserMapping()
    headers = frame[by_field["header"]]
    fields = frame[by_field["field"]]
    sheets = frame[by_field["sheet"]] if "sheet" in by_field else pd.Series(
        "customers", index=frame.index)
    rows = excel_rows(frame)
    out = UserMapping({kind: {} for kind in MAPPED_SHEETS})
    for row, sheet, header, wanted in zip(rows, sheets, headers, fields, strict=True):
        if pd.isna(header) or not str(header).strip():
            continue
        header, wanted = str(header).strip(), "" if pd.isna(wanted) else str(wanted).strip()
        kind = _sheet_kind(sheet, found)
        if kind is None:
            validation.add(label, int(row), by_field.get("sheet"), sheet, "columns.not_sheet")
            continue
        if not wanted:
            continue
        name = field_named(kind, wanted)
        if name is None:
            validation.add(label, int(row), by_field["field"], wanted, "columns.not_field",
                           target=found.get(kind, kind))
            continue
        if name and canonical_columns(kind, [header]).get(header) == name:
            continue  # says what the alias table says: the row binds nothing
        taken = {f: h for h, f in out.fields[kind].items() if f}
        if name and name in taken:
            first = out.rows[(kind, taken[name])]
            validation.add(label, int(row), by_field["field"], wanted, "columns.taken",
                           header=taken[name], first=first)
            continue
        out.fields[kind][header] = name or ""
        out.rows[(kind, header)] = int(row)
    return out


def check_headers(mapping: UserMapping, headers: Mapping[str, list[str]],
                  found: Mapping[str, str], validation: Validation) -> None:
    """Report each Columns row whose header its sheet does not have (renamed, or a typo)."""
    label = found.get("columns", "Columns")
    for kind, own in mapping.fields.items():
        present = {fold(h) for h in headers.get(kind, [])}
        for header in own:
            if fold(header) not in present:
                validation.add(label, mapping.rows[(kind, header)], None, header,
                               "columns.no_header", severity="warning",
                               target=found.get(kind, kind))


def mapping_from_table(table: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """A ``[columns]`` TOML table (``[columns.orders]`` then ``"Prijs per stuk" =
    "unit_price"`` lines) as a mapping; sheet names as in the workbook or canonical."""
    out: dict[str, dict[str, str]] = {}
    for sheet, pairs in table.items():
        kind = match_sheet(sheet)
        if kind not in MAPPED_SHEETS or not isinstance(pairs, Mapping):
            raise ValueError(f"[columns.{sheet}] must name the customers or orders sheet and "
                             "hold \"your header\" = \"field\" lines")
        for header, wanted in pairs.items():
            if not str(wanted).strip():
                continue
            name = field_named(kind, str(wanted))
            if name is None:
                raise ValueError(f"'{wanted}' is not a field of the {kind} sheet")
            out.setdefault(kind, {})[str(header)] = name
    return out


def _looks(values: pd.Series) -> str | None:
    """What most non-blank cells of a column are: 'email', 'phone', 'yes/no', 'date',
    'number' or 'text'; None for an empty column."""
    present = values[values.notna()]
    present = present[present.astype(str).str.strip() != ""].head(_SAMPLE)
    if present.empty:
        return None
    text = present.astype(str).str.strip()
    for kind, pattern in (("email", _EMAIL), ("phone", _PHONE)):
        if text.str.match(pattern).mean() >= _MOSTLY:
            return kind
    numeric = present.map(type).isin((int, float, np.int64, np.float64))
    if not numeric.any() and text.map(fold).isin(YES | NO).mean() >= _MOSTLY:
        return "yes/no"
    if not numeric.any() and parse_dates(present).values.notna().mean() >= _MOSTLY:
        return "date"
    if parse_numbers(present).values.notna().mean() >= _MOSTLY:
        return "number"
    return "text"


#: What a column's content suggests on its own, when the sheet still lacks the field.
_BY_CONTENT: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {"email": ("email",), "phone": ("phone",), "date": ("first_contact",)},
    "orders": {"email": ("customer_email",), "date": ("order_date",),
               "number": ("unit_price",)},
}
#: Field kinds each look of a column fits.
_FITS: dict[str, frozenset[str]] = {
    "email": frozenset({"text", "id"}), "phone": frozenset({"text", "id"}),
    "date": frozenset({"date"}), "number": frozenset({"number", "integer", "count", "need",
                                                      "id", "text"}),
    "yes/no": frozenset({"bool", "count", "need", "text"}), "text": frozenset({"text", "id"}),
}


def guess_fields(sheet: str, frame: pd.DataFrame, headers: list[str],
                 present: set[str]) -> dict[str, str]:
    """A likely field for each header of ``headers`` (unplaced columns of ``frame``), from its
    spelling and its content; headers with no likely field are left out.

    A field the sheet already has is never proposed again; a spelling the content contradicts
    (``Prijs`` over e-mail addresses) is not proposed.
    """
    kinds = KINDS[sheet]
    taken = set(present)
    guesses: dict[str, str] = {}
    for header in headers:
        looks = _looks(frame[header]) if header in frame else None
        spelled = closest_column(sheet, header)
        if spelled in ("first_name", "last_name"):
            spelled = None
        fits = looks is None or kinds.get(spelled or "", "") in _FITS.get(looks, frozenset())
        if spelled and spelled not in taken and fits:
            guesses[header] = spelled
        else:
            wanted = [f for f in _BY_CONTENT.get(sheet, {}).get(looks or "", ())
                      if f not in taken]
            if sheet == "orders" and wanted == ["unit_price"] and "amount" in taken:
                wanted = []
            if not wanted:
                continue
            guesses[header] = wanted[0]
        taken.add(guesses[header])
    return guesses
