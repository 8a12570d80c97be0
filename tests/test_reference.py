"""The vectorised core agrees with a plain row-by-row implementation on generated books."""

from __future__ import annotations

import numpy as np
import pandas as pd
from builders import AS_OF, books
from hypothesis import HealthCheck, given, settings

from addin import run_analysis
from addin.inputs import prepare
from addin.validation import Validation
from benchmarks.rowloop import classify_rows


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_core_equals_row_loop(book: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    customers, orders = book
    table = run_analysis(customers, orders, as_of=AS_OF).table.set_index("customer_id")
    inputs = prepare(customers, orders, as_of=AS_OF, validation=Validation())
    expected = pd.DataFrame.from_dict(
        classify_rows(inputs.customers, inputs.orders, AS_OF), orient="index")
    got = table.loc[expected.index]
    assert (got["customer_type"] == expected["customer_type"]).all()
    assert (got["orders"] == expected["orders"]).all()
    for column in ("prospect_score", "revenue", "cost", "margin_rate", "days_since_last_order",
                   "tenure_days"):
        want = expected[column].astype(np.float64).to_numpy()
        assert np.allclose(got[column].to_numpy(np.float64), want, equal_nan=True), column
