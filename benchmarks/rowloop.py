"""A straightforward row-by-row implementation of the whole analysis (SPEC sections 1-2).

It is what one would write first: read each row of the raw sheets, parse each cell with a small
function, link order lines to customers with dicts, and compute every output column with a
Python loop per customer (and ``sorted()`` for the rankings).  It serves twice: as the speed
baseline of ``benchmarks.core``, timed on the same raw frames ``analyze()`` gets, and as an
independent oracle the vectorised core must agree with, column by column
(``tests/core/test_reference.py``).  It shares only constants with ``addin`` (header aliases, yes/no
words, referral channels, output columns, setting defaults), never its parsing or rules.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

import numpy as np
import pandas as pd
from pandas.api.types import is_integer_dtype

from addin.core.analysis import OUTPUT_COLUMNS
from addin.core.classify import REFERRAL_CHANNELS
from addin.core.parsing import NO, YES
from addin.core.schema import canonical_columns
from addin.core.settings import Settings
from addin.errors import InputError

Row = dict[str, object]

# ---------------------------------------------------------------- one cell

_EXCEL_ERRORS = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!",
                           "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!"})
_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f'€$£]|(?i:eur)")
_COMMA_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3}){2,}")
_DOT_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3}){2,}")
# One separator then exactly three digits: its meaning is decided for the whole column.
_ONE_SEPARATOR_THREE_DIGITS = re.compile(r"[+-]?[1-9]\d{0,2}([.,])\d{3}")
_COMMA_DECIMAL = re.compile(r"[+-]?\d*,\d+")
_DOT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
_TEXT_DATES = (  # (pattern of the day part, order of year, month, day in it)
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})"), "ymd"),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), "dmy"),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})"), "dmy"),
)
_SERIAL_TEXT = re.compile(r"\d+(\.\d+)?")
_HAS_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}[ T]\d")
_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}[ T](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?)?"
                   r"(?:Z|[+-]\d{2}:?\d{2})?")
_EXCEL_EPOCH = datetime(1899, 12, 30)
# Outside these, a date is an input error: before Excel's first day, or after pandas' last one.
_FIRST_DAY, _LAST_DAY = datetime(1900, 1, 1), datetime(2262, 4, 11)
_NUMBER_TYPES = (int, float, np.integer, np.floating)


def blank(value: object) -> bool:
    """None, NaN, NaT or NA: an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def _is_number(value: object) -> bool:
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool | np.bool_)


def _is_excel_error(text: str) -> bool:
    return text.startswith("#") and text.upper() in _EXCEL_ERRORS


