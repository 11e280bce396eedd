"""Portable JSON Schemas for the MCP tools, derived from the pydantic models.

The tool arguments are the models themselves (``HEP``, ``ProgressNote``): their JSON
Schema is what ``tools/list`` publishes, post-processed so every client can use it:

* local ``$ref``s are inlined and ``$defs`` dropped (a self-contained schema; several
  clients mishandle references);
* ``X | None`` becomes plain ``X`` (leave the field out for "none"): one ``type`` per
  node, no ``null`` branch, no ``default: null``;
* titles are dropped (the field name and description say it);
* every leaf gets ``examples``: the field's own, else the value in a bundled example
  document (the example HEP), else the ``e.g. ...`` of its description.

Nothing here is specific to one field: new fields, enum values and formats flow through.
This module does not import the MCP SDK.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

DEFS = "#/$defs/"
_EG = re.compile(r"\be\.g\. (?:'([^']{1,200})'|\[([^\]]{1,200})\]|([0-9][0-9.-]{0,20}[0-9]|[0-9]))")
LEAF_TYPES = ("string", "integer", "number", "boolean")


def _inline(node: Any, defs: dict, depth: int = 0) -> Any:
    if depth > 40:
        raise ValueError("schema nests too deep to inline (a recursive model?)")
    if isinstance(node, list):
        return [_inline(v, defs, depth + 1) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(DEFS):
        target = _inline(defs[ref[len(DEFS) :]], defs, depth + 1)
        siblings = {k: _inline(v, defs, depth + 1) for k, v in node.items() if k != "$ref"}
        return {**target, **siblings}
    return {k: _inline(v, defs, depth + 1) for k, v in node.items() if k != "$defs"}


def _simplify(node: Any, top: bool = True, nullable: bool = False) -> Any:
    """Collapse ``anyOf [X, null]`` to X (unless ``nullable``: results keep their nulls),
    drop titles and null defaults, recursively."""
    if isinstance(node, list):
        return [_simplify(v, False, nullable) for v in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    branches = node.get("anyOf")
    if isinstance(branches, list) and not nullable:
        real = [b for b in branches if not (isinstance(b, dict) and b.get("type") == "null")]
        if len(real) == 1 and len(real) < len(branches):
            node.pop("anyOf")
            merged = {**real[0], **{k: v for k, v in node.items()}}
            node = merged
    if "default" in node and node["default"] is None and not nullable:
        node.pop("default")
    if not top:
        node.pop("title", None)
    out = {}
    for k, v in node.items():
        if k == "properties" and isinstance(v, dict):
            out[k] = {name: _simplify(sub, False, nullable) for name, sub in v.items()}
        elif k in ("items", "anyOf", "oneOf", "allOf", "additionalProperties", "prefixItems"):
            out[k] = _simplify(v, False, nullable)
        else:
            out[k] = v
    return out


def _eg_value(node: dict) -> Any:
    """The ``e.g.`` of a description, typed like the node (None: no usable example)."""
    m = _EG.search(node.get("description") or "")
    if not m:
        return None
    quoted, listed, number = m.groups()
    kind = node.get("type")
    try:
        if kind == "string" and quoted is not None:
            return quoted
        if kind == "string" and number is not None and node.get("format") == "date":
            return number
        if kind == "integer" and number is not None:
            return int(number)
        if kind == "number" and number is not None:
            return float(number) if "." in number else int(number)
        if kind == "array" and listed is not None:
            quoted_items = re.findall(r"'([^']{1,200})'", listed)
            return quoted_items or [p.strip() for p in listed.split(",") if p.strip()]
    except ValueError:
        return None
    return None


def _examples(node: Any, example: Any) -> None:
    """Add ``examples`` to leaves (and arrays of leaves), in place."""
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties") or {}
        for name, sub in props.items():
            _examples(sub, example.get(name) if isinstance(example, dict) else None)
        return
    items = node.get("items")
    if kind == "array" and isinstance(items, dict) and items.get("type") == "object":
        _examples(items, example[0] if isinstance(example, list) and example else None)
        return
    if "examples" in node or "enum" in node or "const" in node or node.get("default") not in (None, [], {}):
        return
    value = example if example is not None and not isinstance(example, dict) else _eg_value(node)
    if value is None and kind == "array" and isinstance(items, dict):
        item = _eg_value({**items, "description": node.get("description")})
        value = [item] if item is not None else None
    if value is not None:
        node["examples"] = [value]


def portable(schema: dict | None, example: Any = None, nullable: bool = False) -> dict | None:
    """A self-contained, single-type-per-node copy of a pydantic JSON Schema.

    ``nullable``: keep ``anyOf [X, null]`` (for results, whose optional values are null);
    arguments drop the null branch (leave the field out instead). Examples: arguments only.
    """
    if schema is None:
        return None
    defs = schema.get("$defs") or {}
    out = _simplify(_inline(copy.deepcopy(schema), defs), nullable=nullable)
    if not nullable:
        _examples(out, example)
    return out


@functools.lru_cache(maxsize=16)
def _model_schema_cached(model: type, example_key: str | None) -> dict:
    example = _bundled_example(example_key) if example_key else None
    return portable(model.model_json_schema(mode="validation"), example)


def model_schema(model: type, example: str | None = None, description: str | None = None) -> dict:
    """The portable schema of a pydantic model; ``example``: a bundled example file's name."""
    out = copy.deepcopy(_model_schema_cached(model, example))
    if description:
        out["description"] = description
    out.pop("title", None)
    return out


