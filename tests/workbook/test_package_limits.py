"""Limits Excel enforces on a sheet that potentiel must stay under."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa

from addin.workbook.sheetxml import MAX_HYPERLINKS, Links, Styles, worksheet


def test_a_sheet_keeps_at_most_excels_number_of_hyperlinks() -> None:
    rows = MAX_HYPERLINKS * 3 // 2 + 30  # more linked rows than Excel keeps
    # Every third row has no link: the first 65,530 rows that have one keep it.
    locations = pa.array([None if i % 3 == 2 else f"'Customers'!A{i + 2}" for i in range(rows)])
    frame = pd.DataFrame({"cell": [f"A{i + 2}" for i in range(rows)]})
    xml = b"".join(worksheet(frame, Styles(5, 6, 7, 8, 9), links=Links(0, locations))())
    refs = re.findall(rb'<hyperlink ref="A(\d+)"', xml)
    assert len(refs) == MAX_HYPERLINKS == 65_530
    linked = [i for i in range(rows) if i % 3 != 2][:MAX_HYPERLINKS]
    assert [int(r) for r in refs] == [i + 2 for i in linked]  # header on row 1
    fewer = b"".join(worksheet(frame.head(5), Styles(5, 6, 7, 8, 9),
                               links=Links(0, locations[:5]))())
    assert re.findall(rb'<hyperlink ref="A(\d+)"', fewer) == [b"2", b"3", b"5", b"6"]