def fold(text: str) -> str:
    """Lower case, accents dropped, letters and digits only: 'Oui ' -> 'oui'."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).lower())


def text_cell(value: object) -> object:
    """Free text stripped; blanks and Excel errors empty; other values (numbers) kept."""
    if isinstance(value, str):
        text = value.strip()
        return None if text == "" or _is_excel_error(text) else text
    return None if blank(value) else value


def id_cell(value: object) -> str | None:
    """An identifier as text: 12.0 -> '12', '007' stays '007'."""
    if blank(value):
        return None
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        text = str(int(value))
    elif _is_number(value):
        number = float(value)
        if not math.isfinite(number):
            return None
        text = str(int(number)) if number.is_integer() else str(number)
    else:
        text = str(value).strip()
    return None if text == "" or _is_excel_error(text) else text


def number_cell(value: object, mark: str | None = None) -> float | None:
    """A number: real numbers, '1 234,56 €', '1.234,56', '1,234.56', '12,5 %', '(12)'.

    ``mark`` is the column's decimal mark (see :func:`column_mark`); None reads '3.000' as
    3000.
    """
    if blank(value):
        return None
    if _is_number(value):
        return float(value)
    if not isinstance(value, str):
        return None  # a date or a yes/no in a number column
    text = value.strip()
    if text == "" or _is_excel_error(text):
        return None
    return _number_from_text(text, mark)


def _bare(text: str) -> tuple[str, bool, bool]:
    """A typed number without spaces, currency, '%' and accounting parentheses."""
    t = _NUMBER_NOISE.sub("", text)
    percent = t.endswith("%")
    t = t.rstrip("%")
    negative = len(t) >= 2 and t[0] == "(" and t[-1] == ")"  # accounting negative
    return t.strip("()"), percent, negative


def column_mark(values: object, language: str | None) -> str | None:
    """The decimal mark of a column: the one its cells show, else the stated language's, else
    None (no evidence, or cells that disagree without a language to decide)."""
    seen = set()
    for value in values:
        if not isinstance(value, str):
            continue
        t = _bare(value.strip())[0]
        if _ONE_SEPARATOR_THREE_DIGITS.fullmatch(t):
            continue
        comma, dot = t.rfind(","), t.rfind(".")
        if comma >= 0 and dot >= 0:
            seen.add("," if comma > dot else ".")
        elif _COMMA_THOUSANDS.fullmatch(t) or _DOT_DECIMAL.fullmatch(t):
            seen.add(".")
        elif _DOT_THOUSANDS.fullmatch(t) or _COMMA_DECIMAL.fullmatch(t):
            seen.add(",")
    if len(seen) == 1:
        return seen.pop()
    return {"en": ".", "fr": ",", "nl": ","}.get(language or "")


def _number_from_text(text: str, mark: str | None) -> float | None:
    """Thousands and decimal separators told apart the way French, Dutch and English write."""
    t, percent, negative = _bare(text)
    comma, dot = t.rfind(","), t.rfind(".")
    lone = _ONE_SEPARATOR_THREE_DIGITS.fullmatch(t)
    if comma >= 0 and dot >= 0:  # the last separator is the decimal one
        t = t.replace(".", "").replace(",", ".") if comma > dot else t.replace(",", "")
    elif lone:  # 3.000, 12,500: the column's decimal mark decides
        t = t.replace(lone.group(1), "." if lone.group(1) == mark else "")
    elif _COMMA_THOUSANDS.fullmatch(t):  # 1,234,567
        t = t.replace(",", "")
    elif _DOT_THOUSANDS.fullmatch(t):  # 1.234.567
        t = t.replace(".", "")
    elif comma >= 0:  # a lone comma is a decimal comma: 12,5 and 1234,567
        t = t.replace(",", ".")
    if not t.isascii() or "_" in t:
        return None
    try:
        number = float(t)
    except ValueError:
        return None
    if math.isnan(number):
        return None
    number = number / 100 if percent else number
    return -number if negative else number


def date_cell(value: object) -> datetime | None:
    """A date: real dates, Excel serials, ISO text, '31/12/2025', '31.12.25'."""
    if blank(value):
        return None
    if isinstance(value, np.datetime64):
        value = value.astype("datetime64[us]").item()
    if isinstance(value, datetime):
        stamp = value if value.tzinfo is None else value.replace(tzinfo=None)
    elif isinstance(value, date):
        stamp = datetime(value.year, value.month, value.day)
    elif _is_number(value):
        return _serial(float(value))
    elif isinstance(value, str):
        text = value.strip()
        return None if text == "" or _is_excel_error(text) else _date_from_text(text)
    else:
        return None
    return stamp if _FIRST_DAY <= stamp <= _LAST_DAY else None


def _serial(days: float) -> datetime | None:
    """Excel 1900-system serial (fractions are times of day), to the second."""
    if not 1 <= days <= 200_000:
        return None
    stamp = _EXCEL_EPOCH + timedelta(seconds=round(days * 86_400))
    return stamp if _FIRST_DAY <= stamp <= _LAST_DAY else None


def _date_from_text(text: str) -> datetime | None:
    """Day first, as French and Dutch users write; a time after an ISO date is kept."""
    day = re.split(r"[ T]", text, maxsplit=1)[0]
    stamp = None
    for pattern, order in _TEXT_DATES:
        hit = pattern.fullmatch(day)
        if hit:
            stamp = _calendar_day(*hit.groups(), order=order)
            break
    if stamp is None:
        return _serial(float(text)) if _SERIAL_TEXT.fullmatch(text) else None
    if _HAS_TIME.match(text):
        return _with_time(stamp, text)
    return stamp


def _calendar_day(a: str, b: str, c: str, *, order: str) -> datetime | None:
    year, month, day = (int(a), int(b), int(c)) if order == "ymd" else (int(c), int(b), int(a))
    if order == "dmy" and len(c) == 2:
        year += 1900 if year >= 69 else 2000  # strptime's %y pivot
    try:
        stamp = datetime(year, month, day)
    except ValueError:
        return None
    return stamp if _FIRST_DAY <= stamp <= _LAST_DAY else None


def _with_time(day: datetime, text: str) -> datetime | None:
    """'2025-12-31 10:30[:15[.5]]', a time zone read as written; an unreadable time: no date."""
    hit = _TIME.fullmatch(text)
    if hit is None:
        return None
    hour, minute, second, fraction = hit.groups()
    try:
        stamp = day.replace(hour=int(hour), minute=int(minute or 0), second=int(second or 0),
                            microsecond=int((fraction or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None
    return stamp if stamp <= _LAST_DAY else None


def yes_no_cell(value: object) -> bool | None:
    """yes/no in English, French or Dutch, ticks ('x') and 0/1."""
    if blank(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if _is_number(value):
        return value != 0
    word = fold(str(value))
    return True if word in YES else False if word in NO else None


def _count_or_yes_no(value: object, yes: float, high: float,
                     mark: str | None) -> float | None:
    """A number where the cell holds one, else a yes/no answer (yes -> ``yes``, no -> 0)."""
    number = number_cell(value, mark)
    if number is None:
        answer = yes_no_cell(value)
        number = None if answer is None else yes if answer else 0.0
    return number if number is not None and 0 <= number <= high else None


def count_cell(value: object, mark: str | None = None) -> float | None:
    """A count users may answer yes/no (complaints): yes -> 1."""
    return _count_or_yes_no(value, 1.0, math.inf, mark)


def need_cell(value: object, mark: str | None = None) -> float | None:
    """The BANT need, 0-3 or yes/no: yes -> 3."""
    return _count_or_yes_no(value, 3.0, 3.0, mark)


#: Cells read as numbers, whose column's decimal mark is decided first.
_NUMBER_CELLS = (number_cell, count_cell, need_cell)


# ---------------------------------------------------------------- sheets

_TEXT = ("name", "email", "phone", "company", "country", "region", "city", "postal_code",
         "income_band", "channel", "status", "owner", "notes", "next_action")
CUSTOMER_CELLS: dict[str, Callable[[object], object]] = {
    "customer_id": id_cell, "referred_by": id_cell,
    **dict.fromkeys(_TEXT, text_cell),
    **dict.fromkeys(("birth_year", "age", "income", "satisfaction", "nps", "pages_visited",
                     "budget", "purchase_horizon_days"), number_cell),
    **dict.fromkeys(("birth_date", "first_contact", "last_interaction"), date_cell),
    **dict.fromkeys(("is_employee", "form_submitted", "decision_maker"), yes_no_cell),
    "complaint": count_cell, "need": need_cell,
}
ORDER_CELLS: dict[str, Callable[[object], object]] = {
    "order_id": id_cell, "customer_id": id_cell, "order_date": date_cell,
    **dict.fromkeys(("quantity", "unit_price", "amount", "list_price", "unit_cost"),
                    number_cell),
}
#: Values outside these bounds are input errors: the cell counts as empty.
LIMITS: dict[str, tuple[float, float]] = {
    "satisfaction": (1, 5), "nps": (0, 10), "pages_visited": (0, math.inf),
    "budget": (0, math.inf), "income": (0, math.inf), "age": (0, 130),
    "birth_year": (1850, 2200), "purchase_horizon_days": (0, math.inf),
}


def _columns(frame: pd.DataFrame, sheet: str, wanted: dict[str, object],
             required: tuple[str, ...]) -> dict[str, int]:
    """Canonical name -> position of the first header standing for it."""
    mapping = canonical_columns(sheet, frame.columns)
    where: dict[str, int] = {}
    for position, header in enumerate(frame.columns):
        name = mapping.get(header)
        if name in wanted:
            where.setdefault(name, position)
    missing = [name for name in required if name not in where]
    if missing:
        raise InputError(f"Sheet '{sheet}' has no column {', '.join(missing)}.")
    return where


def read_rows(frame: pd.DataFrame, sheet: str, cells: dict[str, Callable[..., object]],
              required: tuple[str, ...], language: str | None = None) -> list[Row]:
    """Each row of a sheet as canonical name -> parsed cell (None for absent columns)."""
    where = _columns(frame, sheet, cells, required)
    names = list(where)
    parsers = [partial(cells[name], mark=column_mark(frame.iloc[:, where[name]], language))
               if cells[name] in _NUMBER_CELLS else cells[name] for name in names]
    absent = dict.fromkeys(name for name in cells if name not in where)
    rows = []
    for values in frame.iloc[:, list(where.values())].itertuples(index=False, name=None):
        row = dict(absent)
        for name, parse, value in zip(names, parsers, values, strict=True):
            row[name] = parse(value)
        rows.append(row)
    return rows


def read_customers(frame: pd.DataFrame, today: datetime,
                   language: str | None = None) -> list[Row]:
    """Customers with an id, first row of each id kept, bounds checked, birth year completed."""
    people, seen = [], set()
    for row in read_rows(frame, "customers", CUSTOMER_CELLS, ("customer_id",), language):
        key = row["customer_id"]
        if key is None or key in seen:
            continue
        seen.add(key)
        for name, (low, high) in LIMITS.items():
            value = row[name]
            if value is not None and not low <= value <= high:
                row[name] = None
        if row["birth_year"] is None and row["birth_date"] is not None:
            row["birth_year"] = float(row["birth_date"].year)
        if row["birth_year"] is None and row["age"] is not None:
            row["birth_year"] = today.year - row["age"]
        people.append(row)
    return people


def read_orders(frame: pd.DataFrame | None, today: datetime,
                language: str | None = None) -> list[Row]:
    """Usable order lines with their day number and net, list and cost amounts."""
    if frame is None or frame.shape[1] == 0:
        return []
    last_day = today.toordinal()
    lines = []
    for row in read_rows(frame, "orders", ORDER_CELLS, ("customer_id", "order_date"),
                         language):
        when, quantity = row["order_date"], row["quantity"]
        if row["customer_id"] is None or when is None:
            continue
        if quantity is not None and quantity < 0:  # a return: not counted
            continue
        if when.toordinal() > last_day:  # after the analysis date
            continue
        quantity = 1.0 if quantity is None else quantity
        net = row["amount"]
        if net is None and row["unit_price"] is not None:
            net = quantity * row["unit_price"]
        lines.append({
            "customer_id": row["customer_id"], "order_id": row["order_id"],
            "day": when.toordinal(), "amount": net,
            # A line of unknown net amount adds nothing to any money figure.
            "list_amount": _times(quantity, row["list_price"]) if net is not None else 0.0,
            "cost_amount": _times(quantity, row["unit_cost"]) if net is not None else 0.0,
        })
    return lines


def _times(quantity: float, price: object) -> float | None:
    return None if price is None else quantity * price


def _integer_ids(customers: pd.DataFrame, orders: pd.DataFrame | None) -> bool:
    """Ids stay whole numbers when every id column that holds an id is a column of integers."""
    columns = [(customers, "customers", ("customer_id", "referred_by"))]
    if orders is not None and orders.shape[1]:
        columns.append((orders, "orders", ("customer_id",)))
    for frame, sheet, names in columns:
        where = _columns(frame, sheet, dict.fromkeys(names), ())
        for name in names:
            column = frame.iloc[:, where[name]] if name in where else pd.Series([])
            if not is_integer_dtype(column.dtype) and any(id_cell(v) for v in column):
                return False
    return True


# ---------------------------------------------------------------- one customer


def activity(lines: list[Row], today: int) -> Row:
    """Orders, dates and the lifetimes summary (daily periods) of one customer's lines."""
    if not lines:
        return {"orders": 0, "priced_orders": 0, "first_order": None, "last_order": None,
                "days_since_last_order": None, "tenure_days": None, "frequency": None,
                "recency": None, "T": None, "monetary_value": None, "revenue": 0.0,
                "list_revenue": None, "cost": None}
    orders, priced_orders, per_day, priced_days = set(), set(), {}, set()
    for line in lines:
        order = (("id", line["order_id"]) if line["order_id"] is not None
                 else ("day", line["day"]))
        orders.add(order)
        amount = line["amount"] if line["amount"] is not None else 0.0
        per_day[line["day"]] = per_day.get(line["day"], 0.0) + amount
        if line["amount"] is not None:  # an unreadable amount counts for activity only
            priced_orders.add(order)
            priced_days.add(line["day"])
    days = sorted(per_day)
    first, last = days[0], days[-1]
    repeats = [per_day[d] for d in days[1:] if d in priced_days]
    return {
        "orders": len(orders), "priced_orders": len(priced_orders),
        "first_order": datetime.fromordinal(first), "last_order": datetime.fromordinal(last),
        "days_since_last_order": today - last, "tenure_days": today - first,
        "frequency": len(days) - 1, "recency": last - first, "T": today - first,
        "monetary_value": (sum(repeats) / len(repeats) if repeats
                           else 0.0 if len(days) == 1 else None),
        "revenue": sum(line["amount"] for line in lines if line["amount"] is not None),
        "list_revenue": _total(line["list_amount"] for line in lines),
        "cost": _total(line["cost_amount"] for line in lines),
    }


