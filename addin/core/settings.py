"""Thresholds and options of the analysis: defaults, overrides, validation.

Every threshold the SPEC names lives here once, with its default.  Users override them in the
workbook's ``Settings`` sheet (``key | value`` rows, keys in English, French or Dutch) or in a
TOML file; a bad key or value is reported, never silently ignored.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from addin.core.labels import LANGUAGES
from addin.core.messages import english, fail
from addin.core.parsing import Parsed, number_text
from addin.core.schema import fold
from addin.core.validation import Validation
from addin.errors import SettingsError


@dataclass(frozen=True)
class Settings:
    """All tunable parameters, with the SPEC's defaults."""

    as_of: date | None = None
    language: str = "en"
    #: The book's time zone (``Europe/Brussels``), in which a timestamp with a zone is read as
    #: a calendar date; None: the machine's.
    timezone: str | None = None
    churn_days: int = 365
    loyal_min_orders: int = 3
    loyal_min_tenure_days: int = 180
    occasional_min_orders: int = 2
    max_bad_satisfaction: float = 2.0
    max_bad_nps: float = 6.0
    min_budget: float = 1000.0
    need_min: float = 2.0
    max_horizon_days: float = 90.0
    full_pages_visited: float = 10.0
    engagement_half_life_days: float = 30.0
    hot_score: float = 70.0
    warm_score: float = 40.0
    cost_per_order: float = 0.0
    abc_a: float = 0.80
    abc_b: float = 0.95
    high_margin_rate: float | None = None
    max_discount_rate: float = 0.05
    large_order_value: float | None = None
    retention_rate: float = 0.8
    discount_rate: float = 0.1
    income_bands: tuple[float, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        problems = _check(self)
        if problems:
            raise SettingsError("; ".join(english(key, **params) for key, params in problems),
                                hint="Fix the value in the Settings sheet.",
                                problems=tuple(problems))

    @property
    def stated_language(self) -> str | None:
        """The language the user chose (None: left at the default), which is evidence for
        reading ``3.000``; an English default says nothing about how numbers were typed."""
        stated = self.language != "en" or "language" in getattr(self, "_stated", ())
        return self.language if stated else None

    @classmethod
    def from_mapping(cls, values: Mapping[str, object], *, validation: Validation | None = None,
                     sheet: str = "Settings", rows: Mapping[str, int] | None = None) -> Settings:
        """Build settings from ``key -> value`` overrides (keys in EN/FR/NL, values as typed).

        With a ``validation`` collector, a bad key or value is recorded (with its row when
        ``rows`` says where the key was) and the default kept; without one, it raises
        :class:`SettingsError`.
        """
        changes: dict[str, object] = {}
        # The language comes first: it tells how the other values' numbers were typed.
        ordered = sorted(values.items(), key=lambda item: _KEY_ALIASES.get(fold(item[0]))
                         != "language")
        for key, raw in ordered:
            name = _KEY_ALIASES.get(fold(key))
            try:
                if name is None:
                    raise fail(SettingsError, "setting.unknown", setting=key,
                               known=", ".join(_NAMES))
                changes[name], notes = _convert(name, raw, changes.get("language"))
                cls(**changes)
            except SettingsError as err:
                changes.pop(name or "", None)
                if validation is None:
                    raise
                for problem, params in err.problems:
                    # The setting as the user typed its key (jours avant perte, churn_days).
                    typed = {"setting": key} if params.get("setting") == name else {}
                    validation.add(sheet, (rows or {}).get(key), "value", raw, problem,
                                   **(params | typed))
                continue
            if validation is not None:
                for note, number in notes:
                    validation.add(sheet, (rows or {}).get(key), "value", raw,
                                   note.replace("cell.", "setting."), severity="warning",
                                   setting=key, number=number)
        settings = cls(**changes)
        object.__setattr__(settings, "_stated", frozenset(changes))
        return settings

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, validation: Validation | None = None,
                   sheet: str = "Settings") -> Settings:
        """Settings from a ``key | value`` table such as the workbook's Settings sheet."""
        from addin.core.validation import excel_rows

        keys = frame.iloc[:, 0]
        present = keys.notna() & (keys.astype(str).str.strip() != "")
        kept = frame[present]
        values = dict(zip(kept.iloc[:, 0].astype(str).str.strip(), kept.iloc[:, 1], strict=True))
        rows = dict(zip(kept.iloc[:, 0].astype(str).str.strip(), excel_rows(kept).tolist(),
                        strict=True))
        return cls.from_mapping(values, validation=validation, sheet=sheet, rows=rows)

    @classmethod
    def from_toml(cls, path: Path) -> Settings:
        """Settings from a TOML file of ``key = value`` lines (or a ``[settings]`` table); its
        ``[columns]`` table is the user's mapping of headers (:func:`columns_from_toml`)."""
        data = _toml(path)
        values = data.get("settings", data)
        return cls.from_mapping({k: v for k, v in values.items() if k != "columns"})


def columns_from_toml(path: Path) -> dict[str, dict[str, str]]:
    """The ``[columns]`` table of a settings TOML file: ``[columns.orders]`` then
    ``"Prijs per stuk" = "unit_price"`` lines, the same mapping as a Columns sheet."""
    from addin.core.columnmap import mapping_from_table

    table = _toml(path).get("columns", {})
    try:
        return mapping_from_table(table)
    except ValueError as err:
        raise fail(SettingsError, "settings.columns", path=path, why=err) from err


