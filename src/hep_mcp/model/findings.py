"""Findings and reports: the one result shape for HEPs and notes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

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

    fk_grade: float | None = Field(default=None, description="Flesch-Kincaid grade level (English drafts).")
    smog: float | None = Field(default=None, description="SMOG index (English drafts).")
    fernandez_huerta: float | None = Field(
        default=None, description="Fernández-Huerta reading ease, 0-100, higher is easier (Spanish drafts)."
    )
    szigriszt_pazos: float | None = Field(
        default=None, description="Szigriszt-Pazos perspicuity, read on the INFLESZ scale, 0-100, higher is easier (Spanish drafts)."
    )
    inflesz: str | None = Field(
        default=None, description="The INFLESZ band in Spanish: muy difícil, algo difícil, normal, bastante fácil, muy fácil."
    )

    @model_serializer(mode="wrap")
    def _figures_read(self, handler):
        # only the figures of the draft's language: an English report keeps its two keys
        return {k: v for k, v in handler(self).items() if v is not None}


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