def _total(values: object) -> float | None:
    """Sum, or None when one value is unknown (never a silent zero)."""
    total = 0.0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def bad_experience(person: Row, s: Settings) -> bool:
    """A complaint, satisfaction <= 2 of 5 or an nps <= 6."""
    complaint, satisfaction, nps = person["complaint"], person["satisfaction"], person["nps"]
    return ((complaint is not None and complaint > 0)
            or (satisfaction is not None and satisfaction <= s.max_bad_satisfaction)
            or (nps is not None and nps <= s.max_bad_nps))


def customer_type(person: Row, act: Row, s: Settings) -> str:
    """The SPEC's priority list, first match wins."""
    bad = bad_experience(person, s)
    since = person["last_interaction"]
    came_back = (since is not None and act["orders"] > 0
                 and act["last_order"].toordinal() > since.toordinal())
    if person["is_employee"] is True:
        return "internal"
    if bad and not came_back:
        return "disloyal"
    if act["orders"] == 0:
        return "prospect"
    if act["days_since_last_order"] > s.churn_days:
        return "lost"
    if (act["orders"] >= s.loyal_min_orders and act["tenure_days"] >= s.loyal_min_tenure_days
            and not bad):
        return "loyal"
    if act["orders"] >= s.occasional_min_orders:
        return "occasional"
    return "one_time"


