"""Writing result sheets into real workbooks: what potentiel did not write keeps its bytes.

Workbooks are made by XlsxWriter (styles, formulas, a comment, a chart, defined names, data
validation, VBA and a form-control button), results are written by potentiel, and the packages
are compared part by part; openpyxl, an independent reader, reads the values back.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook
from workbooks import (
    EDITABLE,
    INJECTIONS,
    SELECTED,
    changed_parts,
    customer_workbook,
    elements,
    entries,
    parts,
)

from addin.core.analysis import Analysis, run_analysis
from addin.core.labels import header
from addin.errors import WorkbookError, WorkbookLockedError
from addin.workbook.dashboard import pareto_points
from addin.workbook.owned_sheets import sheet_name
from addin.workbook.reader import read_workbook
from addin.workbook.references import app_titles
from addin.workbook.results import replace_sheet, result_tables, write_results
from addin.workbook.sheetxml import Styles, column_cells, ensure_styles, worksheet
from addin.workbook.zip_parts import OwnSheet, Package

AS_OF = "2026-06-30"
FILES = Path(__file__).resolve().parents[1] / "files"


def analyse(path: Path) -> Analysis:
    data = read_workbook(path)
    return run_analysis(data.customers, data.orders, segments=data.segments, as_of=AS_OF,
                        settings=data.settings, sheet_names=data.sheet_names,
                        problems=data.validation)


@pytest.fixture(params=["xlsx", "xlsm"])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return customer_workbook(tmp_path / f"customers.{request.param}",
                             macro=request.param == "xlsm")


def test_every_part_potentiel_did_not_write_keeps_its_bytes(book: Path, tmp_path: Path) -> None:
    out = write_results(book, analyse(book), out=tmp_path / f"out{book.suffix}")
    changed = changed_parts(book, out)
    assert set(changed) <= EDITABLE, changed
    before, after = entries(book), entries(out)
    assert all(after[name] == entry for name, entry in before.items() if name not in EDITABLE)
    if book.suffix == ".xlsm":
        names = parts(out)
        assert "xl/vbaProject.bin" in names
        assert any(n.startswith("xl/drawings/vmlDrawing") for n in names)  # the button


def test_the_selected_sheet_only_loses_its_selection(book: Path, tmp_path: Path) -> None:
    out = write_results(book, analyse(book), out=tmp_path / f"out{book.suffix}")
    before, after = parts(book)[SELECTED].decode(), parts(out)[SELECTED].decode()
    assert 'tabSelected="1"' in before
    assert after == before.replace(' tabSelected="1"', "", 1)
    selected = [name for name, data in parts(out).items() if b'tabSelected="1"' in data]
    assert selected == ["xl/worksheets/sheet5.xml"]  # the Dashboard, alone
    again = write_results(out, analyse(book), out=tmp_path / f"again{book.suffix}")
    assert parts(again)[SELECTED] == parts(out)[SELECTED]


def test_edited_parts_only_gain_potentiel_entries(book: Path, tmp_path: Path) -> None:
    out = write_results(book, analyse(book), out=tmp_path / f"out{book.suffix}")
    old, new = parts(book), parts(out)
    # Existing cell formats keep their index: the old lists are prefixes of the new ones.
    for local in ("xf", "font", "numFmt", "fill", "border"):
        before, after = elements(old["xl/styles.xml"], local), elements(new["xl/styles.xml"],
                                                                         local)
        assert after[: len(before)] == before
    for part, local in (("[Content_Types].xml", "Override"), ("[Content_Types].xml", "Default"),
                        ("xl/_rels/workbook.xml.rels", "Relationship")):
        assert set(elements(old[part], local)) <= set(elements(new[part], local))
    workbook = new["xl/workbook.xml"].decode()
    stripped = re.sub(r'<sheet name="[^"]*" sheetId="(?:[5-9]|\d\d)"(?: state="hidden")? '
                      r'r:id="rId\d+"/>', "", workbook)
    stripped = re.sub(r'<definedName name="_potentiel\.[^"]*" hidden="1">[^<]*</definedName>', "",
                      stripped)
    stripped = re.sub(r'<definedName name="_xlnm\.Print_Titles" localSheetId="\d+">[^<]*'
                      r"</definedName>", "", stripped)
    stripped = stripped.replace(' activeTab="4"', "")  # the workbook opens on the Dashboard
    assert stripped == old["xl/workbook.xml"].decode()


def test_values_read_back_by_an_independent_reader(book: Path, tmp_path: Path) -> None:
    analysis = analyse(book)
    out = write_results(book, analysis, out=tmp_path / f"out{book.suffix}")
    sheets = openpyxl.load_workbook(out)
    assert sheets.sheetnames == ["Clients", "Commandes", "Segments", "My notes", "Dashboard",
                                 "Analysis", "Hot", "Big spenders", "Validation",
                                 "Dashboard data"]
    assert sheets["Dashboard data"].sheet_state == "hidden"
    table = analysis.table
    rows = list(sheets["Analysis"].iter_rows(values_only=True))
    assert list(rows[0]) == [header(c, "en") for c in table.columns]
    assert len(rows) == len(table) + 1
    got = pd.DataFrame(rows[1:], columns=list(table.columns))
    assert got["customer_id"].tolist() == table["customer_id"].tolist()
    assert got["name"].tolist() == table["name"].tolist()
    assert got["orders"].fillna(0).tolist() == table["orders"].fillna(0).tolist()
    assert got["revenue"].tolist() == pytest.approx(table["revenue"].tolist(), nan_ok=True)
    dated = table["first_order"].notna()
    assert (pd.to_datetime(got["first_order"][dated]).tolist()
            == table["first_order"][dated].tolist())
    column = list(table.columns).index("first_order")
    assert all(rows[1 + i][column] is None for i in (~dated).to_numpy().nonzero()[0])
    hot = list(sheets["Hot"].iter_rows(values_only=True))
    assert len(hot) == len(analysis.segments["Hot"]) + 1
    validation = list(sheets["Validation"].iter_rows(values_only=True))
    assert validation[0] == ("Sheet", "Row", "Column", "Cell", "Value", "Severity", "Message")
    assert len(validation) == len(analysis.validation.drop_duplicates()) + 1


def test_injection_payloads_stay_text(book: Path, tmp_path: Path) -> None:
    analysis = analyse(book)
    out = write_results(book, analysis, out=tmp_path / f"out{book.suffix}")
    sheet = openpyxl.load_workbook(out)["Analysis"]
    assert [c.value for c in sheet["B"][1:]] == analysis.table["name"].tolist()
    assert {c.data_type for c in sheet["B"][1:]} == {"s"}
    assert set(INJECTIONS) - {"\tTAB"} <= {c.value for c in sheet["B"]}
    xml = parts(out)["xl/worksheets/sheet6.xml"].decode()
    assert "<f>" not in xml


def test_a_second_run_gives_the_same_package(book: Path, tmp_path: Path) -> None:
    analysis = analyse(book)
    first = write_results(book, analysis, out=tmp_path / f"first{book.suffix}")
    second = write_results(first, analysis, out=tmp_path / f"second{book.suffix}")
    assert first.read_bytes() == second.read_bytes()


def test_rerun_replaces_own_sheets_in_place_and_drops_vanished_segments(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    write_results(book, analyse(book))
    fewer = customer_workbook(tmp_path / "rules.xlsx", segments=("Hot",))
    write_results(book, analyse(fewer))
    sheets = openpyxl.load_workbook(book).sheetnames
    assert sheets == ["Clients", "Commandes", "Segments", "My notes", "Dashboard", "Analysis",
                      "Hot", "Validation", "Dashboard data"]
    names = parts(book)
    charts = [n for n in names if n.startswith("xl/charts/")]
    assert len(charts) == 5  # the user's chart and the four of the Dashboard
    sheets_parts = [n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]
    assert len(sheets_parts) == 9
    tables = [n for n in names if re.fullmatch(r"xl/tables/table\d+\.xml", n)]
    assert len(tables) == 3  # Analysis, Hot, Validation


def test_a_users_sheet_with_a_result_name_is_never_touched(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    renamed = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(renamed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":  # the user calls a sheet "analysis"
                data = data.replace(b'name="My notes"', b'name="analysis"')
                data = data.replace(b"'My notes'!", b"analysis!")
            target.writestr(info, data)
    before = tmp_path / "before.xlsx"
    shutil.copy(renamed, before)
    for _ in range(2):
        write_results(renamed, analyse(book))
        sheets = openpyxl.load_workbook(renamed)
        assert sheets.sheetnames[3:6] == ["analysis", "Dashboard", "Analysis (2)"]
        assert sheets["analysis"]["A1"].value == "Total budget"
        assert set(changed_parts(before, renamed)) <= EDITABLE


def test_french_workbook_gets_french_sheet_names(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    analysis = analyse(book)
    french = replace(analysis, settings=replace(analysis.settings, language="fr"))
    write_results(book, french)
    sheets = openpyxl.load_workbook(book)
    assert {"Tableau de bord", "Analyse", "Validation"} <= set(sheets.sheetnames)
    assert sheets["Analyse"]["A1"].value == "N° client"
    # Back to English: the French sheets are potentiel's, they are renamed, not duplicated.
    write_results(book, analysis)
    assert openpyxl.load_workbook(book).sheetnames[4:6] == ["Dashboard", "Analysis"]


def test_dashboard_has_native_charts_on_its_own_cells(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    out = write_results(book, analyse(book), out=tmp_path / "out.xlsx")
    names = parts(out)
    dashboard = [n for n, d in names.items() if n.startswith("xl/charts/")
                 and b"'Dashboard data'!" in d]
    assert len(dashboard) == 4
    kinds = sorted(re.search(rb"<c:(\w+Chart)>", names[n]).group(1) for n in dashboard)
    assert kinds == [b"barChart", b"barChart", b"barChart", b"scatterChart"]
    sheet = openpyxl.load_workbook(out)["Dashboard"]
    assert sheet["A1"].value == "Customer dashboard"
    assert sheet["A4"].value == "Customers"


def test_libreoffice_opens_the_result_and_finds_the_charts(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsm", macro=True)
    write_results(book, analyse(book))
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is needed: apt-get install -y libreoffice-calc"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "ods", "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "book.ods") as ods:
        content = ods.read("content.xml").decode()
        objects = [n for n in ods.namelist() if re.fullmatch(r"Object \d+/content.xml", n)]
        charts = [ods.read(n).decode() for n in objects]
    assert 'table:name="Dashboard"' in content and 'table:name="Analysis"' in content
    assert sum("chart:class=\"chart:bar\"" in c for c in charts) == 4  # 3 on Dashboard + user's
    assert sum("chart:class=\"chart:scatter\"" in c for c in charts) == 1


def test_pareto_curve_is_cumulative_share_best_first() -> None:
    shares, cumulative = pareto_points(pd.Series([10.0, 30.0, None, 60.0]))
    assert shares.tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert cumulative.tolist() == pytest.approx([0, 0.6, 0.9, 1.0])
    shares, cumulative = pareto_points(pd.Series(range(1, 1001), dtype=float))
    assert len(shares) == 51 and cumulative[-1] == pytest.approx(1.0)
    assert pareto_points(pd.Series([0.0, None]))[0].size == 0


@pytest.mark.parametrize(("typed", "tab"), [("Hot: [new]?", "Hot   new"), ("'Quoted'", "Quoted"),
                                            ("x" * 40, "x" * 31), ("***", "Segment")])
def test_segment_names_become_valid_tab_names(typed: str, tab: str) -> None:
    assert sheet_name(typed) == tab


def test_text_dates_numbers_and_blanks_are_written_as_what_they_are(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    frame = pd.DataFrame({
        "text": ["=1+1", "a & b < c", "  padded ", "line\nbreak", "ctrl\x01char", "_x0041_",
                 None],
        "number": [1.5, 0.1, 1e20, float("nan"), -3, 2**40, float("inf")],
        "date": pd.to_datetime(["2026-01-31", None, "1999-12-31T12:00", "2026-06-30",
                                "1900-03-01", "2026-01-01", None], format="ISO8601"),
        "mixed": ["007", 7, pd.Timestamp("2026-02-03"), True, None, 2.5, "x"],
    })
    replace_sheet(book, "Check", frame)
    sheet = openpyxl.load_workbook(book)["Check"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert all(c.data_type == "s" for c in sheet["A"][1:7])
    # openpyxl does not decode Excel's _xHHHH_ escapes in inline strings; calamine does, as Excel.
    text = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Check").to_python()
    assert [r[0] for r in text[1:]] == ["=1+1", "a & b < c", "  padded ", "line\nbreak",
                                        "ctrl\x01char", "_x0041_", ""]
    assert [r[1] for r in rows] == [1.5, 0.1, 1e20, None, -3, 2**40, None]
    assert [r[2] for r in rows][:3] == [pd.Timestamp("2026-01-31"), None,
                                        pd.Timestamp("1999-12-31 12:00")]
    # Excel's built-in short date (14, which openpyxl names mm-dd-yy): it follows the
    # reader's locale, as a sheet whose language is not known should.
    assert sheet["C2"].number_format == "mm-dd-yy"
    assert [r[3] for r in rows] == ["007", 7, pd.Timestamp("2026-02-03"), True, None, 2.5, "x"]


def test_replace_sheet_replaces_its_own_sheet_only(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    replace_sheet(book, "Conflicts", pd.DataFrame({"customer_id": ["C001"], "excel": ["a"]}))
    replace_sheet(book, "Conflicts", pd.DataFrame({"customer_id": ["C002"], "excel": ["b"]}))
    write_results(book, analyse(book))
    sheets = openpyxl.load_workbook(book)
    assert sheets.sheetnames.count("Conflicts") == 1
    assert list(sheets["Conflicts"].values) == [("customer_id", "excel"), ("C002", "b")]
    replace_sheet(book, "Clients", pd.DataFrame({"x": [1]}))
    sheets = openpyxl.load_workbook(book)
    assert sheets["Clients"]["A1"].value == "id client"
    assert sheets["Clients (2)"]["A2"].value == 1


def test_a_failure_while_writing_leaves_the_workbook_untouched(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    before = book.read_bytes()

    def broken() -> list[bytes]:
        raise RuntimeError("disk full halfway")

    with Package(book) as package:
        ensure_styles(package)
        package.install([OwnSheet("analysis", "Analysis", broken)], drop=lambda _: True)
        with pytest.raises(RuntimeError):
            package.save()
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_missing_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    with pytest.raises(WorkbookError, match="Cannot write in the folder") as err:
        write_results(book, analyse(book), out=tmp_path / "nowhere" / "out.xlsx")
    assert err.value.hint


@pytest.mark.parametrize("owner", ["~$book.xlsx", ".~lock.book.xlsx#"])
def test_workbook_open_in_excel_is_refused(tmp_path: Path, owner: str) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    analysis = analyse(book)
    before = book.read_bytes()
    (tmp_path / owner).write_bytes(b"owner")
    with pytest.raises(WorkbookLockedError, match=r"book\.xlsx is open") as err:
        write_results(book, analysis)
    assert f"owner file {owner}" in str(err.value) and "delete that file" in str(err.value)
    assert "Close the workbook" in str(err.value)
    assert book.read_bytes() == before


def test_lock_message_names_the_owner_and_since_when(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    owner = tmp_path / ".~lock.book.xlsx#"
    owner.write_text("Marie Dupont,marie,host,03.12.2026 09:15,file:///home/marie/.config;\n")
    os.utime(owner, (1_780_000_000, 1_780_000_000))
    with pytest.raises(WorkbookLockedError, match="is open by Marie Dupont since 2026-") as err:
        write_results(book, analyse(book))
    assert "if nobody has it open" in str(err.value)


def test_a_copy_may_be_written_beside_an_open_workbook(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    before = book.read_bytes()
    (tmp_path / ".~lock.book.xlsx#").write_text("Marie,marie,host,today;")
    out = write_results(book, analyse(book), out=tmp_path / "copy.xlsx")
    assert out.exists() and book.read_bytes() == before
    (tmp_path / "~$copy.xlsx").write_bytes(b"\x04Paul" + b" " * 50)
    with pytest.raises(WorkbookLockedError, match=r"copy\.xlsx is open by Paul"):
        write_results(book, analyse(book), out=tmp_path / "copy.xlsx")


def test_workbook_changed_by_someone_else_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    with Package(book) as package:
        styles = ensure_styles(package)
        package.install([OwnSheet("analysis", "Analysis",
                                  worksheet(pd.DataFrame({"a": [1]}), styles))],
                        drop=lambda _: True)
        book.write_bytes(book.read_bytes() + b"")
        os.utime(book, ns=(1, 1))
        with pytest.raises(WorkbookLockedError, match="changed by another program"):
            package.save()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_dropping_a_sheet_keeps_sheet_scoped_names_and_active_tab_on_their_sheets(
        tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    write_results(book, analyse(book))
    with Package(book) as package:  # the user prints the Validation sheet (tab 8) and looks at it
        xml = package.text("xl/workbook.xml")
        xml = re.sub(r' activeTab="\d+"', "", xml).replace("<workbookView ",
                                                              '<workbookView activeTab="8" ')
        xml = xml.replace("</definedNames>", '<definedName name="_xlnm.Print_Area" '
                          "localSheetId=\"8\">'Validation'!$A$1:$F$9</definedName></definedNames>")
        package.set_text("xl/workbook.xml", xml)
        package.save()
    write_results(book, analyse(customer_workbook(tmp_path / "one.xlsx", segments=("Hot",))),
                  parts=frozenset({"segments", "validation"}))  # Build segment sheets
    workbook = parts(book)["xl/workbook.xml"].decode()
    assert "<definedName name=\"_xlnm.Print_Area\" localSheetId=\"7\">'Validation'!" in workbook
    assert 'activeTab="7"' in workbook
    assert "localSheetId=\"3\">'My notes'!$B$1" in workbook
    assert openpyxl.load_workbook(book).sheetnames[7] == "Validation"


def test_a_result_sheet_deleted_by_the_user_comes_back(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    write_results(book, analyse(book))
    with Package(book) as package:  # what Excel does when the user deletes the Analysis tab
        analysis = next(s for s in package.sheets() if s.name == "Analysis")
        rel = next(r for r in package.relationships("xl/workbook.xml") if r.id == analysis.rid)
        package.remove_relationship("xl/workbook.xml", rel)
        assert analysis.part is not None
        package.remove(analysis.part)
        xml = package.text("xl/workbook.xml").replace(analysis.element, "")
        for name in package.defined_names():  # Excel drops the names scoped to the sheet
            if name.local_sheet == analysis.position:
                xml = xml.replace(name.element, "")
        package.set_text("xl/workbook.xml", xml.replace("'Analysis'!$A$1", "#REF!$A$1"))
        titles = app_titles(package.read("docProps/app.xml"),
                            [s.name for s in package.sheets() if s.name != "Analysis"])
        assert titles is not None
        package.put("docProps/app.xml", titles)
        package.save()
    assert "Analysis" not in openpyxl.load_workbook(book).sheetnames
    write_results(book, analyse(book))
    assert openpyxl.load_workbook(book).sheetnames.count("Analysis") == 1
    workbook = parts(book)["xl/workbook.xml"].decode()
    assert "#REF!" not in workbook and workbook.count('name="_potentiel.analysis"') == 1


def test_writing_some_parts_leaves_the_other_result_sheets_alone(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    write_results(book, analyse(book))
    before = parts(book)
    fewer = analyse(customer_workbook(tmp_path / "one.xlsx", segments=("Hot",)))
    write_results(book, fewer, parts=frozenset({"validation"}))
    after = parts(book)
    assert openpyxl.load_workbook(book).sheetnames[4:] == ["Dashboard", "Analysis", "Hot",
                                                           "Big spenders", "Validation",
                                                           "Dashboard data"]
    kept = [n for n in before if n.startswith(("xl/worksheets/", "xl/charts/", "xl/drawings/"))
            and n != "xl/worksheets/sheet9.xml"]
    assert all(after[n] == before[n] for n in kept)


def test_result_tables_are_what_the_sheets_show() -> None:
    analysis = run_analysis(pd.DataFrame({"customer_id": ["C1", "C2"]}),
                            segments=pd.DataFrame({"segment": ["All"], "field": ["customer_id"],
                                                   "operator": ["not_empty"], "value": [None]}),
                            settings={"language": "nl"}, as_of=AS_OF)
    tables = result_tables(analysis)
    assert [(t.part, t.name) for t in tables] == [("analysis", "Analyse"), ("segments", "All"),
                                                  ("validation", "Validatie")]
    assert tables[0].frame.columns[0] == "Klantnummer"
    assert tables[0].frame["Klanttype"].tolist() == ["prospect", "prospect"]
    assert [t.part for t in result_tables(analysis, frozenset({"validation"}))] == ["validation"]


def test_small_parts_have_plain_zip_headers(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsx")
    out = write_results(book, analyse(book), out=tmp_path / "out.xlsx")
    with zipfile.ZipFile(out) as package, out.open("rb") as raw:
        for info in package.infolist():
            raw.seek(info.header_offset + 28)
            assert raw.read(2) == b"\0\0", f"{info.filename} has extra fields (zip64)"


def test_prefixed_xml_and_extensions_are_kept_as_written(tmp_path: Path) -> None:
    # Workbooks written by the Open XML SDK use prefixes (x:sheet) and Excel adds mc:Ignorable
    # and extLst: an XML library that re-serialises would rename them and break the file.
    book = customer_workbook(tmp_path / "book.xlsx")
    prefixed = tmp_path / "prefixed.xlsx"
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    ext = ('<x:extLst><x:ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" xmlns:x15="http://'
           'schemas.microsoft.com/office/spreadsheetml/2010/11/main"><x15:workbookPr '
           'chartTrackingRefBase="1"/></x:ext></x:extLst>')
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(prefixed, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                text = re.sub(r"<(/?)(\w)", r"<\1x:\2", data.decode()).replace("<x:?xml", "<?xml")
                text = text.replace(f'xmlns="{main}"', f'xmlns:x="{main}" xmlns:mc="http://'
                                    'schemas.openxmlformats.org/markup-compatibility/2006" '
                                    'xmlns:x15="http://schemas.microsoft.com/office/'
                                    'spreadsheetml/2010/11/main" mc:Ignorable="x15"')
                data = text.replace("</x:workbook>", ext + "</x:workbook>").encode()
            target.writestr(info, data)
    write_results(prefixed, analyse(prefixed))
    workbook = parts(prefixed)["xl/workbook.xml"].decode()
    assert '<x:sheet name="Analysis" sheetId="6" r:id="rId' in workbook
    assert "<x:definedName name=\"_potentiel.analysis\" hidden=\"1\">'Analysis'!$A$1" in workbook
    assert 'mc:Ignorable="x15"' in workbook and workbook.endswith(ext + "</x:workbook>")
    assert openpyxl.load_workbook(prefixed).sheetnames[4:6] == ["Dashboard", "Analysis"]


class _Unseekable(io.RawIOBase):
    """A write-only stream zipfile cannot seek in: it then writes data descriptors."""

    def __init__(self, target: io.BufferedWriter) -> None:
        self.target = target

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self.target.write(data)


def test_parts_with_data_descriptors_are_copied_faithfully(tmp_path: Path) -> None:
    book = customer_workbook(tmp_path / "book.xlsm", macro=True)
    streamed = tmp_path / "streamed.xlsm"
    with zipfile.ZipFile(book) as source, streamed.open("wb") as raw, \
            zipfile.ZipFile(_Unseekable(raw), "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    with zipfile.ZipFile(streamed) as package:
        assert all(info.flag_bits & 0x08 for info in package.infolist())
    out = write_results(streamed, analyse(streamed), out=tmp_path / "out.xlsm")
    assert set(changed_parts(streamed, out)) <= EDITABLE
    with zipfile.ZipFile(out) as package:
        assert package.testzip() is None
    assert openpyxl.load_workbook(out, keep_vba=True).sheetnames[-2] == "Validation"


def _xml_diff(expected: str, got: str) -> str:
    """An element-per-line diff, readable when a part differs."""
    def lines(xml: str) -> list[str]:
        return re.sub(r">\s*<", ">\n<", xml).splitlines()
    return "\n".join(difflib.unified_diff(lines(expected), lines(got), "expected", "got",
                                          lineterm=""))


def test_worksheet_part_matches_the_reference_file() -> None:
    frame = pd.DataFrame({
        "customer_id": ["C1", "007"], "name": ["=1+1", " Zoë & co "],
        "orders": pd.array([3, None], dtype="Int64"), "revenue": [1234.5, float("nan")],
        "first_order": pd.to_datetime(["2026-01-31", None]), "is_current": [True, False]})
    got = b"".join(worksheet(frame, Styles(5, 6, 7, 8, 9), formats={"revenue": 8})()).decode()
    expected = (FILES / "small_sheet.xml").read_text(encoding="utf-8")
    assert got == expected, _xml_diff(expected, got)


@pytest.mark.parametrize(("values", "cells"), [
    (pd.Series([1.0, None]), ['<c r="A2"><v>1</v></c>', ""]),
    (pd.Series(["x", ""]), ['<c r="A2" t="inlineStr"><is><t>x</t></is></c>', ""]),
    (pd.Series(["a<b>"]), ['<c r="A2" t="inlineStr"><is><t>a&lt;b&gt;</t></is></c>']),
    (pd.Series([pd.NaT, pd.Timestamp("1900-03-01")], dtype="datetime64[ns]"),
     ["", '<c r="A3" s="6"><v>61</v></c>']),
])
def test_one_column_of_cells(values: pd.Series, cells: list[str]) -> None:
    refs = pa.array([f"A{i}" for i in range(2, 2 + len(values))])
    got = column_cells(values, refs, None, Styles(5, 6, 7, 8, 9)).to_pylist()
    assert got == cells
