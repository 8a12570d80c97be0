"""The synthetic book generator: shapes, determinism, every situation, and each kind of mess."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from addin import run_analysis
from addin.core.classify import TYPES
from addin.core.parsing import parse
from addin.core.schema import column_kinds
from addin.demo.book import generate
from addin.demo.messy import MESSES, dutch_number, excel_serial, french_money

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def book() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate(3000, 14_000, seed=3, as_of=AS_OF)


@pytest.fixture(scope="module")
def messy() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate(3000, 14_000, seed=3, as_of=AS_OF, messy=True)


@pytest.fixture(scope="module")
def analysis(book: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    result = run_analysis(*book, as_of=AS_OF)
    assert result.validation.empty, result.validation
    return result.table


def test_shapes_and_canonical_columns(book: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    customers, orders = book
    assert len(customers) == 3000 and len(orders) == 14_000
    assert set(customers.columns) <= set(column_kinds("customers"))
    assert set(orders.columns) <= set(column_kinds("orders"))
    assert customers["customer_id"].is_unique
    assert customers["customer_id"].str.fullmatch(r"C\d{5}").all()


def test_dtypes_are_ready_for_the_fast_paths(book: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    customers, orders = book
    for name in ("customer_id", "name", "country", "postal_code", "referred_by"):
        assert pd.api.types.is_string_dtype(customers[name].dtype), name
        assert customers[name].dtype != object, name
    for name in ("first_contact", "last_interaction"):
        assert customers[name].dtype == "datetime64[ns]"
    assert customers["is_employee"].dtype == bool
    assert customers["decision_maker"].dtype == "boolean"
    assert orders["order_date"].dtype == "datetime64[ns]"
    assert orders["order_id"].dtype == np.int64 and orders["quantity"].dtype == np.int64
    for name in ("unit_price", "list_price", "unit_cost"):
        assert orders[name].dtype == np.float64


def test_same_seed_same_book_other_seed_other_book() -> None:
    first, second = generate(500, 2000, seed=7), generate(500, 2000, seed=7)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])
    other = generate(500, 2000, seed=8)
    assert not first[1]["customer_id"].equals(other[1]["customer_id"])
    for a, b in zip(generate(500, 2000, seed=7, messy=True),
                    generate(500, 2000, seed=7, messy=True), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_every_customer_type_and_flag_is_present(analysis: pd.DataFrame) -> None:
    counts = analysis["customer_type"].value_counts()
    assert set(counts.index) == set(TYPES)
    assert analysis["is_prescriber"].sum() > 0 and analysis["referrals"].max() >= 3
    assert analysis["is_referred"].sum() > 0 and analysis["is_current"].sum() > 0
    assert set(analysis["temperature"].dropna()) == {"hot", "warm", "cold"}
    # Customers are adults (19 and over): no Gen Alpha, born 2013 or later.
    assert set(analysis["generation"].dropna()) == {"Silent", "Boomers", "Gen X", "Millennials",
                                                    "Gen Z"}
    assert set(analysis["abc_class"].dropna()) == {"A", "B", "C", "D"}


@pytest.mark.parametrize("seed", range(5))
def test_a_small_book_still_shows_every_situation(seed: int) -> None:
    customers, orders = generate(120, 500, seed=seed)
    table = run_analysis(customers, orders, as_of=AS_OF).table
    assert set(table["customer_type"]) == set(TYPES)


def test_prospects_carry_bant_fields(book: tuple[pd.DataFrame, pd.DataFrame],
                                     analysis: pd.DataFrame) -> None:
    customers, _ = book
    prospects = customers[(analysis["customer_type"] == "prospect").to_numpy()]
    for name in ("budget", "decision_maker", "need", "purchase_horizon_days", "pages_visited",
                 "form_submitted", "last_interaction"):
        assert prospects[name].notna().mean() > 0.5, name
    assert set(prospects["need"].dropna()) == {0.0, 1.0, 2.0, 3.0}
    hot = analysis[analysis["temperature"] == "hot"]
    assert (hot["bant"] == "BANT").mean() > 0.5


def test_referrals_name_real_customers(book: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    customers, _ = book
    named = customers["referred_by"].dropna()
    assert len(named) > 0 and named.isin(customers["customer_id"]).all()
    assert (named.to_numpy() != customers.loc[named.index, "customer_id"].to_numpy()).all()
    assert (customers["channel"] == "referral").sum() > 0


def test_places_and_people(book: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    customers, _ = book
    assert set(customers["country"]) == {"FR", "BE", "NL"}
    codes = customers["postal_code"]
    assert codes.str.startswith("0").any()
    assert codes[customers["country"] == "FR"].str.fullmatch(r"\d{5}").all()
    assert codes[customers["country"] == "NL"].str.fullmatch(r"\d{4} [A-Z]{2}").all()
    assert customers["is_employee"].sum() > 0
    assert customers["company"].notna().sum() > 0 and customers["income"].isna().any()
    assert customers["email"].dropna().str.fullmatch(r"[a-z.]+\d*@[a-z.]+").all()
    assert (customers["complaint"] > 0).sum() > 0 and (customers["satisfaction"] <= 2).sum() > 0
    assert (customers["nps"] <= 6).sum() > 0


def test_orders_span_two_years_with_lines_prices_and_gaps(
        book: tuple[pd.DataFrame, pd.DataFrame], analysis: pd.DataFrame) -> None:
    _, orders = book
    as_of = pd.Timestamp(AS_OF)
    assert orders["order_date"].max() <= as_of
    assert orders["order_date"].min() >= as_of - pd.Timedelta(days=730)
    assert orders["order_date"].is_monotonic_increasing
    assert orders.groupby("order_id").size().max() > 1
    assert orders["list_price"].isna().any() and orders["unit_cost"].isna().any()
    assert (orders["unit_price"] < orders["list_price"]).any()
    assert (orders["unit_price"] <= orders["list_price"]).where(
        orders["list_price"].notna(), True).all()
    assert orders["product"].nunique() > 10 and orders["category"].nunique() >= 4
    revenue = analysis["revenue"][analysis["orders"] > 0].sort_values(ascending=False)
    top = revenue.head(len(revenue) // 5).sum() / revenue.sum()
    assert top > 0.6  # whales: a fifth of the buyers bring most of the revenue


def test_loyal_and_lost_are_built_as_the_rules_define_them(analysis: pd.DataFrame) -> None:
    lost = analysis[analysis["customer_type"] == "lost"]
    assert (lost["days_since_last_order"] > 365).all()
    loyal = analysis[analysis["customer_type"] == "loyal"]
    assert (loyal["orders"] >= 3).all() and (loyal["tenure_days"] >= 180).all()
    assert analysis["orders"].max() > 20 * analysis["orders"][analysis["orders"] > 0].median()


def test_sizes_at_the_edges() -> None:
    customers, orders = generate(1, 0)
    assert len(customers) == 1 and len(orders) == 0 and "order_date" in orders
    customers, orders = generate(1000, 50)
    assert len(orders) == 50
    customers, orders = generate(10, 400)
    assert len(orders) == 400 and orders["customer_id"].isin(customers["customer_id"]).all()
    with pytest.raises(ValueError):
        generate(0, 10)


# ---------------------------------------------------------------- messy mode


def _strings(column: pd.Series) -> pd.Series:
    return column[column.map(lambda v: isinstance(v, str))]


def test_messy_mode_has_every_kind_of_mess(book: tuple[pd.DataFrame, pd.DataFrame],
                                           messy: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    customers, orders = messy
    clean_customers, _ = book
    found = {
        "text number": _strings(customers["income"]).str.fullmatch(r"\d+").any(),
        "french money": _strings(orders["unit_price"]).str.fullmatch(
            r"\d{1,3}( \d{3})*,\d\d €").any(),
        "dutch number": _strings(orders["list_price"]).str.fullmatch(
            r"\d{1,3}(\.\d{3})*,\d\d").any(),
        "percentage": _strings(orders["discount"]).str.fullmatch(r"\d+ ?%").any(),
        "text date": _strings(orders["order_date"]).str.fullmatch(r"\d\d/\d\d/\d{4}").any(),
        "excel serial": orders["order_date"].map(type).eq(float).any()
        and customers["first_contact"].map(type).eq(int).any(),
        "french yes/no": customers["is_employee"].isin(["oui", "non"]).any(),
        "dutch yes/no": customers["decision_maker"].isin(["ja", "nee"]).any(),
        "excel error": customers["income"].eq("#N/A").any(),
        "blank": customers["city"].isin(["", "   "]).sum() >= 2,
        "postal code as number": customers["postal_code"].map(type).eq(int).any(),
        "padded text": _strings(customers["name"]).str.match(r"^\s").any(),
        "duplicate customer_id": customers["customer_id"].duplicated().sum() == 1,
        "unknown referred_by": (~customers["referred_by"].dropna().isin(
            clean_customers["customer_id"])).sum() == 1,
        "negative quantity": (pd.to_numeric(orders["quantity"]) < 0).sum() == 1,
        "unknown customer": (~orders["customer_id"].isin(customers["customer_id"])).sum() == 1,
    }
    assert set(found) == set(MESSES)
    assert [kind for kind, ok in found.items() if not ok] == []
    for column in ("income", "unit_price", "order_date", "is_employee"):
        frame = customers if column in customers else orders
        assert frame[column].dtype == object


@pytest.mark.parametrize(("sheet", "column"), [
    ("customers", "income"), ("customers", "budget"), ("customers", "birth_year"),
    ("customers", "satisfaction"), ("customers", "is_employee"),
    ("customers", "decision_maker"), ("customers", "form_submitted"), ("customers", "need"),
    ("customers", "complaint"), ("customers", "first_contact"),
    ("customers", "last_interaction"), ("orders", "order_date"), ("orders", "unit_price"),
    ("orders", "list_price"), ("orders", "unit_cost"), ("orders", "quantity"),
])
def test_messy_cells_mean_what_the_clean_cells_meant(
        book: tuple[pd.DataFrame, pd.DataFrame], messy: tuple[pd.DataFrame, pd.DataFrame],
        sheet: str, column: str) -> None:
    index = 0 if sheet == "customers" else 1
    clean, dirty = book[index][column], messy[index][column].iloc[:len(book[index])]
    assert not clean.equals(dirty)
    kept = ~dirty.isin(["#N/A"]).to_numpy()
    if column == "quantity":
        kept &= pd.to_numeric(dirty).to_numpy() >= 0
    parsed = parse(dirty, column_kinds(sheet)[column])
    expected = parse(clean, column_kinds(sheet)[column]).values
    pd.testing.assert_series_equal(parsed.values[kept], expected[kept], check_dtype=False,
                                   check_names=False)


def test_messy_book_analyses_like_the_clean_one(book: tuple[pd.DataFrame, pd.DataFrame],
                                                messy: tuple[pd.DataFrame, pd.DataFrame],
                                                analysis: pd.DataFrame) -> None:
    result = run_analysis(*messy, as_of=AS_OF)
    messages = set(result.validation["message"])
    for expected in ("duplicate customer_id", "Excel error value #N/A",
                     "referred_by names no known customer", "negative quantity",
                     "this id is not in the Customers sheet"):
        assert any(m.startswith(expected) for m in messages), expected
    clean_orders, messy_orders = book[1], messy[1]
    moved = messy_orders["customer_id"].ne(clean_orders["customer_id"]) | (
        pd.to_numeric(messy_orders["quantity"]) < 0)
    touched = set(clean_orders.loc[moved, "customer_id"])
    table = result.table.iloc[:len(analysis)]
    same = ~analysis["customer_id"].isin(touched)
    pd.testing.assert_series_equal(table["customer_type"][same], analysis["customer_type"][same])
    pd.testing.assert_series_equal(table["prospect_score"][same],
                                   analysis["prospect_score"][same])


def test_number_and_date_formats() -> None:
    values = np.array([0.5, 12.0, 1234.56, 1_234_567.891, -45.1])
    assert list(french_money(values)) == ["0,50 €", "12,00 €", "1 234,56 €",
                                          "1 234 567,89 €", "-45,10 €"]
    assert list(dutch_number(values)) == ["0,50", "12,00", "1.234,56", "1.234.567,89", "-45,10"]
    dates = pd.Series(pd.to_datetime(["1900-03-01", "2025-12-31"]))
    assert list(excel_serial(dates)) == [61.0, 46022.0]
