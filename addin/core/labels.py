"""Words shown to users in English, French and Dutch.

Code works on canonical values (``one_time``, ``hot``, ``Champions``); the workbook shows them in
its ``language``.  This is the only place that knows the translations, in both directions, so a
segment rule typed as ``type client = fidèle`` finds the ``loyal`` customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.core.schema import fold

#: column -> canonical value -> (en, fr, nl)
VALUES: dict[str, dict[str, tuple[str, str, str]]] = {
    "customer_type": {
        "internal": ("internal", "interne", "intern"),
        "disloyal": ("disloyal", "déloyal", "ontrouw"),
        "prospect": ("prospect", "prospect", "prospect"),
        "lost": ("lost", "perdu", "verloren"),
        "loyal": ("loyal", "fidèle", "trouw"),
        "occasional": ("occasional", "occasionnel", "occasioneel"),
        "one_time": ("one-time", "unique", "eenmalig"),
    },
    "temperature": {
        "hot": ("hot", "chaud", "warm"),
        "warm": ("warm", "tiède", "lauw"),
        "cold": ("cold", "froid", "koud"),
    },
    "profitability": {
        "high": ("high", "élevée", "hoog"),
        "medium": ("medium", "moyenne", "gemiddeld"),
        "low": ("low", "faible", "laag"),
    },
    "income_band": {
        "low": ("low", "faible", "laag"),
        "middle": ("middle", "moyen", "midden"),
        "high": ("high", "élevé", "hoog"),
    },
    "rfm_segment": {
        "Champions": ("Champions", "Champions", "Kampioenen"),
        "Loyal": ("Loyal", "Fidèles", "Trouw"),
        "Potential Loyalist": ("Potential Loyalist", "Fidèles potentiels", "Potentieel trouw"),
        "Recent": ("Recent", "Récents", "Recent"),
        "Promising": ("Promising", "Prometteurs", "Veelbelovend"),
        "Need Attention": ("Need Attention", "À surveiller", "Aandacht nodig"),
        "About to Sleep": ("About to Sleep", "En sommeil", "Dommelend"),
        "At Risk": ("At Risk", "À risque", "Risico"),
        "Can't Lose": ("Can't Lose", "À ne pas perdre", "Niet verliezen"),
        "Hibernating": ("Hibernating", "Hibernants", "In winterslaap"),
        "Lost": ("Lost", "Perdus", "Verloren"),
        "Prospect": ("Prospect", "Prospect", "Prospect"),
    },
    "generation": {
        "Silent": ("Silent", "Génération silencieuse", "Stille generatie"),
        "Boomers": ("Boomers", "Baby-boomers", "Babyboomers"),
        "Gen X": ("Gen X", "Génération X", "Generatie X"),
        "Millennials": ("Millennials", "Milléniaux", "Millennials"),
        "Gen Z": ("Gen Z", "Génération Z", "Generatie Z"),
        "Gen Alpha": ("Gen Alpha", "Génération Alpha", "Generatie Alpha"),
    },
}

#: column -> (en, fr, nl) header
HEADERS: dict[str, tuple[str, str, str]] = {
    "customer_id": ("customer_id", "id client", "klant id"),
    "name": ("name", "nom", "naam"),
    "email": ("email", "e-mail", "e-mail"),
    "company": ("company", "société", "bedrijf"),
    "country": ("country", "pays", "land"),
    "region": ("region", "région", "regio"),
    "city": ("city", "ville", "stad"),
    "postal_code": ("postal_code", "code postal", "postcode"),
    "status": ("status", "statut", "status"),
    "owner": ("owner", "responsable", "eigenaar"),
    "notes": ("notes", "notes", "notities"),
    "next_action": ("next_action", "prochaine action", "volgende actie"),
    "orders": ("orders", "commandes", "bestellingen"),
    "first_order": ("first_order", "première commande", "eerste bestelling"),
    "last_order": ("last_order", "dernière commande", "laatste bestelling"),
    "days_since_last_order": ("days_since_last_order", "jours depuis dernière commande",
                              "dagen sinds laatste bestelling"),
    "tenure_days": ("tenure_days", "ancienneté (jours)", "klantduur (dagen)"),
    "frequency": ("frequency", "fréquence", "frequentie"),
    "recency": ("recency", "récence", "recentheid"),
    "T": ("T", "T", "T"),
    "monetary_value": ("monetary_value", "valeur monétaire", "monetaire waarde"),
    "customer_type": ("customer_type", "type client", "klanttype"),
    "is_current": ("is_current", "client actuel", "huidige klant"),
    "is_prescriber": ("is_prescriber", "prescripteur", "aanbrenger"),
    "referrals": ("referrals", "recommandations", "doorverwijzingen"),
    "is_referred": ("is_referred", "recommandé", "doorverwezen"),
    "is_target": ("is_target", "cible", "doelgroep"),
    "prospect_score": ("prospect_score", "score prospect", "prospectscore"),
    "temperature": ("temperature", "température", "temperatuur"),
    "bant": ("bant", "bant", "bant"),
    "revenue": ("revenue", "chiffre d'affaires", "omzet"),
    "list_revenue": ("list_revenue", "CA au prix catalogue", "omzet tegen lijstprijs"),
    "discount_rate": ("discount_rate", "taux de remise", "kortingspercentage"),
    "cost": ("cost", "coût", "kosten"),
    "gross_margin": ("gross_margin", "marge brute", "brutomarge"),
    "margin_rate": ("margin_rate", "taux de marque", "margepercentage"),
    "markup_rate": ("markup_rate", "taux de marge", "opslagpercentage"),
    "avg_order_value": ("avg_order_value", "panier moyen", "gemiddelde orderwaarde"),
    "cost_to_serve": ("cost_to_serve", "coût de service", "bedieningskosten"),
    "contribution": ("contribution", "contribution", "bijdrage"),
    "break_even_order_value": ("break_even_order_value", "commande seuil de rentabilité",
                               "break-even orderwaarde"),
    "abc_class": ("abc_class", "classe ABC", "ABC-klasse"),
    "profitability": ("profitability", "rentabilité", "winstgevendheid"),
    "clv": ("clv", "valeur vie client", "klantwaarde"),
    "r_score": ("r_score", "score R", "R-score"),
    "f_score": ("f_score", "score F", "F-score"),
    "m_score": ("m_score", "score M", "M-score"),
    "rfm_segment": ("rfm_segment", "segment RFM", "RFM-segment"),
    "generation": ("generation", "génération", "generatie"),
    "income_band": ("income_band", "tranche de revenu", "inkomensklasse"),
    "segments": ("segments", "segments", "segmenten"),
}

#: Words for booleans shown in cells.
BOOLEANS: dict[str, tuple[str, str]] = {"en": ("yes", "no"), "fr": ("oui", "non"),
                                        "nl": ("ja", "nee")}

#: The languages of the workbooks, in the order of every (en, fr, nl) tuple of words.
LANGUAGES: tuple[str, ...] = ("en", "fr", "nl")


def language_index(language: str) -> int:
    """Position of ``language`` in the (en, fr, nl) tuples of words."""
    return LANGUAGES.index(language)


def header(column: str, language: str) -> str:
    """The header a column gets in a sheet written in ``language``."""
    names = HEADERS.get(column)
    return names[language_index(language)] if names else column


def localize(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """A copy of an analysis table with values and headers in ``language`` (en, fr, nl)."""
    i = language_index(language)
    out = frame.copy()
    for column, words in VALUES.items():
        if column in out.columns:
            out[column] = out[column].map({k: v[i] for k, v in words.items()}).where(
                out[column].notna(), None)
    yes, no = BOOLEANS[language]
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column].dtype):
            out[column] = out[column].map({True: yes, False: no}).astype(object)
    return out.rename(columns={c: header(c, language) for c in out.columns})


def canonical_value(column: str, text: object, language: str = "en") -> object:
    """The canonical value behind a word typed in any language, or ``text`` unchanged.

    The workbook's own language is tried first: Dutch ``warm`` is the English ``hot``.
    """
    word = fold(text)
    own = _REVERSE_BY_LANGUAGE[language].get(column, {})
    return own.get(word, _REVERSE.get(column, {}).get(word, text))


def canonical_column(name: object) -> str | None:
    """The output column a header names in any language, or None."""
    return _REVERSE_HEADERS.get(fold(name))


_REVERSE: dict[str, dict[str, str]] = {
    column: {fold(w): key for key, words in table.items() for w in (key, *words)}
    for column, table in VALUES.items()
}
_REVERSE_BY_LANGUAGE: dict[str, dict[str, dict[str, str]]] = {
    language: {column: {fold(words[i]): key for key, words in table.items()}
               for column, table in VALUES.items()}
    for i, language in enumerate(LANGUAGES)
}
_REVERSE_HEADERS: dict[str, str] = {
    fold(w): column for column, words in HEADERS.items() for w in (column, *words)
}


def header_language(headers: pd.Index) -> str:
    """The language a table's headers are written in (English when unsure)."""
    folded = {fold(h) for h in headers}
    hits = {lang: sum(fold(names[i]) in folded for names in HEADERS.values())
            for i, lang in enumerate(LANGUAGES)}
    return max(hits, key=lambda lang: (hits[lang], lang == "en"))


def canonical_table(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """A shown analysis table (headers and words in any language) back to canonical headers
    and values, so the core's rules can read it."""
    table = frame.rename(columns=lambda c: canonical_column(c) or c)
    table = table.loc[:, ~table.columns.duplicated()].infer_objects()
    for column in VALUES:
        if column in table:
            codes, uniques = pd.factorize(table[column])
            known = np.array([canonical_value(column, w, language) for w in uniques] + [None],
                             dtype=object)
            table[column] = pd.Series(known[codes], index=table.index, dtype=object)
    return table
