"""What a cell holds, how typed text becomes a value, and how values are shown.

Google parses ``USER_ENTERED`` input as if typed in the en_US UI: numbers (with thousands
separators, %, $, exponents), TRUE/FALSE, dates and times (stored as serial numbers with a date
format), formulas, and a leading apostrophe that forces text.  ``RAW`` stores what it gets.
Formulas are stored, not really computed: plain arithmetic is evaluated, anything else shows
``#NAME?`` and a formula that does not parse ``#ERROR!`` — enough to see *that* a cell became a
formula, which is what the tests of formula injection need.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: Day 0 of Google's (and Lotus') serial dates.
EPOCH = datetime(1899, 12, 30)

Value = str | float | bool | None


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its effective value, the formula behind it, and what else Google keeps."""

    value: Value = None
    formula: str | None = None
    fmt: Mapping[str, Any] | None = None  # userEnteredFormat, numberFormat included
    note: str | None = None
    validation: Mapping[str, Any] | None = None  # dataValidation: a DataValidationRule

    @property
    def blank(self) -> bool:
        """No value and no formula (formats and notes do not count as content)."""
        return self.value is None and self.formula is None

    @property
    def number_format(self) -> Mapping[str, Any]:
        return (self.fmt or {}).get("numberFormat") or {}

    def with_value(self, value: Value, formula: str | None, number_format: Any = None) -> Cell:
        """This cell holding new content; a number format from parsing replaces the old one."""
        fmt = self.fmt
        if number_format is not None:
            fmt = {**(fmt or {}), "numberFormat": number_format}
        return replace(self, value=value, formula=formula, fmt=fmt)


