"""Reading cell values the way real spreadsheets hold them, a whole column at a time.

A column typed by hand holds numbers stored as text, ``1 234,56 €``, ``31/12/2025``, Excel date
serials, ``oui``/``ja``/``yes``, blanks and ``#N/A``.  Each parser returns the typed values and,
separately, which cells could not be read and why — the caller turns those into Validation
records, so one bad cell never stops the column.  Columns that already have the right dtype
(the common case for generated or cleaned data) take a fast path with no string work at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from addin.core.schema import Kind, fold

_EXCEL_ERROR = r"^#(?:N/A|VALUE!|REF!|DIV/0!|NUM!|NAME\?|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!)$"
#: Day 0 of Excel's 1900 date system (serial 1 = 1900-01-01, past Excel's phantom 1900-02-29).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_MAX_SERIAL = 132_763  # 2263-06-25 > 2262-04-11, the last day pandas can hold
_FIRST_DAY, _LAST_DAY = pd.Timestamp("1900-01-01"), pd.Timestamp.max.normalize()
_NAT = np.iinfo(np.int64).min  # how numpy stores NaT
_TIME = (r"^\d{4}-\d{1,2}-\d{1,2}[ T](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?)?"
         r"(?: ?(Z|[+-]\d{2}:?\d{2}))?$")

YES = frozenset({"yes", "y", "true", "oui", "o", "vrai", "ja", "j", "waar", "x", "1", "ok"})
NO = frozenset({"no", "n", "false", "non", "faux", "nee", "onwaar", "0", "nein"})


@dataclass(frozen=True)
class Parsed:
    """Typed values of a column plus the cells that could not be read.

    ``errors`` is indexed like the input and holds a message key (:mod:`addin.core.messages`)
    for each bad cell only, whose message shows the cell as typed; the value of a bad cell is
    missing (NaN/NaT/NA) in ``values``.  ``warnings`` holds a message key for each cell that
    was read but could have meant something else (``3.000`` read as 3000), whose message also
    shows the number read (in ``values``).
    """

    values: pd.Series
    errors: pd.Series
    warnings: pd.Series = field(default_factory=lambda: pd.Series([], dtype=object))


#: The decimal mark each workbook language writes.
DECIMAL_MARK = {"en": ".", "fr": ",", "nl": ","}
# One separator followed by exactly three digits: 3.000 is 3000 in Dutch, 3 in English.
_AMBIGUOUS = r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$"


def _no_errors(index: pd.Index) -> pd.Series:
    return pd.Series([], index=index[:0], dtype=object)


def _keys(cells: pd.Series, key: str) -> pd.Series:
    """One message key for each of ``cells`` (its message shows the cell as typed)."""
    return pd.Series(key, index=cells.index, dtype=object)


def _texts(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split an object column into (stripped text cells, mask of str cells)."""
    is_str = raw.map(type).isin((str, np.str_)) if raw.dtype == object else pd.Series(
        ptypes.is_string_dtype(raw.dtype), index=raw.index)
    text = raw[is_str].astype(str).str.strip()
    return text, is_str


def _excel_errors(text: pd.Series) -> pd.Series:
    """Message keys for cells holding an Excel error value such as ``#N/A``."""
    candidates = text[text.str.startswith("#").fillna(False).astype(bool)]
    hit = candidates[candidates.str.upper().str.match(_EXCEL_ERROR)]
    return pd.Series("cell.excel_error", index=hit.index, dtype=object)


def parse_numbers(raw: pd.Series, language: str | None = None) -> Parsed:
    """Numbers from a column: real numbers, '1 234,56 €', '1.234,56', '1,234.56', '12,5 %'.

    ``language`` is the workbook's stated language (None: not stated), one piece of evidence
    for reading ``3.000`` (see :func:`_numbers_from_text`).
    """
    if ptypes.is_numeric_dtype(raw.dtype) and not ptypes.is_bool_dtype(raw.dtype):
        return Parsed(raw.astype("float64"), _no_errors(raw.index))
    values = pd.Series(np.nan, index=raw.index, dtype="float64")
    obj = raw.astype(object)
    is_num = obj.map(type).isin((int, float, np.int64, np.float64, np.int32, np.float32))
    values[is_num] = obj[is_num].astype("float64")
    text, _ = _texts(obj)
    errors = [_excel_errors(text)]
    text = text[(text != "") & ~text.index.isin(errors[0].index)]
    warnings = _no_errors(raw.index)
    if len(text):
        values[text.index], warnings = _numbers_from_text(text, language)
        unread = text[values[text.index].isna()]
        errors.append(_keys(unread, "cell.not_number"))
    other = obj[~is_num & ~obj.index.isin(text.index) & obj.notna()]
    other = other[~other.index.isin(errors[0].index) & (other.astype(str).str.strip() != "")]
    errors.append(_keys(other, "cell.not_number"))
    return Parsed(values, pd.concat(errors), warnings)