def prospect(person: Row, today: datetime, s: Settings) -> tuple[float, str, str]:
    """Score (BANT 60 + engagement 40 decayed since the last interaction), temperature, BANT."""
    met = {
        "B": person["budget"] is not None and person["budget"] >= s.min_budget,
        "A": person["decision_maker"] is True,
        "N": person["need"] is not None and person["need"] >= s.need_min,
        "T": (person["purchase_horizon_days"] is not None
              and person["purchase_horizon_days"] <= s.max_horizon_days),
    }
    pages = person["pages_visited"] or 0.0
    pages = min(max(pages / s.full_pages_visited, 0.0), 1.0)
    seen = person["last_interaction"] or person["first_contact"]
    age = 0 if seen is None else max((today - seen).days, 0)
    decay = 0.5 ** (age / s.engagement_half_life_days)
    engagement = (pages * 20.0 + (20.0 if person["form_submitted"] is True else 0.0)) * decay
    raw = sum(met.values()) * 15.0 + engagement
    score = round(raw * 10) / 10  # one decimal, half to even on the tenths (as numpy rounds)
    temperature = ("hot" if score >= s.hot_score else "warm" if score >= s.warm_score
                   else "cold")
    bant = "".join(letter if hit else "-" for letter, hit in met.items())
    return score, temperature, bant


