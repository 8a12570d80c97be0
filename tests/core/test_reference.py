"""The vectorised core equals a plain row-by-row implementation, column by column.

``benchmarks.rowloop.analyze_rows`` reads the same raw sheets cell by cell and shares no parsing
or rule code with ``addin``: every output column must agree, on random books, on generated books
typed the way people type them, on raw cells written every way the SPEC lists, and under
non-default settings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from builders import AS_OF, books
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin import run_analysis
from addin.core.settings import Settings
from addin.demo.book import generate
from addin.demo.messy import dutch_number, excel_serial, french_money, mess
from benchmarks.rowloop import analyze_rows

some = settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _blank(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and np.isnan(value))


def assert_same_table(core: pd.DataFrame, loop: pd.DataFrame) -> None:
    """Every column equal: floats within rounding, everything else exactly, blanks alike."""
    assert list(loop.columns) == list(core.columns)
    assert len(loop) == len(core)
    wrong = []
    for name in core.columns:
        got, want = core[name], loop[name]
        if pd.api.types.is_float_dtype(got.dtype):
            expected = np.array([np.nan if _blank(v) else float(v) for v in want])
            same = np.isclose(got.to_numpy(np.float64), expected, equal_nan=True)
        else:
            same = np.array([(_blank(a) and _blank(b)) or (
                not _blank(a) and not _blank(b) and a == b)
                for a, b in zip(got.astype(object), want.astype(object), strict=True)])
        if not same.all():
            rows = np.flatnonzero(~same)[:3]
            wrong.append(f"{name} ({(~same).sum()} rows), e.g. "
                         + "; ".join(f"{core['customer_id'].iloc[i]!r}: core "
                                     f"{got.iloc[i]!r} != loop {want.iloc[i]!r}" for i in rows))
    assert not wrong, "\n".join(wrong)


def check(customers: pd.DataFrame, orders: pd.DataFrame | None,
          config: Settings | None = None, as_of: pd.Timestamp = AS_OF) -> pd.DataFrame:
    """Both implementations on the same raw frames; returns the core's table."""
    core = run_analysis(customers, orders, as_of=as_of, settings=config).table
    assert_same_table(core, analyze_rows(customers, orders, as_of, config))
    return core


@st.composite
def non_default_settings(draw: st.DrawFn) -> Settings:
    """Thresholds away from the SPEC's defaults, consistent with each other."""
    warm = draw(st.sampled_from([20.0, 40.0, 55.5]))
    abc_a = draw(st.sampled_from([0.5, 0.8, 0.9]))
    retention = draw(st.sampled_from([0.0, 0.6, 0.9]))
    bands = draw(st.sampled_from([(), (1000.0, 2500.0), (30_000.0, 60_000.0)]))
    return Settings(
        churn_days=draw(st.integers(30, 700)), loyal_min_orders=draw(st.integers(1, 5)),
        loyal_min_tenure_days=draw(st.integers(1, 400)),
        occasional_min_orders=draw(st.integers(1, 4)),
        max_bad_satisfaction=draw(st.sampled_from([1.0, 2.0, 3.5])),
        max_bad_nps=draw(st.sampled_from([0.0, 6.0, 8.0])),
        min_budget=draw(st.sampled_from([0.0, 500.0, 2500.0])),
        need_min=draw(st.sampled_from([1.0, 2.0, 3.0])),
        max_horizon_days=draw(st.sampled_from([30.0, 90.0, 365.0])),
        full_pages_visited=draw(st.sampled_from([3.0, 10.0, 25.0])),
        engagement_half_life_days=draw(st.sampled_from([7.0, 30.0, 90.0])),
        warm_score=warm, hot_score=warm + draw(st.sampled_from([0.0, 15.0, 30.0])),
        cost_per_order=draw(st.sampled_from([0.0, 2.5, 40.0])),
        abc_a=abc_a, abc_b=draw(st.sampled_from([abc_a + 0.05, 1.0])),
        high_margin_rate=draw(st.none() | st.sampled_from([0.1, 0.35])),
        max_discount_rate=draw(st.sampled_from([0.0, 0.05, 0.2])),
        large_order_value=draw(st.none() | st.sampled_from([50.0, 400.0])),
        retention_rate=retention, discount_rate=draw(st.sampled_from([0.0, 0.1])),
        income_bands=bands,
        # fr and nl are a stated language (evidence for reading '3.000'); en is the default
        language=draw(st.sampled_from(["en", "fr", "nl"])))