def _numbers_from_text(text: pd.Series, language: str | None) -> tuple[pd.Series, pd.Series]:
    """Read numbers typed as text in English, French or Dutch conventions; and the warnings.

    A lone ``.`` or ``,`` followed by exactly three digits (``3.000``, ``12,500``) is decided
    for the whole column: by the decimal mark its other cells show (``1.234,56``, ``12,5``),
    else by the workbook's stated language.  Without that evidence, or when the column's cells
    disagree, it is read as a thousands separator (the usual meaning in amounts) and each such
    cell gets a warning: never a silent guess.
    """
    t = text.str.replace(r"[\s\u00a0\u202f'€$£]|(?i:eur)", "", regex=True)
    percent = t.str.endswith("%")
    t = t.str.rstrip("%")
    negative = t.str.match(r"^\(.*\)$")
    t = t.str.strip("()")
    last_comma, last_dot = t.str.rfind(","), t.str.rfind(".")
    both = (last_comma >= 0) & (last_dot >= 0)
    comma_decimal = both & (last_comma > last_dot)
    dot_decimal = both & (last_dot > last_comma)
    comma_thousands = ~both & t.str.match(r"^[+-]?\d{1,3}(,\d{3}){2,}$")
    dot_thousands = ~both & t.str.match(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")
    ambiguous = ~both & t.str.match(_AMBIGUOUS)
    mark, sure = None, True
    if ambiguous.any():  # only then does the column's evidence matter
        says_comma = (comma_decimal | dot_thousands
                      | (~ambiguous & t.str.match(r"^[+-]?\d*,\d+$")))
        says_dot = (dot_decimal | comma_thousands
                    | (~ambiguous & t.str.match(r"^[+-]?\d*\.\d+$")))
        mark, sure = _decimal_mark(bool(says_comma.any()), bool(says_dot.any()), language)
    has_comma = last_comma >= 0
    comma_is_decimal = ~both & has_comma & ~comma_thousands & (~ambiguous | (mark == ","))
    dot_is_thousands = ambiguous & ~has_comma & (mark != ".")
    t = t.mask(comma_decimal, t.str.replace(".", "", regex=False).str.replace(",", ".",
                                                                              regex=False))
    t = t.mask(dot_decimal | comma_thousands | (ambiguous & has_comma & ~comma_is_decimal),
               t.str.replace(",", "", regex=False))
    t = t.mask(dot_thousands | dot_is_thousands, t.str.replace(".", "", regex=False))
    t = t.mask(comma_is_decimal, t.str.replace(",", ".", regex=False))
    numbers = pd.to_numeric(t, errors="coerce").astype("float64")
    numbers = numbers.where(~percent, numbers / 100)
    numbers = numbers.where(~negative, -numbers)
    guessed = numbers[ambiguous] if not sure else numbers[:0]
    as_decimal = comma_is_decimal[guessed.index] | (~has_comma[guessed.index] & (mark == "."))
    warnings = pd.Series(np.where(as_decimal, "cell.read_decimal", "cell.read_thousands"),
                         index=guessed.index, dtype=object)
    return numbers, warnings


def _decimal_mark(comma: bool, dot: bool, language: str | None) -> tuple[str | None, bool]:
    """The column's decimal mark from what its cells show and the stated language, and
    whether that is sure; None: no evidence, read a lone separator as thousands."""
    if comma != dot:
        return ("," if comma else "."), True
    if language in DECIMAL_MARK:
        return DECIMAL_MARK[language], not comma
    return None, False


def number_text(number: float) -> str:
    """A number as a person would type it back: 3000, not 3000.0; 12.5 stays 12.5."""
    if np.isfinite(number) and number == int(number) and abs(number) < 2**53:
        return str(int(number))
    return repr(float(number))


def book_zone(timezone: str | None) -> tzinfo:
    """The book's time zone: the ``timezone`` setting (``Europe/Brussels``), else the
    machine's."""
    if timezone:
        return ZoneInfo(timezone)
    from dateutil.tz import tzlocal  # pandas' own dependency

    return tzlocal()


def parse_dates(raw: pd.Series, timezone: str | None = None) -> Parsed:
    """Calendar dates from a column: real dates, Excel serials, ISO text, '31/12/2025',
    '31.12.25'.

    A time of day is read and dropped, so every date column counts days the same way; a
    timestamp with a zone (``2026-03-16T10:15:00Z``, ``2026-01-15 10:15:00 +0100``, a
    zone-aware column) is first moved to the book's ``timezone`` (None: the machine's), so
    it falls on the day the user lived it.
    """
    parsed = _stamps(raw, timezone)
    return Parsed(parsed.values.dt.normalize(), parsed.errors)


def _stamps(raw: pd.Series, timezone: str | None) -> Parsed:
    """:func:`parse_dates` with the times of day still there."""
    if ptypes.is_datetime64_any_dtype(raw.dtype):
        return _typed_dates(raw, timezone)
    if ptypes.is_numeric_dtype(raw.dtype) and not ptypes.is_bool_dtype(raw.dtype):
        return _serials(raw.astype("float64"))
    values = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    obj = raw.astype(object)
    kinds = obj.map(type)
    is_date = kinds.isin((datetime, date, pd.Timestamp, np.datetime64))
    if is_date.any():
        values[is_date] = _in_range(pd.to_datetime(obj[is_date].astype(str), errors="coerce",
                                                   format="mixed"))
    is_num = kinds.isin((int, float, np.int64, np.float64)) & obj.notna()
    serial = _serials(obj[is_num].astype("float64"))
    values[is_num] = serial.values
    errors = [serial.errors]
    text, _ = _texts(obj)
    errors.append(_excel_errors(text))
    text = text[(text != "") & ~text.index.isin(errors[-1].index)]
    if len(text):
        values[text.index] = _dates_from_text(text, timezone)
        unread = text[values[text.index].isna()]
        errors.append(_keys(unread, "cell.not_date_text"))
    errors.append(_keys(obj[is_date & values.isna()], "cell.date_out_of_range"))
    return Parsed(values, pd.concat(errors))


def _typed_dates(raw: pd.Series, timezone: str | None = None) -> Parsed:
    """A datetime column, at any resolution: the wall time (a zone-aware column in the book's
    time zone), and cells outside 1900..2262 reported and blank as they are when typed as
    text.

    The usual column, all in range, costs one min and one max over its integer ticks.
    """
    stamps = raw
    if getattr(raw.dtype, "tz", None) is not None:
        stamps = raw.dt.tz_convert(book_zone(timezone)).dt.tz_localize(None)
    ticks = stamps.to_numpy().view(np.int64)
    unit = np.datetime_data(stamps.dtype)[0]
    first, last = (np.datetime64(day, unit).astype(np.int64) for day in (_FIRST_DAY, _LAST_DAY))
    real = ticks != _NAT
    if first <= ticks.min(where=real, initial=last) and ticks.max(initial=first) <= last:
        return Parsed(stamps.astype("datetime64[ns]"), _no_errors(raw.index))
    bad = real & ((ticks < first) | (ticks > last))
    errors = _keys(stamps[bad], "cell.date_out_of_range")
    return Parsed(stamps.mask(bad).astype("datetime64[ns]"), errors)


def _in_range(stamps: pd.Series) -> pd.Series:
    """Dates pandas can hold at nanosecond precision; others become missing (and reported)."""
    ok = stamps.between(_FIRST_DAY, _LAST_DAY)
    return stamps.where(ok).astype("datetime64[ns]")


def _serials(numbers: pd.Series) -> Parsed:
    """Excel 1900-system serial numbers to timestamps, to the second (fractions are times of day).

    Counted in whole seconds since 1970, not as a timedelta from 1899: a fraction would make
    that a nanosecond timedelta, which cannot span the 363 years up to 2262.
    """
    ok = numbers.between(1, _MAX_SERIAL)
    seconds = np.round(numbers[ok].to_numpy() * 86_400) + EXCEL_EPOCH.value // 1_000_000_000
    values = pd.Series(pd.NaT, index=numbers.index, dtype="datetime64[ns]")
    values[ok] = _in_range(pd.Series(seconds.astype(np.int64).astype("datetime64[s]"),
                                     index=numbers.index[ok]))
    bad = numbers[numbers.notna() & values.isna()]
    return Parsed(values, _keys(bad, "cell.not_date"))


def _dates_from_text(text: pd.Series, timezone: str | None = None) -> pd.Series:
    """Read dates typed as text; day first, as French and Dutch users write them."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    day = text.str.split(r"[ T]", n=1, regex=True).str[0]
    patterns = (
        (r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d", "-"),
        (r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}$", "%Y/%m/%d", "/"),
        (r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$", "%d/%m/%Y", "/"),
        (r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2}$", "%d/%m/%y", "/"),
    )
    for pattern, fmt, sep in patterns:
        hit = day.str.match(pattern)
        if hit.any():
            cells = day[hit].str.replace(r"[/.-]", sep, regex=True)
            out[hit] = _in_range(pd.to_datetime(cells, format=fmt, errors="coerce"))
    serial = text.str.match(r"^\d+(\.\d+)?$") & out.isna()
    if serial.any():
        out[serial] = _serials(text[serial].astype("float64")).values
    timed = text.str.match(r"^\d{4}-\d{1,2}-\d{1,2}[ T]\d") & out.notna()
    if timed.any():
        moment, zone = _time_of_day(text[timed])
        out[timed] = _in_range(out[timed] + moment)
        zoned = zone.notna() & out[timed].notna()
        if zoned.any():
            rows = zoned[zoned].index
            utc = (out[rows] - pd.to_timedelta(zone[rows], unit="m")).dt.tz_localize("UTC")
            out[rows] = _in_range(utc.dt.tz_convert(book_zone(timezone)).dt.tz_localize(None))
    return out


def _time_of_day(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The time after an ISO date, '10:30[:15[.5]]', as a duration (NaT where unreadable),
    and the offset of its zone in minutes ('Z' 0, '+0100' 60; NaN where none is written:
    the time is the book's own)."""
    parts = text.str.extract(_TIME)
    hour, minute, second = (parts[i].astype("float64").fillna(0.0) for i in range(3))
    micros = parts[3].fillna("0").str[:6].str.ljust(6, "0").astype("int64")
    ok = parts[0].notna() & (hour < 24) & (minute < 60) & (second < 60)
    seconds = (hour * 3600 + minute * 60 + second).astype("int64")
    zone = parts[4].str.replace(":", "", regex=False)
    sign = np.where(zone.str.startswith("-"), -1.0, 1.0)
    hours, minutes = (pd.to_numeric(zone.str[i: i + 2], errors="coerce") for i in (1, 3))
    offset = (hours * 60 + minutes) * sign
    offset = offset.where(zone != "Z", 0.0)
    return pd.to_timedelta(seconds * 1_000_000 + micros, unit="us").where(ok), offset


def parse_bools(raw: pd.Series) -> Parsed:
    """Yes/no answers in English, French or Dutch, ticks ('x') and 0/1 -> nullable booleans."""
    if ptypes.is_bool_dtype(raw.dtype):
        return Parsed(raw.astype("boolean"), _no_errors(raw.index))
    if ptypes.is_float_dtype(raw.dtype):  # 0/1 answers typed as numbers: 0 is no, else yes
        return Parsed((raw != 0).astype("boolean").mask(raw.isna()), _no_errors(raw.index))
    values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    obj = raw.astype(object)
    blank = obj.isna() | (obj.astype(str).str.strip() == "")
    is_bool = obj.map(type).isin((bool, np.bool_))
    values[is_bool] = obj[is_bool].astype(bool)
    is_num = obj.map(type).isin((int, float, np.int64, np.float64)) & ~blank
    values[is_num] = obj[is_num].astype("float64") != 0
    rest = obj[~blank & ~is_bool & ~is_num].astype(str)
    words = rest.map(fold)
    values[words.index[words.isin(YES)]] = True
    values[words.index[words.isin(NO)]] = False
    unread = rest[~words.isin(YES | NO)]
    errors = _excel_errors(unread.str.strip())
    unread = unread[~unread.index.isin(errors.index)]
    return Parsed(values, pd.concat([errors, _keys(unread, "cell.not_yes_no")]))


def parse_counts(raw: pd.Series, language: str | None = None) -> Parsed:
    """A count that users may also answer yes/no (complaints): yes -> 1, no -> 0."""
    return _number_or_yes_no(raw, language, yes=1.0, low=0.0, high=np.inf, key="cell.not_count")


def parse_need(raw: pd.Series, language: str | None = None) -> Parsed:
    """The BANT need, yes/no or a level 0-3: yes -> 3, no -> 0."""
    return _number_or_yes_no(raw, language, yes=3.0, low=0.0, high=3.0, key="cell.not_need")


def _number_or_yes_no(raw: pd.Series, language: str | None, *, yes: float, low: float,
                      high: float, key: str) -> Parsed:
    """Numbers where they are numbers, yes/no answers where they are words."""
    numbers = parse_numbers(raw, language)
    values = numbers.values.copy()
    answers = parse_bools(raw[numbers.errors.index]).values.dropna()
    values[answers.index] = np.where(answers.astype(bool), yes, 0.0)
    errors = numbers.errors.drop(answers.index)
    errors = errors.where(errors == "cell.excel_error", key)
    out_of_range = values[(values < low) | (values > high)]
    values[out_of_range.index] = np.nan
    return Parsed(values, pd.concat([errors, _keys(out_of_range, key)]),
                  numbers.warnings.drop(out_of_range.index, errors="ignore"))


def parse_ids(raw: pd.Series) -> Parsed:
    """Identifiers as text ('007' stays '007', 12.0 becomes '12'); integer columns stay integers."""
    if ptypes.is_integer_dtype(raw.dtype):
        if isinstance(raw.dtype, pd.api.extensions.ExtensionDtype) and raw.hasnans:
            return Parsed(raw.astype("Int64"), _no_errors(raw.index))  # blanks stay blank
        return Parsed(raw.astype("int64"), _no_errors(raw.index))
    unread = _no_errors(raw.index)
    if ptypes.is_string_dtype(raw.dtype) and raw.dtype != object:
        ids = raw.str.strip()
    else:
        obj = raw.astype(object)
        # A typed number column (the typed read's) needs no look at each cell's type.
        is_num = raw.notna() if ptypes.is_float_dtype(raw.dtype) else (
            obj.map(type).isin((int, float, np.int64, np.float64)) & obj.notna())
        numbers = obj[is_num].astype("float64")
        number_text = _whole_number_text(numbers)
        unread = _keys(numbers[number_text == ""], "cell.not_id")
        text = obj[~is_num & obj.notna()].astype(str).str.strip().astype(object)
        ids = pd.concat([number_text, text]).reindex(obj.index).astype("str")
    ids = ids.where(ids != "")
    errors = pd.concat([unread, _excel_errors(ids)])
    return Parsed(ids.where(~ids.index.isin(errors.index)) if len(errors) else ids, errors)


def _whole_number_text(numbers: pd.Series) -> pd.Series:
    """Numbers as id text: 12.0 -> '12', 12.5 -> '12.5'; infinity, which names nothing, -> ''."""
    text = numbers.astype(str).astype(object)
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
    fits = whole & (numbers.abs() < 2.0**63)
    text[fits] = numbers[fits].astype("int64").astype(str)
    text[whole & ~fits] = numbers[whole & ~fits].map("{:.0f}".format)  # beyond int64
    text[~np.isfinite(numbers)] = ""
    return text


def parse_text(raw: pd.Series) -> Parsed:
    """Free text: stripped, blanks missing, Excel error values reported and blanked."""
    if ptypes.is_numeric_dtype(raw.dtype) or ptypes.is_datetime64_any_dtype(raw.dtype):
        return Parsed(raw, _no_errors(raw.index))
    if ptypes.is_string_dtype(raw.dtype) and raw.dtype != object:
        text = raw.str.strip()
        errors = _excel_errors(text)
        text = text.where(text != "")
        return Parsed(text.where(~text.index.isin(errors.index)) if len(errors) else text,
                      errors)
    obj = raw.astype(object)
    text, is_str = _texts(obj)
    values = obj.where(~is_str, None)
    values[text.index] = text.where(text != "")
    errors = _excel_errors(text)
    values[errors.index] = None
    return Parsed(values, errors)


PARSERS = {
    "id": parse_ids, "text": parse_text, "number": parse_numbers, "integer": parse_numbers,
    "date": parse_dates, "bool": parse_bools, "count": parse_counts, "need": parse_need,
}


#: Kinds read as numbers, where the workbook's language helps read ``3.000``.
NUMERIC_KINDS = frozenset({"number", "integer", "count", "need"})


def parse(raw: pd.Series, kind: Kind, language: str | None = None,
          timezone: str | None = None) -> Parsed:
    """Parse a column as the schema says it holds (``language``: the workbook's stated one;
    ``timezone``: the book's, for timestamps with a zone)."""
    if kind in NUMERIC_KINDS:
        return PARSERS[kind](raw, language)
    if kind == "date":
        return parse_dates(raw, timezone)
    return PARSERS[kind](raw)


def fold_series(text: pd.Series) -> pd.Series:
    """:func:`addin.core.schema.fold` for a whole column (blanks stay blank).

    Only the distinct values are folded: a million cells of ``customer_type`` hold seven words.
    """
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    words = (pd.Series(uniques, dtype="str").str.normalize("NFKD").str.lower()
             .str.replace(r"[^a-z0-9]", "", regex=True))
    folded = np.append(words.to_numpy(dtype=object), None)
    return pd.Series(folded[codes], index=text.index, dtype=object)