def money(act: Row, s: Settings) -> Row:
    """Revenue to CLV for one customer; blanks where the cost or list price is unknown."""
    orders, revenue, listed, cost = act["orders"], act["revenue"], act["list_revenue"], act["cost"]
    margin = None if cost is None else revenue - cost
    margin_rate = margin / revenue if margin is not None and revenue > 0 else None
    cost_to_serve = orders * s.cost_per_order
    clv = None
    if margin is not None:
        annual = margin * 365.0 / max(act["tenure_days"], 365.0)
        clv = annual * s.retention_rate / (1 + s.discount_rate - s.retention_rate)
    return {
        "revenue": revenue, "list_revenue": listed,
        "discount_rate": 1 - revenue / listed if listed is not None and listed > 0 else None,
        "cost": cost, "gross_margin": margin, "margin_rate": margin_rate,
        "markup_rate": margin / cost if margin is not None and cost > 0 else None,
        "avg_order_value": (revenue / act["priced_orders"] if act["priced_orders"] > 0
                            else None),
        "cost_to_serve": float(cost_to_serve),
        "contribution": None if margin is None else margin - cost_to_serve,
        "break_even_order_value": (s.cost_per_order / margin_rate
                                   if margin_rate is not None and margin_rate > 0 else None),
        "clv": clv,
    }


