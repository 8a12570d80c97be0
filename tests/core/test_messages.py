"""The message catalog: every key has its three templates, each template uses only what its key
is given, every record of books that hit every check renders in each language, and French and
Dutch messages speak the book's words, never the code's snake_case names."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from builders import AS_OF, analyse, order_rows
from handmade import dutch_wholesaler, english_shop, french_shop

from addin import run_analysis
from addin.app.jobs import analyze_file
from addin.core.columnmap import check_headers, read_mapping
from addin.core.messages import (
    MESSAGES,
    RECORD_FIELDS,
    fields,
    parameters,
    plural,
    render,
    text,
)
from addin.core.settings import Settings
from addin.core.validation import Validation
from addin.demo.book import generate

LANGUAGES = ("en", "fr", "nl")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def _reports() -> list[pd.DataFrame]:
    """Validation frames of books that hit every check: the messy synthetic book and hand-made
    ones."""
    found = []
    customers, orders = generate(400, 1600, seed=7, as_of=AS_OF.date(), messy=True)
    found.append(run_analysis(customers, orders, as_of=AS_OF).validation)
    bad = [{"customer_id": "A", "satisfaction": "abc", "nps": 42, "birth_year": 1200,
            "budget": -5, "income": -1, "age": 200, "pages_visited": -3,
            "purchase_horizon_days": -1, "is_employee": "maybe", "need": "lots",
            "complaint": "often", "last_interaction": "yesterday", "referred_by": "ZZ"},
           {"customer_id": None}, {"customer_id": "A"},
           {"customer_id": "B", "nps": "#N/A", "first_contact": "1800-01-01",
            "income": "3.000"}]
    lines = [*order_rows("A", [10]), {"customer_id": None, "order_date": AS_OF},
             {"customer_id": "A", "order_date": None},
             {"customer_id": "A", "order_date": AS_OF, "quantity": -1},
             {"customer_id": "A", "order_date": AS_OF + pd.Timedelta(days=3)},
             {"customer_id": "A", "order_date": AS_OF + pd.Timedelta(days=4)},
             {"customer_id": "Q", "order_date": AS_OF}]
    rules = pd.DataFrame({"segment": ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"],
                          "field": ["nope", "revenue", "revenue", "name", "revenue",
                                    "is_current", "revenue", "last_order"],
                          "operator": ["=", "like", "between", ">", "=", "=", ">=", "="],
                          "value": ["x", "1", "10", "a", "lots", "perhaps", "60.000",
                                    "never"]})
    settings = {"language": "xx", "churn_days": "abc", "cost_per_order": "1,5,5",
                "hot_score": 20.5, "loyal_min_orders": 2.5, "wat": 1, "as_of": "never",
                "income_bands": "a; b", "min_budget": None, "jours avant perte": "0",
                "discount_rate": "3.000"}
    found.append(analyse(bad, lines, segments=rules, settings=settings).validation)
    found.append(run_analysis(pd.DataFrame({"customer_id": ["A"], "revenue": [1],
                                            "birth yaer": [1]}),
                              segments=pd.DataFrame({"segment": ["S"], "field": ["x"]}),
                              as_of=AS_OF).validation)
    found.append(_columns_sheet_report())
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "name": ["Ann", "Ann", "Bob"]})
    # O1's total (20) is on its first line only; "Ann" names two customers
    orders = pd.DataFrame({"customer_id": ["C1", "C1", "Ann", "C3"],
                           "order_id": ["O1", "O1", "O2", "O3"], "order_date": [AS_OF] * 4,
                           "unit_price": [5.0, 6.0, 7.0, 8.0], "amount": [20.0, None, 9.0, 8.0],
                           "quantity": [1, 2, 1, 1]})
    found.append(run_analysis(customers, orders, as_of=AS_OF).validation)
    for make in (french_shop, dutch_wholesaler, english_shop):  # issue 12's hand-made books
        with tempfile.TemporaryDirectory() as folder:
            path = make(Path(folder) / f"{make.__name__}.xlsx")
            found.append(analyze_file(path, as_of="2026-06-30").validation)
    return found


def _columns_sheet_report() -> pd.DataFrame:
    """A Columns sheet with every kind of wrong row, and one without its columns."""
    found = {"customers": "Klanten", "orders": "Bestellingen", "columns": "Kolommen"}
    problems = Validation()
    sheet = pd.DataFrame({"sheet": ["Klanten", "Elders", "Klanten", "Klanten", "Klanten"],
                          "your header": ["Persoon", "X", "Stad", "Wie", "Weg"],
                          "field": ["name", "city", "nope", "name", "city"]})
    mapping = read_mapping(sheet, "Kolommen", found, problems)
    check_headers(mapping, {"customers": ["Persoon"]}, found, problems)
    read_mapping(pd.DataFrame({"x": [1]}), "Kolommen", found, problems)
    return problems.to_frame()


@pytest.fixture(scope="module")
def reports() -> list[pd.DataFrame]:
    return _reports()


@pytest.mark.parametrize("key", list(MESSAGES))
def test_each_key_has_a_template_per_language_using_only_what_it_is_given(key: str) -> None:
    forms = MESSAGES[key]
    assert len(forms) == len(LANGUAGES) and all(form.strip() for form in forms)
    for language in LANGUAGES:
        assert set(fields(key, language)) <= parameters(key) | RECORD_FIELDS
    assert len(set(forms)) > 1 or not re.search(r"[a-z]{3}", forms[0]), "not translated"


def test_every_record_renders_in_every_language(reports: list[pd.DataFrame]) -> None:
    keys = set().union(*(set(report["key"]) for report in reports))
    assert len(keys) > 40
    for report in reports:
        for _, record in report.iterrows():
            assert parameters(record["key"]) <= set(record["params"])
        english = render(report, "en")
        assert english.tolist() == report["message"].tolist()
        for language in ("fr", "nl"):
            shown = render(report, language)
            assert shown.notna().all() and (shown != english).all(), language


def test_french_and_dutch_messages_speak_the_books_words(reports: list[pd.DataFrame]) -> None:
    """A snake_case word in a French or Dutch message must be the user's own: the header, the
    value or a name typed in the book (a segment, a rule's field, a setting's key: the Settings
    sheet is typed with these keys)."""
    typed = ("segment", "setting", "given", "field", "first", "price", "amount")
    keys = {f.name for f in dataclasses.fields(Settings)}  # what a Settings sheet's rows type
    found = []
    for report in reports:
        for language in ("fr", "nl"):
            for message, record in zip(render(report, language), report.itertuples(),
                                       strict=True):
                theirs = [str(record.column), str(record.value), str(record.sheet),
                          *(str(record.params[name]) for name in typed if name in record.params)]
                words = [w for w in SNAKE.findall(message)
                         if w not in keys and not any(w in mine for mine in theirs)]
                if words:
                    found.append((language, record.key, message))
    assert found == [], "\n".join(map(str, found))


def test_a_message_is_rendered_per_key_over_the_whole_column() -> None:
    problems = Validation()
    problems.add_many("Orders", [2, 3, 4], "Montant", ["x", "#N/A", "y"],
                      ["cell.not_number", "cell.excel_error", "cell.not_number"])
    problems.add_many("Customers", [5, 7], "Id", ["A", "A"], "row.duplicate_id", first=[4, 4])
    problems.add("Orders", 9, "Date", "2027-01-01", "orders.future.other", count=3,
                 date="2026-06-30", severity="warning")
    frame = problems.to_frame()
    assert frame["key"].tolist()[:2] == ["row.duplicate_id", "row.duplicate_id"]
    assert render(frame, "fr").tolist() == [
        "Id en double (d'abord à la ligne 4) : ligne ignorée",
        "Id en double (d'abord à la ligne 4) : ligne ignorée",
        "'x' n'est pas un nombre", "valeur d'erreur Excel #N/A", "'y' n'est pas un nombre",
        "3 lignes de commande datées après la date d'analyse 2026-06-30 ne sont pas comptées"]
    assert frame["message"].tolist()[2] == "'x' is not a number"
    assert frame.drop_duplicates().shape == frame.shape  # parameters hash
    keys = pd.Series(["cell.not_date", "cell.not_id"], index=[10, 11])
    assert text(keys, "nl", {"value": pd.Series(["a", "b"], index=[10, 11])}).to_dict() == {
        10: "'a' is geen datum", 11: "'b' is geen geldige id"}


def test_a_slip_fails_where_the_message_is_recorded() -> None:
    problems = Validation()
    with pytest.raises(KeyError, match=r"no message 'cell\.nope'"):
        problems.add("Orders", 2, "Date", "x", "cell.nope")
    with pytest.raises(TypeError, match=r"row\.duplicate_id"):
        problems.add_many("Customers", [5], "Id", ["A"], "row.duplicate_id")


def test_plurals() -> None:
    assert plural(1, "customer", "customers") == "1 customer"
    assert plural(2, "customer", "customers") == "2 customers"
    assert plural(0, "client", "clients", "fr") == "0 client"
    assert plural(0, "klant", "klanten", "nl") == "0 klanten"
