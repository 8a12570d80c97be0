"""Spreadsheet reality for synthetic books: cells typed the way people type them.

A clean generated book is turned into what a real workbook holds: numbers stored as text,
French (``1 234,56 €``) and Dutch (``1.234,56``) formats, percentages, text dates
(``31/12/2025``), Excel date serials, yes/no in French and Dutch, ``#N/A``, blanks, a postal code
that lost its leading zero, and the classic mistakes — a duplicate customer_id, a referrer nobody
knows, a negative quantity, an order for a customer who is not in the list.

Reformatted cells keep their meaning (``34 500,00 €`` is still 34500), so a reader that
understands spreadsheets finds the clean values again; the deliberate mistakes are listed in
:data:`MESSES` so tests can tell them apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from addin.core.parsing import EXCEL_EPOCH
from addin.demo.ids import customer_id

RATE = 0.03  # share of the rows each kind of mess touches

#: The kinds of mess, each visible in the messy frames; used by the tests.
MESSES = ("text number", "french money", "dutch number", "percentage", "text date",
          "excel serial", "french yes/no", "dutch yes/no", "excel error", "blank",
          "postal code as number", "padded text", "duplicate customer_id", "unknown referred_by",
          "negative quantity", "unknown customer")


def mess(customers: pd.DataFrame, orders: pd.DataFrame,
         rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Messy copies of a generated book (the inputs are left untouched)."""
    return _mess_customers(customers.copy(), rng), _mess_orders(orders.copy(), len(customers),
                                                                rng)


