"""Three workbooks made the way small businesses keep them by hand (issue 12).

Each is typed cell by cell as a person would: text amounts in the local convention, headers
with units, a merged title row, an Excel Table, hidden columns, cached formula values and
error cells.  Every problem planted in them is listed in ``PLANTED`` (sheet, row, column and
a part of the message), and the tests check the expected figures worked out by hand.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import xlsxwriter
from workbooks import vba_project

#: (sheet, row or None, column, severity, part of the message) of every problem planted.
PLANTED: dict[str, list[tuple[str, int | None, str, str, str]]] = {
    "boutique.xlsx": [
        ("Clients", None, "Fidélité (carte)", "warning", "column not recognised"),
        ("Clients", 7, "Revenu annuel (€)", "error", "'inconnu' is not a number"),
        ("Commandes", 5, "Montant (€)", "error", "Excel error value #N/A"),
        ("Commandes", 6, "N° client", "warning", "this id is not in the Customers sheet"),
        ("Commandes", 7, "Montant (€)", "warning", "no 'Montant (€)': the order counts"),
    ],
    "groothandel.xlsx": [
        ("Klanten", 2, "F", "warning", "the header cell is part of merged cells"),
        ("Klanten", None, "Adres", "warning", "column not recognised"),
        ("Klanten", None, "Interne code", "warning", "column not recognised"),
        ("Klanten", 5, "Inkomen", "error", "Excel error value #N/A"),
        ("Klanten", 6, "Tevredenheid", "error", "Tevredenheid must be between 1 and 5"),
        ("Bestellingen", 4, "Bestelnummer", "warning",
         "this Bestelnummer has lines on two or more dates"),
        ("Bestellingen", 6, "Stukprijs", "error", "'n.v.t.' is not a number"),
        ("Bestellingen", 6, "Bedrag", "error", "Excel error value #VALUE!"),
    ],
    "shop.xlsm": [  # "Phone" is read (the call lists show it): not a problem
        ("Customers", 2, "Income", "warning", "read as 52000 — thousands separator"),
        ("Orders", 4, "Unit price ($)", "warning", "no 'Unit price ($)': the order counts"),
    ],
}


def french_shop(path: Path) -> Path:
    """A French shop: a merged title row above an Excel Table, amounts typed as text."""
    book = xlsxwriter.Workbook(str(path))
    title = book.add_format({"bold": True, "font_size": 14})
    sheet = book.add_worksheet("Clients")
    sheet.merge_range("A1:I1", "Boutique Lumière — fichier clients 2026", title)
    headers = ["N° client", "Nom", "Budget (€)", "Décideur", "Besoin",
               "Horizon d'achat (jours)", "Pages vues", "Revenu annuel (€)", "Fidélité (carte)"]
    rows = [
        ["C001", "Amélie Dupont", "€ 3.000", "oui", "oui", 30, 10, "45 000 €", "oui"],
        ["C002", "Bruno Martin", "1 500,50 €", "non", 1, 120, 2, "32 000", "non"],
        ["C003", "Chloé Bernard", None, None, None, None, None, "58.000 €", "oui"],
        ["C004", "Denis Petit", None, None, None, None, None, "inconnu", None],
    ]
    sheet.add_table(2, 0, 2 + len(rows), len(headers) - 1,
                    {"name": "Clients", "columns": [{"header": h} for h in headers]})
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                sheet.write(3 + i, j, value)
    orders = book.add_worksheet("Commandes")
    orders.write_row(0, 0, ["N° commande", "N° client", "Date", "Montant (€)"])
    lines = [["F001", "C002", "15/01/2026", "1 234,50 €"],
             ["F002", "C002", "20/03/2026", "89,90"],
             ["F003", "C003", "05/06/2026", "€ 3.000"],
             ["F004", "C003", "10/06/2026", None],
             ["F005", "C009", "01/02/2026", "50"],
             ["F006", "C002", "25/06/2026", None]]
    for i, line in enumerate(lines):
        orders.write_row(1 + i, 0, [v for v in line if v is not None])
    orders.write_formula("D5", "=NA()", None, "#N/A")  # a lookup that found nothing
    settings = book.add_worksheet("Paramètres")
    settings.write_row(0, 0, ["Paramètre", "Valeur"])
    settings.write_row(1, 0, ["langue", "fr"])
    settings.write_row(2, 0, ["date d'analyse", "30/06/2026"])
    settings.write_row(3, 0, ["tranches de revenu", "30.000; 50.000"])
    book.close()
    return path


def dutch_wholesaler(path: Path) -> Path:
    """A Dutch wholesaler: merged headers, a hidden column, amounts as cached formulas and
    error cells."""
    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "dd-mm-yyyy"})
    sheet = book.add_worksheet("Klanten")
    sheet.merge_range("A1:H1", "Groothandel De Vries — klanten")
    sheet.write_row(1, 0, ["Klantnummer", "Naam", "Inkomen", "Geboortedatum"])
    sheet.merge_range("E2:F2", "Adres")  # street in E, town in F, under one header
    sheet.write_row(1, 6, ["Interne code", "Tevredenheid"])
    sheet.set_column(6, 6, None, None, {"hidden": True})
    sheet.write_row(2, 0, ["K1", "Jansen", "45.000", "12-05-1980", "Dorpstraat 1", "Utrecht",
                           "X-17", 4])
    sheet.write_row(3, 0, ["K2", "de Boer", "€ 82.500,00"])
    sheet.write_datetime(3, 3, datetime(1965, 3, 1), date)
    sheet.write_row(3, 4, ["Kerkweg 9", "Zwolle", "X-18", 5])
    sheet.write_row(4, 0, ["K3", "Visser"])
    sheet.write_formula(4, 2, "=VLOOKUP(A5,Inkomens!A:B,2,FALSE)", None, "#N/A")
    sheet.write_row(5, 0, ["K4", "Smit", "30.000", None, "Markt 3", "Gouda", "X-20", -1])
    orders = book.add_worksheet("Bestellingen")
    orders.write_row(0, 0, ["Bestelnummer", "Klantnummer", "Besteldatum", "Aantal",
                            "Stukprijs", "Bedrag"])
    lines = [("B1", "K1", datetime(2026, 1, 10), 2, "12,50", 25),
             ("B2", "K1", datetime(2026, 3, 15), 1, 100, 100),
             ("B2", "K1", datetime(2026, 3, 16), 1, 50, 50),
             ("B3", "K2", datetime(2026, 6, 1), 3, "1.250", 3750),
             ("B4", "K2", datetime(2026, 6, 20), 1, "n.v.t.", "#VALUE!"),
             ("B5", "K4", datetime(2025, 5, 1), 1, 40, 40)]
    for i, (order, who, day, quantity, price, cached) in enumerate(lines):
        row = i + 1
        orders.write_row(row, 0, [order, who])
        orders.write_datetime(row, 2, day, date)
        orders.write_row(row, 3, [quantity, price])
        orders.write_formula(row, 5, f"=D{row + 1}*E{row + 1}", None, cached)
    settings = book.add_worksheet("Instellingen")
    settings.write_row(0, 0, ["Instelling", "Waarde"])
    settings.write_row(1, 0, ["inkomensklassen", "30.000; 60.000"])
    settings.write_row(2, 0, ["peildatum", "30-06-2026"])
    settings.write_row(3, 0, ["taal", "nl"])
    book.close()
    return path


def english_shop(path: Path) -> Path:
    """An English macro workbook: no order ids, dollar amounts, a bare = in a Segments rule
    (an empty formula, as Excel stores it), no language setting."""
    book = xlsxwriter.Workbook(str(path))
    book.set_vba_name("ThisWorkbook")
    book.add_vba_project(io.BytesIO(vba_project()), is_stream=True)
    sheet = book.add_worksheet("Customers")
    sheet.write_row(0, 0, ["Customer ID", "Name", "Budget ($)", "Decision maker?", "Need",
                           "Purchase horizon (days)", "Income", "Phone", "Notes (internal)"])
    sheet.write_row(1, 0, ["A1", "Alice", "$1,000", "yes", "yes", 60, "$52,000", "555-0101",
                           "called twice"])
    sheet.write_row(2, 0, ["A2", "Bob", "$2,500.00", "no", 2, 30, 75000, "555-0102"])
    sheet.write_row(3, 0, ["A3", "Carol", "$2,500.00", "yes", "yes", 30])
    orders = book.add_worksheet("Orders")
    orders.write_row(0, 0, ["Customer ID", "Order date", "Qty", "Unit price ($)"])
    orders.write_row(1, 0, ["A1", datetime(2026, 6, 1), 2, 19.99])
    orders.write_row(2, 0, ["A1", "2026-06-01", 1, "$5.00"])
    orders.write_row(3, 0, ["A1", "05/06/2026", 1])
    orders.write_row(4, 0, ["A2", "10/02/2026", 3, "$1,250.00"])
    rules = book.add_worksheet("Segments")
    rules.write_row(0, 0, ["Segment", "Field", "Operator", "Value"])
    rules.write_row(1, 0, ["Regulars", "customer_type"])
    rules.write_formula(1, 2, "=", None, 0)  # a bare = typed in the cell
    rules.write(1, 3, "occasional")
    settings = book.add_worksheet("Settings")
    settings.write_row(0, 0, ["Setting", "Value"])
    settings.write_row(1, 0, ["as_of", "2026-06-30"])
    book.close()
    return path


BUILDERS = {"boutique.xlsx": french_shop, "groothandel.xlsx": dutch_wholesaler,
            "shop.xlsm": english_shop}
