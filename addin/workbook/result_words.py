"""The words of the result sheets, (en, fr, nl): tab names, Dashboard labels, month names,
Validation headers and severities.  One place for each, so a tab name or a label is never
copied: the reader skips the result sheets by :data:`RESULT_SHEET_NAMES`.
"""

from __future__ import annotations

import pandas as pd

from addin.core.labels import language_index

#: Fixed tab names of the result sheets, (en, fr, nl).
SHEET_NAMES: dict[str, tuple[str, str, str]] = {
    "dashboard": ("Dashboard", "Tableau de bord", "Dashboard"),
    "dashboard.data": ("Dashboard data", "Données du tableau", "Dashboardgegevens"),
    "analysis": ("Analysis", "Analyse", "Analyse"),
    "validation": ("Validation", "Validation", "Validatie"),
}
WORDS: dict[str, tuple[str, str, str]] = {
    "title": ("Customer dashboard", "Tableau de bord clients", "Klantendashboard"),
    "as_of": ("As of {date}", "Au {date}", "Op {date}"),
    "customers": ("Customers", "Clients", "Klanten"),
    "revenue": ("Revenue", "Chiffre d'affaires", "Omzet"),
    "gross_margin": ("Gross margin", "Marge brute", "Brutomarge"),
    "margin_rate": ("Margin rate", "Taux de marque", "Margepercentage"),
    "hot": ("Hot prospects", "Prospects chauds", "Warme prospects"),
    "at_risk": ("Customers at risk", "Clients à risque", "Klanten met risico"),
    "risk_revenue": ("Revenue of customers at risk", "CA des clients à risque",
                     "Omzet van klanten met risico"),
    "n/a": ("n/a", "n.d.", "n.b."),
    "rate_subset": ("Margin rate: gross margin over the revenue of the {n} customers (of {of} "
                    "with orders) whose cost is known.",
                    "Taux de marque : marge brute sur le chiffre d'affaires des {n} clients "
                    "(sur {of} ayant commandé) dont le coût est connu.",
                    "Margepercentage: brutomarge op de omzet van de {n} klanten (van de {of} "
                    "met bestellingen) waarvan de kosten bekend zijn."),
    "without_prospects": ("({n} prospects not shown)", "({n} prospects non affichés)",
                          "({n} prospects niet getoond)"),
    "problems": ("Data problems", "Problèmes de données", "Gegevensproblemen"),
    "by_type": ("Customers per type", "Clients par type", "Klanten per type"),
    "by_rfm": ("Customers per RFM segment", "Clients par segment RFM",
               "Klanten per RFM-segment"),
    "by_segment": ("{what} per RFM segment", "{what} par segment RFM", "{what} per RFM-segment"),
    "pareto": ("Top 20 % of customers = {share} of {what}",
               "Les 20 % premiers clients = {share} {what}",
               "Top 20 % van de klanten = {share} van de {what}"),
    "pareto_empty": ("Pareto curve of {what}", "Courbe de Pareto {what}",
                     "Paretocurve van de {what}"),
    "of_contribution": ("contribution", "de la contribution", "bijdrage"),
    "of_revenue": ("revenue", "du chiffre d'affaires", "omzet"),
    "share_customers": ("share of customers", "part des clients", "aandeel klanten"),
    "share_value": ("cumulative share", "part cumulée", "cumulatief aandeel"),
    "repeated": ("{n} cells (rows {rows}): ", "{n} cellules (lignes {rows}) : ",
                 "{n} cellen (rijen {rows}): "),
    "repeated_no_rows": ("{n} times: ", "{n} fois : ", "{n} keer: "),
    "no_problems": ("No problems found in the input.", "Aucun problème trouvé dans les données.",
                    "Geen problemen gevonden in de gegevens."),
    "see_validation": ("See the problems", "Voir les problèmes", "Zie de problemen"),
}
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}
VALIDATION_HEADERS: dict[str, tuple[str, str, str]] = {
    "sheet": ("Sheet", "Feuille", "Blad"), "row": ("Row", "Ligne", "Rij"),
    "column": ("Column", "Colonne", "Kolom"), "cell": ("Cell", "Cellule", "Cel"),
    "value": ("Value", "Valeur", "Waarde"), "severity": ("Severity", "Gravité", "Ernst"),
    "message": ("Message", "Message", "Bericht"),
}
SEVERITY: dict[str, tuple[str, str, str]] = {
    "error": ("error", "erreur", "fout"), "warning": ("warning", "avertissement", "waarschuwing"),
}
#: Every result sheet's tab name in every language: never input, even unmarked.
RESULT_SHEET_NAMES: frozenset[str] = frozenset(n for names in SHEET_NAMES.values() for n in names)


def word(key: str, language: str) -> str:
    """A word of the result sheets in the workbook's language."""
    return WORDS[key][language_index(language)]


def long_date(day: pd.Timestamp, language: str) -> str:
    """A date spelled out in the workbook's language: 30 June 2026, 30 juin 2026."""
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"
