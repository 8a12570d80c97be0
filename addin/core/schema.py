"""The canonical input schema and its English, French and Dutch names.

Users type headers the way their colleagues do: ``Id client``, ``Klant ID``, ``customer_id``.
Everything is matched on a *folded* form (lower case, no accents, no spaces or punctuation), so
``Date de commande`` and ``date_commande`` are the same header; a unit in parentheses or
brackets is ignored when the header with it is not known (``Horizon d'achat (jours)``).
Canonical names are what the code uses; the aliases below are the only place that knows other
spellings.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from addin.core.data import text

Kind = Literal["id", "text", "number", "integer", "date", "bool", "count", "need"]


@dataclass(frozen=True)
class Column:
    """One canonical input column: its name, how its cells are parsed, and its aliases."""

    name: str
    kind: Kind
    aliases: tuple[str, ...] = ()


def fold(name: object) -> str:
    """Fold a sheet or column name for matching: lower case, no accents, letters and digits only."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", text.lower())


#: Sheet -> field -> how its cells are parsed.  The headers each field is known by are data:
#: ``addin/core/data/aliases.toml``.  ``first_name`` and ``last_name`` are read to be combined
#: into the sheet's name field (:data:`NAME_PARTS`).
KINDS: dict[str, dict[str, Kind]] = {
    "customers": {
        "customer_id": "id", "name": "text", "first_name": "text", "last_name": "text",
        "email": "text", "phone": "text", "company": "text", "country": "text",
        "region": "text", "city": "text", "postal_code": "text", "birth_year": "integer",
        "birth_date": "date", "age": "number", "income": "number", "income_band": "text",
        "is_employee": "bool", "channel": "text", "referred_by": "id",
        "satisfaction": "number", "nps": "number", "complaint": "count",
        "first_contact": "date", "last_interaction": "date", "pages_visited": "number",
        "form_submitted": "bool", "budget": "number", "decision_maker": "bool",
        "need": "need", "purchase_horizon_days": "number", "status": "text", "owner": "text",
        "notes": "text", "next_action": "text",
    },
    "orders": {
        "order_id": "id", "customer_id": "id", "customer_email": "text",
        "customer_name": "text", "first_name": "text", "last_name": "text",
        "order_date": "date", "quantity": "number", "unit_price": "number",
        "amount": "number", "list_price": "number", "unit_cost": "number",
        "product": "text", "category": "text",
    },
    "segments": {"segment": "text", "field": "text", "operator": "text", "value": "text"},
    "settings": {"key": "text", "value": "text"},
    "columns": {"sheet": "text", "header": "text", "field": "text"},
}

#: Sheet -> the field two columns of first and last name are combined into.
NAME_PARTS: dict[str, str] = {"customers": "name", "orders": "customer_name"}


def _load_aliases() -> dict[str, dict[str, list[str]]]:
    """The alias table (``aliases.toml``), checked against :data:`KINDS`: an alias of a field
    the code does not know would silently read nothing."""
    data = tomllib.loads(text("aliases.toml"))
    for sheet, fields in data.items():
        if sheet == "sheets":
            continue
        unknown = set(fields) - set(KINDS[sheet])
        if unknown:
            raise ValueError(f"aliases.toml: [{sheet}] has unknown fields {sorted(unknown)}")
    return data


ALIAS_DATA: dict[str, dict[str, list[str]]] = _load_aliases()


def _columns(sheet: str) -> tuple[Column, ...]:
    aliases = ALIAS_DATA.get(sheet, {})
    return tuple(Column(name, kind, tuple(aliases.get(name, ())))
                 for name, kind in KINDS[sheet].items())


CUSTOMER_COLUMNS: tuple[Column, ...] = _columns("customers")
ORDER_COLUMNS: tuple[Column, ...] = _columns("orders")
SEGMENT_COLUMNS: tuple[Column, ...] = _columns("segments")
SETTING_COLUMNS: tuple[Column, ...] = _columns("settings")
MAPPING_COLUMNS: tuple[Column, ...] = _columns("columns")

#: Canonical sheet name -> the names a user may give it.
SHEET_ALIASES: dict[str, tuple[str, ...]] = {
    sheet: tuple(names) for sheet, names in ALIAS_DATA["sheets"].items()}

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "customers": CUSTOMER_COLUMNS,
    "orders": ORDER_COLUMNS,
    "segments": SEGMENT_COLUMNS,
    "settings": SETTING_COLUMNS,
    "columns": MAPPING_COLUMNS,
}

#: Columns each sheet cannot do without.
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "orders": ("customer_id", "order_date"),
    "segments": ("segment", "field", "operator"),
    "settings": ("key", "value"),
    "columns": ("header", "field"),
}

#: Fields that may stand in for a required one, in order of preference: customers keyed by
#: e-mail, order lines naming their customer by e-mail or by name (exports without an id).
KEY_STAND_INS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {"customer_id": ("email",)},
    "orders": {"customer_id": ("customer_email", "customer_name")},
}

#: Words a user may type in the Columns sheet for "do not use this column".
IGNORE_WORDS: frozenset[str] = frozenset({"ignore", "ignorer", "negeren", "-", "none"})

#: Names a user may give the special "Target" segment (flag ``is_target``).
TARGET_SEGMENT_NAMES: frozenset[str] = frozenset({"target", "cible", "doelgroep"})

