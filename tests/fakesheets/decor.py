"""What dresses a tab, kept as Google keeps it: data validation (per cell, so it moves with
rows), conditional format rules and the basic filter (per sheet).

These ``spreadsheets:batchUpdate`` handlers are registered in :data:`batch.HANDLERS`; tests
read the result back through ``spreadsheets.get`` or :meth:`FakeSheets.seen`.
"""

from __future__ import annotations

import copy
import random
from dataclasses import replace
from typing import Any

from .batch import HANDLERS, Invalid, Request, grid_box, sheet_of
from .cells import Cell
from .model import Book

_CONDITIONS_WITHOUT_VALUES = {"DATE_IS_VALID", "BLANK", "NOT_BLANK", "BOOLEAN"}


def _check_rule(rule: Any) -> None:
    condition = (rule or {}).get("condition") or {}
    kind = condition.get("type")
    if not kind:
        raise Invalid("Missing required field: condition.type")
    values = condition.get("values") or []
    if kind == "ONE_OF_LIST" and not values:
        raise Invalid("ONE_OF_LIST condition requires at least one value.")
    if kind in _CONDITIONS_WITHOUT_VALUES and values:
        raise Invalid(f"{kind} condition must not have any values.")


def set_data_validation(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    """A rule on every cell of the range (none: the rule is removed)."""
    sheet, box = grid_box(book, body.get("range") or {})
    rule = body.get("rule")
    if rule:
        _check_rule(rule)
    for r in range(box.row0, box.row1):
        for c in range(box.col0, box.col1):
            cell = sheet.get(r, c)
            if cell is None and not rule:
                continue
            sheet.put(r, c, replace(cell or Cell(), validation=copy.deepcopy(rule) or None))
    return {}


def set_basic_filter(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    flt = copy.deepcopy(dict(body.get("filter") or {}))
    sheet, _box = grid_box(book, flt.get("range") or {})
    flt["range"].setdefault("sheetId", sheet.sheet_id)
    sheet.basic_filter = flt
    return {}


def clear_basic_filter(book: Book, body: Request, _rng: random.Random) -> dict[str, Any]:
    sheet_of(book, body.get("sheetId")).basic_filter = None
    return {}


def add_conditional_format_rule(book: Book, body: Request,
                                _rng: random.Random) -> dict[str, Any]:
    rule = copy.deepcopy(dict(body.get("rule") or {}))
    ranges = rule.get("ranges") or []
    if not ranges:
        raise Invalid("A conditional format rule needs at least one range.")
    sheets = {grid_box(book, r)[0].sheet_id for r in ranges}
    if len(sheets) != 1:
        raise Invalid("All ranges of a conditional format rule must be on one sheet.")
    if ("booleanRule" in rule) == ("gradientRule" in rule):
        raise Invalid("Exactly one of booleanRule or gradientRule must be set.")
    if "booleanRule" in rule:
        _check_rule(rule["booleanRule"])
    sheet = book.by_id(sheets.pop())
    index = int(body.get("index", 0))
    if not 0 <= index <= len(sheet.rules):
        raise Invalid(f"Invalid index {index}: the sheet has {len(sheet.rules)} rules.")
    sheet.rules.insert(index, rule)
    return {}


def delete_conditional_format_rule(book: Book, body: Request,
                                   _rng: random.Random) -> dict[str, Any]:
    sheet = sheet_of(book, body.get("sheetId"))
    index = int(body.get("index", 0))
    if not 0 <= index < len(sheet.rules):
        raise Invalid(f"No conditional format rule at index {index}.")
    return {"deleteConditionalFormatRule": {"rule": sheet.rules.pop(index)}}


HANDLERS.update({
    "setDataValidation": set_data_validation,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
})
