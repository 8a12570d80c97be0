"""Result sheets understood at a glance (issue 19), checked on the XML potentiel writes.

One colour per meaning with a legend, a note on every coded header, headers that wrap whole
beside their filter button, call lists ready to call from (phone, the user's own columns, what
a prospect call needs), one line per repeated problem, charts that show their values.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from handmade import french_shop

from addin import run_analysis
from addin.app.jobs import analyze_file
from addin.core.analysis import Analysis
from addin.core.labels import header, language_index
from addin.core.palette import COLOURED_VALUES, MEANINGS
from addin.demo.sample import build_sample
from addin.workbook.dashboard import CHART_ROWS
from addin.workbook.header_notes import LEGEND, NOTES
from addin.workbook.results import write_results
from addin.workbook.sheetxml import HEADER_LINES, header_lines
from addin.workbook.validation_sheet import validation_frame

LANGUAGES = ("en", "fr", "nl")
ANALYSIS = {"en": "Analysis", "fr": "Analyse", "nl": "Analyse"}
DASHBOARD = {"en": "Dashboard", "fr": "Tableau de bord", "nl": "Dashboard"}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Analysis]]:
    folder = tmp_path_factory.mktemp("glance")
    book = build_sample(folder / "sample.xlsx")
    analysis = analyze_file(book)
    out = {}
    for language in LANGUAGES:
        shown = replace(analysis, settings=replace(analysis.settings, language=language))
        out[language] = (write_results(book, shown, out=folder / f"{language}.xlsx"), shown)
    return out


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        return {n: package.read(n).decode("utf-8") for n in package.namelist()
                if n.endswith((".xml", ".rels", ".vml"))}


def _sheet_parts(path: Path) -> dict[str, str]:
    """Tab name -> worksheet part name."""
    parts = _parts(path)
    rels = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="/?(?:xl/)?(worksheets/[^"]+)"',
                           parts["xl/_rels/workbook.xml.rels"]))
    rels |= {k: v for v, k in re.findall(r'Target="/?(?:xl/)?(worksheets/[^"]+)"[^>]*Id="'
                                         r'(rId\d+)"', parts["xl/_rels/workbook.xml.rels"])}
    return {name: "xl/" + rels[rid] for name, rid in re.findall(
        r'<sheet [^>]*name="([^"]+)"[^>]*r:id="(rId\d+)"', parts["xl/workbook.xml"])}


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_fill_per_meaning_in_every_conditional_format(
        written: dict[str, tuple[Path, Analysis]], language: str) -> None:
    path, _ = written[language]
    parts = _parts(path)
    dxfs = re.findall(r"<dxf>(.*?)</dxf>", re.search(r"<dxfs[^>]*>(.*?)</dxfs>",
                                                     parts["xl/styles.xml"]).group(1))
    fills = [m.group(1) if (m := re.search(r'bgColor rgb="(\w+)"', d)) else None
             for d in dxfs]
    meaning_of_fill = {fill: meaning for meaning, (_, fill) in MEANINGS.items()}
    i = language_index(language)
    from addin.core.labels import VALUES
    seen: dict[str, set[str]] = {}
    for name, xml in parts.items():
        if not name.startswith("xl/worksheets/"):
            continue
        for dxf_id, formula in re.findall(r'<cfRule type="cellIs" dxfId="(\d+)"[^>]*>'
                                          r"<formula>(.*?)</formula>", xml):
            seen.setdefault(fills[int(dxf_id)], set()).add(formula.strip('"').replace(
                "&apos;", "'"))
    assert seen and set(seen) <= set(meaning_of_fill)  # only the palette's fills
    expected: dict[str, set[str]] = {}
    for column, values in COLOURED_VALUES.items():
        for value, meaning in values.items():
            shown = VALUES[column][value][i] if column in VALUES else value
            expected.setdefault(MEANINGS[meaning][1], set()).add(shown)
    for fill, values in seen.items():  # each fill holds only the values of its one meaning
        assert values <= expected[fill] | {"error", "erreur", "fout", "warning",
                                           "avertissement", "waarschuwing"}
    hot = VALUES["temperature"]["hot"][i]
    assert hot in seen[MEANINGS["opportunity"][1]]  # hot is an opportunity, not a loss
    assert hot not in seen.get(MEANINGS["act"][1], set())


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_has_a_legend_in_the_books_language(
        written: dict[str, tuple[Path, Analysis]], language: str) -> None:
    path, _ = written[language]
    sheet = openpyxl.load_workbook(path)[DASHBOARD[language]]
    i = language_index(language)
    cells = [c for c in sheet[3] if c.value]
    assert [c.value for c in cells] == [words[i] for words in LEGEND.values()]
    fills = [c.fill.fgColor.rgb for c in cells]
    assert fills == [fill for _, fill in MEANINGS.values()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_coded_header_has_a_note(written: dict[str, tuple[Path, Analysis]],
                                       language: str) -> None:
    path, analysis = written[language]
    book = openpyxl.load_workbook(path)
    i = language_index(language)
    for name in (ANALYSIS[language], *analysis.segments):
        sheet = book[name]
        notes = {c.value: c.comment.text for c in sheet[1] if c.comment}
        coded = [header(c, language) for c in NOTES if header(c, language) in
                 [h.value for h in sheet[1]]]
        assert coded and set(notes) == set(coded)
        for column, words in NOTES.items():
            if header(column, language) in notes:
                assert notes[header(column, language)] == words[i]
    # The package holds each note as Excel wants it: a comments part and a VML drawing,
    # related from the sheet, with their content types; the sheet refers to the drawing.
    parts = _parts(path)
    xml = parts[_sheet_parts(path)[ANALYSIS[language]]]
    assert '<legacyDrawing r:id="rIdVml1"/>' in xml
    rels = parts[re.sub(r"worksheets/", "worksheets/_rels/",
                        _sheet_parts(path)[ANALYSIS[language]]) + ".rels"]
    assert "/comments" in rels and "/vmlDrawing" in rels
    types = parts["[Content_Types].xml"]
    assert "spreadsheetml.comments+xml" in types and "vmlDrawing" in types
    data_ids = [re.search(r'idmap v:ext="edit" data="(\d+)"', v).group(1)
                for n, v in parts.items() if n.endswith(".vml")]
    assert len(data_ids) == len(set(data_ids)) == len(analysis.segments) + 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_headers_wrap_whole_beside_the_filter_button(
        written: dict[str, tuple[Path, Analysis]], language: str) -> None:
    path, analysis = written[language]
    book = openpyxl.load_workbook(path)
    for name in (ANALYSIS[language], *analysis.segments):
        sheet = book[name]
        lines = 1
        for cell in sheet[1]:
            assert cell.alignment.wrap_text
            width = sheet.column_dimensions[cell.column_letter].width
            # No word wider than the room left of the filter button: no "Ancienneté" cut.
            words = str(cell.value).split()
            assert all(len(w) * 1.15 + 1 + 2.5 <= width for w in words), (cell.value, width)
            lines = max(lines, header_lines(str(cell.value), width))
        assert lines <= HEADER_LINES
        assert sheet.row_dimensions[1].height >= 15 * lines


def test_call_lists_are_ready_to_call_from(written: dict[str, tuple[Path, Analysis]]) -> None:
    path, analysis = written["fr"]
    book = openpyxl.load_workbook(path)
    for name in analysis.segments:
        headers = [c.value for c in book[name][1]]
        assert headers.index("Téléphone") == headers.index("E-mail") - 1
    sheet = book["Hot prospects"]
    headers = [c.value for c in sheet[1]]
    for shown in ("Dernier contact", "Jours depuis le contact", "Budget", "Achat sous (jours)",
                  "BANT"):
        assert shown in headers and not sheet.column_dimensions[
            openpyxl.utils.get_column_letter(headers.index(shown) + 1)].hidden
    # Temperature says "chaud" on every row: folded away, not in the caller's way.
    temperature = openpyxl.utils.get_column_letter(headers.index("Température") + 1)
    assert sheet.column_dimensions[temperature].hidden
    phones = [sheet.cell(r, headers.index("Téléphone") + 1).value
              for r in range(2, sheet.max_row + 1)]
    assert sum(p is not None for p in phones) > len(phones) / 2
    # Days since contact is as_of - last contact, in whole days.
    last = headers.index("Dernier contact") + 1
    days = headers.index("Jours depuis le contact") + 1
    for r in range(2, sheet.max_row + 1):
        seen = sheet.cell(r, last).value
        if seen is not None:
            assert sheet.cell(r, days).value == (analysis.as_of - seen).days
            assert sheet.cell(r, last).number_format == "dd/mm/yyyy"


def test_the_users_own_columns_are_kept_and_shown(tmp_path: Path) -> None:
    path = french_shop(tmp_path / "boutique.xlsx")  # "Fidélité (carte)": oui, non, oui, -
    rules = openpyxl.load_workbook(path)
    sheet = rules.create_sheet("Segments")
    sheet.append(["Segment", "Champ", "Opérateur", "Valeur"])
    sheet.append(["Prospects", "type de client", "=", "prospect"])
    rules.save(path)
    analysis = analyze_file(path, as_of="2026-06-30")
    write_results(path, analysis)
    book = openpyxl.load_workbook(path)
    analyse = book["Analyse"]
    headers = [c.value for c in analyse[1]]
    at = headers.index("Fidélité (carte)") + 1
    by_id = {analyse.cell(r, 1).value: analyse.cell(r, at).value
             for r in range(2, analyse.max_row + 1)}
    assert by_id == {"C001": "oui", "C002": "non", "C003": "oui", "C004": None, "C009": None}
    calls = book["Prospects"]
    headers = [c.value for c in calls[1]]
    letter = openpyxl.utils.get_column_letter(headers.index("Fidélité (carte)") + 1)
    assert calls.column_dimensions[letter].hidden  # folded with the rest
    # C001 and C004 have no order: prospects.  C001's card says oui.
    rows = {calls.cell(r, 1).value: calls.cell(r, headers.index("Fidélité (carte)") + 1).value
            for r in range(2, calls.max_row + 1)}
    assert rows == {"C001": "oui", "C004": None}


def _repeated_book(path: Path) -> Path:
    """Three #N/A amounts in one column, and one bad date."""
    book = xlsxwriter.Workbook(str(path))
    customers = book.add_worksheet("Clients")
    customers.write_row(0, 0, ["N° client", "Nom"])
    customers.write_row(1, 0, ["C1", "Ann"])
    orders = book.add_worksheet("Commandes")
    orders.write_row(0, 0, ["N° client", "Date", "Montant"])
    for row in range(1, 4):
        orders.write_row(row, 0, ["C1", "2026-01-05"])
        orders.write_formula(row, 2, "=NA()", None, "#N/A")
    orders.write_row(4, 0, ["C1", "pas de date", 100])
    settings = book.add_worksheet("Paramètres")
    settings.write_row(0, 0, ["clé", "valeur"])
    settings.write_row(1, 0, ["langue", "fr"])
    book.close()
    return path


