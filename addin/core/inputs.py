"""From raw sheets to typed, checked tables the rules can trust.

Headers are matched to canonical names, every known column is parsed by its kind, and rows that
cannot be used (no customer id, a duplicate id, an order without a date) are set aside with a
Validation record naming the user's own sheet, row and header.  What remains is clean: the rule
modules never see text in a number column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types as ptypes

from addin.core.columnmap import guess_fields
from addin.core.columns import optional
from addin.core.parallel import in_parallel
from addin.core.parsing import Parsed, number_text, parse
from addin.core.schema import (
    KEY_STAND_INS,
    NAME_PARTS,
    ColumnMap,
    canonical_columns,
    column_kinds,
    fold,
    missing_required,
)
from addin.core.validation import Validation, excel_rows
from addin.errors import InputError

#: column -> (lowest, highest, message key) of the values it may hold.
_RANGES: dict[str, tuple[float, float, str]] = {
    "satisfaction": (1, 5, "range_between"),
    "nps": (0, 10, "range_between"),
    "pages_visited": (0, np.inf, "range_negative"),
    "budget": (0, np.inf, "range_negative"),
    "income": (0, np.inf, "range_negative"),
    "age": (0, 130, "range_between"),
    "birth_year": (1850, 2200, "range_year"),
    "purchase_horizon_days": (0, np.inf, "range_negative"),
}
# Below these sizes a second thread costs more than it saves.
_PARALLEL_FROM = 1_000_000  # ids to look up
_PARALLEL_ROWS = 100_000  # rows of a sheet to parse


@dataclass
class Inputs:
    """Clean inputs: customers (one row each, RangeIndex) and order lines keyed to them.

    ``unknown`` holds, per sheet kind ('customers', 'orders'), the headers no canonical
    column recognised (the caller decides which of them a user rule still reads);
    ``fields`` every header of those sheets -> its field ('' when not placed), and
    ``guesses`` the likely field of each unplaced header (:func:`guess_fields`).
    """

    customers: pd.DataFrame
    orders: pd.DataFrame
    headers: dict[str, str]
    unknown: dict[str, list[str]] = field(default_factory=dict)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    guesses: dict[str, dict[str, str]] = field(default_factory=dict)


#: Attribute a reader may set on an input frame: header -> the language named by the locale
#: tag of its number cells' formats (``[$€-40C]``), the last evidence for reading ``3.000``.
FORMAT_LANGUAGES = "number_format_languages"

#: A name header that means the surname when a first-name column stands beside it
#: (Teamleader's French and Dutch exports: ``Prénom`` + ``Nom``, ``Voornaam`` + ``Naam``).
_SURNAMES = frozenset({"nom", "naam"})

# The reader's name for a column without a header (reported there already).
_NO_HEADER = re.compile(r"^column [A-Z]{1,3}$")


def unrecognised(sheet: str, frame: pd.DataFrame | None,
                 mapping: ColumnMap | None = None) -> list[str]:
    """Headers of a sheet that name no known column, in sheet order, once each."""
    if frame is None:
        return []
    known = canonical_columns(sheet, frame.columns, mapping)
    return list(dict.fromkeys(str(h) for h in frame.columns
                              if h not in known and not _NO_HEADER.match(str(h))
                              and str(h).strip()))


def _typed(frame: pd.DataFrame, sheet: str, label: str, validation: Validation,
           unused: tuple[str, ...] = (), language: str | None = None,
           mapping: ColumnMap | None = None, timezone: str | None = None,
           ) -> tuple[pd.DataFrame, dict[str, str], dict[str, pd.Index]]:
    """Rename recognised headers to canonical names and parse those columns.

    Returns the frame indexed by Excel row (unknown columns kept as they are),
    canonical name -> the user's header, so messages speak the user's words, and canonical
    name -> the rows whose cell could not be read (already reported).  Columns in
    ``unused`` are renamed but not parsed: the analysis never reads them.  ``language`` is
    the workbook's stated language, which helps read ``3.000`` in number columns.
    ``mapping`` is the user's (the Columns sheet); ``timezone`` the book's, in which a
    timestamp with a zone is read as a calendar date.
    """
    own = mapping
    mapping = canonical_columns(sheet, frame.columns, own)
    missing = missing_required(sheet, mapping.values())
    if missing:
        found = ", ".join(str(c) for c in frame.columns) or "no headers"
        either = [" or ".join(repr(n) for n in (m, *KEY_STAND_INS.get(sheet, {}).get(m, ())))
                  for m in missing]
        raise InputError(
            f"Sheet '{label}' has no column {', '.join(either)} (found: {found}).",
            hint="Name the column in the Columns sheet (sheet | your header | field), or "
                 "add it.")
    typed = frame.rename(columns=mapping)
    typed = typed.loc[:, ~typed.columns.duplicated()]
    typed.index = pd.Index(excel_rows(frame), name="row")
    headers = {c: str(h) for h, c in mapping.items()}
    kinds = column_kinds(sheet)
    names = [name for name in headers if name not in unused]
    columns = {name: typed[name] for name in names}
    formats = frame.attrs.get(FORMAT_LANGUAGES, {})
    languages = {name: language or formats.get(headers[name]) for name in names}

    def parse_all(part: list[str]) -> list[Parsed]:
        return [parse(columns[name], kinds[name], languages[name], timezone) for name in part]

    # Columns are independent: on a long sheet, every other one is parsed on the other core.
    if len(typed) >= _PARALLEL_ROWS:
        evens, odds = in_parallel(lambda: parse_all(names[0::2]), lambda: parse_all(names[1::2]))
        done = dict(zip(names[0::2] + names[1::2], evens + odds, strict=True))
    else:
        done = dict(zip(names, parse_all(names), strict=True))
    for name in names:
        raw, parsed, header = columns[name], done[name], headers[name]
        typed[name] = parsed.values
        said = _done(sheet, name, headers) + parsed.errors.str.removeprefix("cell.")
        validation.add_many(label, parsed.errors.index.to_numpy(), header,
                            raw[parsed.errors.index].to_numpy(), said.to_numpy())
        validation.add_many(label, parsed.warnings.index.to_numpy(), header,
                            raw[parsed.warnings.index].to_numpy(), parsed.warnings.to_numpy(),
                            severity="warning",
                            number=parsed.values[parsed.warnings.index].map(number_text))
    for name, (low, high, key) in _RANGES.items():
        if name in typed and ptypes.is_numeric_dtype(typed[name].dtype):
            out = typed[name][(typed[name] < low) | (typed[name] > high)]
            bounds = {"low": low, "high": high} if key == "range_between" else {}
            validation.add_many(label, out.index.to_numpy(), headers[name],
                                columns[name][out.index].to_numpy(),
                                _done(sheet, name, headers) + key, **bounds)
            typed.loc[out.index, name] = np.nan
    _combine_names(typed, headers, NAME_PARTS.get(sheet))
    return typed, headers, {name: done[name].errors.index for name in names}


def _combine_names(typed: pd.DataFrame, headers: dict[str, str], into: str | None) -> None:
    """First and last name columns (``First Name`` + ``Last Name``) as one name, filling the
    sheet's name column where it is blank (or making it)."""
    parts = [p for p in ("first_name", "last_name") if p in typed]
    if into is None or not parts:
        return
    if parts == ["first_name"] and fold(headers.get(into, "")) in _SURNAMES:
        typed["last_name"], headers["last_name"] = typed.pop(into), headers.pop(into)
        parts.append("last_name")
    text = [typed[p].astype("string").fillna("") for p in parts]
    joined = (text[0] + " " + text[1] if len(text) == 2 else text[0]).str.strip()
    joined = joined.astype(object).where(joined != "", None)
    if into in typed:
        typed[into] = typed[into].where(typed[into].notna(), joined)
    else:
        typed[into] = joined
        headers[into] = " + ".join(headers[p] for p in parts)


