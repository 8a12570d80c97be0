"""``analyze``: customers (and orders) in, one row per customer out.

This is the heart of potentiel and the only place that knows the order of the steps: clean the
inputs, measure activity, classify, qualify prospects, measure profitability, segment, then apply
the user's segment rules on the finished table (so a rule may use any output column).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from addin.core.activity import activity
from addin.core.classify import classify
from addin.core.columnmap import field_label
from addin.core.columns import id_order
from addin.core.inputs import prepare
from addin.core.labels import output_column
from addin.core.parallel import in_parallel
from addin.core.profitability import profitability
from addin.core.prospects import qualify
from addin.core.rules import evaluate, membership
from addin.core.schema import (
    SALES_COLUMNS,
    TARGET_SEGMENT_NAMES,
    ColumnMap,
    canonical_columns,
    column_kinds,
    fold,
)
from addin.core.segmentation import generations, income_bands, rfm
from addin.core.settings import Settings, as_of_date
from addin.core.validation import Validation

IDENTITY_COLUMNS = ("customer_id", "name", "email", "phone", "company", "country", "region",
                    "city", "postal_code")
ACTIVITY_COLUMNS = ("orders", "first_order", "last_order", "days_since_last_order",
                    "tenure_days", "frequency", "recency", "T", "monetary_value")
TYPE_COLUMNS = ("customer_type", "is_current", "is_prescriber", "referrals", "is_referred",
                "is_target")
PROSPECT_COLUMNS = ("prospect_score", "temperature", "bant")
PROFIT_COLUMNS = ("revenue", "list_revenue", "discount_rate", "cost", "gross_margin",
                 "margin_rate", "markup_rate", "avg_order_value", "cost_to_serve",
                 "contribution", "break_even_order_value", "abc_class", "profitability", "clv")
SEGMENTATION_COLUMNS = ("r_score", "f_score", "m_score", "rfm_segment", "generation", "income_band",
                   "segments")

#: Every column of the analysis table, in order.
OUTPUT_COLUMNS: tuple[str, ...] = (IDENTITY_COLUMNS + ACTIVITY_COLUMNS + TYPE_COLUMNS
                                   + PROSPECT_COLUMNS + PROFIT_COLUMNS + SEGMENTATION_COLUMNS
                                   + SALES_COLUMNS)

#: Output columns only the analysis computes: a customer column of the same name is not an input.
COMPUTED_COLUMNS = frozenset(OUTPUT_COLUMNS) - frozenset(column_kinds("customers"))

SettingsLike = Settings | Mapping[str, object] | pd.DataFrame | None


@dataclass
class Analysis:
    """Everything one run produced: the table, the problems, and each user segment's rows."""

    table: pd.DataFrame
    validation: pd.DataFrame
    segments: dict[str, pd.DataFrame]
    settings: Settings
    as_of: pd.Timestamp
    #: Where the input columns are: sheet -> header (or canonical name) -> (the user's header,
    #: 0-based column index).  Filled when the inputs come from a workbook, so problems can
    #: name and link the cell the user typed; empty through the Python API.
    columns: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    #: The Customers columns the table does not hold, row for row: inputs it reads under
    #: their canonical name (``budget``, ``last_interaction``) and the user's own columns
    #: under the user's header, which the result sheets show as they are.
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Sheet kind -> each input header -> the field it was read as ('' = not used), and the
    #: likely field of each header nothing placed: what the Columns sheet shows.
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    guesses: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Sheet kind -> the user's tab name ('customers' -> 'Klanten').
    sheet_names: dict[str, str] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        """True when some input could not be used (warnings alone do not count)."""
        return bool((self.validation["severity"] == "error").any())


def _settings(settings: SettingsLike, validation: Validation, sheet: str) -> Settings:
    if settings is None:
        return Settings()
    if isinstance(settings, Settings):
        return settings
    if isinstance(settings, pd.DataFrame):
        return Settings.from_frame(settings, validation=validation, sheet=sheet)
    return Settings.from_mapping(settings, validation=validation, sheet=sheet)


def _without_computed(customers: pd.DataFrame, validation: Validation,
                      sheet: str) -> pd.DataFrame:
    """Drop customer columns named like a computed output, such as a re-imported Analysis
    sheet's ``revenue`` or ``Chiffre d'affaires``: the analysis recomputes them, and two columns
    of one name would clash."""
    clash = [name for name in customers.columns
             if name in COMPUTED_COLUMNS or output_column(name) in COMPUTED_COLUMNS]
    for name in clash:
        validation.add(sheet, None, str(name), None, "column.computed", severity="warning")
    return customers.drop(columns=clash) if clash else customers


