"""Segment sheets as call lists: who to call and how to reach them first, then why each
customer is on the list, the sales team's columns, and the rest folded away, sorted by what
matters for the list."""

from __future__ import annotations

import pandas as pd

from addin.core.headline import AT_RISK

#: The first columns of every segment sheet: who to call and how to reach them.
CALL_COLUMNS = ("customer_id", "name", "company", "email", "city")
#: The sales team's columns, after what the list is about.
SALES = ("status", "owner", "next_action", "notes")
#: What a segment is about -> the columns that say why a customer is on it, and its sort
#: (highest first).
FOCUS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "prospects": (("prospect_score", "temperature", "bant"), ("prospect_score",)),
    "accounts": (("contribution", "margin_rate", "abc_class"), ("contribution",)),
    "risk": (("days_since_last_order", "revenue", "rfm_segment"), ("revenue",)),
    "other": (("contribution", "prospect_score", "customer_type"),
              ("contribution", "prospect_score")),
}

def segment_kind(rows: pd.DataFrame) -> str:
    """What a segment is about, from who is in it: prospects, key accounts, customers at risk
    (lost, disloyal, RFM at risk) or other."""
    if rows.empty:
        return "other"
    if rows["customer_type"].eq("prospect").all():
        return "prospects"
    leaving = rows["customer_type"].isin(("lost", "disloyal")) | rows["rfm_segment"].isin(
        (*AT_RISK, "About to Sleep", "Hibernating", "Lost"))
    if leaving.all():
        return "risk"
    if rows["abc_class"].eq("A").all():
        return "accounts"
    return "other"


def call_list(rows: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A segment's rows as a call list: columns in call order, sorted by what matters for the
    segment (highest first, blanks last, ties in customer order); returns the grouped columns."""
    about, order = FOCUS[segment_kind(rows)]
    first = list(dict.fromkeys((*CALL_COLUMNS, *about, *SALES)))
    rest = tuple(c for c in rows.columns if c not in first)
    ranked = rows.reset_index(drop=True)
    for column in reversed(order):
        ranked = ranked.sort_values(column, ascending=False, na_position="last", kind="stable")
    return ranked[[*first, *rest]].reset_index(drop=True), rest
