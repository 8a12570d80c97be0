"""The synced tabs as a sales team sees them: call lists in the book's language, typed values,
a status dropdown, a date picker, filter, frozen id + name, colours, an About tab; edits typed
there come back; spreadsheets written by earlier versions are upgraded in place.

Every request of every test here is checked against Google's discovery documents by the fake
(:mod:`fakesheets.discovery`); the fixture fails a test that sent one Google would refuse.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import requests
from fakesheets import FakeSheets
from fakesheets.seen import seen, to_xlsx
from render import render
from sync_books import COLUMNS, customers, run, setup

from addin.core.labels import header
from addin.core.palette import MEANINGS
from addin.errors import SyncConfigError
from addin.workbook.edit import update_cells
from addin.workbook.sheetxml import HEADER_FILL
from sheets_sync.config import load_config, parse_config
from sheets_sync.conflicts import HEADERS
from sheets_sync.google.about import TITLES, stamp_range
from sheets_sync.google.layout import (
    STATUS_CHOICES,
    Look,
    column_of,
    frozen_columns,
    read_cells,
    shown_cells,
)
from sheets_sync.run import AGREE, sync

HOT = "Hot prospects"
SALES = ["status", "owner", "notes", "next_action"]
HOT_WORD = {"en": "hot", "fr": "chaud"}
WIDE = ["customer_id", "name", "customer_type", "revenue", "margin_rate", "last_order",
        "rfm_segment", "prospect_score", "temperature"]


@pytest.fixture(scope="module")
def books(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample in English, French and Dutch (Settings: language = fr, nl); its money has
    the number format ``#,##0.00 "€"``."""
    out = {"en": sample}
    for language in ("fr", "nl"):
        copied = tmp_path_factory.mktemp(language) / "customers.xlsx"
        shutil.copyfile(sample, copied)
        book = openpyxl.load_workbook(copied)
        row = next(r for r in book["Settings"].iter_rows() if r[0].value == "language")
        row[1].value = language
        book.save(copied)
        out[language] = copied
    return out