# ---------------------------------------------------------------- random books


@some
@given(books())
def test_core_equals_row_loop_on_random_books(book: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    check(*book)


@some
@given(books(), non_default_settings())
def test_core_equals_row_loop_under_other_settings(book: tuple[pd.DataFrame, pd.DataFrame],
                                                   config: Settings) -> None:
    check(*book, config)


# ---------------------------------------------------------------- generated books, messy


@pytest.mark.parametrize("seed", [5, 11])
def test_core_equals_row_loop_on_messy_generated_books(seed: int) -> None:
    customers, orders = generate(2500, 12_000, seed=seed, as_of=AS_OF.date())
    customers, orders = mess(customers, orders, np.random.default_rng(seed))
    table = check(customers, orders)
    assert table["customer_type"].nunique() == 7  # every branch of the rules was compared
    assert table["income_band"].notna().any() and set(table["abc_class"].dropna()) == set("ABCD")


def test_core_equals_row_loop_on_a_messy_book_with_other_settings() -> None:
    customers, orders = generate(2000, 9000, seed=7, as_of=AS_OF.date())
    customers, orders = mess(customers, orders, np.random.default_rng(7))
    config = Settings(income_bands=(30_000.0, 60_000.0), cost_per_order=12.5, churn_days=200,
                      loyal_min_orders=4, min_budget=2000.0, hot_score=60.0, warm_score=30.0,
                      abc_a=0.7, abc_b=0.9, high_margin_rate=0.3, large_order_value=300.0,
                      retention_rate=0.7, discount_rate=0.08)
    check(customers, orders, config)


def test_core_equals_row_loop_on_a_clean_book_without_orders() -> None:
    customers, _ = generate(300, 0, seed=2, as_of=AS_OF.date())
    check(customers, None)


# ---------------------------------------------------------------- raw cells, every way


def _number_cells(value: float) -> st.SearchStrategy[object]:
    """The ways a spreadsheet holds a number (the last two as percent and accounting negative)."""
    text = f"{value:.2f}"
    return st.sampled_from([
        value, int(value), np.float64(value), text, f"  {text} ", str(value),
        french_money(np.array([value]))[0], dutch_number(np.array([value]))[0],
        f"{value:,.2f}", f"{value:,.0f}", f"{value * 1000:,.0f}".replace(",", "."),
        f"{value:.1f} %", f"({text})"])


def _date_cells(day: pd.Timestamp) -> st.SearchStrategy[object]:
    """The ways a spreadsheet holds a date."""
    serial = float(excel_serial(pd.Series([day]))[0])
    return st.sampled_from([
        day, day.to_pydatetime(), day.date(), day.strftime("%Y-%m-%d"),
        day.strftime("%d/%m/%Y"), day.strftime("%d.%m.%y"), day.strftime("%Y/%m/%d"),
        f"{day.day}-{day.month}-{day.year}", day.strftime("%Y-%m-%d 10:30"),
        day.strftime("%Y-%m-%dT00:00:00"), day.strftime("%d/%m/%Y 23:59"),
        np.datetime64(day.date()), int(serial), serial + 0.75, str(int(serial))])


_YES = ["oui", "ja", "yes", "Oui ", "x", 1, True, "VRAI", "waar"]
_NO = ["non", "nee", "no", "Non", 0, False, "faux", "onwaar"]
_JUNK = [None, "", "   ", "#N/A", "#value!", "n/a?", float("nan"), pd.NaT, True, "soon",
         "1850-01-01", "31/12/2300", "30/02/2026", date(1850, 1, 1), -5]


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return strategy | st.sampled_from(_JUNK)


def _numbers(low: float, high: float) -> st.SearchStrategy[object]:
    return st.floats(low, high, allow_nan=False).map(lambda v: round(v, 2)).flatmap(
        _number_cells)


def _dates(low: int, high: int) -> st.SearchStrategy[object]:
    return st.integers(low, high).map(lambda d: AS_OF - pd.Timedelta(days=d)).flatmap(_date_cells)


@st.composite
def raw_books(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Small books whose every cell is typed one of the ways real workbooks hold it.

    Ids are text, whole numbers typed any way (12, 12.0, '12', ' 12 ' on either sheet) or
    columns of integers; headers in English, French or Dutch; with duplicates, empty ids,
    returns, future lines and customers found only in Orders.
    """
    n = draw(st.integers(1, 10))
    style = draw(st.sampled_from(["text", "typed", "integers"]))
    keys = [f"K{i}" for i in range(n)] if style == "text" else [i + 7 for i in range(n)]

    def id_cell(key: object) -> object:
        if style == "integers":
            return key
        if isinstance(key, int):
            return draw(st.sampled_from([key, float(key), np.int64(key), str(key), f" {key} ",
                                         f"{key}.0"]))
        return draw(st.sampled_from([key, f" {key} "]))

    def column(strategy: st.SearchStrategy[object]) -> list[object]:
        return [draw(strategy) for _ in range(n)]

    customers = pd.DataFrame({
        draw(st.sampled_from(["customer_id", "Id client", "Klant ID"])): [
            id_cell(k) for k in keys],
        "Nom": column(st.sampled_from(["  Ana ", "Bo", "", None, "#N/A", 75011])),
        "E-mail": column(st.sampled_from(["a@b.c", None])),
        "courriel": column(st.sampled_from(["x@y.z", " "])),
        "is_employee": column(_maybe(st.sampled_from(_YES + _NO))),
        "Satisfaction": column(_maybe(st.sampled_from([1, 2, "2", "3,0", 4.0, "5", 9, 0]))),
        "nps": column(_maybe(st.sampled_from([0, 6, "7", 10, "11", -1]))),
        "Plaintes": column(_maybe(st.sampled_from([0, 1, 3, "2", "oui", "nee", "x", -2]))),
        "budget": column(_maybe(_numbers(-50, 5000))),
        "decideur": column(_maybe(st.sampled_from(_YES + _NO))),
        "Besoin": column(_maybe(st.sampled_from([0, 1, 2, 3, "2", "oui", "non", 5]))),
        "purchase horizon": column(_maybe(st.sampled_from([10, "45", 90, 91, 400, -3]))),
        "pages vues": column(_maybe(st.sampled_from([0, 3, "12", 40, -1]))),
        "formulaire": column(_maybe(st.sampled_from(_YES + _NO))),
        "dernier contact": column(_maybe(_dates(-20, 900))),
        "first contact": column(_maybe(_dates(0, 1500))),
        "Geboortejaar": column(_maybe(st.sampled_from([1940, "1964", 1980.0, 1997, 2015,
                                                       1700]))),
        "date of birth": column(_maybe(_dates(6000, 30000))),
        "age": column(_maybe(st.sampled_from([25, "61", 90, 200]))),
        "revenu": column(_maybe(_numbers(0, 90_000))),
        "income band": column(st.sampled_from([None, None, "middle", "  high "])),
        "canal": column(st.sampled_from([None, "web", "Parrainage", "bouche à oreille",
                                         "referral ", "event"])),
        "parrain": [id_cell(draw(st.sampled_from(keys)))
                    if style == "integers" or draw(st.booleans())
                    else draw(st.sampled_from([None, "", "K99", "#N/A"])) for _ in range(n)],
        "statut": column(st.sampled_from([None, "open", " won "])),
    })
    extra = draw(st.lists(st.integers(0, n - 1), max_size=2))
    customers = pd.concat([customers, customers.iloc[extra]], ignore_index=True)
    if style != "integers" and draw(st.booleans()):
        blank_id = customers.iloc[[0]].astype(object)
        blank_id.iloc[0, 0] = draw(st.sampled_from([None, "", "#N/A"]))
        customers = pd.concat([customers, blank_id], ignore_index=True)

    m = draw(st.integers(0, 30))
    others = {"text": ["K98", 99], "typed": [98, "99"], "integers": [98, 99]}[style]
    orders = pd.DataFrame({
        draw(st.sampled_from(["order_id", "Numéro commande", "bestelnummer"])): [
            draw(st.none() | st.sampled_from(["A1", "A2", "A3", 4, 5.0, "6"])) for _ in range(m)],
        draw(st.sampled_from(["customer_id", "Code client", "klantnummer"])): [
            id_cell(draw(st.sampled_from(keys + others))) for _ in range(m)],
        draw(st.sampled_from(["order_date", "Date commande", "besteldatum"])): [
            draw(_maybe(_dates(-5, 800))) for _ in range(m)],
        "qty": [draw(_maybe(st.sampled_from([1, 2, "3", 0, -1, 2.5]))) for _ in range(m)],
        "prix unitaire": [draw(_maybe(_numbers(0, 900))) for _ in range(m)],
        "montant": [draw(st.none() | _numbers(0, 2000)) for _ in range(m)],
        "prix catalogue": [draw(_maybe(_numbers(0, 1000))) for _ in range(m)],
        "cout": [draw(st.sampled_from([None, 3.5, "10,5", 42])) for _ in range(m)],
    })
    return customers, orders


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw_books(), st.none() | non_default_settings())
def test_core_equals_row_loop_on_raw_cells(book: tuple[pd.DataFrame, pd.DataFrame],
                                           config: Settings | None) -> None:
    check(*book, config)


def test_whole_number_ids_stay_whole_numbers() -> None:
    customers = pd.DataFrame({"customer_id": [3, 1, 2], "referred_by": [1, 1, 3]})
    orders = pd.DataFrame({"customer_id": [2, 4], "order_date": [AS_OF, AS_OF],
                           "amount": [10.0, 5.0]})
    table = check(customers, orders)
    assert table["customer_id"].tolist() == [3, 1, 2, 4]


def test_dates_keep_their_meaning_whatever_their_cell_type() -> None:
    when = datetime(2026, 3, 1, 10, 30)
    cells = [when, when.date(), "2026-03-01 10:30", "01/03/2026", 46082.4375, "46082"]
    customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(cells))],
                              "last_interaction": cells})
    orders = pd.DataFrame({"customer_id": customers["customer_id"],
                           "order_date": [date(2026, 3, 1)] * len(cells), "amount": 1.0})
    check(customers, orders)


@pytest.mark.parametrize("name", ["orders", "revenue", "customer_type", "frequency",
                                  "prospect_score", "r_score", "is_target", "segments",
                                  "Chiffre d'affaires", "Klanttype"])
def test_customer_columns_named_like_computed_outputs_are_recomputed(name: str) -> None:
    customers = pd.DataFrame({"customer_id": ["A", "B"], name: [3, "x"],
                              "status": ["open", None], "income_band": ["high", None]})
    orders = pd.DataFrame({"customer_id": ["A"], "order_date": [AS_OF], "amount": [5.0]})
    table = check(customers, orders)
    assert table.columns.is_unique and table["status"].iloc[0] == "open"


@pytest.fixture
def in_brussels(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's time zone (the default book zone) is Brussels for one test."""
    monkeypatch.setenv("TZ", "Europe/Brussels")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_text_dates_with_a_time_zone_are_calendar_dates_in_the_book_zone(in_brussels: None,
                                                                         ) -> None:
    cells = ["2026-01-05T23:30:00Z", "2026-01-05 23:30-05:00", "2026-01-05T23:30:00.5+0200",
             "2026-01-05 23:30", "2026-01-05T23:30:00 Z", "2026-01-05 24:00+01:00"]
    customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(cells))],
                              "last_interaction": cells, "complaint": "oui"})
    orders = pd.DataFrame({"customer_id": customers["customer_id"][:3],
                           "order_date": "2026-01-06", "amount": 1.0})
    table = check(customers, orders)
    # In Brussels (UTC+1 in January) the complaints fall on 6, 6 and 5 January: only the
    # third customer ordered (on the 6th) after it.
    assert table["customer_type"].tolist()[:3] == ["disloyal", "disloyal", "one_time"]


