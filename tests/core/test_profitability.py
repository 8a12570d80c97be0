"""Money columns: margin vs markup, discounts, blanks never zeros, ABC, profile, CLV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import analyse, one, order_rows


def test_margin_rate_and_markup_rate_are_not_confused() -> None:
    row = one({"customer_id": "C"}, order_rows("C", [10], amount=100, unit_cost=60,
                                               list_price=125))
    assert row["gross_margin"] == 40
    assert row["margin_rate"] == pytest.approx(0.40)  # taux de marque: margin / price
    assert row["markup_rate"] == pytest.approx(40 / 60)  # taux de marge: margin / cost
    assert row["discount_rate"] == pytest.approx(0.20)
    assert row["avg_order_value"] == 100


def test_no_cost_gives_blanks_not_zeros() -> None:
    row = one({"customer_id": "C"}, order_rows("C", [10, 20], amount=100))
    assert row["revenue"] == 200
    for column in ("cost", "gross_margin", "margin_rate", "markup_rate", "contribution",
                   "clv", "break_even_order_value"):
        assert pd.isna(row[column]), column


def test_no_list_price_gives_blank_discount() -> None:
    row = one({"customer_id": "C"}, order_rows("C", [10], amount=100, unit_cost=50))
    assert pd.isna(row["list_revenue"]) and pd.isna(row["discount_rate"])


def test_one_line_without_cost_blanks_the_customer_cost() -> None:
    lines = order_rows("C", [10], amount=100, unit_cost=50) + order_rows("C", [5], amount=100)
    lines[1]["order_id"] = "other"
    assert pd.isna(one({"customer_id": "C"}, lines)["cost"])


def test_cost_to_serve_contribution_and_break_even() -> None:
    row = one({"customer_id": "C"}, order_rows("C", [10, 20], amount=100, unit_cost=75),
              settings={"cost_per_order": 10})
    assert row["cost_to_serve"] == 20
    assert row["contribution"] == 50 - 20
    assert row["break_even_order_value"] == pytest.approx(10 / 0.25)


def test_quantity_and_amount() -> None:
    lines = [{"order_id": "1", "customer_id": "C", "order_date": "2026-06-01", "quantity": 3,
              "unit_price": "10,50", "list_price": 12, "unit_cost": 7},
             {"order_id": "2", "customer_id": "C", "order_date": "2026-06-02", "amount": 50,
              "list_price": 50, "unit_cost": 20}]
    row = one({"customer_id": "C"}, lines)
    assert row["revenue"] == pytest.approx(31.5 + 50)
    assert row["list_revenue"] == pytest.approx(36 + 50)
    assert row["cost"] == pytest.approx(21 + 20)


def _abc(contributions: list[float]) -> list[str]:
    customers = [{"customer_id": f"C{i}"} for i in range(len(contributions))]
    lines = [line for i, value in enumerate(contributions)
             for line in order_rows(f"C{i}", [10], amount=value + 1, unit_cost=1)]
    return analyse([*customers, {"customer_id": "P"}], lines).table["abc_class"].tolist()


def test_abc_at_exactly_80_and_95_percent() -> None:
    # cumulative shares: 50, 80, 95, 100 %
    assert _abc([50, 30, 15, 5]) == ["A", "A", "B", "C", "D"]


def test_abc_customer_crossing_80_percent_is_a() -> None:
    assert _abc([90, 6, 4]) == ["A", "B", "C", "D"]


def test_abc_negative_contribution_is_c() -> None:
    assert _abc([100, -20])[:2] == ["A", "C"]


def test_profitability_profile_from_three_criteria() -> None:
    customers = [{"customer_id": c} for c in "ABC"]
    lines = (order_rows("A", [10], amount=1000, unit_cost=300, list_price=1000)
             + order_rows("B", [10], amount=500, unit_cost=400, list_price=500)
             + order_rows("C", [10, 20, 30], amount=50, unit_cost=45, list_price=80))
    settings = {"high_margin_rate": 0.5, "large_order_value": 300}
    out = analyse(customers, lines, settings=settings).table.set_index("customer_id")
    # A: margin 70 % >= 50 %, no discount, 1000 >= 300: all three met, high.
    # B: margin 20 % < 50 %, no discount, 500 >= 300: two met, medium.
    # C: margin 10 %, discount 1 - 50/80 = 37.5 % > 5 %, 50 < 300: none met, low.
    assert out["profitability"].to_dict() == {"A": "high", "B": "medium", "C": "low"}


def test_profile_thresholds_default_to_the_median_customer() -> None:
    customers = [{"customer_id": c} for c in "ABC"]
    lines = (order_rows("A", [10], amount=1000, unit_cost=300, list_price=1000)
             + order_rows("B", [10], amount=500, unit_cost=400, list_price=1000)
             + order_rows("C", [10, 20, 30], amount=50, unit_cost=45, list_price=80))
    out = analyse(customers, lines).table.set_index("customer_id")
    # B is the median on margin rate (0.2) and order value (500): two criteria met (its 50 %
    # discount fails the third), medium; A meets all three, C none.
    assert out["profitability"].to_dict() == {"A": "high", "B": "medium", "C": "low"}


def test_clv_formula() -> None:
    row = one({"customer_id": "C"}, order_rows("C", [730, 10], amount=100, unit_cost=50),
              settings={"retention_rate": 0.8, "discount_rate": 0.1})
    annual = 100 * 365 / 730
    assert row["clv"] == pytest.approx(annual * 0.8 / (1 + 0.1 - 0.8))


def test_margin_and_markup_agree_on_random_data() -> None:
    rng = np.random.default_rng(3)
    lines = [line for i in range(50) for line in order_rows(
        f"C{i}", [int(rng.integers(1, 300))], amount=float(rng.uniform(10, 100)),
        unit_cost=float(rng.uniform(1, 9)))]
    table = analyse([{"customer_id": f"C{i}"} for i in range(50)], lines).table
    m = table["margin_rate"]
    assert np.allclose(table["markup_rate"], m / (1 - m))
