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

#: column -> (en, fr, nl) header shown on the result sheets.  Code and the sync config use the
#: canonical names (the keys); re-reading a sheet recognises the keys, these words and
#: :data:`OLD_HEADERS`.
HEADERS: dict[str, tuple[str, str, str]] = {
    "customer_id": ("Customer ID", "N° client", "Klantnummer"),
    "name": ("Name", "Nom", "Naam"),
    "email": ("Email", "E-mail", "E-mail"),
    "phone": ("Phone", "Téléphone", "Telefoon"),
    "company": ("Company", "Société", "Bedrijf"),
    "country": ("Country", "Pays", "Land"),
    "region": ("Region", "Région", "Regio"),
    "city": ("City", "Ville", "Stad"),
    "postal_code": ("Postal code", "Code postal", "Postcode"),
    "status": ("Status", "Statut", "Status"),
    "owner": ("Owner", "Responsable", "Eigenaar"),
    "notes": ("Notes", "Notes", "Notities"),
    "next_action": ("Next action", "Prochaine action", "Volgende actie"),
    "orders": ("Orders", "Commandes", "Bestellingen"),
    "first_order": ("First order", "Première commande", "Eerste bestelling"),
    "last_order": ("Last order", "Dernière commande", "Laatste bestelling"),
    "days_since_last_order": ("Days since last order", "Jours depuis la dernière commande",
                              "Dagen sinds laatste bestelling"),
    "tenure_days": ("Customer for (days)", "Ancienneté (jours)", "Klant sinds (dagen)"),
    "frequency": ("Repeat orders", "Commandes répétées", "Herhaalbestellingen"),
    "recency": ("Days first to last order", "Jours première à dernière commande",
                "Dagen eerste tot laatste bestelling"),
    "T": ("Days since first order", "Jours depuis la première commande",
          "Dagen sinds eerste bestelling"),
    "monetary_value": ("Average repeat order", "Commande répétée moyenne",
                       "Gemiddelde herhaalbestelling"),
    "customer_type": ("Customer type", "Type de client", "Klanttype"),
    "is_current": ("Current customer", "Client actuel", "Huidige klant"),
    "is_prescriber": ("Refers others", "Prescripteur", "Aanbrenger"),
    "referrals": ("Referrals", "Recommandations", "Doorverwijzingen"),
    "is_referred": ("Was referred", "Recommandé", "Doorverwezen"),
    "is_target": ("In target", "Cible", "Doelgroep"),
    "prospect_score": ("Prospect score", "Score prospect", "Prospectscore"),
    "temperature": ("Temperature", "Température", "Temperatuur"),
    "bant": ("BANT", "BANT", "BANT"),
    "revenue": ("Revenue", "Chiffre d'affaires", "Omzet"),
    "list_revenue": ("Revenue at list price", "CA au prix catalogue", "Omzet tegen lijstprijs"),
    "discount_rate": ("Discount rate", "Taux de remise", "Kortingspercentage"),
    "cost": ("Cost", "Coût", "Kosten"),
    "gross_margin": ("Gross margin", "Marge brute", "Brutomarge"),
    "margin_rate": ("Margin rate", "Taux de marque", "Margepercentage"),
    "markup_rate": ("Markup rate", "Taux de marge", "Opslagpercentage"),
    "avg_order_value": ("Average order value", "Panier moyen", "Gemiddelde orderwaarde"),
    "cost_to_serve": ("Cost to serve", "Coût de service", "Bedieningskosten"),
    "contribution": ("Contribution", "Contribution", "Bijdrage"),
    "break_even_order_value": ("Break-even order value", "Commande seuil de rentabilité",
                               "Break-even orderwaarde"),
    "abc_class": ("ABC class", "Classe ABC", "ABC-klasse"),
    "profitability": ("Profitability", "Rentabilité", "Winstgevendheid"),
    "clv": ("Customer lifetime value", "Valeur vie client", "Klantwaarde"),
    "r_score": ("R score", "Score R", "R-score"),
    "f_score": ("F score", "Score F", "F-score"),
    "m_score": ("M score", "Score M", "M-score"),
    "rfm_segment": ("RFM segment", "Segment RFM", "RFM-segment"),
    "generation": ("Generation", "Génération", "Generatie"),
    "income_band": ("Income band", "Tranche de revenu", "Inkomensklasse"),
    "segments": ("Segments", "Segments", "Segmenten"),
    # Inputs a call list shows beside the analysis.
    "last_interaction": ("Last contact", "Dernier contact", "Laatste contact"),
    "days_since_contact": ("Days since contact", "Jours depuis le contact",
                           "Dagen sinds contact"),
    "budget": ("Budget", "Budget", "Budget"),
    "purchase_horizon_days": ("Buys within (days)", "Achat sous (jours)",
                              "Koopt binnen (dagen)"),
}

#: Headers earlier versions wrote (a re-read sheet of theirs is still understood).
OLD_HEADERS: dict[str, tuple[str, ...]] = {
    "customer_id": ("id client", "klant id"),
    "days_since_last_order": ("jours depuis dernière commande",),
    "tenure_days": ("tenure_days", "klantduur (dagen)"),
    "frequency": ("fréquence", "frequentie"),
    "recency": ("récence", "recentheid"),
    "monetary_value": ("valeur monétaire", "monetaire waarde"),
    "customer_type": ("type client",),
    "is_prescriber": ("is_prescriber",),
    "is_referred": ("is_referred",),
    "is_target": ("is_target",),
    "clv": ("clv",),
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


def output_column(name: object) -> str | None:
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
    fold(w): column for column, words in HEADERS.items()
    for w in (column, *words, *OLD_HEADERS.get(column, ()))
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
    table = frame.rename(columns=lambda c: output_column(c) or c)
    table = table.loc[:, ~table.columns.duplicated()].infer_objects()
    for column in VALUES:
        if column in table:
            codes, uniques = pd.factorize(table[column])
            known = np.array([canonical_value(column, w, language) for w in uniques] + [None],
                             dtype=object)
            table[column] = pd.Series(known[codes], index=table.index, dtype=object)
    return table
