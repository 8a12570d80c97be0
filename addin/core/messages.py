"""Validation messages in the workbook's language.

The core writes its messages in English (they are also what the Python API and the logs show);
the result sheets and the CLI summary translate them when the workbook is French or Dutch.  One
table, :data:`MESSAGES`, maps each English message template to its French and Dutch forms:

* ``{name}`` is a part copied as it is (a value, a row, a header);
* ``{*name}`` is a part that is itself a message, translated in turn (``segment 'X': {*why};
  the segment is left empty``).

To add a message, add one line to the table (the test ``test_every_core_message_is_translated``
fails for a message the core emits that no template matches).  A message no template matches is
shown in English: a missing line never hides a problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: English template -> (French, Dutch).
MESSAGES: dict[str, tuple[str, str]] = {
    # Cells that cannot be read (addin.core.parsing)
    "'{value}' is not a number": ("'{value}' n'est pas un nombre", "'{value}' is geen getal"),
    "'{value}' is not a date (use 31/12/2025 or 2025-12-31)": (
        "'{value}' n'est pas une date (écrire 31/12/2025 ou 2025-12-31)",
        "'{value}' is geen datum (schrijf 31/12/2025 of 2025-12-31)"),
    "'{value}' is not a date between 1900 and 2262": (
        "'{value}' n'est pas une date entre 1900 et 2262",
        "'{value}' is geen datum tussen 1900 en 2262"),
    "'{value}' is not a date": ("'{value}' n'est pas une date", "'{value}' is geen datum"),
    "'{value}' is not yes or no": ("'{value}' n'est ni oui ni non", "'{value}' is geen ja of nee"),
    "'{value}' is not yes/no or 0 to 3": ("'{value}' n'est ni oui/non ni de 0 à 3",
                                          "'{value}' is geen ja/nee of 0 tot 3"),
    "'{value}' is not an id": ("'{value}' n'est pas un identifiant",
                               "'{value}' is geen geldige id"),
    "Excel error value {value}": ("valeur d'erreur Excel {value}", "Excel-foutwaarde {value}"),
    "read as {value} — thousands separator": ("lu comme {value} — séparateur de milliers",
                                               "gelezen als {value} — scheidingsteken voor "
                                               "duizendtallen"),
    "read as {value} — decimal separator": ("lu comme {value} — séparateur décimal",
                                             "gelezen als {value} — decimaalteken"),
    # Values out of range (addin.core.inputs)
    "{column} must be between {low} and {high}": ("{column} doit être entre {low} et {high}",
                                                  "{column} moet tussen {low} en {high} liggen"),
    "{column} must not be negative": ("{column} ne peut pas être négatif",
                                      "{column} mag niet negatief zijn"),
    "birth_year must be a year such as 1980": (
        "birth_year doit être une année comme 1980", "birth_year moet een jaar zijn zoals 1980"),
    # Rows set aside (addin.core.inputs)
    "customer_id is empty: row skipped": ("customer_id est vide : ligne ignorée",
                                          "customer_id is leeg: rij overgeslagen"),
    "duplicate customer_id (first on row {row}): row skipped": (
        "customer_id en double (d'abord à la ligne {row}) : ligne ignorée",
        "dubbele customer_id (eerst op rij {row}): rij overgeslagen"),
    "order line without customer_id: line skipped": (
        "ligne de commande sans customer_id : ligne ignorée",
        "orderregel zonder customer_id: regel overgeslagen"),
    "order line without a valid date: line skipped": (
        "ligne de commande sans date valide : ligne ignorée",
        "orderregel zonder geldige datum: regel overgeslagen"),
    "negative quantity (a return?): line skipped": (
        "quantité négative (un retour ?) : ligne ignorée",
        "negatieve hoeveelheid (een retour?): regel overgeslagen"),
    "no 'amount' nor 'unit_price' column: revenue cannot be computed": (
        "ni colonne 'amount' ni 'unit_price' : le chiffre d'affaires ne peut pas être calculé",
        "geen kolom 'amount' of 'unit_price': de omzet kan niet berekend worden"),
    "{count} order line(s) dated after the analysis date {date} are not counted": (
        "{count} ligne(s) de commande datée(s) après la date d'analyse {date} ne sont pas "
        "comptées",
        "{count} orderregel(s) na de analysedatum {date} worden niet meegeteld"),
    "'{header}' holds one figure per order (on its first line), not line amounts: the "
    "revenue is '{price}' times the quantity": (
        "'{header}' contient un montant par commande (sur sa première ligne), pas par ligne : "
        "le chiffre d'affaires est '{price}' fois la quantité",
        "'{header}' bevat één bedrag per bestelling (op de eerste regel), geen regelbedragen: "
        "de omzet is '{price}' maal de hoeveelheid"),
    "names {count} customers: line skipped": (
        "désigne {count} clients : ligne ignorée", "duidt {count} klanten aan: regel "
        "overgeslagen"),
    "not the name of the Customers or Orders sheet: row not used": (
        "n'est pas le nom de la feuille Clients ou Commandes : ligne non utilisée",
        "is niet de naam van het blad Klanten of Bestellingen: rij niet gebruikt"),
    "'{value}' is not a field of {sheet}: row not used": (
        "'{value}' n'est pas un champ de {sheet} : ligne non utilisée",
        "'{value}' is geen veld van {sheet}: rij niet gebruikt"),
    "{field} is already the field of '{header}' (row {row}): row not used": (
        "{field} est déjà le champ de '{header}' (ligne {row}) : ligne non utilisée",
        "{field} is al het veld van '{header}' (rij {row}): rij niet gebruikt"),
    "sheet {sheet} has no column '{header}'": ("la feuille {sheet} n'a pas de colonne "
                                               "'{header}'",
                                               "blad {sheet} heeft geen kolom '{header}'"),
    "the Columns sheet needs the columns 'sheet', 'your header' and 'field': it is not used": (
        "la feuille Colonnes doit avoir les colonnes 'feuille', 'votre en-tête' et 'champ' : "
        "elle n'est pas utilisée",
        "het blad Kolommen heeft de kolommen 'blad', 'uw kolomkop' en 'veld' nodig: het wordt "
        "niet gebruikt"),
    "this id is not in the Customers sheet: added as a customer": (
        "cet identifiant n'est pas dans la feuille Clients : ajouté comme client",
        "deze id staat niet in het blad Klanten: als klant toegevoegd"),
    "no {what}: the order counts, but adds nothing to revenue or margin": (
        "pas de {what} : la commande compte, mais n'ajoute rien au chiffre d'affaires ni à la "
        "marge",
        "geen {what}: de bestelling telt mee, maar voegt niets toe aan omzet of marge"),
    "this order_id has lines on two or more dates: counted as one order": (
        "ce order_id a des lignes à deux dates ou plus : compté comme une seule commande",
        "deze order_id heeft regels op twee of meer datums: geteld als één bestelling"),
    "column not recognised: its values are not used": (
        "colonne non reconnue : ses valeurs ne sont pas utilisées",
        "kolom niet herkend: de waarden worden niet gebruikt"),
    "column not recognised: its values are not used (did you mean {name}?)": (
        "colonne non reconnue : ses valeurs ne sont pas utilisées (vouliez-vous dire {name} ?)",
        "kolom niet herkend: de waarden worden niet gebruikt (bedoelde u {name}?)"),
    "referred_by names no known customer_id": (
        "referred_by ne désigne aucun customer_id connu",
        "referred_by noemt geen bekende customer_id"),
    "'{name}' is computed by the analysis: the sheet's values are ignored": (
        "'{name}' est calculé par l'analyse : les valeurs de la feuille sont ignorées",
        "'{name}' wordt door de analyse berekend: de waarden van het blad worden genegeerd"),
    # Segment rules (addin.core.rules)
    "segment '{name}': {*why}; the segment is left empty": (
        "segment '{name}' : {*why} ; le segment reste vide",
        "segment '{name}': {*why}; het segment blijft leeg"),
    "unknown operator '{text}' (use = != < <= > >= in not_in contains between is_empty "
    "not_empty; for =, type '= or the word equals)": (
        "opérateur inconnu '{text}' (utiliser = != < <= > >= in not_in contains between "
        "is_empty not_empty ; pour =, taper '= ou le mot égal)",
        "onbekende operator '{text}' (gebruik = != < <= > >= in not_in contains between "
        "is_empty not_empty; voor =, typ '= of het woord gelijk)"),
    "no customer is in a segment named '{segment}'": (
        "aucun client n'est dans un segment nommé '{segment}'",
        "geen klant zit in een segment met de naam '{segment}'"),
    "unknown field '{text}'": ("champ inconnu '{text}'", "onbekend veld '{text}'"),
    "value '{value}' is not {*kind} for '{name}'": (
        "la valeur '{value}' n'est pas {*kind} pour '{name}'",
        "waarde '{value}' is geen {*kind} voor '{name}'"),
    "a number": ("un nombre", "getal"),
    "a date": ("une date", "datum"),
    "yes/no": ("oui/non", "ja/nee"),
    "operator '{operator}' needs a value": ("l'opérateur '{operator}' demande une valeur",
                                            "operator '{operator}' heeft een waarde nodig"),
    "between needs 'low..high', not '{value}'": (
        "between demande 'bas..haut', pas '{value}'", "between vraagt 'laag..hoog', niet "
        "'{value}'"),
    "'{name}' holds text: '{operator}' needs numbers or dates": (
        "'{name}' contient du texte : '{operator}' demande des nombres ou des dates",
        "'{name}' bevat tekst: '{operator}' vraagt getallen of datums"),
    "the Segments sheet needs columns segment | field | operator | value": (
        "la feuille Segments doit avoir les colonnes segment | field | operator | value",
        "het blad Segmenten heeft de kolommen segment | field | operator | value nodig"),
    # Settings (addin.core.settings)
    "unknown setting '{key}' (known: {known})": ("paramètre inconnu '{key}' (connus : {known})",
                                                 "onbekende instelling '{key}' (bekend: "
                                                 "{known})"),
    "setting '{name}' is empty": ("le paramètre '{name}' est vide",
                                  "instelling '{name}' is leeg"),
    "as_of '{value}' is not a date": ("as_of '{value}' n'est pas une date",
                                      "as_of '{value}' is geen datum"),
    "as_of '{value}' is not a date (use 31/12/2025 or 2025-12-31)": (
        "as_of '{value}' n'est pas une date (écrire 31/12/2025 ou 2025-12-31)",
        "as_of '{value}' is geen datum (schrijf 31/12/2025 of 2025-12-31)"),
    "{key}: read as {value} — thousands separator": (
        "{key} : lu comme {value} — séparateur de milliers",
        "{key}: gelezen als {value} — scheidingsteken voor duizendtallen"),
    "{key}: read as {value} — decimal separator": (
        "{key} : lu comme {value} — séparateur décimal",
        "{key}: gelezen als {value} — decimaalteken"),
    "timezone '{value}' is not a time zone such as Europe/Brussels or UTC": (
        "le fuseau horaire '{value}' n'est pas un fuseau comme Europe/Brussels ou UTC",
        "tijdzone '{value}' is geen tijdzone zoals Europe/Brussels of UTC"),
    "language '{value}' is not one of {known}": ("la langue '{value}' n'est pas l'une de {known}",
                                                 "taal '{value}' is niet een van {known}"),
    "income_bands '{value}' must be numbers such as '30000; 60000'": (
        "income_bands '{value}' doit être des nombres comme '30000; 60000'",
        "income_bands '{value}' moeten getallen zijn zoals '30000; 60000'"),
    "setting '{name}' = '{value}' is not a number": (
        "le paramètre '{name}' = '{value}' n'est pas un nombre",
        "instelling '{name}' = '{value}' is geen getal"),
    "setting '{name}' = '{value}' must be a whole number": (
        "le paramètre '{name}' = '{value}' doit être un nombre entier",
        "instelling '{name}' = '{value}' moet een geheel getal zijn"),
    "{name} must be greater than 0": ("{name} doit être supérieur à 0",
                                      "{name} moet groter zijn dan 0"),
    "language must be one of {known}, not '{value}'": (
        "la langue doit être l'une de {known}, pas '{value}'",
        "taal moet een van {known} zijn, niet '{value}'"),
    "abc_a and abc_b must satisfy 0 < abc_a < abc_b <= 1": (
        "abc_a et abc_b doivent respecter 0 < abc_a < abc_b <= 1",
        "abc_a en abc_b moeten voldoen aan 0 < abc_a < abc_b <= 1"),
    "scores must satisfy 0 <= warm_score <= hot_score <= 100": (
        "les scores doivent respecter 0 <= warm_score <= hot_score <= 100",
        "de scores moeten voldoen aan 0 <= warm_score <= hot_score <= 100"),
    "retention_rate must be >= 0 and below 1 + discount_rate": (
        "retention_rate doit être >= 0 et inférieur à 1 + discount_rate",
        "retention_rate moet >= 0 zijn en kleiner dan 1 + discount_rate"),
    # Sheets and headers (addin.workbook.reader)
    "the header cell is part of merged cells: unmerge them and give each column its own "
    "header": (
        "la cellule d'en-tête fait partie de cellules fusionnées : les séparer et donner un "
        "en-tête à chaque colonne",
        "de kopcel hoort bij samengevoegde cellen: maak ze los en geef elke kolom een eigen kop"),
    "the column has no header": ("la colonne n'a pas d'en-tête", "de kolom heeft geen kop"),
    "a second {kind} sheet: only '{name}' is read": (
        "une deuxième feuille {kind} : seule '{name}' est lue",
        "een tweede blad {kind}: alleen '{name}' wordt gelezen"),
}

_LANGUAGES = ("fr", "nl")
_PART = re.compile(r"\{(\*?)(\w+)\}")


@dataclass(frozen=True)
class _Template:
    """One template: its group in the combined pattern, its forms, its nested parts."""

    group: str
    parts: tuple[str, ...]
    others: tuple[str, str]
    nested: frozenset[str]


@cache
def _compiled() -> tuple[re.Pattern[str], dict[str, _Template]]:
    """All templates as one anchored pattern, one alternative each, the most literal first (so
    the more specific of two matching templates wins): a message is matched in one pass."""
    found = []
    for n, (english, others) in enumerate(MESSAGES.items()):
        pieces, parts, nested, last = [], [], set(), 0
        for match in _PART.finditer(english):
            pieces.append(re.escape(english[last: match.start()]))
            pieces.append(f"(?P<t{n}_{match.group(2)}>.+?)")
            parts.append(match.group(2))
            if match.group(1):
                nested.add(match.group(2))
            last = match.end()
        pieces.append(re.escape(english[last:]))
        literal = len(_PART.sub("", english))
        template = _Template(f"t{n}", tuple(parts), others, frozenset(nested))
        found.append((literal, f"(?P<t{n}>{''.join(pieces)}$)", template))
    found.sort(key=lambda item: -item[0])
    pattern = re.compile("|".join(alternative for _, alternative, _ in found), re.DOTALL)
    return pattern, {template.group: template for _, _, template in found}


def _match(message: str) -> tuple[_Template, dict[str, str]] | None:
    pattern, templates = _compiled()
    match = pattern.match(message)
    if match is None:
        return None
    template = templates[str(match.lastgroup)]  # the alternative's group closes last
    return template, {part: match.group(f"{template.group}_{part}") for part in template.parts}


def known(message: str) -> bool:
    """True when a template of the catalog matches ``message``."""
    return _match(message) is not None


def translate(message: object, language: str) -> object:
    """One message in ``language`` (en, fr, nl); unknown messages stay as they are."""
    if language not in _LANGUAGES or not isinstance(message, str):
        return message
    found = _match(message)
    if found is None:
        return message
    template, parts = found
    shown = {name: translate(text, language) if name in template.nested else text
             for name, text in parts.items()}
    return _PART.sub(lambda m: str(shown[m.group(2)]),
                     template.others[_LANGUAGES.index(language)])


def translate_all(messages: pd.Series | Iterable[object], language: str) -> pd.Series:
    """Messages in ``language``: each template applied to the whole column at once (Arrow's
    regular expressions), so a report of many thousand cells stays quick."""
    series = pd.Series(messages, dtype=object)
    if language not in _LANGUAGES or series.empty:
        return series
    distinct = series[series.map(lambda m: isinstance(m, str))].drop_duplicates().to_numpy(
        dtype=object)
    if not len(distinct):
        return series
    text = pa.array(distinct, type=pa.string())
    shown = distinct.copy()
    left = np.ones(len(distinct), dtype=bool)
    index = _LANGUAGES.index(language)
    _, templates = _compiled()
    for template in templates.values():  # the most literal first, as translate() does
        regex, rewrite = _rewrite(template, index)
        hit = np.asarray(pc.match_substring_regex(text, regex)) & left
        if not hit.any():
            continue
        if template.nested:
            shown[hit] = [translate(m, language) for m in distinct[hit]]
        else:
            shown[hit] = np.asarray(pc.replace_substring_regex(
                text.filter(pa.array(hit)), regex, rewrite), dtype=object)
        left &= ~hit
    table = dict(zip(distinct, shown, strict=True))
    return pd.Series([table.get(m, m) if isinstance(m, str) else m for m in series],
                     index=series.index, dtype=object)


@cache
def _rewrite(template: _Template, index: int) -> tuple[str, str]:
    """A template as an anchored RE2 pattern with numbered groups, and its translation as the
    matching replacement (``\\1`` for the first part...)."""
    english = next(e for n, e in enumerate(MESSAGES) if f"t{n}" == template.group)
    pieces, last = [], 0
    for match in _PART.finditer(english):
        pieces.append(re.escape(english[last: match.start()]))
        pieces.append("(.+?)")
        last = match.end()
    pieces.append(re.escape(english[last:]))
    order = {name: n for n, name in enumerate(template.parts, start=1)}
    rewrite = _PART.sub(lambda m: "\\" + str(order[m.group(2)]),
                        template.others[index].replace("\\", "\\\\"))
    return "(?s)^" + "".join(pieces) + "$", rewrite
