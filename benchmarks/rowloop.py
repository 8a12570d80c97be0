"""A straightforward row-by-row implementation of potentiel's classification.

It is what one would write first: a Python loop per customer over its order lines.  It serves
twice: as the speed baseline of ``benchmarks.core`` and as an independent oracle that the
vectorised core must agree with (``tests/test_reference.py``).  It reads typed, canonical data
(the output of parsing) and computes the activity, type, prospect and money columns.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime

import pandas as pd

from addin.settings import Settings


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def classify_rows(customers: pd.DataFrame, orders: pd.DataFrame, as_of: datetime,
                  settings: Settings | None = None) -> dict[object, dict[str, object]]:
    """customer_id -> computed fields, one Python iteration per customer."""
    s = settings or Settings()
    lines_of: dict[object, list[dict]] = defaultdict(list)
    for line in orders.to_dict("records"):
        lines_of[line["customer_id"]].append(line)
    result = {}
    for c in customers.to_dict("records"):
        result[c["customer_id"]] = _one(c, lines_of.get(c["customer_id"], []), as_of, s)
    return result


def _one(c: dict, lines: list[dict], as_of: datetime, s: Settings) -> dict[str, object]:
    days = [(as_of - line["order_date"]).days for line in lines]
    keys = set()
    for line, age in zip(lines, days, strict=True):
        keys.add(line["order_id"] if not _missing(line.get("order_id")) else ("day", age))
    orders = len(keys)
    last_age = min(days) if days else None
    first_age = max(days) if days else None

    complaint = c.get("complaint")
    satisfaction = c.get("satisfaction")
    nps = c.get("nps")
    bad = ((not _missing(complaint) and complaint > 0)
           or (not _missing(satisfaction) and satisfaction <= s.max_bad_satisfaction)
           or (not _missing(nps) and nps <= s.max_bad_nps))
    since = c.get("last_interaction")
    came_back = (not _missing(since) and orders > 0
                 and max(line["order_date"] for line in lines) > since)
    if c.get("is_employee") is True:
        kind = "internal"
    elif bad and not came_back:
        kind = "disloyal"
    elif orders == 0:
        kind = "prospect"
    elif last_age > s.churn_days:
        kind = "lost"
    elif orders >= s.loyal_min_orders and first_age >= s.loyal_min_tenure_days and not bad:
        kind = "loyal"
    elif orders >= s.occasional_min_orders:
        kind = "occasional"
    else:
        kind = "one_time"

    score = None
    if kind == "prospect":
        met = 0
        budget = c.get("budget")
        met += not _missing(budget) and budget >= s.min_budget
        met += c.get("decision_maker") is True
        need = c.get("need")
        met += not _missing(need) and need >= s.need_min
        horizon = c.get("purchase_horizon_days")
        met += not _missing(horizon) and horizon <= s.max_horizon_days
        pages = c.get("pages_visited")
        engagement = 0.0 if _missing(pages) else min(max(pages / s.full_pages_visited, 0), 1) * 20
        engagement += 20 if c.get("form_submitted") is True else 0
        seen = c.get("last_interaction")
        if _missing(seen):
            seen = c.get("first_contact")
        age = 0 if _missing(seen) else max((as_of - seen).days, 0)
        score = round(met * 15 + engagement * 0.5 ** (age / s.engagement_half_life_days), 1)

    revenue = sum(line["amount"] for line in lines if not _missing(line["amount"]))
    costs = [line["cost_amount"] for line in lines]
    cost = None if not lines or any(_missing(x) for x in costs) else sum(costs)
    margin_rate = None
    if cost is not None and revenue > 0:
        margin_rate = (revenue - cost) / revenue
    return {"orders": orders, "customer_type": kind, "prospect_score": score,
            "revenue": revenue, "cost": cost, "margin_rate": margin_rate,
            "days_since_last_order": last_age, "tenure_days": first_age}
