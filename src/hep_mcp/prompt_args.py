"""Prompt and resource-template arguments: their valid values (for ``completion/complete``)
and their checks, so a prompt never points at a library entry or a format that does not
exist. Does not import the MCP SDK.

* ``condition``: a library key or alias (clinic folders included), or ``other``; an alias
  becomes its key; a clinic condition that is not a HEP ``condition`` value is drafted as
  ``other`` with the entry's red flags;
* ``channel`` / ``format``: a ``generate_hep`` format;
* ``kind``: ``auto``, ``hep`` or ``note`` (``check_hep_rules``);
* ``language``: the code of a shipped language pack (``en``, ``es``): the language the
  patient's handout is written in.
"""

from __future__ import annotations

import functools
from typing import Any

from hep_mcp.errors import InputError

KINDS = ("auto", "hep", "note")
MAX_VALUES = 100  # the protocol's limit per completion answer


@functools.lru_cache(maxsize=8)
def condition_names(library_dirs: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Library keys, then their aliases (each once), then ``other``."""
    from hep_mcp import library

    keys = library.conditions(library_dirs)
    aliases = [a for k in keys for a in library.lookup(k, library_dirs).aliases]
    return tuple(dict.fromkeys([*keys, *aliases, "other"]))


def _formats() -> tuple[str, ...]:
    from hep_mcp.render import FORMATS

    return tuple(FORMATS)


def languages() -> tuple[str, ...]:
    """Codes of the shipped language packs, English first."""
    from hep_mcp import lang

    return lang.languages()


def values(argument: str, library_dirs: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """Every valid value of an argument by its name; None: free text."""
    if argument == "condition":
        return condition_names(tuple(library_dirs))
    if argument in ("channel", "format"):
        return _formats()
    if argument == "kind":
        return KINDS
    if argument == "language":
        return languages()
    return None


def complete(argument: str, partial: str, library_dirs: tuple[str, ...] = ()) -> list[str]:
    """Valid values starting with ``partial`` (case-insensitive), then those containing it."""
    options = values(argument, library_dirs)
    if options is None:
        return []
    typed = (partial or "").strip().lower().replace(" ", "_").replace("-", "_")
    first = [v for v in options if v.lower().startswith(typed)]
    then = [v for v in options if typed and typed in v.lower() and v not in first]
    return (first + then)[:MAX_VALUES]


def check(arguments: dict[str, Any], library_dirs: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, Any]]:
    """(arguments with canonical values, extra template context); InputError when a value
    has no match, listing the valid ones."""
    from hep_mcp import library
    from hep_mcp.model import CONDITIONS

    out = {k: str(v) for k, v in arguments.items()}
    extra: dict[str, Any] = {}
    condition = out.get("condition", "").strip()
    if condition:
        key = condition.lower().replace(" ", "_").replace("-", "_")
        if key == "other":
            out["condition"] = "other"
            extra.update(library_entry=False, hep_condition="other")
        else:
            try:
                entry = library.lookup(condition, library_dirs)
            except InputError:
                known = library.conditions(library_dirs)
                raise InputError(
                    f"condition: unknown {condition!r:.60}; expected a library condition ({', '.join(known)}) "
                    "or other (the therapist then names the red flags)"
                ) from None
            out["condition"] = entry.condition
            extra.update(library_entry=True, hep_condition=entry.condition if entry.condition in CONDITIONS else "other")
    for name in ("channel", "format"):
        given = out.get(name, "").strip()
        if given:
            formats = _formats()
            if given.lower() not in formats:
                raise InputError(f"{name}: unknown {given!r:.60}; expected one of {', '.join(formats)}")
            out[name] = given.lower()
    given = out.get("language", "").strip()
    if given:
        codes = languages()
        code = given.lower()
        if code not in codes:
            raise InputError(f"language: unknown {given!r:.60}; expected one of {', '.join(codes)}")
        from hep_mcp import lang

        out["language"] = code
        extra["language_name"] = lang.info(code).get("name", code)
    return out, extra
