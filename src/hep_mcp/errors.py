"""The documented error types. Every public entry point raises only these."""

from __future__ import annotations

import re


class HepError(Exception):
    """Base class: a one-line, user-facing message (never a traceback)."""


class InputError(HepError):
    """Bad input: the message names the field or file and what is expected."""


class MissingTherapistInput(InputError):
    """The therapist must supply a field the tool will never invent."""

    def __init__(self, fields: list[str]):
        self.fields = fields
        names = ", ".join(fields)
        super().__init__(
            f"missing {names}: the therapist must supply "
            + ("these" if len(fields) > 1 else "this")
            + "; hep-mcp never invents exercises, dosing, milestones or channels"
        )


EXCERPT = 80  # the most of anyone's text a message or finding ever quotes
MAX_ERRORS = 10  # invalid fields listed in one message
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """Text quoted in a message: at most ``limit`` characters (then "…"), on one line,
    control and invisible characters shown as escapes (no terminal or bidi tricks)."""
    text = str(value)[: limit * 2]
    text = _UNSAFE.sub(lambda m: _NAMED.get(m.group(), f"\\u{ord(m.group()):04x}"), text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pydantic_message(exc, prefix: str = "", model=None) -> str:
    """One line per invalid field: `field.path: what is expected` (field names and
    messages quoted short and escaped; at most MAX_ERRORS fields, then how many more).

    With ``model`` (the pydantic model that was validated), an unknown field names the
    closest valid fields (`adherence.format_change: unknown field; did you mean
    adherence.change?`) and a missing one says what it is (its description).
    """
    parts = []
    errors = exc.errors()
    for err in errors[:MAX_ERRORS]:
        path = [excerpt(p, 40) for p in err.get("loc", ())]
        loc = ".".join(path)
        where = f"{prefix}{loc}" if loc else (prefix.rstrip(".") or "input")
        msg = err.get("msg", "invalid value")
        if err.get("type") == "extra_forbidden":
            msg = unknown_field_hint(model, path)
        elif err.get("type") == "missing" and model is not None:
            about = _field_at(model, path)
            desc = getattr(about, "description", None) if about is not None else None
            msg = f"{msg}: {_as_clause(desc)}" if desc else msg
        parts.append(f"{where}: {excerpt(msg, 300)}")
    if len(errors) > MAX_ERRORS:
        parts.append(f"and {len(errors) - MAX_ERRORS} more")
    return "; ".join(parts)


def _as_clause(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _submodel(annotation):
    """The pydantic model inside an annotation (``X``, ``X | None``, ``list[X]``), or None."""
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _submodel(arg)
        if found is not None:
            return found
    return None


def _model_at(model, path: list[str]):
    """The model that holds the last part of ``path`` (list indexes skipped)."""
    for part in path[:-1]:
        if part.isdigit() or model is None:
            continue
        field = model.model_fields.get(part)
        model = _submodel(field.annotation) if field is not None else None
    return model


def _field_at(model, path: list[str]):
    holder = _model_at(model, path)
    return holder.model_fields.get(path[-1]) if holder is not None and path else None


def unknown_field_hint(model, path: list[str]) -> str:
    """`unknown field; did you mean a.b?` (difflib), or the valid names at that place."""
    import difflib

    holder = _model_at(model, path) if model is not None and path else None
    if holder is None:
        return "unknown field (check the spelling)"
    names = list(holder.model_fields)
    head = [p for p in path[:-1]]
    close = difflib.get_close_matches(path[-1], names, n=2, cutoff=0.5)
    close += [n for n in names if n not in close and len(n) > 3 and (n in path[-1] or path[-1] in n)][: 2 - len(close)]
    if close:
        return "unknown field; did you mean " + " or ".join(".".join([*head, c]) for c in close) + "?"
    return "unknown field; expected one of " + ", ".join(names)
