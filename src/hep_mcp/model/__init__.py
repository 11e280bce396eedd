"""Layer 1: pydantic models shared by every other layer.

The findings models load with the package; the HEP models (the bulk of the schema work
pydantic does at import) load on first use, so checking a draft does not build them.
"""

from hep_mcp.model.findings import (
    ELEMENTS,
    HEP_ELEMENTS,
    NOTE_ELEMENTS,
    Finding,
    Readability,
    Report,
    Severity,
)

_FROM_HEP = ("CONDITIONS", "HEP", "Condition", "Exercise", "Feedback", "Milestone", "ResponseRules", "Schedule")


def __getattr__(name: str):
    if name in _FROM_HEP:
        from hep_mcp.model import hep

        return getattr(hep, name)
    raise AttributeError(f"module 'hep_mcp.model' has no attribute {name!r}")


__all__ = [
    "CONDITIONS",
    "ELEMENTS",
    "HEP",
    "HEP_ELEMENTS",
    "NOTE_ELEMENTS",
    "Condition",
    "Exercise",
    "Feedback",
    "Finding",
    "Milestone",
    "Readability",
    "Report",
    "ResponseRules",
    "Schedule",
    "Severity",
]
