"""Profitability: what each customer brings in, keeps, costs to serve and may still bring.

The seeds' three classic signs of a profitable customer are measured directly: a high margin
rate (products with high margins), a low discount rate (pays full price) and a high average
order value (a few large orders rather than many small ones).  Where the cost or the list price
is unknown, the figures that need it stay blank: a zero would lie.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.core.columns import ranking
from addin.core.settings import Settings

_ABC_WORDS = np.array(["A", "B", "C", "D", None], dtype=object)
_PROFILE_WORDS = np.array(["high", "medium", "low", None], dtype=object)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, blank where the denominator is not positive."""
    return (numerator / denominator.where(denominator > 0)).astype(np.float64)


def money_figures(orders: pd.Series, revenue: pd.Series, list_revenue: pd.Series,
                  cost: pd.Series, cost_per_order: float | pd.Series,
                  priced_orders: pd.Series | None = None) -> pd.DataFrame:
    """Revenue to break-even order value for each row: the figures that need no other row.

    Public so that the Excel formulas (MARGIN_RATE, CONTRIBUTION, ...) compute exactly what
    the analysis does; ``cost_per_order`` may differ per row there.  The average order value
    divides by ``priced_orders`` (orders with a known amount; default: all orders), while the
    cost of serving counts every order.
    """
    if priced_orders is None:
        priced_orders = orders
    revenue = revenue.astype(np.float64)
    gross_margin = revenue - cost
    margin_rate = _ratio(gross_margin, revenue)
    cost_to_serve = (orders * cost_per_order).astype(np.float64)
    return pd.DataFrame({
        "revenue": revenue,
        "list_revenue": list_revenue,
        "discount_rate": 1 - _ratio(revenue, list_revenue),
        "cost": cost,
        "gross_margin": gross_margin,
        "margin_rate": margin_rate,
        "markup_rate": _ratio(gross_margin, cost),
        "avg_order_value": _ratio(revenue, priced_orders.astype(np.float64)),
        "cost_to_serve": cost_to_serve,
        "contribution": gross_margin - cost_to_serve,
        "break_even_order_value": break_even_order_values(
            pd.Series(cost_per_order, index=revenue.index), margin_rate),
    }, index=revenue.index, copy=False)


def break_even_order_values(cost_per_order: pd.Series, margin_rate: pd.Series) -> pd.Series:
    """The order value whose margin pays the cost of handling one order (blank: no margin)."""
    return _ratio(cost_per_order, margin_rate)


def profitability(act: pd.DataFrame, tie: np.ndarray, settings: Settings) -> pd.DataFrame:
    """Money columns of SPEC section 2 from the activity table (orders, revenue, list, cost)."""
    s = settings
    has = act["orders"] > 0
    out = money_figures(act["orders"], act["revenue"], act["list_revenue"], act["cost"],
                        s.cost_per_order, act["priced_orders"])
    gross_margin, contribution = out["gross_margin"], out["contribution"]
    out["abc_class"] = abc_classes(contribution, tie, has, s.abc_a, s.abc_b)
    out["profitability"] = profile(out, has, s)
    annual_margin = gross_margin * 365.0 / np.maximum(act["tenure_days"], 365.0)
    r, i = s.retention_rate, s.discount_rate
    out["clv"] = annual_margin * r / (1 + i - r)
    return out


def abc_classes(value: pd.Series, tie: np.ndarray, has_orders: pd.Series, a: float,
                b: float) -> pd.Series:
    """Pareto classes by contribution: A up to a (80 %) of the total, B up to b (95 %), C rest.

    A customer is in A when the customers ranked before it hold less than ``a`` of the total,
    so the one that crosses 80 % is still A and a single whale is A, not B.  Ties are ranked
    by customer_id (``tie``), so the classes never depend on row order.  D = no order; blank =
    orders but an unknown contribution (no cost information).
    """
    known = (has_orders & value.notna()).to_numpy()
    values = value.to_numpy(np.float64)[known]
    order = ranking(-values, tie[known])
    ranked = values[order]
    positive = np.clip(ranked, 0, None)
    total = positive.sum()
    before = (np.cumsum(positive) - positive) / total if total > 0 else np.ones(len(ranked))
    tolerance = 1e-12
    classes = np.select([ranked <= 0, before < a - tolerance, before < b - tolerance],
                        [2, 0, 1], default=2)
    code = np.where(has_orders.to_numpy(), 4, 3)
    code[np.flatnonzero(known)[order]] = classes
    return pd.Series(_ABC_WORDS[code], index=value.index, dtype=object)


def profile(money: pd.DataFrame, has_orders: pd.Series, settings: Settings) -> pd.Series:
    """high / medium / low from the three criteria met: all 3 is high, 2 medium, 0 or 1 low.

    Thresholds default to the median of the customers who ordered, so "high margin" means
    "higher than most of *your* customers"; a criterion that cannot be measured is not met.
    With median thresholds each criterion splits the customers about in half, so two of three
    is the typical customer (medium), and high is kept for those who meet every one (on the
    sample: 33 high, 143 medium, 70 low of 246 customers with orders; see docs/decisions.md).
    """
    margin_bar = settings.high_margin_rate
    if margin_bar is None:
        margin_bar = money["margin_rate"][has_orders].median()
    order_bar = settings.large_order_value
    if order_bar is None:
        order_bar = money["avg_order_value"][has_orders].median()
    met = ((money["margin_rate"] >= margin_bar).astype(int)
           + (money["discount_rate"] <= settings.max_discount_rate).astype(int)
           + (money["avg_order_value"] >= order_bar).astype(int))
    level = np.select([~has_orders, met == 3, met == 2], [3, 0, 1], default=2)
    return pd.Series(_PROFILE_WORDS[level], index=money.index, dtype=object)