def _bundled_example(name: str) -> Any:
    from importlib import resources

    import yaml

    return yaml.safe_load(resources.files("hep_mcp").joinpath("examples", name).read_text(encoding="utf-8"))


# -- formats ---------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _format_lines() -> dict:
    from hep_mcp.config import load_data

    return load_data("formats.yaml")


def format_description(kind: str, formats: tuple[str, ...], lead: str) -> str:
    """``lead`` then one line per format value: who it is for and what it looks like."""
    lines = _format_lines().get(kind) or {}
    parts = [f"{f}: {lines[f]}" if f in lines else f for f in formats]
    return lead + " " + " | ".join(parts)


# -- checks (tests and lint) -----------------------------------------------------


def walk(node: Any, path: str = ""):
    """(path, node) for every subschema of a JSON Schema."""
    if not isinstance(node, dict):
        return
    yield path, node
    for name, sub in (node.get("properties") or {}).items():
        yield from walk(sub, f"{path}.{name}" if path else name)
    items = node.get("items")
    if isinstance(items, dict):
        yield from walk(items, f"{path}[]")
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(node.get(key) or ()):
            yield from walk(sub, f"{path}.{key}[{i}]")
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        yield from walk(extra, f"{path}{{}}")


def problems(schema: dict, described: bool = True, examples: bool = False) -> list[str]:
    """What makes a schema less than fully typed: untyped nodes, type arrays, refs,
    properties without a description, leaves without an example."""
    out = []
    for path, node in walk(schema):
        where = path or "(root)"
        if "$ref" in node or "$defs" in node:
            out.append(f"{where}: $ref/$defs (not self-contained)")
        branches = [k for k in ("anyOf", "oneOf", "allOf") if k in node]
        kind = node.get("type")
        if isinstance(kind, list):
            out.append(f"{where}: type is a list {kind}")
        elif kind is None and not branches and "enum" not in node and "const" not in node:
            out.append(f"{where}: no type")
        is_property = bool(path) and not path.endswith("[]") and not path.endswith("]")
        if described and is_property and not node.get("description"):
            out.append(f"{where}: no description")
        leaf = kind in LEAF_TYPES or (kind == "array" and (node.get("items") or {}).get("type") in LEAF_TYPES)
        if examples and is_property and leaf and kind != "boolean" and "enum" not in node and "examples" not in node and "default" not in node:
            out.append(f"{where}: no example")
    return out