def published(tmp: Path, fake: FakeSheets, books: dict[str, Path],
              language: str) -> tuple[Path, str]:
    config, sid = setup(tmp, fake, books[language])
    assert run(config).outcome == "ok"
    return config, sid


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_published_tab_is_a_call_list_in_the_books_language(
        tmp_path: Path, fake_sheets: FakeSheets, books: dict[str, Path], language: str) -> None:
    config, sid = published(tmp_path, fake_sheets, books, language)
    tab = seen(fake_sheets, sid, HOT)
    assert tab.header == [header(c, language) for c in COLUMNS + SALES]
    rows = tab.rows()[1:]
    score, temperature = tab.column(header("prospect_score", language)), tab.column(
        header("temperature", language))
    # numbers stay numbers at full precision, shown with one decimal; rows by score, highest
    raw = [tab.cell(r, score).value for r in range(1, tab.height)]
    assert all(isinstance(v, float) for v in raw) and raw == sorted(raw, reverse=True)
    assert [row[score] for row in rows] == [f"{v:.1f}" for v in raw]
    assert {row[temperature] for row in rows} == {HOT_WORD[language]}
    # colours with the palette's meaning: hot prospects are an opportunity
    assert tab.fill(1, temperature) == MEANINGS["opportunity"][1][2:]
    assert tab.fill(0, 0) == MEANINGS["neutral"][1][2:]  # the sync's column: grey header
    assert tab.fill(0, tab.column(header("status", language))) == HEADER_FILL[2:]
    assert tab.frozen == (1, 2) and tab.filtered is not None
    status = tab.column(header("status", language))
    choices = tab.choices(1, status)  # the defaults, then the words the workbook uses
    assert choices[:6] == list(STATUS_CHOICES[language]) and "qualified" in choices
    assert tab.validation(1, status)["strict"] is False
    assert tab.validation(1, tab.column(header("next_action", language)))["condition"] == {
        "type": "DATE_IS_VALID"}
    protected = fake_sheets.protected_ranges(sid, HOT)
    assert sorted(p["range"]["startColumnIndex"] for p in protected) == list(range(6))
    assert all(p["warningOnly"] for p in protected)
    about = seen(fake_sheets, sid, TITLES[["en", "fr", "nl"].index(language)])
    assert header("temperature", language) + " = " + HOT_WORD[language] in [
        r[0] for r in about.rows()]
    stamp = about.shown(1, 1)
    assert "UTC" in stamp and "(s)" not in stamp
    assert {"en": "0 conflicts kept", "fr": "0 conflit gardé dans"}[language] in stamp
    # the next unchanged run is one small request
    fake_sheets.reset_counters()
    assert run(config).requests == 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_typed_date_a_picked_status_and_a_moved_row_come_back(
        tmp_path: Path, fake_sheets: FakeSheets, books: dict[str, Path], language: str) -> None:
    config, sid = published(tmp_path, fake_sheets, books, language)
    tab = seen(fake_sheets, sid, HOT)
    status, action = tab.column(header("status", language)), tab.column(
        header("next_action", language))
    first, second = tab.cell(1, 0).value, tab.cell(2, 0).value
    picked = STATUS_CHOICES[language][1]
    # a person moves row 2 below row 3 (the rows swap), then works on the moved customer
    rows = fake_sheets.sheet_values(sid, HOT, "UNFORMATTED_VALUE")
    fake_sheets.set_values(sid, HOT, [rows[2], rows[1]], start="A2")
    edit = [None] * (len(COLUMNS) + len(SALES))
    edit[status], edit[action] = picked, "2026-03-05"
    fake_sheets.set_values(sid, HOT, [edit], start="A3")  # row 3 now holds ``first``
    before = customers(tmp_path / "customers.xlsx").loc[second, "status"]
    report = run(config)
    assert report.tabs[HOT]["pulled"] == 1 and report.tabs[HOT]["conflicts"] == 0
    book = customers(tmp_path / "customers.xlsx")
    assert book.loc[first, "status"] == picked
    assert pd.Timestamp(book.loc[first, "next_action"]) == pd.Timestamp("2026-03-05")
    assert book.loc[second, "status"] == before  # the row moved onto it changed nothing
    after = seen(fake_sheets, sid, HOT)
    assert after.cell(2, 0).value == first and after.cell(1, 0).value == second  # not moved
    assert isinstance(after.cell(2, action).value, float)  # a real date cell
    assert run(config).message == AGREE  # the pulled values read back as agreeing
    fake_sheets.reset_counters()
    assert run(config).requests == 1


