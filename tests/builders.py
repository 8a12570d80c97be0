"""Small builders for core tests: a customer, its orders, one analysis call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from hypothesis import strategies as st

from addin import Analysis, run_analysis

AS_OF = pd.Timestamp("2026-06-30")


def days_ago(n: int) -> pd.Timestamp:
    """The date ``n`` days before the analysis date."""
    return AS_OF - pd.Timedelta(days=n)


def order_rows(customer_id: str, ages: Iterable[int], amount: float = 100.0,
               **extra: object) -> list[dict[str, object]]:
    """One order line per age (days before AS_OF), each its own order."""
    return [{"order_id": f"{customer_id}-{i}", "customer_id": customer_id,
             "order_date": days_ago(age), "unit_price": amount, **extra}
            for i, age in enumerate(ages)]


def analyse(customers: Iterable[Mapping[str, object]], orders: Iterable[Mapping] = (),
            **kwargs: object) -> Analysis:
    """run_analysis on literal rows, as of AS_OF."""
    cust = pd.DataFrame(list(customers))
    lines = pd.DataFrame(list(orders)) if orders else None
    kwargs.setdefault("as_of", AS_OF)
    return run_analysis(cust, lines, **kwargs)


def one(customer: Mapping[str, object], orders: Iterable[Mapping] = (),
        **kwargs: object) -> pd.Series:
    """The analysis row of a single customer."""
    return analyse([customer], orders, **kwargs).table.iloc[0]


maybe = st.none() | st.integers(0, 10)


@st.composite
def books(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random customer book: customers with random traits and random order lines."""
    n = draw(st.integers(1, 25))
    ids = [f"C{i:02d}" for i in range(n)]
    customers = pd.DataFrame({
        "customer_id": ids,
        "is_employee": draw(st.lists(st.sampled_from([None, "oui", "no"]), min_size=n,
                                     max_size=n)),
        "satisfaction": draw(st.lists(st.none() | st.integers(1, 5), min_size=n, max_size=n)),
        "nps": draw(st.lists(maybe, min_size=n, max_size=n)),
        "complaint": draw(st.lists(st.none() | st.integers(0, 2), min_size=n, max_size=n)),
        "budget": draw(st.lists(st.none() | st.integers(0, 5000), min_size=n, max_size=n)),
        "pages_visited": draw(st.lists(st.none() | st.integers(0, 40), min_size=n, max_size=n)),
        "need": draw(st.lists(st.none() | st.integers(0, 3), min_size=n, max_size=n)),
        "last_interaction": [AS_OF - pd.Timedelta(days=d) for d in
                             draw(st.lists(st.integers(0, 800), min_size=n, max_size=n))],
        "referred_by": draw(st.lists(st.none() | st.sampled_from(ids), min_size=n, max_size=n)),
    })
    m = draw(st.integers(0, 60))
    orders = pd.DataFrame({
        "order_id": [f"O{draw(st.integers(0, 40))}" for _ in range(m)],
        "customer_id": [draw(st.sampled_from(ids)) for _ in range(m)],
        "order_date": [AS_OF - pd.Timedelta(days=draw(st.integers(0, 900))) for _ in range(m)],
        "quantity": [draw(st.integers(1, 5)) for _ in range(m)],
        "unit_price": [draw(st.floats(1, 500)) for _ in range(m)],
        "list_price": [draw(st.none() | st.floats(1, 600)) for _ in range(m)],
        "unit_cost": [draw(st.floats(0.5, 400)) for _ in range(m)],
    })
    return customers, orders