def _mess_customers(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(frame)
    income = _cells(frame["income"])
    french, text, error = _rows(rng, frame["income"].notna(), 3)
    income[french] = french_money(frame["income"].to_numpy()[french])
    income[text] = _plain(frame["income"].to_numpy()[text])
    income[error] = "#N/A"
    _put(frame, "income", income)

    budget = _cells(frame["budget"])
    (dutch,) = _rows(rng, frame["budget"].notna(), 1)
    budget[dutch] = dutch_number(frame["budget"].to_numpy()[dutch])
    _put(frame, "budget", budget)

    for name in ("birth_year", "satisfaction", "pages_visited"):
        cells = _cells(frame[name])
        (text,) = _rows(rng, frame[name].notna(), 1)
        cells[text] = _plain(frame[name].to_numpy()[text])
        _put(frame, name, cells)
    satisfaction = _cells(frame["satisfaction"])
    (error,) = _rows(rng, frame["satisfaction"].isna(), 1)
    satisfaction[error] = "#N/A"
    _put(frame, "satisfaction", satisfaction)

    words = {"is_employee": (("oui", "non"), ("ja", "nee")),
             "decision_maker": (("ja", "nee"), ("oui", "non")),
             "form_submitted": (("yes", "nee"), ("Oui", "Non"))}
    for name, ((yes_a, no_a), (yes_b, no_b)) in words.items():
        values = frame[name].astype("boolean")
        cells = _cells(frame[name])
        first, second = _rows(rng, values.notna(), 2)
        truth = values.to_numpy(dtype=bool, na_value=False)
        cells[first] = np.where(truth[first], yes_a, no_a)
        cells[second] = np.where(truth[second], yes_b, no_b)
        _put(frame, name, cells)
    for name, yes in (("need", 3.0), ("complaint", 1.0)):
        values = frame[name].to_numpy()
        cells = _cells(frame[name])
        (answer,) = _rows(rng, (values == yes) | (values == 0), 1)
        cells[answer] = np.where(values[answer] == yes, "oui", "nee")
        _put(frame, name, cells)

    seen = _cells(frame["last_interaction"])
    (text,) = _rows(rng, frame["last_interaction"].notna(), 1)
    seen[text] = frame["last_interaction"].iloc[text].dt.strftime("%d/%m/%Y").to_numpy()
    _put(frame, "last_interaction", seen)
    contact = _cells(frame["first_contact"])
    (serial,) = _rows(rng, frame["first_contact"].notna(), 1)
    contact[serial] = excel_serial(frame["first_contact"].iloc[serial]).astype(np.int64)
    _put(frame, "first_contact", contact)

    postal = _cells(frame["postal_code"])
    (lost_zero,) = _rows(rng, frame["postal_code"].str.startswith("0").fillna(False), 1)
    postal[lost_zero] = frame["postal_code"].iloc[lost_zero].astype(np.int64).to_numpy()
    _put(frame, "postal_code", postal)
    city = _cells(frame["city"])
    blank, spaces = _rows(rng, frame["city"].notna(), 2)
    city[blank], city[spaces] = "", "   "
    _put(frame, "city", city)
    name = _cells(frame["name"])
    (padded,) = _rows(rng, frame["name"].notna(), 1)
    name[padded] = "  " + frame["name"].iloc[padded] + " "
    _put(frame, "name", name)

    referred = _cells(frame["referred_by"])
    referred[rng.integers(0, n)] = customer_id(n + 2, n)
    _put(frame, "referred_by", referred)
    # The same customer typed twice, with another spelling of the name.
    copy = frame.iloc[[int(rng.integers(0, n))]].copy()
    copy["name"] = copy["name"].astype(object).str.upper()
    return pd.concat([frame, copy], ignore_index=True)


def _mess_orders(frame: pd.DataFrame, n_customers: int,
                 rng: np.random.Generator) -> pd.DataFrame:
    if frame.empty:
        return frame
    net, listed_price = frame["unit_price"].to_numpy(), frame["list_price"].to_numpy()
    dates = frame["order_date"]
    cells = _cells(dates)
    text, serial, iso = _rows(rng, dates.notna(), 3)
    cells[text] = dates.iloc[text].dt.strftime("%d/%m/%Y").to_numpy()
    cells[serial] = excel_serial(dates.iloc[serial])
    cells[iso] = dates.iloc[iso].dt.strftime("%Y-%m-%d").to_numpy()
    _put(frame, "order_date", cells)

    price = _cells(frame["unit_price"])
    french, text = _rows(rng, frame["unit_price"].notna(), 2)
    price[french] = french_money(frame["unit_price"].to_numpy()[french])
    price[text] = _plain(frame["unit_price"].to_numpy()[text])
    _put(frame, "unit_price", price)
    listed = _cells(frame["list_price"])
    dutch, error = _rows(rng, frame["list_price"].notna(), 2)
    listed[dutch] = dutch_number(frame["list_price"].to_numpy()[dutch])
    listed[error[:1]] = "#N/A"
    _put(frame, "list_price", listed)
    cost = _cells(frame["unit_cost"])
    (text,) = _rows(rng, frame["unit_cost"].notna(), 1)
    cost[text] = _plain(frame["unit_cost"].to_numpy()[text])
    _put(frame, "unit_cost", cost)

    # A discount column as people add one: percentages typed as text, blank for none.
    percent = np.round((1 - net / listed_price) * 100)
    shown = pd.Series(percent).astype("Int64").astype(str) + np.where(
        rng.random(len(frame)) < 0.5, " %", "%")
    _put(frame, "discount", np.where(percent > 0, shown.to_numpy(dtype=object), None))

    quantity = _cells(frame["quantity"])
    negative, text = _rows(rng, np.ones(len(frame), dtype=bool), 2)
    quantity[text] = _plain(frame["quantity"].to_numpy()[text])
    quantity[negative[:1]] = -1
    _put(frame, "quantity", quantity)
    ids = _cells(frame["order_id"])
    (text,) = _rows(rng, np.ones(len(frame), dtype=bool), 1)
    ids[text] = frame["order_id"].to_numpy()[text].astype(str)
    _put(frame, "order_id", ids)
    who = _cells(frame["customer_id"])
    who[int(rng.integers(0, len(frame)))] = customer_id(n_customers + 1, n_customers)
    _put(frame, "customer_id", who)
    return frame


# ---------------------------------------------------------------- formats


def french_money(values: np.ndarray) -> np.ndarray:
    """``1 234,56 €``: space thousands, comma decimals, euro sign after."""
    return _grouped(values, " ", ",") + " €"


def dutch_number(values: np.ndarray) -> np.ndarray:
    """``1.234,56``: dot thousands, comma decimals (always two, so 2.500 is never ambiguous)."""
    return _grouped(values, ".", ",")


def excel_serial(dates: pd.Series) -> np.ndarray:
    """Excel's 1900-system serial numbers of dates (day 1 = 1900-01-01)."""
    return ((dates - EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(np.float64)


def _grouped(values: np.ndarray, thousands: str, decimal: str) -> np.ndarray:
    """Numbers written with a thousands separator and two decimals, whole columns at once."""
    values = np.asarray(values, dtype=np.float64)
    cents = np.round(np.abs(values) * 100).astype(np.int64)
    units = cents // 100
    millions, thousands_part, rest = units // 1_000_000, units // 1000 % 1000, units % 1000
    big, mid, low = (pd.Series(x).astype(str) for x in (millions, thousands_part, rest))
    text = np.where(millions > 0, big + thousands + mid.str.zfill(3) + thousands
                    + low.str.zfill(3),
                    np.where(thousands_part > 0, mid + thousands + low.str.zfill(3), low))
    fraction = pd.Series(cents % 100).astype(str).str.zfill(2).to_numpy(dtype=object)
    sign = np.where(values < 0, "-", "")
    return (sign + text.astype(object) + decimal + fraction).astype(object)


def _plain(values: np.ndarray) -> np.ndarray:
    """Numbers stored as text, as a CSV import leaves them: '34500', '4', '12.5'."""
    values = np.asarray(values, dtype=np.float64)
    whole = values == np.floor(values)
    as_int = pd.Series(np.where(whole, values, 0).astype(np.int64)).astype(str).to_numpy(object)
    as_float = pd.Series(values).astype(str).to_numpy(dtype=object)
    return np.where(whole, as_int, as_float).astype(object)


def _put(frame: pd.DataFrame, name: str, cells: np.ndarray) -> None:
    """Store cells as an object column, as a spreadsheet reader returns mixed cells."""
    frame[name] = pd.Series(cells, index=frame.index, dtype=object)


def _cells(column: pd.Series) -> np.ndarray:
    """An object copy of a column, blanks as None, ready to receive cells of any type.

    Dates become ``datetime.datetime`` cells, as spreadsheet readers return them (numpy boxes
    them in C, far faster than pandas Timestamps).
    """
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return column.to_numpy().astype("datetime64[us]").astype(object)
    cells = column.astype(object).to_numpy(copy=True)
    cells[pd.isna(column).to_numpy()] = None
    return cells


def _rows(rng: np.random.Generator, eligible: np.ndarray | pd.Series,
          parts: int) -> list[np.ndarray]:
    """``parts`` disjoint random sets of eligible rows, each RATE of the rows (at least one)."""
    candidates = np.flatnonzero(np.asarray(eligible, dtype=bool))
    size = max(1, round(RATE * len(eligible)))
    size = min(size, len(candidates) // parts)
    picked = rng.choice(candidates, size=size * parts, replace=False) if size else candidates[:0]
    return list(picked.reshape(parts, size))