#: Sales-owned customer columns: edited in Google Sheets, never computed.
SALES_COLUMNS: tuple[str, ...] = ("status", "owner", "notes", "next_action")

#: How many top rows may hold titles above the header row.
HEADER_SEARCH_ROWS = 30

#: Sheet -> {header as the user wrote it -> field, or "" for a column not to use}: the
#: user's own mapping (the Columns sheet, a ``[columns]`` table in a TOML file).
ColumnMap = Mapping[str, Mapping[str, str]]


def _alias_table(columns: Iterable[Column]) -> dict[str, str]:
    table: dict[str, str] = {}
    for column in columns:
        for alias in (column.name, *column.aliases):
            table.setdefault(fold(alias), column.name)
    return table


_ALIASES: dict[str, dict[str, str]] = {sheet: _alias_table(cols) for sheet, cols in SCHEMAS.items()}
_SHEETS: dict[str, str] = {fold(a): sheet for sheet, names in SHEET_ALIASES.items() for a in names}


def match_sheet(name: str) -> str | None:
    """Return the canonical sheet ('customers', 'orders', ...) a sheet name stands for, or None."""
    return _SHEETS.get(fold(name))


_UNIT = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def _known_as(aliases: Mapping[str, str], header: object) -> str | None:
    """The canonical name of a header, with its unit in parentheses if that is how it is known
    (``Budget (€)``, ``Prix (HT)``), else without (``Horizon d'achat (jours)``)."""
    return aliases.get(fold(header)) or aliases.get(fold(_UNIT.sub(" ", str(header))))


def user_fields(sheet: str, mapping: ColumnMap | None) -> dict[str, str]:
    """The user's mapping of one sheet: folded header -> field ('' = not used)."""
    own = (mapping or {}).get(sheet, {})
    return {fold(header): ("" if fold(field) in _IGNORED else field)
            for header, field in own.items() if str(field).strip()}


_IGNORED = frozenset(fold(w) for w in IGNORE_WORDS) | {""}


def canonical_columns(sheet: str, headers: Iterable[object],
                      mapping: ColumnMap | None = None) -> dict[object, str]:
    """Map each recognised header to its canonical column name; the first header wins a name.

    ``mapping`` is the user's own (the Columns sheet): it decides first, for the headers it
    names, and a field it gives away is no longer recognised elsewhere.  Unrecognised headers
    are left out of the mapping: they are kept as they are by the callers, since a user segment
    rule may refer to them.
    """
    aliases = _ALIASES[sheet]
    own = user_fields(sheet, mapping)
    headers = list(headers)
    chosen = {h: own[fold(h)] for h in headers if fold(h) in own}
    mapping_out: dict[object, str] = {}
    taken = {f for f in chosen.values() if f}
    for header in headers:
        if header in chosen:
            name: str | None = chosen[header] or None
            if name is not None and name in mapping_out.values():
                name = None
        else:
            name = _known_as(aliases, header)
            if name is not None and name in taken:
                name = None
        if name is not None and name not in mapping_out.values():
            mapping_out[header] = name
            taken.add(name)
    return mapping_out


def missing_required(sheet: str, fields: Iterable[str]) -> list[str]:
    """The required columns of a sheet that neither a header nor a stand-in provides (orders
    naming their customer by e-mail need no customer_id column)."""
    present = set(fields)
    stand_ins = KEY_STAND_INS.get(sheet, {})
    return [name for name in REQUIRED[sheet]
            if name not in present and not present & set(stand_ins.get(name, ()))]


def header_row(rows: Sequence[Sequence[object]], sheet: str,
               mapping: ColumnMap | None = None) -> int | None:
    """0-based index of a sheet's header row among its top :data:`HEADER_SEARCH_ROWS` rows.

    The one header locator of files and of the workbook open in Excel.  The header row is the
    row of text cells naming the most known columns (on a tie, the one naming the key, then
    the first); it must name the key (or its stand-in) or two known columns: one unknown
    header, even the key's, never makes a title row or a data row the header row.  None: no
    row qualifies.
    """
    key = REQUIRED[sheet][0]
    keys = {key, *KEY_STAND_INS.get(sheet, {}).get(key, ())}
    best, best_score = None, (0, 0)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        labels = [v for v in row if isinstance(v, str) and v.strip()]
        if not labels:
            continue
        found = set(canonical_columns(sheet, labels, mapping).values())
        keyed = bool(found & keys)
        score = (len(found), int(keyed))
        if (keyed or len(found) >= 2) and score > best_score:
            best, best_score = i, score
    return best


def closest_column(sheet: str, header: object) -> str | None:
    """The canonical column an unrecognised header most likely meant (a typo, a missing word),
    or None when no known name is close."""
    aliases = _ALIASES[sheet]
    folded = fold(_UNIT.sub(" ", str(header)))
    close = difflib.get_close_matches(folded, list(aliases), n=1, cutoff=0.75)
    if not close:  # a longer header that holds a known name: "horizon d achat prevu"
        close = [a for a in sorted(aliases, key=len, reverse=True)
                 if len(a) >= 8 and 2 * len(a) >= len(folded) and a in folded][:1]
    return aliases[close[0]] if close else None


def column_kinds(sheet: str) -> Mapping[str, Kind]:
    """Canonical column name -> parsing kind, for one sheet."""
    return {column.name: column.kind for column in SCHEMAS[sheet]}