def _done(sheet: str, name: str, headers: dict[str, str]) -> str:
    """What becomes of a cell that cannot be used, as the prefix of its message key: read as
    empty, or (the only price of an order line) the order counts without an amount."""
    prices = {"amount", "unit_price"} & headers.keys()
    return "unpriced." if sheet == "orders" and prices == {name} else "read."


def _drop(frame: pd.DataFrame, mask: pd.Series, validation: Validation, label: str,
          column: str, header: str, key: str, **params: pd.Series) -> pd.DataFrame:
    """Set rows aside with one record each (``params``: one value per row of ``frame``);
    returns the rows kept."""
    if not mask.any():
        return frame
    bad = frame[mask]
    shown = bad[column].to_numpy() if column in bad else np.full(len(bad), None)
    validation.add_many(label, bad.index.to_numpy(), header, shown, key,
                        **{name: value[mask].to_numpy() for name, value in params.items()})
    return frame[~mask]


def _unify_ids(*columns: pd.Series) -> list[pd.Series]:
    """Make id columns comparable: integers only if every column holding ids holds integers,
    else text (a missing or empty column, such as no Orders sheet, decides nothing)."""
    if all(ptypes.is_integer_dtype(c.dtype) or not c.notna().any() for c in columns):
        return list(columns)
    return [c.astype(str).astype(object) if ptypes.is_integer_dtype(c.dtype) else c
            for c in columns]


