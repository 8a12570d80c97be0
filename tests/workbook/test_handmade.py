"""Hand-made workbooks (tests/handmade.py) read as their authors meant them.

The expected figures below were worked out by hand from the cells typed in the builders, not
by running potentiel: each comment shows the arithmetic.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from handmade import BUILDERS, PLANTED

from addin.app.jobs import SUMMARY, analyze_file, counted
from addin.cli import main
from addin.core.labels import language_index
from addin.core.messages import render

AS_OF = pd.Timestamp("2026-06-30")  # each workbook's Settings sheet says 30 June 2026


def _analysis(tmp_path: Path, name: str):
    return analyze_file(BUILDERS[name](tmp_path / name))


def _rows(analysis) -> dict[str, dict]:
    return {row["customer_id"]: row for row in analysis.table.to_dict("records")}


def test_the_french_shop(tmp_path: Path) -> None:
    analysis = _analysis(tmp_path, "boutique.xlsx")
    assert analysis.as_of == AS_OF  # "30/06/2026" typed day first
    assert analysis.settings.income_bands == (30000.0, 50000.0)  # "30.000; 50.000", langue fr
    c = _rows(analysis)
    assert list(c) == ["C001", "C002", "C003", "C004", "C009"]
    # C001: budget "€ 3.000" is 3000 (the column also holds "1 500,50 €"), decision maker,
    # need, 30 days: BANT = 60 points, + 10 pages of 10 = 20 points -> 80, hot.
    assert (c["C001"]["bant"], c["C001"]["prospect_score"], c["C001"]["temperature"]) == \
        ("BANT", 80.0, "hot")
    # C002: F001 1 234,50 + F002 89,90 = 1324.40; F006 has no amount: 3 orders, 2 priced.
    assert (c["C002"]["orders"], c["C002"]["revenue"]) == (3, pytest.approx(1324.40))
    assert c["C002"]["avg_order_value"] == pytest.approx(662.20)  # 1324.40 / 2
    assert c["C002"]["days_since_last_order"] == 5  # 25/06 -> 30/06
    assert c["C002"]["tenure_days"] == 166  # 15/01 -> 30/06: 16+28+31+30+31+30
    assert c["C002"]["customer_type"] == "occasional"  # 3 orders but 166 < 180 days
    # C003: F003 "€ 3.000" = 3000; F004 is #N/A: two orders, the average is over one.
    assert (c["C003"]["orders"], c["C003"]["revenue"], c["C003"]["avg_order_value"]) == \
        (2, 3000.0, 3000.0)
    assert (c["C009"]["orders"], c["C009"]["revenue"], c["C009"]["customer_type"]) == \
        (1, 50.0, "one_time")
    # Income 45 000 / 32 000 / 58.000 (thousands: langue fr) against 30000 and 50000.
    assert [c[k]["income_band"] for k in ("C001", "C002", "C003")] == ["middle", "middle", "high"]
    # RFM over 3 buyers, score = ceil(5 * min rank / 3): ranks 1, 2, 3 score 2, 4, 5.
    # R (days 5, 20, 149): C002 5, C003 4, C009 2.  F (3, 2, 1): 5, 4, 2.
    # M (1324.40, 3000, 50): 4, 5, 2.  F + M: 9, 9, 4 -> the tie ranks 2: FM 4, 4, 2.
    assert [(c[k]["r_score"], c[k]["f_score"], c[k]["m_score"], c[k]["rfm_segment"])
            for k in ("C002", "C003", "C009")] == [
        (5, 5, 4, "Champions"), (4, 4, 5, "Loyal"), (2, 2, 2, "Need Attention")]


def test_the_dutch_wholesaler(tmp_path: Path) -> None:
    analysis = _analysis(tmp_path, "groothandel.xlsx")
    assert analysis.as_of == AS_OF  # peildatum "30-06-2026"
    assert analysis.settings.income_bands == (30000.0, 60000.0)  # "30.000; 60.000", taal nl
    k = _rows(analysis)
    # K1: B1 cached 25 (2 x 12,50), B2 100 + 50 on two dates: one order -> 2 orders, 175.
    assert (k["K1"]["orders"], k["K1"]["revenue"], k["K1"]["avg_order_value"]) == \
        (2, 175.0, 87.5)
    assert (k["K1"]["days_since_last_order"], k["K1"]["tenure_days"]) == (106, 171)
    # K2: B3 3 x "1.250" cached 3750; B4 is #VALUE!: 2 orders, one priced.
    assert (k["K2"]["orders"], k["K2"]["revenue"], k["K2"]["avg_order_value"]) == \
        (2, 3750.0, 3750.0)
    # K4: one order on 01/05/2025, 425 days ago: lost (over 365).
    assert (k["K4"]["customer_type"], k["K4"]["days_since_last_order"]) == ("lost", 425)
    # Income "45.000", "€ 82.500,00", #N/A, "30.000" against 30000 and 60000.
    assert [k[x]["income_band"] for x in ("K1", "K2", "K3", "K4")] == \
        ["middle", "high", None, "low"]
    # Born "12-05-1980" (text) and 01/03/1965 (a date): both Gen X.
    assert [k["K1"]["generation"], k["K2"]["generation"]] == ["Gen X", "Gen X"]
    # R (days 106, 10, 425): 4, 5, 2.  F (2, 2, 1): tie -> 4, 4, 2.  M (175, 3750, 40): 4, 5, 2.
    # F + M: 8, 9, 4 -> FM 4, 5, 2.
    assert [(k[x]["r_score"], k[x]["f_score"], k[x]["m_score"], k[x]["rfm_segment"])
            for x in ("K1", "K2", "K4")] == [
        (4, 4, 4, "Loyal"), (5, 4, 5, "Champions"), (2, 2, 2, "Need Attention")]


def test_the_english_macro_workbook_without_order_ids(tmp_path: Path) -> None:
    analysis = _analysis(tmp_path, "shop.xlsm")
    a = _rows(analysis)
    # A1: 01/06 2 x 19.99 + 5.00 (one order: same day, no id), 05/06 without a price.
    assert (a["A1"]["orders"], a["A1"]["revenue"]) == (2, pytest.approx(44.98))
    assert a["A1"]["avg_order_value"] == pytest.approx(44.98)  # one order has an amount
    assert a["A1"]["days_since_last_order"] == 25  # "05/06/2026" is 5 June
    # A2: 3 x "$1,250.00" on 10/02/2026.
    assert (a["A2"]["revenue"], a["A2"]["days_since_last_order"]) == (3750.0, 140)
    # A3: "$2,500.00", yes, yes, 30 days -> BANT, 60 points, warm.
    assert (a["A3"]["bant"], a["A3"]["prospect_score"], a["A3"]["temperature"]) == \
        ("BANT", 60.0, "warm")
    # Incomes 52000 and 75000: terciles 59666.67 and 67333.33.
    assert [a["A1"]["income_band"], a["A2"]["income_band"]] == ["low", "high"]
    # R (25, 140): 5, 3.  F (2, 1): 5, 3.  M (44.98, 3750): 3, 5.  F + M: 8, 8 -> tie: 3, 3.
    assert [(a[x]["r_score"], a[x]["f_score"], a[x]["m_score"], a[x]["rfm_segment"])
            for x in ("A1", "A2")] == [(5, 5, 3, "Loyal"), (3, 3, 5, "Potential Loyalist")]
    # The bare = of the Segments sheet: customer_type = occasional.
    assert analysis.segments["Regulars"]["customer_id"].tolist() == ["A1"]


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_validate_lists_every_planted_problem_once(tmp_path: Path, name: str, capsys) -> None:
    path = BUILDERS[name](tmp_path / name)
    errors = sum(severity == "error" for *_, severity, _ in PLANTED[name])
    assert main(["validate", str(path), "--limit", "100"]) == (1 if errors else 0)
    out = capsys.readouterr().out
    warnings = len(PLANTED[name]) - errors
    analysis = analyze_file(path)  # the summary speaks the workbook's language
    i = language_index(analysis.settings.language)
    language = analysis.settings.language
    heading = SUMMARY["problems"][i].format(errors=counted(errors, "problem", language),
                                            warnings=counted(warnings, "warning", language))
    assert heading in out
    lines = [line.strip() for line in out.split(heading + "\n")[1].splitlines()]
    assert len(lines) == len(PLANTED[name]), lines
    found = analysis.validation
    for sheet, row, column, _, message in PLANTED[name]:
        at = SUMMARY["row"][i].format(row=row) if row else ""
        where = SUMMARY["problem"][i].format(where=f"{sheet}{at}", column=f", {column}",
                                             value="", message="").strip()
        mask = ((found["sheet"] == sheet) & found["message"].str.contains(message, regex=False)
                & (found["row"].fillna(0) == (row or 0)) & (found["column"] == column))
        full = render(found[mask], analysis.settings.language).unique()
        assert len(full) == 1, (where, message)
        shown = full[0]
        hits = [line for line in lines if line.startswith(where) and str(shown) in line]
        assert len(hits) == 1, (where, shown, lines)


@pytest.mark.parametrize(("number_format", "budget", "warned"), [
    ("[$€-40C] #,##0", 3000.0, False),  # a French euro format: the comma is decimal
    ("[$€-413] #,##0.00", 3000.0, False),  # Dutch
    ("[$$-409]#,##0.00", 3.0, False),  # US English: the dot is decimal
    ("#,##0 €", 3000.0, True),  # no locale: no evidence, read as thousands and reported
])
def test_the_locale_of_number_formats_is_the_last_evidence(tmp_path: Path, number_format: str,
                                                          budget: float, warned: bool) -> None:
    path = tmp_path / "formats.xlsx"
    book = xlsxwriter.Workbook(str(path))
    money = book.add_format({"num_format": number_format})
    sheet = book.add_worksheet("Customers")
    sheet.write_row(0, 0, ["customer_id", "budget"])
    sheet.write_row(1, 0, ["A", "€ 3.000"])
    sheet.write_string(2, 0, "B")
    sheet.write_number(2, 1, 1500, money)
    book.close()
    analysis = analyze_file(path)
    # The B of BANT: a budget of at least 1000.
    assert analysis.table["bant"].str[0].tolist() == ["B" if budget >= 1000 else "-", "B"]
    assert list(analysis.validation["message"]) == (
        ["read as 3000 — thousands separator"] if warned else [])
