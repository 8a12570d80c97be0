"""Never misread silently (issue 12): ambiguous numbers, dates typed day first, order lines
without an amount, RFM ties and values shown as typed."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from builders import AS_OF
from hypothesis import given, settings
from hypothesis import strategies as st

from addin import run_analysis
from addin.core.analysis import analyze
from addin.core.parsing import parse_numbers
from addin.core.settings import Settings
from addin.core.validation import Validation


def cells(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def problems(result) -> list[tuple]:
    v = result.validation
    return list(zip(v["sheet"], v["row"], v["column"], v["value"], v["severity"], v["message"],
                    strict=True))


# ---------------------------------------------------------------- 1. one separator, three digits

@pytest.mark.parametrize(("column", "language", "expected"), [
    (("€ 3.000", "1.234,56"), None, [3000.0, 1234.56]),  # a decimal comma elsewhere
    (("12,500", "1,234.50"), None, [12500.0, 1234.5]),  # a decimal dot elsewhere
    (("12,500", "12,5"), None, [12.5, 12.5]),  # French: the comma is decimal
    (("$1,000", "$2,000"), "en", [1000.0, 2000.0]),
    (("€ 3.000", "€ 45.000"), "nl", [3000.0, 45000.0]),
    (("12,500",), "fr", [12.5]),
    (("1.500",), "en", [1.5]),
    (("0,500", "1234,567"), None, [0.5, 1234.567]),  # never thousands: no warning needed
])
def test_a_lone_separator_is_read_by_the_column_evidence(column, language, expected) -> None:
    parsed = parse_numbers(cells(*column), language)
    assert parsed.values.tolist() == pytest.approx(expected)
    assert parsed.warnings.empty and parsed.errors.empty


def test_without_evidence_a_lone_separator_is_thousands_and_each_cell_is_reported() -> None:
    parsed = parse_numbers(cells("€ 3.000", "150,000", "$1,000", 7.5, "12"))
    assert parsed.values.tolist() == [3000.0, 150000.0, 1000.0, 7.5, 12.0]
    assert parsed.warnings.to_dict() == {0: "cell.read_thousands",
                                         1: "cell.read_thousands",
                                         2: "cell.read_thousands"}


def test_contradicting_cells_are_reported_even_when_the_language_decides() -> None:
    parsed = parse_numbers(cells("12,5", "3.5", "2.000"), "fr")
    assert parsed.values.tolist() == [12.5, 3.5, 2000.0]
    assert parsed.warnings.to_dict() == {2: "cell.read_thousands"}


def test_the_analysis_reports_guessed_amounts_with_sheet_row_and_header() -> None:
    orders = pd.DataFrame({"Id client": ["A"], "Date": ["05/06/2026"], "Montant": ["€ 3.000"]})
    result = run_analysis(pd.DataFrame({"Id client": ["A"], "Budget": ["1.500"]}), orders,
                          as_of=AS_OF)
    assert result.table.loc[0, "revenue"] == 3000.0
    assert problems(result) == [
        ("Customers", 2, "Budget", "1.500", "warning", "read as 1500 — thousands separator"),
        ("Orders", 2, "Montant", "€ 3.000", "warning", "read as 3000 — thousands separator")]


def test_the_workbook_language_decides_and_then_nothing_is_reported() -> None:
    orders = pd.DataFrame({"Id client": ["A"], "Date": ["05/06/2026"], "Montant": ["€ 3.000"]})
    result = run_analysis(pd.DataFrame({"Id client": ["A"]}), orders, as_of=AS_OF,
                          settings={"langue": "nl"})
    assert result.table.loc[0, "revenue"] == 3000.0
    assert result.validation.empty


def test_settings_values_with_a_thousands_dot() -> None:
    found = Validation()
    config = Settings.from_mapping({"inkomensklassen": "30.000; 60.000", "taal": "nl",
                                    "min_budget": "2.500"}, validation=found)
    assert config.income_bands == (30000.0, 60000.0)
    assert config.min_budget == 2500.0
    assert len(found) == 0
    found = Validation()
    config = Settings.from_mapping({"income_bands": "30,000; 60,000"}, validation=found,
                                   rows={"income_bands": 4})
    assert config.income_bands == (30000.0, 60000.0)
    assert found.to_frame()[["row", "severity", "message"]].values.tolist() == [
        [4, "warning", "income_bands: read as 30000 — thousands separator"],
        [4, "warning", "income_bands: read as 60000 — thousands separator"]]


_STYLES = {  # thousands separators a person types, decimal mark
    "en": ([",", ""], "."),
    "fr": (["\u202f", "\u00a0", " ", ""], ","),
    "nl": ([".", ""], ","),
}


def _typed(value: Decimal, language: str, group: str, currency: str, before: bool) -> str:
    """A number as a user of ``language`` types it."""
    sign = "-" if value < 0 else ""
    places = max(0, -value.as_tuple().exponent)
    whole, _, cents = f"{abs(value):.{places}f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", group)
    text = grouped + (_STYLES[language][1] + cents if cents else "")
    if not currency:
        return sign + text
    return f"{currency} {sign}{text}" if before else f"{sign}{text} {currency}"


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(_STYLES)), st.data())
def test_a_typed_column_reads_back_exactly_or_says_why(language: str, data) -> None:
    numbers = data.draw(st.lists(st.builds(lambda n, places: Decimal(n).scaleb(-places),
                                           st.integers(-10**9, 10**9), st.sampled_from([0, 2, 3])),
                                 min_size=1, max_size=6))
    groups, _ = _STYLES[language]
    typed = [_typed(n, language,
                    data.draw(st.sampled_from(groups)), data.draw(st.sampled_from(["", "€", "$"])),
                    data.draw(st.booleans())) for n in numbers]
    stated = data.draw(st.sampled_from([None, language]))
    parsed = parse_numbers(cells(*typed), stated)
    assert parsed.errors.empty, typed
    for i, number in enumerate(numbers):
        exact = parsed.values[i] == pytest.approx(float(number))
        assert exact or i in parsed.warnings.index, (typed, stated, parsed.values.tolist())


# ---------------------------------------------------------------- 3. day first everywhere

def test_an_as_of_text_is_day_first_in_the_api() -> None:
    result = run_analysis(pd.DataFrame({"customer_id": ["A"]}), as_of="05/06/2025")
    assert result.as_of == pd.Timestamp("2025-06-05")
    assert run_analysis(pd.DataFrame({"customer_id": ["A"]}), as_of="2025-06-05").as_of == \
        pd.Timestamp("2025-06-05")


# ---------------------------------------------------------------- 5 and 7. lines without amount

def test_a_blank_unit_price_is_reported() -> None:
    orders = pd.DataFrame({"customer_id": ["A", "A"], "order_id": [1, 2],
                           "order_date": ["01/03/2026", "02/03/2026"], "quantity": [2, 1],
                           "unit_price": [None, 40]})
    result = run_analysis(pd.DataFrame({"customer_id": ["A"]}), orders, as_of=AS_OF)
    assert problems(result) == [("Orders", 2, "unit_price", "", "warning",
                                 "no 'unit_price': the order counts, but adds nothing to revenue "
                                 "or margin")]
    assert result.table.loc[0, "orders"] == 2
    assert result.table.loc[0, "avg_order_value"] == 40.0


def test_an_unreadable_amount_counts_for_activity_not_for_averages() -> None:
    orders = pd.DataFrame({"customer_id": ["A", "A", "A"], "order_id": ["O1", "O2", "O3"],
                           "order_date": ["01/01/2026", "01/02/2026", "01/03/2026"],
                           "amount": [100, "#N/A", 300]})
    result = run_analysis(pd.DataFrame({"customer_id": ["A"]}), orders, as_of=AS_OF)
    row = result.table.iloc[0]
    assert row["orders"] == 3 and row["frequency"] == 2
    assert row["revenue"] == 400.0
    assert row["avg_order_value"] == 200.0  # 400 over the two orders with an amount
    assert row["monetary_value"] == 300.0  # the one repeat day with an amount
    assert problems(result) == [("Orders", 3, "amount", "#N/A", "error",
                                 "Excel error value #N/A: the order counts, but adds nothing "
                                 "to revenue or margin")]


def test_one_order_id_on_two_dates_is_a_warning() -> None:
    orders = pd.DataFrame({"customer_id": ["A", "A", "A"], "order_id": ["O1", "O1", "O1"],
                           "order_date": ["01/01/2026", "01/01/2026", "03/01/2026"],
                           "amount": [1, 2, 3]})
    result = run_analysis(pd.DataFrame({"customer_id": ["A"]}), orders, as_of=AS_OF)
    assert problems(result) == [("Orders", 4, "order_id", "O1", "warning",
                                 "this order_id has lines on two or more dates: counted as "
                                 "one order")]
    assert result.table.loc[0, "orders"] == 1


# ---------------------------------------------------------------- 8. RFM ties

def test_customers_who_behave_alike_get_the_same_rfm_scores() -> None:
    ids = ["C1", "C2", "C3", "C4", "C5", "C6"]
    counts = [1, 3, 3, 3, 3, 5]  # four customers with three orders on the same days
    rows = [(who, f"0{day + 1}/06/2026", 10.0) for who, n in zip(ids, counts, strict=True)
            for day in range(n)]
    orders = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    table = analyze(pd.DataFrame({"customer_id": ids}), orders, as_of=AS_OF)
    # min ranks of the order counts: 1, 2, 2, 2, 2, 6 of 6 -> ceil(5 * rank / 6)
    assert table["f_score"].tolist() == [1, 2, 2, 2, 2, 5]
    assert table["m_score"].tolist() == [1, 2, 2, 2, 2, 5]
    # days since the last order: 29, 27, 27, 27, 27, 25 -> fewer is better
    assert table["r_score"].tolist() == [1, 2, 2, 2, 2, 5]


# ---------------------------------------------------------------- 11. values as typed

def test_values_are_shown_as_typed() -> None:
    orders = pd.DataFrame({"N° client": ["B"], "Date": ["01/06/2026"], "Montant": [5]})
    result = run_analysis(pd.DataFrame({"N° client": ["A"], "Satisfaction": [-1.0],
                                        "Dernier contact": [pd.Timestamp("2300-01-15")]}),
                          orders, as_of=AS_OF)
    assert problems(result) == [
        ("Customers", 2, "Dernier contact", "2300-01-15", "error",
         "'2300-01-15' is not a date between 1900 and 2262: read as empty"),
        ("Customers", 2, "Satisfaction", "-1", "error",
         "Satisfaction must be between 1 and 5: read as empty"),
        ("Orders", 2, "N° client", "B", "warning",
         "this id is not in the Customers sheet: added as a customer")]


# ---------------------------------------------------------------- 2. headers

def test_headers_with_units_and_punctuation_are_recognised() -> None:
    customers = pd.DataFrame({"N° client": ["A"], "Horizon d'achat (jours)": [30],
                              "Budget (€)": ["2 000"], "DÉCIDEUR ?": ["oui"],
                              "Besoin": ["oui"]})
    result = run_analysis(customers, as_of=AS_OF)
    assert result.table.loc[0, "bant"] == "BANT"
    assert result.validation.empty


def test_each_unknown_column_is_reported_once_with_the_name_it_likely_meant() -> None:
    customers = pd.DataFrame({"Id client": ["A", "B"], "Horizn achat": [30, 60],
                              "Hobby": ["golf", "judo"], "Segment maison": ["x", "y"]})
    orders = pd.DataFrame({"Id client": ["A"], "Date": ["01/06/2026"],
                           "Prix unitaire HT": [5], "Remise": [0]})
    rules = pd.DataFrame({"segment": ["Maison"], "field": ["Segment maison"],
                          "operator": ["="], "value": ["x"]})
    result = run_analysis(customers, orders, segments=rules, as_of=AS_OF)
    found = [(sheet, column, message) for sheet, _, column, _, _, message in problems(result)]
    assert found == [
        ("Customers", "Horizn achat", "column not recognised: shown as it is, not used in the "
                                      "figures (did you mean purchase_horizon_days?)"),
        ("Customers", "Hobby", "column not recognised: shown as it is, not used in the figures"),
        ("Orders", "Remise", "column not recognised: its values are not used")]
    # Prix unitaire HT (unit_price) is in the alias table now.
    assert len(result.segments["Maison"]) == 1
