"""User segments: rules typed in a Segments sheet, read as data and never run as code.

One row is one condition ``segment | field | operator | value``; the rows of a segment are ANDed.
Each condition is a vectorised comparison over a whole column.  A rule that cannot be understood
(unknown field or operator, a value of the wrong kind) is reported and makes its segment match
nobody: a segment silently broader than its author meant would publish the wrong list.

Value syntax: ``in`` / ``not_in`` take a list separated by commas or semicolons; ``between``
takes ``low..high`` (or ``low;high``), both ends included.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from addin.core.labels import canonical_value, output_column
from addin.core.messages import fail
from addin.core.parsing import fold_series, number_text, parse_bools, parse_dates, parse_numbers
from addin.core.schema import canonical_columns, fold
from addin.core.segmentation import RFM_MAP
from addin.core.validation import Validation, excel_rows
from addin.errors import InputError

OPERATORS: dict[str, str] = {
    "=": "=", "==": "=", "eq": "=", "equals": "=", "egal": "=", "gelijk": "=", "is": "=",
    "!=": "!=", "<>": "!=", "ne": "!=", "different": "!=", "ongelijk": "!=",
    "<": "<", ">": ">", "<=": "<=", ">=": ">=", "=<": "<=", "=>": ">=",
    "in": "in", "dans": "in", "parmi": "in",
    "not_in": "not_in", "not in": "not_in", "notin": "not_in", "pas dans": "not_in",
    "niet in": "not_in",
    "contains": "contains", "contient": "contains", "bevat": "contains",
    "between": "between", "entre": "between", "tussen": "between",
    "is_empty": "is_empty", "is empty": "is_empty", "empty": "is_empty", "vide": "is_empty",
    "leeg": "is_empty",
    "not_empty": "not_empty", "not empty": "not_empty", "is not empty": "not_empty",
    "non vide": "not_empty", "niet leeg": "not_empty",
}


class RuleError(InputError):
    """One condition of a segment cannot be understood."""


def _operator(text: object) -> str:
    """The operator a cell means.  A bare ``=`` typed in Excel becomes an empty formula, read
    back as 0, so a zero is ``=``; ``'=`` (Excel's way to type text) is ``=`` too."""
    if isinstance(text, int | float | np.number) and not isinstance(text, bool) and text == 0:
        return "="
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    key = re.sub(r"\s+", " ", plain.strip().lower()).replace("-", "_").lstrip("'")
    if key in ("0", "0.0"):
        return "="
    op = OPERATORS.get(key) or OPERATORS.get(key.replace("_", " "))
    if op is None:
        raise fail(RuleError, "rule.unknown_operator", operator=text)
    return op


def _field(text: object, table: pd.DataFrame) -> str:
    """The table column a rule's field names: exact, output header in any language, or alias."""
    folded = {fold(c): c for c in table.columns}
    name = folded.get(fold(text)) or output_column(text)
    if name is None:
        name = canonical_columns("customers", [text]).get(text)
    if name is None or name not in table.columns:
        raise fail(RuleError, "rule.unknown_field", field=text)
    return name


def _split(value: object) -> list[str]:
    return [v.strip() for v in re.split(r"[;,|]", str(value)) if v.strip()]


def _typed_values(column: pd.Series, name: str, values: list[object], language: str,
                  field: object) -> tuple[pd.Series, list[object]]:
    """Comparable forms of a column and of the rule's values, by the column's kind (``field``:
    the column as the rule names it, for a message)."""
    raw = pd.Series(values, dtype=object)
    if ptypes.is_bool_dtype(column.dtype):
        parser: Callable[[pd.Series], object] = parse_bools
        kind = "rule.not_yes_no"
    elif ptypes.is_numeric_dtype(column.dtype):
        parser, kind = parse_numbers, "rule.not_number"
    elif ptypes.is_datetime64_any_dtype(column.dtype):
        parser, kind = parse_dates, "rule.not_date"
    else:
        words = [fold(canonical_value(name, v, language)) for v in values]
        return fold_series(column), words
    # French and Dutch rules write 3.000 for 3000; an English (default) one says nothing.
    parsed = (parse_numbers(raw, language if language != "en" else None)
              if parser is parse_numbers else parser(raw))
    if parsed.values.isna().any():
        raise fail(RuleError, kind, given="; ".join(map(str, values)), field=field)
    if len(parsed.warnings):
        first = parsed.warnings.index[0]
        how = parsed.warnings.iloc[0].removeprefix("cell.read_")
        raise fail(RuleError, f"rule.ambiguous_{how}", given=raw[first],
                   number=number_text(parsed.values[first]))
    return column, list(parsed.values)