def _toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise fail(SettingsError, "settings.file", path=path, why=err) from err


def _zone(name: str) -> str:
    """A time zone name the machine knows (``Europe/Brussels``, ``UTC``), or SettingsError."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise fail(SettingsError, "setting.timezone", setting="timezone", given=name) from err
    return name


_NAMES = tuple(f.name for f in fields(Settings))

_KEY_ALIASES: dict[str, str] = {fold(name): name for name in _NAMES} | {
    fold(alias): name for name, aliases in {
        "as_of": ("date", "analysis date", "date d analyse", "date de reference", "peildatum",
                  "analysedatum", "referentiedatum"),
        "language": ("lang", "langue", "taal"),
        "timezone": ("time zone", "fuseau horaire", "fuseau", "tijdzone"),
        "churn_days": ("jours avant perte", "dagen tot verloren"),
        "cost_per_order": ("cout par commande", "kosten per bestelling"),
        "min_budget": ("budget minimum", "minimumbudget"),
        "retention_rate": ("taux de retention", "retentiegraad"),
        "discount_rate": ("taux d actualisation", "disconteringsvoet"),
        "income_bands": ("tranches de revenu", "inkomensklassen"),
    }.items() for alias in aliases
}


def _convert(name: str, raw: object, language: object = None,
             ) -> tuple[object, list[tuple[str, str]]]:
    """Turn one typed-in value into the setting's type, or raise SettingsError saying why.

    Also returns warnings about how it was read, (message key, number read) each (``30.000``
    read as 30000 when nothing, not even the ``language`` setting, tells whether the dot is a
    thousands separator).
    """
    from addin.core.parsing import parse_numbers

    kind = Settings.__dataclass_fields__[name].type
    if raw is None or (isinstance(raw, float) and pd.isna(raw)) or str(raw).strip() == "":
        if "None" in str(kind):
            return None, []
        if name == "income_bands":  # blank: the customers' terciles, as by default
            return (), []
        raise fail(SettingsError, "setting.empty", setting=name)
    if name == "as_of":
        return as_of_date(raw), []
    if name == "timezone":
        return _zone(str(raw).strip()), []
    if name == "language":
        text = fold(raw)[:2]
        if text not in LANGUAGES:
            raise fail(SettingsError, "setting.language", given=raw, known=", ".join(LANGUAGES))
        return text, []
    stated = language if isinstance(language, str) else None
    if name == "income_bands":
        parts = [p for p in re.split(r"[;|]", str(raw)) if p.strip()]
        if len(parts) == 1 and not isinstance(raw, int | float):
            parts = [p for p in str(raw).split(",") if p.strip()]  # 30000, 60000
        if isinstance(raw, int | float):
            parts = [str(raw)]
        numbers = parse_numbers(pd.Series(parts, dtype=object), stated)
        if numbers.values.isna().any():
            raise fail(SettingsError, "setting.bands", setting=name, given=raw)
        return tuple(float(v) for v in numbers.values), _notes(numbers)
    parsed = parse_numbers(pd.Series([raw], dtype=object), stated)
    number = parsed.values.iloc[0]
    if pd.isna(number):
        raise fail(SettingsError, "setting.not_number", setting=name, given=raw)
    if "int" in str(kind):
        if float(number) != int(number):
            raise fail(SettingsError, "setting.not_whole", setting=name, given=raw)
        return int(number), _notes(parsed)
    return float(number), _notes(parsed)


def _notes(parsed: Parsed) -> list[tuple[str, str]]:
    """How a setting's numbers were read, (message key, number read) each."""
    return list(zip(parsed.warnings, parsed.values[parsed.warnings.index].map(number_text),
                    strict=True))


def as_of_date(raw: object) -> date:
    """An analysis date as typed anywhere (Settings, command line, API): day first
    (``05/06/2025`` is 5 June), ISO always; raises SettingsError saying what is wrong."""
    from addin.core.parsing import parse_dates

    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    parsed = parse_dates(pd.Series([raw], dtype=object))
    if parsed.values.isna().iloc[0]:
        raise fail(SettingsError, "setting.not_date", setting="as_of", given=raw)
    return parsed.values.iloc[0].date()


def _check(s: Settings) -> list[tuple[str, dict[str, object]]]:
    """Consistency rules between settings, (message key, parameters) each; an empty list
    means all is well."""
    problems: list[tuple[str, dict[str, object]]] = []
    if s.language not in LANGUAGES:
        problems.append(("setting.languages", {"known": ", ".join(LANGUAGES),
                                               "given": s.language}))
    for name in ("churn_days", "loyal_min_orders", "loyal_min_tenure_days",
                 "occasional_min_orders", "full_pages_visited", "engagement_half_life_days"):
        if getattr(s, name) <= 0:
            problems.append(("setting.positive", {"setting": name}))
    if not 0 < s.abc_a < s.abc_b <= 1:
        problems.append(("setting.abc", {}))
    if not 0 <= s.warm_score <= s.hot_score <= 100:
        problems.append(("setting.scores", {}))
    if not 0 <= s.retention_rate < 1 + s.discount_rate:
        problems.append(("setting.retention", {}))
    if s.income_bands and (len(s.income_bands) != 2 or s.income_bands[0] > s.income_bands[1]):
        problems.append(("setting.bands_order", {}))
    if s.cost_per_order < 0:
        problems.append(("setting.not_negative", {"setting": "cost_per_order"}))
    return problems
