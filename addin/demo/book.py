"""Synthetic customer books: every situation the rules see, at any size, in seconds.

Tests, the benchmark and the shipped sample need customer books that look like a real small
business: employees who also buy, prospects at every temperature, customers who complained,
customers gone for more than a year, loyal whales, one-time buyers, referrals naming real
customers, three countries with their postal code habits, catalogue prices, discounts and
costs.  Each customer first gets a *persona* (the situation it is built to show), drawn in exact
proportions so that even a book of a few dozen customers holds every situation; its fields and
order dates are then drawn to match the persona.  Everything is whole-column numpy and Arrow
work: a million customers with five million order lines take a few seconds.

``messy=True`` then types part of the cells the way people do in spreadsheets (see
:func:`addin.demo.messy.mess`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from addin.core.schema import CUSTOMER_COLUMNS

AS_OF = date(2026, 6, 30)
HISTORY_DAYS = 730  # orders cover the two years before as_of

#: Persona -> share of customers.  A persona is how a row is built, not an output column.
PERSONAS: dict[str, float] = {
    "employee": 0.02,
    "prospect": 0.22,
    "disloyal": 0.04,   # complained (or unhappy) and has not ordered since
    "won_back": 0.03,   # complained, then ordered again
    "lost": 0.12,       # last order more than a year ago
    "loyal": 0.25,      # >= 3 orders over >= 180 days; the whales are here
    "occasional": 0.15,
    "one_time": 0.17,
}
_P = {name: i for i, name in enumerate(PERSONAS)}

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "fr": ("Marie", "Camille", "Léa", "Chloé", "Manon", "Inès", "Sophie", "Élodie", "Julie",
           "Claire", "Lucas", "Hugo", "Louis", "Thomas", "Nicolas", "Julien", "Antoine",
           "François", "Mathieu", "Théo"),
    "nl": ("Emma", "Julia", "Sanne", "Lotte", "Anouk", "Fleur", "Eva", "Sofie", "Lieke",
           "Noor", "Daan", "Bram", "Sem", "Lars", "Thijs", "Jan", "Pieter", "Wouter", "Jeroen",
           "Koen"),
    "en": ("Olivia", "Emily", "Grace", "Amelia", "Charlotte", "Hannah", "Lucy", "Sarah",
           "Kate", "Alice", "James", "Oliver", "Jack", "Harry", "George", "William", "Daniel",
           "Samuel", "Michael", "David"),
}
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "fr": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
           "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fournier",
           "Lambert", "Dupont", "Mercier", "Bonnet"),
    "nl": ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit",
           "Meijer", "de Boer", "Mulder", "Peeters", "Janssens", "Maes", "Jacobs", "Willems",
           "Claes", "Goossens", "Wouters", "De Smet", "Vermeulen"),
    "en": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
           "Evans", "Walker", "Wright", "Thompson", "White", "Hughes", "Green", "Hall",
           "Wood", "Clarke", "Harris", "Lewis"),
}
COMPANY_WORDS = ("Atelier", "Café", "Brasserie", "Hôtel", "Bureau", "Studio", "Maison",
                 "Boulangerie", "Kantoor", "Koffiehuis", "Bakkerij", "Lunchroom", "Garage",
                 "Cabinet", "Agence", "Groupe", "Horeca", "Bistro", "Co-working", "Pharmacie")
COMPANY_NAMES = ("du Parc", "Central", "de la Gare", "Lumière", "Horizon", "Het Anker",
                 "De Molen", "Zuid", "Saint-Michel", "Bellevue", "Victor", "Les Halles",
                 "Atlas", "Noord", "Riverside", "Le Phare", "Mosaïque", "Oranje", "Grand Place",
                 "Carré")
#: Legal forms by country (FR, BE, NL).
LEGAL_FORMS = (("SARL", "SAS", "SA", "EURL"), ("SRL", "SA", "BV", "NV"), ("BV", "VOF", "NV"))

COUNTRIES = ("FR", "BE", "NL")
COUNTRY_SHARES = (0.5, 0.3, 0.2)
NAME_LANGUAGES = {"FR": (0.85, 0.0, 0.15), "BE": (0.5, 0.45, 0.05), "NL": (0.0, 0.85, 0.15)}
#: country, region, city, postal code (text: French codes keep their leading zero), weight.
CITIES: tuple[tuple[str, str, str, str, float], ...] = (
    ("FR", "Île-de-France", "Paris", "75011", 8.0),
    ("FR", "Auvergne-Rhône-Alpes", "Lyon", "69003", 4.0),
    ("FR", "Provence-Alpes-Côte d'Azur", "Marseille", "13001", 3.0),
    ("FR", "Hauts-de-France", "Lille", "59000", 3.0),
    ("FR", "Nouvelle-Aquitaine", "Bordeaux", "33000", 2.5),
    ("FR", "Occitanie", "Toulouse", "31000", 2.5),
    ("FR", "Pays de la Loire", "Nantes", "44000", 2.0),
    ("FR", "Grand Est", "Strasbourg", "67000", 2.0),
    ("FR", "Auvergne-Rhône-Alpes", "Bourg-en-Bresse", "01000", 1.0),
    ("FR", "Hauts-de-France", "Laon", "02000", 0.7),
    ("FR", "Provence-Alpes-Côte d'Azur", "Nice", "06000", 2.0),
    ("FR", "Grand Est", "Troyes", "10000", 0.8),
    ("FR", "Corse", "Ajaccio", "20000", 0.5),
    ("BE", "Bruxelles-Capitale", "Bruxelles", "1000", 5.0),
    ("BE", "Antwerpen", "Antwerpen", "2000", 4.0),
    ("BE", "Oost-Vlaanderen", "Gent", "9000", 3.0),
    ("BE", "Liège", "Liège", "4000", 2.5),
    ("BE", "Namur", "Namur", "5000", 1.5),
    ("BE", "West-Vlaanderen", "Brugge", "8000", 1.5),
    ("BE", "Vlaams-Brabant", "Leuven", "3000", 1.5),
    ("BE", "Hainaut", "Charleroi", "6000", 2.0),
    ("NL", "Noord-Holland", "Amsterdam", "1011 AB", 6.0),
    ("NL", "Zuid-Holland", "Rotterdam", "3011 AD", 4.0),
    ("NL", "Zuid-Holland", "Den Haag", "2511 CV", 3.0),
    ("NL", "Utrecht", "Utrecht", "3511 LX", 3.0),
    ("NL", "Noord-Brabant", "Eindhoven", "5611 AZ", 2.0),
    ("NL", "Groningen", "Groningen", "9711 LM", 1.5),
    ("NL", "Limburg", "Maastricht", "6211 CS", 1.5),
)
MAIL_DOMAINS = (("gmail.com", "orange.fr", "free.fr", "laposte.net"),
                ("gmail.com", "skynet.be", "telenet.be", "proximus.be"),
                ("gmail.com", "ziggo.nl", "kpn.nl", "hotmail.nl"))
CHANNELS = ("web", "event", "phone", "email", "partner", "social", "referral")
CHANNEL_SHARES = (0.38, 0.14, 0.12, 0.12, 0.08, 0.16, 0.0)
OWNERS = ("Sophie Martin", "Jan Peeters", "Emma de Vries", "Lucas Bernard")
STATUSES = ("new", "contacted", "qualified", "proposal sent", "on hold")
NEXT_ACTIONS = ("Call back", "Send a quote", "Book a demo", "Invite to the tasting day",
                "Follow up by email")
#: Notes as sales people type them, including text that starts like a formula.
NOTES = ("Asked for a quote", "Call back after the summer", "+32 470 12 34 56 (mobile)",
         "-10% promised on next order", "=interested in the barista course",
         "@marketing: send the brochure", "Prefers email", "Met at the trade fair")

#: product, category, list price, unit cost (NaN: unknown), weight.  List price NaN: no
#: catalogue price, so no discount information.
PRODUCTS: tuple[tuple[str, str, float, float, float], ...] = (
    ("Espresso blend 1 kg", "Coffee", 24.90, 11.20, 14.0),
    ("Ethiopia Yirgacheffe 250 g", "Coffee", 9.50, 4.10, 9.0),
    ("Colombia Huila 1 kg", "Coffee", 29.00, 13.50, 8.0),
    ("Decaf Swiss Water 500 g", "Coffee", 14.90, 6.80, 4.0),
    ("Office blend 5 kg", "Coffee", 99.00, 48.00, 6.0),
    ("Home espresso machine", "Machines", 649.00, 390.00, 1.2),
    ("Office bean-to-cup machine", "Machines", 2490.00, 1580.00, 0.5),
    ("Grinder Pro 64", "Machines", 429.00, 250.00, 0.9),
    ("Filter brewer 2 L", "Machines", 189.00, 104.00, 1.0),
    ("Barista kit", "Accessories", 79.00, 31.00, 2.0),
    ("Milk jug 600 ml", "Accessories", 19.90, 6.50, 3.0),
    ("Tamper 58 mm", "Accessories", 34.00, 12.00, 1.5),
    ("Cups, set of 6", "Accessories", 29.00, 10.50, 2.5),
    ("Water filter cartridge", "Maintenance", 24.00, 9.00, 4.0),
    ("Descaling kit", "Maintenance", 15.90, 5.20, 4.0),
    ("Annual maintenance contract", "Maintenance", 290.00, 150.00, 0.8),
    ("Repair (per hour)", "Maintenance", np.nan, np.nan, 0.15),
    ("Barista course (1 day)", "Training", 180.00, 95.00, 0.6),
    ("Latte art workshop", "Training", 95.00, np.nan, 0.1),
)
REPAIR_HOURLY = 75.0


def generate(n_customers: int, n_orders: int, *, seed: int = 0, as_of: date = AS_OF,
             messy: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A customer table and an order-line table with canonical column names.

    ``n_orders`` is the number of order lines (several lines share an ``order_id``).  The same
    seed gives equal frames; ``messy=True`` returns the same book with part of its cells typed
    as people type them (object columns), plus the classic input mistakes.
    """
    if n_customers < 1 or n_orders < 0:
        raise ValueError("n_customers must be >= 1 and n_orders >= 0")
    rng = np.random.default_rng(seed)
    book = _Book(n_customers, rng)
    orders = _orders(book, n_orders, pd.Timestamp(as_of), rng)
    customers = _customers(book, pd.Timestamp(as_of), rng)
    if messy:
        from addin.demo.messy import mess

        return mess(customers, orders, np.random.default_rng([seed, 1]))
    return customers, orders