_GENERATIONS = ((1945, "Silent"), (1964, "Boomers"), (1980, "Gen X"), (1996, "Millennials"),
                (2012, "Gen Z"))


def generation(birth_year: float | None) -> str | None:
    """Silent <= 1945, Boomers 1946-64, Gen X 1965-80, Millennials 1981-96, Gen Z 1997-2012."""
    if birth_year is None:
        return None
    for last_year, name in _GENERATIONS:
        if birth_year <= last_year:
            return name
    return "Gen Alpha"


def referred(person: Row) -> bool:
    """Named a referrer, or came through a referral channel."""
    channel = person["channel"]
    return (person["referred_by"] is not None
            or (channel is not None and fold(str(channel)) in REFERRAL_CHANNELS))


def customer_row(person: Row, lines: list[Row], referrals: int, today: datetime,
                 s: Settings) -> Row:
    """Every output column of one customer that needs no other customer."""
    act = activity(lines, today.toordinal())
    kind = customer_type(person, act, s)
    score, temperature, bant = (prospect(person, today, s) if kind == "prospect"
                                else (None, None, None))
    lost = act["orders"] > 0 and act["days_since_last_order"] > s.churn_days
    row = {name: person[name] for name in ("customer_id", "name", "email", "phone", "company",
                                          "country", "region", "city", "postal_code",
                                          "status", "owner", "notes", "next_action")}
    row.update(act)
    row.update(money(act, s))
    row.update({
        "customer_type": kind, "is_current": act["orders"] > 0 and not lost,
        "is_prescriber": referrals > 0, "referrals": referrals, "is_referred": referred(person),
        "is_target": False, "prospect_score": score, "temperature": temperature, "bant": bant,
        "generation": generation(person["birth_year"]), "segments": None,
    })
    return row


# ---------------------------------------------------------------- rankings


def abc_classes(rows: list[Row], s: Settings) -> None:
    """A while the customers ranked before hold < 80 % of the positive contribution, B < 95 %."""
    ranked = sorted((r for r in rows if r["orders"] > 0 and r["contribution"] is not None),
                    key=lambda r: (-r["contribution"], r["customer_id"]))
    total = sum(max(r["contribution"], 0.0) for r in ranked)
    before = 0.0
    for r in ranked:
        share = before / total if total > 0 else 1.0
        if r["contribution"] <= 0:
            r["abc_class"] = "C"
        elif share < s.abc_a - 1e-12:  # tolerance: float sums may land a hair off the line
            r["abc_class"] = "A"
        elif share < s.abc_b - 1e-12:
            r["abc_class"] = "B"
        else:
            r["abc_class"] = "C"
        before += max(r["contribution"], 0.0)
    for r in rows:
        if r["orders"] == 0:
            r["abc_class"] = "D"
        else:
            r.setdefault("abc_class", None)


def profiles(rows: list[Row], s: Settings) -> None:
    """high / medium / low from high margin rate, little discount, large orders (2+ met: high)."""
    buyers = [r for r in rows if r["orders"] > 0]
    margin_bar = s.high_margin_rate
    if margin_bar is None:
        margin_bar = _median(r["margin_rate"] for r in buyers)
    order_bar = s.large_order_value
    if order_bar is None:
        order_bar = _median(r["avg_order_value"] for r in buyers)
    for r in rows:
        if r["orders"] == 0:
            r["profitability"] = None
            continue
        met = (_at_least(r["margin_rate"], margin_bar)
               + _at_least(s.max_discount_rate, r["discount_rate"])
               + _at_least(r["avg_order_value"], order_bar))
        r["profitability"] = "high" if met == 3 else "medium" if met == 2 else "low"


def _median(values: object) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _at_least(value: float | None, bar: float | None) -> int:
    return int(value is not None and bar is not None and value >= bar)