def _report_unknown(unknown: dict[str, list[str]], segments: pd.DataFrame | None,
                    validation: Validation, names: Mapping[str, str],
                    guesses: Mapping[str, Mapping[str, str]]) -> None:
    """Each input column the analysis does not read, once, with the name it likely meant.

    A column a segment rule names is passed through (the rule reads it), and a re-imported
    computed column is reported by :func:`_without_computed`.
    """
    fields: set[str] = set()
    if segments is not None and not segments.empty:
        field_header = {v: k for k, v in canonical_columns("segments", segments.columns).items()}
        if "field" in field_header:
            fields = {fold(f) for f in segments[field_header["field"]].dropna().astype(str)}
    for kind, headers in unknown.items():
        for header in headers:
            if fold(header) in fields or output_column(header) in COMPUTED_COLUMNS:
                continue
            meant = guesses.get(kind, {}).get(header)
            # The user's own Customers columns are shown in the result sheets; others are not.
            key = "column.unknown" if kind == "customers" else "column.unused"
            if meant:
                validation.add(names[kind], None, header, None, f"{key}_guess",
                               severity="warning", meant=meant,
                               label_fr=field_label(meant, "fr"),
                               label_nl=field_label(meant, "nl"))
            else:
                validation.add(names[kind], None, header, None, key, severity="warning")


def run_analysis(customers: pd.DataFrame, orders: pd.DataFrame | None = None, *,
                 segments: pd.DataFrame | None = None, as_of: date | str | None = None,
                 settings: SettingsLike = None,
                 sheet_names: Mapping[str, str] | None = None,
                 problems: Validation | None = None,
                 mapping: ColumnMap | None = None) -> Analysis:
    """The whole analysis with its validation report and user segments.

    ``settings`` may be a :class:`Settings`, a ``key -> value`` mapping or a Settings sheet
    (key | value table); ``sheet_names`` maps 'customers', 'orders', 'segments', 'settings' to
    the user's sheet names so that problems name the sheet the user sees; ``problems`` holds
    what was already found while reading the workbook, so the report is one list;
    ``mapping`` is the user's own headers -> fields, by sheet (a Columns sheet, a
    ``[columns]`` TOML table): ``{"orders": {"Prijs per stuk": "unit_price"}}``.
    """
    names = {"customers": "Customers", "orders": "Orders", "segments": "Segments",
             "settings": "Settings"} | dict(sheet_names or {})
    validation = Validation()
    if problems is not None:
        validation.extend(problems)
    config = _settings(settings, validation, names["settings"])
    day = as_of_date(as_of) if as_of is not None and as_of != "" else config.as_of
    moment = pd.Timestamp(day or pd.Timestamp.today()).normalize()
    inputs = prepare(customers, orders, as_of=moment, validation=validation,
                     sheet_names=names, language=config.stated_language, mapping=mapping,
                     timezone=config.timezone)
    cust = _without_computed(inputs.customers, validation, names["customers"])
    _report_unknown(inputs.unknown, segments, validation, names, inputs.guesses)
    # Steps that do not need each other's results run side by side (see in_parallel).
    # Prospect scores are computed for everyone beside the activity, and kept for prospects
    # once the types are known.
    act, (tie, generation, income_band, scored) = in_parallel(
        lambda: activity(inputs.orders, len(cust), moment),
        lambda: (id_order(cust["customer_id"]), generations(cust["birth_year"]),
                 income_bands(cust, config), qualify(cust, moment, config)))
    types, money, seg = in_parallel(
        lambda: classify(pd.concat([cust, act], axis=1), config),
        lambda: profitability(act, tie, config),
        lambda: rfm(act))
    prospects = scored.where(types["customer_type"] == "prospect", None)
    seg["generation"] = generation
    seg["income_band"] = income_band

    inputs_kept = cust.drop(columns=["_row", "_referrer", "income_band"], errors="ignore")
    activity_kept = act.drop(columns=["revenue", "list_revenue", "cost", "priced_orders"])
    table = pd.concat([inputs_kept, activity_kept, types, prospects, money, seg], axis=1)
    for column in SALES_COLUMNS + IDENTITY_COLUMNS:
        if column not in table:
            table[column] = None
    table["is_target"] = False
    masks = evaluate(segments, table, validation=validation, sheet=names["segments"],
                     language=config.language)
    target = [m for name, m in masks.items() if fold(name) in TARGET_SEGMENT_NAMES]
    if target:
        table["is_target"] = target[0]
    table["segments"] = membership(masks, table.index)
    output = table[list(OUTPUT_COLUMNS)]
    return Analysis(
        table=output,
        validation=validation.to_frame(),
        segments={name: output[mask] for name, mask in masks.items()},
        settings=config,
        as_of=moment,
        inputs=inputs_kept.drop(columns=[c for c in inputs_kept if c in output]),
        fields=inputs.fields,
        guesses=inputs.guesses,
        sheet_names=dict(names),
    )


def analyze(customers: pd.DataFrame, orders: pd.DataFrame | None = None, *,
            as_of: date | str | None = None, settings: SettingsLike = None,
            segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer: activity, type, prospect score, profitability, segments.

    Input headers may be English, French or Dutch; values may be as spreadsheets hold them.
    Problems in the input do not stop the analysis: use :func:`run_analysis` to get the
    validation report beside the table.
    """
    return run_analysis(customers, orders, segments=segments, as_of=as_of,
                        settings=settings).table
