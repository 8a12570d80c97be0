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
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

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


CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column("customer_id", "id", ("id", "customer", "client id", "id client", "identifiant",
                                 "numero client", "n client", "klant id", "klantid",
                                 "klantnummer", "klant nr", "code client")),
    Column("name", "text", ("customer name", "nom", "nom client", "naam", "klantnaam")),
    Column("email", "text", ("e-mail", "mail", "courriel", "adresse email", "emailadres")),
    Column("phone", "text", ("telephone", "tel", "phone number", "telephone number", "mobile",
                             "mobile phone", "cell phone", "portable", "gsm", "numero de telephone",
                             "telefoon", "telefoonnummer", "mobiel", "mobiel nummer")),
    Column("company", "text", ("societe", "entreprise", "raison sociale", "bedrijf",
                               "onderneming", "firma")),
    Column("country", "text", ("pays", "land")),
    Column("region", "text", ("provincie", "provincie regio", "regio")),
    Column("city", "text", ("ville", "commune", "stad", "gemeente", "plaats", "woonplaats")),
    Column("postal_code", "text", ("zip", "zip code", "postcode", "code postal", "cp")),
    Column("birth_year", "integer", ("annee de naissance", "annee naissance", "geboortejaar")),
    Column("birth_date", "date", ("date of birth", "dob", "date de naissance",
                                  "geboortedatum")),
    Column("age", "number", ("leeftijd",)),
    Column("income", "number", ("annual income", "revenu", "revenu annuel", "revenus",
                                "inkomen", "jaarinkomen")),
    Column("income_band", "text", ("tranche de revenu", "tranche revenu", "inkomensklasse",
                                   "inkomenscategorie")),
    Column("is_employee", "bool", ("employee", "staff", "employe", "salarie", "interne",
                                   "medewerker", "werknemer", "personeel")),
    Column("channel", "text", ("acquisition channel", "source", "canal", "canal d acquisition",
                               "kanaal", "bron")),
    Column("referred_by", "id", ("referrer", "parrain", "recommande par", "prescripteur",
                                 "aangebracht door", "doorverwezen door", "verwezen door")),
    Column("satisfaction", "number", ("csat", "satisfaction client", "tevredenheid")),
    Column("nps", "number", ("net promoter score",)),
    Column("complaint", "count", ("complaints", "reclamation", "reclamations", "plainte",
                                  "plaintes", "klacht", "klachten")),
    Column("first_contact", "date", ("first contact date", "premier contact",
                                     "date premier contact", "eerste contact")),
    Column("last_interaction", "date", ("last contact", "derniere interaction",
                                        "dernier contact", "laatste interactie",
                                        "laatste contact")),
    Column("pages_visited", "number", ("page views", "pages vues", "pages visitees",
                                       "bezochte paginas", "paginaweergaven")),
    Column("form_submitted", "bool", ("form", "formulaire", "formulaire envoye",
                                      "formulaire rempli", "formulier", "formulier ingevuld",
                                      "formulier verzonden")),
    Column("budget", "number", ()),
    Column("decision_maker", "bool", ("decideur", "beslisser", "beslissingsnemer")),
    Column("need", "need", ("besoin", "behoefte", "nood")),
    Column("purchase_horizon_days", "number", ("purchase horizon", "horizon d achat",
                                               "horizon achat jours", "delai d achat",
                                               "aankoophorizon", "aankooptermijn")),
    Column("status", "text", ("statut", "etat")),
    Column("owner", "text", ("account owner", "sales owner", "commercial", "responsable",
                             "eigenaar", "verkoper", "accountmanager")),
    Column("notes", "text", ("note", "remarques", "commentaires", "opmerkingen", "notities")),
    Column("next_action", "text", ("prochaine action", "volgende actie", "volgende stap")),
)

