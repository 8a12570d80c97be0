"""Prospect qualification: a BANT score plus recent engagement, and a temperature.

BANT (Budget, Authority, Need, Timing) is worth 60 points, 15 per criterion met; engagement
(pages visited, a form sent) is worth 40 points and fades with a 30-day half-life since the last
interaction, because a visit last week says more than a visit last year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.core.columns import optional
from addin.core.settings import Settings

BANT_POINTS = 15.0
PAGES_POINTS = 20.0
FORM_POINTS = 20.0
#: 'B-NT' and its fifteen siblings, indexed by the criteria met as bits (B = 1, A = 2, ...).
_BANT_WORDS = np.array(["".join(letter if met >> bit & 1 else "-"
                                for bit, letter in enumerate("BANT")) for met in range(16)],
                       dtype=object)
_TEMPERATURE_WORDS = np.array(["hot", "warm", "cold", None], dtype=object)


def qualify(customers: pd.DataFrame, as_of: pd.Timestamp, settings: Settings) -> pd.DataFrame:
    """prospect_score (0-100), temperature (hot/warm/cold) and bant (e.g. 'B-NT') of each row.

    Computed for every row, as if each were a prospect: the analysis keeps them for its
    prospects only, and the PROSPECT_SCORE formula scores whatever rows it is given.
    """
    s = settings
    criteria = {
        "B": optional(customers, "budget") >= s.min_budget,
        "A": optional(customers, "decision_maker", False).fillna(False).astype(bool),
        "N": optional(customers, "need") >= s.need_min,
        "T": optional(customers, "purchase_horizon_days") <= s.max_horizon_days,
    }
    met = sum(c.astype(np.float64) for c in criteria.values())
    pages = (optional(customers, "pages_visited").fillna(0) / s.full_pages_visited).clip(0, 1)
    form = optional(customers, "form_submitted", False).fillna(False).astype(bool)
    seen = optional(customers, "last_interaction", pd.NaT)
    seen = seen.fillna(optional(customers, "first_contact", pd.NaT))
    age_days = ((as_of - seen).dt.days.clip(lower=0)).fillna(0).astype(np.float64)
    decay = np.power(0.5, age_days / s.engagement_half_life_days)
    engagement = (pages * PAGES_POINTS + form * FORM_POINTS) * decay
    score = (met * BANT_POINTS + engagement).round(1)
    temperature = temperatures(score, s)
    met_bits = sum(hit.to_numpy(bool).astype(np.int64) << bit
                   for bit, hit in enumerate(criteria.values()))
    bant = pd.Series(_BANT_WORDS[met_bits], index=customers.index, dtype=object)
    return pd.DataFrame({"prospect_score": score, "temperature": temperature,
                         "bant": bant}, index=customers.index, copy=False)


def temperatures(score: pd.Series, settings: Settings) -> pd.Series:
    """hot / warm / cold from a prospect score (blank score, blank temperature).

    Public so that the TEMPERATURE formula applies the very thresholds of the analysis.
    """
    level = np.select([score >= settings.hot_score, score >= settings.warm_score,
                       score.notna()], [0, 1, 2], default=3)
    return pd.Series(_TEMPERATURE_WORDS[level], index=score.index, dtype=object)
