"""The catalog of Validation messages: a key per message, a template per language.

A problem is recorded as data — a message key and its parameters — and rendered in a language
only when someone reads it (the Validation sheet, the CLI summary, the logs):
``template.format(**parameters)``, one key at a time over a whole column, so a report of a
hundred thousand cells costs one string concatenation per key and piece of template.

Every template may use the record's own fields, ``{column}`` (the user's header) and
``{value}`` (the cell as typed), and the parameters its key is given; French and Dutch use the
book's words (the user's header, a sheet's name, a translated field), never a name from the
code.  To add a message, add its key with its three templates here, then record it with
``validation.add(sheet, row, column, value, "the.key", name=...)``;
``tests/core/test_messages.py`` fails for a key missing in a language or a template using a
parameter its key is not given.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from string import Formatter
from typing import TypeVar

import numpy as np
import pandas as pd

from addin.errors import PotentielError

E = TypeVar("E", bound=PotentielError)

#: Fields every record has, which any template may use.
RECORD_FIELDS = frozenset({"sheet", "row", "column", "value"})

_LANGUAGE = {"en": 0, "fr": 1, "nl": 2}

# Why a segment rule cannot be understood: each is a message on its own (raised by the rules
# and by POTENTIEL_SEGMENT) and, wrapped, the Validation record of a Segments row.
_RULE_REASONS: dict[str, tuple[str, str, str]] = {
    "unknown_operator": (
        "unknown operator '{operator}' (use = != < <= > >= in not_in contains between is_empty "
        "not_empty; for =, type '= or the word equals)",
        "opérateur inconnu '{operator}' (utiliser = != < <= > >= dans, pas dans, contient, "
        "entre, vide, non vide ; pour =, taper '= ou le mot égal)",
        "onbekende operator '{operator}' (gebruik = != < <= > >= in, niet in, bevat, tussen, "
        "leeg, niet leeg; voor =, typ '= of het woord gelijk)"),
    "unknown_field": ("unknown field '{field}'", "champ inconnu '{field}'",
                      "onbekend veld '{field}'"),
    "not_number": ("value '{given}' is not a number for '{field}'",
                   "la valeur '{given}' n'est pas un nombre pour '{field}'",
                   "waarde '{given}' is geen getal voor '{field}'"),
    "not_date": ("value '{given}' is not a date for '{field}'",
                 "la valeur '{given}' n'est pas une date pour '{field}'",
                 "waarde '{given}' is geen datum voor '{field}'"),
    "not_yes_no": ("value '{given}' is not yes/no for '{field}'",
                   "la valeur '{given}' n'est pas oui/non pour '{field}'",
                   "waarde '{given}' is geen ja/nee voor '{field}'"),
    "ambiguous_thousands": (
        "value '{given}' is ambiguous (read as {number} — thousands separator): type it "
        "without a thousands separator",
        "la valeur '{given}' est ambiguë (lue comme {number} — séparateur de milliers) : "
        "l'écrire sans séparateur de milliers",
        "waarde '{given}' is dubbelzinnig (gelezen als {number} — scheidingsteken voor "
        "duizendtallen): typ ze zonder scheidingsteken voor duizendtallen"),
    "ambiguous_decimal": (
        "value '{given}' is ambiguous (read as {number} — decimal separator): type it "
        "without a thousands separator",
        "la valeur '{given}' est ambiguë (lue comme {number} — séparateur décimal) : "
        "l'écrire sans séparateur de milliers",
        "waarde '{given}' is dubbelzinnig (gelezen als {number} — decimaalteken): typ ze "
        "zonder scheidingsteken voor duizendtallen"),
    "needs_value": ("operator '{operator}' needs a value",
                    "l'opérateur '{operator}' demande une valeur",
                    "operator '{operator}' heeft een waarde nodig"),
    "between": ("between needs 'low..high', not '{given}'",
                "entre demande 'bas..haut', pas '{given}'",
                "tussen vraagt 'laag..hoog', niet '{given}'"),
    "text_order": ("'{field}' holds text: '{operator}' needs numbers or dates",
                   "'{field}' contient du texte : '{operator}' demande des nombres ou des dates",
                   "'{field}' bevat tekst: '{operator}' vraagt getallen of datums"),
    "no_segment": ("no customer is in a segment named '{segment}'",
                   "aucun client n'est dans un segment nommé '{segment}'",
                   "geen klant zit in een segment met de naam '{segment}'"),
}
_BROKEN_SEGMENT = ("segment '{segment}': {why}; the segment is left empty",
                   "segment '{segment}' : {why} ; le segment reste vide",
                   "segment '{segment}': {why}; het segment blijft leeg")

# What was done with a cell that could not be used, said after why (a Validation record of
# an input sheet: ``read.<why>`` or ``unpriced.<why>``; a formula's cell says only why).
_DONE = {
    "read": (": read as empty", " : lue comme vide", ": als leeg gelezen"),
    "unpriced": (": the order counts, but adds nothing to revenue or margin",
                 " : la commande compte, mais n'ajoute rien au chiffre d'affaires ni à la marge",
                 ": de bestelling telt mee, maar voegt niets toe aan omzet of marge"),
}

# Why a cell cannot be used (addin.core.parsing, and the ranges of addin.core.inputs): each is
# a message on its own (``cell.<why>``, a formula's cell) and, followed by what was done, the
# Validation record of an input sheet.
_UNREAD: dict[str, tuple[str, str, str]] = {
    "excel_error": ("Excel error value {value}", "valeur d'erreur Excel {value}",
                         "Excel-foutwaarde {value}"),
    "not_number": ("'{value}' is not a number", "'{value}' n'est pas un nombre",
                        "'{value}' is geen getal"),
    "not_date_text": ("'{value}' is not a date (use 31/12/2025 or 2025-12-31)",
                           "'{value}' n'est pas une date (écrire 31/12/2025 ou 2025-12-31)",
                           "'{value}' is geen datum (schrijf 31/12/2025 of 2025-12-31)"),
    "date_out_of_range": ("'{value}' is not a date between 1900 and 2262",
                               "'{value}' n'est pas une date entre 1900 et 2262",
                               "'{value}' is geen datum tussen 1900 en 2262"),
    "not_date": ("'{value}' is not a date", "'{value}' n'est pas une date",
                      "'{value}' is geen datum"),
    "not_yes_no": ("'{value}' is not yes or no", "'{value}' n'est ni oui ni non",
                        "'{value}' is geen ja of nee"),
    "not_count": ("'{value}' is not a count or yes/no", "'{value}' n'est ni un nombre ni "
                       "oui/non", "'{value}' is geen aantal of ja/nee"),
    "not_need": ("'{value}' is not yes/no or 0 to 3", "'{value}' n'est ni oui/non ni de 0 "
                      "à 3", "'{value}' is geen ja/nee of 0 tot 3"),
    "not_id": ("'{value}' is not an id", "'{value}' n'est pas un identifiant",
                    "'{value}' is geen geldige id"),
    "range_between": ("{column} must be between {low} and {high}",
                      "{column} doit être entre {low} et {high}",
                      "{column} moet tussen {low} en {high} liggen"),
    "range_negative": ("{column} must not be negative", "{column} ne peut pas être négatif",
                       "{column} mag niet negatief zijn"),
    "range_year": ("{column} must be a year such as 1980",
                   "{column} doit être une année comme 1980",
                   "{column} moet een jaar zijn zoals 1980"),
}

#: Message key -> its (English, French, Dutch) templates.
MESSAGES: dict[str, tuple[str, str, str]] = {
    # Numbers read with a guess (addin.core.parsing): kept, and said
    "cell.read_thousands": ("read as {number} — thousands separator",
                            "lu comme {number} — séparateur de milliers",
                            "gelezen als {number} — scheidingsteken voor duizendtallen"),
    "cell.read_decimal": ("read as {number} — decimal separator",
                          "lu comme {number} — séparateur décimal",
                          "gelezen als {number} — decimaalteken"),
    # Rows set aside (addin.core.inputs)
    "row.no_id": ("{column} is empty: row skipped", "{column} est vide : ligne ignorée",
                  "{column} is leeg: rij overgeslagen"),
    "row.duplicate_id": ("duplicate {column} (first on row {first}): row skipped",
                         "{column} en double (d'abord à la ligne {first}) : ligne ignorée",
                         "dubbele {column} (eerst op rij {first}): rij overgeslagen"),
    "line.no_customer": ("order line without {column}: line skipped",
                         "ligne de commande sans {column} : ligne ignorée",
                         "orderregel zonder {column}: regel overgeslagen"),
    "line.no_date": ("order line without a valid date: line skipped",
                     "ligne de commande sans date valide : ligne ignorée",
                     "orderregel zonder geldige datum: regel overgeslagen"),
    "line.negative_quantity": ("negative quantity (a return?): line skipped",
                               "quantité négative (un retour ?) : ligne ignorée",
                               "negatieve hoeveelheid (een retour?): regel overgeslagen"),
    "orders.no_amount_column": (
        "no 'amount' nor 'unit_price' column: revenue cannot be computed",
        "ni colonne de montant ni colonne de prix unitaire : le chiffre d'affaires ne peut pas "
        "être calculé",
        "geen kolom met bedrag of stukprijs: de omzet kan niet berekend worden"),
    "orders.future.one": (
        "1 order line dated after the analysis date {date} is not counted",
        "1 ligne de commande datée après la date d'analyse {date} n'est pas comptée",
        "1 orderregel na de analysedatum {date} wordt niet meegeteld"),
    "orders.future.other": (
        "{count} order lines dated after the analysis date {date} are not counted",
        "{count} lignes de commande datées après la date d'analyse {date} ne sont pas "
        "comptées",
        "{count} orderregels na de analysedatum {date} worden niet meegeteld"),
    "orders.order_totals": (
        "'{column}' holds one figure per order (on its first line), not line amounts: the "
        "revenue is '{price}' times the quantity",
        "'{column}' contient un montant par commande (sur sa première ligne), pas par ligne : "
        "le chiffre d'affaires est '{price}' fois la quantité",
        "'{column}' bevat één bedrag per bestelling (op de eerste regel), geen regelbedragen: "
        "de omzet is '{price}' maal de hoeveelheid"),
    "line.ambiguous_customer": ("names {count} customers: line skipped",
                                "désigne {count} clients : ligne ignorée",
                                "duidt {count} klanten aan: regel overgeslagen"),
    "orders.new_customer": (
        "this id is not in the Customers sheet: added as a customer",
        "cet identifiant n'est pas dans la feuille des clients : ajouté comme client",
        "deze id staat niet in het blad met klanten: als klant toegevoegd"),
    "orders.unpriced": (
        "no '{price}': the order counts, but adds nothing to revenue or margin",
        "pas de '{price}' : la commande compte, mais n'ajoute rien au chiffre d'affaires ni à "
        "la marge",
        "geen '{price}': de bestelling telt mee, maar voegt niets toe aan omzet of marge"),
    "orders.unpriced_both": (
        "no '{amount}' nor '{price}': the order counts, but adds nothing to revenue or margin",
        "ni '{amount}' ni '{price}' : la commande compte, mais n'ajoute rien au chiffre "
        "d'affaires ni à la marge",
        "geen '{amount}' of '{price}': de bestelling telt mee, maar voegt niets toe aan omzet "
        "of marge"),
    "orders.split": (
        "this {column} has lines on two or more dates: counted as one order",
        "cette commande ({column}) a des lignes à deux dates ou plus : comptée comme une seule "
        "commande",
        "deze bestelling ({column}) heeft regels op twee of meer datums: geteld als één "
        "bestelling"),
    "customers.unknown_referrer": (
        "{column} names no known customer: the referral is not counted",
        "{column} ne désigne aucun client connu : le parrainage n'est pas compté",
        "{column} noemt geen bekende klant: de doorverwijzing telt niet mee"),
    "column.unknown": ("column not recognised: shown as it is, not used in the figures",
                       "colonne non reconnue : affichée telle quelle, non utilisée dans les "
                       "chiffres",
                       "kolom niet herkend: getoond zoals ze is, niet gebruikt in de cijfers"),
    "column.unused": ("column not recognised: its values are not used",
                      "colonne non reconnue : ses valeurs ne sont pas utilisées",
                      "kolom niet herkend: de waarden worden niet gebruikt"),
    "column.unused_guess": (
        "column not recognised: its values are not used (did you mean {meant}?)",
        "colonne non reconnue : ses valeurs ne sont pas utilisées (vouliez-vous dire "
        "'{label_fr}' ?)",
        "kolom niet herkend: de waarden worden niet gebruikt (bedoelde u '{label_nl}'?)"),
    "column.unknown_guess": (
        "column not recognised: shown as it is, not used in the figures (did you mean "
        "{meant}?)",
        "colonne non reconnue : affichée telle quelle, non utilisée dans les chiffres "
        "(vouliez-vous dire '{label_fr}' ?)",
        "kolom niet herkend: getoond zoals ze is, niet gebruikt in de cijfers (bedoelde u "
        "'{label_nl}'?)"),
    "column.computed": (
        "'{column}' is computed by the analysis: the sheet's values are ignored",
        "'{column}' est calculé par l'analyse : les valeurs de la feuille sont ignorées",
        "'{column}' wordt door de analyse berekend: de waarden van het blad worden genegeerd"),
    # The Columns sheet (addin.core.columnmap)
    "columns.sheet_columns": (
        "the Columns sheet needs the columns 'sheet', 'your header' and 'field': it is not used",
        "la feuille Colonnes doit avoir les colonnes 'feuille', 'votre en-tête' et 'champ' : "
        "elle n'est pas utilisée",
        "het blad Kolommen heeft de kolommen 'blad', 'uw kolomkop' en 'veld' nodig: het wordt "
        "niet gebruikt"),
    "columns.not_sheet": (
        "not the name of the Customers or Orders sheet: row not used",
        "n'est pas le nom de la feuille des clients ou des commandes : ligne non utilisée",
        "is niet de naam van het blad met klanten of bestellingen: rij niet gebruikt"),
    "columns.not_field": ("'{value}' is not a field of {target}: row not used",
                          "'{value}' n'est pas un champ de {target} : ligne non utilisée",
                          "'{value}' is geen veld van {target}: rij niet gebruikt"),
    "columns.taken": (
        "{value} is already the field of '{header}' (row {first}): row not used",
        "{value} est déjà le champ de '{header}' (ligne {first}) : ligne non utilisée",
        "{value} is al het veld van '{header}' (rij {first}): rij niet gebruikt"),
    "columns.no_header": ("sheet {target} has no column '{value}'",
                          "la feuille {target} n'a pas de colonne '{value}'",
                          "blad {target} heeft geen kolom '{value}'"),
    # Segment rules (addin.core.rules): see _RULE_REASONS
    "segments.columns": (
        "the Segments sheet needs columns segment | field | operator | value",
        "la feuille des segments doit avoir les colonnes segment | champ | opérateur | valeur",
        "het blad met segmenten heeft de kolommen segment | veld | operator | waarde nodig"),
    # Settings (addin.core.settings); a setting's name is the key the user typed
    "setting.unknown": ("unknown setting '{setting}' (known: {known})",
                        "paramètre inconnu '{setting}' (connus : {known})",
                        "onbekende instelling '{setting}' (bekend: {known})"),
    "setting.empty": ("setting '{setting}' is empty", "le paramètre '{setting}' est vide",
                      "instelling '{setting}' is leeg"),
    "setting.not_date": ("{setting} '{given}' is not a date (use 31/12/2025 or 2025-12-31)",
                         "{setting} '{given}' n'est pas une date (écrire 31/12/2025 ou "
                         "2025-12-31)",
                         "{setting} '{given}' is geen datum (schrijf 31/12/2025 of 2025-12-31)"),
    "setting.read_thousands": ("{setting}: read as {number} — thousands separator",
                               "{setting} : lu comme {number} — séparateur de milliers",
                               "{setting}: gelezen als {number} — scheidingsteken voor "
                               "duizendtallen"),
    "setting.read_decimal": ("{setting}: read as {number} — decimal separator",
                             "{setting} : lu comme {number} — séparateur décimal",
                             "{setting}: gelezen als {number} — decimaalteken"),
    "setting.timezone": ("{setting} '{given}' is not a time zone such as Europe/Brussels or UTC",
                         "{setting} '{given}' n'est pas un fuseau horaire comme "
                         "Europe/Brussels ou UTC",
                         "{setting} '{given}' is geen tijdzone zoals Europe/Brussels of UTC"),
    "setting.language": ("language '{given}' is not one of {known}",
                         "la langue '{given}' n'est pas l'une de {known}",
                         "taal '{given}' is niet een van {known}"),
    "setting.bands": ("{setting} '{given}' must be numbers such as '30000; 60000'",
                      "{setting} '{given}' doit être des nombres comme '30000; 60000'",
                      "{setting} '{given}' moeten getallen zijn zoals '30000; 60000'"),
    "setting.not_number": ("setting '{setting}' = '{given}' is not a number",
                           "le paramètre '{setting}' = '{given}' n'est pas un nombre",
                           "instelling '{setting}' = '{given}' is geen getal"),
    "setting.not_whole": ("setting '{setting}' = '{given}' must be a whole number",
                          "le paramètre '{setting}' = '{given}' doit être un nombre entier",
                          "instelling '{setting}' = '{given}' moet een geheel getal zijn"),
    "setting.positive": ("{setting} must be greater than 0", "{setting} doit être supérieur à 0",
                         "{setting} moet groter zijn dan 0"),
    "setting.not_negative": ("{setting} must not be negative",
                             "{setting} ne peut pas être négatif",
                             "{setting} mag niet negatief zijn"),
    "setting.languages": ("language must be one of {known}, not '{given}'",
                          "la langue doit être l'une de {known}, pas '{given}'",
                          "taal moet een van {known} zijn, niet '{given}'"),
    "setting.abc": ("abc_a and abc_b must satisfy 0 < abc_a < abc_b <= 1",
                    "abc_a et abc_b doivent respecter 0 < abc_a < abc_b <= 1",
                    "abc_a en abc_b moeten voldoen aan 0 < abc_a < abc_b <= 1"),
    "setting.scores": ("scores must satisfy 0 <= warm_score <= hot_score <= 100",
                       "les scores doivent respecter 0 <= warm_score <= hot_score <= 100",
                       "de scores moeten voldoen aan 0 <= warm_score <= hot_score <= 100"),
    "setting.retention": ("retention_rate must be >= 0 and below 1 + discount_rate",
                          "retention_rate doit être >= 0 et inférieur à 1 + discount_rate",
                          "retention_rate moet >= 0 zijn en kleiner dan 1 + discount_rate"),
    "setting.bands_order": ("income_bands must be two increasing numbers, such as "
                            "'30000; 60000'",
                            "income_bands doit être deux nombres croissants, comme "
                            "'30000; 60000'",
                            "income_bands moet twee stijgende getallen zijn, zoals "
                            "'30000; 60000'"),
    "settings.columns": ("{path}: {why}", "{path} : {why}", "{path}: {why}"),
    "settings.file": ("cannot read settings file {path}: {why}",
                      "impossible de lire le fichier de paramètres {path} : {why}",
                      "kan het instellingenbestand {path} niet lezen: {why}"),
    # Sheets and headers (addin.workbook.reader)
    "header.merged": (
        "the header cell is part of merged cells: unmerge them and give each column its own "
        "header",
        "la cellule d'en-tête fait partie de cellules fusionnées : les séparer et donner un "
        "en-tête à chaque colonne",
        "de kopcel hoort bij samengevoegde cellen: maak ze los en geef elke kolom een eigen kop"),
    "header.missing": ("the column has no header", "la colonne n'a pas d'en-tête",
                       "de kolom heeft geen kop"),
    "sheet.second": ("a second {kind} sheet: only '{first}' is read",
                     "une deuxième feuille {kind} : seule '{first}' est lue",
                     "een tweede blad {kind}: alleen '{first}' wordt gelezen"),
} | {f"cell.{key}": forms for key, forms in _UNREAD.items()} | {
    f"rule.{key}": forms for key, forms in _RULE_REASONS.items()} | {
    f"{done}.{key}": tuple(why + said for why, said in zip(forms, saids, strict=True))
    for key, forms in _UNREAD.items() for done, saids in _DONE.items()} | {
    f"segment.{key}": tuple(wrapper.replace("{why}", reason)  # type: ignore[misc]
                            for wrapper, reason in zip(_BROKEN_SEGMENT, forms, strict=True))
    for key, forms in _RULE_REASONS.items()}


@cache
def fields(key: str, language: str = "en") -> tuple[str, ...]:
    """The names a key's template uses, in order of appearance."""
    return tuple(name for _, name, _, _ in Formatter().parse(MESSAGES[key][_LANGUAGE[language]])
                 if name)


