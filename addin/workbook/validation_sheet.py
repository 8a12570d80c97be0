"""The Validation sheet: each problem of the input once, in the workbook's language, with the
column named as the user named it and a link to the bad cell."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from addin.core.analysis import Analysis
from addin.core.columnmap import column_word
from addin.core.labels import language_index
from addin.core.messages import render
from addin.workbook.a1 import column_letter, quote_sheet
from addin.workbook.result_words import SEVERITY, VALIDATION_HEADERS, word

#: Rows a grouped line lists before "...".
LISTED_ROWS = 5


def grouped(problems: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """One line per repeated problem: the problems that differ only by their row and value
    (the same message key and parameters on the same sheet and column) folded into their first
    line, in order of first appearance.  Returns those lines, how many problems each stands
    for, and the first rows each lists (``5, 9, 12, 20, 31, ...``).  Where the values differ
    the line shows none.

    The grouping reads no message text (the English ``message`` differs with the value):
    records equal but for ``row``, ``value`` and ``message`` are one line.
    """
    frame = problems.drop_duplicates().reset_index(drop=True)
    keys = [c for c in frame.columns if c not in ("row", "value", "message")]
    group = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    count = pd.Series(group).value_counts().sort_index()
    first = pd.Series(frame.index).groupby(group).min()
    values = frame["value"].astype(object).where(frame["value"].notna(), None)
    same = values.groupby(group).nunique(dropna=False) <= 1
    rows = frame["row"].astype("Int64")
    listed = rows[pd.Series(group).groupby(group).cumcount() < LISTED_ROWS].dropna()
    texts = listed.astype(str).groupby(group[listed.index]).agg(", ".join)
    texts = texts.reindex(count.index)
    more = count.to_numpy() > LISTED_ROWS
    texts[more] = texts[more] + ", …"
    lines = frame.loc[first.to_numpy()].reset_index(drop=True)
    lines["value"] = lines["value"].where(same.to_numpy(), None)
    return lines, count.reset_index(drop=True), texts.reset_index(drop=True)


def validation_frame(analysis: Analysis, language: str) -> tuple[pd.DataFrame, pa.Array]:
    """The problems as shown (a repeated one once, with how many cells and which rows, in the
    workbook's language, columns named as the user named them) and, for each line, where the
    (first) bad cell is (``'Customers'!N8``) for its link."""
    i = language_index(language)
    frame, count, listed = grouped(analysis.validation)
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
    shown = [f[0] if f else None if c is None else column_word(str(c), language)
             for f, c in zip(found, columns, strict=True)]
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
        "message": _counted(render(_said(frame, count), language), count, listed,
                            language).to_numpy(dtype=object),
    })
    out = out.rename(columns={k: v[i] for k, v in VALIDATION_HEADERS.items()})
    return out, pa.array(location.to_numpy(dtype=object), type=pa.string())


def _said(frame: pd.DataFrame, count: pd.Series) -> pd.DataFrame:
    """Grouped lines as their message reads them: where the values differ, a message that
    quotes the value says ``…`` for it (each bad cell still shows its own)."""
    varied = (count.to_numpy() > 1) & frame["value"].isna().to_numpy()
    return frame.assign(value=frame["value"].astype(object).where(~varied, "…"))


def _counted(messages: pd.Series, count: pd.Series, listed: pd.Series, language: str,
             ) -> pd.Series:
    """Messages of grouped lines prefixed with how many cells and which rows:
    ``20 cells (rows 5, 9, 12, 20, 31, ...): Excel error value #N/A``."""
    many = (count > 1).to_numpy()
    if not many.any():
        return messages.reset_index(drop=True)
    out = messages.reset_index(drop=True).astype(object)
    with_rows = many & listed.notna().to_numpy()
    template = word("repeated", language)
    bare = word("repeated_no_rows", language)
    prefix = pd.Series([template.format(n=n, rows=r) if w else bare.format(n=n)
                        for n, r, w in zip(count, listed, with_rows, strict=True)],
                       dtype=object)
    out[many] = prefix[many] + out[many]
    return out