class _Book:
    """Who each customer is: persona, company or person, country; filled in by the builders."""

    def __init__(self, n: int, rng: np.random.Generator) -> None:
        self.n = n
        self.persona = rng.permutation(np.repeat(np.arange(len(PERSONAS)), _exact_counts(n)))
        self.company = (rng.random(n) < 0.35) & (self.persona != _P["employee"])
        self.country = rng.choice(3, size=n, p=COUNTRY_SHARES)
        # Filled by _orders: days before as_of of the first and last order (-1: none), orders.
        self.first_age = np.full(n, -1, dtype=np.int64)
        self.last_age = np.full(n, -1, dtype=np.int64)
        self.n_orders = np.zeros(n, dtype=np.int64)
        width = max(5, len(str(n)))
        numbers = pc.cast(pa.array(np.arange(1, n + 1)), pa.string())
        self.ids = pc.binary_join_element_wise("C", pc.utf8_lpad(numbers, width, "0"), "")

    def buyers(self) -> np.ndarray:
        """Who has at least one order (known once the orders are drawn)."""
        return self.n_orders > 0

    def has(self, *names: str) -> np.ndarray:
        """Who has one of the named personas."""
        return np.isin(self.persona, [_P[name] for name in names])


def _exact_counts(n: int) -> np.ndarray:
    """Customers per persona: the shares rounded so they sum to n, each at least 1 when n allows."""
    shares = np.array(list(PERSONAS.values())) * n
    counts = np.floor(shares).astype(np.int64)
    if n >= len(shares):
        counts = np.maximum(counts, 1)
    while counts.sum() < n:  # at most one pass per persona
        counts[np.argmax(shares - counts)] += 1
    while counts.sum() > n:
        counts[np.argmax(counts)] -= 1
    return counts