def test_a_tab_of_an_earlier_version_is_upgraded_in_place(
        tmp_path: Path, fake_sheets: FakeSheets, books: dict[str, Path]) -> None:
    config, sid = published(tmp_path, fake_sheets, books, "fr")
    tab = seen(fake_sheets, sid, HOT)
    temperature, action = tab.column("Température"), tab.column("Prochaine action")
    height = tab.height
    # what earlier versions wrote: snake_case headers, the code's words, dates as text
    fake_sheets.set_values(sid, HOT, [["'" + c for c in COLUMNS + SALES]], start="A1")
    fake_sheets.set_values(sid, HOT, [["'hot"]] * (height - 1),
                           start=f"{chr(65 + temperature)}2")
    fake_sheets.set_values(sid, HOT, [["'2026-04-01"]], start=f"{chr(65 + action)}2")
    fake_sheets.set_values(sid, HOT, [["appelé"]], start="G3")  # a status typed meanwhile
    # ... and none of today's dressing: no About tab, no filter, dropdown, colours, frozen id
    about = seen(fake_sheets, sid, "À propos").sheet.sheet_id
    sheet_id, rules = tab.sheet.sheet_id, len(tab.sheet.rules)
    undress = [{"deleteSheet": {"sheetId": about}}, {"clearBasicFilter": {"sheetId": sheet_id}},
               {"setDataValidation": {"range": {"sheetId": sheet_id}}},
               {"updateSheetProperties": {"properties": {"sheetId": sheet_id, "gridProperties": {
                   "frozenColumnCount": 0}}, "fields": "gridProperties.frozenColumnCount"}}]
    undress += [{"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": 0}}] * rules
    answer = requests.post(f"{fake_sheets.endpoint}/v4/spreadsheets/{sid}:batchUpdate",
                           json={"requests": undress}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert seen(fake_sheets, sid, HOT).frozen == (1, 0)
    upgraded_id = tab.cell(1, 0).value
    called_id = tab.cell(2, 0).value
    assert run(config).outcome == "ok"
    after = seen(fake_sheets, sid, HOT)
    assert after.header == [header(c, "fr") for c in COLUMNS + SALES]
    assert after.height == height  # nothing duplicated
    assert {after.shown(r, temperature) for r in range(1, height)} == {"chaud"}
    assert isinstance(after.cell(1, action).value, float)
    assert after.cell(1, action).number_format == {"type": "DATE"}
    book = customers(tmp_path / "customers.xlsx")
    assert book.loc[called_id, "status"] == "appelé"  # nothing typed is lost
    assert pd.Timestamp(book.loc[upgraded_id, "next_action"]) == pd.Timestamp("2026-04-01")
    assert after.frozen == (1, 2) and after.choices(1, 6)[:6] == list(STATUS_CHOICES["fr"])
    assert after.filtered is not None and len(after.sheet.rules) == rules
    assert after.fill(1, temperature) == MEANINGS["opportunity"][1][2:]
    assert "À propos" in fake_sheets.sheet_titles(sid)
    assert run(config).message == AGREE


def test_reformat_dresses_the_tabs_again(tmp_path: Path, fake_sheets: FakeSheets,
                                         books: dict[str, Path]) -> None:
    config, sid = published(tmp_path, fake_sheets, books, "en")
    rules = len(seen(fake_sheets, sid, HOT).sheet.rules)
    fake_sheets.batch_requests.clear()
    assert sync(load_config(config), reformat=True).outcome == "ok"
    assert any("setDataValidation" in r for r in fake_sheets.batch_requests)
    again = seen(fake_sheets, sid, HOT)
    assert len(again.sheet.rules) == rules  # replaced, not stacked
    assert len(fake_sheets.protected_ranges(sid, HOT)) == len(COLUMNS)


def test_new_status_choices_dress_the_tabs_again(tmp_path: Path, fake_sheets: FakeSheets,
                                                 books: dict[str, Path]) -> None:
    config, sid = published(tmp_path, fake_sheets, books, "en")
    with config.open("a", encoding="utf-8") as stream:
        stream.write('status_choices = ["new", "call back", "won"]\n')
    fake_sheets.batch_requests.clear()
    assert run(config).outcome == "ok"
    tab = seen(fake_sheets, sid, HOT)
    assert tab.choices(1, tab.column("Status")) == ["new", "call back", "won"]
    fake_sheets.reset_counters()
    assert run(config).message == AGREE and fake_sheets.request_count("write") == 0


def test_a_misspelled_field_or_enum_is_refused(fake_sheets: FakeSheets) -> None:
    sid = fake_sheets.create_spreadsheet("Check")
    url = f"{fake_sheets.endpoint}/v4/spreadsheets/{sid}:batchUpdate"
    frozen = {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {
        "frozenRowCont": 1}}, "fields": "gridProperties.frozenRowCount"}}
    dates = {"repeatCell": {"range": {"sheetId": 0}, "cell": {"userEnteredFormat": {
        "numberFormat": {"type": "DATES"}}}, "fields": "userEnteredFormat"}}
    wrong = [[frozen], [dates]]
    for body in wrong:
        answer = requests.post(url, json={"requests": body}, timeout=10)
        assert answer.status_code == 400
    assert "unknown field 'frozenRowCont'" in fake_sheets.invalid[0]
    assert "'DATES' is not one of" in fake_sheets.invalid[1]
    fake_sheets.invalid.clear()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_published_tab_renders(tmp_path: Path, fake_sheets: FakeSheets,
                                 books: dict[str, Path], language: str) -> None:
    """Both tabs, with money, %, dates and coloured words, and the About tab, exported with
    their look and rendered to PNG for a person to look at (POTENTIEL_RENDER_DIR keeps them)."""
    config, sid = setup(tmp_path, fake_sheets, books[language])
    fake_sheets.set_locale(sid, LOCALE[language])  # as the team's own spreadsheet would be
    wide(config)
    assert run(config).outcome == "ok"
    about = TITLES[["en", "fr", "nl"].index(language)]
    tabs = [seen(fake_sheets, sid, t) for t in (HOT, "Lost customers", about)]
    lost = tabs[1]
    last_order = lost.column(header("last_order", language))
    assert lost.cell(1, last_order).number_format == {"type": "DATE"}
    assert isinstance(lost.cell(1, last_order).value, float)
    assert lost.shown(1, lost.column(header("margin_rate", language))).endswith("%")
    assert lost.shown(1, lost.column(header("revenue", language))).endswith(" €")
    path = to_xlsx(tabs, tmp_path / f"tab-{language}.xlsx")
    assert openpyxl.load_workbook(path)[HOT]["A1"].value == header("customer_id", language)
    keep = Path(os.environ.get("POTENTIEL_RENDER_DIR", tmp_path / "png"))
    pages = render(path, keep / language, results=False, dpi=70)
    assert pages and all(p.stat().st_size > 1000 for p in pages)


