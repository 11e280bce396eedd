"""The micro-contract (contract_rules.yaml): a low confidence needs a change to the plan.

"How confident are you, 0 to 10, that you can do this three times before next
session?" Under 7, the therapist asks "what would make it a 9?" and changes the
plan. ``generate_hep`` passes the structured answer in ``ctx.extra``
(``confidence``, ``confidence_change``); a free-text draft can state it
("Confidence: 5/10"), and a recorded change there is a line that says what
would make it a 9 or what was changed.
"""

from __future__ import annotations

import re

from hep_mcp.rules.engine import Context, hit, rule

CONFIDENCE = re.compile(
    r"\bconfiden(?:ce|t)\b[^.\n]{0,40}?\b(10|\d)\s*(?:/|out of)\s*10\b"
    r"|\b(10|\d)\s*(?:/|out of)\s*10\b[^.\n]{0,30}?\b(?:confiden(?:ce|t)|sure)\b",
    re.IGNORECASE,
)
CHANGE = re.compile(
    r"\bmake it an? (?:9|nine)\b[^?\n]*?(?::|-|—)\s*\S"
    r"|\b(?:so we|we|i)\s+(?:changed|moved|switched|cut|swapped|adjusted|made)\b"
    r"|\b(?:changed|change made|adjusted|plan change)\s*:\s*\S",
    re.IGNORECASE,
)


_NEEDED = re.compile(r"confiden|\bsure\b")


def _from_text(ctx: Context) -> tuple[int | None, int | None, bool]:
    """(confidence, its line, change recorded) as written in a free-text draft."""
    found, line = None, None
    if not any(_NEEDED.search(t) for t in ctx.lowered):  # the pattern needs one of these words
        return None, None, False
    for ln in ctx.draft.lines:
        m = CONFIDENCE.search(ln.text)
        if m:
            found, line = int(m.group(1) or m.group(2)), ln.no
            break
    changed = any(CHANGE.search(ln.text) for ln in ctx.draft.lines)
    return found, line, changed


@rule("MS005")
def low_confidence(ctx: Context):
    if "confidence" in ctx.extra:
        value = ctx.extra.get("confidence")
        changed = bool((ctx.extra.get("confidence_change") or "").strip())
        line = None
    else:
        value, line, changed = _from_text(ctx)
    threshold = ctx.config.confidence_threshold
    if value is not None and value < threshold and not changed:
        yield hit(line, confidence=value, threshold=threshold)
