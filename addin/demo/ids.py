"""The ids of the demo customers, shared by the clean book and its messy variant."""

from __future__ import annotations


def customer_id(number: int, n_customers: int) -> str:
    """The id :func:`addin.demo.book.generate` gives its ``number``-th customer (1-based): ids
    beyond ``n_customers`` are free for unknown-customer cases."""
    return f"C{number:0{max(5, len(str(n_customers)))}d}"
