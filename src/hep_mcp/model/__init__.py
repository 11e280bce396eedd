"""Layer 1: pydantic models shared by every other layer."""

from hep_mcp.model.findings import (
    ELEMENTS,
    HEP_ELEMENTS,
    NOTE_ELEMENTS,
    Finding,
    Readability,
    Report,
    Severity,
)
from hep_mcp.model.hep import (
    CONDITIONS,
    HEP,
    Condition,
    Exercise,
    Feedback,
    Milestone,
    ResponseRules,
    Schedule,
)

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
