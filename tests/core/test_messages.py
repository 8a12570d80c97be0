"""The message catalog: every message the core emits on the test books has a French and a Dutch
form, and a translation keeps the parts it copies (values, rows, names)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from builders import AS_OF, analyse, order_rows
from handmade import dutch_wholesaler, english_shop, french_shop

from addin import run_analysis
from addin.app.jobs import analyze_file
from addin.core.messages import MESSAGES, known, translate, translate_all
from addin.demo.book import generate


def _messages() -> set[str]:
    """Messages of books that hit every check: the messy synthetic book and hand-made ones."""
    found: set[str] = set()
    customers, orders = generate(400, 1600, seed=7, as_of=AS_OF.date(), messy=True)
    found |= set(run_analysis(customers, orders, as_of=AS_OF).validation["message"])
    bad = [{"customer_id": "A", "satisfaction": "abc", "nps": 42, "birth_year": 1200,
            "budget": -5, "income": -1, "age": 200, "pages_visited": -3,
            "purchase_horizon_days": -1, "is_employee": "maybe", "need": "lots",
            "last_interaction": "yesterday", "referred_by": "ZZ"},
           {"customer_id": None}, {"customer_id": "A"},
           {"customer_id": "B", "nps": "#N/A", "first_contact": "1800-01-01"}]
    lines = [*order_rows("A", [10]), {"customer_id": None, "order_date": AS_OF},
             {"customer_id": "A", "order_date": None},
             {"customer_id": "A", "order_date": AS_OF, "quantity": -1},
             {"customer_id": "A", "order_date": AS_OF + pd.Timedelta(days=3)},
             {"customer_id": "Q", "order_date": AS_OF}]
    rules = pd.DataFrame({"segment": ["S1", "S2", "S3", "S4", "S5", "S6"],
                          "field": ["nope", "revenue", "revenue", "name", "revenue",
                                    "is_current"],
                          "operator": ["=", "like", "between", ">", "=", "="],
                          "value": ["x", "1", "10", "a", "lots", "perhaps"]})
    settings = {"language": "xx", "churn_days": "abc", "cost_per_order": "1,5,5",
                "hot_score": 20.5, "loyal_min_orders": 2.5, "wat": 1, "as_of": "never",
                "income_bands": "a; b", "min_budget": None}
    found |= set(analyse(bad, lines, segments=rules, settings=settings).validation["message"])
    found |= set(analyse([{"customer_id": "A"}], [{"customer_id": "A",
                                                   "order_date": AS_OF}]).validation["message"])
    found |= set(run_analysis(pd.DataFrame({"customer_id": ["A"], "revenue": [1]}),
                              segments=pd.DataFrame({"segment": ["S"], "field": ["x"]}),
                              as_of=AS_OF).validation["message"])
    for make in (french_shop, dutch_wholesaler, english_shop):  # issue 12's hand-made books
        with tempfile.TemporaryDirectory() as folder:
            path = make(Path(folder) / f"{make.__name__}.xlsx")
            found |= set(analyze_file(path, as_of="2026-06-30").validation["message"])
    return found


def test_every_core_message_is_translated() -> None:
    messages = _messages()
    assert len(messages) > 25
    missing = sorted(m for m in messages if not known(m))
    assert not missing, f"add these to addin.core.messages.MESSAGES: {missing}"
    ordered = sorted(messages)
    for language in ("fr", "nl"):  # the column-at-once translation is the one-by-one one
        shown = translate_all(ordered, language).tolist()
        assert shown == [translate(m, language) for m in ordered]
        assert all(a != b for a, b in zip(shown, ordered, strict=True))


def test_translations_keep_what_they_copy() -> None:
    assert translate("'1.5x' is not a number", "fr") == "'1.5x' n'est pas un nombre"
    assert translate("duplicate customer_id (first on row 4): row skipped", "nl") == \
        "dubbele customer_id (eerst op rij 4): rij overgeslagen"
    nested = "segment 'Top': value 'x' is not a number for 'revenue'; the segment is left empty"
    assert translate(nested, "fr") == ("segment 'Top' : la valeur 'x' n'est pas un nombre pour "
                                       "'revenue' ; le segment reste vide")
    assert translate(nested, "en") == nested
    assert translate("something new", "fr") == "something new"  # shown, never hidden


@pytest.mark.parametrize("template", list(MESSAGES))
def test_each_template_has_its_parts_in_both_languages(template: str) -> None:
    import re

    parts = sorted(re.findall(r"\{\*?\w+\}", template))
    for other in MESSAGES[template]:
        assert sorted(re.findall(r"\{\*?\w+\}", other)) == parts


def test_translate_all_translates_each_distinct_message_once() -> None:
    messages = pd.Series(["'a' is not a date", "'a' is not a date", None], dtype=object)
    assert translate_all(messages, "nl").tolist() == ["'a' is geen datum", "'a' is geen datum",
                                                      None]
