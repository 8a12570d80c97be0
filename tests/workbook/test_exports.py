"""Workbooks shaped like real exports (tests/exports.py) are read without a mapping, with the
figures worked out by hand; a header of the user's own takes one Columns row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from exports import hubspot_wholesaler, pipedrive, shopify, teamleader_odoo

from addin.app.jobs import analyze_file, run_file
from addin.workbook.edit import update_cells
from addin.workbook.reader import read_sheet_table


def _table(analysis) -> pd.DataFrame:
    return analysis.table.set_index("customer_id")


def test_shopify_orders_name_their_customer_by_email(tmp_path: Path) -> None:
    analysis = analyze_file(shopify(tmp_path / "shopify.xlsx"))
    table = _table(analysis)
    # Ids as text: the order lines name customers by e-mail, so keys are compared as text.
    assert table.index.tolist() == ["7001", "7002", "7003"]
    assert table["name"].tolist() == ["Ann Janssens", "Bob Claes", "Cara Wils"]
    assert table["city"].tolist() == ["Gent", "Leuven", "Brugge"]
    # Ann: #1001 = 2 x 19.90 + 1 x 5.00 = 44.80, #1003 = 3 x 10.00 = 30.00: 74.80 in 2
    # orders (the Total column, 49.75 and 36.00 with shipping and tax, is the order's).
    # Bob, as BOB@shop.be: 1 x 100.00.
    assert table["revenue"].tolist() == pytest.approx([74.80, 100.0, 0.0])
    assert table["orders"].tolist() == [2, 1, 0]
    # 2026-06-01 23:30 -04:00 is 2 June 05:30 in Brussels: 30 - 2 = 28 days before as_of;
    # Ann's last order, 20 June 08:00 +02:00, is 10 days before.
    assert table["days_since_last_order"].tolist()[:2] == [10, 28]
    assert table["first_order"].iloc[0] == pd.Timestamp("2026-03-16")
    assert table["customer_type"].tolist() == ["occasional", "one_time", "prospect"]
    messages = analysis.validation["message"]
    assert messages.str.contains("'Total' holds one figure per order").sum() == 1
    assert not (analysis.validation["severity"] == "error").any()


def test_pipedrive_deals_name_their_contact_person(tmp_path: Path) -> None:
    analysis = analyze_file(pipedrive(tmp_path / "pipedrive.xlsx"))
    table = _table(analysis)
    # Jan Peeters: 1500 + 700 (as "JAN PEETERS") = 2200 in 2 deals; Sofie (as "sofie maes")
    # 800; Pieter no deal.
    assert table["revenue"].tolist() == [2200.0, 800.0, 0.0]
    assert table["orders"].tolist() == [2, 1, 0]
    assert table["company"].tolist()[:2] == ["Acme NV", "Maes BV"]
    assert pd.isna(table["company"].iloc[2])  # a blank cell of a typed column
    assert table["owner"].tolist() == ["Lotte", "Lotte", "Tom"]
    # Last deals won 15 June and 5 May: 15 and 56 days before 30 June.
    assert table["days_since_last_order"].tolist()[:2] == [15, 56]
    assert not (analysis.validation["severity"] == "error").any()


def test_hubspot_contacts_and_dutch_order_lines(tmp_path: Path) -> None:
    analysis = analyze_file(hubspot_wholesaler(tmp_path / "hubspot.xlsx"))
    table = _table(analysis)
    assert table.index.tolist() == ["501", "502", "503"]  # the title row is not the header
    assert table["name"].tolist() == ["Luc Declercq", "Marie Dubois", "Nora Lambert"]
    assert table["status"].tolist() == ["customer", "customer", "lead"]
    # Prijs per stuk: Luc 10 x 18.50 + 4 x 3.20 = 197.80, then 12 x 18.50 = 222: 419.80;
    # Marie 25 x 1.10 = 27.50.
    assert table["revenue"].tolist() == pytest.approx([419.80, 27.50, 0.0])
    # Nora's last activity, 28 June 08:00 UTC (10:00 in Brussels), is 2 calendar days before
    # 30 June: engagement 20 (10 pages) + 20 (a form) = 40, x 0.5 ** (2 / 30) = 38.19.
    assert table["prospect_score"].iloc[2] == 38.2
    unknown = analysis.validation[analysis.validation["column"] == "Netto p/st"]
    assert unknown["message"].tolist() == ["column not recognised: its values are not used"]


def test_teamleader_contacts_and_odoo_lines_in_french(tmp_path: Path) -> None:
    analysis = analyze_file(teamleader_odoo(tmp_path / "fr.xlsx"))
    table = _table(analysis)
    # No id column: the e-mail is the key; Prénom + Nom is the name.
    assert table.index.tolist() == ["claire@boulangerie-martin.fr", "hugo@bernard.fr"]
    assert table["name"].tolist() == ["Claire Martin", "Hugo Bernard"]
    # Claire, by her company (any case): S00012 = 90,00 + 18,00, S00021 = 25,00: 133 in 2
    # orders; Hugo, by his name in lower case: 18,00.
    assert table["revenue"].tolist() == [133.0, 18.0]
    assert table["orders"].tolist() == [2, 1]
    assert table["days_since_last_order"].tolist() == [5, 41]  # 25 June, 20 May
    assert not (analysis.validation["severity"] == "error").any()
    assert analysis.validation.empty


def test_one_columns_row_reads_a_header_of_your_own(tmp_path: Path) -> None:
    path = hubspot_wholesaler(tmp_path / "hubspot.xlsx")
    run_file(path)  # writes the Columns sheet: Netto p/st not used
    rows = read_sheet_table(path, "Columns", "columns").frame
    netto = rows.index[rows["Your header"] == "Netto p/st"][0]
    update_cells(path, "Columns", pd.DataFrame({"row": [netto], "column": ["Field"],
                                                "value": ["unit_price"]}))
    analysis = analyze_file(path)
    # Netto p/st: Luc 10 x 17.00 + 4 x 3.00 = 182, then 12 x 17.50 = 210: 392; Marie 25 x 1.
    assert _table(analysis)["revenue"].tolist() == pytest.approx([392.0, 25.0, 0.0])
    # The field is the user's now: Prijs per stuk is no longer read.
    assert analysis.fields["orders"]["Prijs per stuk"] == ""