def _repeated(ids: pd.Series) -> pd.Series:
    """``ids.duplicated(keep='first')``; for text ids through one stable sort, which costs a
    third of hashing a million strings: equal ids end up side by side, first one first."""
    if not _is_arrow_text(ids):
        return ids.duplicated(keep="first")
    order = np.asarray(ids.argsort(kind="stable"))
    ranked = ids.array.take(order)
    repeated = np.zeros(len(ids), dtype=bool)
    repeated[order[1:][np.asarray(ranked[1:] == ranked[:-1], dtype=bool)]] = True
    return pd.Series(repeated, index=ids.index)


def prepare_customers(raw: pd.DataFrame, label: str, validation: Validation,
                      as_of: pd.Timestamp, language: str | None = None,
                      mapping: ColumnMap | None = None, timezone: str | None = None,
                      ) -> tuple[pd.DataFrame, dict[str, str]]:
    """Typed customers, one row per customer_id, Excel row kept in column ``_row``.

    Without a customer id column, the e-mail address is the key (case and spaces ignored,
    as a CRM export of contacts keys them).
    """
    customers, headers, _ = _typed(raw, "customers", label, validation, language=language,
                                   mapping=mapping, timezone=timezone)
    shown = "customer_id"  # the column whose cell a message shows
    if "customer_id" not in customers:
        customers["customer_id"] = key_text(customers["email"])
        headers["customer_id"], shown = headers["email"], "email"
    id_header = headers["customer_id"]
    customers = _drop(customers, customers["customer_id"].isna(), validation, label,
                      shown, id_header, "row.no_id")
    duplicate = _repeated(customers["customer_id"])
    if duplicate.any():
        repeated = customers["customer_id"].isin(customers["customer_id"][duplicate])
        first = ~duplicate & repeated
        first_rows = pd.Series(customers.index[first],
                               index=customers["customer_id"][first].to_numpy())
        first_row = customers["customer_id"][duplicate].map(first_rows).reindex(customers.index)
        customers = _drop(customers, duplicate, validation, label, shown, id_header,
                          "row.duplicate_id", first=first_row)
    year = customers.get("birth_year", pd.Series(np.nan, index=customers.index))
    if "birth_date" in customers:
        year = year.fillna(customers["birth_date"].dt.year)
    if "age" in customers:
        year = year.fillna(as_of.year - customers["age"])
    customers["birth_year"] = year.astype("float64")
    # Columns named like the internal ones are not the user's data: the analysis never reads
    # unknown columns, so they are left out rather than clash.
    customers = customers.drop(columns=[c for c in ("_row", "_referrer") if c in customers])
    return customers.rename_axis("_row").reset_index(), headers