@cache
def parameters(key: str) -> frozenset[str]:
    """What a key must be given besides the record's own fields: what its templates use."""
    return frozenset().union(*(fields(key, language) for language in _LANGUAGE)) - RECORD_FIELDS


def english(key: str, **params: object) -> str:
    """One message in English, as errors and logs show it."""
    return MESSAGES[key][0].format(**{name: params.get(name, "") for name in fields(key)})


def fail(error: type[E], key: str, *, hint: str | None = None, **params: object) -> E:
    """An error of type ``error`` saying one message in English, carrying it as data."""
    return error(english(key, **params), hint=hint, problems=((key, params),))


def text(keys: pd.Series, language: str, given: Mapping[str, object]) -> pd.Series:
    """Messages in ``language`` for a column of keys: each key's template filled, for all its
    rows at once, from ``given`` (name -> a Series aligned with ``keys``, or one value)."""
    index = _LANGUAGE.get(language, 0)
    out = np.empty(len(keys), dtype=object)
    codes, uniques = pd.factorize(keys)
    for code, key in enumerate(uniques):
        rows = np.flatnonzero(codes == code)
        shown = pd.Series("", index=keys.index[rows], dtype=object)
        for literal, name, _, _ in Formatter().parse(MESSAGES[key][index]):
            shown = shown + literal
            if name:
                part = given[name]
                shown = shown + (part.iloc[rows].astype(str).to_numpy(dtype=object)
                                 if isinstance(part, pd.Series) else str(part))
        out[rows] = shown.to_numpy(dtype=object)
    return pd.Series(out, index=keys.index, dtype=object)