_NUMBER = re.compile(
    r"(?P<sign>[+-])?(?P<cur>\$)?(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d+))?"
    r"(?P<exp>[eE][+-]?\d+)?(?P<pct>%)?"
)
_DATES = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "ymd", "yyyy-mm-dd"),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), "ymd", "yyyy/mm/dd"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), "mdy", "M/d/yyyy"),
)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_number(text: str) -> tuple[float, dict[str, str] | None] | None:
    """``(value, numberFormat)`` of en_US number text, or None when it is not a number."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None or not (match["int"] or match["frac"]):
        return None
    digits = (match["int"] or "0").replace(",", "") + "." + (match["frac"] or "0")
    value = float(digits + (match["exp"] or ""))
    value = -value if match["sign"] == "-" else value
    decimals = ".00" if match["frac"] else ""
    if match["pct"]:
        return value / 100, {"type": "PERCENT", "pattern": f"0{decimals}%"}
    if match["cur"]:
        return value, {"type": "CURRENCY", "pattern": '"$"#,##0.00'}
    if match["exp"]:
        return value, {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
    if "," in (match["int"] or ""):
        return value, {"type": "NUMBER", "pattern": f"#,##0{decimals}"}
    return value, None


def to_serial(moment: datetime) -> float:
    """Days since 1899-12-30, the fraction being the time of day."""
    delta = moment - EPOCH
    return delta.days + delta.seconds / 86400


def from_serial(serial: float) -> datetime:
    return EPOCH + timedelta(days=serial)


def parse_date(text: str) -> tuple[float, dict[str, str]] | None:
    """``(serial, numberFormat)`` of an en_US date, date-time or time, or None."""
    head, _, tail = text.strip().partition(" ")
    for pattern, order, shown in _DATES:
        match = pattern.fullmatch(head)
        if match is None:
            continue
        a, b, c = (int(g) for g in match.groups())
        year, month, day = (a, b, c) if order == "ymd" else (c, a, b)
        try:
            moment = datetime(year, month, day)
        except ValueError:
            return None
        if not tail:
            return to_serial(moment), {"type": "DATE", "pattern": shown}
        clock = _clock(tail)
        if clock is None:
            return None
        return to_serial(moment + clock), {"type": "DATE_TIME", "pattern": shown + " H:mm:ss"}
    clock = _clock(text.strip())
    if clock is None:
        return None
    return clock.total_seconds() / 86400, {"type": "TIME", "pattern": "H:mm:ss"}


def _clock(text: str) -> timedelta | None:
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    if hours > 23 or minutes > 59 or seconds > 59:
        return None
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


def user_entered(raw: Any, cell: Cell) -> Cell:
    """``cell`` after typing ``raw`` into it, as USER_ENTERED does."""
    if isinstance(raw, bool | int | float):
        return cell.with_value(raw if isinstance(raw, bool) else float(raw), None)
    text = str(raw)
    if text == "":
        return cell.with_value(None, None)
    if cell.number_format.get("type") == "TEXT":  # "Plain text" format: no parsing at all
        return cell.with_value(text, None)
    if text.startswith("'"):
        return cell.with_value(text[1:] or None, None)
    if text.startswith("=") and len(text) > 1:
        return cell.with_value(evaluate(text), text)
    number = parse_number(text)
    if number is not None:
        return cell.with_value(number[0], None, number[1])
    if text.strip().upper() in ("TRUE", "FALSE"):
        return cell.with_value(text.strip().upper() == "TRUE", None)
    moment = parse_date(text)
    if moment is not None:
        return cell.with_value(moment[0], None, moment[1])
    if text[0] in "+-" and len(text) > 1:  # the UI reads "+x" / "-x" as a formula
        return cell.with_value(evaluate("=" + text), "=" + text)
    return cell.with_value(text, None)


def raw_value(raw: Any, cell: Cell) -> Cell:
    """``cell`` after RAW input: strings stay strings, never formulas."""
    if isinstance(raw, bool):
        return cell.with_value(raw, None)
    if isinstance(raw, int | float):
        return cell.with_value(float(raw), None)
    text = str(raw)
    return cell.with_value(text if text else None, None)


_OPS: dict[type, Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def evaluate(formula: str) -> Value:
    """The shown result of a formula: arithmetic on numbers only, else an error value."""
    try:
        tree = ast.parse(formula[1:].replace("^", "**"), mode="eval")
    except SyntaxError:
        return "#ERROR!"
    try:
        return float(_arith(tree.body))
    except ZeroDivisionError:
        return "#DIV/0!"
    except (TypeError, OverflowError):
        return "#NAME?"


def _arith(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.left), _arith(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.operand))
    raise TypeError("not arithmetic")


# --- showing values --------------------------------------------------------------------------

_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|M|dd|d|HH|H|hh|h|ss|s|[^yMmdHhs]+", re.I)


@dataclass(frozen=True)
class Locale:
    """How a spreadsheet of one locale shows numbers: its decimal mark and thousands
    separator, and the patterns of a DATE or CURRENCY number format that has none."""

    decimal: str
    group: str
    date: str
    currency: str


#: The locales the fake shows (``spreadsheetProperties.locale``); Google's separators come
#: from CLDR (French groups with a narrow no-break space).
LOCALES = {
    "en_US": Locale(".", ",", "M/d/yyyy", '"$"#,##0.00'),
    "en_GB": Locale(".", ",", "dd/MM/yyyy", '"£"#,##0.00'),
    "fr_FR": Locale(",", "\u202f", "dd/MM/yyyy", '#,##0.00 "€"'),
    "nl_NL": Locale(",", ".", "d-M-yyyy", '"€" #,##0.00'),
}
#: A new spreadsheet's locale unless told otherwise, as for an en_US account.
DEFAULT_LOCALE = "en_US"


def render(cell: Cell | None, option: str, date_option: str = "SERIAL_NUMBER",
           locale: str = DEFAULT_LOCALE) -> Any:
    """A cell as values.get returns it for a ``valueRenderOption``; ``""`` when blank."""
    if cell is None or cell.blank:
        return ""
    if option == "FORMULA" and cell.formula is not None:
        return cell.formula
    value = cell.value
    if isinstance(value, bool):
        return value if option != "FORMATTED_VALUE" else ("TRUE" if value else "FALSE")
    if isinstance(value, str):
        return value
    kind = cell.number_format.get("type")
    dated = kind in ("DATE", "TIME", "DATE_TIME")
    if option == "FORMATTED_VALUE" or (dated and date_option == "FORMATTED_STRING"):
        return formatted(value, cell.number_format, locale)
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


#: One piece of a number format: a quoted literal, an escaped character, a currency in
#: brackets (``[$€-x-euro1]`` shows €), another bracket (colour, condition: shows nothing),
#: the digits, or any other character (shown as it is).
_PIECE = re.compile(r'"(?P<quoted>[^"]*)"|\\(?P<escaped>.)|\[\$(?P<money>[^\]-]*)[^\]]*\]'
                    r"|(?P<bracket>\[[^\]]*\])|(?P<digits>[0#?][0#?,]*(?:\.[0#?]*)?)"
                    r"|[_*](?P<skipped>.)|(?P<char>.)", re.S)


def formatted(value: float, number_format: Mapping[str, Any],
              locale: str = DEFAULT_LOCALE) -> str:
    """A number shown with its format in a spreadsheet of ``locale``: literal text (quoted,
    escaped, ``[$€]``) kept where the pattern puts it, the pattern's ``.`` and ``,`` shown as
    the locale's decimal mark and thousands separator; a DATE or CURRENCY format without a
    pattern shows the locale's own."""
    shape = LOCALES.get(locale, LOCALES[DEFAULT_LOCALE])
    kind, pattern = number_format.get("type"), number_format.get("pattern", "")
    if kind in ("DATE", "TIME", "DATE_TIME"):
        clock = "H:mm:ss"
        default = {"DATE": shape.date, "TIME": clock}.get(kind, f"{shape.date} {clock}")
        return _date_text(from_serial(value), pattern or default)
    if kind == "CURRENCY" and not pattern:
        pattern = shape.currency
    if not pattern or kind == "TEXT":
        return general(value).replace(".", shape.decimal)
    if "E+" in pattern.upper():
        decimals = len(pattern.split(".")[1].split("E")[0]) if "." in pattern else 0
        mantissa, exponent = f"{value:.{decimals}E}".split("E")
        return f"{mantissa.replace('.', shape.decimal)}E{int(exponent):+03d}"
    return _number_text(value, pattern.split(";")[0], shape)


