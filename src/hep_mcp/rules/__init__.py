"""Layer 2: the rule engine, the rules by element, and free-text parsing."""

from __future__ import annotations

from hep_mcp.config import Config
from hep_mcp.model import Report
from hep_mcp.rules.engine import RuleSpec, catalog, rules_for, run

NOTE_CUES = [
    r"\bprogress (report|note)\b",
    r"\breporting period\b",
    r"^[ \t]*(#+[ \t]*)?(\*\*)?(S|O|A|P|subjective|objective|assessment|plan)(\*\*)?[ \t]*[:\n]",
    r"\bplan of care\b",
    r"\bskilled\b",
    r"\bbaseline\b",
    r"\btreatment days?\b",
    r"\bvisits? \d+",
    r"\b(PT|DPT|PTA|MPT)\b,?\s*$",
    r"\b(?:long[- ]term goal|short[- ]term goal|stg\b|ltg\b)",
    r"\bpatient (reports|states|was|is)\b",
    r"\bnon-?complian",
]
# Phrases a handout for a patient never uses: one is enough to call the text a note.
STRONG_NOTE_CUES = [
    # as a title or label, not "I'll send your progress report to Dr. Shah" in a handout
    r"^[ \t]*+[#*_]*+[ \t]*+(?:physical therapy |pt |daily |weekly )?(?:progress (?:report|note)|treatment note|daily note)\b",
    # a daily treatment note records the home program's change: "HEP updated: ..."
    r"^[ \t]*+(?:[-*][ \t]++)?(?:\*\*)?(?:HEP|home (?:exercise )?program) (?:updated|reviewed|progressed|issued|modified|changed|given)\b",
    r"\breporting period\b",
    r"\b(patient|pt)\.? (is |was )?(non-?complian|non-?adheren|unmotivated|refused)",
]


def detect_kind(text: str) -> str:
    """'note' when the text reads like a progress note (3 or more note cues), else 'hep'."""
    from hep_mcp.rules.engine import _combine

    lowered = text.lower()
    strong = _combine(tuple(STRONG_NOTE_CUES))
    if strong.possible(lowered) and strong.find(text, lowered):
        return "note"
    hits = 0
    for p in NOTE_CUES:
        cue = _combine((p,))
        if cue.possible(lowered) and cue.find(text, lowered):
            hits += 1
            if hits >= 3:
                return "note"
    return "hep"


def check_text(
    text: str,
    kind: str = "auto",
    config: Config | None = None,
    condition: str | None = None,
    language: str | None = None,
) -> Report:
    """Check a free-text draft (Markdown or plain). ``language``: None (or "auto") detects
    it (hep_mcp.lang.detect); "en" or "es" forces it. The report says which it read."""
    if kind == "auto":
        kind = detect_kind(text)
    return run(text, kind=kind, config=config, condition=condition, language=language)


__all__ = ["RuleSpec", "catalog", "check_text", "detect_kind", "rules_for", "run"]
