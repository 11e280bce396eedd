"""Findings and reports: the one result shape for HEPs and notes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["error", "warning", "info"]

HEP_ELEMENTS = (
    "exercises",
    "descriptions",
    "dosing",
    "response_rules",
    "feedback",
    "milestone",
    "plain_language",
    "safety",
    "privacy",
    "format",
)
NOTE_ELEMENTS = (
    "period",
    "subjective",
    "objective",
    "goals",
    "assessment",
    "skilled_need",
    "plan",
    "adherence",
    "signature",
    "language",
    "privacy",
)
ELEMENTS = tuple(dict.fromkeys(HEP_ELEMENTS + NOTE_ELEMENTS))

SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}


class Finding(BaseModel):
    """One thing a rule found, with where and what to do about it."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(description="Stable rule ID, e.g. EX001.")
    element: str = Field(description="Element tag the rule belongs to.")
    severity: Severity
    message: str
    line: int | None = Field(default=None, description="1-based line in the checked text.")
    suggestion: str | None = None


class Readability(BaseModel):
    """Reading-grade figures of the prose sentences (textstat, pinned)."""

    model_config = ConfigDict(extra="forbid")

    fk_grade: float = Field(description="Flesch-Kincaid grade level.")
    smog: float = Field(description="SMOG index.")


class Report(BaseModel):
    """The result of checking one draft."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["hep", "note", "pack"]
    language: str = Field(default="en", description="The language the draft was read in (en, es): detected unless forced.")
    ready: bool = Field(description="True when no error-level finding remains.")
    readability: Readability | None = None
    findings: list[Finding] = Field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")