# ---------------------------------------------------------------- orders


def _orders(book: _Book, n_lines: int, as_of: pd.Timestamp,
            rng: np.random.Generator) -> pd.DataFrame:
    """Order lines: how many orders each customer placed, when, and what was on each line."""
    n_orders = 0 if n_lines == 0 else max(1, min(n_lines, round(n_lines / 2.2)))
    counts = _orders_per_customer(book, n_orders, rng)
    owner = np.repeat(np.arange(book.n), counts)
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    first, last = _windows(book, counts > 0, rng)
    book.n_orders, book.first_age, book.last_age = counts, first, last
    # First order on the first day, last order on the last day, the others in between.
    span = first[owner] - last[owner]
    age = last[owner] + np.floor(rng.random(len(owner)) * (span + 1)).astype(np.int64)
    age = np.where(rank == 0, first[owner], age)
    age = np.where((rank == counts[owner] - 1) & (rank > 0), last[owner], age)
    # Oldest first; owner order is kept within a day (a stable radix sort on 16-bit days).
    chronological = np.argsort((HISTORY_DAYS - age).astype(np.uint16), kind="stable")
    owner, age = owner[chronological], age[chronological]

    # Per-order traits are drawn once per order, then repeated over its lines in sequence.
    lines = 1 + np.bincount(rng.integers(0, max(n_orders, 1), n_lines - n_orders),
                            minlength=n_orders)
    order = np.repeat(np.arange(n_orders), lines)
    as_of_ns = np.datetime64(as_of.date(), "ns").astype(np.int64)
    day = np.repeat(as_of_ns - age * 86_400_000_000_000, lines).view("datetime64[ns]")
    product = _weighted(rng, np.array([p[4] for p in PRODUCTS]), len(order))
    list_price = np.array([p[2] for p in PRODUCTS])[product]
    unit_cost = np.array([p[3] for p in PRODUCTS])[product]
    # Companies buy larger quantities; both are geometric-like (1, 2, 3... ever rarer).
    scale = np.repeat(np.where(book.company, 2.0, 0.9)[owner], lines)
    quantity = 1 + (rng.standard_exponential(len(order)) * scale).astype(np.int64)
    # A line gets the customer's negotiated discount or a promotion, whichever is larger.
    promo = np.where(rng.random(len(order)) < 0.1, 0.05, 0.0)
    discount = np.maximum(np.repeat(_negotiated(book, rng)[owner], lines), promo)
    catalogue = np.where(np.isnan(list_price), REPAIR_HOURLY, list_price)
    unit_price = np.round(catalogue * (1 - discount), 2)
    # Customers migrated from an old system have no catalogue price on their lines.
    legacy = np.repeat((rng.random(book.n) < 0.04)[owner], lines)
    list_price = np.where(legacy, np.nan, list_price)
    return pd.DataFrame({
        "order_id": 100_001 + order.astype(np.int64),
        "customer_id": _column(book.ids.take(pa.array(owner)).take(pa.array(order))),
        "order_date": pd.Series(day, copy=False),
        "product": _column(_choose([p[0] for p in PRODUCTS], product)),
        "category": _column(_choose([p[1] for p in PRODUCTS], product)),
        "quantity": quantity,
        "unit_price": unit_price,
        "list_price": list_price,
        "unit_cost": unit_cost,
    }, copy=False)


