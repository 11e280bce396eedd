"""Failure classes of the reader and the exercise / description / dosing checks, each with a
draft written the way a different author would write it (not in the reader's own style).

Each class has a clean draft that must raise nothing in the element, and where it matters a
flawed twin that must still raise it (precision and recall together)."""

from __future__ import annotations

from hep_mcp.check import check_draft
from hep_mcp.rules.parse import parse


def _rules(text: str, element: str) -> list[str]:
    report = check_draft(text, kind="hep")
    return [f.rule for f in report.findings if f.element == element and f.severity in ("error", "warning")]


# -- a dose start that is also a movement ("Hold the counter and ...") is description ------------

HOLD_HOW = """Morning Pat! Balance set for this week, short and sweet:

1. Heel raises. Hold the counter with both hands. Come up on your toes and lower slowly, the way you did by the rail.
2. Side steps. Hold the counter and step to the side 5 steps, then come back. We finished with these today.
3. One-leg stand. Hold the counter and lift one foot a little for 10 seconds. That was the last one in clinic.
"""


def test_hold_sentence_that_says_how_counts_as_description():
    assert "DS001" not in _rules(HOLD_HOW, "descriptions")


def test_dose_only_sentences_still_do_not_count():
    thin = HOLD_HOW.replace(
        "2. Side steps. Hold the counter and step to the side 5 steps, then come back. We finished with these today.",
        "2. Side steps. Hold for 5 seconds.",
    )
    assert "DS001" in _rules(thin, "descriptions")