#: How 1234567.891 and -1234.5 show with the money format ``#,##0.00 "€"`` (two decimals,
#: rounded: .891 -> .89; groups of three), and serial 46086 (2026-03-05, see
#: test_cells_read_back_as_the_canonical_values_they_show) with a DATE format, in each locale:
#: en_US "," groups, "." decimals, month first; fr_FR a narrow no-break space (U+202F) and
#: ",", day first with zeros; nl_NL "." and ",", day-month-year with dashes, no zeros.
SHOWN = {"en_US": ("1,234,567.89 €", "-1,234.50 €", "3/5/2026"),
         "fr_FR": ("1\u202f234\u202f567,89 €", "-1\u202f234,50 €", "05/03/2026"),
         "nl_NL": ("1.234.567,89 €", "-1.234,50 €", "5-3-2026"),
         "en_GB": ("1,234,567.89 €", "-1,234.50 €", "05/03/2026")}
LOCALE = {"en": "en_US", "fr": "fr_FR", "nl": "nl_NL"}


@pytest.mark.parametrize(("language", "locale"), [
    ("en", "en_US"), ("fr", "fr_FR"), ("nl", "nl_NL"), ("en", "en_GB"),
    ("fr", "en_US"),  # the book's language and the spreadsheet's locale disagree: the locale's
])
def test_money_shows_the_workbooks_currency_and_dates_the_spreadsheets_locale(
        tmp_path: Path, fake_sheets: FakeSheets, books: dict[str, Path], language: str,
        locale: str) -> None:
    """The sample's money is typed with ``#,##0.00 "€"`` and has no currency in its headers:
    the tabs show € (as the Excel result sheets do) in whatever language, with the
    spreadsheet's separators; dates are shown the spreadsheet's way."""
    config, sid = setup(tmp_path, fake_sheets, books[language])
    fake_sheets.set_locale(sid, locale)
    wide(config)
    assert run(config).outcome == "ok"
    lost = seen(fake_sheets, sid, "Lost customers")
    revenue, last_order = (lost.column(header(c, language)) for c in ("revenue", "last_order"))
    assert lost.cell(1, revenue).number_format == {"type": "CURRENCY",
                                                   "pattern": '#,##0.00 "€"'}
    # what a person would see on typing these over the sync's values (the formats stay)
    fake_sheets.set_values(sid, "Lost customers", [[1234567.891], [-1234.5]],
                           start=f"{chr(65 + revenue)}2")
    fake_sheets.set_values(sid, "Lost customers", [[46086]], start=f"{chr(65 + last_order)}2")
    lost = seen(fake_sheets, sid, "Lost customers")
    assert (lost.shown(1, revenue), lost.shown(2, revenue), lost.shown(1, last_order)) == \
        SHOWN[locale]
    shown = fake_sheets.sheet_values(sid, "Lost customers")  # the API's FORMATTED_VALUE too
    assert (shown[1][revenue], shown[2][revenue], shown[1][last_order]) == SHOWN[locale]


