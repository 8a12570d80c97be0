"""Real workbooks for the workbook I/O tests, written with XlsxWriter (an independent writer),
and a part-by-part comparison of two packages."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter

from addin.template_maker.vbaproject import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    build_vba_project,
    document_module,
)
from addin.template_maker.vbaproject import standard_module as module

INJECTIONS = ("=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
              "=cmd|' /C calc'!A0", "\tTAB", "01000")

#: The sheet selected when the workbook was saved (XlsxWriter: the first): it loses its
#: ``tabSelected`` so that the workbook opens on the Dashboard alone.
SELECTED = "xl/worksheets/sheet1.xml"
#: Parts write_results may change; every other part must keep its bytes.
EDITABLE = frozenset({"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                      "docProps/app.xml",  # its list of tab names follows the tabs
                      "xl/styles.xml", SELECTED})


def vba_project() -> bytes:
    """A small but real vbaProject.bin: ThisWorkbook, four sheets and a module with a Sub."""
    modules = [document_module("ThisWorkbook", WORKBOOK_BASE),
               *(document_module(f"Sheet{i}", WORKSHEET_BASE) for i in range(1, 5)),
               module('Attribute VB_Name = "Hello"\nSub SayHello()\n    MsgBox "hi"\nEnd Sub\n')]
    return build_vba_project(modules, name="VBAProject", project_id="{00000000-0000-0000-0000-"
                             "000000000001}")


def customer_workbook(path: Path, *, customers: int = 30, macro: bool = False,
                      segments: tuple[str, ...] = ("Hot", "Big spenders")) -> Path:
    """A customer workbook as users make them: styles, formulas, a comment, a chart, defined
    names, a data validation, an extra sheet of the user's, and (.xlsm) VBA with a button."""
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "bg_color": "#FFEEAA", "border": 1})
    money = book.add_format({"num_format": "#,##0.00 €"})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    if macro:
        book.set_vba_name("ThisWorkbook")
        book.add_vba_project(io.BytesIO(vba_project()), is_stream=True)
    sheet = book.add_worksheet("Clients")
    headers = ["id client", "nom", "email", "pays", "budget", "décideur", "status", "notes"]
    sheet.write_row(0, 0, headers, bold)
    for i in range(customers):
        row = i + 1
        sheet.write_string(row, 0, f"C{i:03d}")
        sheet.write_string(row, 1, INJECTIONS[i % len(INJECTIONS)] if i < 7 else f"Name {i}")
        sheet.write_string(row, 2, f"c{i}@example.com")
        sheet.write_string(row, 3, ("FR", "BE", "NL")[i % 3])
        sheet.write_number(row, 4, 1000 + 250 * i, money)
        sheet.write_string(row, 5, ("oui", "non")[i % 2])
    sheet.write_comment("A1", "Customer key: never reuse one.")
    sheet.data_validation(1, 5, customers, 5, {"validate": "list", "source": ["oui", "non"]})
    sheet.set_column(0, 0, 14)
    sheet.freeze_panes(1, 0)
    orders = book.add_worksheet("Commandes")
    orders.write_row(0, 0, ["n commande", "id client", "date commande", "montant", "coût"], bold)
    start = datetime(2025, 1, 3)
    n = 0
    for i in range(0, customers, 2):
        for k in range(1 + i % 4):
            n += 1
            orders.write_string(n, 0, f"O{n:04d}")
            orders.write_string(n, 1, f"C{i:03d}")
            orders.write_datetime(n, 2, start + timedelta(days=37 * k + i), date)
            orders.write_number(n, 3, 120.5 + 10 * k + i, money)
            orders.write_number(n, 4, 60 + i, money)
    orders.write_formula(n + 2, 3, f"=SUM(D2:D{n + 1})", money)
    rules = book.add_worksheet("Segments")
    rules.write_row(0, 0, ["segment", "field", "operator", "value"], bold)
    rows = [(segments[0], "orders", ">=", "2")] if segments else []
    if len(segments) > 1:
        rows.append((segments[1], "revenue", ">", "300"))
    for row, rule in enumerate(rows, start=1):
        rules.write_row(row, 0, rule)
    notes = book.add_worksheet("My notes")
    notes.write_string(0, 0, "Total budget")
    notes.write_formula(0, 1, f"=SUM(Clients!E2:E{customers + 1})", money)
    chart = book.add_chart({"type": "column"})
    chart.add_series({"categories": f"=Clients!$A$2:$A${min(customers, 10) + 1}",
                      "values": f"=Clients!$E$2:$E${min(customers, 10) + 1}"})
    notes.insert_chart("D2", chart)
    if macro:
        notes.insert_button("B4", {"macro": "SayHello", "caption": "Hello"})
    book.define_name("Budgets", f"=Clients!$E$2:$E${customers + 1}")
    book.define_name("'My notes'!Local", "='My notes'!$B$1")
    book.close()
    return path


def parts(path: Path) -> dict[str, bytes]:
    """Every zip member of a package, by name."""
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def changed_parts(before: Path, after: Path) -> list[str]:
    """Members of ``before`` that are missing from ``after`` or have other bytes."""
    old, new = parts(before), parts(after)
    return sorted(name for name, data in old.items() if new.get(name) != data)


def elements(xml: bytes, local: str) -> list[str]:
    """The ``local`` elements of an XML part, as text, in document order."""
    pattern = rf"<(?:\w+:)?{local}\b(?:[^>]*/>|.*?</(?:\w+:)?{local}>)"
    return re.findall(pattern, xml.decode("utf-8"), re.DOTALL)


def entries(path: Path) -> dict[str, tuple[int, int, int, tuple[int, ...]]]:
    """Each member's CRC, compressed size, compression and date: equal entries mean the
    compressed bytes were copied as they were."""
    with zipfile.ZipFile(path) as package:
        return {i.filename: (i.CRC, i.compress_size, i.compress_type, i.date_time)
                for i in package.infolist()}
