"""Workbooks as CRMs and shops export them (issue 20), made by hand cell by cell.

Headers are those the tools write (Shopify's orders export, Pipedrive's people and deals,
HubSpot's contacts beside a Belgian wholesaler's Dutch order lines), values as they export
them (timestamps with a zone, e-mails in other capitals, names instead of ids).  The expected
figures are worked out by hand in the tests (tests/workbook/test_exports.py).
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter


def _settings(book: xlsxwriter.Workbook) -> None:
    """What a user adds to an export: the analysis date and the book's time zone."""
    sheet = book.add_worksheet("Settings")
    sheet.write_row(0, 0, ["Setting", "Value"])
    sheet.write_row(1, 0, ["as_of", "2026-06-30"])
    sheet.write_row(2, 0, ["timezone", "Europe/Brussels"])


def shopify(path: Path) -> Path:
    """Shopify: a customers export, and an orders export (one row per line item, the order's
    fields on its first line only, the customer named by e-mail)."""
    book = xlsxwriter.Workbook(str(path))
    customers = book.add_worksheet("Customers")
    customers.write_row(0, 0, ["Customer ID", "First Name", "Last Name", "Email",
                               "Accepts Email Marketing", "Default Address City",
                               "Default Address Country Code", "Phone", "Total Spent",
                               "Tags"])
    customers.write_row(1, 0, [7001, "Ann", "Janssens", "ann@shop.be", "yes", "Gent", "BE",
                               "+32 475 12 34 56", 74.8, "vip"])
    customers.write_row(2, 0, [7002, "Bob", "Claes", "bob@shop.be", "no", "Leuven", "BE",
                               "+32 476 65 43 21", 100, ""])
    customers.write_row(3, 0, [7003, "Cara", "Wils", "cara@shop.be", "yes", "Brugge", "BE"])
    orders = book.add_worksheet("Orders")
    orders.write_row(0, 0, ["Name", "Email", "Financial Status", "Paid at", "Currency",
                            "Total", "Created at", "Lineitem quantity", "Lineitem name",
                            "Lineitem price", "Lineitem compare at price", "Billing Name"])
    rows = [
        ["#1001", "ann@shop.be", "paid", "2026-03-16 10:16:02 +0100", "EUR", "49.75",
         "2026-03-16 10:15:00 +0100", 2, "Candle", "19.90", "24.90", "Ann Janssens"],
        ["#1001", "ann@shop.be", None, None, None, None, "2026-03-16 10:15:00 +0100", 1,
         "Matches", "5.00", None, None],
        ["#1002", "BOB@shop.be", "paid", "2026-06-01 23:31:00 -0400", "EUR", "107.00",
         "2026-06-01 23:30:00 -0400", 1, "Lamp", "100.00", "120.00", "Bob Claes"],
        ["#1003", "ann@shop.be", "paid", "2026-06-20 08:01:00 +0200", "EUR", "36.00",
         "2026-06-20 08:00:00 +0200", 3, "Candle", "10.00", None, "Ann Janssens"],
    ]
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            if value is not None:
                orders.write(i, j, value)
    _settings(book)
    book.close()
    return path


def pipedrive(path: Path) -> Path:
    """Pipedrive: people and won deals, each deal naming its contact person by name."""
    book = xlsxwriter.Workbook(str(path))
    people = book.add_worksheet("People")
    people.write_row(0, 0, ["Person - ID", "Person - Name", "Person - Email - Work",
                            "Person - Phone - Work", "Person - Organization",
                            "Person - Owner", "Person - Person created"])
    people.write_row(1, 0, [11, "Jan Peeters", "jan@acme.be", "+32 2 123 45 67", "Acme NV",
                            "Lotte", "2025-11-03 09:12:44"])
    people.write_row(2, 0, [12, "Sofie Maes", "sofie@maes.be", "0476 11 22 33", "Maes BV",
                            "Lotte", "2026-01-20 16:40:00"])
    people.write_row(3, 0, [13, "Pieter Wouters", "pieter@wouters.be", None, None, "Tom",
                            "2026-06-01 08:00:00"])
    deals = book.add_worksheet("Deals")
    deals.write_row(0, 0, ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency",
                           "Deal - Contact person", "Deal - Organization", "Deal - Status",
                           "Deal - Won time"])
    deals.write_row(1, 0, [101, "Acme renewal", 1500, "EUR", "Jan Peeters", "Acme NV", "won",
                           "2026-02-10 14:00:00"])
    deals.write_row(2, 0, [102, "Maes pilot", 800, "EUR", "sofie maes", "Maes BV", "won",
                           "2026-05-05 09:00:00"])
    deals.write_row(3, 0, [103, "Acme extension", 700, "EUR", "JAN PEETERS", "Acme NV", "won",
                           "2026-06-15 16:30:00"])
    _settings(book)
    book.close()
    return path