def prepare_orders(raw: pd.DataFrame | None, label: str, validation: Validation,
                   as_of: pd.Timestamp, language: str | None = None,
                   mapping: ColumnMap | None = None, timezone: str | None = None,
                   ) -> tuple[pd.DataFrame, dict[str, str]]:
    """Typed order lines with net, list and cost amounts; unusable lines reported and dropped.

    Also returns canonical name -> the user's header.  A line whose net amount is unknown is
    kept: the order happened (it counts for activity) but adds nothing to any money figure.
    Lines without a customer id column name their customer by e-mail or by name: that text
    is their ``customer_id`` until :func:`prepare` links it to a customer.
    """
    money = ("amount", "list_amount", "cost_amount")
    if raw is None or raw.shape[1] == 0:
        return pd.DataFrame({"customer_id": pd.Series(dtype=object),
                             "order_id": pd.Series(dtype=object),
                             "order_date": pd.Series(dtype="datetime64[ns]"),
                             **{c: pd.Series(dtype="float64") for c in money}}), {}
    orders, headers, unread = _typed(raw, "orders", label, validation,
                                     unused=("product", "category"), language=language,
                                     mapping=mapping, timezone=timezone)
    if "customer_id" not in orders:
        by = next(n for n in KEY_STAND_INS["orders"]["customer_id"] if n in orders)
        orders["customer_id"], headers["customer_id"] = orders[by], headers[by]
    orders = _drop(orders, orders["customer_id"].isna(), validation, label, "customer_id",
                   headers["customer_id"], "line.no_customer")
    orders = _drop(orders, orders["order_date"].isna(), validation, label, "order_date",
                   headers["order_date"], "line.no_date")
    if "quantity" in orders:
        orders = _drop(orders, orders["quantity"] < 0, validation, label, "quantity",
                       headers["quantity"], "line.negative_quantity")
    orders = _without_order_totals(orders, headers, validation, label)
    if "amount" not in orders and "unit_price" not in orders:
        validation.add(label, None, "amount", None, "orders.no_amount_column")
    future = orders["order_date"] >= as_of.normalize() + pd.Timedelta(days=1)
    if future.any():
        count = int(future.sum())
        validation.add(label, int(orders.index[future][0]), headers["order_date"],
                       orders["order_date"][future].iloc[0],
                       "orders.future.one" if count == 1 else "orders.future.other",
                       severity="warning", date=as_of.date(),
                       **({"count": count} if count > 1 else {}))
        orders = orders[~future]
    quantity = optional(orders, "quantity", 1.0).fillna(1.0)
    net = quantity * optional(orders, "unit_price")
    if "amount" in orders:
        net = orders["amount"].fillna(net)
    # A line whose net amount is unknown adds nothing to any money figure, so revenue, list
    # revenue and cost stay comparable.
    unknown = net.isna()
    list_amount = quantity * optional(orders, "list_price")
    cost_amount = quantity * optional(orders, "unit_cost")
    if unknown.any():
        list_amount, cost_amount = list_amount.mask(unknown, 0.0), cost_amount.mask(unknown, 0.0)
        _report_unpriced(orders, unknown, unread, headers, validation, label)
    _report_split_orders(orders, headers, validation, label)
    return pd.DataFrame({
        "customer_id": orders["customer_id"],
        "order_id": orders.get("order_id", pd.Series(None, index=orders.index, dtype=object)),
        "order_date": orders["order_date"],
        "amount": net,
        "list_amount": list_amount,
        "cost_amount": cost_amount,
    }, copy=False), headers


def _without_order_totals(orders: pd.DataFrame, headers: dict[str, str],
                          validation: Validation, label: str) -> pd.DataFrame:
    """Leave out an amount column that holds one figure per order, not per line.

    A shop's export (Shopify's ``Total``) writes the order's total, with tax and shipping, on
    its first line only and a unit price on every line: an amount blank on every later line
    of the orders with several lines, where the unit price is filled, is such a column, and
    the revenue is the unit prices times the quantities.
    """
    if not {"amount", "unit_price", "order_id"} <= set(orders.columns):
        return orders
    ids = orders["order_id"]
    later = ids.notna() & ids.duplicated(keep="first")
    if not later.any() or orders["amount"][later].notna().any() or \
            orders["unit_price"][later].isna().all():
        return orders
    validation.add(label, None, headers["amount"], None, "orders.order_totals",
                   severity="warning", price=headers["unit_price"])
    headers.pop("amount")
    return orders.drop(columns="amount")


def _report_unpriced(orders: pd.DataFrame, unknown: pd.Series, unread: dict[str, pd.Index],
                     headers: dict[str, str], validation: Validation, label: str) -> None:
    """Lines with neither an amount nor a unit price, once each: those whose cell could not be
    read were reported by the parser already."""
    priced = [name for name in ("amount", "unit_price") if name in headers]
    if not priced:
        return  # the whole sheet was reported
    reported = unknown.index.isin(np.concatenate([unread[n].to_numpy() for n in priced]))
    blank = orders[unknown.to_numpy() & ~reported]
    named = ({"amount": headers["amount"], "price": headers["unit_price"]} if len(priced) == 2
             else {"price": headers[priced[0]]})
    validation.add_many(label, blank.index.to_numpy(), headers[priced[-1]],
                        np.full(len(blank), None),
                        "orders.unpriced_both" if len(priced) == 2 else "orders.unpriced",
                        severity="warning", **named)