ORDER_COLUMNS: tuple[Column, ...] = (
    Column("order_id", "id", ("order", "order number", "invoice", "id commande", "commande",
                              "numero commande", "n commande", "facture", "bestelling",
                              "bestelnummer", "order nr", "factuur")),
    Column("customer_id", "id", tuple(a for a in CUSTOMER_COLUMNS[0].aliases if a != "id")),
    Column("order_date", "date", ("date", "date commande", "date de commande", "besteldatum",
                                  "datum", "orderdatum", "factuurdatum", "date facture")),
    Column("quantity", "number", ("qty", "quantite", "qte", "aantal", "hoeveelheid")),
    Column("unit_price", "number", ("price", "net price", "prix", "prix unitaire", "prix net",
                                    "pu", "prijs", "eenheidsprijs", "stukprijs",
                                    "nettoprijs")),
    Column("amount", "number", ("total", "line total", "montant", "montant net", "total ligne",
                                "bedrag", "totaal", "regeltotaal")),
    Column("list_price", "number", ("catalog price", "prix catalogue", "prix de liste",
                                    "prix public", "catalogusprijs", "lijstprijs")),
    Column("unit_cost", "number", ("cost", "cout", "cout unitaire", "prix de revient",
                                   "kostprijs", "kosten", "inkoopprijs")),
    Column("product", "text", ("item", "sku", "produit", "article", "reference", "artikel")),
    Column("category", "text", ("categorie", "famille", "gamme", "categorie produit",
                                "productgroep")),
)

SEGMENT_COLUMNS: tuple[Column, ...] = (
    Column("segment", "text", ("segment name", "nom du segment", "liste", "segmentnaam",
                               "lijst")),
    Column("field", "text", ("column", "colonne", "champ", "kolom", "veld")),
    Column("operator", "text", ("op", "operateur", "operator", "operateur de comparaison")),
    Column("value", "text", ("valeur", "waarde")),
)

SETTING_COLUMNS: tuple[Column, ...] = (
    Column("key", "text", ("setting", "parameter", "name", "cle", "parametre", "nom",
                           "sleutel", "instelling", "naam")),
    Column("value", "text", ("valeur", "waarde")),
)

#: Canonical sheet name -> the names a user may give it.
SHEET_ALIASES: dict[str, tuple[str, ...]] = {
    "customers": ("customers", "customer", "clients", "client", "clientele", "klanten", "klant"),
    "orders": ("orders", "order", "sales", "commandes", "commande", "ventes", "bestellingen",
               "bestelling", "verkopen"),
    "segments": ("segments", "segment", "segmenten", "rules", "regles", "regels"),
    "settings": ("settings", "parameters", "parametres", "reglages", "instellingen",
                 "configuration", "config"),
}

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "customers": CUSTOMER_COLUMNS,
    "orders": ORDER_COLUMNS,
    "segments": SEGMENT_COLUMNS,
    "settings": SETTING_COLUMNS,
}

#: Columns each sheet cannot do without.
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "orders": ("customer_id", "order_date"),
    "segments": ("segment", "field", "operator"),
    "settings": ("key", "value"),
}

#: Names a user may give the special "Target" segment (flag ``is_target``).
TARGET_SEGMENT_NAMES: frozenset[str] = frozenset({"target", "cible", "doelgroep"})

#: Sales-owned customer columns: edited in Google Sheets, never computed.
SALES_COLUMNS: tuple[str, ...] = ("status", "owner", "notes", "next_action")


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


def canonical_columns(sheet: str, headers: Iterable[object]) -> dict[object, str]:
    """Map each recognised header to its canonical column name; the first header wins a name.

    Unrecognised headers are left out of the mapping: they are kept as they are by the callers,
    since a user segment rule may refer to them.
    """
    aliases = _ALIASES[sheet]
    mapping: dict[object, str] = {}
    taken: set[str] = set()
    for header in headers:
        name = _known_as(aliases, header)
        if name is not None and name not in taken:
            mapping[header] = name
            taken.add(name)
    return mapping


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
