"""What each customer bought and when: order counts, dates, amounts, and the lifetimes summary.

All per-customer figures come from a few array passes over the order lines (integer codes,
``np.bincount`` and one sort), never a group loop: five million lines take about a second.
The ``frequency, recency, T, monetary_value`` columns follow
``lifetimes.utils.summary_data_from_transaction_data`` with daily periods exactly, so the output
can feed BG/NBD or Gamma-Gamma models unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.core.parallel import in_parallel

_DAY = np.int64(86_400 * 10**9)


def _per_customer(codes: np.ndarray, weights: np.ndarray | None, n: int) -> np.ndarray:
    """Sum of ``weights`` (or count) per customer code."""
    return np.bincount(codes, weights=weights, minlength=n)[:n]


def _sum_if_complete(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per-customer sum, blank when any line lacks the value (never a silent zero).

    A NaN weight makes its customer's sum NaN, which is exactly that rule.
    """
    return _per_customer(codes, values, n)


def _distinct_pairs(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (code, value) pairs of non-negative integers, sorted by code then value.

    A plain sort of one combined integer key, no hashing and no argsort.
    """
    if len(codes) == 0:
        return codes, values
    width = np.int64(values.max() + 1)
    key = np.sort(codes * width + values)
    first_of_run = np.empty(len(key), dtype=bool)
    first_of_run[0] = True
    np.not_equal(key[1:], key[:-1], out=first_of_run[1:])
    key = key[first_of_run]
    return key // width, key % width


def _distinct_per_customer(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """How many distinct ``values`` (non-negative integers) each customer code has."""
    return _per_customer(_distinct_pairs(codes, values)[0], None, n).astype(np.int64)


def activity(lines: pd.DataFrame, n_customers: int, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per-customer activity from clean order lines (columns code, order_id, order_date, amounts).

    Returns one row per customer code 0..n-1 with orders, first_order, last_order,
    days_since_last_order, tenure_days, frequency, recency, T, monetary_value, revenue,
    list_revenue, cost, and priced_orders: the orders with a known amount, which averages
    divide by (a line whose amount could not be read counts for activity, not for money).
    """
    n = n_customers
    codes = lines["code"].to_numpy(np.int64)
    days = lines["order_date"].to_numpy("datetime64[ns]").astype(np.int64) // _DAY
    raw_amount = lines["amount"].to_numpy(np.float64)
    priced = ~np.isnan(raw_amount)
    amount = np.where(priced, raw_amount, 0.0)
    as_of_day = np.int64(as_of.normalize().value // _DAY)
    origin = days.min() if len(days) else as_of_day

    # lifetimes' daily periods: distinct purchase days; monetary_value is the mean amount of
    # the days after the first one.  One sort gives the days of each customer in order, so
    # its first and last purchase days are the ends of its run.
    day_numbers = days - origin

    def counts_and_sums() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What needs no sort, meanwhile on the other core."""
        return (_order_counts(lines, codes, day_numbers, n),
                _sum_if_complete(codes, lines["list_amount"].to_numpy(np.float64), n),
                _sum_if_complete(codes, lines["cost_amount"].to_numpy(np.float64), n))

    (buyer, day), (orders, list_revenue, cost) = in_parallel(
        lambda: _distinct_pairs(codes, day_numbers), counts_and_sums)
    periods = _per_customer(buyer, None, n).astype(np.int64)
    ends = np.flatnonzero(buyer[1:] != buyer[:-1])
    starts, ends = np.r_[0, ends + 1], np.r_[ends, len(buyer) - 1]
    has = periods > 0
    first, last = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    if len(buyer):
        first[buyer[starts]] = day[starts] + origin
        last[buyer[ends]] = day[ends] + origin
    frequency = np.maximum(periods - 1, 0)
    revenue = _per_customer(codes, amount, n)
    on_first_day = days == first[codes]
    first_day_amount = _per_customer(codes[on_first_day], amount[on_first_day], n)
    priced_orders, priced_repeats = orders, frequency
    if not priced.all():
        priced_orders, priced_repeats = _priced(lines[priced], codes[priced],
                                                day_numbers[priced], first - origin, n)
    repeat_mean = np.where(priced_repeats > 0, (revenue - first_day_amount)
                           / np.maximum(priced_repeats, 1), np.nan)

    blank = np.where(has, 0.0, np.nan)
    out = pd.DataFrame({
        "orders": orders,
        "first_order": _dates(first, has),
        "last_order": _dates(last, has),
        "days_since_last_order": (as_of_day - last) + blank,
        "tenure_days": (as_of_day - first) + blank,
        "frequency": frequency + blank,
        "recency": (last - first) + blank,
        "T": (as_of_day - first) + blank,
        "monetary_value": np.where(frequency > 0, repeat_mean, 0.0) + blank,
        "revenue": revenue,
        "list_revenue": list_revenue,
        "cost": cost,
        "priced_orders": priced_orders,
    }, copy=False)
    out.loc[~has, ["list_revenue", "cost"]] = np.nan
    return out


def _priced(lines: pd.DataFrame, codes: np.ndarray, day_numbers: np.ndarray,
            first_day: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Orders and repeat purchase days (days after the first) among lines with an amount."""
    buyer, day = _distinct_pairs(codes, day_numbers)
    repeats = _per_customer(buyer[day != first_day[buyer]], None, n).astype(np.int64)
    return _order_counts(lines, codes, day_numbers, n), repeats


def _order_counts(lines: pd.DataFrame, codes: np.ndarray, day_numbers: np.ndarray,
                  n: int) -> np.ndarray:
    """Distinct orders per customer: by order_id, or by order date where a line has no id."""
    ids = lines["order_id"]
    if pd.api.types.is_integer_dtype(ids.dtype) and not ids.hasnans:
        order_codes = ids.to_numpy(np.int64) - (ids.min() if len(ids) else 0)
    else:
        order_codes = pd.factorize(ids, use_na_sentinel=True)[0].astype(np.int64)
        no_id = order_codes < 0
        if no_id.any():
            order_codes[no_id] = order_codes.max() + 1 + day_numbers[no_id]
    if len(order_codes) and order_codes.max() < 4 * len(order_codes):
        # Usually each order id belongs to one customer: then counting needs no sort, only
        # the lowest and highest customer of each order (equal when it has one customer).
        size = int(order_codes.max()) + 1
        low = np.full(size, np.iinfo(np.int64).max)
        high = np.full(size, -1, dtype=np.int64)
        np.minimum.at(low, order_codes, codes)
        np.maximum.at(high, order_codes, codes)
        used = high >= 0
        if ((low == high) | ~used).all():
            return _per_customer(high[used], None, n).astype(np.int64)
    return _distinct_per_customer(codes, order_codes, n)


def _dates(days: np.ndarray, has: np.ndarray) -> np.ndarray:
    """Day numbers to datetime64, NaT where the customer has no order."""
    stamps = (days * _DAY).astype("datetime64[ns]")
    return np.where(has, stamps, np.datetime64("NaT"))