def test_a_currency_named_only_in_a_header_is_shown(tmp_path: Path, fake_sheets: FakeSheets,
                                                     books: dict[str, Path]) -> None:
    """A workbook whose money formats show no currency but whose header names one
    (``unit_price (£)``) shows that currency, as the Excel result sheets do."""
    config, sid = setup(tmp_path, fake_sheets, books["en"])
    path = tmp_path / "customers.xlsx"
    book = openpyxl.load_workbook(path)
    next(c for c in book["Orders"][1] if c.value == "unit_price").value = "unit_price (£)"
    book.save(path)
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    parts["xl/styles.xml"] = parts["xl/styles.xml"].replace(" &quot;€&quot;".encode(), b"")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)
    wide(config)
    assert run(config).outcome == "ok"
    lost = seen(fake_sheets, sid, "Lost customers")
    revenue = lost.column("Revenue")
    assert lost.cell(1, revenue).number_format == {"type": "CURRENCY",
                                                   "pattern": '"£"#,##0.00'}
    fake_sheets.set_values(sid, "Lost customers", [[-1234.5]], start=f"{chr(65 + revenue)}2")
    assert seen(fake_sheets, sid, "Lost customers").shown(1, revenue) == "-£1,234.50"


def wide(config: Path) -> None:
    """The configuration with the WIDE columns (money, %, dates, RFM)."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(f"columns = {COLUMNS!r}".replace("'", '"'),
                                   f"columns = {WIDE!r}".replace("'", '"')), encoding="utf-8")


# Widths are worked out at 7 px a character (8 bold) plus 12 px of padding (about Arial 10,
# rounded up), so what is measured fits in Google; bounded, and wrapped past the bound.
@pytest.mark.parametrize(("language", "about_widths", "temperature", "last_order"), [
    # A: "Last sync that changed this spreadsheet", 39 * 7 + 12 = 285;
    # B: "the workbook: overwritten at every sync (grey header)", 53 * 7 + 12 = 383;
    # "Temperature" bold: 11 * 8 + 12 = 100; "Last order": longest of "order" 5 * 8 + 12 = 52,
    # half the label 10 * 8 + 12 = 92 // 2 + 12 = 58 and a date 10 * 7 + 12 = 82 -> 82
    ("en", (285, 383), 100, 82),
    # A: "Dernière synchronisation qui a modifié ce classeur", 50 * 7 + 12 = 362 -> 360 (bound);
    # B: "le classeur : réécrit à chaque synchronisation (en-tête gris)", 61 * 7 + 12 = 439;
    # "Température" 11 * 8 + 12 = 100; "Dernière commande": 17 * 8 + 12 = 148 // 2 + 12 = 86
    ("fr", (360, 439), 100, 86),
])
def test_labels_fit_their_columns_or_wrap(tmp_path: Path, fake_sheets: FakeSheets,
                                          books: dict[str, Path], language: str,
                                          about_widths: tuple[int, int], temperature: int,
                                          last_order: int) -> None:
    """Nothing is cut off: the About tab's columns are as wide as their text and wrap past a
    bound (the last-sync label, the stamp); a segment header never breaks inside a word."""
    config, sid = setup(tmp_path, fake_sheets, books[language])
    wide(config)
    assert run(config).outcome == "ok"
    about = seen(fake_sheets, sid, TITLES[["en", "fr", "nl"].index(language)])
    assert (about.sheet.sizes[("COLUMNS", 0)], about.sheet.sizes[("COLUMNS", 1)]) == about_widths
    for row, col in ((1, 0), (1, 1), (5, 0), (5, 1)):  # the label, the stamp, the legend
        assert (about.cell(row, col).fmt or {}).get("wrapStrategy") == "WRAP"
    assert (about.cell(0, 0).fmt or {}).get("wrapStrategy") is None  # the heading runs on
    hot = seen(fake_sheets, sid, HOT)
    assert hot.sheet.sizes[("COLUMNS", hot.column(header("temperature", language)))] == \
        temperature
    assert hot.sheet.sizes[("COLUMNS", hot.column(header("last_order", language)))] == \
        last_order
    assert hot.sheet.sizes[("COLUMNS", hot.column(header("next_action", language)))] == 140


def test_a_shorter_legend_leaves_nothing_of_the_longer_one(
        tmp_path: Path, fake_sheets: FakeSheets, books: dict[str, Path]) -> None:
    """Fewer columns: the legend is rewritten over the whole tab and its swatches move with
    it (no colour left on a row that is now a column's line, no stale row at the bottom)."""
    config, sid = setup(tmp_path, fake_sheets, books["en"])
    narrow = config.read_text(encoding="utf-8")
    wide(config)
    assert run(config).outcome == "ok"
    before = seen(fake_sheets, sid, "About").height
    config.write_text(narrow, encoding="utf-8")
    assert run(config).outcome == "ok"
    about = seen(fake_sheets, sid, "About")
    rows = about.rows()
    # 4 heading rows, 10 columns, a blank, the colour table's header, 3 temperature colours,
    # 3 customer type colours; the wide legend had 13 columns and 3 more RFM colours
    assert (before, about.height) == (4 + 13 + 2 + 9, 4 + 10 + 2 + 6)
    coloured = [r for r in range(about.height) if about.fill(r, 0)]
    assert coloured == [r for r, row in enumerate(rows) if " = " in row[0]]
    assert len(coloured) == 6


def test_cells_read_back_as_the_canonical_values_they_show() -> None:
    look = Look(columns=("customer_type", "temperature", "next_action"), key="customer_id",
                owned=frozenset({"customer_type", "temperature"}), language="fr")
    words = pd.Series(["one_time", "hot", None, "free text"], dtype=object)
    shown = shown_cells("customer_type", words, look)
    assert shown[[0, 1, 3]].tolist() == ["unique", "hot", "free text"]  # hot: no such type
    assert pd.isna(shown[2])
    back, stale = read_cells("customer_type", np.array(["unique", "one-time", "", "x"],
                                                       dtype=object), look)
    assert back.tolist() == ["one_time", "one_time", "", "x"]
    assert stale.tolist() == [False, True, False, False]  # the English word is rewritten
    # 2026-03-05 is serial 46086: 46082 = 2026-03-01 (see the fake's EPOCH, 1899-12-30)
    dates = shown_cells("next_action", pd.Series([pd.Timestamp("2026-03-05"), "2026-03-01",
                                                  "Book a demo"], dtype=object), look)
    assert dates.tolist() == [46086.0, 46082.0, "Book a demo"]
    back, stale = read_cells("next_action", np.array([46086, "2026-03-01", "Book a demo"],
                                                     dtype=object), look)
    assert back[0] == pd.Timestamp("2026-03-05") and back[2] == "Book a demo"
    assert stale.tolist() == [False, True, False]


def test_headers_are_recognised_in_any_language_and_earlier_forms() -> None:
    columns = ("customer_id", "prospect_score", "customer_type", "Territory")
    assert [column_of(h, columns) for h in ("N° client", "prospect_score", "Score prospect",
                                            "Prospectscore", "type client", "territory",
                                            "Other")] == [
        "customer_id", "prospect_score", "prospect_score", "prospect_score", "customer_type",
        "Territory", None]
    assert frozen_columns(["customer_id", "name", "email"], "customer_id") == 2
    assert frozen_columns(["name", "customer_id"], "customer_id") == 2
    assert frozen_columns(["email", "customer_id"], "customer_id") == 0


def test_status_choices_in_the_configuration(tmp_path: Path) -> None:
    table = {"workbook": "c.xlsx", "spreadsheet": "x" * 20, "credentials": "none",
             "endpoint": "http://127.0.0.1:1"}
    assert parse_config(table, tmp_path / "s.toml").status_choices is None
    config = parse_config({**table, "status_choices": ["new", "won"]}, tmp_path / "s.toml")
    assert config.status_choices == ("new", "won")
    with pytest.raises(SyncConfigError, match="status_choices"):
        parse_config({**table, "status_choices": "new"}, tmp_path / "s.toml")


@pytest.mark.parametrize(("language", "counts", "text"), [
    ("en", (1, 0), "2026-03-05 09:30 UTC: 1 change written here, 0 conflicts kept in the "
                   "workbook's Conflicts sheet"),
    ("en", (3, 1), "2026-03-05 09:30 UTC: 3 changes written here, 1 conflict kept in the "
                   "workbook's Conflicts sheet"),
    ("fr", (0, 1), "2026-03-05 09:30 UTC : 0 modification écrite ici, 1 conflit gardé dans la "
                   "feuille Conflits du classeur"),
    ("fr", (2, 3), "2026-03-05 09:30 UTC : 2 modifications écrites ici, 3 conflits gardés dans "
                   "la feuille Conflits du classeur"),
    ("nl", (1, 2), "2026-03-05 09:30 UTC: 1 wijziging hier geschreven, 2 conflicten bewaard in "
                   "het blad Conflicten van de werkmap"),
    ("nl", (4, 1), "2026-03-05 09:30 UTC: 4 wijzigingen hier geschreven, 1 conflict bewaard in "
                   "het blad Conflicten van de werkmap"),
])
def test_the_last_run_stamp_counts_in_the_books_language(language: str, counts: tuple[int, int],
                                                         text: str) -> None:
    """One change, three changes; French says 0 modification (the singular) and agrees."""
    look = Look(columns=("customer_id", "name"), key="customer_id",
                owned=frozenset({"customer_id", "name"}), language=language)
    when = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    assert stamp_range(look, *counts, now=when)["values"] == [[text]]


def test_an_earlier_versions_words_are_read_as_the_code_wrote_them(
        tmp_path: Path, fake_sheets: FakeSheets, books: dict[str, Path]) -> None:
    """Earlier versions wrote the code's English words under snake_case headers.  In a Dutch
    book the old ``warm`` (a warm prospect) must not be read as the Dutch ``warm`` (hot): the
    upgrade rewrites it as ``lauw`` and records nothing."""
    config, sid = setup(tmp_path, fake_sheets, books["nl"])
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('["Hot prospects", "Lost customers"]', '["Target"]'),
                      encoding="utf-8")
    assert run(config).outcome == "ok"
    tab = seen(fake_sheets, sid, "Target")
    temperature = tab.column("Temperatuur")
    before = {r: tab.shown(r, temperature) for r in range(1, tab.height)}
    assert "lauw" in before.values() and "warm" in before.values()  # warm and hot prospects
    english = {"warm": "hot", "lauw": "warm", "koud": "cold", "": ""}
    fake_sheets.set_values(sid, "Target", [["'" + c for c in COLUMNS + SALES]], start="A1")
    letter = chr(65 + temperature)
    fake_sheets.set_values(sid, "Target", [["'" + english[before[r]]] for r in before],
                           start=f"{letter}2")
    report = run(config)
    assert report.outcome == "ok", report.message
    after = seen(fake_sheets, sid, "Target")
    assert after.header == [header(c, "nl") for c in COLUMNS + SALES]
    assert {r: after.shown(r, temperature) for r in before} == before
    assert all(counts.get("conflicts", 0) == 0 for counts in report.tabs.values()), report.tabs
    assert run(config).message == AGREE


