"""User segments from a Segments sheet: every operator, languages, bad rules."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import analyse, order_rows

CUSTOMERS = [
    {"customer_id": "A", "country": "FR", "income": 30000, "name": "Alice Martin"},
    {"customer_id": "B", "country": "BE", "income": 60000, "name": "Bob Peeters"},
    {"customer_id": "C", "country": None, "income": 90000, "name": "Chloé Dubois"},
]
ORDERS = order_rows("A", [10, 200, 400]) + order_rows("B", [500])


def members(rules: list[tuple], language: str = "en") -> dict[str, list[str]]:
    frame = pd.DataFrame(rules, columns=["segment", "field", "operator", "value"])
    result = analyse(CUSTOMERS, ORDERS, segments=frame, settings={"language": language})
    return {name: rows["customer_id"].tolist() for name, rows in result.segments.items()}


@pytest.mark.parametrize(("rule", "expected"), [
    (("income", "=", "60 000"), ["B"]),
    (("income", "!=", 60000), ["A", "C"]),
    (("income", "<", 60000), ["A"]),
    (("income", "<=", "60000"), ["A", "B"]),
    (("income", ">", "30000,00"), ["B", "C"]),
    (("income", ">=", 90000), ["C"]),
    (("country", "in", "fr, be"), ["A", "B"]),
    (("country", "not_in", "FR"), ["B"]),
    (("name", "contains", "dubois"), ["C"]),
    (("name", "contains", "chloe"), ["C"]),
    (("income", "between", "30000..60000"), ["A", "B"]),
    (("country", "is_empty", None), ["C"]),
    (("country", "not_empty", None), ["A", "B"]),
    (("customer_type", "=", "prospect"), ["C"]),
    (("orders", ">=", 3), ["A"]),
    (("Type client", "=", "Perdu"), ["B"]),
    # A bare = typed in Excel is an empty formula, read back as 0; '= is text.
    (("income", 0.0, 60000), ["B"]),
    (("income", 0, 60000), ["B"]),
    (("income", "0.0", 60000), ["B"]),
    (("country", "'=", "FR"), ["A"]),
    (("country", "égal", "FR"), ["A"]),
    (("country", "gelijk", "FR"), ["A"]),
    (("income", ">=", "60 000"), ["B", "C"]),
])
def test_operators(rule: tuple, expected: list[str]) -> None:
    assert members([("S", *rule)]) == {"S": expected}


def test_conditions_of_a_segment_are_anded() -> None:
    rules = [("S", "income", ">=", 30000), ("S", "country", "=", "be")]
    assert members(rules) == {"S": ["B"]}


def test_a_french_or_dutch_rule_reads_a_thousands_dot() -> None:
    assert members([("S", "income", ">=", "60.000")], "nl") == {"S": ["B", "C"]}
    assert members([("S", "income", ">=", "30.000,5")], "en") == {"S": ["B", "C"]}


def test_values_in_the_workbook_language() -> None:
    assert members([("S", "customer_type", "=", "fidèle")], "fr") == {"S": ["A"]}
    assert members([("S", "customer_type", "=", "verloren")], "nl") == {"S": ["B"]}


def test_target_segment_sets_is_target_and_segments_column() -> None:
    frame = pd.DataFrame([("Cible", "income", ">", 50000), ("Rich", "income", ">", 80000)],
                         columns=["segment", "field", "operator", "value"])
    table = analyse(CUSTOMERS, ORDERS, segments=frame).table
    assert table["is_target"].tolist() == [False, True, True]
    assert table["segments"].tolist()[1:] == ["Cible", "Cible; Rich"]
    assert pd.isna(table["segments"].iloc[0])


@pytest.mark.parametrize(("rule", "message"), [
    (("nope", "=", 1), "unknown field 'nope'"),
    (("income", "~", 1), "unknown operator '~'"),
    (("income", ">", "lots"), "is not a number"),
    (("income", "between", "1"), "between needs 'low..high'"),
    (("country", ">", "FR"), "holds text"),
    (("income", "=", None), "needs a value"),
    (("income", ">=", "60.000"), "value '60.000' is ambiguous (read as 60000 — thousands "
                                 "separator): type it without a thousands separator"),
])
def test_bad_rules_empty_their_segment_and_are_reported(rule: tuple, message: str) -> None:
    frame = pd.DataFrame([("Bad", *rule), ("Good", "income", ">", 0)],
                         columns=["segment", "field", "operator", "value"])
    result = analyse(CUSTOMERS, ORDERS, segments=frame)
    assert result.segments["Bad"].empty
    assert len(result.segments["Good"]) == 3
    record = result.validation.iloc[0]
    assert (record["sheet"], record["row"]) == ("Segments", 2)
    assert message in record["message"]


def test_rules_are_never_evaluated_as_code() -> None:
    frame = pd.DataFrame([("S", "name", "=", "__import__('os').system('echo pwned')")],
                         columns=["segment", "field", "operator", "value"])
    assert analyse(CUSTOMERS, ORDERS, segments=frame).segments["S"].empty
