"""The alias table (addin/core/data/aliases.toml): the headers real exports write are
recognised without a mapping, every alias in any spelling finds its field, no two fields
share one, and the header row is found by what it names."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.core.schema import (
    ALIAS_DATA,
    KINDS,
    canonical_columns,
    fold,
    header_row,
    match_sheet,
)

#: Source -> sheet -> (header as the tool exports it, field it must be read as).
SOURCES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "hubspot": {
        "customers": [("Record ID", "customer_id"), ("First Name", "first_name"),
                      ("Last Name", "last_name"), ("Email", "email"),
                      ("Phone Number", "phone"), ("Company Name", "company"),
                      ("Lifecycle Stage", "status"), ("Create Date", "first_contact"),
                      ("Last Activity Date", "last_interaction"),
                      ("Contact owner", "owner"), ("City", "city"),
                      ("Country/Region", "country"), ("State/Region", "region"),
                      ("Postal Code", "postal_code"), ("Original Source", "channel"),
                      ("Number of Pageviews", "pages_visited"),
                      ("Number of Form Submissions", "form_submitted")],
        "orders": [("Record ID", "order_id"), ("Deal Name", "order_id"),
                   ("Amount", "amount"), ("Close Date", "order_date"),
                   ("Deal Amount", "amount"), ("Associated Contact", "customer_name")],
    },
    "salesforce": {
        "customers": [("Contact ID", "customer_id"), ("First Name", "first_name"),
                      ("Last Name", "last_name"), ("Email", "email"), ("Phone", "phone"),
                      ("Mobile Phone", "phone"), ("Account Name", "company"),
                      ("Mailing City", "city"), ("Mailing Country", "country"),
                      ("Mailing Zip/Postal Code", "postal_code"), ("Lead Source", "channel"),
                      ("Created Date", "first_contact"), ("Account Owner", "owner"),
                      ("Birthdate", "birth_date"), ("Description", "notes")],
        "orders": [("Opportunity ID", "order_id"), ("Opportunity Name", "order_id"),
                   ("Account Name", "customer_name"), ("Amount", "amount"),
                   ("Close Date", "order_date"), ("Account ID", "customer_id")],
    },
    "pipedrive": {
        "customers": [("Person - ID", "customer_id"), ("Person - Name", "name"),
                      ("Person - Email - Work", "email"), ("Person - Phone - Work", "phone"),
                      ("Person - Organization", "company"), ("Person - Owner", "owner"),
                      ("Person - Person created", "first_contact"),
                      ("Person - Last activity date", "last_interaction")],
        "orders": [("Deal - ID", "order_id"), ("Deal - Title", "order_id"),
                   ("Deal - Value", "amount"), ("Deal - Contact person", "customer_name"),
                   ("Deal - Won time", "order_date"), ("Value", "amount"),
                   ("Contact person", "customer_name"), ("Won time", "order_date")],
    },
    "odoo": {
        "customers": [("External ID", "customer_id"), ("Name", "name"), ("Email", "email"),
                      ("Phone", "phone"), ("Mobile", "phone"), ("Company Name", "company"),
                      ("City", "city"), ("Zip", "postal_code"), ("Country", "country"),
                      ("Salesperson", "owner"), ("Nom", "name"), ("Ville", "city"),
                      ("Code postal", "postal_code"), ("Vendeur", "owner")],
        "orders": [("Order Reference", "order_id"), ("Customer", "customer_id"),
                   ("Order Date", "order_date"), ("Untaxed Amount", "amount"),
                   ("Order Lines/Product", "product"), ("Order Lines/Quantity", "quantity"),
                   ("Order Lines/Unit Price", "unit_price"),
                   ("Référence de la commande", "order_id"), ("Date de commande", "order_date"),
                   ("Prix unitaire", "unit_price"), ("Quantité", "quantity"),
                   ("Montant HT", "amount"), ("Orderreferentie", "order_id"),
                   ("Orderdatum", "order_date"), ("Prijs per eenheid", "unit_price"),
                   ("Hoeveelheid", "quantity")],
    },
    "teamleader": {
        "customers": [("First name", "first_name"), ("Last name", "last_name"),
                      ("E-mail", "email"), ("Telephone", "phone"), ("Mobile", "phone"),
                      ("Company", "company"), ("Added on", "first_contact"),
                      ("Voornaam", "first_name"), ("Familienaam", "last_name"),
                      ("Telefoon", "phone"), ("GSM", "phone"), ("Bedrijf", "company"),
                      ("Gemeente", "city"), ("Postcode", "postal_code"), ("Land", "country"),
                      ("Toegevoegd op", "first_contact"), ("Prénom", "first_name"),
                      ("Téléphone", "phone"), ("Société", "company"), ("Ajouté le",
                                                                       "first_contact")],
    },
    "shopify": {
        "customers": [("Customer ID", "customer_id"), ("First Name", "first_name"),
                      ("Last Name", "last_name"), ("Email", "email"), ("Phone", "phone"),
                      ("Company", "company"), ("City", "city"), ("Province", "region"),
                      ("Country Code", "country"), ("Zip", "postal_code"),
                      ("Note", "notes"), ("Default Address City", "city"),
                      ("Default Address Company", "company"),
                      ("Default Address Country Code", "country"),
                      ("Default Address Zip", "postal_code")],
        "orders": [("Name", "order_id"), ("Email", "customer_email"),
                   ("Created at", "order_date"),
                   ("Lineitem quantity", "quantity"), ("Lineitem name", "product"),
                   ("Lineitem price", "unit_price"),
                   ("Lineitem compare at price", "list_price"), ("Lineitem sku", "product"),
                   ("Billing Name", "customer_name"), ("Total", "amount"),
                   ("Subtotal", "amount"), ("Vendor", "category")],
    },
    "woocommerce": {
        "customers": [("Name", "name"), ("Email", "email"), ("Sign up", "first_contact"),
                      ("Last active", "last_interaction"), ("Country / Region", "country"),
                      ("City", "city"), ("Region", "region"), ("Postal code", "postal_code"),
                      ("Billing First Name", "first_name"),
                      ("Billing Last Name", "last_name"), ("Billing Phone", "phone")],
        "orders": [("Order #", "order_id"), ("Order Number", "order_id"),
                   ("Date", "order_date"), ("Order Date", "order_date"),
                   ("Customer", "customer_id"), ("Product(s)", "product"),
                   ("Items sold", "quantity"), ("Net Sales", "amount"),
                   ("Billing Email", "customer_email"), ("Order Total", "amount"),
                   ("Item Name", "product"), ("Quantity", "quantity")],
    },
    "english, french and dutch": {
        "customers": [("Customer ID", "customer_id"), ("N° client", "customer_id"),
                      ("Klantnummer", "customer_id"), ("Full Name", "name"),
                      ("Nom complet", "name"), ("Volledige naam", "name"),
                      ("Téléphone", "phone"), ("Telefoonnummer", "phone"), ("GSM", "phone"),
                      ("Mobile", "phone"), ("Adresse e-mail", "email"),
                      ("E-mailadres", "email"), ("Date de création", "first_contact"),
                      ("Aanmaakdatum", "first_contact"), ("Statut", "status")],
        "orders": [("Prijs per stuk", "unit_price"), ("Stukprijs", "unit_price"),
                   ("Eenheidsprijs", "unit_price"), ("Prix unitaire", "unit_price"),
                   ("PU", "unit_price"), ("Price each", "unit_price"),
                   ("Unit price", "unit_price"), ("N° facture", "order_id"),
                   ("Factuurnummer", "order_id"), ("Date de facturation", "order_date"),
                   ("Factuurdatum", "order_date"), ("Prix catalogue", "list_price"),
                   ("Prix d'achat", "unit_cost"), ("Inkoopprijs", "unit_cost"),
                   ("Nom du client", "customer_name"), ("Klantnaam", "customer_name")],
    },
}


@pytest.mark.parametrize(("source", "sheet"), [(s, k) for s, sheets in SOURCES.items()
                                               for k in sheets])
def test_the_headers_of_each_source_are_recognised(source: str, sheet: str) -> None:
    for header, field in SOURCES[source][sheet]:
        assert canonical_columns(sheet, [header]) == {header: field}, (source, header)


def test_every_alias_names_a_field_the_code_reads() -> None:
    for sheet, fields in ALIAS_DATA.items():
        if sheet != "sheets":
            assert set(fields) <= set(KINDS[sheet])


def test_no_two_fields_share_an_alias() -> None:
    for sheet, fields in ALIAS_DATA.items():
        if sheet == "sheets":
            continue
        owner: dict[str, str] = {}
        for field, aliases in fields.items():
            for alias in (field, *aliases):
                assert owner.setdefault(fold(alias), field) == field, (sheet, alias)
    names = [fold(n) for names in ALIAS_DATA["sheets"].values() for n in names]
    assert len(names) == len(set(names))


_ALIASES = [(sheet, field, alias) for sheet, fields in ALIAS_DATA.items() if sheet != "sheets"
            for field, aliases in fields.items() for alias in (field, *aliases)]
_ACCENTS = {"e": "éèê", "a": "àâ", "i": "î", "o": "ô", "u": "ü", "c": "ç"}


@st.composite
def spelled(draw: st.DrawFn) -> tuple[str, str, str]:
    """An alias as a person may type it: any case, accents, spaces, _ - . ' around words."""
    sheet, field, alias = draw(st.sampled_from(_ALIASES))
    out = []
    for char in alias:
        if char.isalpha():
            if char in _ACCENTS and draw(st.booleans()):
                char = draw(st.sampled_from(_ACCENTS[char]))
            char = char.upper() if draw(st.booleans()) else char
        elif char in " _-/'.":
            char = draw(st.sampled_from([" ", "_", "-", ".", "  ", "'", ""]))
        out.append(char)
    padding = st.sampled_from(["", " ", "  "])
    return sheet, field, draw(padding) + "".join(out) + draw(padding)


