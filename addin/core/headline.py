"""The headline figures of a run: what the Dashboard, the CLI summary and the macro's closing
message all show, computed once so they can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from addin.core.analysis import Analysis

#: RFM segments a salesperson must win back before they leave.
AT_RISK = ("At Risk", "Can't Lose")


@dataclass(frozen=True)
class Headline:
    """The figures on top of the Dashboard, as :func:`headline` computes them."""

    customers: int
    revenue: float
    gross_margin: float  # NaN when no cost is known
    margin_rate: float | None
    hot: int
    at_risk: int
    at_risk_revenue: float
    problems: int
    #: Prospects (no order yet): left out of the RFM charts, shown as their own figure.
    prospects: int = 0
    #: Customers with orders, and those among them whose cost is known (the margin rate's
    #: subset).
    ordering: int = 0
    priced: int = 0


def headline(analysis: Analysis) -> Headline:
    """The headline figures from the analysis table."""
    table = analysis.table
    margin = table["gross_margin"]
    known = margin.notna()
    revenue_known = table.loc[known, "revenue"].sum()
    risk = table["rfm_segment"].isin(AT_RISK)
    return Headline(
        customers=len(table), revenue=float(table["revenue"].sum()),
        gross_margin=float(margin.sum(min_count=1)),  # blank when no cost is known
        margin_rate=float(margin.sum() / revenue_known) if revenue_known > 0 else None,
        hot=int((table["temperature"] == "hot").sum()), at_risk=int(risk.sum()),
        at_risk_revenue=float(table.loc[risk, "revenue"].sum()),
        problems=len(analysis.validation.drop_duplicates()),
        prospects=int((table["customer_type"] == "prospect").sum()),
        ordering=int((table["orders"] > 0).sum()),
        priced=int((known & (table["orders"] > 0)).sum()))