def _number_text(value: float, pattern: str, shape: Locale) -> str:
    """``value`` in one section of a number pattern, rounded half away from zero as Google
    does, the sign in front of everything (``-$1,234.50``, ``-1 234,50 €``)."""
    scaled = value * 100 if "%" in re.sub(r'"[^"]*"', "", pattern) else value
    out, shown = [], ""
    for piece in _PIECE.finditer(pattern):
        if piece["digits"] and not shown:
            whole, _, fraction = piece["digits"].partition(".")
            step = Decimal(1).scaleb(-len(fraction))
            rounded = Decimal(abs(scaled)).quantize(step, rounding=ROUND_HALF_UP)
            shown = f"{rounded:{',' if ',' in whole.strip(',') else ''}f}"
            out.append(shown.translate(str.maketrans({",": shape.group, ".": shape.decimal})))
        elif piece["quoted"] is not None or piece["escaped"] or piece["money"]:
            out.append(piece["quoted"] or piece["escaped"] or piece["money"])
        elif piece["char"]:
            out.append(piece["char"])
    negative = scaled < 0 and any(c in "123456789" for c in shown)
    return ("-" if negative else "") + "".join(out)


def general(value: float) -> str:
    """Google's automatic number format: integers plainly, else ten significant digits."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}".upper().replace("E+0", "E+").replace("E-0", "E-")


def _date_text(moment: datetime | date, pattern: str) -> str:
    tokens = _DATE_TOKEN.findall(pattern)
    out = []
    for i, token in enumerate(tokens):
        low = token.lower()
        after_hour = (i > 0 and tokens[i - 1].lower() in ("h", "hh")) or (
            i > 1 and tokens[i - 2].lower() in ("h", "hh")
        )
        before_second = any(t.lower() in ("s", "ss") for t in tokens[i + 1 : i + 3])
        if low in ("m", "mm") and (after_hour or before_second):
            out.append(f"{moment.minute:02d}" if low == "mm" else str(moment.minute))
        elif low == "yyyy":
            out.append(f"{moment.year:04d}")
        elif low == "yy":
            out.append(f"{moment.year % 100:02d}")
        elif low == "mmmm":
            out.append(moment.strftime("%B"))
        elif low == "mmm":
            out.append(moment.strftime("%b"))
        elif low in ("mm", "m"):
            out.append(f"{moment.month:02d}" if low == "mm" else str(moment.month))
        elif low in ("dd", "d"):
            out.append(f"{moment.day:02d}" if low == "dd" else str(moment.day))
        elif low in ("hh", "h"):
            out.append(f"{moment.hour:02d}" if token in ("hh", "HH") else str(moment.hour))
        elif low in ("ss", "s"):
            out.append(f"{moment.second:02d}" if low == "ss" else str(moment.second))
        else:
            out.append(token)
    return "".join(out)


# --- CellData, the batchUpdate / includeGridData shape ---------------------------------------


def extended_value(cell: Cell) -> dict[str, Any]:
    """``userEnteredValue``/``effectiveValue`` JSON of a cell's value."""
    value = cell.value
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, str) and cell.formula and value.startswith("#"):
        return {"errorValue": {"type": "ERROR", "message": value}}
    if isinstance(value, str):
        return {"stringValue": value}
    return {"numberValue": value}


def cell_data(cell: Cell | None, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    """A cell as ``spreadsheets.get(includeGridData=true)`` returns it."""
    if cell is None:
        return {}
    data: dict[str, Any] = {}
    if not cell.blank:
        entered = {"formulaValue": cell.formula} if cell.formula else extended_value(cell)
        data.update(
            userEnteredValue=entered,
            effectiveValue=extended_value(cell),
            formattedValue=str(render(cell, "FORMATTED_VALUE", locale=locale)),
        )
    if cell.fmt:
        data["userEnteredFormat"] = dict(cell.fmt)
    if cell.note:
        data["note"] = cell.note
    if cell.validation:
        data["dataValidation"] = dict(cell.validation)
    return data


def from_extended(entered: Mapping[str, Any], cell: Cell) -> Cell:
    """``cell`` holding a batchUpdate ``userEnteredValue`` (typed, so nothing is parsed)."""
    if "formulaValue" in entered:
        return cell.with_value(evaluate(entered["formulaValue"]), entered["formulaValue"])
    if "numberValue" in entered:
        return cell.with_value(float(entered["numberValue"]), None)
    if "boolValue" in entered:
        return cell.with_value(bool(entered["boolValue"]), None)
    if "stringValue" in entered:
        return cell.with_value(entered["stringValue"], None)
    return cell.with_value(None, None)