def hubspot_wholesaler(path: Path) -> Path:
    """HubSpot contacts pasted beside a Belgian wholesaler's order lines (Dutch headers,
    ``Prijs per stuk``, and one price header of its own: ``Netto p/st``)."""
    book = xlsxwriter.Workbook(str(path))
    contacts = book.add_worksheet("Klanten")
    contacts.write(0, 0, "HubSpot — export contacten 30/06/2026")  # a title row
    contacts.write_row(1, 0, ["Record ID", "First Name", "Last Name", "Email", "Phone Number",
                              "Company Name", "Lifecycle Stage", "Create Date",
                              "Last Activity Date", "Number of Pageviews",
                              "Number of Form Submissions"])
    contacts.write_row(2, 0, ["501", "Luc", "Declercq", "luc@bakkerij.be", "+32 9 222 33 44",
                              "Bakkerij Declercq", "customer", "2025-09-01 10:00",
                              "2026-03-16T10:15:00Z"])
    contacts.write_row(3, 0, ["502", "Marie", "Dubois", "marie@fleurs.be", "+32 4 555 66 77",
                              "Fleurs Dubois", "customer", "2026-01-10 09:00",
                              "2026-06-29T22:30:00Z"])
    contacts.write_row(4, 0, ["503", "Nora", "Lambert", "nora@atelier.be", None,
                              "Atelier Lambert", "lead", "2026-06-01 09:00",
                              "2026-06-28T08:00:00Z", 10, 1])
    lines = book.add_worksheet("Bestellingen")
    lines.write_row(0, 0, ["Factuurnummer", "Klantnummer", "Factuurdatum", "Artikel",
                           "Aantal", "Prijs per stuk", "Netto p/st"])
    rows = [["F-1", "501", "15/01/2026", "Bloem T55 25kg", 10, "18,50", "17,00"],
            ["F-1", "501", "15/01/2026", "Gist 500g", 4, "3,20", "3,00"],
            ["F-2", "502", "02/06/2026", "Linten", 25, "1,10", "1,00"],
            ["F-3", "501", "20/06/2026", "Bloem T55 25kg", 12, "18,50", "17,50"]]
    for i, row in enumerate(rows, start=1):
        lines.write_row(i, 0, row)
    _settings(book)
    book.close()
    return path


def teamleader_odoo(path: Path) -> Path:
    """A French book: Teamleader contacts (Prénom + Nom, no id) and Odoo order lines naming
    the customer by company or by name, amounts typed the French way."""
    book = xlsxwriter.Workbook(str(path))
    contacts = book.add_worksheet("Contacts")
    contacts.write_row(0, 0, ["Prénom", "Nom", "E-mail", "Téléphone", "Société", "Ajouté le"])
    contacts.write_row(1, 0, ["Claire", "Martin", "claire@boulangerie-martin.fr",
                              "+33 1 23 45 67 89", "Boulangerie Martin", "12/01/2026"])
    contacts.write_row(2, 0, ["Hugo", "Bernard", "hugo@bernard.fr", "06 12 34 56 78", None,
                              "03/03/2026"])
    lines = book.add_worksheet("Commandes")
    lines.write_row(0, 0, ["Référence de la commande", "Client", "Date de commande", "Produit",
                           "Quantité", "Prix unitaire", "Sous-total"])
    rows = [["S00012", "Boulangerie Martin", "2026-02-03 09:30:00", "Farine", 5, "18,00",
             "90,00"],
            ["S00012", "Boulangerie Martin", "2026-02-03 09:30:00", "Levure", 2, "9,00",
             "18,00"],
            ["S00019", "hugo bernard", "2026-05-20 14:00:00", "Farine", 1, "18,00", "18,00"],
            ["S00021", "BOULANGERIE MARTIN", "2026-06-25 08:15:00", "Sucre", 10, "2,50",
             "25,00"]]
    for i, row in enumerate(rows, start=1):
        lines.write_row(i, 0, row)
    settings = book.add_worksheet("Paramètres")
    settings.write_row(0, 0, ["Paramètre", "Valeur"])
    settings.write_row(1, 0, ["langue", "fr"])
    settings.write_row(2, 0, ["date d'analyse", "30/06/2026"])
    settings.write_row(3, 0, ["fuseau horaire", "Europe/Paris"])
    book.close()
    return path
