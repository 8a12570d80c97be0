"""Prospect score, temperature and BANT letters."""

from __future__ import annotations

import pytest
from builders import AS_OF, days_ago, one, order_rows

BANT_ALL = {"budget": 5000, "decision_maker": "yes", "need": 3, "purchase_horizon_days": 30}


def prospect(**fields: object) -> dict[str, object]:
    return {"customer_id": "P", "last_interaction": AS_OF, **fields}


@pytest.mark.parametrize(("fields", "score", "temperature"), [
    ({**BANT_ALL, "pages_visited": 5}, 70.0, "hot"),
    ({**BANT_ALL, "pages_visited": 4}, 68.0, "warm"),
    ({"budget": 5000, "need": "oui", "pages_visited": 5}, 40.0, "warm"),
    ({"budget": 5000, "need": "oui", "pages_visited": 4}, 38.0, "cold"),
    ({**BANT_ALL, "pages_visited": 50, "form_submitted": "ja"}, 100.0, "hot"),
    ({}, 0.0, "cold"),
])
def test_score_and_temperature_boundaries(fields: dict, score: float, temperature: str) -> None:
    row = one(prospect(**fields))
    assert row["prospect_score"] == score
    assert row["temperature"] == temperature


def test_bant_letters() -> None:
    row = one(prospect(budget=5000, need=2, purchase_horizon_days=91))
    assert row["bant"] == "B-N-"
    assert one(prospect(**BANT_ALL))["bant"] == "BANT"


@pytest.mark.parametrize(("field", "value", "letter_met"), [
    ("budget", 1000, True), ("budget", 999.99, False),
    ("purchase_horizon_days", 90, True), ("purchase_horizon_days", 91, False),
    ("need", 2, True), ("need", 1, False), ("need", "non", False),
])
def test_bant_thresholds(field: str, value: object, letter_met: bool) -> None:
    row = one(prospect(**{field: value}))
    assert row["prospect_score"] == (15.0 if letter_met else 0.0)


def test_engagement_halves_every_30_days() -> None:
    fresh = one(prospect(pages_visited=10, form_submitted=True))
    month = one(prospect(pages_visited=10, form_submitted=True, last_interaction=days_ago(30)))
    assert fresh["prospect_score"] == 40.0
    assert month["prospect_score"] == 20.0


def test_customers_who_bought_get_no_prospect_score() -> None:
    row = one({"customer_id": "C", **BANT_ALL}, order_rows("C", [10]))
    assert row["customer_type"] == "one_time"
    assert row[["prospect_score", "temperature", "bant"]].isna().all()
