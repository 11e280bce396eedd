"""The documented error types. Every public entry point raises only these."""

from __future__ import annotations


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


def pydantic_message(exc, prefix: str = "") -> str:
    """One line per invalid field: `field.path: what is expected`."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        where = f"{prefix}{loc}" if loc else (prefix.rstrip(".") or "input")
        msg = err.get("msg", "invalid value")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field (check the spelling)"
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)