def condition(table: pd.DataFrame, field: object, operator: object, value: object,
              language: str = "en") -> pd.Series:
    """Boolean mask of the rows meeting one condition; raises RuleError if it makes no sense."""
    name, op = _field(field, table), _operator(operator)
    column = table[name]
    blank = column.isna()
    if column.dtype == object or ptypes.is_string_dtype(column.dtype):
        blank |= fold_series(column).fillna("") == ""
    if op == "is_empty":
        return blank
    if op == "not_empty":
        return ~blank
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value) == "":
        raise fail(RuleError, "rule.needs_value", operator=operator)
    if op in ("in", "not_in"):
        items = _split(value) if isinstance(value, str) else [value]
        left, right = _typed_values(column, name, items, language, field)
        hit = left.isin(right)
        return (hit if op == "in" else ~hit) & ~blank
    if op == "between":
        parts = (re.split(r"\.\.|;", value) if isinstance(value, str) else [value])
        if len(parts) != 2:
            raise fail(RuleError, "rule.between", given=value)
        left, (low, high) = _typed_values(column, name, [p.strip() for p in parts], language,
                                          field)
        return (left >= low) & (left <= high) & ~blank
    left, (right,) = _typed_values(column, name, [value], language, field)
    if op == "contains":
        return left.astype(str).str.contains(str(right), regex=False) & ~blank
    if op in ("<", "<=", ">", ">=") and left.dtype == object:
        raise fail(RuleError, "rule.text_order", field=field, operator=operator)
    compare = {"=": left.eq, "!=": left.ne, "<": left.lt, "<=": left.le, ">": left.gt,
               ">=": left.ge}[op]
    result = compare(right).fillna(False).astype(bool)
    return result & ~blank if op != "!=" else result | blank


def evaluate(rules: pd.DataFrame | None, table: pd.DataFrame, *, validation: Validation,
             sheet: str = "Segments", language: str = "en") -> dict[str, pd.Series]:
    """Each segment's membership mask over ``table``, in the order segments first appear."""
    if rules is None or rules.empty:
        return {}
    mapping = canonical_columns("segments", rules.columns)
    frame = rules.rename(columns=mapping)
    missing = {"segment", "field", "operator"} - set(frame.columns)
    if missing:
        validation.add(sheet, None, ", ".join(sorted(missing)), None, "segments.columns")
        return {}
    rows = excel_rows(rules)
    frame = frame.assign(excel_row=rows)
    frame = frame[frame["segment"].notna() & (frame["segment"].astype(str).str.strip() != "")]
    masks: dict[str, pd.Series] = {}
    broken: set[str] = set()
    for rule in frame.itertuples(index=False):
        name = str(rule.segment).strip()
        value = getattr(rule, "value", None)
        try:
            hit = condition(table, rule.field, rule.operator, value, language)
        except RuleError as err:
            shown = f"{rule.field} {rule.operator} {'' if value is None else value}".strip()
            for key, params in err.problems:
                validation.add(sheet, int(rule.excel_row), "field", shown,
                               key.replace("rule.", "segment.", 1), segment=name, **params)
            broken.add(name)
            continue
        masks[name] = masks.get(name, pd.Series(True, index=table.index)) & hit
    for name in broken:
        masks[name] = pd.Series(False, index=table.index)
    order = list(dict.fromkeys(str(s).strip() for s in frame["segment"]))
    return {name: masks[name] for name in order}


def membership(masks: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """The ``segments`` column: the names of the segments each row belongs to, '; '-joined.

    Rows are grouped by their combination of segments (a bit per segment), and each distinct
    combination is spelled once.
    """
    names = list(masks)
    bits = np.zeros(len(index), dtype=np.int64)
    for i, name in enumerate(names):
        bits |= masks[name].to_numpy(bool).astype(np.int64) << i
    combos, inverse = np.unique(bits, return_inverse=True)
    spelled = np.array(["; ".join(n for i, n in enumerate(names) if combo >> i & 1) or None
                        for combo in combos.tolist()], dtype=object)
    return pd.Series(spelled[inverse], index=index, dtype=object)


_WORD_OPERATORS = sorted((op for op in OPERATORS if op[0].isalpha()), key=len, reverse=True)
_CONDITION = re.compile(
    r"^(?P<field>.+?)\s*(?P<op><=|>=|!=|<>|==|=<|=>|=|<|>)\s*(?P<value>.*)$"
    r"|^(?P<wfield>.+?)\s+(?P<wop>" + "|".join(re.escape(op) for op in _WORD_OPERATORS)
    + r")(?:\s+(?P<wvalue>.*))?$", re.IGNORECASE)


def segment_mask(table: pd.DataFrame, segment: str, language: str) -> pd.Series:
    """Rows of an analysis table (canonical headers) in ``segment``: a user segment (the
    ``segments`` column), else an RFM segment, else a condition such as ``score >= 70``."""
    if "segments" in table:
        names = table["segments"].astype(object).where(table["segments"].notna(), "")
        members = fold_series(names.astype(str).str.split(";").explode().str.strip())
        hit = (members == fold(segment)).groupby(level=0).any()
        if hit.any():
            return hit.reindex(table.index, fill_value=False)
    rfm = canonical_value("rfm_segment", segment, language)
    if "rfm_segment" in table and (rfm in RFM_MAP or rfm == "Prospect"):
        return table["rfm_segment"] == rfm
    match = _CONDITION.match(segment)
    if match is None:
        raise fail(RuleError, "rule.no_segment", segment=segment,
                   hint="give a segment of the analysis, an RFM segment such as Champions, or "
                        "a condition such as 'customer_type = lost'")
    field = match["field"] or match["wfield"]
    operator = match["op"] or match["wop"]
    value = match["value"] if match["field"] else match["wvalue"]
    return condition(table, field.strip(), operator, (value or "").strip() or None, language)