def _report_split_orders(orders: pd.DataFrame, headers: dict[str, str],
                         validation: Validation, label: str) -> None:
    """One warning per order_id whose lines carry two or more dates (counted as one order)."""
    if "order_id" not in orders or not orders["order_id"].notna().any():
        return
    pairs = orders[["order_id", "order_date"]].dropna(subset=["order_id"]).drop_duplicates()
    later = pairs[pairs["order_id"].duplicated(keep="first")]
    later = later[~later["order_id"].duplicated(keep="first")]
    validation.add_many(label, later.index.to_numpy(), headers["order_id"],
                        later["order_id"].to_numpy(),
                        "orders.split", severity="warning")


def link(customer_ids: pd.Series, *columns: pd.Series) -> list[np.ndarray]:
    """Position among ``customer_ids`` of each id in ``columns`` (-1: not a customer).

    One factorize over all the columns instead of a lookup per cell: millions of text ids are
    hashed once.
    """
    if all(_is_arrow_text(c) for c in (customer_ids, *columns)):
        # Text ids held by Arrow: look each id up in a hash of the customer ids, in C++.
        known = pa.chunked_array(customer_ids.array.__arrow_array__()).combine_chunks()
        return [_positions(c.array.__arrow_array__(), known) for c in columns]
    n = len(customer_ids)
    codes, uniques = pd.factorize(pd.concat([customer_ids, *columns], ignore_index=True))
    position = np.full(len(uniques) + 1, -1, dtype=np.int64)
    position[codes[:n]] = np.arange(n)
    found = position[codes[n:]]
    bounds = np.cumsum([len(c) for c in columns])[:-1]
    return np.split(found, bounds)


def _positions(values: pa.ChunkedArray, known: pa.Array) -> np.ndarray:
    """Position of each value in ``known`` (-1: absent); a long column in two halves at once,
    as this hash lookup is the slowest single step of the analysis."""
    def lookup(part: pa.ChunkedArray) -> np.ndarray:
        found = pc.index_in(part, value_set=known).fill_null(-1)
        return found.to_numpy(zero_copy_only=False).astype(np.int64)

    if len(values) < _PARALLEL_FROM:
        return lookup(values)
    half = len(values) // 2
    return np.concatenate(in_parallel(lambda: lookup(values.slice(0, half)),
                                      lambda: lookup(values.slice(half))))


def _is_arrow_text(column: pd.Series) -> bool:
    return isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"


