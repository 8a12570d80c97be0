"""The Columns sheet round trip: a run writes it with its guesses, the next run reads it, the
user's corrections are kept (a later run only adds rows), wrong rows are reported, and
removing the sheet goes back to automatic recognition.  Fields are shown by their label in the
book's language and read back from a label of any language or a canonical name."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from addin.app.formulas import POTENTIEL_ANALYZE
from addin.app.jobs import analyze_file, run_file
from addin.core.columnmap import FIELD_LABELS, MAPPED_SHEETS, field_named, mapping_from_table
from addin.core.schema import KINDS, canonical_columns, fold
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


def _rows(path: Path, tab: str = TAB) -> pd.DataFrame:
    frame = read_sheet_table(path, tab, "columns").frame.iloc[:, :4]
    return frame[frame.notna().any(axis=1)]


def _by_header(path: Path, tab: str) -> pd.DataFrame:
    """The rows of a Columns sheet in any language as ``row | field`` by your header."""
    rows = _rows(path, tab)
    return pd.DataFrame({"row": rows.index, "field": rows.iloc[:, 2].to_numpy()},
                        index=rows.iloc[:, 1].to_numpy())


def _revenue(path: Path) -> list[float]:
    return analyze_file(path).table["revenue"].tolist()


def _set(path: Path, row: int, value: str, tab: str = TAB, column: str = "Veld") -> None:
    update_cells(path, tab, pd.DataFrame({"row": [row], "column": [column],
                                          "value": [value]}))


def _in_language(path: Path, language: str) -> Path:
    """The wholesaler's book with its Settings' language set to ``language``."""
    update_cells(path, "Instellingen", pd.DataFrame({"row": [2], "column": ["Waarde"],
                                                     "value": [language]}))
    return path


def _offered(path: Path, tab: str) -> list[str]:
    """The words the dropdown of the Field column offers (the list beside the rows)."""
    sheet = openpyxl.load_workbook(path)[tab]
    rule = sheet.data_validations.dataValidation[0]
    assert rule.type == "list" and str(rule.sqref).startswith("C2:C")
    first_cell, last_cell = rule.formula1.replace("$", "").split(":")
    return [c.value for row in sheet[first_cell:last_cell] for c in row]


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
    # Fields in the book's words: Dutch labels, not the code's names.
    assert by_header.loc["Prijs/st", "Veld"] == "Stukprijs"
    assert by_header.loc["Contact", "Veld"] == "E-mail"
    assert by_header.loc["Nummer GSM", "Veld"] == "Telefoon"
    assert by_header.loc["Datum", "Veld"] == "Besteldatum"  # recognised
    assert pd.isna(by_header.loc["Opmerking intern", "Veld"])
    assert by_header.loc["Klantnummer", "Blad"].tolist() == ["Klanten", "Bestellingen"]
    assert by_header.loc["Klantnummer", "Veld"].tolist() == ["Klantnummer", "Klantnummer"]
    assert by_header.loc["Prijs/st", "Opmerking"].startswith("een gok")
    # The dropdown offers every field (the list beside the rows) on the Field column, one
    # Dutch label each (34 customers' fields, then the orders' 11 not shared with them:
    # customer_id, first_name and last_name are), then the word for "not used".
    offered = _offered(path, TAB)
    assert {"Stukprijs", "E-mail", "Telefoon", "E-mail klant", "Bedrag"} <= set(offered)
    assert len(offered) == len(set(offered)) == 34 + 11 + 1 and offered[-1] == "negeren"
    assert not {"unit_price", "email", "ignore"} & set(offered)
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
    _set(path, rows["Contact"], "phone")  # phone twice (Nummer GSM's Telefoon, below, loses)
    update_cells(path, TAB, pd.DataFrame({"row": [], "column": [], "value": []}),
                 pd.DataFrame({"Blad": ["Klanten"], "Uw kolomkop": ["Fax"],
                               "Veld": ["notes"]}))  # a header the sheet does not have
    fax = _rows(path).reset_index().set_index("Uw kolomkop")["row"]["Fax"]
    analysis, _ = run_file(path)
    found = analysis.validation[analysis.validation["sheet"] == TAB]
    assert set(zip(found["row"], found["message"], strict=True)) == {
        (rows["Opmerking intern"], "'prijs per kilo' is not a field of Bestellingen: row "
                                   "not used"),
        (rows["Nummer GSM"], f"Telefoon is already the field of 'Contact' (row "
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
    french = [["Feuille", "Votre en-tête", "Champ"], ["Commandes", "Prijs/st", "Montant"]]
    lines = POTENTIEL_ANALYZE(customers, orders, "2026-06-30", None, None, french)
    assert lines[1][revenue] == 12.5  # Prijs/st read as the line's amount
    bad = [["sheet", "header", "field"], ["orders", "Prijs/st", "prijs per kilo"]]
    wrong = POTENTIEL_ANALYZE(customers, orders, "2026-06-30", None, None, bad)
    assert wrong.startswith("#VALUE: columns row 2: 'prijs per kilo' is not a field of "
                            "orders")


@pytest.mark.parametrize("language,tab,price,email,hint", [
    ("fr", "Colonnes", "Prix unitaire", "E-mail", "(vouliez-vous dire 'Prix unitaire' ?)"),
    ("nl", "Kolommen", "Stukprijs", "E-mail", "(bedoelde u 'Stukprijs'?)"),
    ("en", "Columns", "Unit price", "Email", "(did you mean unit_price?)")])
def test_the_sheet_speaks_the_workbooks_language(tmp_path: Path, language: str, tab: str,
                                                 price: str, email: str, hint: str) -> None:
    path = _in_language(wholesaler(tmp_path / "book.xlsx"), language)
    run_file(path)
    book = openpyxl.load_workbook(path)
    assert tab in book.sheetnames
    # Validation suggests the field by the same label as the Columns sheet.
    shown = book["Validatie" if language == "nl" else "Validation"]
    hints = {r[2]: r[-1] for r in shown.iter_rows(values_only=True)}  # column -> message
    assert hints["Prijs/st"].endswith(hint)
    fields = _by_header(path, tab)["field"]
    assert (fields["Prijs/st"], fields["Contact"]) == (price, email)
    assert _revenue(path) == [25.0, 12.0]


# (language, tab, its Field header, the label of amount (a line total), the word for "not
# used", a label of another language, the message for a wrong row in the book's language)
ROUND_TRIPS = [
    ("fr", "Colonnes", "Champ", "Montant", "ignorer", "STUKPRIJS",
     "'Prix au kilo' n'est pas un champ de Bestellingen : ligne non utilisée"),
    ("nl", "Kolommen", "Veld", "Bedrag", "negeren", "prix  unitaire",
     "'Prix au kilo' is geen veld van Bestellingen: rij niet gebruikt"),
]


@pytest.mark.parametrize("language,tab,field,amount,ignore,foreign,wrong", ROUND_TRIPS)
def test_a_label_picked_from_the_dropdown_is_used_on_the_next_run(
        tmp_path: Path, language: str, tab: str, field: str, amount: str, ignore: str,
        foreign: str, wrong: str) -> None:
    path = _in_language(wholesaler(tmp_path / "book.xlsx"), language)
    run_file(path)
    rows = _by_header(path, tab)["row"]
    assert amount in _offered(path, tab) and ignore in _offered(path, tab)
    # The guess read as written: 2 x 12.50 = 25 and 4 x 3.00 = 12.
    assert _revenue(path) == [25.0, 12.0]
    # Prijs/st is a line's total, the user picks that label: revenue 12.50 and 3.00.
    _set(path, rows["Prijs/st"], amount, tab, field)
    assert _revenue(path) == [12.5, 3.0]
    assert read_workbook(path).mapping["orders"]["Prijs/st"] == "amount"
    # A label of another language, in any case and spacing, and a canonical name are read
    # too: the unit price again.
    _set(path, rows["Prijs/st"], foreign, tab, field)
    assert _revenue(path) == [25.0, 12.0]
    _set(path, rows["Prijs/st"], "unit_price", tab, field)
    assert _revenue(path) == [25.0, 12.0]
    _set(path, rows["Prijs/st"], ignore, tab, field)
    assert _revenue(path) == [0.0, 0.0]
    # A word that is no field is reported in the book's language, on its row, and left as
    # typed by the next run.
    _set(path, rows["Prijs/st"], "Prix au kilo", tab, field)
    run_file(path)
    shown = openpyxl.load_workbook(path)["Validatie" if language == "nl" else "Validation"]
    reported = [r for r in shown.iter_rows(values_only=True) if wrong in r]
    assert len(reported) == 1 and tab in reported[0] and rows["Prijs/st"] in reported[0]
    assert _by_header(path, tab).loc["Prijs/st", "field"] == "Prix au kilo"


def test_a_sheet_written_by_the_previous_version_keeps_working(tmp_path: Path) -> None:
    """Canonical names in the Field column (what the previous version wrote) are read, and a
    later run appends in the book's words without rewriting them."""
    path = wholesaler(tmp_path / "book.xlsx")
    run_file(path)
    rows = _rows(path).reset_index().set_index("Uw kolomkop")["row"]
    for header, name in (("Prijs/st", "unit_price"), ("Contact", "email"),
                         ("Nummer GSM", "phone"), ("Datum", "order_date")):
        _set(path, rows[header], name)
    before = _rows(path)
    assert _revenue(path) == [25.0, 12.0]  # 2 x 12.50, 4 x 3.00
    assert read_workbook(path).mapping["customers"] == {"Contact": "email",
                                                        "Nummer GSM": "phone"}
    update_cells(path, "Bestellingen", pd.DataFrame({"row": [2], "column": ["Korting"],
                                                     "value": ["5%"]}))
    run_file(path)
    after = _rows(path)
    pd.testing.assert_frame_equal(after.iloc[:-1], before)  # unit_price stays unit_price
    assert after.iloc[-1].tolist()[:2] == ["Bestellingen", "Korting"]
    assert _offered(path, TAB)[-1] == "negeren"  # the list beside the rows is the new one


