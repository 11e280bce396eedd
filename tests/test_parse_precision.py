"""Misread classes found on the second and third held-out sets, each tested with a draft in a
different layout than the held-out draft that showed it (a class, not that draft), with a flawed
twin where recall matters."""

from __future__ import annotations

from hep_mcp.check import check_draft


def _rules(text: str, element: str, config=None) -> list[str]:
    report = check_draft(text, kind="hep", config=config) if config is not None else check_draft(text, kind="hep")
    return [f.rule for f in report.findings if f.element == element and f.severity in ("error", "warning")]


# -- the dose written in a heading (trigger and place in a bold or ATX heading line) -------------

HEADING_DOSE = """# Hip program for Leon

### After you brush your teeth at night, in the bedroom

1. Ankle pumps. Lie on the bed and point your toes down, then pull them up. Like the first one we did today. 10 times.
2. Thigh squeeze. Press the back of your knee into the bed and hold 5 seconds. The one we did on the mat. 10 times.
3. Heel slides. Slide your heel toward you and back. The last one we did today. 10 times.

## Rules
- If your hip pain goes up more than 2 points from where it started, stop that exercise for today and do the others.
- Missed a day? Don't make it up.
- If something feels different, like new pain or swelling, message the clinic before you go on.
- Calf pain, warmth or swelling, or a fever: call the clinic today.
- Chest pain or trouble breathing: call 911.

## Check in
Tick "done" each day in the patient portal. Send problems through the portal messages.

## Goal
By Friday's visit, slide your heel to the tape mark on the sheet, 3 days in a row.
"""


def test_trigger_and_place_in_a_heading_count_as_the_dose():
    assert _rules(HEADING_DOSE, "dosing") == []


def test_a_heading_without_the_routine_still_lacks_the_trigger():
    plain = HEADING_DOSE.replace("### After you brush your teeth at night, in the bedroom", "### Every evening, in the bedroom")
    assert "DO004" in _rules(plain, "dosing")


def test_a_rules_heading_is_not_read_as_the_dose():
    # a routine named only in the rules' heading is no trigger for the exercises
    moved = HEADING_DOSE.replace("### After you brush your teeth at night, in the bedroom", "### Every evening, in the bedroom").replace(
        "## Rules", "## Rules for after you brush your teeth"
    )
    assert "DO004" in _rules(moved, "dosing")


# -- any room of the home is a place ---------------------------------------------------------

ROOM_PLACE = """Hi Dana, your three for the week, the ones we practiced today:

- Sit to stand: scoot forward and stand up from a firm chair, then sit slowly. Same as the first one we did. 8 times.
- Heel raises: hold the back of the chair and rise up on your toes. Like the one at the bars today. 10 times.
- Marching: hold the chair and lift one knee, then the other. We ended the visit with this one. 10 each side.

Do them after breakfast in the sitting room, every day.

If pain goes up more than 2 points from where it started, stop that exercise for today and do the others. Missed a day? Don't make it up. If something feels different, like new pain or swelling, message the clinic before you carry on. Chest pain or trouble breathing: call 911.

Log each day in the patient portal; send problems through the portal messages.

Goal: by next Tuesday, stand up from the chair 8 times without your hands, on 3 days.
"""


def test_a_room_of_the_home_names_the_place():
    assert "DO003" not in _rules(ROOM_PLACE, "dosing")


def test_no_room_still_lacks_the_place():
    assert "DO003" in _rules(ROOM_PLACE.replace(" in the sitting room", ""), "dosing")
