"""Every request the fake receives, checked against Google's published discovery documents.

``google-api-python-client`` ships the discovery documents of the Sheets v4 and Drive v3 APIs
(``googleapiclient/discovery_cache/documents``).  :func:`problems` checks a request's query
parameters (names, enum values, booleans) and its JSON body, recursively, against the method's
request schema: every field name must exist, every value must have the field's type, every enum
value must be one of the field's.  A misspelled field or enum then fails the test that sent it,
not a production run against Google.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
#: Fake route kind -> (discovery document, resource path, method).
METHODS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "spreadsheets.get": ("sheets.v4", ("spreadsheets",), "get"),
    "spreadsheets.create": ("sheets.v4", ("spreadsheets",), "create"),
    "spreadsheets.batchUpdate": ("sheets.v4", ("spreadsheets",), "batchUpdate"),
    "values.get": ("sheets.v4", ("spreadsheets", "values"), "get"),
    "values.batchGet": ("sheets.v4", ("spreadsheets", "values"), "batchGet"),
    "values.update": ("sheets.v4", ("spreadsheets", "values"), "update"),
    "values.append": ("sheets.v4", ("spreadsheets", "values"), "append"),
    "values.batchUpdate": ("sheets.v4", ("spreadsheets", "values"), "batchUpdate"),
    "values.clear": ("sheets.v4", ("spreadsheets", "values"), "clear"),
    "values.batchClear": ("sheets.v4", ("spreadsheets", "values"), "batchClear"),
    "drive.create": ("drive.v3", ("files",), "create"),
    "drive.list": ("drive.v3", ("files",), "list"),
    "drive.get": ("drive.v3", ("files",), "get"),
    "drive.delete": ("drive.v3", ("files",), "delete"),
}


@cache
def document(name: str) -> dict[str, Any]:
    """A discovery document (``sheets.v4``, ``drive.v3``), parsed once."""
    return json.loads((DOCUMENTS / f"{name}.json").read_text(encoding="utf-8"))


def method(kind: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The discovery document and method description of a fake route kind."""
    if kind not in METHODS:
        return None
    name, resources, verb = METHODS[kind]
    doc = document(name)
    node: Mapping[str, Any] = doc
    for resource in resources:
        node = node["resources"][resource]
    return doc, node["methods"][verb]


def problems(kind: str, query: Mapping[str, list[str]], body: Any) -> list[str]:
    """What in a request Google's API would not recognise (empty when all is well)."""
    found = method(kind)
    if found is None:
        return []
    doc, described = found
    out = []
    known = {**doc.get("parameters", {}), **described.get("parameters", {})}
    for name, values in query.items():
        spec = known.get(name)
        if spec is None:
            out.append(f"{kind}: unknown query parameter {name!r}")
            continue
        for value in values:
            out += _scalar(value, spec, f"{kind}?{name}", query=True)
    request = described.get("request")
    if request is not None and body not in (None, {}):
        out += check(body, request, doc["schemas"], kind)
    elif request is None and body not in (None, {}, b""):
        out.append(f"{kind}: takes no request body")
    return out


def check(value: Any, spec: Mapping[str, Any], schemas: Mapping[str, Any],
          where: str) -> list[str]:
    """``value`` against a schema node; the problems found, each naming its path."""
    if "$ref" in spec:
        spec = schemas[spec["$ref"]]
    kind = spec.get("type")
    if kind == "any" or kind is None:
        return []
    if kind == "object":
        if not isinstance(value, Mapping):
            return [f"{where}: expected an object, got {value!r}"]
        out = []
        fields = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        for name, item in value.items():
            if name in fields:
                out += check(item, fields[name], schemas, f"{where}.{name}")
            elif extra is not None:
                out += check(item, extra, schemas, f"{where}.{name}")
            else:
                out.append(f"{where}: unknown field {name!r} (Invalid JSON payload received. "
                           f'Unknown name "{name}")')
        return out
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {value!r}"]
        return [p for i, item in enumerate(value)
                for p in check(item, spec.get("items", {}), schemas, f"{where}[{i}]")]
    return _scalar(value, spec, where)


def _scalar(value: Any, spec: Mapping[str, Any], where: str, query: bool = False) -> list[str]:
    """A string, number, integer or boolean, typed as JSON (or as query text)."""
    kind, fmt = spec.get("type"), spec.get("format")
    if query:  # query parameters arrive as text
        if kind == "boolean" and value.lower() not in ("true", "false"):  # Google: any case
            return [f"{where}: {value!r} is not true or false"]
        if kind == "integer" and not value.lstrip("-").isdigit():
            return [f"{where}: {value!r} is not an integer"]
    elif kind == "string":
        integral = fmt in ("int64", "uint64") and isinstance(value, int) \
            and not isinstance(value, bool)
        if not isinstance(value, str) and not integral:
            return [f"{where}: expected text, got {value!r}"]
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{where}: expected an integer, got {value!r}"]
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [f"{where}: expected a number, got {value!r}"]
    elif kind == "boolean" and not isinstance(value, bool):
        return [f"{where}: expected true or false, got {value!r}"]
    enum = spec.get("enum")
    if enum is not None and value not in enum:
        return [f"{where}: {value!r} is not one of {', '.join(enum)}"]
    return []
