"""Invariants over generated data: one type each, order independence, lifetimes agreement."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from builders import AS_OF, books
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin import run_analysis
from addin.core.classify import TYPES
from addin.core.columns import ranking
from addin.core.inputs import _repeated

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from lifetimes.utils import summary_data_from_transaction_data

def _shuffle(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    return frame.sample(frac=1, random_state=seed).reset_index(drop=True)


fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(books())
def test_every_customer_gets_exactly_one_known_type(book: tuple) -> None:
    customers, orders = book
    table = run_analysis(customers, orders, as_of=AS_OF).table
    assert table["customer_id"].is_unique
    assert set(table["customer_id"]) == set(customers["customer_id"])
    assert table["customer_type"].isin(TYPES).all()


@fast
@given(books(), st.integers(0, 1000))
def test_results_never_depend_on_row_order(book: tuple, seed: int) -> None:
    customers, orders = book
    before = run_analysis(customers, orders, as_of=AS_OF).table.set_index("customer_id")
    after = run_analysis(_shuffle(customers, seed), _shuffle(orders, seed + 1),
                         as_of=AS_OF).table.set_index("customer_id").loc[before.index]
    pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-9)


@fast
@given(books())
def test_scores_ratios_and_sums(book: tuple) -> None:
    customers, orders = book
    table = run_analysis(customers, orders, as_of=AS_OF).table
    score = table["prospect_score"].dropna()
    assert score.between(0, 100).all()
    for column in ("r_score", "f_score", "m_score"):
        assert table[column].dropna().between(1, 5).all()
    m = table["margin_rate"]
    ok = m.notna() & (m < 1)
    assert np.allclose(table.loc[ok, "markup_rate"], m[ok] / (1 - m[ok]))
    revenue = (orders["quantity"] * orders["unit_price"]).sum()
    assert np.isclose(table["revenue"].sum(), revenue)
    cost = (orders["quantity"] * orders["unit_cost"]).sum()
    assert np.isclose((table["revenue"] - table["cost"].fillna(0)).sum(), revenue - cost)
    assert np.isclose(table["contribution"].sum(skipna=True), revenue - cost)


@fast
@given(books())
def test_activity_summary_equals_lifetimes(book: tuple) -> None:
    customers, orders = book
    if orders.empty:
        return
    table = run_analysis(customers, orders, as_of=AS_OF).table.set_index("customer_id")
    lines = orders.assign(amount=orders["quantity"] * orders["unit_price"])
    expected = summary_data_from_transaction_data(
        lines, "customer_id", "order_date", monetary_value_col="amount",
        observation_period_end=AS_OF, freq="D")
    got = table.loc[expected.index, ["frequency", "recency", "T", "monetary_value"]]
    assert np.allclose(got.to_numpy(np.float64), expected.to_numpy(np.float64))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-3, 3).map(float)) | st.lists(
    st.sampled_from([0.0, -0.0, 1.5, -2.0, 3.0, np.nan, np.inf, -np.inf]) | st.floats(),
    max_size=60), st.randoms(use_true_random=False))
def test_ranking_sorts_like_lexsort(values: list[float], rnd) -> None:
    ties = np.array(rnd.sample(range(10 * len(values) + 1), len(values)), dtype=np.int64)
    array = np.array(values, dtype=np.float64)
    assert np.array_equal(ranking(array, ties), np.lexsort((ties, array)))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "A", "ab", "é", "0", "00", " a"]), max_size=40))
def test_repeated_text_ids_match_duplicated(ids: list[str]) -> None:
    column = pd.Series(ids, dtype="str")
    assert _repeated(column).tolist() == column.duplicated(keep="first").tolist()