def _orders_per_customer(book: _Book, n_orders: int, rng: np.random.Generator) -> np.ndarray:
    """Orders each customer placed: set by persona, then extra orders to Pareto-weighted whales."""
    p, n = book.persona, book.n
    low = np.select(
        [p == _P["employee"], p == _P["disloyal"], p == _P["won_back"], p == _P["lost"],
         p == _P["loyal"], p == _P["occasional"], p == _P["one_time"]],
        [rng.integers(0, 2, n) * rng.integers(1, 4, n), rng.integers(1, 4, n),
         rng.integers(2, 5, n), 1 + np.minimum(rng.geometric(0.5, n) - 1, 5),
         np.full(n, 3), np.full(n, 2), np.ones(n, dtype=np.int64)], default=0)
    total = int(low.sum())
    if total >= n_orders:
        # Fewer orders than the personas ask for: drop repeat orders first, then whole buyers.
        owner = np.repeat(np.arange(n), low)
        rank = np.arange(total) - np.repeat(np.cumsum(low) - low, low)
        keep = np.argsort(-((rank == 0) * 2.0 + rng.random(total)), kind="stable")[:n_orders]
        return np.bincount(owner[keep], minlength=n)
    whales = np.flatnonzero(p == _P["loyal"])
    if len(whales) == 0:
        whales = np.flatnonzero(low > 0) if (low > 0).any() else np.arange(n)
    weight = np.minimum(rng.pareto(1.16, len(whales)) + 1, 400.0)
    extra = whales[_weighted(rng, weight, n_orders - total)]
    return low + np.bincount(extra, minlength=n)