_RFM_SEGMENTS = {
    "Champions": "55 54 45", "Loyal": "53 44 35 34", "Potential Loyalist": "52 42 33 43",
    "Recent": "51", "Promising": "41 31", "Need Attention": "32 23 22", "About to Sleep": "21",
    "At Risk": "25 24 13", "Can't Lose": "15 14", "Hibernating": "12", "Lost": "11",
}
_SEGMENT_OF = {code: name for name, codes in _RFM_SEGMENTS.items() for code in codes.split()}


def quintiles(values: list[float]) -> list[int]:
    """Score 1-5 of each value: ceil(5 * rank / n), rank 1 the lowest value, and equal values
    the rank of the first of them (so customers who behave alike score alike)."""
    below = {}
    for rank, value in enumerate(sorted(values), start=1):
        below.setdefault(value, rank)
    return [-(-below[value] * 5 // len(values)) for value in values]  # ceil(rank * 5 / n)


def rfm(rows: list[Row]) -> None:
    """r, f, m quintiles of the buyers and their R x FM segment; 'Prospect' for the others."""
    buyers = [r for r in rows if r["orders"] > 0]
    recency = quintiles([-r["days_since_last_order"] for r in buyers])
    frequency = quintiles([r["orders"] for r in buyers])
    monetary = quintiles([r["revenue"] for r in buyers])
    fm = quintiles([(f + m) / 2.0 for f, m in zip(frequency, monetary, strict=True)])
    for row, r, f, m, both in zip(buyers, recency, frequency, monetary, fm, strict=True):
        row.update(r_score=r, f_score=f, m_score=m, rfm_segment=_SEGMENT_OF[f"{r}{both}"])
    for row in rows:
        if row["orders"] == 0:
            row.update(r_score=None, f_score=None, m_score=None, rfm_segment="Prospect")


def income_bands(people: list[Row], rows: list[Row], s: Settings) -> None:
    """The user's band where given, else low / middle / high by the settings' cuts or terciles."""
    incomes = sorted(p["income"] for p in people if p["income"] is not None)
    cuts = (list(s.income_bands) or _terciles(incomes)) if incomes else []
    for person, row in zip(people, rows, strict=True):
        band, income = person["income_band"], person["income"]
        if band is None and cuts and income is not None:
            band = "low" if income <= cuts[0] else "middle" if income <= cuts[1] else "high"
        row["income_band"] = band


def _terciles(values: list[float]) -> list[float]:
    """The 1/3 and 2/3 quantiles of sorted values, interpolated linearly between neighbours."""
    cuts = []
    for third in (1, 2):
        below, rest = divmod(third * (len(values) - 1), 3)
        low = values[below]
        cuts.append(low if rest == 0 else low + (values[below + 1] - low) * rest / 3)
    return cuts


# ---------------------------------------------------------------- the analysis


def analyze_rows(customers: pd.DataFrame, orders: pd.DataFrame | None, as_of: pd.Timestamp,
                 settings: Settings | None = None) -> pd.DataFrame:
    """The analysis table of ``run_analysis(customers, orders, as_of=as_of)`` without user
    segments, computed row by row from the same raw sheets."""
    s = settings or Settings()
    today = datetime(as_of.year, as_of.month, as_of.day)
    language = s.stated_language
    people = read_customers(customers, today, language)
    position = {p["customer_id"]: i for i, p in enumerate(people)}
    lines_of: list[list[Row]] = [[] for _ in people]
    for line in read_orders(orders, today, language):
        who = line["customer_id"]
        if who not in position:  # only in Orders: still a customer
            position[who] = len(people)
            people.append({name: None for name in CUSTOMER_CELLS} | {"customer_id": who})
            lines_of.append([])
        lines_of[position[who]].append(line)
    referrals = [0] * len(people)
    for person in people:
        if person["referred_by"] in position:
            referrals[position[person["referred_by"]]] += 1

    rows = [customer_row(p, lines_of[i], referrals[i], today, s) for i, p in enumerate(people)]
    whole = _integer_ids(customers, orders)
    if whole:
        for row in rows:
            row["customer_id"] = int(row["customer_id"])
    abc_classes(rows, s)
    profiles(rows, s)
    rfm(rows)
    income_bands(people, rows, s)
    return pd.DataFrame([[row[c] for c in OUTPUT_COLUMNS] for row in rows],
                        columns=list(OUTPUT_COLUMNS))
