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


# -- one sub-bullet under a bare name is its description, not a step list ---------------------

NAME_THEN_BULLET = """Owen -- heel program

Exercises:
* Wall lean
    * Front foot forward, sore heel back and flat. Lean into the wall for 30 seconds, 3 times. Our first one today.
* Toe lifts
    * Seated, lift your toes and keep the heels down, 10 times. Same as on the bench this morning.
* Marble pick-up
    * Pick up 10 marbles with your toes and drop them in a cup. We finished with it.
"""


def test_sub_bullet_under_a_name_is_the_description():
    d = parse(NAME_THEN_BULLET)
    assert [e.name for e in d.exercises] == ["Wall lean", "Toe lifts", "Marble pick-up"]
    assert all(e.description_text and e.steps == 0 for e in d.exercises)
    assert "DS001" not in _rules(NAME_THEN_BULLET, "descriptions")


def test_a_real_step_list_is_still_steps():
    steps = NAME_THEN_BULLET.replace(
        "    * Front foot forward, sore heel back and flat. Lean into the wall for 30 seconds, 3 times. Our first one today.\n",
        "    * Face the wall\n    * Foot back\n    * Heel down\n    * Lean\n",
    )
    d = parse(steps)
    assert d.exercises[0].steps == 4 and not d.exercises[0].description_text
    assert "DS001" in _rules(steps, "descriptions")


# -- a word processor's pasted bullets ("•<tab>", "o<tab>") under plain-line headings ----------

WORD_PASTE = (
    "Dear Mr Okafor,\n\n"
    "Home exercises\n"
    "\u2022\tChair rise\n"
    "o\tSit near the front of a firm chair, lean forward and stand up, then sit down slowly. You did 5 of these with me.\n"
    "\u2022\tMarching\n"
    "o\tSitting tall, lift one knee, then the other, 10 times. As you did by the window.\n"
    "\u2022\tAnkle circles\n"
    "o\tDraw slow circles with each foot, 10 each way. We started with these.\n\n"
    "Goal for next Thursday\n"
    "\u2022\tStand up from the chair 5 times without using your hands.\n"
)


def test_word_sub_bullets_nest_and_plain_headings_join_their_list():
    d = parse(WORD_PASTE)
    assert [e.name for e in d.exercises] == ["Chair rise", "Marching", "Ankle circles"]
    assert d.exercises[1].description_text.startswith("Sitting tall")
    assert [(no, el) for no, _, el in d.headings] == [(3, "exercises"), (11, "milestone")]
    assert "Stand up from the chair" in " ".join(ln.text for ln in d.section("milestone"))


# -- a table row's cells share its line: each cell is read for dosing ---------------------------

TABLE = """Ruth, your plan:

| Move | How to do it | Amount | When |
|---|---|---|---|
| Chair rise | Sit on a firm chair, lean forward and stand up. Sit down slowly, the way we did it today. | 5 times | After breakfast |
| Knee kick | Sit tall, straighten one knee, then lower it. Same as in clinic. | 10 each side | After breakfast |

In the kitchen. If pain goes up more than 2 points, stop that one for today.
"""


def test_table_amount_cells_count_as_the_amount():
    assert "DO005" not in _rules(TABLE, "dosing")
    no_amount = TABLE.replace("| 5 times |", "| |").replace("| 10 each side |", "| |")
    assert "DO005" in _rules(no_amount, "dosing")


def test_a_count_of_an_exercise_by_its_name_is_the_amount():
    text = TABLE.replace(" Amount |", "").replace("|---|---|---|---|", "|---|---|---|").replace(" 5 times |", "").replace(" 10 each side |", "")
    text = text.replace("In the kitchen.", "In the kitchen. Do 5 chair rises and 10 knee kicks.")
    assert "DO005" not in _rules(text, "dosing")
    assert "DO005" in _rules(text.replace(" Do 5 chair rises and 10 knee kicks.", ""), "dosing")
