"""The Columns sheet round trip: a run writes it with its guesses, the next run reads it, the
user's corrections are kept (a later run only adds rows), wrong rows are reported, and
removing the sheet goes back to automatic recognition."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from addin.app.formulas import POTENTIEL_ANALYZE
from addin.app.jobs import analyze_file, run_file
from addin.workbook.edit import update_cells
from addin.workbook.reader import data_from_grids, read_sheet_table, read_workbook

TAB = "Kolommen"  # the workbook is Dutch


def wholesaler(path: Path) -> Path:
    """Dutch headers of the user's own: e-mails under 'Contact', mobile numbers under
    'Nummer GSM', unit prices under 'Prijs/st', an internal remark."""
    book = xlsxwriter.Workbook(str(path))
    customers = book.add_worksheet("Klanten")
    customers.write_row(0, 0, ["Klantnummer", "Naam", "Contact", "Nummer GSM"])
    customers.write_row(1, 0, ["K1", "Jansen", "info@jansen.nl", "0475 12 34 56"])
    customers.write_row(2, 0, ["K2", "de Boer", "post@deboer.nl", "0476 65 43 21"])
    orders = book.add_worksheet("Bestellingen")
    orders.write_row(0, 0, ["Bestelnummer", "Klantnummer", "Datum", "Aantal", "Prijs/st",
                            "Opmerking intern"])
    orders.write_row(1, 0, ["B1", "K1", "10-01-2026", 2, "12,50", "spoed"])
    orders.write_row(2, 0, ["B2", "K2", "15-03-2026", 4, "3,00", None])
    settings = book.add_worksheet("Instellingen")
    settings.write_row(0, 0, ["Instelling", "Waarde"])
    settings.write_row(1, 0, ["taal", "nl"])
    settings.write_row(2, 0, ["peildatum", "30-06-2026"])
    book.close()
    return path


def _rows(path: Path) -> pd.DataFrame:
    frame = read_sheet_table(path, TAB, "columns").frame.iloc[:, :4]
    return frame[frame.notna().any(axis=1)]


def _revenue(path: Path) -> list[float]:
    return analyze_file(path).table["revenue"].tolist()


def _set(path: Path, row: int, value: str) -> None:
    update_cells(path, TAB, pd.DataFrame({"row": [row], "column": ["Veld"],
                                          "value": [value]}))


def test_a_run_writes_its_guesses_and_the_next_run_reads_them(tmp_path: Path) -> None:
    path = wholesaler(tmp_path / "book.xlsx")
    first, _ = run_file(path)
    assert first.table["revenue"].tolist() == [0.0, 0.0]  # Prijs/st not read yet
    hints = first.validation.set_index("column")["message"]
    assert hints["Prijs/st"].endswith("(did you mean unit_price?)")
    assert hints["Contact"].endswith("(did you mean email?)")  # from its content
    rows = _rows(path)
    assert rows.columns.tolist() == ["Blad", "Uw kolomkop", "Veld", "Opmerking"]
    by_header = rows.set_index("Uw kolomkop")
    assert by_header.loc["Prijs/st", "Veld"] == "unit_price"
    assert by_header.loc["Contact", "Veld"] == "email"
    assert by_header.loc["Nummer GSM", "Veld"] == "phone"
    assert pd.isna(by_header.loc["Opmerking intern", "Veld"])
    assert by_header.loc["Klantnummer", "Blad"].tolist() == ["Klanten", "Bestellingen"]
    assert by_header.loc["Prijs/st", "Opmerking"].startswith("een gok")
    # The dropdown offers every field (the list beside the rows) on the Field column.
    sheet = openpyxl.load_workbook(path)[TAB]
    rule = sheet.data_validations.dataValidation[0]
    assert rule.type == "list" and str(rule.sqref).startswith("C2:C")
    first_cell, last_cell = rule.formula1.replace("$", "").split(":")
    offered = [c.value for row in sheet[first_cell:last_cell] for c in row]
    assert {"unit_price", "email", "phone", "customer_email", "ignore"} <= set(offered)
    # The next run reads the guesses: 2 x 12.50 = 25 and 4 x 3.00 = 12.
    assert _revenue(path) == [25.0, 12.0]
    assert read_workbook(path).mapping["customers"]["Contact"] == "email"


def test_the_users_corrections_are_kept_and_wrong_rows_reported(tmp_path: Path) -> None:
    path = wholesaler(tmp_path / "book.xlsx")
    run_file(path)
    rows = _rows(path).reset_index().set_index("Uw kolomkop")["row"]
    _set(path, rows["Prijs/st"], "ignore")  # the user says: not a unit price
    assert _revenue(path) == [0.0, 0.0]
    _set(path, rows["Opmerking intern"], "prijs per kilo")  # not a field
    _set(path, rows["Contact"], "phone")  # phone twice: Nummer GSM, below, loses it
    update_cells(path, TAB, pd.DataFrame({"row": [], "column": [], "value": []}),
                 pd.DataFrame({"Blad": ["Klanten"], "Uw kolomkop": ["Fax"],
                               "Veld": ["notes"]}))  # a header the sheet does not have
    fax = _rows(path).reset_index().set_index("Uw kolomkop")["row"]["Fax"]
    analysis, _ = run_file(path)
    found = analysis.validation[analysis.validation["sheet"] == TAB]
    assert set(zip(found["row"], found["message"], strict=True)) == {
        (rows["Opmerking intern"], "'prijs per kilo' is not a field of Bestellingen: row "
                                   "not used"),
        (rows["Nummer GSM"], f"phone is already the field of 'Contact' (row "
                             f"{rows['Contact']}): row not used"),
        (fax, "sheet Klanten has no column 'Fax'")}
    # The re-run rewrote nothing the user typed.
    again = _rows(path).set_index("Uw kolomkop")["Veld"]
    assert again["Prijs/st"] == "ignore" and again["Opmerking intern"] == "prijs per kilo"
    assert again["Fax"] == "notes"


def test_a_new_header_adds_a_row_and_removing_the_sheet_goes_back_to_automatic(
        tmp_path: Path) -> None:
    path = wholesaler(tmp_path / "book.xlsx")
    run_file(path)
    _set(path, _rows(path).reset_index().set_index("Uw kolomkop")["row"]["Prijs/st"], "")
    before = _rows(path)
    update_cells(path, "Bestellingen", pd.DataFrame({"row": [2], "column": ["Korting"],
                                                     "value": ["5%"]}))
    run_file(path)
    after = _rows(path)
    assert len(after) == len(before) + 1
    assert after.iloc[-1].tolist()[:2] == ["Bestellingen", "Korting"]
    pd.testing.assert_frame_equal(after.iloc[:-1], before)  # the blank field stays blank
    book = openpyxl.load_workbook(path)
    del book[TAB]
    book.save(path)
    data = read_workbook(path)
    assert data.columns_sheet is None and data.mapping == {}
    assert _revenue(path) == [0.0, 0.0]  # automatic: Prijs/st is not known


def test_the_analyze_formula_takes_the_same_rows() -> None:
    customers = [["Klantnummer", "Naam"], ["K1", "Jansen"]]
    orders = [["Klantnummer", "Datum", "Aantal", "Prijs/st"], ["K1", "10-01-2026", 2, "12,50"]]
    columns = [["Blad", "Uw kolomkop", "Veld"], ["Bestellingen", "Prijs/st", "unit_price"]]
    table = POTENTIEL_ANALYZE(customers, orders, "2026-06-30", None, None, columns)
    revenue = table[0].index("Revenue")
    assert table[1][revenue] == 25.0  # 2 x 12.50
    bad = [["sheet", "header", "field"], ["orders", "Prijs/st", "prijs per kilo"]]
    wrong = POTENTIEL_ANALYZE(customers, orders, "2026-06-30", None, None, bad)
    assert wrong.startswith("#VALUE: columns row 2: 'prijs per kilo' is not a field of "
                            "orders")


@pytest.mark.parametrize("language,tab", [("fr", "Colonnes"), ("en", "Columns")])
def test_the_sheet_speaks_the_workbooks_language(tmp_path: Path, language: str,
                                                 tab: str) -> None:
    path = wholesaler(tmp_path / "book.xlsx")
    update_cells(path, "Instellingen", pd.DataFrame({"row": [2], "column": ["Waarde"],
                                                     "value": [language]}))
    run_file(path)
    assert tab in openpyxl.load_workbook(path).sheetnames
    assert _revenue(path) == [25.0, 12.0]


def test_the_open_workbook_in_excel_reads_the_same_columns_sheet() -> None:
    grids = {"Klanten": [["Groothandel — klanten"], ["Klantnummer", "Naam"], ["K1", "Jansen"]],
             "Bestellingen": [["Klantnummer", "Datum", "Aantal", "Prijs/st"],
                              ["K1", "10-01-2026", 2, "12,50"]],
             "Kolommen": [["Blad", "Uw kolomkop", "Veld"],
                          ["Bestellingen", "Prijs/st", "unit_price"],
                          ["Bestellingen", "Korting", "unit_cost"]]}
    data = data_from_grids(Path("open.xlsx"), grids)
    assert data.mapping == {"customers": {}, "orders": {"Prijs/st": "unit_price",
                                                        "Korting": "unit_cost"}}
    assert data.customers.index.tolist() == [3]  # under the title row
    problems = data.validation.to_frame()
    assert problems[["sheet", "row", "message"]].values.tolist() == [
        ["Kolommen", 3, "sheet Bestellingen has no column 'Korting'"]]
