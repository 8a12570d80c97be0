"""Segment sheets as call lists: who to call and how to reach them first, then why each
customer is on the list, the sales team's columns, and the rest folded away, sorted by what
matters for the list."""

from __future__ import annotations

import pandas as pd

from addin.core.headline import AT_RISK
from addin.core.schema import column_kinds

#: The first columns of every segment sheet: who to call and how to reach them.
CALL_COLUMNS = ("customer_id", "name", "company", "phone", "email", "city")
#: The sales team's columns, after what the list is about.
SALES = ("status", "owner", "next_action", "notes")
#: What a segment is about -> the columns that say why a customer is on it, and its sort
#: (highest first).  A prospect list shows what a caller needs: when the last contact was and
#: how long ago, the budget, when they mean to buy and which BANT criteria they meet.
FOCUS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "prospects": (("prospect_score", "temperature", "last_interaction", "days_since_contact",
                   "budget", "purchase_horizon_days", "bant"), ("prospect_score",)),
    "accounts": (("contribution", "margin_rate", "abc_class"), ("contribution",)),
    "risk": (("days_since_last_order", "revenue", "rfm_segment"), ("revenue",)),
    "other": (("contribution", "prospect_score", "customer_type"),
              ("contribution", "prospect_score")),
}
#: Inputs a call list may show beside the analysis (from :attr:`Analysis.inputs`).
INPUT_COLUMNS = ("last_interaction", "budget", "purchase_horizon_days")


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


def own_columns(inputs: pd.DataFrame) -> list[str]:
    """The user's own Customers columns (those potentiel does not read), in sheet order."""
    known = set(column_kinds("customers"))
    return [c for c in inputs.columns if c not in known]


def call_list(rows: pd.DataFrame, inputs: pd.DataFrame | None = None,
              as_of: pd.Timestamp | None = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A segment's rows as a call list: columns in call order, sorted by what matters for the
    segment (highest first, blanks last, ties in customer order); returns the grouped columns.

    ``inputs`` (the analysis' :attr:`~addin.core.analysis.Analysis.inputs`) gives the inputs
    the list's purpose needs and the user's own columns, which join the folded group.  A
    column the list makes constant (Temperature on a list of hot prospects) is folded too.
    """
    extra = (inputs if inputs is not None else pd.DataFrame(index=rows.index)).reindex(
        rows.index)
    about, order = FOCUS[segment_kind(rows)]
    rows = rows.copy()
    for column in INPUT_COLUMNS:
        if column in about and column in extra:
            rows[column] = extra[column]
    if "days_since_contact" in about and "last_interaction" in rows and as_of is not None:
        seen = pd.to_datetime(rows["last_interaction"], errors="coerce")
        rows["days_since_contact"] = (as_of - seen).dt.days.astype("float64")
    constant = {c for c in about if c in rows and c not in order and len(rows) > 1
                and rows[c].nunique(dropna=False) == 1}
    shown = [c for c in about if c in rows and c not in constant]
    first = list(dict.fromkeys((*CALL_COLUMNS, *shown, *SALES)))
    own = [c for c in own_columns(extra) if c not in rows]
    for column in own:
        rows[column] = extra[column]
    rest = tuple(dict.fromkeys((*own, *(c for c in rows.columns if c not in first))))
    ranked = rows.reset_index(drop=True)
    for column in reversed(order):
        ranked = ranked.sort_values(column, ascending=False, na_position="last", kind="stable")
    return ranked[[*first, *rest]].reset_index(drop=True), rest