@pytest.mark.parametrize("kind", MAPPED_SHEETS)
def test_every_label_in_any_case_and_spacing_names_its_field(kind: str) -> None:
    for name in KINDS[kind]:
        for label in (name, *FIELD_LABELS[name]):
            for typed in (label, label.upper(), f"  {label.lower()} ", label.replace(" ", "  ")):
                assert field_named(kind, typed) == name, (kind, typed)
    assert {field_named(kind, w) for w in ("ignore", "Ignorer", "NEGEREN")} == {""}
    assert field_named(kind, "Prix au kilo") is None


def test_labels_are_one_per_field_and_headers_of_that_field() -> None:
    """No two fields of a sheet share a label in any language, and each label is a header
    the alias table gives its field: a column headed by the label that Validation suggests
    is that field."""
    for kind in MAPPED_SHEETS:
        owner: dict[str, str] = {}
        for name in KINDS[kind]:
            for label in (name, *FIELD_LABELS[name]):
                assert owner.setdefault(fold(label), name) == name, (kind, label)
                assert canonical_columns(kind, [label]).get(label) == name, (kind, label)


def test_the_toml_table_takes_labels_too() -> None:
    mapping = mapping_from_table({"Bestellingen": {"Prijs/st": "Prix unitaire",
                                                   "Korting": "negeren"},
                                  "customers": {"Contact": "E-mail", "GSM": "phone"}})
    assert mapping == {"orders": {"Prijs/st": "unit_price", "Korting": ""},
                       "customers": {"Contact": "email", "GSM": "phone"}}
    with pytest.raises(ValueError, match="'Prix au kilo' is not a field of the orders"):
        mapping_from_table({"orders": {"Prijs/st": "Prix au kilo"}})


def test_the_open_workbook_in_excel_reads_the_same_columns_sheet() -> None:
    grids = {"Klanten": [["Groothandel — klanten"], ["Klantnummer", "Naam"], ["K1", "Jansen"]],
             "Bestellingen": [["Klantnummer", "Datum", "Aantal", "Prijs/st"],
                              ["K1", "10-01-2026", 2, "12,50"]],
             "Kolommen": [["Blad", "Uw kolomkop", "Veld"],
                          ["Bestellingen", "Prijs/st", "Stukprijs"],
                          ["Bestellingen", "Korting", "unit_cost"]]}
    data = data_from_grids(Path("open.xlsx"), grids)
    assert data.mapping == {"customers": {}, "orders": {"Prijs/st": "unit_price",
                                                        "Korting": "unit_cost"}}
    assert data.customers.index.tolist() == [3]  # under the title row
    problems = data.validation.to_frame()
    assert problems[["sheet", "row", "message"]].values.tolist() == [
        ["Kolommen", 3, "sheet Bestellingen has no column 'Korting'"]]
