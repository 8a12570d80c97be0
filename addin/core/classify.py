"""Customer type and flags: who is internal, disloyal, a prospect, lost, loyal, occasional.

The SPEC's order is a priority list, first match wins, so it is one ``np.select`` over boolean
columns: every customer gets exactly one type, and no row's type depends on another row's
position.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.core.columns import optional
from addin.core.parsing import fold_series
from addin.core.schema import fold
from addin.core.settings import Settings

TYPES: tuple[str, ...] = ("internal", "disloyal", "prospect", "lost", "loyal", "occasional",
                          "one_time")
_TYPE_WORDS = np.array(TYPES, dtype=object)

REFERRAL_CHANNELS = frozenset(fold(w) for w in (
    "referral", "referred", "word of mouth", "recommendation", "parrainage", "recommandation",
    "bouche a oreille", "prescripteur", "verwijzing", "doorverwijzing", "aanbeveling",
    "mond tot mond"))


def bad_experience(customers: pd.DataFrame, settings: Settings) -> pd.Series:
    """A complaint, a satisfaction of at most 2 out of 5 or an nps of at most 6 (detractor)."""
    complaint = optional(customers, "complaint").fillna(0) > 0
    unhappy = optional(customers, "satisfaction") <= settings.max_bad_satisfaction
    detractor = optional(customers, "nps") <= settings.max_bad_nps
    return complaint | unhappy | detractor


def classify(customers: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """customer_type, is_current, is_prescriber, referrals, is_referred for each customer.

    ``customers`` holds the typed inputs and the activity columns (orders, last_order,
    days_since_last_order, tenure_days).
    """
    orders = customers["orders"]
    employee = optional(customers, "is_employee", False).fillna(False).astype(bool)
    bad = bad_experience(customers, settings)
    # The bad experience is dated by the last interaction; without a date, we cannot tell
    # whether the customer came back, so the experience stands.
    since = optional(customers, "last_interaction", pd.NaT)
    ordered_again = since.notna() & (customers["last_order"] > since)
    lost = customers["days_since_last_order"] > settings.churn_days
    loyal = ((orders >= settings.loyal_min_orders)
             & (customers["tenure_days"] >= settings.loyal_min_tenure_days) & ~bad)
    rank = np.select(
        [employee, bad & ~ordered_again, orders == 0, lost, loyal,
         orders >= settings.occasional_min_orders],
        range(len(TYPES) - 1), default=len(TYPES) - 1)
    customer_type = pd.Series(_TYPE_WORDS[rank], index=customers.index, dtype=object)

    referrer = optional(customers, "_referrer", -1).to_numpy(np.int64)
    referrals = pd.Series(np.bincount(referrer[referrer >= 0], minlength=len(customers)),
                          index=customers.index)
    referred_by = optional(customers, "referred_by", None)
    channel = optional(customers, "channel", None)
    by_channel = channel.notna() & fold_series(channel).isin(REFERRAL_CHANNELS)
    return pd.DataFrame({
        "customer_type": customer_type,
        "is_current": (orders > 0) & ~lost,
        "is_prescriber": referrals > 0,
        "referrals": referrals,
        "is_referred": referred_by.notna() | by_channel,
    }, index=customers.index, copy=False)

