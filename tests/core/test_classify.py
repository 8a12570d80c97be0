"""Customer types and flags at the SPEC's boundaries."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import analyse, days_ago, one, order_rows

from addin import run_analysis


def test_employee_is_internal_whatever_else() -> None:
    row = one({"customer_id": "E", "is_employee": "oui", "complaint": "yes"},
              order_rows("E", [10, 20, 400]))
    assert row["customer_type"] == "internal"


def test_prospect_has_no_order() -> None:
    assert one({"customer_id": "P"})["customer_type"] == "prospect"


@pytest.mark.parametrize(("age", "expected"), [(365, "one_time"), (366, "lost")])
def test_lost_strictly_after_churn_days(age: int, expected: str) -> None:
    row = one({"customer_id": "L"}, order_rows("L", [age]))
    assert row["customer_type"] == expected
    assert row["is_current"] == (expected != "lost")


def test_churn_days_setting_moves_the_boundary() -> None:
    row = one({"customer_id": "L"}, order_rows("L", [200]), settings={"churn_days": 180})
    assert row["customer_type"] == "lost"


@pytest.mark.parametrize(("first_age", "expected"), [(180, "loyal"), (179, "occasional")])
def test_loyal_needs_three_orders_over_180_days(first_age: int, expected: str) -> None:
    row = one({"customer_id": "C"}, order_rows("C", [first_age, 90, 10]))
    assert row["orders"] == 3
    assert row["customer_type"] == expected


def test_two_orders_is_occasional_and_one_is_one_time() -> None:
    out = analyse([{"customer_id": "A"}, {"customer_id": "B"}],
                  order_rows("A", [300, 10]) + order_rows("B", [10])).table
    assert out["customer_type"].tolist() == ["occasional", "one_time"]


@pytest.mark.parametrize(("column", "value", "disloyal"), [
    ("satisfaction", 2, True), ("satisfaction", 3, False),
    ("nps", 6, True), ("nps", 7, False),
    ("complaint", "oui", True), ("complaint", 0, False), ("complaint", 2, True),
])
def test_bad_experience_boundaries(column: str, value: object, disloyal: bool) -> None:
    row = one({"customer_id": "D", column: value}, order_rows("D", [400, 200, 10]))
    assert (row["customer_type"] == "disloyal") is disloyal
    if not disloyal:
        assert row["customer_type"] == "loyal"


def test_customer_who_ordered_after_the_bad_experience_is_not_disloyal() -> None:
    row = one({"customer_id": "D", "satisfaction": 1, "last_interaction": days_ago(100)},
              order_rows("D", [400, 200, 10]))
    # ordered again after the complaint, but dissatisfied customers are never "loyal"
    assert row["customer_type"] == "occasional"


def test_bad_experience_with_no_order_since_is_disloyal() -> None:
    row = one({"customer_id": "D", "nps": 3, "last_interaction": days_ago(5)},
              order_rows("D", [400, 200, 10]))
    assert row["customer_type"] == "disloyal"


def test_disloyal_comes_before_prospect() -> None:
    assert one({"customer_id": "X", "complaint": 1})["customer_type"] == "disloyal"


def test_referrals_and_prescribers() -> None:
    out = analyse([{"customer_id": "R"}, {"customer_id": "S", "referred_by": "R"},
                   {"customer_id": "T", "referred_by": "R"},
                   {"customer_id": "U", "channel": "Parrainage"}]).table.set_index("customer_id")
    assert out.loc["R", "referrals"] == 2 and out.loc["R", "is_prescriber"]
    assert not out.loc["S", "is_prescriber"]
    assert out["is_referred"].tolist() == [False, True, True, True]


def test_customer_only_in_orders_is_still_a_customer() -> None:
    result = analyse([{"customer_id": "A"}], order_rows("A", [5]) + order_rows("Z", [5]))
    assert result.table["customer_id"].tolist() == ["A", "Z"]
    assert result.table.set_index("customer_id").loc["Z", "customer_type"] == "one_time"
    warning = result.validation[result.validation["value"] == "Z"].iloc[0]
    assert warning["sheet"] == "Orders" and warning["severity"] == "warning"


def test_a_referrer_known_only_from_orders_is_found() -> None:
    customers = pd.DataFrame({"customer_id": ["A"], "referred_by": ["Z"]})
    orders = pd.DataFrame({"customer_id": ["Z"], "order_date": ["2026-01-05"], "amount": [10.0]})
    result = run_analysis(customers, orders, as_of="2026-06-30")
    table = result.table.set_index("customer_id")
    assert table.loc["Z", "referrals"] == 1 and bool(table.loc["Z", "is_prescriber"])
    assert "customers.unknown_referrer" not in result.validation["key"].tolist()
