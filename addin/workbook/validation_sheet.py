"""The Validation sheet: each problem of the input once, in the workbook's language, with the
column named as the user named it and a link to the bad cell."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from addin.core.analysis import Analysis
from addin.core.labels import language_index
from addin.core.messages import translate_all
from addin.workbook.a1 import column_letter, quote_sheet
from addin.workbook.result_words import SEVERITY, VALIDATION_HEADERS, word


def validation_frame(analysis: Analysis, language: str) -> tuple[pd.DataFrame, pa.Array]:
    """The problems as shown (each once, in the workbook's language, columns named as the user
    named them) and, for each, where the bad cell is (``'Customers'!N8``) for its link."""
    i = language_index(language)
    frame = analysis.validation.drop_duplicates().reset_index(drop=True)
    if frame.empty:
        empty = pd.DataFrame({v[i]: pd.Series([], dtype=object)
                              for v in VALIDATION_HEADERS.values()})
        empty.loc[0, VALIDATION_HEADERS["message"][i]] = word("no_problems", language)
        return empty, pa.array([None], type=pa.string())
    where = analysis.columns
    sheets = frame["sheet"].astype(str).astype(object)
    columns = frame["column"].astype(object).where(frame["column"].notna(), None)
    found = [where.get(s, {}).get(str(c)) if c is not None else None
             for s, c in zip(sheets, columns, strict=True)]
    shown = [f[0] if f else c for f, c in zip(found, columns, strict=True)]
    letters = pd.Series([column_letter(f[1]) if f else None for f in found], dtype=object)
    rows = frame["row"].astype("Int64").astype(object).where(frame["row"].notna(), None)
    text_rows = rows.map(lambda r: None if r is None else str(r)).astype(object)
    has_row, has_column = text_rows.notna(), letters.notna()
    reference = pd.Series("A1", index=frame.index, dtype=object)
    both, row_only, column_only = has_row & has_column, has_row & ~has_column, \
        ~has_row & has_column
    reference[both] = letters[both] + text_rows[both]
    reference[row_only] = text_rows[row_only] + ":" + text_rows[row_only]
    reference[column_only] = letters[column_only] + ":" + letters[column_only]
    cell = sheets + "!" + reference
    cell[~has_row & ~has_column] = sheets[~has_row & ~has_column]
    location = sheets.map(quote_sheet) + "!" + reference
    out = pd.DataFrame({
        "sheet": sheets, "row": rows, "column": pd.Series(shown, dtype=object), "cell": cell,
        "value": frame["value"],
        "severity": frame["severity"].map({k: v[i] for k, v in SEVERITY.items()}).fillna(
            frame["severity"]),
        "message": translate_all(frame["message"], language).to_numpy(dtype=object),
    })
    out = out.rename(columns={k: v[i] for k, v in VALIDATION_HEADERS.items()})
    return out, pa.array(location.to_numpy(dtype=object), type=pa.string())