def test_datetime_columns_apply_the_same_date_range_as_text() -> None:
    def stamps(*days: str, unit: str) -> np.ndarray:
        return np.array(days, dtype=f"datetime64[{unit}]")

    customers = pd.DataFrame({
        "customer_id": ["A", "B", "C"],
        "last_interaction": stamps("3026-01-05", "2026-01-05", "NaT", unit="us"),
        "birth_date": stamps("1850-06-01", "1980-06-01", "2262-04-11T12:00", unit="s"),
        "first_contact": pd.to_datetime(["2025-12-31 23:30"] * 3).tz_localize("Etc/GMT+5"),
        "complaint": "oui"})
    orders = pd.DataFrame({"customer_id": ["A", "A", "B", "C"],
                           "order_date": stamps("1855-08-26", "2026-01-06", "2026-01-06",
                                                "2262-04-11T10:00", unit="ns"),
                           "amount": 1.0})
    table = check(customers, orders)
    assert table["orders"].tolist() == [1, 1, 0]


@pytest.mark.parametrize("with_orders", [False, True])
def test_nullable_integer_ids_with_blanks(with_orders: bool) -> None:
    def ids(*values: int | None) -> pd.arrays.IntegerArray:
        return pd.array(list(values), dtype="Int64")

    customers = pd.DataFrame({"customer_id": ids(1, None, 3), "referred_by": ids(None, 1, 1)})
    orders = pd.DataFrame({"customer_id": ids(1, 3, None, 4), "order_date": [AS_OF] * 4,
                           "amount": 1.0}) if with_orders else None
    table = check(customers, orders)
    assert table["customer_id"].tolist() == ([1, 3, 4] if with_orders else [1, 3])


