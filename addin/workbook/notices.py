"""What a run did to the user's own content, told to the user in the workbook's language.

Edits of a workbook sometimes change what the user made: a name, formula, chart range, data
validation or conditional format pointing at a result sheet that went away becomes ``#REF!``
as Excel would make it, a link to that sheet is removed, a .xlsx copy of a .xlsm leaves its
macros out.  The package collects one :class:`Notice` per such change (a key and its
parameters, as the Validation messages are) and, once the file is saved, warns with
:class:`WorkbookNotice`; the CLI prints each as a line in the book's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from addin.core.labels import language_index
from addin.core.messages import form

#: key -> (en, fr, nl) templates; ``key.one`` is the form for a count ``n`` in the singular.
NOTICES: dict[str, tuple[str, str, str]] = {
    "note": ("Note: {text}", "Remarque : {text}", "Opmerking: {text}"),
    "name": (
        "the name {name} referred to the deleted sheet '{sheet}': it is now {formula}",
        "le nom {name} faisait référence à la feuille supprimée '{sheet}' : il vaut "
        "maintenant {formula}",
        "de naam {name} verwees naar het verwijderde blad '{sheet}': die is nu {formula}"),
    "formulas": (
        "{n} formulas of sheet '{where}' ({cells}) referred to the deleted sheet '{sheet}': "
        "they now show #REF!",
        "{n} formules de la feuille '{where}' ({cells}) faisaient référence à la feuille "
        "supprimée '{sheet}' : elles affichent maintenant #REF!",
        "{n} formules van blad '{where}' ({cells}) verwezen naar het verwijderde blad "
        "'{sheet}': ze tonen nu #REF!"),
    "formulas.one": (
        "{n} formula of sheet '{where}' ({cells}) referred to the deleted sheet '{sheet}': "
        "it now shows #REF!",
        "{n} formule de la feuille '{where}' ({cells}) faisait référence à la feuille "
        "supprimée '{sheet}' : elle affiche maintenant #REF!",
        "{n} formule van blad '{where}' ({cells}) verwees naar het verwijderde blad "
        "'{sheet}': ze toont nu #REF!"),
    "validations": (
        "{n} data validation rules of sheet '{where}' ({cells}) referred to the deleted sheet "
        "'{sheet}': they now refer to #REF!",
        "{n} règles de validation des données de la feuille '{where}' ({cells}) faisaient "
        "référence à la feuille supprimée '{sheet}' : elles renvoient maintenant à #REF!",
        "{n} regels voor gegevensvalidatie van blad '{where}' ({cells}) verwezen naar het "
        "verwijderde blad '{sheet}': ze verwijzen nu naar #REF!"),
    "validations.one": (
        "{n} data validation rule of sheet '{where}' ({cells}) referred to the deleted sheet "
        "'{sheet}': it now refers to #REF!",
        "{n} règle de validation des données de la feuille '{where}' ({cells}) faisait "
        "référence à la feuille supprimée '{sheet}' : elle renvoie maintenant à #REF!",
        "{n} regel voor gegevensvalidatie van blad '{where}' ({cells}) verwees naar het "
        "verwijderde blad '{sheet}': ze verwijst nu naar #REF!"),
    "formats": (
        "{n} conditional formats of sheet '{where}' ({cells}) referred to the deleted sheet "
        "'{sheet}': they now refer to #REF! and no longer apply",
        "{n} mises en forme conditionnelles de la feuille '{where}' ({cells}) faisaient "
        "référence à la feuille supprimée '{sheet}' : elles renvoient maintenant à #REF! et ne "
        "s'appliquent plus",
        "{n} voorwaardelijke opmaken van blad '{where}' ({cells}) verwezen naar het "
        "verwijderde blad '{sheet}': ze verwijzen nu naar #REF! en gelden niet meer"),
    "formats.one": (
        "{n} conditional format of sheet '{where}' ({cells}) referred to the deleted sheet "
        "'{sheet}': it now refers to #REF! and no longer applies",
        "{n} mise en forme conditionnelle de la feuille '{where}' ({cells}) faisait référence "
        "à la feuille supprimée '{sheet}' : elle renvoie maintenant à #REF! et ne s'applique "
        "plus",
        "{n} voorwaardelijke opmaak van blad '{where}' ({cells}) verwees naar het verwijderde "
        "blad '{sheet}': ze verwijst nu naar #REF! en geldt niet meer"),
    "chart": (
        "{n} data ranges of a chart on sheet '{where}' referred to the deleted sheet "
        "'{sheet}': they are now #REF! (the chart keeps the values it last showed)",
        "{n} plages de données d'un graphique de la feuille '{where}' faisaient référence à "
        "la feuille supprimée '{sheet}' : elles valent maintenant #REF! (le graphique garde "
        "les dernières valeurs affichées)",
        "{n} gegevensbereiken van een grafiek op blad '{where}' verwezen naar het verwijderde "
        "blad '{sheet}': ze zijn nu #REF! (de grafiek houdt de laatst getoonde waarden)"),
    "chart.one": (
        "{n} data range of a chart on sheet '{where}' referred to the deleted sheet "
        "'{sheet}': it is now #REF! (the chart keeps the values it last showed)",
        "{n} plage de données d'un graphique de la feuille '{where}' faisait référence à la "
        "feuille supprimée '{sheet}' : elle vaut maintenant #REF! (le graphique garde les "
        "dernières valeurs affichées)",
        "{n} gegevensbereik van een grafiek op blad '{where}' verwees naar het verwijderde "
        "blad '{sheet}': het is nu #REF! (de grafiek houdt de laatst getoonde waarden)"),
    "links": (
        "{n} links of sheet '{where}' ({cells}) led to the deleted sheet '{sheet}': removed, "
        "the cells keep their text",
        "{n} liens de la feuille '{where}' ({cells}) menaient à la feuille supprimée "
        "'{sheet}' : retirés, les cellules gardent leur texte",
        "{n} koppelingen van blad '{where}' ({cells}) leidden naar het verwijderde blad "
        "'{sheet}': verwijderd, de cellen houden hun tekst"),
    "links.one": (
        "{n} link of sheet '{where}' ({cells}) led to the deleted sheet '{sheet}': removed, "
        "the cell keeps its text",
        "{n} lien de la feuille '{where}' ({cells}) menait à la feuille supprimée '{sheet}' : "
        "retiré, la cellule garde son texte",
        "{n} koppeling van blad '{where}' ({cells}) leidde naar het verwijderde blad "
        "'{sheet}': verwijderd, de cel houdt haar tekst"),
    "columns": (
        "{n} formulas or rules of sheet '{where}' ({cells}) used a column that table {table} "
        "no longer has: they now show #REF!",
        "{n} formules ou règles de la feuille '{where}' ({cells}) utilisaient une colonne que "
        "le tableau {table} n'a plus : elles affichent maintenant #REF!",
        "{n} formules of regels van blad '{where}' ({cells}) gebruikten een kolom die tabel "
        "{table} niet meer heeft: ze tonen nu #REF!"),
    "columns.one": (
        "{n} formula or rule of sheet '{where}' ({cells}) used a column that table {table} "
        "no longer has: it now shows #REF!",
        "{n} formule ou règle de la feuille '{where}' ({cells}) utilisait une colonne que le "
        "tableau {table} n'a plus : elle affiche maintenant #REF!",
        "{n} formule of regel van blad '{where}' ({cells}) gebruikte een kolom die tabel "
        "{table} niet meer heeft: ze toont nu #REF!"),
    "name.columns": (
        "the name {name} used a column that table {table} no longer has: it is now {formula}",
        "le nom {name} utilisait une colonne que le tableau {table} n'a plus : il vaut "
        "maintenant {formula}",
        "de naam {name} gebruikte een kolom die tabel {table} niet meer heeft: die is nu "
        "{formula}"),
    "macros": (
        "{target} holds no macros: a .xlsx file cannot, so the VBA project of {source} was "
        "left out (write a .xlsm to keep it)",
        "{target} ne contient pas de macros : un fichier .xlsx ne le peut pas, le projet VBA "
        "de {source} a donc été laissé de côté (écrivez un .xlsm pour le garder)",
        "{target} bevat geen macro's: een .xlsx-bestand kan dat niet, dus het VBA-project van "
        "{source} is weggelaten (schrijf een .xlsm om het te houden)"),
}


@dataclass(frozen=True)
class Notice:
    """One change to the user's content: a key of :data:`NOTICES` and its parameters."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        """The notice in ``language`` (en, fr or nl), the count's singular form where due."""
        key = form(NOTICES, self.key, self.params.get("n"), language)
        return NOTICES[key][language_index(language)].format(**self.params)

    def line(self, language: str = "en") -> str:
        """The notice as the CLI prints it: ``Note: ...`` in ``language``."""
        return NOTICES["note"][language_index(language)].format(text=self.text(language))


class WorkbookNotice(UserWarning):
    """Something a run did to the user's own content that the user should hear of: names
    turned into #REF!, macros left out of a .xlsx copy.  The CLI prints these under its
    summary, in the workbook's language (:attr:`notice`); the warning's text is English."""

    def __init__(self, notice: Notice) -> None:
        super().__init__(notice.text())
        self.notice = notice
