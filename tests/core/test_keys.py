"""Exports without a customer id column: customers keyed by e-mail, order lines naming their
customer by e-mail or by name, case and spaces ignored; timestamps counted as calendar days
in the book's time zone in every date column."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import analyse

from addin.core.settings import Settings, columns_from_toml
from addin.errors import InputError, SettingsError


def problems(result) -> list[tuple]:
    v = result.validation
    return list(zip(v["sheet"], v["row"], v["column"], v["value"], v["message"], strict=True))


def test_customers_keyed_by_email_and_orders_by_email_case_and_spaces_ignored() -> None:
    customers = [{"Email": "Ann@Example.com", "First Name": "Ann", "Last Name": "Peeters"},
                 {"Email": "bob@example.com ", "First Name": "Bob", "Last Name": None},
                 {"Email": "ANN@example.com", "First Name": "Ann", "Last Name": "P."}]
    orders = [{"Name": "#1001", "Email": " ann@example.COM", "Created at": "2026-06-01",
               "Lineitem quantity": 2, "Lineitem price": 10.0},
              {"Name": "#1002", "Email": "bob@example.com", "Created at": "2026-06-02",
               "Lineitem quantity": 1, "Lineitem price": 7.5},
              {"Name": "#1003", "Email": "eve@example.com", "Created at": "2026-06-03",
               "Lineitem quantity": 1, "Lineitem price": 1.0}]
    result = analyse(customers, orders)
    table = result.table.set_index("customer_id")
    # Ann's second row is the same e-mail in other capitals: a duplicate, skipped.
    assert list(table.index) == ["ann@example.com", "bob@example.com", "eve@example.com"]
    assert table["name"].tolist()[:2] == ["Ann Peeters", "Bob"]  # First Name + Last Name
    assert pd.isna(table["name"].iloc[2])  # eve is only in Orders
    assert table["revenue"].tolist() == [20.0, 7.5, 1.0]  # 2 x 10; 1 x 7.5; 1 x 1
    found = problems(result)
    assert ("Customers", 4, "Email", "ANN@example.com",
            "duplicate Email (first on row 2): row skipped") in found
    assert ("Orders", 4, "Email", "eve@example.com",
            "this id is not in the Customers sheet: added as a customer") in found


def test_orders_naming_their_customer_by_name_are_linked_and_ambiguous_names_reported() -> None:
    customers = [{"customer_id": "P1", "name": "Jan Peeters"},
                 {"customer_id": "P2", "name": "An De Smet"},
                 {"customer_id": "P3", "name": "An De Smet"},
                 {"customer_id": "P4", "name": "Els Maes", "company": "Maes NV"}]
    deals = [{"Deal - Title": "D1", "Deal - Contact person": "jan  peeters",
              "Deal - Value": 1000, "Deal - Won time": "2026-05-01 10:00:00"},
             {"Deal - Title": "D2", "Deal - Contact person": "An De Smet",
              "Deal - Value": 500, "Deal - Won time": "2026-05-02 11:00:00"},
             {"Deal - Title": "D3", "Deal - Contact person": "MAES NV",
              "Deal - Value": 250, "Deal - Won time": "2026-05-03 12:00:00"}]
    result = analyse(customers, deals)
    revenue = result.table.set_index("customer_id")["revenue"]
    assert revenue.to_dict() == {"P1": 1000.0, "P2": 0.0, "P3": 0.0, "P4": 250.0}
    assert ("Orders", 3, "Deal - Contact person", "An De Smet",
            "names 2 customers: line skipped") in problems(result)


def test_an_order_total_on_the_first_line_only_is_not_a_line_amount() -> None:
    lines = [{"Name": "#1", "Email": "a@x.be", "Created at": "2026-06-01",
              "Lineitem quantity": 2, "Lineitem price": 10.0, "Total": 31.0},
             {"Name": "#1", "Email": "a@x.be", "Created at": "2026-06-01",
              "Lineitem quantity": 1, "Lineitem price": 5.0, "Total": None}]
    result = analyse([{"Email": "a@x.be"}], lines)
    assert result.table["revenue"].tolist() == [25.0]  # 2 x 10 + 1 x 5, not the 31 total
    assert any("holds one figure per order" in m for m in result.validation["message"])


def test_without_a_key_the_message_names_every_column_that_would_do() -> None:
    with pytest.raises(InputError, match="no column 'customer_id' or 'email'"):
        analyse([{"Name": "Ann"}])


@pytest.mark.parametrize(("zone", "expected"), [("Europe/Brussels", [16, 15]),
                                                 ("America/New_York", [17, 16])])
def test_timestamps_are_calendar_days_in_the_book_zone_in_every_date_column(
        zone: str, expected: list[int]) -> None:
    # 2026-06-14T23:30:00Z is 15 June 01:30 in Brussels, 14 June 19:30 in New York;
    # 2026-06-15 23:30 -04:00 is 16 June 05:30 in Brussels, 15 June 23:30 in New York.
    stamps = ["2026-06-14T23:30:00Z", "2026-06-15 23:30:00 -0400"]
    customers = [{"customer_id": c, "last_interaction": s, "first_contact": s}
                 for c, s in zip(("A", "B"), stamps, strict=True)]
    orders = [{"customer_id": c, "order_date": s, "amount": 1.0}
              for c, s in zip(("A", "B"), stamps, strict=True)]
    result = analyse(customers, orders, settings={"timezone": zone})
    # As of 30 June: Brussels 30 - 14 = 16 and 30 - 15 = 15 days; New York one more each.
    assert result.table["days_since_last_order"].tolist() == [e - 1 for e in expected]
    assert result.table["tenure_days"].tolist() == [e - 1 for e in expected]


def test_a_bad_time_zone_is_reported() -> None:
    with pytest.raises(SettingsError, match="not a time zone"):
        Settings.from_mapping({"timezone": "Mars/Olympus"})


def test_a_columns_table_in_a_settings_file(tmp_path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('churn_days = 200\n[columns.Bestellingen]\n"Prijs/st." = "unit_price"\n'
                    '"Oud" = "ignore"\n', encoding="utf-8")
    assert Settings.from_toml(path).churn_days == 200
    mapping = columns_from_toml(path)
    assert mapping == {"orders": {"Prijs/st.": "unit_price", "Oud": ""}}
    lines = [{"customer_id": "A", "Datum": "2026-06-01", "Prijs/st.": "12,50", "Aantal": 2,
              "Oud": 99}]
    result = analyse([{"customer_id": "A"}], lines, mapping=mapping)
    assert result.table["revenue"].tolist() == [25.0]  # 2 x 12.50
    path.write_text('[columns.orders]\n"Prijs" = "prijs per kilo"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="not a field"):
        columns_from_toml(path)