@pytest.mark.parametrize("referred_by", [None, [None, None], ["", "#N/A"],
                                         pd.array([2, None], dtype="Int64")])
def test_whole_number_ids_need_no_orders_nor_referrals(referred_by: object) -> None:
    customers = pd.DataFrame({"customer_id": [2, 1]} | (
        {} if referred_by is None else {"referred_by": referred_by}))
    assert check(customers, None)["customer_id"].tolist() == [2, 1]


def test_excel_serials_from_1900_to_2262_with_times_of_day() -> None:
    serials = [45000.5, 120000.0, 132320.0, 132320.5, 132321.0, 2.0, 1.5, 0.5, 46082.999999]
    customers = pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(serials))],
                              "last_interaction": serials, "complaint": "oui"})
    orders = pd.DataFrame({"customer_id": customers["customer_id"],
                           "order_date": serials[-1:] + serials[:-1], "amount": 1.0})
    check(customers, orders)
    check(customers.astype(object), orders.astype({"order_date": object}))


def test_order_lines_naming_customers_by_other_keys_agree_with_the_row_loop() -> None:
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3", "C4"],
                              "email": ["Ann@x.be", "bob@x.be", None, None],
                              "name": ["Ann", "Bob", "Eva Maes", "Eva Maes"],
                              "company": [None, "Bob BV", None, "Maes NV"]})
    orders = pd.DataFrame({"customer_id": ["c1 ", "ANN@X.BE", "bob bv", "eva maes", "maesnv",
                                           "Zed"],
                           "order_date": [AS_OF] * 6, "amount": [1.0, 2, 4, 8, 16, 32]})
    table = check(customers, orders)
    # C1: 1 + 2 (its id in lower case, its e-mail); C2: 4 (its company); "eva maes" names
    # two customers: left out; C4: 16 (its company without the space); Zed: a new customer.
    assert table["revenue"].tolist() == [3.0, 4.0, 0.0, 16.0, 32.0]