def key_text(values: pd.Series) -> pd.Series:
    """Keys compared as people mean them, case and spaces ignored (``Jan.Peeters@X.be `` is
    ``jan.peeters@x.be``); blanks stay blank.  Each distinct value is worked on once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str).str.lower().str.replace(
        r"\s+", "", regex=True)
    keys = np.append(text.where(text != "", None).to_numpy(dtype=object), None)
    return pd.Series(keys[codes], index=values.index, dtype=object)


#: Customer columns an order line's customer text is looked up in, in this order.
_LINK_BY = ("customer_id", "email", "name", "company")


def _link_by_text(cust: pd.DataFrame, lines: pd.DataFrame, code: np.ndarray,
                  validation: Validation, label: str, header: str,
                  ) -> tuple[pd.DataFrame, np.ndarray]:
    """Link the lines no id found by their customer's id, e-mail, name or company, case and
    spaces ignored (a Shopify order names its customer by e-mail, a Pipedrive deal by
    name).  Text that names two customers is reported and its lines are left out."""
    todo = code < 0
    if not todo.any():
        return lines, code
    keys = key_text(lines["customer_id"][todo])
    found = pd.Series(-1, index=keys.index, dtype=np.int64)
    ambiguous = pd.Series(0, index=keys.index, dtype=np.int64)
    for column in (c for c in _LINK_BY if c in cust):
        known = key_text(cust[column].astype(object))
        counts = known.value_counts()
        unique = known[known.map(counts) == 1]
        position = pd.Series(unique.index.to_numpy(), index=unique.to_numpy())
        open_ = (found < 0) & (ambiguous == 0)
        hit = keys[open_].map(position).dropna()
        found[hit.index] = hit.astype(np.int64)
        twice = keys[open_ & keys.isin(counts.index[counts > 1])]
        ambiguous[twice.index] = twice.map(counts).astype(np.int64)
    code = code.copy()
    code[np.flatnonzero(todo)] = found.to_numpy()
    linked = found[found >= 0]
    if len(linked):
        lines["customer_id"] = lines["customer_id"].astype(object)
        lines.loc[linked.index, "customer_id"] = cust["customer_id"].to_numpy()[linked]
    many = ambiguous[ambiguous > 0]
    if len(many):
        validation.add_many(label, many.index.to_numpy(), header,
                            lines["customer_id"][many.index].to_numpy(),
                            "line.ambiguous_customer", count=many.to_numpy())
        keep = ~lines.index.isin(many.index)
        lines, code = lines[keep], code[keep]
    return lines, code


def _fields(sheet: str, frame: pd.DataFrame, mapping: ColumnMap | None) -> dict[str, str]:
    """Each header of a sheet (those the reader named for a blank header left out) -> the
    field it is read as, '' for none."""
    known = canonical_columns(sheet, frame.columns, mapping)
    return {str(h): known.get(h, "") for h in frame.columns
            if not _NO_HEADER.match(str(h)) and str(h).strip()}


def prepare(customers: pd.DataFrame, orders: pd.DataFrame | None, *, as_of: pd.Timestamp,
            validation: Validation, sheet_names: dict[str, str] | None = None,
            language: str | None = None, mapping: ColumnMap | None = None,
            timezone: str | None = None) -> Inputs:
    """Clean customers and orders; customers found only in Orders are added (with a warning).

    ``language`` is the workbook's stated language (None: not stated), evidence for reading
    numbers such as ``3.000``; ``mapping`` the user's own headers -> fields (the Columns
    sheet); ``timezone`` the book's (None: the machine's), for timestamps with a zone.

    Adds ``_referrer`` (position of the customer named in referred_by, -1 if none) to the
    customers and ``code`` (position of the line's customer) to the order lines.
    """
    names = {"customers": "Customers", "orders": "Orders"} | (sheet_names or {})
    found = {"customers": Validation(), "orders": Validation()}
    (cust, headers), (lines, order_headers) = in_parallel(
        lambda: prepare_customers(customers, names["customers"], found["customers"], as_of,
                                  language, mapping, timezone),
        lambda: prepare_orders(orders, names["orders"], found["orders"], as_of, language,
                               mapping, timezone))
    validation.extend(found["customers"])
    validation.extend(found["orders"])
    referred = cust.get("referred_by", pd.Series(None, index=cust.index, dtype=object))
    cust["customer_id"], lines["customer_id"], referred = _unify_ids(
        cust["customer_id"], lines["customer_id"], referred)
    named = referred[referred.notna()]
    # The referrers are looked up while the order lines are (each lookup hashes the ids anew).
    (code,), (named_at,) = in_parallel(lambda: link(cust["customer_id"], lines["customer_id"]),
                                       lambda: link(cust["customer_id"], named))
    if (code < 0).any():
        lines, code = _link_by_text(cust, lines, code, validation, names["orders"],
                                    order_headers.get("customer_id", "customer_id"))
    if (code < 0).any():
        first = lines[code < 0].drop_duplicates("customer_id")
        validation.add_many(names["orders"], first.index.to_numpy(),
                            order_headers["customer_id"], first["customer_id"].to_numpy(),
                            "orders.new_customer", severity="warning")
        extra = pd.DataFrame({"customer_id": first["customer_id"].to_numpy()})
        cust = pd.concat([cust, extra], ignore_index=True)
        referred = referred.reindex(cust.index)
        code = np.where(code < 0, link(cust["customer_id"], lines["customer_id"])[0], code)
        # A referrer may be one of the customers only Orders knows.
        named_at = np.where(named_at < 0, link(cust["customer_id"], named)[0], named_at)
    referrer = np.full(len(cust), -1, dtype=np.int64)
    referrer[named.index] = named_at
    cust["_referrer"] = referrer
    if "referred_by" in headers:
        cust["referred_by"] = referred
        dangling = named[referrer[named.index] < 0]
        validation.add_many(names["customers"], cust["_row"][dangling.index].to_numpy(),
                            headers["referred_by"], dangling.to_numpy(),
                            "customers.unknown_referrer", severity="warning")
    lines["code"] = code
    raw = {"customers": customers, "orders": orders}
    unknown = {kind: unrecognised(kind, frame, mapping) for kind, frame in raw.items()}
    fields = {kind: _fields(kind, frame, mapping) for kind, frame in raw.items()
              if frame is not None}
    guesses = {kind: guess_fields(kind, frame, unknown[kind], set(fields[kind].values()) - {""})
               for kind, frame in raw.items() if frame is not None}
    return Inputs(cust, lines.reset_index(drop=True), headers, unknown, fields, guesses)