def _windows(book: _Book, buys: np.ndarray,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Days before as_of of each buyer's first and last order, as its persona requires."""
    n, p = book.n, book.persona
    u = rng.random((4, n))

    def between(i: int, low: np.ndarray | int, high: np.ndarray | int) -> np.ndarray:
        return (low + np.floor(u[i] * (np.asarray(high) - low + 1))).astype(np.int64)

    last_any = between(0, 0, 300)
    first = np.select(
        [p == _P["loyal"], p == _P["lost"], p == _P["one_time"], p == _P["won_back"]],
        [between(1, 200, HISTORY_DAYS - 1), between(1, 400, HISTORY_DAYS - 1),
         between(1, 0, 364), between(1, 220, HISTORY_DAYS - 1)],
        default=between(1, 30, HISTORY_DAYS - 1))
    last = np.select(
        [p == _P["loyal"], p == _P["lost"], p == _P["one_time"], p == _P["won_back"]],
        [between(2, 0, 180), between(2, 366, first), first, between(2, 0, 150)],
        default=np.minimum(last_any, first))
    last = np.minimum(last, first)
    return np.where(buys, first, -1), np.where(buys, last, -1)


def _negotiated(book: _Book, rng: np.random.Generator) -> np.ndarray:
    """Each customer's usual discount: staff 30 %, one customer in five negotiates 10-25 %."""
    steps = np.array([0.0, 0.10, 0.15, 0.20, 0.25])
    level = np.where(rng.random(book.n) < 0.2, rng.integers(1, 5, book.n), 0)
    return np.where(book.persona == _P["employee"], 0.30, steps[level])


# ---------------------------------------------------------------- customers


def _customers(book: _Book, as_of: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """The customer table, every field drawn to fit the customer's persona and orders."""
    n, p = book.n, book.persona
    buys = book.buyers()
    prospect = ~buys & (p != _P["employee"])
    employee = p == _P["employee"]
    day0 = np.datetime64(as_of.date(), "D")

    language = _by_country(rng, book.country, NAME_LANGUAGES)
    first_i, last_i = rng.integers(0, 20, n), rng.integers(0, 20, n)
    name_code = (language * 20 + first_i) * 20 + last_i
    city = _city(rng, book.country)
    company_code = np.where(book.company,
                            rng.integers(0, len(COMPANY_WORDS) * len(COMPANY_NAMES), n), -1)
    form = rng.integers(0, 4, n) % np.array([len(f) for f in LEGAL_FORMS])[book.country]
    company = pc.binary_join_element_wise(
        _choose(_companies(), company_code),
        _choose([f for forms in LEGAL_FORMS for f in forms], np.array([0, 4, 8])[book.country]
                + form), " ")

    ref_channel = ~employee & (rng.random(n) < 0.12)
    channel = np.where(ref_channel, CHANNELS.index("referral"),
                       _weighted(rng, np.array(CHANNEL_SHARES), n))
    referred = (ref_channel & (rng.random(n) < 0.85)) | (~employee & (rng.random(n) < 0.01))
    referrer = _referrers(book, rng)

    # Customers are adults (a shop's buyers, a company's contact): 19 to 92 years old, so no
    # one born after 2007 earns an income or leads the RFM ranking.
    age = np.clip(np.round(rng.normal(46, 15, n)), 19, 92)
    age = np.where(employee, np.clip(age, 20, 64), age)
    birth_year = (as_of.year - age).astype(np.float64)
    birth_year[rng.random(n) < 0.08] = np.nan
    # A person's income follows their age: students and young starters earn less, pensions
    # are lower than salaries.  A company's "income" is its turnover.
    stage = np.select([age < 25, age >= 67], [0.55, 0.7], default=1.0)
    income = np.where(book.company, np.round(rng.lognormal(np.log(420_000), 0.9, n), -3),
                      np.round(rng.lognormal(np.log(34_000), 0.45, n) * stage, -2))
    income[rng.random(n) < 0.12] = np.nan

    feedback = _feedback(book, rng)
    heat = np.where(prospect, rng.random(n), np.nan)
    contact, seen = _contact_dates(book, heat, rng)
    bant = _bant(heat, rng)

    owner_code = np.where(rng.random(n) < 0.45, rng.integers(0, len(OWNERS), n), -1)
    status_code = np.where(prospect & (rng.random(n) < 0.5),
                           rng.integers(0, len(STATUSES), n), -1)
    table = {
        "customer_id": book.ids,
        "name": _choose(_names(), name_code),
        "email": _emails(rng, name_code, book.country),
        "phone": _phones(book.country),
        "company": company,
        "country": _choose(COUNTRIES, book.country),
        "region": _choose([c[1] for c in CITIES], city),
        "city": _choose([c[2] for c in CITIES], city),
        "postal_code": _choose([c[3] for c in CITIES], city),
        "birth_year": birth_year,
        "income": income,
        "is_employee": employee,
        "channel": _choose(CHANNELS, channel),
        "referred_by": book.ids.take(pa.array(np.where(referred, referrer, -1),
                                                mask=~referred)),
        **feedback,
        "first_contact": _dates(day0, contact),
        "last_interaction": _dates(day0, seen),
        **bant,
        "status": _choose(STATUSES, status_code),
        "owner": _choose(OWNERS, owner_code),
        "notes": _choose(NOTES, np.where(rng.random(n) < 0.06, rng.integers(0, len(NOTES), n),
                                         -1)),
        "next_action": _choose(NEXT_ACTIONS, np.where(prospect & (rng.random(n) < 0.3),
                                                      rng.integers(0, len(NEXT_ACTIONS), n),
                                                      -1)),
    }
    order = [c.name for c in CUSTOMER_COLUMNS if c.name in table]
    return pd.DataFrame({name: _column(table[name]) for name in order}, copy=False)


def _referrers(book: _Book, rng: np.random.Generator) -> np.ndarray:
    """For each customer, a would-be referrer: a buyer, a few of them naming many people."""
    pool = np.flatnonzero(book.has("loyal", "occasional", "one_time", "won_back"))
    if len(pool) == 0:
        pool = np.arange(book.n)
    weight = np.minimum(rng.pareto(1.5, len(pool)) + 1, 50.0)
    pick = pool[_weighted(rng, weight, book.n)]
    clash = np.flatnonzero(pick == np.arange(book.n))
    pick[clash] = pool[(np.searchsorted(pool, pick[clash]) + 1) % len(pool)]
    return pick


def _feedback(book: _Book, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """satisfaction, nps, complaint: good for most buyers, bad for the unhappy personas."""
    n = book.n
    buys = book.buyers()
    unhappy = book.has("disloyal", "won_back") & buys
    satisfaction = np.where(unhappy, rng.integers(1, 3, n),
                            np.array([3, 4, 4, 5, 5])[rng.integers(0, 5, n)]).astype(np.float64)
    satisfaction[~buys | ((rng.random(n) < 0.45) & ~unhappy)] = np.nan
    nps = np.where(unhappy, rng.integers(0, 7, n), rng.integers(7, 11, n)).astype(np.float64)
    nps[~buys | (rng.random(n) < 0.7)] = np.nan
    complaint = np.where(unhappy & (rng.random(n) < 0.7), rng.integers(1, 4, n), 0)
    complaint = complaint.astype(np.float64)
    complaint[~buys] = np.nan
    return {"satisfaction": satisfaction, "nps": nps, "complaint": complaint}


def _contact_dates(book: _Book, heat: np.ndarray,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Days before as_of of the first contact and of the last interaction (-1: blank).

    Buyers were last in touch after their last order, except those who complained and then
    ordered again; the hotter a prospect, the more recent its last interaction.
    """
    n = book.n
    first, last = book.first_age, book.last_age
    u = rng.random((3, n))
    contact = np.where(first >= 0, first + np.floor(u[0] * 120), np.floor(u[0] * 500))
    recent = np.floor(rng.exponential(np.where(heat > 0.45, 20.0, 90.0)))
    recent = np.where(heat > 0.8, np.floor(u[2] * 10), recent)
    seen = np.where(first >= 0, np.maximum(last - np.floor(u[1] * 45), 0),
                    np.minimum(recent, contact))
    won_back = book.has("won_back") & (first >= 0)
    seen = np.where(won_back, np.minimum(last + 10 + np.floor(u[2] * 60), first), seen)
    seen = np.where(rng.random(n) < 0.05, -1, seen)
    return contact.astype(np.int64), seen.astype(np.int64)


def _bant(heat: np.ndarray, rng: np.random.Generator) -> dict[str, object]:
    """BANT and engagement fields of prospects; the hotter the prospect, the more criteria met."""
    n = len(heat)
    prospect = ~np.isnan(heat)
    met = np.where(heat > 0.8, 1.0, np.where(heat > 0.45, 0.65, 0.2))
    u = rng.random((8, n))
    hit = u[:4] < met
    budget = np.where(hit[0], np.round(rng.lognormal(np.log(3500), 0.7, n), -1),
                      np.round(rng.uniform(100, 990, n), -1))
    budget[~prospect | (u[4] < 0.12)] = np.nan
    decision = pd.array(hit[1], dtype="boolean")
    decision[~prospect | (u[5] < 0.1)] = pd.NA
    need = np.where(hit[2], rng.integers(2, 4, n), rng.integers(0, 2, n)).astype(np.float64)
    need[~prospect | (u[6] < 0.1)] = np.nan
    horizons = np.array([7, 14, 30, 60, 90, 180, 365])
    horizon = np.where(hit[3], horizons[rng.integers(0, 5, n)],
                       horizons[rng.integers(5, 7, n)]).astype(np.float64)
    horizon[~prospect | (u[7] < 0.15)] = np.nan
    pages = np.where(heat > 0.8, rng.integers(8, 40, n), rng.poisson(3, n)).astype(np.float64)
    pages[rng.random(n) < 0.1] = np.nan
    form = pd.array(np.where(prospect, rng.random(n) < met, rng.random(n) < 0.3),
                    dtype="boolean")
    form[rng.random(n) < 0.2] = pd.NA
    return {"pages_visited": pages, "form_submitted": form, "budget": budget,
            "decision_maker": decision, "need": need, "purchase_horizon_days": horizon}


# ---------------------------------------------------------------- text and helpers


def _names() -> list[str]:
    return [f"{f} {last}" for lang in ("fr", "nl", "en") for f in FIRST_NAMES[lang]
            for last in LAST_NAMES[lang]]


def _companies() -> list[str]:
    return [f"{w} {name}" for w in COMPANY_WORDS for name in COMPANY_NAMES]


def _emails(rng: np.random.Generator, name_code: np.ndarray, country: np.ndarray) -> pa.Array:
    """first.last[NN]@domain, in plain ASCII, some blank."""
    from addin.core.schema import fold

    local = [".".join(fold(part) for part in name.split(" ", 1)) for name in _names()]
    n = len(name_code)
    suffix = np.where(rng.random(n) < 0.5, rng.integers(0, 100, n), -1)
    domain = country * 4 + rng.integers(0, 4, n)
    mail = pc.binary_join_element_wise(
        _choose(local, name_code),
        pc.coalesce(_choose([f"{i:02d}" for i in range(100)], suffix), ""),
        "@", _choose([d for ds in MAIL_DOMAINS for d in ds], domain), "")
    return pc.if_else(pa.array(rng.random(n) < 0.05), pa.scalar(None, pa.string()), mail)


def _phones(country: np.ndarray) -> pa.Array:
    """A mobile number per customer in its country's usual form (+33 6 12 34 56 78,
    +32 470 12 34 56, +31 6 1234 5678), drawn without the generator so that adding the column
    left every other value of the sample as it was; about one in ten is unknown."""
    n = len(country)
    digits = (np.arange(n, dtype=np.int64) * 7_919_393 + 12_345_678) % 100_000_000
    text = pd.Series(digits).map("{:08d}".format)
    pairs = text.str[0:2] + " " + text.str[2:4] + " " + text.str[4:6] + " " + text.str[6:8]
    phone = np.select([country == 0, country == 1],
                      ["+33 6 " + pairs, "+32 47" + text.str[0] + " " + text.str[1:3] + " "
                       + text.str[3:5] + " " + text.str[5:7]],
                      default="+31 6 " + text.str[0:4] + " " + text.str[4:8])
    return pa.array(phone, mask=(digits % 10) == 3, type=pa.string())


def _choose(words: Sequence[str], codes: np.ndarray) -> pa.Array:
    """Text column from codes into a small word list (code -1 = blank), without a Python loop."""
    codes = np.asarray(codes)
    indices = pa.array(np.maximum(codes, 0).astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(words), pa.string())).cast(
        pa.string())


def _column(values: object) -> pd.Series:
    """A pandas column: Arrow text becomes the default string dtype, arrays stay as they are."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return pd.Series(values, dtype="str", copy=False)
    return pd.Series(values, copy=False)


def _dates(day0: np.datetime64, age: np.ndarray) -> pd.Series:
    """Dates ``age`` days before ``day0`` (age -1: blank)."""
    days = (day0 - age.astype("timedelta64[D]")).astype("datetime64[ns]")
    return pd.Series(np.where(age >= 0, days, np.datetime64("NaT")))


def _weighted(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with (approximately) the given weights.

    A lookup table holds each index in proportion to its weight (at least once), so a draw is
    one uniform integer and one gather, with no search: millions of draws take milliseconds.
    """
    weights = np.asarray(weights, dtype=np.float64)
    slots = max(4 * len(weights), 4096)
    copies = np.maximum(1, np.round(weights / weights.sum() * slots)).astype(np.int64)
    table = np.repeat(np.arange(len(weights)), copies)
    return table[rng.integers(0, len(table), size)]


def _by_country(rng: np.random.Generator, country: np.ndarray,
                shares: dict[str, tuple[float, float, float]]) -> np.ndarray:
    """A three-way choice whose odds depend on the country (name language)."""
    table = np.cumsum(np.array([shares[c] for c in COUNTRIES]), axis=1)
    u = rng.random(len(country))
    return np.minimum((u[:, None] >= table[country]).sum(axis=1), 2)


def _city(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    """A city of the customer's country, weighted by size: one search in per-country bands."""
    owner = np.array([COUNTRIES.index(c[0]) for c in CITIES])
    weight = np.array([c[4] for c in CITIES])
    band = np.zeros(len(CITIES))
    for k in range(len(COUNTRIES)):
        here = owner == k
        band[here] = k + np.cumsum(weight[here]) / weight[here].sum()
    target = country + rng.random(len(country)) * (1 - 1e-12)
    return np.searchsorted(band, target, side="right")