def test_a_repeated_problem_is_one_line_with_its_count(tmp_path: Path) -> None:
    path = _repeated_book(tmp_path / "repeated.xlsx")
    analysis = analyze_file(path, as_of="2026-06-30")
    write_results(path, analysis)
    sheet = openpyxl.load_workbook(path)["Validation"]
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    amounts = [line for line in lines if line[2] == "Montant"]
    assert len(amounts) == 1  # rows 2, 3, 4 on one line
    _, row, _, cell, value, _, message = amounts[0]
    assert message.startswith("3 cellules (lignes 2, 3, 4) : ")
    assert "#N/A" in message and value == "#N/A" and (row, cell) == (2, "Commandes!C2")
    assert sheet.cell(lines.index(amounts[0]) + 2, 4).hyperlink.location == "'Commandes'!C2"
    assert len(lines) == len(analysis.validation) - 2  # three problems shown as one line
    assert not [line for line in lines if line[2] and "_" in line[2]]  # the user's words
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFG"}
    for cell in sheet[1]:  # full headers: "Colonne", "Valeur" whole
        assert len(cell.value) * 1.15 + 1 + 2.5 <= widths[cell.column_letter]


def test_charts_show_their_values_on_whole_number_axes(
        written: dict[str, tuple[Path, Analysis]]) -> None:
    path, analysis = written["en"]
    charts = [xml for name, xml in _parts(path).items() if name.startswith("xl/charts/")]
    bars = [c for c in charts if "<c:barChart>" in c]
    assert len(bars) == 3
    assert all('<c:showVal val="1"/>' in c for c in bars)
    counts = [c for c in bars if "Customers per" in c]
    assert len(counts) == 2
    for chart in counts:
        step = int(re.search(r'<c:majorUnit val="(\d+)"/>', chart).group(1))
        assert step >= 1
    rfm = next(c for c in counts if "RFM" in c)
    prospects = int((analysis.table["customer_type"] == "prospect").sum())
    assert f"({prospects} prospects not shown)" in rfm
    assert "<c:v>Prospect</c:v>" not in rfm
    money = next(c for c in bars if "per RFM segment" in c and c not in counts)
    assert "<c:v>Prospect</c:v>" not in money