def render(frame: pd.DataFrame, language: str) -> pd.Series:
    """The messages of a Validation frame in ``language`` (en, fr, nl), from its ``key`` and
    ``params`` columns; a frame without keys keeps its messages as they are."""
    if "key" not in frame or frame.empty:
        return frame["message"].astype(object) if "message" in frame else pd.Series(
            dtype=object)
    given: dict[str, object] = {
        name: frame[name].astype(object).where(frame[name].notna(), "").astype(str)
        for name in RECORD_FIELDS if name in frame}
    keyed = frame["key"].notna()
    out = frame["message"].astype(object).copy() if "message" in frame else pd.Series(
        "", index=frame.index, dtype=object)
    if not keyed.any():
        return out
    # Only the records whose key takes parameters have any to unpack (most take none).
    takes = frame["key"].map({k: bool(parameters(k)) for k in frame["key"][keyed].unique()})
    with_params = keyed & takes.fillna(False).astype(bool)
    params = pd.DataFrame(frame["params"][with_params].tolist(),
                          index=frame.index[with_params])
    given |= {name: params[name].reindex(frame.index).astype(object)
              .where(lambda v: v.notna(), "").astype(str) for name in params.columns}
    part = {name: (value[keyed] if isinstance(value, pd.Series) else value)
            for name, value in given.items()}
    out[keyed] = text(frame["key"][keyed], language, part)
    return out


def singular(count: int, language: str = "en") -> bool:
    """Whether a count takes the singular: 1 in en, fr and nl; French also says ``0 client``."""
    return count == 1 or (language == "fr" and count == 0)


def form(table: Mapping[str, object], key: str, n: object, language: str = "en") -> str:
    """``key``, or ``key.one`` when ``table`` has it and the count ``n`` takes the singular:
    how a table of sentences (the CLI summary, a notice) holds a count's two forms."""
    one = isinstance(n, int) and singular(n, language)
    return f"{key}.one" if one and f"{key}.one" in table else key


def plural(count: int, one: str, other: str, language: str = "en") -> str:
    """``1 customer``, ``2 customers``: the count with the form it takes."""
    return f"{count} {one if singular(count, language) else other}"
