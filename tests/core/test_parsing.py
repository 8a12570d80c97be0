"""Value parsers: each spreadsheet habit, and round trips over generated values."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.core.parsing import (
    fold_series,
    parse_bools,
    parse_counts,
    parse_dates,
    parse_ids,
    parse_need,
    parse_numbers,
)
from addin.core.schema import fold


def cells(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


@pytest.mark.parametrize(("text", "number"), [
    ("1 234,56 €", 1234.56), ("1.234,56", 1234.56), ("1,234.56", 1234.56),
    ("1\u202f234,5", 1234.5), ("12,5 %", 0.125), ("(12)", -12.0), ("1,234,567", 1234567.0),
    ("1.234.567", 1234567.0), ("-3,5", -3.5), ("EUR 10", 10.0), ("1,5", 1.5), ("007", 7.0),
])
def test_number_formats(text: str, number: float) -> None:
    parsed = parse_numbers(cells(text))
    assert parsed.values.iloc[0] == pytest.approx(number)
    assert parsed.errors.empty


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_french_and_english_formatting_round_trip(value) -> None:
    english = f"{value:,.2f}"
    french = english.replace(",", " ").replace(".", ",")
    dutch = english.replace(",", "#").replace(".", ",").replace("#", ".")
    parsed = parse_numbers(cells(english, french + " €", dutch))
    assert np.allclose(parsed.values, float(value))


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2262, 4, 11)))
def test_dates_round_trip_in_every_notation(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    parsed = parse_dates(cells(day.strftime("%d/%m/%Y"), day.isoformat(), serial,
                               datetime(day.year, day.month, day.day), day.strftime("%d.%m.%Y")))
    assert (parsed.values == pd.Timestamp(day)).all()


def test_dates_pandas_cannot_hold_are_reported_not_fatal() -> None:
    parsed = parse_dates(cells(date(2300, 1, 1), "01/01/2300", 200000, "1899-01-01", "ok?"))
    assert parsed.values.isna().all()
    assert sorted(parsed.errors.index) == [0, 1, 2, 3, 4]


def test_bad_values_are_errors_and_blanks_are_not() -> None:
    parsed = parse_numbers(cells("abc", "#DIV/0!", None, "", "  ", 5))
    assert parsed.errors.to_dict() == {0: "cell.not_number",
                                       1: "cell.excel_error"}
    assert parsed.values.isna().tolist() == [True, True, True, True, True, False]


@pytest.mark.parametrize(("text", "answer"), [
    ("yes", True), ("Oui", True), ("ja", True), ("x", True), (1, True), ("VRAI", True),
    ("no", False), ("non", False), ("Nee", False), (0, False), (False, False),
])
def test_yes_no_in_three_languages(text: object, answer: bool) -> None:
    assert parse_bools(cells(text)).values.iloc[0] == answer


def test_counts_and_need() -> None:
    assert parse_counts(cells("oui", 3, "non")).values.tolist() == [1.0, 3.0, 0.0]
    need = parse_need(cells("ja", 2, 5, "bof"))
    assert need.values.tolist()[:2] == [3.0, 2.0]
    assert set(need.errors.index) == {2, 3}


def test_ids_keep_text_and_lose_float_noise() -> None:
    assert parse_ids(cells("007", 12.0, " C1 ", 12.5)).values.tolist() == ["007", "12", "C1",
                                                                          "12.5"]
    assert parse_ids(pd.Series([1, 2])).values.dtype == np.int64


@given(st.lists(st.text(max_size=12), max_size=20))
def test_fold_series_equals_fold(texts: list[str]) -> None:
    assert fold_series(pd.Series(texts, dtype=object)).tolist() == [fold(t) for t in texts]


def test_ids_beyond_whole_numbers() -> None:
    parsed = parse_ids(cells(float("inf"), 1e20, 2**70, float("nan")))
    assert parsed.values.tolist()[1:3] == ["100000000000000000000", "1180591620717411303424"]
    assert parsed.values.isna().tolist() == [True, False, False, True]
    assert parsed.errors.to_dict() == {0: "cell.not_id"}