@given(spelled())
def test_any_spelling_of_an_alias_finds_its_field(case: tuple[str, str, str]) -> None:
    sheet, field, header = case
    assert unicodedata.normalize("NFC", header)  # a real string
    assert canonical_columns(sheet, [header]) == {header: field}


def test_sheet_names_of_exports_are_recognised() -> None:
    assert match_sheet("Contacts") == "customers"
    assert match_sheet("Deals") == "orders"
    assert match_sheet("Kolommen") == match_sheet("Colonnes") == "columns"


def test_the_header_row_is_the_row_naming_most_columns() -> None:
    rows = [["HubSpot export — contacts", None, None],  # a title
            ["Record Identifier", "Email", "First Name"],  # an unknown id header
            ["1001", "ann@example.com", "Ann"]]
    assert header_row(rows, "customers") == 1
    # A title that happens to be a name of the key loses to the header row naming more.
    assert header_row([["Customer"], ["Klant-ref", "Name", "Email", "City"],
                       ["K-1", "Ann", "ann@x.be", "Gent"]], "customers") == 1
    # A title naming one known word does not beat the header row below it.
    assert header_row([["Customer"], ["Customer ID", "Name", "Email"], ["C1", "x", "y"]],
                      "customers") == 1
    # Data rows (numbers, dates) never count as headers.
    assert header_row([[1, 2.5, None], ["Prix unitaire", "Quantité", "Date"]],
                      "orders") == 1
    assert header_row([["Something", "Else"], ["a", "b"]], "customers") is None


def test_a_user_mapping_decides_first() -> None:
    mapping = {"orders": {"Prijs/st.": "unit_price", "Prijs": "ignore"}}
    found = canonical_columns("orders", ["Prijs", "Prijs/st.", "Datum"], mapping)
    assert found == {"Prijs/st.": "unit_price", "Datum": "order_date"}
    assert header_row([["Prijs/st.", "Klant"]], "orders", mapping) == 0