def test_the_conflicts_sheet_speaks_the_books_language(
        tmp_path: Path, fake_sheets: FakeSheets, books: dict[str, Path]) -> None:
    """A status edited on both sides in a French book: the workbook's Conflits sheet names the
    column by its French header and says in French which value was kept."""
    config, sid = published(tmp_path, fake_sheets, books, "fr")
    tab = seen(fake_sheets, sid, HOT)
    status = tab.column("Statut")
    first, before = tab.cell(1, 0).value, tab.cell(1, status).value
    book = tmp_path / "customers.xlsx"
    row = int(customers(book).index.get_loc(first)) + 2
    update_cells(book, "Customers",
                 pd.DataFrame({"row": [row], "column": ["status"], "value": ["classeur dit"]}))
    fake_sheets.set_values(sid, HOT, [["sheets dit"]], start=f"{chr(65 + status)}2")
    assert run(config).outcome == "ok"
    kept = openpyxl.load_workbook(book, read_only=True)
    assert "Conflits" in kept.sheetnames and "Conflicts" not in kept.sheetnames
    rows = list(kept["Conflits"].iter_rows(values_only=True))
    kept.close()
    assert rows[0] == tuple(words[1] for words in HEADERS.values())
    assert [r[3:] for r in rows[1:]] == [("Statut", "classeur dit", "sheets dit", before,
                                         "la valeur Google Sheets")]
    assert run(config).message == AGREE
