"""RFM scores and segments, generations and income bands.

RFM quintiles are ranks, not value cut-offs: score = ceil(5 * rank / n) over the buyers, so
distinct values fill a fifth each.  Customers who behave alike get the same score (a tie takes
its lowest member's rank, pandas' ``method="min"``), so the result never depends on row order
or on customer ids.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.core.parallel import in_parallel
from addin.core.settings import Settings

#: R score then FM score -> segment (the classic 11-segment map).
RFM_MAP: dict[str, tuple[str, ...]] = {
    "Champions": ("55", "54", "45"),
    "Loyal": ("53", "44", "35", "34"),
    "Potential Loyalist": ("52", "42", "33", "43"),
    "Recent": ("51",),
    "Promising": ("41", "31"),
    "Need Attention": ("32", "23", "22"),
    "About to Sleep": ("21",),
    "At Risk": ("25", "24", "13"),
    "Can't Lose": ("15", "14"),
    "Hibernating": ("12",),
    "Lost": ("11",),
}
_SEGMENT_OF = np.full(56, None, dtype=object)
for _name, _codes in RFM_MAP.items():
    _SEGMENT_OF[[int(code) for code in _codes]] = _name

GENERATIONS: tuple[tuple[str, float], ...] = (
    ("Silent", 1945), ("Boomers", 1964), ("Gen X", 1980), ("Millennials", 1996),
    ("Gen Z", 2012), ("Gen Alpha", np.inf))


def quintiles(better: pd.Series) -> pd.Series:
    """Scores 1-5: ceil(5 * rank / n), rank 1 the worst, equal values the rank of the first.

    Whole numbers in a short range (order counts, days, F + M) are counted, not sorted.
    """
    values = better.to_numpy(np.float64)
    n = len(values)
    if n == 0:
        return pd.Series(np.zeros(0, dtype=np.int64), index=better.index)
    low, high = values.min(), values.max()
    if high - low < n and np.array_equal(values, np.floor(values)):
        slot = (values - low).astype(np.int64)
        counts = np.bincount(slot)
    else:
        _, slot, counts = np.unique(values, return_inverse=True, return_counts=True)
    lowest_rank = np.cumsum(counts) - counts + 1
    scores = np.ceil(lowest_rank[slot] * 5 / n).astype(np.int64)
    return pd.Series(scores, index=better.index)


def rfm(act: pd.DataFrame) -> pd.DataFrame:
    """r_score, f_score, m_score and rfm_segment; 'Prospect' for customers with no order."""
    buyers = act["orders"] > 0
    r, f, m = in_parallel(
        lambda: quintiles(-act.loc[buyers, "days_since_last_order"]),
        lambda: quintiles(act.loc[buyers, "orders"].astype(np.float64)),
        lambda: quintiles(act.loc[buyers, "revenue"]))
    fm = quintiles((f + m).astype(np.float64))  # the order of the mean of F and M
    b_ids = act.index[buyers]
    segment = rfm_segments(r, fm)
    out = pd.DataFrame({"r_score": r, "f_score": f, "m_score": m, "rfm_segment": segment},
                       index=b_ids, copy=False).reindex(act.index)
    for name in ("r_score", "f_score", "m_score"):
        out[name] = out[name].astype("Int64")
    out["rfm_segment"] = out["rfm_segment"].astype(object).where(buyers, "Prospect")
    return out


def rfm_segments(r_score: pd.Series, fm_score: pd.Series) -> pd.Series:
    """The R x FM map: segment name of each (R score, FM score) pair of integers 1-5."""
    code = (r_score.to_numpy(np.int64) * 10 + fm_score.to_numpy(np.int64))
    return pd.Series(_SEGMENT_OF[code], index=r_score.index, dtype=object)


def generations(birth_year: pd.Series) -> pd.Series:
    """Generation name from the birth year (Silent up to 1945 ... Gen Alpha from 2013)."""
    bins = [-np.inf, *[limit for _, limit in GENERATIONS]]
    labels = [name for name, _ in GENERATIONS]
    cut = pd.cut(birth_year, bins=bins, labels=labels, right=True)
    return cut.astype(object).where(birth_year.notna(), None)


def income_bands(customers: pd.DataFrame, settings: Settings) -> pd.Series:
    """low / middle / high: the user's band where given, else from income.

    Income cut-offs come from the ``income_bands`` setting (two increasing numbers) or, by
    default, the terciles of the customers' incomes.
    """
    given = customers["income_band"] if "income_band" in customers else pd.Series(
        None, index=customers.index, dtype=object)
    if "income" not in customers or customers["income"].isna().all():
        return given.astype(object)
    income = customers["income"].to_numpy(np.float64)
    cuts = np.asarray(settings.income_bands or np.nanquantile(income, [1 / 3, 2 / 3]))
    names = np.array(["low", "middle", "high", None], dtype=object)
    slot = np.where(np.isnan(income), 3, np.searchsorted(cuts, income, side="left"))
    own = given.to_numpy(dtype=object)
    return pd.Series(np.where(given.notna().to_numpy(), own, names[slot]), index=given.index,
                     dtype=object)
