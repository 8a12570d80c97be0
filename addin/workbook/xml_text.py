"""XML parts edited as text: read and set attributes, find the prefix a part uses.

potentiel edits the parts of a user's workbook it must touch (workbook.xml, .rels parts,
[Content_Types].xml, a sheet's formulas) as text rather than through a parser's tree, so
namespace prefixes, ``mc:Ignorable`` and unknown extensions survive byte for byte.  These are
the few helpers that make that safe: attributes read under any prefix and unescaped, values
written quoted, and the prefixes really declared where a new element goes.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr


def attribute(element: str, name: str) -> str | None:
    """Value of an attribute in an element's start tag (any namespace prefix), unescaped."""
    match = re.search(r"[\s<](?:\w+:)?" + re.escape(name) + r"\s*=\s*(\"[^\"]*\"|'[^']*')",
                      element)
    return None if match is None else unescape(match.group(1)[1:-1])


def unescape(text: str) -> str:
    """XML entities back to characters (the five named ones and numeric references)."""
    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        named = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
        if body in named:
            return named[body]
        return chr(int(body[2:], 16) if body[:2] in ("#x", "#X") else int(body[1:]))
    return re.sub(r"&(#?\w+);", one, text)


def set_attribute(element: str, name: str, value: str) -> str:
    """An element's start tag with attribute ``name`` set to ``value`` (added if absent)."""
    pattern = re.compile(r"(\s" + re.escape(name) + r"\s*=\s*)(\"[^\"]*\"|'[^']*')")
    if pattern.search(element):
        return pattern.sub(lambda m: m.group(1) + quoteattr(value), element, count=1)
    end = element.rstrip().rstrip("/>").rstrip(">")
    tail = element[len(end):]
    return f"{end} {name}={quoteattr(value)}{tail}"


def prefix_of(xml: str, local: str) -> str:
    """The namespace prefix (with its colon, or '') the part uses for element ``local``."""
    match = re.search(r"<(\w+:)?" + local + r"[\s>/]", xml)
    return (match.group(1) or "") if match else ""


def declared_prefix(xml: str, namespace: str) -> str | None:
    """The prefix the part's root element declares for ``namespace``, or None.

    Only the root's declarations are in scope everywhere: openpyxl (with lxml) declares the
    relationships namespace on each ``<sheet>`` instead, and a prefix copied from there into a
    new element would be unbound.
    """
    root = re.search(r"<(?![?!])[^>]*>", xml)
    found = re.search(r"\sxmlns:(\w+)\s*=\s*[\"']" + re.escape(namespace) + "[\"']",
                      root.group(0) if root else "")
    return found.group(1) if found else None

