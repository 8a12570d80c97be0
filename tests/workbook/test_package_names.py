"""Tab names obey every rule Excel enforces, whatever the segments are called, in every language
the result sheets speak: at most 31 characters (UTF-16 units), none of ``: \\ / ? * [ ]``, no
apostrophe at either end, unique without regard to case, never the reserved ``History``."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from package_check import findings, sheet_name_problem
from workbooks import customer_workbook

from addin.core.analysis import Analysis, run_analysis
from addin.core.labels import LANGUAGES
from addin.workbook.owned_sheets import place_sheets, segment_role, sheet_name
from addin.workbook.reader import read_workbook
from addin.workbook.results import SHEET_NAMES, write_results

#: Segment names as people type them: any text, biased to what breaks tab names.
NAMES = st.one_of(
    st.text(min_size=0, max_size=60),
    st.text(alphabet="'[]:*?/\\ aéß😀Hhistory", max_size=40),
    st.sampled_from(["History", "HISTORY", "Analysis", "Analyse", "Validatie", "Tableau de bord",
                     "Accounts managed by Paris team's A list", "'", "''", " ", "Clients"]))
USER_TABS = ["Clients", "Commandes", "Segments", "My notes"]


def excel_accepts(tabs: list[str]) -> None:
    for tab in tabs:
        assert sheet_name_problem(tab) is None, tab
        assert len(tab.encode("utf-16-le")) <= 62, tab
    assert len({tab.casefold() for tab in tabs}) == len(tabs), tabs


@given(segments=st.lists(NAMES, max_size=8), language=st.sampled_from(LANGUAGES))
def test_every_tab_potentiel_names_is_one_excel_accepts(segments: list[str],
                                                        language: str) -> None:
    i = LANGUAGES.index(language)
    wanted = [(role, names[i]) for role, names in SHEET_NAMES.items()]
    wanted += [(segment_role(s), sheet_name(s)) for s in dict.fromkeys(segments)]
    placement = place_sheets(USER_TABS, {}, wanted, drop=lambda _: True)
    excel_accepts(USER_TABS + list(placement.names.values()))
    assert not {t.casefold() for t in placement.names.values()} & {t.casefold() for t in USER_TABS}


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    data = read_workbook(customer_workbook(tmp_path_factory.mktemp("data") / "data.xlsx"))
    return run_analysis(data.customers, data.orders, segments=data.segments,
                        as_of=date(2026, 3, 31), settings=data.settings,
                        sheet_names=data.sheet_names, problems=data.validation)


@settings(max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segments=st.lists(NAMES, min_size=1, max_size=4, unique=True),
       language=st.sampled_from(LANGUAGES))
def test_a_workbook_with_any_segment_names_opens_without_repair(
        segments: list[str], language: str, analysis: Analysis, tmp_path: Path) -> None:
    rows = next(iter(analysis.segments.values()))
    named = dataclasses.replace(analysis, segments=dict.fromkeys(segments, rows),
                                settings=dataclasses.replace(analysis.settings,
                                                             language=language))
    book = customer_workbook(tmp_path / f"book-{language}.xlsx")
    for _ in range(2):
        write_results(book, named)
        assert findings(book) == []
