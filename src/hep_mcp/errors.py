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


def pydantic_message(exc, prefix: str = "") -> str:
    """One line per invalid field: `field.path: what is expected` (field names and
    messages quoted short and escaped; at most MAX_ERRORS fields, then how many more)."""
    parts = []
    errors = exc.errors()
    for err in errors[:MAX_ERRORS]:
        loc = ".".join(excerpt(p, 40) for p in err.get("loc", ()))
        where = f"{prefix}{loc}" if loc else (prefix.rstrip(".") or "input")
        msg = err.get("msg", "invalid value")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        parts.append(f"{where}: {excerpt(msg, 200)}")
    if len(errors) > MAX_ERRORS:
        parts.append(f"and {len(errors) - MAX_ERRORS} more")
    return "; ".join(parts)