def test_dashboard_tiles_and_link(written: dict[str, tuple[Path, Analysis]]) -> None:
    path, _ = written["en"]
    sheet = openpyxl.load_workbook(path)["Dashboard"]
    # The charts end within the first screen in pixels, taller rows counted: about 440 px of
    # rows show under Excel's ribbon at 1366x768 (22 default rows of 20 px).
    bottom = CHART_ROWS[1]
    pixels = sum((sheet.row_dimensions[r].height or 15) * 4 / 3 for r in range(1, bottom + 1))
    assert pixels <= 22 * 20
    labels = [sheet.cell(4, c).value for c in range(1, 17, 2)]
    assert "Revenue of customers at risk" in labels
    for c in range(1, 17, 2):  # a bordered box: label on top, a large number below
        assert sheet.cell(4, c).border.top.style == "thin"
        assert sheet.cell(5, c).border.bottom.style == "thin"
        assert sheet.cell(5, c).font.sz > sheet.cell(4, c).font.sz
    problems = sheet.cell(5, 15)
    assert problems.font.u == "single" and problems.font.color.rgb == "FF0563C1"
    link = sheet["O6"]
    assert link.hyperlink.location == "'Validation'!A1" and link.font.u == "single"


def test_notes_live_beside_the_users_own_notes_and_are_replaced_on_a_rerun(
        tmp_path: Path) -> None:
    path = tmp_path / "noted.xlsx"
    book = xlsxwriter.Workbook(str(path))
    customers = book.add_worksheet("Customers")
    customers.write_row(0, 0, ["customer_id", "name"])
    customers.write_row(1, 0, ["C1", "Ann"])
    customers.write_comment("B2", "Ann prefers email")  # the user's own note, VML data="1"
    orders = book.add_worksheet("Orders")
    orders.write_row(0, 0, ["customer_id", "order_date", "amount"])
    orders.write_row(1, 0, ["C1", "2026-01-05", 120])
    book.close()
    for _ in range(2):  # a re-run replaces potentiel's notes, leaves the user's
        write_results(path, analyze_file(path, as_of="2026-06-30"))
        parts = _parts(path)
        vml = [n for n in parts if n.endswith(".vml")]
        data_ids = [re.search(r'data="(\d+)"', parts[n]).group(1) for n in vml]
        assert len(vml) == 2 and len(set(data_ids)) == 2  # Customers' and Analysis'
        assert len([n for n in parts if re.fullmatch(r"xl/comments\d+\.xml", n)]) == 2
    loaded = openpyxl.load_workbook(path)
    assert loaded["Customers"]["B2"].comment.text.startswith("Ann prefers email")
    assert any(c.comment for c in loaded["Analysis"][1])


@pytest.mark.parametrize(("language", "shown"), [("en", "Line amount"), ("fr", "Montant"),
                                                 ("nl", "Bedrag")])
def test_a_column_the_book_lacks_is_named_in_its_language(language: str, shown: str) -> None:
    """Orders without an amount or a unit price: Validation names the missing column by the
    word the Columns sheet offers for it, not the code's ``amount``."""
    customers = pd.DataFrame({"customer_id": ["C1"], "name": ["Ann"]})
    orders = pd.DataFrame({"customer_id": ["C1"], "order_date": ["2026-01-05"],
                           "quantity": [2]})
    analysis = run_analysis(customers, orders, settings={"language": language})
    frame, _ = validation_frame(analysis, language)
    column = frame.columns[2]
    assert shown in set(frame[column]), frame.to_string()
    assert "amount" not in set(frame[column])
