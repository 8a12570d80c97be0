"""Small builders for core tests: a customer, its orders, one analysis call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

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
