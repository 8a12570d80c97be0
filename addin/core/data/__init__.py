"""Data files of the core (``aliases.toml``), read the same from an install and from the
xlwings Lite bundle, where :mod:`addin.app.lite` embeds them in :data:`EMBEDDED`."""

from __future__ import annotations

from pathlib import Path

#: File name -> text, for a copy of the package that has no folder to read them from.
EMBEDDED: dict[str, str] = {}


def text(name: str) -> str:
    """The text of one of the core's data files."""
    if name in EMBEDDED:
        return EMBEDDED[name]
    return Path(__file__).with_name(name).read_text(encoding="utf-8")
