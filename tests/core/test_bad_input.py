"""Spreadsheet reality: every bad cell is reported with sheet, row, column, value and why,
and every other row still gets its results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import AS_OF, analyse

from addin import InputError, run_analysis


def problems(result) -> list[tuple]:
    v = result.validation
    return list(zip(v["sheet"], v["row"], v["column"], v["value"], v["message"], strict=True))


def test_text_numbers_and_french_formats_are_read() -> None:
    orders = pd.DataFrame({"Id client": ["A", "A", "A"], "Date commande": ["31/12/2025",
                           "2026-01-15", 46022], "Prix unitaire": ["1 234,56 €", "1.234,56",
                           "1234.56"], "Coût unitaire": ["600", 600, "600,00"]})
    result = run_analysis(pd.DataFrame({"Id client": ["A"]}), orders, as_of=AS_OF)
    row = result.table.iloc[0]
    assert row["revenue"] == pytest.approx(3 * 1234.56)
    assert row["orders"] == 2  # two lines on the same day without an order_id: one order
    assert row["first_order"] == pd.Timestamp("2025-12-31")
    assert row["last_order"] == pd.Timestamp("2026-01-15")
    assert result.validation.empty


def test_text_in_a_number_column_is_reported_and_the_row_kept() -> None:
    result = analyse([{"customer_id": "A", "satisfaction": "abc"},
                      {"customer_id": "B", "satisfaction": 1}])
    assert problems(result) == [("Customers", 2, "satisfaction", "abc",
                                 "'abc' is not a number: read as empty")]
    assert result.table["customer_type"].tolist() == ["prospect", "disloyal"]


def test_excel_error_values_are_reported() -> None:
    result = analyse([{"customer_id": "A", "nps": "#N/A", "name": "#REF!"}])
    found = {(p[2], p[3], p[4]) for p in problems(result)}
    assert ("nps", "#N/A", "Excel error value #N/A: read as empty") in found
    assert ("name", "#REF!", "Excel error value #REF!: read as empty") in found
    assert result.table.iloc[0]["customer_type"] == "prospect"


def test_blanks_are_not_problems() -> None:
    result = analyse([{"customer_id": "A", "nps": None, "satisfaction": "", "budget": "  "}])
    assert result.validation.empty


def test_serial_and_text_dates() -> None:
    result = analyse([{"customer_id": "A", "last_interaction": 46203.0},
                      {"customer_id": "B", "last_interaction": "31/12/2025"},
                      {"customer_id": "C", "last_interaction": "31-13-2025"}])
    table = result.table
    assert result.validation["row"].tolist() == [4]
    assert "is not a date" in result.validation["message"].iloc[0]
    assert len(table) == 3


def test_duplicate_customer_id_keeps_the_first() -> None:
    result = analyse([{"customer_id": "A", "name": "first"}, {"customer_id": "B"},
                      {"customer_id": "A", "name": "second"}])
    assert result.table["name"].iloc[0] == "first" and pd.isna(result.table["name"].iloc[1])
    assert problems(result) == [("Customers", 4, "customer_id", "A",
                                 "duplicate customer_id (first on row 2): row skipped")]


def test_unknown_referred_by_is_a_warning() -> None:
    result = analyse([{"customer_id": "A", "referred_by": "ZZ"}])
    v = result.validation.iloc[0]
    assert (v["row"], v["column"], v["value"], v["severity"]) == (2, "referred_by", "ZZ",
                                                                 "warning")
    assert result.table.iloc[0]["is_referred"]
    assert not result.has_errors


def test_negative_quantity_skips_the_line_only() -> None:
    orders = [{"order_id": 1, "customer_id": "A", "order_date": AS_OF, "quantity": -2,
               "unit_price": 10},
              {"order_id": 2, "customer_id": "A", "order_date": AS_OF, "quantity": 1,
               "unit_price": 10}]
    result = analyse([{"customer_id": "A"}], orders)
    assert problems(result) == [("Orders", 2, "quantity", "-2",
                                 "negative quantity (a return?): line skipped")]
    assert result.table.iloc[0]["revenue"] == 10


def test_order_for_unknown_customer_adds_the_customer() -> None:
    orders = [{"customer_id": "NEW", "order_date": AS_OF, "amount": 5}]
    result = analyse([{"customer_id": "A"}], orders)
    assert result.table["customer_id"].tolist() == ["A", "NEW"]
    assert result.validation.iloc[0]["severity"] == "warning"


def test_missing_required_column_names_the_sheet_and_what_was_found() -> None:
    with pytest.raises(InputError) as err:
        run_analysis(pd.DataFrame({"Nom": ["x"], "Ville": ["Lyon"]}))
    assert "Sheet 'Customers' has no column 'customer_id'" in str(err.value)
    assert "found: Nom, Ville" in str(err.value)


def test_orders_missing_a_date_column() -> None:
    with pytest.raises(InputError, match="Sheet 'Ventes' has no column 'order_date'"):
        run_analysis(pd.DataFrame({"customer_id": ["A"]}),
                     pd.DataFrame({"customer_id": ["A"], "amount": [3]}),
                     sheet_names={"orders": "Ventes"})


def test_rows_use_the_workbook_row_numbers_when_given() -> None:
    frame = pd.DataFrame({"customer_id": ["A", "B"], "nps": [1, "x"]},
                         index=pd.Index([5, 9], name="row"))
    result = run_analysis(frame, as_of=AS_OF, sheet_names={"customers": "Klanten"})
    assert problems(result) == [("Klanten", 9, "nps", "x", "'x' is not a number: read as empty")]


def test_blank_customer_id_and_order_without_date() -> None:
    orders = [{"customer_id": "A", "order_date": None, "amount": 5},
              {"customer_id": None, "order_date": AS_OF, "amount": 5}]
    result = analyse([{"customer_id": None, "name": "ghost"}, {"customer_id": "A"}], orders)
    messages = [p[4] for p in problems(result)]
    assert messages == ["customer_id is empty: row skipped",
                        "order line without a valid date: line skipped",
                        "order line without customer_id: line skipped"]
    assert result.table["customer_id"].tolist() == ["A"]


def test_out_of_range_values() -> None:
    result = analyse([{"customer_id": "A", "satisfaction": 9, "nps": 11}])
    assert sorted(p[4] for p in problems(result)) == [
        "nps must be between 0 and 10: read as empty",
        "satisfaction must be between 1 and 5: read as empty"]


def test_orders_after_the_analysis_date_are_not_counted() -> None:
    orders = [{"customer_id": "A", "order_date": AS_OF + pd.Timedelta(days=3), "amount": 5},
              {"customer_id": "A", "order_date": AS_OF, "amount": 7}]
    result = analyse([{"customer_id": "A"}], orders)
    assert result.table.iloc[0]["revenue"] == 7
    assert "after the analysis date" in result.validation.iloc[0]["message"]


def test_dutch_headers_and_answers() -> None:
    result = run_analysis(pd.DataFrame({"Klant ID": ["K1"], "Medewerker": ["ja"],
                                        "Klachten": ["nee"]}), as_of=AS_OF)
    assert result.table.iloc[0]["customer_type"] == "internal"


def test_a_customer_column_named_like_a_computed_output_is_ignored_with_a_warning() -> None:
    orders = [{"customer_id": "A", "order_date": AS_OF, "amount": 5}]
    result = analyse([{"customer_id": "A", "orders": 3}], orders)
    assert result.table["orders"].tolist() == [1]
    v = result.validation
    assert len(v) == 1 and pd.isna(v["row"].iloc[0])
    assert (v["sheet"].iloc[0], v["column"].iloc[0], v["severity"].iloc[0]) == (
        "Customers", "orders", "warning")
    assert v["message"].iloc[0] == ("'orders' is computed by the analysis: "
                                    "the sheet's values are ignored")


def test_text_dates_with_a_time_zone_are_read_and_a_bad_time_reported() -> None:
    result = analyse([{"customer_id": "A", "last_interaction": "2026-01-05T10:00:00Z"},
                      {"customer_id": "B", "last_interaction": "2026-01-05 10:00+02:00"},
                      {"customer_id": "C", "last_interaction": "2026-01-05 25:00Z"}])
    assert problems(result) == [
        ("Customers", 4, "last_interaction", "2026-01-05 25:00Z",
         "'2026-01-05 25:00Z' is not a date (use 31/12/2025 or 2025-12-31): read as empty")]
    assert result.table["prospect_score"].notna().all()


def test_datetime_cells_outside_1900_to_2262_are_reported_like_text_ones() -> None:
    customers = pd.DataFrame({
        "customer_id": ["A", "B"],
        "last_interaction": np.array(["3026-01-05", "2026-01-05"], dtype="datetime64[us]")})
    orders = pd.DataFrame({"customer_id": ["A", "B"], "amount": 5.0,
                           "order_date": np.array(["1855-08-26", "2026-01-06"],
                                                  dtype="datetime64[ns]")})
    result = run_analysis(customers, orders, as_of=AS_OF)
    assert problems(result) == [
        ("Customers", 2, "last_interaction", "3026-01-05",
         "'3026-01-05' is not a date between 1900 and 2262: read as empty"),
        ("Orders", 2, "order_date", "1855-08-26",
         "'1855-08-26' is not a date between 1900 and 2262: read as empty"),
        ("Orders", 2, "order_date", "", "order line without a valid date: line skipped")]
    assert result.table["orders"].tolist() == [0, 1]


def test_a_blank_in_a_nullable_integer_id_column_skips_that_row_only() -> None:
    customers = pd.DataFrame({"customer_id": pd.array([1, None, 3], dtype="Int64")})
    orders = pd.DataFrame({"customer_id": pd.array([1, None], dtype="Int64"),
                           "order_date": [AS_OF] * 2, "amount": 1.0})
    result = run_analysis(customers, orders, as_of=AS_OF)
    assert problems(result) == [
        ("Customers", 3, "customer_id", "", "customer_id is empty: row skipped"),
        ("Orders", 3, "customer_id", "", "order line without customer_id: line skipped")]
    assert result.table["customer_id"].tolist() == [1, 3]
    assert result.table["orders"].tolist() == [1, 0]


def test_excel_serials_past_2262_are_reported_beside_fractional_ones() -> None:
    result = analyse([{"customer_id": "A", "last_interaction": 45000.5},
                      {"customer_id": "B", "last_interaction": 120000},
                      {"customer_id": "C", "last_interaction": 132321}])
    assert problems(result) == [("Customers", 4, "last_interaction", "132321",
                                 "'132321' is not a date: read as empty")]
    assert result.table["prospect_score"].notna().all()


def test_an_infinite_id_is_reported_and_left_blank() -> None:
    orders = [{"order_id": float("inf"), "customer_id": "A", "order_date": AS_OF, "amount": 5},
              {"order_id": 2.0, "customer_id": float("-inf"), "order_date": AS_OF, "amount": 5}]
    result = analyse([{"customer_id": "A"}], orders)
    assert problems(result) == [
        ("Orders", 2, "order_id", "inf", "'inf' is not an id: read as empty"),
        ("Orders", 3, "customer_id", "-inf", "'-inf' is not an id: read as empty"),
        ("Orders", 3, "customer_id", "", "order line without customer_id: line skipped")]
    assert result.table[["orders", "revenue"]].values.tolist() == [[1, 5.0]]


def test_columns_named_like_internal_ones_do_not_clash() -> None:
    customers = pd.DataFrame({"customer_id": ["a", "b"], "_row": [7, 8]})
    table = run_analysis(customers, as_of=AS_OF).table
    assert table["customer_id"].tolist() == ["a", "b"]


def test_a_blank_in_a_nullable_integer_order_id_counts_that_line_by_its_date() -> None:
    customers = pd.DataFrame({"customer_id": ["a"]})
    orders = pd.DataFrame({"customer_id": ["a", "a", "a"],
                           "order_id": pd.array([1, 1, None], dtype="Int64"),
                           "order_date": ["2026-01-02", "2026-01-02", "2026-01-03"],
                           "amount": [1.0, 2.0, 3.0]})
    table = run_analysis(customers, orders, as_of=AS_OF).table
    assert table["orders"].tolist() == [2]


def test_a_french_analysis_column_in_customers_is_named_in_a_warning() -> None:
    customers = pd.DataFrame({"customer_id": ["A"], "Chiffre d'affaires": [1200.0]})
    v = run_analysis(customers, as_of=AS_OF).validation
    assert v["message"].tolist() == [
        "'Chiffre d'affaires' is computed by the analysis: the sheet's values are ignored"]
