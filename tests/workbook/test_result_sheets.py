"""What a salesperson sees on the result sheets, read back from the written workbooks.

The sample workbook is run as a new user runs it (``potentiel demo``), in English, French and
Dutch; each point of the result sheets is checked with openpyxl (an independent reader), the
package's own parts, and LibreOffice (filter buttons, a rendered PDF).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from handmade import french_shop
from render import convert, render

from addin.app.jobs import analyze_file, summarize
from addin.core.analysis import Analysis
from addin.core.labels import HEADERS, VALUES, header, output_column
from addin.demo.sample import build_sample
from addin.workbook.call_lists import CALL_COLUMNS, SALES
from addin.workbook.dashboard import CHART_COLUMNS, CHART_ROWS, pareto_points, top_share
from addin.workbook.results import write_results

LANGUAGES = ("en", "fr", "nl")
#: The first screen of a 1366x768 display at 100 %: 16 columns of width 10 (75 px each) and
#: 22 rows of 20 px under Excel's ribbon and formula bar.
FIRST_SCREEN = (16, 22)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Analysis]:
    folder = tmp_path_factory.mktemp("sample")
    book = build_sample(folder / "sample.xlsx")
    return book, analyze_file(book)


def _written(sample: tuple[Path, Analysis], folder: Path, language: str,
             ) -> tuple[Path, Analysis]:
    book, analysis = sample
    shown = replace(analysis, settings=replace(analysis.settings, language=language))
    return write_results(book, shown, out=folder / f"out_{language}.xlsx"), shown


@pytest.fixture(scope="module")
def written(sample: tuple[Path, Analysis], tmp_path_factory: pytest.TempPathFactory,
            ) -> dict[str, tuple[Path, Analysis]]:
    folder = tmp_path_factory.mktemp("written")
    return {language: _written(sample, folder, language) for language in LANGUAGES}


def _headers(sheet: openpyxl.worksheet.worksheet.Worksheet) -> list[str]:
    return [c.value for c in sheet[1]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_headers_are_readable_in_the_workbooks_language(
        written: dict[str, tuple[Path, Analysis]], language: str) -> None:
    path, analysis = written[language]
    book = openpyxl.load_workbook(path)
    name = {"en": "Analysis", "fr": "Analyse", "nl": "Analyse"}[language]
    headers = _headers(book[name])
    assert headers == [header(c, language) for c in analysis.table.columns]
    expected = {"en": "Days since last order", "fr": "Jours depuis la dernière commande",
                "nl": "Dagen sinds laatste bestelling"}[language]
    assert expected in headers
    assert not [h for h in headers if "_" in h]  # no snake_case left
    # Re-reading recognises the shown header and the canonical name alike.
    assert [output_column(h) for h in headers] == list(analysis.table.columns)
    assert all(output_column(c) == c for c in HEADERS)


#: What each list shows after who to call.  A column the list makes constant is folded away:
#: Temperature on the hot list (all "hot"), ABC class on the key accounts (all "A").
_SEGMENT_ORDER = {
    "Hot prospects": (("prospect_score", "last_interaction", "days_since_contact", "budget",
                       "purchase_horizon_days", "bant"), "prospect_score"),
    "Key accounts": (("contribution", "margin_rate"), "contribution"),
    "Lost customers": (("days_since_last_order", "revenue", "rfm_segment"), "revenue"),
    "At risk": (("days_since_last_order", "revenue", "rfm_segment"), "revenue"),
    "Target": (("contribution", "prospect_score", "customer_type"), "contribution"),
}


@pytest.mark.parametrize("segment", list(_SEGMENT_ORDER))
def test_segment_sheets_are_call_lists_sorted_by_what_matters(
        written: dict[str, tuple[Path, Analysis]], segment: str) -> None:
    path, analysis = written["en"]
    sheet = openpyxl.load_workbook(path)[segment]
    about, key = _SEGMENT_ORDER[segment]
    order = [*CALL_COLUMNS, *about, *SALES]
    headers = _headers(sheet)
    assert headers[: len(order)] == [header(c, "en") for c in order]
    rows = analysis.segments[segment]
    assert len(rows) > 0 and sheet.max_row == len(rows) + 1
    at = headers.index(header(key, "en")) + 1
    values = [sheet.cell(r, at).value for r in range(2, sheet.max_row + 1)]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True) and len(known) == rows[key].notna().sum()
    assert values[: len(known)] == known  # blanks last
    ids = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert sorted(ids) == sorted(rows["customer_id"])
    # The rest of the analysis is there, grouped and folded away; a prospect list adds the
    # inputs a caller needs (last contact, days since, budget, horizon).
    grouped = [letter for letter, d in sheet.column_dimensions.items() if d.hidden]
    added = 4 if segment == "Hot prospects" else 0
    assert len(headers) == len(analysis.table.columns) + added
    assert len(grouped) == len(headers) - len(order)
    assert all(sheet.column_dimensions[g].outlineLevel == 1 for g in grouped)
    summary = openpyxl.utils.get_column_letter(len(order))  # Notes: the group's + is there
    assert sheet.column_dimensions[summary].collapsed and not sheet.column_dimensions[
        summary].hidden


def test_at_risk_segment_holds_rfm_at_risk_and_cant_lose(
        written: dict[str, tuple[Path, Analysis]]) -> None:
    _, analysis = written["en"]
    rows = analysis.segments["At risk"]
    expected = analysis.table["rfm_segment"].isin(["At Risk", "Can't Lose"])
    assert len(rows) == expected.sum() > 0


def _rules(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for cf in sheet.conditional_formatting:
        for rule in cf.rules:
            formula = rule.formula[0] if rule.formula else ""
            found.setdefault(str(cf.sqref), []).append((rule.type, formula))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_colours_are_conditional_formats_on_their_columns(
        written: dict[str, tuple[Path, Analysis]], language: str) -> None:
    path, analysis = written[language]
    book = openpyxl.load_workbook(path)
    name = {"en": "Analysis", "fr": "Analyse", "nl": "Analyse"}[language]
    sheet = book[name]
    rules = _rules(sheet)
    last = len(analysis.table) + 1
    i = LANGUAGES.index(language)

    def span(column: str) -> str:
        letter = openpyxl.utils.get_column_letter(list(analysis.table.columns).index(column) + 1)
        return f"{letter}2:{letter}{last}"

    hot = VALUES["temperature"]["hot"][i]
    assert ("cellIs", f'"{hot}"') in rules[span("temperature")]
    assert ("cellIs", f'"{VALUES["customer_type"]["lost"][i]}"') in rules[span("customer_type")]
    assert ("cellIs", f'"{VALUES["customer_type"]["disloyal"][i]}"') in \
        rules[span("customer_type")]
    assert ("cellIs", '"A"') in rules[span("abc_class")]
    at_risk = VALUES["rfm_segment"]["At Risk"][i].replace('"', '""')
    assert ("cellIs", f'"{at_risk}"') in rules[span("rfm_segment")]
    assert ("dataBar", "") in rules[span("contribution")]
    # The colours are the workbook's differential formats: one per meaning, valid indices.
    dxfs = len(book._differential_styles.dxf)
    assert all(rule.dxfId is None or rule.dxfId < dxfs
               for cf in sheet.conditional_formatting for rule in cf.rules)


def test_result_sheets_are_tables_with_frozen_id_and_name(
        written: dict[str, tuple[Path, Analysis]]) -> None:
    path, analysis = written["en"]
    book = openpyxl.load_workbook(path)
    for name in ("Analysis", *analysis.segments, "Validation"):
        sheet = book[name]
        (table,) = sheet.tables.values()
        assert table.ref == f"A1:{sheet.cell(max(sheet.max_row, 2), sheet.max_column).coordinate}"
        assert table.autoFilter.ref == table.ref
        assert [c.name for c in table.tableColumns] == _headers(sheet)
        assert table.tableStyleInfo.showRowStripes
        assert sheet.freeze_panes == ("A2" if name == "Validation" else "C2")
        assert sheet.page_setup.orientation == "landscape"
        if name == "Analysis":  # 51 columns: across pages, who each row is on every page
            assert sheet.page_setup.fitToWidth is None and sheet.page_setup.scale == 80
            assert sheet.print_title_cols == "$A:$B"
        else:
            assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1"
        # The tab name (the list's name) and the date on top of every printed page.
        assert sheet.oddHeader.left.text == "&A" and sheet.oddHeader.right.text == "&D"
    names = {t for s in book.worksheets for t in s.tables if t.startswith("potentiel_")}
    assert len(names) == len(analysis.segments) + 2  # one table each, unique names


def test_number_formats_currency_percent_dates_scores(
        written: dict[str, tuple[Path, Analysis]]) -> None:
    path, analysis = written["en"]
    sheet = openpyxl.load_workbook(path)["Analysis"]
    columns = list(analysis.table.columns)

    def number_format(column: str) -> str:
        return sheet.cell(2, columns.index(column) + 1).number_format

    assert number_format("revenue") == '#,##0.00 "€"'  # the sample's prices show €
    assert number_format("contribution") == '#,##0.00 "€"'
    assert number_format("margin_rate") == "0.0%"
    # Excel's built-in short date (format 14, openpyxl names it mm-dd-yy): it follows the
    # reader's locale, so a British reader sees 04/01/2026 and an American one 1/4/2026.
    assert number_format("first_order") == "mm-dd-yy"
    assert sheet.cell(2, columns.index("first_order") + 1)._style.numFmtId == 14
    assert number_format("orders") == "#,##0"
    prospects = analysis.table["prospect_score"].notna().to_numpy().nonzero()[0]
    row = int(prospects[0]) + 2
    assert sheet.cell(row, columns.index("prospect_score") + 1).number_format == "0.0"
    widths = [sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
              for i in range(1, len(columns) + 1)]
    assert all(6 <= w <= 52 for w in widths)


@pytest.mark.parametrize("language", ("fr", "nl"))
def test_dates_are_day_first_in_french_and_dutch(
        written: dict[str, tuple[Path, Analysis]], language: str) -> None:
    path, analysis = written[language]
    sheet = openpyxl.load_workbook(path)[{"fr": "Analyse", "nl": "Analyse"}[language]]
    columns = list(analysis.table.columns)
    for column in ("first_order", "last_order"):
        cell = sheet.cell(2, columns.index(column) + 1)
        assert cell.number_format == "dd/mm/yyyy"
        assert isinstance(cell.value, datetime)  # still a real date


def test_dollar_inputs_give_dollar_money(tmp_path: Path) -> None:
    path = tmp_path / "dollars.xlsx"
    book = xlsxwriter.Workbook(str(path))
    money = book.add_format({"num_format": "$#,##0.00"})
    customers = book.add_worksheet("Customers")
    customers.write_row(0, 0, ["customer_id", "name"])
    customers.write_row(1, 0, ["C1", "Ann"])
    orders = book.add_worksheet("Orders")
    orders.write_row(0, 0, ["customer_id", "order_date", "amount"])
    orders.write_string(1, 0, "C1")
    orders.write_datetime(1, 1, datetime(2026, 1, 5), book.add_format({"num_format": "d/m/y"}))
    orders.write_number(1, 2, 120, money)
    book.close()
    write_results(path, analyze_file(path, as_of="2026-06-30"))
    sheet = openpyxl.load_workbook(path)["Analysis"]
    revenue = _headers(sheet).index("Revenue") + 1
    assert sheet.cell(2, revenue).number_format == '"$"#,##0.00'


def _figures(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    return {sheet.cell(4, c).value: sheet.cell(5, c).value for c in range(1, 17, 2)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_figures_are_the_analysis_totals(
        written: dict[str, tuple[Path, Analysis]], language: str) -> None:
    path, analysis = written[language]
    book = openpyxl.load_workbook(path)
    name = {"en": "Dashboard", "fr": "Tableau de bord", "nl": "Dashboard"}[language]
    figures = list(_figures(book[name]).values())
    table = analysis.table
    priced = table["gross_margin"].notna()
    risk = table["rfm_segment"].isin(["At Risk", "Can't Lose"])
    assert figures == pytest.approx([
        len(table), table["revenue"].sum(), table["gross_margin"].sum(),
        table["gross_margin"].sum() / table.loc[priced, "revenue"].sum(),
        (table["temperature"] == "hot").sum(), risk.sum(), table.loc[risk, "revenue"].sum(),
        len(analysis.validation)])
    link = book[name].cell(5, 15).hyperlink
    validation = {"en": "Validation", "fr": "Validation", "nl": "Validatie"}[language]
    assert link.location == f"'{validation}'!A1"
    # The workbook opens on the Dashboard.
    assert book.active.title == name


def test_dashboard_charts_fit_the_first_screen_and_read_their_own_workbook(
        written: dict[str, tuple[Path, Analysis]]) -> None:
    path, analysis = written["en"]
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        drawings = [package.read(n).decode() for n in names
                    if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
        charts = [package.read(n).decode() for n in names if n.startswith("xl/charts/chart")]
    ours = [d for d in drawings if d.count("<xdr:twoCellAnchor") == 4]
    assert len(ours) == 1
    ends = re.findall(r"<xdr:to><xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>", ours[0])
    assert [(int(c), int(r)) for c, r in ends] == [(right, CHART_ROWS[1])
                                                    for _, right in CHART_COLUMNS]
    assert all(int(c) <= FIRST_SCREEN[0] and int(r) <= FIRST_SCREEN[1] for c, r in ends)
    dashboard = [c for c in charts if "'Dashboard data'!" in c]
    formulas = [f for c in dashboard for f in re.findall(r"<c:f>(.*?)</c:f>", c)]
    assert len(dashboard) == 4 and formulas and not any("[" in f for f in formulas)
    share = top_share(analysis.table["contribution"])
    assert share is not None
    note = f"Top 20 % of customers = {round(share * 100)} % of contribution"
    assert note in "".join(dashboard)
    assert "Contribution per RFM segment" in "".join(dashboard)
    book = openpyxl.load_workbook(path)
    assert book["Dashboard data"].sheet_state == "hidden"


def test_pareto_curve_stays_within_0_and_100_percent() -> None:
    values = pd.Series([500.0, 300.0, 100.0, -50.0, -80.0, None])
    _, cumulative = pareto_points(values)
    assert cumulative.max() <= 1.0 and cumulative.min() >= 0.0
    assert cumulative[-1] == pytest.approx(1.0)
    assert top_share(values) == pytest.approx(500 / 770)  # the best fifth: one customer
    assert top_share(pd.Series(np.arange(1.0, 11.0))) == pytest.approx(19 / 55)


def _bad_book(path: Path, language: str) -> Path:
    """A French-style workbook with bad cells at known places."""
    book = xlsxwriter.Workbook(str(path))
    customers = book.add_worksheet("Clients")
    customers.write_row(0, 0, ["N° client", "Nom", "Budget", "Satisfaction"])
    customers.write_row(1, 0, ["C1", "Ann", 1000, 4])
    customers.write_row(2, 0, ["C2", "Bob", "beaucoup", 9])
    customers.write_row(3, 0, ["C3", "Cid", 500, 3])
    orders = book.add_worksheet("Commandes")
    orders.write_row(0, 0, ["N° client", "Date", "Montant"])
    orders.write_row(1, 0, ["C1", "pas de date", 100])
    orders.write_row(2, 0, ["C1", "2026-01-05", 100])
    settings = book.add_worksheet("Paramètres")
    settings.write_row(0, 0, ["clé", "valeur"])
    settings.write_row(1, 0, ["langue", language])
    book.close()
    return path


@pytest.mark.parametrize("language", LANGUAGES)
def test_validation_links_each_problem_to_its_cell(tmp_path: Path, language: str) -> None:
    path = _bad_book(tmp_path / "bad.xlsx", language)
    analysis = analyze_file(path, as_of="2026-06-30")
    assert analysis.settings.language == language
    write_results(path, analysis)
    book = openpyxl.load_workbook(path)
    name = {"en": "Validation", "fr": "Validation", "nl": "Validatie"}[language]
    sheet = book[name]
    headers = _headers(sheet)
    assert headers[3] == {"en": "Cell", "fr": "Cellule", "nl": "Cel"}[language]
    assert sheet.max_row - 1 == len(analysis.validation) == 4
    links = {c.coordinate: c.hyperlink.location for c in sheet["D"][1:] if c.hyperlink}
    shown = {c.coordinate: c.value for c in sheet["D"][1:]}
    assert set(links) == set(shown)
    for at, location in links.items():
        target, ref = re.fullmatch(r"'([^']+)'!([A-Z]+\d+)", location).groups()
        assert shown[at] == f"{target}!{ref}"
        value = book[target][ref].value
        row = int(at[1:])
        typed = sheet.cell(row, 5).value  # the bad value, when shown, is in that cell
        if typed not in (None, ""):
            assert str(value) == str(typed) or float(value) == float(typed)
    assert {shown[a] for a in links} == {"Clients!C3", "Clients!D3", "Commandes!B2"}
    assert {sheet.cell(r, 3).value for r in range(2, 6)} == {"Budget", "Satisfaction", "Date"}
    severities = {c.value for c in sheet["F"][1:]}
    assert severities == {{"en": "error", "fr": "erreur", "nl": "fout"}[language]}


def test_messages_differ_by_language_for_the_same_bad_input(tmp_path: Path) -> None:
    messages = {}
    for language in LANGUAGES:
        path = _bad_book(tmp_path / f"bad_{language}.xlsx", language)
        write_results(path, analyze_file(path, as_of="2026-06-30"))
        sheet = openpyxl.load_workbook(path).worksheets[-2]  # Validation, before the data
        messages[language] = sorted(c.value for c in sheet["G"][1:])
    assert messages["en"] != messages["fr"] != messages["nl"] != messages["en"]
    assert "'beaucoup' is not a number: read as empty" in messages["en"]
    assert "'beaucoup' n'est pas un nombre : lue comme vide" in messages["fr"]
    assert "'beaucoup' is geen getal: als leeg gelezen" in messages["nl"]


def test_cli_summary_speaks_the_workbooks_language(tmp_path: Path) -> None:
    path = _bad_book(tmp_path / "bad.xlsx", "fr")
    text = str(summarize(analyze_file(path, as_of="2026-06-30")))
    assert "clients analysés au 30/06/2026" in text
    assert "n'est pas un nombre" in text and "is not" not in text
    assert "Clients ligne 3, Budget : 'beaucoup'" in text


def test_no_problems_says_so(written: dict[str, tuple[Path, Analysis]]) -> None:
    path, analysis = written["fr"]
    assert analysis.validation.empty
    sheet = openpyxl.load_workbook(path)["Validation"]
    assert sheet.max_row == 2
    assert sheet["G2"].value == "Aucun problème trouvé dans les données."
    with zipfile.ZipFile(path) as package:  # no empty <hyperlinks/>, which Excel would repair
        xml = [package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<hyperlinks></hyperlinks>" in part for part in xml)


def test_duplicate_problems_are_shown_once(sample: tuple[Path, Analysis], tmp_path: Path) -> None:
    book, analysis = sample
    twice = pd.concat([analysis.validation, pd.DataFrame({
        "sheet": ["Customers"] * 2, "row": pd.array([5, 5], dtype="Int64"),
        "column": ["income"] * 2, "value": ["x"] * 2, "severity": ["error"] * 2,
        "message": ["'x' is not a number"] * 2})], ignore_index=True)
    out = write_results(book, replace(analysis, validation=twice), out=tmp_path / "twice.xlsx")
    sheet = openpyxl.load_workbook(out)["Validation"]
    assert sheet.max_row == 2
    assert sheet["D2"].hyperlink.location == "'Customers'!K5"  # income is column K


def test_libreoffice_shows_filter_buttons_and_renders_every_result_sheet(
        written: dict[str, tuple[Path, Analysis]], tmp_path: Path) -> None:
    path, analysis = written["fr"]
    ods = convert(path, tmp_path / "ods", "ods")
    with zipfile.ZipFile(ods) as package:
        content = package.read("content.xml").decode()
    ranges = re.findall(r"<table:database-range [^>]*>", content)
    shown = [r for r in ranges if 'table:display-filter-buttons="true"' in r]
    assert len(shown) >= len(analysis.segments) + 2  # Analyse, each segment, Validation
    pages = render(path, tmp_path / "png")
    assert len(pages) >= len(analysis.segments) + 3  # and the Dashboard
    assert all(page.stat().st_size > 2000 for page in pages)


def test_amounts_typed_as_text_take_the_currency_their_header_names(tmp_path: Path) -> None:
    path = french_shop(tmp_path / "boutique.xlsx")  # "Montant (€)" holds text amounts
    analysis = analyze_file(path, as_of="2026-06-30")
    write_results(path, analysis)
    book = openpyxl.load_workbook(path)
    sheet = book["Analyse"]
    revenue = _headers(sheet).index("Chiffre d'affaires") + 1
    assert sheet.cell(2, revenue).number_format == '#,##0.00 "€"'
    figures = _figures(book["Tableau de bord"])
    assert figures["Marge brute"] == "n.d."  # no cost anywhere: unknown, not 0
    assert figures["Taux de marque"] == "n.d."
    assert figures["Chiffre d'affaires"] == pytest.approx(analysis.table["revenue"].sum())
