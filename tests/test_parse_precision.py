"""Misread classes found on the second and third held-out sets, each tested with a draft in a
different layout than the held-out draft that showed it (a class, not that draft), with a flawed
twin where recall matters."""

from __future__ import annotations

import pytest

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


# -- the clinic's own number or portal, presented as the clinic's, with no clinic config -------------

CLINIC_NUMBER = """**Your shoulder program, Ana** (from today's visit)

1. **Arm swings.** Lean on the table and let the arm hang, then swing it in small circles. Like the first one we did today. 10 circles.
2. **Shoulder blade squeeze.** Sit tall and pinch your shoulder blades together. The one we did on the mat. 10 times.
3. **Table slides.** Slide your hand forward along the table on a towel. The last one we did today. 10 times.

**When:** after breakfast, at the kitchen table, every day.

**Rules:** If pain goes up more than 2 points from where it started, stop that exercise for today and do the others. Missed a day? Don't make it up. If something feels different, like new pain or swelling, call the clinic before you go on. A fever or drainage: call the clinic today. Chest pain or trouble breathing: call 911.

**Check in:** tick "done" each day in the patient portal. Problems? Ring our main line at (555) 301-2200 or use the portal at portal.northside.example.

**Goal:** by Monday's visit, slide your hand to the tape mark on the table, 3 days in a row.
"""


def test_a_number_presented_as_the_clinics_is_the_clinics_but_a_link_is_not():
    found = _rules(CLINIC_NUMBER.replace("our main line at", "the clinic line at"), "safety")
    assert "LK003" not in found  # the number: the draft names it as the clinic line
    assert "LK001" in found  # the link: "the portal at ..." is what a phishing link says too; only the config's sites pass


def test_a_bare_number_or_link_with_no_clinic_wording_is_still_foreign():
    bare = CLINIC_NUMBER.replace("Ring our main line at (555) 301-2200 or use the portal at portal.northside.example.", "Ring (555) 301-2200 or see northside-help.example.")
    assert _rules(bare, "safety").count("LK003") == 1 and "LK001" in _rules(bare, "safety")


def test_a_personal_number_next_to_clinic_wording_is_still_flagged():
    personal = CLINIC_NUMBER.replace("Ring our main line at (555) 301-2200", "Text my cell, not the clinic line, 555-301-2200")
    assert "FB003" in _rules(personal, "feedback")


def test_a_configured_clinic_decides_its_own_numbers():
    from hep_mcp.config import Config

    config = Config.model_validate({"clinic": {"phone": "(555) 301-9999", "portal_url": "https://portal.northside.example"}})
    labelled = CLINIC_NUMBER.replace("our main line at", "the clinic line at")
    found = _rules(labelled, "safety", config)
    assert "LK003" in found and "LK001" not in found


# -- a tie-back that names the exercise by an ordinal or a hyphenated word --------------------

ORDINAL_TIE = """Exercises for Mo
- Heel raises | Hold the counter and rise up on your toes, then lower slowly. The third one today. | 10 times
- Calf stretch | Step one foot back and lean into the wall until the calf pulls. That wall-lean one from today. | 3 holds of 20 seconds
- Toe taps | Tap the toes of one foot on a low step, then switch. Like the first one we did today. | 10 each foot
"""


def test_an_ordinal_or_hyphenated_one_from_today_is_a_tie_back():
    assert "DS002" not in _rules(ORDINAL_TIE, "descriptions")


def test_a_description_with_no_session_link_still_lacks_the_tie_back():
    cut = ORDINAL_TIE.replace(" The third one today.", "").replace(" That wall-lean one from today.", "")
    assert _rules(cut, "descriptions").count("DS002") == 2


# -- a handout in chart shorthand is not ready; one slip is a warning ---------------------------

SHORTHAND = """Home program - Lou

- Bridges: supine, hook lying, posterior pelvic tilt then hip extension. Like the first one we did today. 2x10.
- Clamshells: sidelying, hip abduction with ER, bilateral. The one on the mat today. 3x10 BID.
- Hamstring stretch: seated, knee in full extension, ankle dorsiflexion, 3x30s. Same as the last one today.

After your morning coffee, on the bed. Every day.

If pain goes up more than 2 points from where it started, stop that exercise for today and do the others. Missed a day? Don't make it up. If something feels different, like new pain or swelling, message the clinic before you go on. Chest pain or trouble breathing: call 911.

Tick "done" each day in the patient portal; send problems through the portal messages.

Goal: by next Tuesday, hold the bridge for 10 seconds, 3 days in a row.
"""


def _report(text, config=None):
    return check_draft(text, kind="hep", config=config) if config is not None else check_draft(text, kind="hep")


def test_a_handout_in_chart_shorthand_is_an_error_and_not_ready():
    report = _report(SHORTHAND)
    assert "PL007" in [f.rule for f in report.findings if f.severity == "error"] and not report.ready
    # the amount is there, in shorthand: the plain-language rules say so, not "no amount"
    assert "DO005" not in _rules(SHORTHAND, "dosing")


def test_one_or_two_terms_stay_warnings():
    light = SHORTHAND.replace("supine, hook lying, posterior pelvic tilt then hip extension", "lie on your back, knees bent, lift your hips").replace(
        "sidelying, hip abduction with ER, bilateral", "lie on your side, knees bent, open the top knee").replace(
        "seated, knee in full extension, ankle dorsiflexion, 3x30s", "sit, straighten the knee, pull your toes up, hold 30 seconds, 3 times").replace(" 3x10 BID.", " 10 times.")
    report = _report(light)
    assert "PL007" not in [f.rule for f in report.findings] and "PL004" in [f.rule for f in report.findings] and report.ready


def test_the_clinic_sets_how_much_shorthand_is_too_much():
    from hep_mcp.config import Config

    assert "PL007" not in [f.rule for f in _report(SHORTHAND, Config(jargon_error_above=30)).findings]


# -- a list of names only: every name is an exercise, and the handout is not ready ---------------

NAMES_ONLY = """Hello Joan,

- Wall slides.
  10 times.
- Heel raises.
  10 times.
- Marching on the spot.
  20 steps.

Do them after your morning tea, in the kitchen, every day.

If pain goes up more than 2 points from where it started, stop that exercise for today and do the others. Missed a day? Don't make it up. If something feels different, like new pain or swelling, message the clinic before you go on. Chest pain or trouble breathing: call 911.

Tick "done" each day in the patient portal; send problems through the portal messages.

Goal: by next Tuesday, march on the spot 20 steps without holding on, 3 days in a row.
"""


def test_a_name_line_with_a_full_stop_is_a_sibling_exercise():
    from hep_mcp.rules.parse import parse

    assert [e.name.rstrip(".") for e in parse(NAMES_ONLY).exercises] == ["Wall slides", "Heel raises", "Marching on the spot"]
    assert "EX002" not in _rules(NAMES_ONLY, "exercises")


def test_names_only_is_an_error_not_a_warning():
    report = _report(NAMES_ONLY)
    assert "DS003" in [f.rule for f in report.findings if f.severity == "error"] and not report.ready


def test_one_described_exercise_leaves_names_only_to_the_warnings():
    one = NAMES_ONLY.replace("- Wall slides.\n  10 times.", "- Wall slides.\n  Stand with your back on the wall and slide down a little, then up. Like the first one we did today. 10 times.")
    assert "DS003" not in [f.rule for f in _report(one).findings]


# -- the feels-different line through the front desk is a problem line (brief, element 5) ---------

FRONT_DESK_ONLY = """Sam - your neck plan, the three we did together today.

1. Chin tuck: sit tall and slide your chin straight back, hold 5 seconds. Like the first one we did today. 10 times.
2. Shoulder rolls: roll your shoulders up, back and down slowly. The one we did on the mat today. 10 times.
3. Neck turns: turn your head slowly to look over one shoulder, then the other. Same as the last one today. 5 each side.

Do them after you brush your teeth in the morning, at the bathroom sink, every day.

If neck pain goes up more than 2 points from where it started, stop that exercise for today and do the others. Missed a day? Don't make it up. If something feels different, like new pain, numbness or weakness in an arm, call the front desk before you go on. Chest pain or trouble breathing: call 911.

Tick "done" each day in the patient portal.

Goal: by Friday's visit, turn your head to see over your right shoulder without pain, 3 days in a row.
"""


def test_a_feels_different_line_to_the_front_desk_is_the_problem_line():
    # the brief names the front desk among the clinic's official channels; new pain or weakness
    # is the problem the line reports, so no second "Problems? Call the front desk." is needed
    assert "FB002" not in _rules(FRONT_DESK_ONLY, "feedback")


def test_a_feels_different_line_to_a_personal_phone_is_no_problem_line():
    personal = FRONT_DESK_ONLY.replace("call the front desk before you go on", "text my cell before you go on")
    assert {"FB002", "FB003"} <= set(_rules(personal, "feedback"))


# -- the pain rule's number in the sentence after the pain is named ("If it goes up ...") ------

PAIN_FOLLOWUP = FRONT_DESK_ONLY.replace(
    "If neck pain goes up more than 2 points from where it started, stop that exercise for today and do the others.",
    "Before each move, give your neck pain a score from 0 to 10. If it climbs more than 2 points, stop that move for today and do the others.",
)


def test_a_pain_number_in_the_next_sentence_completes_the_pain_rule():
    assert "RR001" not in _rules(PAIN_FOLLOWUP, "response_rules")


def test_a_next_sentence_about_something_else_is_no_pain_rule():
    other = PAIN_FOLLOWUP.replace("If it climbs more than 2 points, stop that move for today and do the others.", "If you are tired, do 2 fewer.")
    assert "RR001" in _rules(other, "response_rules")


# -- a missed-day rule that names the slot another way ("Skipped a go?") ---------------------------

def test_a_missed_time_slot_is_a_missed_day_rule():
    slot = FRONT_DESK_ONLY.replace("Missed a day? Don't make it up.", "Skipped a go? Leave it and don't make it up.")
    assert "RR003" not in _rules(slot, "response_rules")


def test_no_missed_slot_at_all_still_lacks_the_rule():
    none = FRONT_DESK_ONLY.replace(" Missed a day? Don't make it up.", "")
    assert "RR003" in _rules(none, "response_rules")


def test_a_line_or_desk_named_with_capitals_is_the_clinics():
    named = CLINIC_NUMBER.replace("Ring our main line at (555) 301-2200 or use the portal at portal.northside.example.", "Text DONE to the Northside Rehab line: (555) 301-2200, or ring the clinic desk, 555-301-2201.")
    assert "LK003" not in _rules(named, "safety")


def test_a_lower_case_line_of_someone_else_is_still_foreign():
    other = CLINIC_NUMBER.replace("Ring our main line at (555) 301-2200 or use the portal at portal.northside.example.", "Ring the gym's booking line, (555) 301-2200.")
    assert "LK003" in _rules(other, "safety")


# -- third held-out set, second round: each class in a layout unlike the draft that showed it ---------

CAREGIVER_SLOTS = """# Falls plan for Mrs. Ruth Okafor

Dear Sam, here is your mum's plan for this week. Please stay close while she does it.

Where: in the hallway, with the rail on her left and a chair behind her.

Before breakfast (right after she puts her slippers away)

- **Heel raises at the rail:** She holds the rail with both hands and rises onto her toes, then lowers slowly. It is the first one she did with me today. How much: 10 times.
- **Side steps:** She holds the rail and takes small steps to the right, then back to the left. We practised this along the bars today. How much: 8 steps each way.

At bedtime (once she has brushed her teeth)

- **Sit to stand:** She sits at the front of the chair, leans forward and stands up, then sits down slowly. She did 5 of these with me at the end of today's visit. How much: 5 times.

### Her rules

- Ask her to rate her pain from 0 to 10 first. If it goes up more than 2 points, she stops that one for today and does the others.
- If she misses a day, she starts again the next day. No extra to make it up.
- If something feels different, like new pain or swelling, she stops and you message the clinic before she goes on.

### Phone the office today if

- She has any fall, even when she feels fine.
- She feels new dizziness or light-headed when she stands.

### Call 911 right away if

- She has chest pain or pressure, trouble breathing, fainting or a racing heart.
- She falls and bangs her head, or she is unable to get up.

### Telling us

Each day she finishes, tick "done" in the patient portal. For a problem or a question, use the portal messages or call the front desk.

### Goal for my next visit

By next Thursday, she stands up from the chair 5 times in a row without using her hands.
"""


def _names(text: str) -> list[str]:
    from hep_mcp.rules.parse import parse

    return [e.name for e in parse(text).exercises]


def test_the_clean_caregiver_sheet_with_time_slots_is_ready_with_nothing_to_fix():
    report = check_draft(CAREGIVER_SLOTS, kind="hep")
    assert report.ready and [f.rule for f in report.findings if f.severity in ("error", "warning")] == []


def test_lists_under_time_of_day_slots_are_one_exercise_list():
    assert _names(CAREGIVER_SLOTS) == ["Heel raises at the rail", "Side steps", "Sit to stand"]


def test_a_slot_that_is_not_a_time_of_day_joins_nothing():
    # the same moves under a heading that names no time slot are not the evening's exercise
    other = CAREGIVER_SLOTS.replace("At bedtime (once she has brushed her teeth)", "Something else to try (by the bed)")
    assert "Sit to stand" not in _names(other)


def test_first_and_third_person_fall_red_flags_are_the_red_flag():
    for line in ("- I fall and hit my head, or I cannot get up.", "- They fall and bump their head, or they can not get up."):
        text = CAREGIVER_SLOTS.replace("- She falls and bangs her head, or she is unable to get up.", line)
        assert "RR007" not in _rules(text, "response_rules"), line


def test_a_fall_sheet_without_the_head_hit_line_still_misses_it():
    text = CAREGIVER_SLOTS.replace("- She falls and bangs her head, or she is unable to get up.\n", "")
    assert "RR007" in _rules(text, "response_rules")


def test_even_when_she_feels_fine_is_no_dismissal_but_normal_is():
    assert "RR007" not in _rules(CAREGIVER_SLOTS, "response_rules")
    waved = CAREGIVER_SLOTS.replace("- She has any fall, even when she feels fine.", "- A small fall is normal, nothing to worry about.")
    assert "RR007" in _rules(waved, "response_rules")


def test_a_heading_naming_another_element_ends_a_run_of_exercise_headings():
    text = """# Knee plan for Omar

Every morning after your coffee, in the living room.

## Quad squeeze
Sit with your leg out and press the back of your knee down. Hold 5 seconds. The first one we did today. 10 times.

## Heel slides
Lie on your back and slide your heel toward you, then back. Like on the mat today. 10 times.

## Straight leg raise
Lie down, tighten your thigh and lift the straight leg a hand's height. We finished with this one. 10 times.

## Rules
If pain goes up more than 2 points, stop that one for today. Missed a day? Don't make it up. If something feels different, like new swelling, message the clinic first.

## Phone the office today
Calf pain, warmth or swelling, or a fever.

## Tell the office
Tick each day in the patient portal. Problems: call the front desk.

## Next visit
By Tuesday, bend your knee until your heel reaches the tape mark.
"""
    assert _names(text) == ["Quad squeeze", "Heel slides", "Straight leg raise"]


def test_an_exercise_number_prefix_is_not_part_of_the_name_count():
    text = """Leg plan for Ivy

Exercise 1, wall push-up at the kitchen counter: put your hands on the counter, bend your elbows and push back. You did 8 today. Do 8.
Exercise 2, marching on the spot at the chair: lift one knee, then the other. We ended with it. Do 20.
Exercise 3, ankle circles: sit and draw circles with your foot. The first one today. Do 10 each way.
"""
    assert _names(text) == ["wall push-up at the kitchen counter", "marching on the spot at the chair", "ankle circles"]


def test_sentence_long_table_cells_are_not_exercise_names():
    text = """# Back plan for Lee

1. **Knee rocks.** Lie on your back with knees bent and rock them side to side. The first one today.
2. **Pelvic tilt.** Flatten your low back into the bed, then let go. Like on the mat today.
3. **Cat and camel.** On hands and knees, round your back, then let it sag gently. We ended with it.

| Do | Don't |
|---|---|
| Do all three every morning after you make your bed, in the bedroom. | Don't rush them. |
| Do each one 10 times, slowly, and breathe out as you move. | Don't add more on your own. |
| Rate your pain 0 to 10 before you start, and stop that one if it rises more than 2 points. | Don't keep going through sharp pain. |
| Stretch your back against the door frame after the last one. | Don't hold your breath. |
"""
    assert _names(text) == ["Knee rocks", "Pelvic tilt", "Cat and camel"]
    assert "SF001" not in _rules(text, "safety")
    assert "SF001" in _rules(text.replace("Don't keep going through sharp pain.", "Keep going through sharp pain."), "safety")


def test_a_dose_label_run_into_the_paragraph_is_not_a_sentence_of_how():
    assert "DS001" not in _rules(CAREGIVER_SLOTS, "descriptions")
    longer = CAREGIVER_SLOTS.replace("then lowers slowly. It is", "then lowers slowly. She keeps her back tall. She looks ahead. It is")
    assert "DS001" in _rules(longer, "descriptions")


def test_a_paragraph_whose_every_line_is_a_named_move_is_one_exercise_per_line():
    text = """Shoulder plan for Bea

Every morning after you feed the dog, in the kitchen.

Pendulum. Lean on the counter and let your arm hang, then swing it in small circles. Like the first one today.
Wall walk. Face the wall and walk your fingers up as far as is easy. We did this at the end.
Doorway stretch. Put your forearm on the door frame and turn your body away gently. The one we did on the mat.
"""
    assert _names(text) == ["Pendulum", "Wall walk", "Doorway stretch"]


def test_lines_of_rules_are_not_split_into_exercises():
    text = """Shoulder plan for Bea

1. Pendulum: lean on the counter and let your arm hang, then swing it in small circles. Like the first one today.
2. Wall walk: face the wall and walk your fingers up as far as is easy. We did this at the end.
3. Doorway stretch: put your forearm on the door frame and turn your body away gently. The one on the mat.

Pain first. If your pain goes up more than 2 points, stop that one for today.
Missed a day. Just start again the next day, no extra.
"""
    assert _names(text) == ["Pendulum", "Wall walk", "Doorway stretch"]


def test_an_exercises_title_line_over_dash_lines_is_a_list_of_three():
    text = """Back plan for Tom

Your exercises
Bridge - Lie on your back, knees bent, and lift your hips. - 10 times
Knee rocks - Lie on your back and rock your knees side to side. - 10 times
Cat and camel - On hands and knees, round your back, then let it sag. - 5 times
"""
    assert _names(text) == ["Bridge", "Knee rocks", "Cat and camel"]


def test_when_where_and_trigger_labels_over_a_numbered_list_are_not_the_exercises():
    text = """Hand plan for Ada

When: twice a day.
Where: at the kitchen table.
Trigger: right after you dry the dishes.

1) Make a fist, 10 times
Open your hand wide, then close it into a soft fist. Like the first one today.

2) Finger spread, 10 times
Spread your fingers apart, then bring them back together. We did these with the putty.
"""
    assert _names(text) == ["Make a fist, 10 times", "Finger spread, 10 times"]


PAIN_HEADING = """# Ankle plan for Nell

1. **Ankle pumps:** point your toes down, then pull them up. Like the first one today. 20 times.
2. **Heel raises:** hold the counter and rise onto your toes, then lower slowly. We did these at the bar. 10 times.
3. **One-leg stand:** hold the counter and stand on your sore leg. The last one today. 30 seconds.

## Pain
Score it from 0 to 10 before you start.
Gone up by more than 2? Stop that one for today and do the rest.
"""


def test_a_pain_heading_over_a_numbered_rule_is_the_pain_rule():
    assert "RR001" not in _rules(PAIN_HEADING, "response_rules")


def test_a_pain_heading_over_a_rule_without_a_number_is_still_no_pain_rule():
    vague = PAIN_HEADING.replace("Gone up by more than 2? Stop that one for today and do the rest.", "Too much? Stop that one for today.")
    assert "RR001" in _rules(vague, "response_rules")


def test_the_last_of_a_list_keeps_its_lines_when_every_item_has_lines_below():
    text = """KNEE PLAN FOR ROY

1. HEEL SLIDES
Lie on your back.
Slide your heel toward you, then back.
Like on the mat today.

2. QUAD SQUEEZE
Sit with your leg out.
Press the back of your knee down and hold 5 seconds.
The first one today.

3. LEG LIFT
Lie on your back.
Tighten your thigh and lift your leg a hand's height.
We ended with this one.
"""
    from hep_mcp.rules.parse import parse

    last = parse(text).exercises[-1]
    assert "We ended with this one." in last.description_text


def test_a_table_column_beside_the_how_is_description_too():
    text = """# Hip plan for Ana

| Exercise | How to do it | Sets and reps | Where you saw it |
|---|---|---|---|
| Bridge | Lie on your back with knees bent and lift your hips. Lower slowly. | 10 times | We did it on the mat today. |
| Clam | Lie on your side with knees bent and open the top knee. | 10 times | The second one today. |
| Side step | Hold the counter and step to the side, then back. | 8 each way | Same as along the bars today. |
"""
    from hep_mcp.rules.parse import parse

    ex = parse(text).exercises
    assert [e.name for e in ex] == ["Bridge", "Clam", "Side step"]
    assert all("today" in e.description_text for e in ex)
    assert "DS001" not in _rules(text, "descriptions") and "DS002" not in _rules(text, "descriptions")


def test_a_log_line_among_the_exercise_bullets_is_not_an_exercise():
    text = """Neck plan for Kai

- Chin tuck: sit tall and slide your chin straight back. Like the first one today. 10 times.
- Shoulder rolls: roll your shoulders up, back and down. We ended with these. 10 times.
- Side bend: tip your ear toward your shoulder and hold. The one by the mirror today. 3 times.
- Press "done" in the clinic app each evening.
- March on the spot for a minute, then tick the box in the app.
"""
    assert _names(text)[:3] == ["Chin tuck", "Shoulder rolls", "Side bend"]
    assert not any(n.startswith("Press") for n in _names(text))
    assert any(n.startswith("March") for n in _names(text))  # a move with its log line is still a move


LETTER = """Hi Sam,

Great work today. Here are your three, the same ones from the gym.

Do them each evening in the lounge, right after you switch off the TV news.

The first exercise is called the bridge. Lie on your back with your knees bent and lift your hips off the floor. We did this one first today. Do ten, rest, then ten more.

The next one is the side plank. Lie on your side on your elbow and lift your hips for a count of ten. You did these on the mat today. Do five each side.

The last one is a wall squat. Lean your back on the wall and slide down a little, then back up. It is the one you finished with. Do eight.

If your back pain goes up more than 2 points, stop that one for today and do the others. Missed an evening? Leave it, and start again the next one. If something feels different, like pain down your leg, stop and message the clinic before you carry on.

Numbness between your legs, new trouble with your bladder or bowels, or weakness in both legs: go to the emergency department now. Chest pain or trouble breathing: call 911.

Tick each evening in the patient portal. Problems: send a message there or call the front desk.

I have one small goal for you by Friday: hold the side plank for 10 seconds on each side.
"""


def test_a_letter_names_its_exercises_with_the_first_one_is():
    assert _names(LETTER) == ["bridge", "side plank", "wall squat"]


def test_the_clean_letter_is_ready_with_nothing_to_fix():
    report = check_draft(LETTER, kind="hep")
    assert [f.rule for f in report.findings if f.severity in ("error", "warning")] == []


def test_a_count_in_words_is_the_dose_not_one_more_sentence_of_how():
    longer = LETTER.replace("We did this one first today. Do ten, rest, then ten more.", "Keep your feet flat. Squeeze your bottom at the top. We did this one first today. Breathe out as you lift. Do ten, rest, then ten more.")
    assert "DS001" in _rules(longer, "descriptions")  # four sentences of how is still too many
    assert "DS001" not in _rules(LETTER, "descriptions")


def test_one_small_goal_is_the_milestone_and_no_goal_is_none():
    assert "MS001" not in _rules(LETTER, "milestone")
    assert "MS001" in _rules(LETTER.replace("I have one small goal for you by Friday: hold the side plank for 10 seconds on each side.\n", ""), "milestone")


DOSED = """# Knee plan for Pat

Every morning after your coffee, on the bed.

1. **Quad squeeze:** press the back of your knee into the bed and hold. The first one today. 10 times.
2. **Heel slides:** slide your heel toward you, then back. Like on the mat today. 10 times.
3. **Short walk:** walk to the corner shop and back at an easy pace. Same as our hallway walk today.
4. **Straight leg raise:** tighten your thigh and lift the leg a hand's height. We ended with it.
"""


def test_one_exercise_without_its_amount_among_dosed_ones_is_flagged():
    assert _rules(DOSED, "dosing").count("DO007") == 1  # the leg raise, not the walk (how far is its amount)


def test_an_amount_written_once_for_all_leaves_each_exercise_dosed():
    once = DOSED.replace("Every morning after your coffee, on the bed.", "Every morning after your coffee, on the bed. Do 10 of each.")
    assert "DO007" not in _rules(once, "dosing")


def test_a_feels_different_rule_may_say_where_to_go_in_the_next_sentence():
    text = LETTER.replace(
        "If something feels different, like pain down your leg, stop and message the clinic before you carry on.",
        "Something feels different: new pain down your leg, or a leg feeling weaker. Message the clinic before you do more.",
    )
    assert "RR005" not in _rules(text, "response_rules")


def test_the_next_sentence_answers_only_when_it_is_not_a_rule_of_its_own():
    text = LETTER.replace(
        "If something feels different, like pain down your leg, stop and message the clinic before you carry on.",
        "If something feels different, like pain down your leg, stop. If your back is hot and red, call the clinic today.",
    )
    assert "RR005" in _rules(text, "response_rules")


def test_a_0_to_10_rating_then_its_number_is_the_pain_rule_without_the_word_pain():
    text = LETTER.replace(
        "If your back pain goes up more than 2 points, stop that one for today and do the others.",
        "Give your back a number out of 10 before you begin. If one exercise bumps it up more than 2 points, leave that one for today.",
    )
    assert "RR001" not in _rules(text, "response_rules")
    vague = text.replace("If one exercise bumps it up more than 2 points, leave that one for today.", "If one exercise bumps it up, leave that one for today.")
    assert "RR001" in _rules(vague, "response_rules")


def test_a_line_that_opens_with_by_and_a_day_is_the_milestone():
    text = LETTER.replace("I have one small goal for you by Friday: hold", "By Friday, hold")
    assert "MS001" not in _rules(text, "milestone")


def test_a_bold_lead_then_by_and_a_day_is_the_milestone():
    text = LETTER.replace("I have one small goal for you by Friday: hold", "**For Friday.** By our Friday visit, hold")
    assert "MS001" not in _rules(text, "milestone")


def test_italic_leads_name_exercises_and_a_sore_lead_is_a_rule():
    text = """# For Joan

*Ankle pumps.* Lie on your back and point your toes down, then pull them up. We did these first today. 20 times.

*Leg out to the side at the kitchen counter.* Hold the counter and move your leg out to the side, then back. The one we finished with. 10 times.

*Thigh squeeze.* Press the back of your knee into the bed and hold. Same as on the table today. 10 times.

*If it's sore.* Rate your pain 0 to 10 first. If it goes up more than 2 points, stop that one for today.
"""
    assert _names(text) == ["Ankle pumps", "Leg out to the side at the kitchen counter", "Thigh squeeze"]


ARROWS = LETTER.replace(
    "Numbness between your legs, new trouble with your bladder or bowels, or weakness in both legs: go to the emergency department now. Chest pain or trouble breathing: call 911.",
    "emergency department now -> numbness between your legs, new bladder or bowel trouble, weakness in both legs\n"
    "call 911 -> chest pain, trouble breathing, fainting\nnew stiffness but no other sign -> call the clinic today",
)


def test_arrow_lines_are_statements_of_their_own_so_911_stays_911():
    assert "RR008" not in _rules(ARROWS, "response_rules")


def test_an_arrow_that_sends_chest_pain_to_the_clinic_is_still_flagged():
    wrong = ARROWS.replace("call 911 -> chest pain, trouble breathing, fainting", "call the clinic -> chest pain, trouble breathing, fainting")
    assert "RR008" in _rules(wrong, "response_rules")


# -- classes found on the fourth and fifth held-out sets (each in a layout of its own) ---------

_TAIL = """
If pain goes up more than 2 points from where it started, stop that exercise for today and do the others. Missed a day? Don't make it up. If something feels different, like new pain or swelling, message the clinic before you go on. Chest pain or trouble breathing: call 911.

Tick "done" each day in the patient portal; send problems through the portal messages.

Goal: by next Tuesday, do the wall push 10 times without a break, 3 days in a row.
"""

# a name, an arrow, the how: a plain-text list under a label line ("Wall push → Stand ...")
ARROW_MOVES = """Shoulder plan for Priya

YOUR MOVES
Wall push → Stand an arm's length from the wall, hands flat on it, bend your elbows and push back. The first one we did today. 10 times.
Arm raise => Lift your arm forward to shoulder height with your thumb up, then lower slowly. Same as the one at the mirror today. 10 times.
Door stretch -> Put your forearm on the door frame and turn your body away until the chest stretches. Like the stretch we finished with today. Hold 20 seconds, 3 times.

When you put the kettle on in the morning -> all three, in the kitchen, every day.
""" + _TAIL


def test_a_name_then_an_arrow_then_the_how_is_an_exercise():
    assert _names(ARROW_MOVES) == ["Wall push", "Arm raise", "Door stretch"]
    assert _rules(ARROW_MOVES, "exercises") == [] and _rules(ARROW_MOVES, "descriptions") == []


def test_arrow_exercises_without_the_session_link_still_lack_the_tie_back():
    cut = ARROW_MOVES.replace(" The first one we did today.", "").replace(" Same as the one at the mirror today.", "")
    assert _rules(cut, "descriptions").count("DS002") == 2


def test_a_routine_then_an_arrow_to_the_moves_is_the_trigger():
    assert "DO004" not in _rules(ARROW_MOVES, "dosing")
    assert "DO004" in _rules(ARROW_MOVES.replace("When you put the kettle on in the morning ->", "Any time you like ->"), "dosing")


# the same labels under every exercise's heading are the form's fields, not exercises
FIELD_CARDS = """# Exercise cards for Tom

### Card A - Sit to stand
Steps: Sit at the front of a firm chair. Lean forward and stand up, then sit down slowly.
From the visit: the chair one we did first today.
How many: 8 times.

### Card B - Heel raises
Steps: Hold the back of the chair and rise up on your toes, then lower slowly.
From the visit: we did this at the bars today.
How many: 10 times.

### Card C - Side steps
Steps: Hold the counter and step to the side 5 steps, then back.
From the visit: the last one we did today.
How many: 2 trips each way.

### When
Do the cards after breakfast, in the kitchen, every day.

### Rules
""" + _TAIL


def test_labels_repeated_under_each_heading_are_fields_and_the_headings_the_exercises():
    assert _names(FIELD_CARDS) == ["Card A - Sit to stand", "Card B - Heel raises", "Card C - Side steps"]
    assert _rules(FIELD_CARDS, "exercises") == [] and _rules(FIELD_CARDS, "descriptions") == []


def test_a_card_without_its_session_line_still_lacks_the_tie_back():
    cut = FIELD_CARDS.replace("From the visit: we did this at the bars today.\n", "")
    assert "DS002" in _rules(cut, "descriptions")


def test_too_many_cards_are_still_too_many():
    more = FIELD_CARDS.replace("### When", "".join(
        f"### Card {x} - Move {x}\nSteps: Stand at the counter and lift one knee, then the other.\nFrom the visit: we did this today.\nHow many: 10 times.\n\n" for x in "DEFG"
    ) + "### When")
    assert "EX001" in _rules(more, "exercises")


# a run of questions, then one answer
QUESTIONS = ARROW_MOVES.replace(
    "If something feels different, like new pain or swelling, message the clinic before you go on.",
    "New pain in the arm? New swelling? Numb fingers? Message the clinic before you go on.",
)


def test_a_run_of_questions_is_answered_by_the_sentence_after_them():
    assert "RR005" not in _rules(QUESTIONS, "response_rules")


def test_a_run_of_questions_with_no_contact_still_lacks_the_rule():
    assert "RR005" in _rules(QUESTIONS.replace("Message the clinic before you go on.", "Rest and see how it goes."), "response_rules")


# the emergency signs in lay words
LAY_EMERGENCY = ARROW_MOVES.replace("Chest pain or trouble breathing: call 911.", "A tight feeling in your chest, or it is hard to breathe: call 911.")


def test_lay_words_for_the_emergency_signs_are_the_emergency_signs():
    assert "RR006" not in _rules(LAY_EMERGENCY, "response_rules")


def test_lay_emergency_signs_sent_to_the_clinic_are_still_flagged():
    wrong = LAY_EMERGENCY.replace("it is hard to breathe: call 911.", "it is hard to breathe: message the clinic.")
    assert {"RR006", "RR008"} & set(_rules(wrong, "response_rules"))


# HTML left in a Markdown draft (a chat client's or an export's)
HTML_DRAFT = """<h2>Knee program for Abdul</h2>
<p>The three we did today.</p>
<h3>Heel slides</h3>
<p>Lie on your back and slide your heel toward you, then back. <b>The first one we did today.</b> 10 times.</p>
<h3>Thigh squeeze</h3>
<p>Press the back of your knee into the bed and hold 5 seconds.<br>Same as on the table today. 10 times.</p>
<h3>Straight leg lift</h3>
<p>Tighten your thigh and lift the straight leg a hand's width, then lower. The last one we did together. 10 times.</p>
<h3>When</h3>
<p>After you brush your teeth at night, on the bed, every day.</p>
""" + _TAIL


def test_html_headings_and_paragraphs_are_read_as_markdown():
    assert _names(HTML_DRAFT) == ["Heel slides", "Thigh squeeze", "Straight leg lift"]
    assert _rules(HTML_DRAFT, "exercises") == [] and _rules(HTML_DRAFT, "descriptions") == []
    assert "DO004" not in _rules(HTML_DRAFT, "dosing")


def test_html_exercises_without_the_session_link_still_lack_the_tie_back():
    cut = HTML_DRAFT.replace(" <b>The first one we did today.</b>", "")
    assert "DS002" in _rules(cut, "descriptions")


def test_a_template_placeholder_in_angle_brackets_is_not_html():
    assert "FM006" in [f.rule for f in _report(HTML_DRAFT.replace("Abdul", "<<PATIENT NAME>>")).findings]


# "the same loop we talked about": a tie-back
TALKED = ARROW_MOVES.replace(" The first one we did today.", " Keep to the same spot on the wall we talked about.")


def test_the_same_thing_we_talked_about_is_a_tie_back():
    assert "DS002" not in _rules(TALKED, "descriptions")


# a narrow column wraps a sentence: the clinic's channel named on the line above its number
WRAPPED_NUMBER = ARROW_MOVES.replace(
    'Tick "done" each day in the patient portal; send problems through the portal messages.',
    'Each day, tick "done" in the patient portal. Problems? Ring the\nclinic front desk on 555-0142.',
)


def test_a_number_whose_clinic_words_end_the_line_above_is_the_clinics():
    assert "LK003" not in _rules(WRAPPED_NUMBER, "safety")


def test_a_wrapped_personal_number_is_still_flagged():
    personal = WRAPPED_NUMBER.replace("Problems? Ring the\nclinic front desk on 555-0142.", "Problems? Text my own\ncell on 555-0142.")
    assert {"FB003", "LK003"} & set(_rules(personal, "feedback") + _rules(personal, "safety"))


def test_a_number_after_a_finished_sentence_has_no_clinic_words():
    bare = WRAPPED_NUMBER.replace("Problems? Ring the\nclinic front desk on 555-0142.", "Problems? Ring the clinic front desk.\n555-0142.")
    assert "LK003" in _rules(bare, "safety")


# a clipped question carries the pain rule's number ("Up more than 2 points? Stop that one.")
CLIPPED_PAIN = ARROW_MOVES.replace(
    "If pain goes up more than 2 points from where it started, stop that exercise for today and do the others.",
    "Rate your pain 0 to 10 before you start. Up more than 2 points after a move? Leave that one for today and do the others.",
)


def test_a_clipped_question_after_the_rating_is_the_pain_rule():
    assert "RR001" not in _rules(CLIPPED_PAIN, "response_rules")


def test_a_rating_with_no_number_to_stop_at_is_still_no_pain_rule():
    vague = CLIPPED_PAIN.replace("Up more than 2 points after a move?", "Worse after a move?")
    assert "RR001" in _rules(vague, "response_rules")


# a menu card's dot leaders between the name and the amount, between two label lines
LEADERS = """Hip plan - Grace
WHEN: every evening, right after you wash the dinner dishes
WHERE: the bedroom
1 BRIDGE ........................ 10 times
  Lie on your back, knees bent, and lift your hips, then lower
  slowly. Like the first one we did on the mat today.
2 CLAMSHELL ..................... 10 each side
  Lie on your side, knees bent, and open the top knee like a
  book. Same as the one with the band today.
3 SIT TO STAND .................. 8 times
  Stand up from a firm chair and sit back down slowly. The last
  one we did today.
TOTAL ........................... 10 minutes
""" + _TAIL


def test_dot_leader_lines_are_numbered_exercises_with_their_amount():
    assert _names(LEADERS) == ["BRIDGE", "CLAMSHELL", "SIT TO STAND"]
    assert _rules(LEADERS, "exercises") == [] and _rules(LEADERS, "descriptions") == []
    assert "DO005" not in _rules(LEADERS, "dosing") and "DO007" not in _rules(LEADERS, "dosing")


def test_dot_leader_exercises_without_the_session_link_still_lack_the_tie_back():
    cut = LEADERS.replace(" Like the first one we did on the mat today.", "").replace("Same as the one with the band today.", "Keep your feet together.")
    assert "DS002" in _rules(cut, "descriptions")


def test_a_list_split_by_group_headings_is_one_list_not_repeated_fields():
    # the same items, read once per group and once as the merged list, are not labels said again
    six = """Knee plan for Ed

WARM UP

1. Ankle pumps
   Point your toes down, then pull them up. The first one we did today. 10 times.
2. Heel slides
   Slide your heel toward you and back. Same as on the table today. 10 times.

STRONG

3. Thigh squeeze
   Press your knee down and hold 5 seconds. The one we did on the mat. 10 times.
4. Straight leg lift
   Lift the straight leg a hand's width. We did this after the squeeze. 10 times.

BALANCE

5. Heel raises
   Hold the counter and rise up on your toes. We did these at the bars today. 10 times.
6. Side steps
   Hold the counter and step to the side. The last one we did today. 10 steps.
""" + _TAIL
    assert len(_names(six)) == 6 and "EX001" in _rules(six, "exercises")


# exercises as cards of no list shape, each set off by blank lines (fridge magnets, index cards)
CARDS = """Fridge magnets for Lou - from the clinic

(Magnet A, by the kettle)
Calf stretch
Step one foot back and lean on the wall until the calf pulls.
This is the wall one we practised today.
When: while the kettle boils, every morning. Hold 20 seconds, 3 times.

(Magnet B, on the bathroom door)
Heel raises
Hold the sink and rise up on your toes, then lower slowly.
Like the ones at the bars today.
When: after you brush your teeth at night. 10 times.

(Magnet C, by the back door)
Toe curls
Sit and scrunch a towel towards you with your toes.
The last one we did today.
When: before you put your shoes on. 10 times.
""" + _TAIL


def test_cards_set_off_by_blank_lines_are_the_exercises():
    assert _names(CARDS) == ["Calf stretch", "Heel raises", "Toe curls"]
    assert _rules(CARDS, "exercises") == [] and _rules(CARDS, "descriptions") == []


def test_cards_without_the_session_link_still_lack_the_tie_back():
    cut = CARDS.replace("This is the wall one we practised today.\n", "").replace("Like the ones at the bars today.\n", "")
    assert "DS002" in _rules(cut, "descriptions")


def test_too_many_cards_of_no_list_shape_are_still_too_many():
    more = CARDS.replace("\nIf pain goes up", "".join(
        f"\n(Magnet {x})\nMove {x}\nStand at the counter and lift one knee, then the other.\nWe did this today.\nWhen: after lunch. 10 times.\n" for x in "DEF"
    ) + "\nIf pain goes up")
    assert "EX001" in _rules(more, "exercises")


def test_rules_and_check_in_paragraphs_are_not_cards():
    none = "Plan for Lou\n" + _TAIL
    assert "EX003" in _rules(none, "exercises")


# a question-and-answer transcript: the speakers' labels are not exercises, the questions head the answers
QA = """Ankle plan for Jo, as we talked it through

Q: Which ones do I do?
A: Three of them. Ankle circles: sit and draw slow circles with your foot, ten each way. We did these first today.
Calf raises: hold the counter and rise up on your toes, then lower slowly, ten times. Like the ones at the bars today.
One-leg stand: hold the counter and stand on the sore leg for 20 seconds, three times. The last one we did today.

Q: When do I do them?
A: Every morning, after you brush your teeth, in the kitchen.

Q: What if it hurts?
A: If pain goes up more than 2 points from where it started, stop that exercise for today and do the others.

Q: And if I miss a day?
A: Don't make it up. If something feels different, like new pain or swelling, message the clinic before you go on. Chest pain or trouble breathing: call 911. A foot that turns numb, cold, pale or blue: go to the emergency department.

Q: How do I tell you?
A: Tick "done" each day in the patient portal; send problems through the portal messages.

Q: What is my goal for next week?
A: By next Tuesday, stand on the sore leg for 20 seconds without holding on, 3 days in a row.
"""


def test_speaker_labels_are_not_exercises_and_the_moves_in_the_answer_are():
    assert _names(QA) == ["Ankle circles", "Calf raises", "One-leg stand"]
    assert _rules(QA, "exercises") == [] and _rules(QA, "descriptions") == [] and _rules(QA, "milestone") == []


def test_a_transcript_without_the_goal_answer_still_lacks_the_milestone():
    cut = QA.replace("A: By next Tuesday, stand on the sore leg for 20 seconds without holding on, 3 days in a row.", "A: Just keep at it.")
    assert {"MS001", "MS002"} & set(_rules(cut, "milestone"))


def test_labels_that_do_not_take_turns_are_not_speakers():
    from hep_mcp.rules.parse import Lines, _speakers

    form = Lines(["Name: Jo", "Name: Jo", "Name: Jo", "Date: today", "Date: today", "Date: today"])
    assert [ln.text for ln in _speakers(form)] == [ln.text for ln in form]


def test_a_move_after_a_lead_in_sentence_keeps_its_own_tie_back_check():
    cut = QA.replace(" We did these first today.", "")
    assert "DS002" in _rules(cut, "descriptions")


# a heading whose style was lost in a paste ends the exercise above it
LOST_HEADINGS = """Hip plan for Bea

Your moves

🔸 Bridge
Lie on your back, knees bent, and lift your hips, then lower slowly. The first one we did today. 10 times.

🔸 Clamshell
Lie on your side, knees bent, and open the top knee like a book. Same as on the mat today. 10 each side.

🔸 Side steps
Hold the counter and step to the side 5 steps, then back. The last one we did today. 2 trips.

Rules for home
- If pain goes up more than 2 points from where it started, stop that exercise for today and do the others.
- Missed a day? Don't make it up.
- If something feels different, like new pain or swelling, message the clinic before you go on.
- Chest pain or trouble breathing: call 911.

Do them after breakfast, in the kitchen, every day. Tick "done" each day in the patient portal; send problems through the portal messages.

Goal: by next Tuesday, do 10 bridges without a rest, 3 days in a row.
"""


def test_a_short_line_over_a_list_ends_the_exercise_above_it():
    assert _names(LOST_HEADINGS) == ["Bridge", "Clamshell", "Side steps"]
    assert _rules(LOST_HEADINGS, "exercises") == [] and _rules(LOST_HEADINGS, "descriptions") == []


def test_the_last_exercise_before_a_lost_heading_keeps_its_own_checks():
    cut = LOST_HEADINGS.replace(" The last one we did today.", "")
    assert "DS002" in _rules(cut, "descriptions")


# a lead that names a situation ("*If it flares up.*") leads a rule, not an exercise
SITUATION_LEADS = """# Knee mornings for Sal

*Ankle pumps.* Lie in bed and point your toes down, then pull them up. We did these first today. 20 times.

*Heel slides.* Slide your heel toward you and back. Same as on the table today. 10 times.

*Thigh squeeze.* Press the back of your knee into the bed and hold 5 seconds. The last one we did today. 10 times.

*If it flares up.* Rate your pain 0 to 10 first. If a move pushes it up more than 2 points, stop that one for today and do the others.

*Should you miss a morning.* Don't make it up; start again the next day.

Every morning, in bed, right after you turn off your alarm.
""" + _TAIL


def test_a_conditional_lead_is_a_rule_not_an_exercise():
    assert _names(SITUATION_LEADS) == ["Ankle pumps", "Heel slides", "Thigh squeeze"]
    assert _rules(SITUATION_LEADS, "descriptions") == []


def test_with_the_conditional_leads_too_many_moves_are_still_too_many():
    more = SITUATION_LEADS.replace("*If it flares up.*", "".join(
        f"*Move {x}.* Stand at the counter and lift one knee, then the other. We did this today. 10 times.\n\n" for x in "ABC"
    ) + "*If it flares up.*")
    assert "EX001" in _rules(more, "exercises")


# a narrow column breaks the trigger across lines
WRAPPED_TRIGGER = """  YOUR THREE
  1. Wall push
     Stand an arm's length from the wall and push back. The
     first one we did today. 10 times.
  2. Arm raise
     Lift your arm forward to shoulder height, then lower. Same
     as the one at the mirror today. 10 times.
  3. Door stretch
     Forearm on the door frame, turn away until it stretches.
     Like the stretch we finished with today. 3 holds.

  WHEN AND WHERE
  Twice a day, at the kitchen table, right after
  breakfast and dinner.
""" + _TAIL


def test_a_trigger_broken_across_two_lines_is_the_trigger():
    assert "DO004" not in _rules(WRAPPED_TRIGGER, "dosing")


def test_two_lines_with_no_routine_between_them_still_lack_the_trigger():
    assert "DO004" in _rules(WRAPPED_TRIGGER.replace("right after\n  breakfast and dinner.", "when it\n  suits you."), "dosing")


def test_the_thing_taken_home_from_the_visit_is_a_tie_back():
    took = ARROW_MOVES.replace(" The first one we did today.", " Use the band you took home today.")
    assert "DS002" not in _rules(took, "descriptions")
    assert "DS002" in _rules(ARROW_MOVES.replace(" The first one we did today.", " Use the band you bought."), "descriptions")


# a scan's or a photo's transcription: bracketed notes on where the text sat
ANNOTATED = """Typed up from the flip chart, for Ivy

[top, in green]  YOUR THREE
1. Wall push: stand an arm's length from the wall and push back. The first one we did today. 10 times.
2. Arm raise: lift your arm forward to shoulder height, then lower. Same as the one at the mirror today. 10 times.
3. Door stretch: forearm on the door frame, turn away until it stretches. Like the stretch we finished with today. 3 holds.

[right side]  WHEN
After you brush your teeth in the morning, at the bathroom sink, every day.

[bottom, circled]  GOAL
By next Tuesday, do the wall push 10 times without a break, 3 days in a row.

[bottom left]  RULES
If pain goes up more than 2 points from where it started, stop that exercise for today and do the others. Missed a day? Don't make it up. If something feels different, like new pain or swelling, message the clinic before you go on. Chest pain or trouble breathing: call 911.

[ ] Tick "done" each day in the patient portal; send problems through the portal messages.
"""


def test_a_transcribers_bracketed_note_is_not_part_of_the_line():
    from hep_mcp.rules.parse import parse

    assert [el for _, _, el in parse(ANNOTATED).headings if el] == ["schedule", "milestone", "response_rules"]
    assert _rules(ANNOTATED, "milestone") == [] and _rules(ANNOTATED, "exercises") == []


def test_an_annotated_goal_heading_with_no_goal_still_lacks_the_milestone():
    cut = ANNOTATED.replace("By next Tuesday, do the wall push 10 times without a break, 3 days in a row.", "Keep working hard.")
    assert {"MS001", "MS002"} & set(_rules(cut, "milestone"))


# a chat export: the sender's name leads every message
CHAT = """Jo (PT): Hi Ivy, your plan from today, one message each.
Jo (PT): 1) Wall push. Stand an arm's length from the wall and push back. The first one we did today. 10 times.
Jo (PT): 2) Arm raise. Lift your arm forward to shoulder height, then lower. Same as the one at the mirror today. 10 times.
Jo (PT): 3) Door stretch. Forearm on the door frame, turn away until it stretches. Like the stretch we finished with today. 3 holds.
Jo (PT): Every morning, after you brush your teeth, at the bathroom sink.
Jo (PT): If pain goes up more than 2 points from where it started, stop that exercise for today and do the others. Missed a day? Don't make it up.
Jo (PT): If something feels different, like new pain or swelling, message the clinic before you go on. Chest pain or trouble breathing: call 911.
Jo (PT): Tick "done" each day in the patient portal; send problems through the portal messages.
Jo (PT): Goal: by next Tuesday, do the wall push 10 times without a break, 3 days in a row.
Ivy: thanks!
"""


def test_a_senders_name_leading_every_message_is_not_an_exercise():
    assert _names(CHAT) == ["Wall push", "Arm raise", "Door stretch"]
    assert _rules(CHAT, "exercises") == [] and _rules(CHAT, "descriptions") == []


def test_a_chat_that_sends_the_log_to_a_personal_phone_is_still_flagged():
    personal = CHAT.replace('Tick "done" each day in the patient portal; send problems through the portal messages.', "Text me on my personal cell each night when you've done it, and with any problems.")
    assert "FB003" in _rules(personal, "feedback")


# a heading per exercise, its few bullets the how, the tie-back and the dose (a slide deck, a wiki)
SLIDES = """# Page 1 - Mo's shoulder

## Page 2 - Wall push
- Stand an arm's length from the wall, hands flat on it, bend your elbows and push back.
- The first one we did today.
- 10 times

## Page 3 - Arm raise
- Lift your arm forward to shoulder height with your thumb up, then lower slowly.
- Same as the one at the mirror today.
- 10 times

## Page 4 - Chest opener
- Put your forearm on the door frame and turn your body away until you feel it across the chest.
- Like the one we finished with today.
- 3 holds of 20 seconds

## Page 5 - When
- After you brush your teeth in the morning, at the bathroom sink, every day.

## Page 6 - Rules and check-in
- If pain goes up more than 2 points from where it started, stop that exercise for today and do the others.
- Missed a day? Don't make it up.
- If something feels different, like new pain or swelling, message the clinic before you go on.
- Chest pain or trouble breathing: call 911.
- Tick "done" each day in the patient portal; send problems through the portal messages.

## Page 7 - Check-in and goal
- Goal: by next Tuesday, do the wall push 10 times without a break, 3 days in a row.
"""


def test_a_heading_over_one_exercises_lines_is_the_exercise():
    assert len(_names(SLIDES)) == 3
    assert _rules(SLIDES, "exercises") == [] and _rules(SLIDES, "descriptions") == []


def test_a_heading_over_several_moves_is_still_a_group_heading():
    group = SLIDES.replace("- The first one we did today.\n", "- Heel raises: hold the counter and rise up on your toes. The first one we did today.\n").replace(
        "- 10 times\n\n## Page 3", "- Calf stretch: lean on the wall with one foot back. Like the one at the bars today.\n- Marching: lift one knee, then the other. We did these today.\n- Side steps: hold the counter and step to the side. The last one today.\n\n## Page 3")
    assert "EX001" in _rules(group, "exercises")


def test_a_vague_goal_under_a_heading_naming_two_elements_is_still_vague():
    vague = SLIDES.replace("Goal: by next Tuesday, do the wall push 10 times without a break, 3 days in a row.", "Goal for next visit: feel better and keep working hard!")
    assert "MS002" in _rules(vague, "milestone")


def test_a_check_in_line_under_a_check_in_and_goal_heading_is_no_second_goal():
    both = SLIDES.replace("- Goal: by next Tuesday", '- Tap "Done" in the portal each day.\n- Goal: by next Tuesday')
    assert _rules(both, "milestone") == []


# a plan drawn as a tree
TREE = """Plan for Mo
├── When: every morning, right after you brush your teeth
├── Where: the bathroom sink
│
├── 1. Wall push
│   ├── Stand an arm's length from the wall, hands flat on it, bend
│   │   your elbows and push back.
│   ├── The first one we did today.
│   └── 10 times
├── 2. Arm raise
│   ├── Lift your arm forward to shoulder height, then lower slowly.
│   ├── Same as the one at the mirror today.
│   └── 10 times
└── 3. Door stretch
    ├── Forearm on the door frame, turn away until the chest stretches.
    ├── Like the stretch we finished with today.
    └── 3 holds of 20 seconds
""" + _TAIL


def test_a_tree_drawn_with_box_characters_reads_as_a_nested_list():
    assert _names(TREE) == ["Wall push", "Arm raise", "Door stretch"]
    assert _rules(TREE, "exercises") == [] and _rules(TREE, "descriptions") == []


def test_a_tree_branch_without_the_session_link_still_lacks_the_tie_back():
    cut = TREE.replace("│   ├── Same as the one at the mirror today.\n", "")
    assert "DS002" in _rules(cut, "descriptions")


# a memo's run-in head names the goal ("NEXT VISIT GOAL. By Tuesday, ...")
RUN_IN_GOAL = ARROW_MOVES.replace("Goal: by next Tuesday, do the wall push", "NEXT VISIT GOAL. By next Tuesday, do the wall push")


def test_a_run_in_goal_head_opens_the_milestone():
    assert _rules(RUN_IN_GOAL, "milestone") == []


def test_a_run_in_goal_head_over_a_vague_goal_is_still_vague():
    vague = RUN_IN_GOAL.replace("NEXT VISIT GOAL. By next Tuesday, do the wall push 10 times without a break, 3 days in a row.", "NEXT VISIT GOAL. Keep working hard and feel better.")
    assert "MS002" in _rules(vague, "milestone")


# a heading with no text of its own under it titles a section; it is no exercise beside the headed ones
EMPTY_TITLE = """GATE A - WALL PUSH
Stand an arm's length from the wall, hands flat on it, bend your elbows and push back. The first one we did today. 10 times.

GATE B - ARM RAISE
Lift your arm forward to shoulder height with your thumb up, then lower slowly. Same as the one at the mirror today. 10 times.

GATE C - CHEST OPENER
Put your forearm on the door frame and turn your body away slowly. Like the one we finished with today. 3 holds.

DEPARTURES
Every day:
- Morning, at the bathroom sink, right after you brush your teeth: all three.

RULES""" + _TAIL


def test_a_heading_with_nothing_under_it_is_no_exercise():
    assert len(_names(EMPTY_TITLE)) == 3
    assert _rules(EMPTY_TITLE, "descriptions") == [] and _rules(EMPTY_TITLE, "exercises") == []


def test_beside_an_empty_title_a_heading_with_a_move_is_still_counted():
    more = EMPTY_TITLE.replace("DEPARTURES", "".join(f"GATE {x} - MOVE {x}\nStand at the counter and lift one knee, then the other. We did this today. 10 times.\n\n" for x in "DEF") + "DEPARTURES")
    assert "EX001" in _rules(more, "exercises")


# -- titles framed by rule lines, as an exercise site prints them ("=====" / "Move 2/3  Arm raise" /
# "=====") with "Repeat:" and "Perform:" field lines under the text -----------------------------

FRAMED = """Shoulder program for Omar

==============================
Move 1/3  Wall push
==============================
Stand an arm's length from the wall with your hands flat on it. Bend your elbows and push back. The first one we did today.

  Repeat:  10 times
  Perform: every morning, right after you put the kettle on, in the kitchen

==============================
Move 2/3  Arm raise to the front
==============================
Lift your arm forward to shoulder height with your thumb up. Lower it slowly. Same as the one at the mirror today.

  Repeat:  10 times
  Perform: every morning, right after the first one, in the kitchen

==============================
Move 3/3  Door frame chest stretch
==============================
Put your forearm on the door frame and turn your body away. Stop when your chest feels a stretch. Like the stretch we finished with today.

  Repeat:  3 holds of 20 seconds
  Perform: every evening, when you turn the TV on, at the living room door

==============================
Rules
==============================""" + _TAIL.replace("Goal: by next Tuesday, do the wall push 10 times without a break, 3 days in a row.\n", "") + """
==============================
Goal for your next visit
==============================
By next Tuesday, do the wall push 10 times without a break, 3 days in a row.
"""


def test_titles_framed_by_rule_lines_are_the_exercises_and_the_goal_heading():
    assert _names(FRAMED) == ["Wall push", "Arm raise to the front", "Door frame chest stretch"]
    for element in ("exercises", "descriptions", "milestone"):
        assert _rules(FRAMED, element) == [], element


def test_framed_titles_over_a_nine_move_program_are_still_too_many():
    more = FRAMED.replace("==============================\nMove 3/3", "".join(
        f"==============================\nMove {n}/9  Knee lift {n}\n==============================\nStand at the counter and lift one knee, then the other. We did this today.\n  Repeat:  10 times\n\n" for n in range(4, 10)
    ) + "==============================\nMove 3/3")
    assert "EX001" in _rules(more, "exercises")


def test_a_framed_goal_heading_over_a_vague_goal_is_still_vague():
    vague = FRAMED.replace("By next Tuesday, do the wall push 10 times without a break, 3 days in a row.", "Keep working hard and feel better.")
    assert {"MS001", "MS002"} & set(_rules(vague, "milestone"))


def test_a_framed_exercise_without_the_session_link_still_lacks_the_tie_back():
    untied = FRAMED.replace("The first one we did today.", "Keep your back straight.")
    assert "DS002" in _rules(untied, "descriptions")


# a printed screen: "When:" / "Where:" under each exercise are a form's fields (not two speakers
# taking turns), and a line of buttons ("[Done]  [Video]") is no sentence of the description
SCREEN = """Hi Omar, your three from today.

## Wall push
Stand an arm's length from the wall with your hands flat on it. Bend your elbows and push back. The first one we did today.
When: every morning, right after you put the kettle on
Where: the kitchen wall
                     [Done]  [Video]

## Arm raise
Lift your arm forward to shoulder height with your thumb up. Lower it slowly. Same as the one at the mirror today.
When: every morning, right after the wall push
Where: the kitchen
                     [Done]  [Video]

## Door stretch
Put your forearm on the door frame and turn your body away. Hold it when your chest feels a stretch. Like the stretch we finished with today.
When: every evening, when you switch the TV on
Where: the living room door
                     [Done]  [Video]

## Rules""" + _TAIL


def test_field_labels_are_not_speakers_and_buttons_are_not_sentences():
    from hep_mcp.rules.parse import parse

    ex = parse(SCREEN).exercises
    assert [e.name for e in ex] == ["Wall push", "Arm raise", "Door stretch"]
    assert all(len(e.labeled) == 2 for e in ex)
    assert _rules(SCREEN, "descriptions") == []


def test_a_screen_exercise_with_a_long_description_is_still_too_long():
    long = SCREEN.replace("Lower it slowly.", "Lower it slowly. Keep your elbow soft. Breathe out as you lift. Keep your neck relaxed.")
    assert "DS001" in _rules(long, "descriptions")


def test_one_bracketed_title_alone_is_still_a_heading():
    from hep_mcp.rules.parse import _buttons, Line

    kept = [Line(1, "[THE 3 MOVES]"), Line(2, "[ ] am  [ ] pm"), Line(3, "  [Done]  [Video]")]
    assert [ln.text for ln in _buttons(kept)] == ["[THE 3 MOVES]", "[ ] am  [ ] pm", ""]


# -- a number the draft presents as the clinic's in more ways: when to call before it, a name
# that says what kind of place it is, a line named for the care it serves --------------------

_RING = "Ring our main line at (555) 301-2200 or use the portal at portal.northside.example."


@pytest.mark.parametrize(
    "line",
    [
        "For a hot, swollen calf, ring the clinic today (555) 301-2200.",
        "For a hot, swollen calf, ring your surgeon's office or the clinic directly at (555) 301-2200.",
        "Questions? Ring Northside Physical Therapy at (555) 301-2200.",
        "Questions? Ring Harbour Physio on (555) 301-2200.",
        "Questions? Ring the physio follow-up line at (555) 301-2200.",
        "Questions? Ring our nurse line at (555) 301-2200.",
    ],
)
def test_a_number_presented_as_the_clinics_in_more_ways_passes(line):
    assert "LK003" not in _rules(CLINIC_NUMBER.replace(_RING, line), "safety")


@pytest.mark.parametrize(
    "line",
    [
        "Questions? Ring Kiri at (555) 301-2200.",  # a person, not a place
        "Questions? Ring Northside Fitness at (555) 301-2200.",  # a place that is not a clinic
        "Questions? Ring the help line at (555) 301-2200.",  # a line that names no care
        "Questions? Ring the gym today at (555) 301-2200.",
        "Questions? Ring my cell at (555) 301-2200, it's quicker than the clinic line.",
    ],
)
def test_a_number_not_presented_as_the_clinics_is_still_foreign(line):
    found = _rules(CLINIC_NUMBER.replace(_RING, line), "safety") + _rules(CLINIC_NUMBER.replace(_RING, line), "feedback")
    assert {"LK003", "FB003"} & set(found)


# -- a word processor's table pasted as text, cells cut by tabs ----------------------------------

TAB_TABLE = (
    "Hi Omar, the table we filled in today.\n\n"
    "Move\tHow\tHow much and when\n"
    "Wall push\tStand an arm's length from the wall, hands flat on it. Bend your elbows and push back. The first one we did today.\t10 times, every morning right after you put the kettle on, in the kitchen\n"
    "Arm raise\tLift your arm forward to shoulder height, thumb up. Lower it slowly. Same as the one at the mirror today.\t10 times, right after the wall push, in the kitchen\n"
    "Door stretch\tPut your forearm on the door frame and turn your body away. Hold it when your chest feels a stretch. Like the stretch we finished with today.\t3 holds of 20 seconds, every evening when you switch the TV on, at the living room door\n"
    "\nRules" + _TAIL
)


def test_a_tab_separated_table_is_read_as_a_table():
    assert _names(TAB_TABLE) == ["Wall push", "Arm raise", "Door stretch"]
    assert _rules(TAB_TABLE, "descriptions") == [] and _rules(TAB_TABLE, "exercises") == []


def test_a_tab_separated_table_of_eight_moves_is_still_too_many():
    rows = "".join(f"Knee lift {n}\tStand at the counter and lift one knee, then the other. We did this today.\t10 times after breakfast, in the kitchen\n" for n in range(4, 9))
    more = TAB_TABLE.replace("\nRules", rows + "\nRules")
    assert "EX001" in _rules(more, "exercises")


def test_a_tab_separated_row_without_the_session_link_still_lacks_the_tie_back():
    untied = TAB_TABLE.replace(" The first one we did today.", " Keep your back straight.")
    assert "DS002" in _rules(untied, "descriptions")


# -- an exercise whose name has a section's word ("Doorway chest stretch") among sibling headings,
# each under a video's caption line --

SIBLINGS = """Hi Omar, your three from today.

**Clip 1 · 0:40**
## Wall push
Stand an arm's length from the wall with your hands flat on it. Bend your elbows and push back. The first one we did today. Every morning after you put the kettle on, in the kitchen: 10 times.

**Clip 2 · 0:55**
## Doorway chest stretch
Put your forearm on the door frame and turn your body away. Hold it when your chest feels a stretch. Like the stretch we finished with today. Every evening when you switch the TV on, at the living room door: 3 holds.

**Clip 3 · 0:30**
## Arm raise
Lift your arm forward to shoulder height with your thumb up. Lower it slowly. Same as the one at the mirror today. Every morning after the wall push, in the kitchen: 10 times.

## Rules""" + _TAIL


def test_a_sibling_heading_with_a_sections_word_is_one_more_exercise():
    assert _names(SIBLINGS) == ["Wall push", "Doorway chest stretch", "Arm raise"]
    assert _rules(SIBLINGS, "exercises") == []


def test_a_stretches_section_after_an_exercise_still_holds_its_list():
    section = SIBLINGS.replace(
        "## Doorway chest stretch\nPut your forearm on the door frame and turn your body away. Hold it when your chest feels a stretch. Like the stretch we finished with today. Every evening when you switch the TV on, at the living room door: 3 holds.",
        "## Stretches\n" + "".join(f"- Neck stretch {n}: tilt your ear toward your shoulder and hold. We did this today. 3 holds.\n" for n in range(1, 7)),
    )
    assert "EX001" in _rules(section, "exercises")


# -- a numbered title line over its text may run to seven words ("STEP 3 - Table slides for your
# weaker arm") --------------------------------------------------------------------------------

LONG_TITLES = """Hi Omar, your three from today.

Move 1 - Wall push with both hands
Stand an arm's length from the wall with your hands flat on it. Bend your elbows and push back. The first one we did today.
How much: 10 times, every morning after you put the kettle on, in the kitchen.

Move 2 - Arm raise to the front slowly
Lift your arm forward to shoulder height with your thumb up. Lower it slowly. Same as the one at the mirror today.
How much: 10 times, right after the wall push, in the kitchen.

Move 3 - Chest stretch in the living room doorway
Put your forearm on the door frame and turn your body away. Hold it when your chest feels a stretch. Like the stretch we finished with today.
How much: 3 holds, every evening when you switch the TV on, at the living room door.

RULES""" + _TAIL


def test_a_numbered_title_of_seven_words_names_the_exercise():
    assert _names(LONG_TITLES) == ["Wall push with both hands", "Arm raise to the front slowly", "Chest stretch in the living room doorway"]
    assert _rules(LONG_TITLES, "exercises") == []


def test_a_long_numbered_title_without_the_session_link_still_lacks_the_tie_back():
    untied = LONG_TITLES.replace(" Like the stretch we finished with today.", " Breathe out slowly.")
    assert "DS002" in _rules(untied, "descriptions")


# -- a page of the clinic's portal or app: a log done on the screen itself is through the channel --

_PAGE_LOG = "Tick \"done\" each day in the patient portal; send problems through the portal messages."
APP_PAGE = "Northside Rehab clinic app - Today\n\n" + SIBLINGS.replace(_PAGE_LOG, "Finished for the day? Click the check mark beside each move. Problems: message the front desk.")


def test_a_log_on_the_screen_of_the_clinics_app_page_is_official():
    assert "FB001" not in _rules(APP_PAGE, "feedback")


def test_a_log_on_a_screen_with_no_channel_named_at_the_top_is_still_missing():
    bare = APP_PAGE.replace("Northside Rehab clinic app - Today\n\n", "Today\n\n")
    assert "FB001" in _rules(bare, "feedback")


def test_a_log_on_paper_under_a_channels_header_is_still_missing():
    paper = APP_PAGE.replace("Click the check mark beside each move.", "Put a check mark on the sheet on your fridge.")
    assert "FB001" in _rules(paper, "feedback")


def test_a_letterhead_naming_only_the_clinic_is_no_screen():
    letterhead = APP_PAGE.replace("Northside Rehab clinic app - Today", "Northside Rehab Clinic")
    assert "FB001" in _rules(letterhead, "feedback")


# -- a label word and a number before the colon, the name after it ('Move 1: Wall push') ----------

LABELLED_NUMBER = """Ruth's wall and chair routine
From Harbor Street Physical Therapy

Hi Ruth, these are the three moves from today's visit.

Move 1: Wall push
Stand an arm's length from the kitchen wall with your hands flat on it. Bend your elbows to bring your chest toward the wall, then push back. It is the first one we did at the clinic wall today.

Move 2: Heel raises
Hold the back of a kitchen chair and rise up onto your toes. Come down slowly. We did these beside the parallel bars today.

Move 3: Sit to stand
Sit near the front of a firm chair and stand up tall, then sit back down slowly. Use the same chair height we practiced in the session.

When and where: every morning in the kitchen, right after you pour your first cup of coffee. Do each move 10 times.

Rules
If your pain goes up more than 2 points from where it started, stop that move for today and do the others.
If you miss a day, don't make it up. Just do the next one.
If something feels different, like new pain, swelling or weakness, call the clinic before you go on.
Chest pain, trouble breathing, fainting or a racing heart: stop and call 911.

Check in
Tap "done" in the Harbor Street patient portal each day. For problems, send a portal message or call the front desk at 555-0182.

Goal for next Tuesday: stand up from the chair 10 times without using your hands.
"""


def test_a_label_word_and_number_before_the_colon_is_not_the_name():
    assert _names(LABELLED_NUMBER) == ["Wall push", "Heel raises", "Sit to stand"]
    assert _rules(LABELLED_NUMBER, "descriptions") == []


def test_any_label_word_and_the_name_as_a_first_sentence():
    # another author's wording: 'Drill N:' and the name run into the how on one line
    text = (
        LABELLED_NUMBER.replace("Move 1: Wall push\n", "Drill 1: Wall push. ")
        .replace("Move 2: Heel raises\n", "Drill 2: Heel raises. ")
        .replace("Move 3: Sit to stand\n", "Drill 3: Sit to stand. ")
    )
    assert _names(text) == ["Wall push", "Heel raises", "Sit to stand"]
    assert _rules(text, "descriptions") == []


def test_a_labelled_number_without_the_session_link_still_lacks_the_tie_back():
    flawed = LABELLED_NUMBER.replace(" We did these beside the parallel bars today.", " Keep your knees soft.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS002"] == ["'Heel raises' does not refer back to the session"]


def test_a_labelled_number_over_a_name_alone_is_still_too_short():
    flawed = LABELLED_NUMBER.replace("Hold the back of a kitchen chair and rise up onto your toes. Come down slowly. We did these beside the parallel bars today.", "We did these today.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS001"] == ["'Heel raises' is described in 1 sentence(s); aim for 2 to 3"]


# -- a reminder's call by name, a goal label over its lines, a log read to the nurse line ---------

REMINDERS = """
Walter's balance program - Riverbend Home Care Therapy

Walter, these three help your balance and keep you from falling. I set them up as reminders on your tablet before I left today.

1. Heel raises
   Okay Walter, time for heel raises. Hold the kitchen counter with both hands and rise up on your toes, then lower slowly. Keep your knees soft. Do ten, the same as we did at the counter this morning.
2. Sit to stand
   Next up, sit to stand. Sit at the front of the dining chair, lean forward and stand up, then sit down slowly. Do eight, using the chair we practiced with today.
3. Side steps
   Now for side steps. Face the counter and take five small steps to the right, then five back. Keep one hand on the counter, like during the visit.

When and where: every morning in the kitchen, right after you finish breakfast.

Safety rules
- If pain goes up more than 2 points out of 10 from where it started, stop that exercise for today and do the others.
- If you miss a day, don't make it up. Just do the next one.
- If something feels different, like new pain, swelling, dizziness or a leg that feels weaker, sit down and call Riverbend before you go on.
- Chest pain or pressure, trouble breathing, fainting or a racing heart: stop and call 911.
- If you fall and are hurt or can't get up, call 911.

Keeping track
- Mark an X on the fridge calendar each day, and read your marks to the nurse line when they call you on Mondays.
- For problems, call the Riverbend office at 555-0147.

Your goal before my next visit
Stand up from the dining chair eight times without using your hands.
I'll ask you to show me first thing when I come.
"""


def test_a_sentence_calling_the_exercise_by_name_is_not_a_sentence_of_how():
    assert _rules(REMINDERS, "descriptions") == []


def test_a_call_by_name_over_a_long_how_is_still_too_long():
    flawed = REMINDERS.replace("Keep your knees soft.", "Keep your knees soft. Look straight ahead. Breathe out as you rise.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS001"] == ["'Heel raises' is described in 5 sentence(s); aim for 2 to 3"]


def test_a_call_by_name_over_one_sentence_is_still_too_short():
    flawed = REMINDERS.replace(" Face the counter and take five small steps to the right, then five back.", "")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS001"] == ["'Side steps' is described in 1 sentence(s); aim for 2 to 3"]


def test_a_goal_label_over_its_lines_with_no_blank_line_is_read_with_them():
    assert _rules(REMINDERS, "milestone") == []


def test_a_goal_label_over_a_vague_goal_is_still_vague():
    flawed = REMINDERS.replace("Stand up from the dining chair eight times without using your hands.", "Keep working hard and feel better.")
    assert "MS002" in _rules(flawed, "milestone")


def test_a_log_read_to_the_nurse_line_is_through_an_official_channel():
    assert _rules(REMINDERS, "feedback") == []


def test_a_calendar_log_sent_nowhere_is_still_missing():
    flawed = REMINDERS.replace(", and read your marks to the nurse line when they call you on Mondays.", ".")
    assert "FB001" in _rules(flawed, "feedback")


# -- if-then plans: a bold condition word, then a bold 'then' inside one sentence ---------------

IF_THEN = """
# Nina's plan after your knee replacement, one if-then at a time

**After** you brush your teeth in the morning, **then** go to the kitchen and do these three, about ten minutes in all.

**Once** you are standing at the counter, **then** try heel raises: hold the counter with both hands and rise up on your toes. Lower slowly. This is the first one we did at the bars today. Do it 10 times.

**Once** the heel raises are done, **then** do the mini squats, holding the counter: bend your knees a little as if to sit. Stand back up tall. Same as the ones at the end of today's session. Do it 10 times.

**After** the squats, **then** practice the knee straightening: sit on a kitchen chair and straighten your knee out in front of you. Hold it for a slow count of five, like the last one we did in the gym today. Do it 10 times.

**If** your knee pain goes up more than 2 points from where it started, **then** stop that one for today and do the others.

**If** you miss a morning, **then** just start again the next day. Don't do extra to make up for it.

**If** something feels different, like new pain, swelling or weakness, **then** send the clinic a message in the patient portal before you go on.

**If** you have calf pain, warmth or swelling, or spreading redness, drainage or a fever, **then** call the clinic today. **If** you have chest pain or trouble breathing, **then** call 911.

**When** you finish, **then** tap "done" in the patient portal. **If** there is a problem, **then** send a portal message or call the front desk at 555-0163.

**If** it's Friday's visit, **then** you'll be able to do the 10 mini squats without holding the counter.
"""


def test_an_if_then_plan_names_its_exercises_from_the_action():
    assert _names(IF_THEN) == ["heel raises", "mini squats", "knee straightening"]


def test_an_if_then_plans_rules_are_no_exercises_and_its_goal_is_read():
    assert _rules(IF_THEN, "exercises") == []
    assert _rules(IF_THEN, "descriptions") == []
    assert _rules(IF_THEN, "milestone") == []
    assert _rules(IF_THEN, "response_rules") == []


def test_an_if_then_exercise_without_the_session_link_still_lacks_the_tie_back():
    flawed = IF_THEN.replace(" Same as the ones at the end of today's session.", " Keep your back tall.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS002"] == ["'mini squats' does not refer back to the session"]


def test_an_if_then_plan_without_its_goal_still_lacks_the_milestone():
    flawed = IF_THEN.replace("**If** it's Friday's visit, **then** you'll be able to do the 10 mini squats without holding the counter.\n", "")
    assert "MS001" in _rules(flawed, "milestone")


def test_an_if_then_plan_of_too_many_moves_is_still_too_many():
    more = "".join(
        f"**Once** that is done, **then** do the {name}: {how} Same as in the gym today. Do it 10 times.\n\n"
        for name, how in [("side steps", "hold the counter and step to the side, then back."), ("marching", "hold the counter and lift one knee, then the other."),
                          ("toe raises", "hold the counter and lift your toes, then lower them."), ("hip kicks", "hold the counter and move your leg out to the side.")]
    )
    flawed = IF_THEN.replace("**If** your knee pain", more + "**If** your knee pain")
    assert "EX001" in _rules(flawed, "exercises")


# -- an ordinal leading the name ('First, the pelvic tilt: ...'); one sentence is still one -------

ORDINAL_LEADS = """
Hello Omar,

Here is what we agreed at the end of today's visit for your low back pain.

- First, the pelvic tilt: lie on your back with your knees bent and flatten your low back into the bed. Hold for a slow count of three, then relax. This is the one we started with on the table today.
- Next, your knee to chest: lie on your back and hug one knee toward your chest. Hold it for ten seconds, then switch sides. Same as the second one we did today.
- Finally, the bridge: lie on your back with your knees bent and lift your hips off the bed. Lower them slowly. It is the last one we did in the session.

Every evening, right after you brush your teeth, on the bed: 10 tilts, 3 knee hugs each side and 10 bridges.

If your back pain goes up more than 2 points from where it started, stop that exercise for today and do the others. If you miss a day, don't make it up. If something feels different, like new pain down the leg or tingling, message the clinic before you go on. Numbness between your legs, new trouble with your bladder or bowels, or weakness in both legs: go to the emergency department now. Chest pain or trouble breathing: call 911.

Tap "done" in the patient portal each evening. For problems, send a portal message or call the front desk at 555-0138.

Goal for Friday: do the 10 bridges on three evenings in a row without your pain going up.
"""


def test_an_ordinal_before_the_name_is_not_part_of_it():
    assert _names(ORDINAL_LEADS) == ["pelvic tilt", "knee to chest", "bridge"]
    assert _rules(ORDINAL_LEADS, "descriptions") == []


def test_an_ordinal_led_exercise_in_one_sentence_is_still_too_short():
    # the brief asks for 2 to 3 plain sentences: one easy sentence with its tie-back is one
    flawed = ORDINAL_LEADS.replace(
        "lift your hips off the bed. Lower them slowly. It is the last one we did in the session.", "lift your hips off the bed, the last one we did in the session."
    )
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS001"] == ["'bridge' is described in 1 sentence(s); aim for 2 to 3"]


def test_an_ordinal_led_exercise_without_the_session_link_still_lacks_the_tie_back():
    flawed = ORDINAL_LEADS.replace(" Same as the second one we did today.", " Breathe out as you hug.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS002"] == ["'knee to chest' does not refer back to the session"]


# -- an ALL-CAPS heading with a note in brackets ('RULES (read these first)') -------------------

CAPS_NOTES = """Home plan for Rosa - Eastside Physical Therapy

EXERCISES (every morning, after you make your coffee, in the kitchen)
1. Heel raises. Hold the kitchen counter and rise up onto your toes, then lower slowly. Same as the first one we did today. 10 times.
2. Ankle circles. Sit on a chair and draw slow circles with your foot, both ways. Like the one we did on the table. 10 each way.
3. Balance. Hold the counter with one hand and stand on the sore foot. This is the last one we did today. 3 times, 20 seconds.

RULES (read these first)
- If your ankle pain goes up more than 2 points from where it started, stop that exercise for today and do the others.
- Missed a day? Don't make it up. Just carry on the next morning.
- If something feels different, like new pain, more swelling or numbness, message the clinic before you go on.
- Chest pain, trouble breathing, fainting or a racing heart: stop and call 911.

CHECKING IN (every day)
Tick "done" in the Eastside patient portal each morning. For problems, send a portal message or call the front desk at 555-0150.

GOAL FOR MY NEXT VISIT (Friday)
- Stand on the sore foot for 20 seconds without holding the counter.

THINGS TO ASK ME (bring the list)
- Which shoes are best for walking?
- Can I go back to the gym?
"""


def _headings(text: str) -> list[tuple[int, str | None]]:
    from hep_mcp.rules.parse import parse

    return [(no, el) for no, _, el in parse(text).headings]


def test_an_all_caps_heading_with_a_note_in_brackets_is_a_heading():
    assert _headings(CAPS_NOTES) == [(3, "exercises"), (8, "response_rules"), (14, "feedback"), (17, "milestone"), (20, None)]
    # the questions after the goal are under their own heading, not more goals
    assert _rules(CAPS_NOTES, "milestone") == []


def test_two_goals_under_a_caps_heading_with_a_note_are_still_several():
    flawed = CAPS_NOTES.replace(
        "- Stand on the sore foot for 20 seconds without holding the counter.\n",
        "- Stand on the sore foot for 20 seconds without holding the counter.\n- Walk to the mailbox and back without the brace.\n",
    )
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "MS003"] == ["2 milestones: keep exactly one for the next visit"]


def test_a_caps_line_whose_brackets_hold_a_sentence_is_no_heading():
    from hep_mcp.rules.parse import _plain_heading

    assert _plain_heading("TEACH-BACK (filled in with you before you left)") == ("TEACH-BACK (filled in with you before you left)", True)
    assert _plain_heading("STOP (if it hurts. Then rest.)") is None  # a sentence in the brackets
    assert _plain_heading("CALL 911 (chest pain) or the clinic") is None  # the brackets do not end the line
    assert _plain_heading("Rules (read these first)") is None  # the words before them are no heading alone



CAPS_NAMES_WITH_DOSE = """Knee plan for Ed

Every morning after breakfast, in the living room.

SIT TO STAND (10 times)
Sit at the front of a firm chair. Lean forward and stand up, then sit down slowly. Same as the first one today.

HEEL SLIDES (10 slides)
Lie on your back and slide your heel toward you, then back out. Go only as far as on the table today.

THIGH SQUEEZE (hold 5 seconds, 10 times)
Lie on your back and tighten your thigh so your knee presses down. This is the last one we did today.

RULES (read these first)
If pain goes up more than 2 points from where it started, stop that exercise for today and do the others. Missed a day? Don't make it up. If something feels different, like new pain or swelling, call the clinic before you go on. Chest pain or trouble breathing: call 911.

CHECK IN
Tick done in the patient portal each day. For problems, send a portal message.

GOAL FOR FRIDAY (one small thing)
Stand up from the chair 10 times without your hands.
"""


def test_caps_exercise_names_with_the_dose_in_brackets_are_each_an_exercise():
    assert _names(CAPS_NAMES_WITH_DOSE) == ["SIT TO STAND (10 times)", "HEEL SLIDES (10 slides)", "THIGH SQUEEZE (hold 5 seconds, 10 times)"]
    assert _rules(CAPS_NAMES_WITH_DOSE, "exercises") == [] and _rules(CAPS_NAMES_WITH_DOSE, "descriptions") == []


def test_a_caps_exercise_name_with_a_dose_in_brackets_and_no_session_link_still_lacks_it():
    flawed = CAPS_NAMES_WITH_DOSE.replace(" This is the last one we did today.", " Then let go.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS002"] == ["'THIGH SQUEEZE (hold 5 seconds, 10 times)' does not refer back to the session"]

# -- a bold 'If' with no bold 'then' ('**If** your knee swells, call the clinic') ---------------

BOLD_IF = """# Sam's knee plan

Do these every morning right after you brush your teeth, in the bedroom.

**Thigh squeeze** - Lie on your back with your leg straight. Tighten your thigh and push the back of your knee down, like the first one we did today. Hold 5 seconds, 10 times.

**Heel slides** - Still on your back, slide your heel toward you, then back out. Go only as far as you did on the table today. 10 slides.

**Sit to stand** - Sit at the front of a firm chair and stand up, then sit down slowly. Same chair practice we did at the end of the session. 8 times.

**If** pain goes up more than 2 points from where it started, stop that exercise for today and do the others.

**If** you miss a day, just carry on. Don't make it up.

**If** your knee swells, feels hot, or something feels different, call the clinic at 555-0100 before you go on.

**If** you have chest pain, trouble breathing or fainting, call 911.

Log each day in the clinic app. For problems, message us in the app.

Goal for Thursday: hold the thigh squeeze the full 5 seconds, three days in a row.
"""


def test_a_bold_if_without_a_bold_then_is_a_rule_not_an_exercise():
    assert _names(BOLD_IF) == ["Thigh squeeze", "Heel slides", "Sit to stand"]
    assert _rules(BOLD_IF, "exercises") == []
    assert _rules(BOLD_IF, "descriptions") == []


def test_a_bold_if_that_doubles_up_after_a_missed_day_is_still_a_catch_up():
    flawed = BOLD_IF.replace("**If** you miss a day, just carry on. Don't make it up.", "**If** you miss a day, do twice as many the next day.")
    assert "RR004" in _rules(flawed, "response_rules")


def test_bold_ifs_between_too_many_moves_are_not_counted_but_the_moves_are():
    more = "".join(
        f"**{name}** - {how} Same as in the gym today. 10 times.\n\n"
        for name, how in [("Ankle pumps", "Point your toes down, then pull them up."), ("Side steps", "Hold the counter and step to the side, then back.")]
    )
    flawed = BOLD_IF.replace("**If** pain goes up", more + "**If** pain goes up")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "EX001"] == ["5 exercises: more than 4 lowers adherence"]


# -- a dose in numbers only as its own sentence ('3x10.') is not a sentence of the how ---------

SHORTHAND_DOSE = """## Shoulder plan for Dana

Every day after lunch, at the kitchen table, before you clear the dishes.

### Wall push-up
Stand an arm's length from the wall with your hands flat on it. Bend your elbows to bring your chest toward the wall, then push back. Like the one we did at the end of today's session.
3x10.

### Rows with the band
Tie the band to the door handle and pull both ends back, squeezing your shoulder blades. Let it back out slowly. Same as the green band in the gym today.
2 x 15, 2x/day.

### Arm slides on the table
Rest your hand on a towel and slide it forward along the table, then back. Go only as far as is comfortable. This is the first one we did today.
2x10 each side.

### Rules
- If your shoulder pain goes up more than 2 points from where it started, stop that exercise for today and do the others.
- Missed a day? Don't make it up.
- If something feels different, like new pain or numbness in your hand, message the clinic before you go on.
- Chest pain or trouble breathing: call 911.

### Check in
Tick "done" in the patient portal after lunch. For problems, send a portal message.

### Goal
By Friday, do the 10 wall push-ups without a rest, 3 days in a row.
"""


def test_a_dose_in_numbers_only_is_not_a_sentence_of_the_description():
    assert _names(SHORTHAND_DOSE) == ["Wall push-up", "Rows with the band", "Arm slides on the table"]
    assert _rules(SHORTHAND_DOSE, "descriptions") == []
    # how the dose is written is still plain language's finding
    report = check_draft(SHORTHAND_DOSE, kind="hep")
    assert [f.message for f in report.findings if f.rule == "PL004"][:1] == ['Abbreviation "3x10"']


def test_one_sentence_and_a_dose_in_numbers_is_still_too_short():
    flawed = SHORTHAND_DOSE.replace(
        "Rest your hand on a towel and slide it forward along the table, then back. Go only as far as is comfortable. This is the first one we did today.",
        "Slide your hand on a towel along the table, the first one we did today.",
    )
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS001"] == ["'Arm slides on the table' is described in 1 sentence(s); aim for 2 to 3"]


def test_a_how_sentence_ending_in_a_dose_in_numbers_still_counts():
    # "Lean on the wall and push back, 3x10." says how: it is one more sentence
    flawed = SHORTHAND_DOSE.replace("then push back. Like the one we did at the end of today's session.\n3x10.", "then push back. Like the one we did at the end of today's session. Keep your elbows in and push back, 3x10.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS001"] == ["'Wall push-up' is described in 4 sentence(s); aim for 2 to 3"]


# -- 'contact the clinic before the next session' is before going on, not a wait ---------------

AHEAD_OF_SESSION = """Hi Priya,

Here is your home program from today. Do it every evening right after you feed the dog, on the living room rug.

Bridge - lie on your back with your knees bent and lift your hips until your body is straight. Lower slowly. This is the one we did first on the mat today. 10 times.
Clamshell - lie on your side with your knees bent and open your top knee like a book, then close it. Keep your feet together. Same as the second one today. 10 each side.
Side plank on your knees - lie on your side, prop up on your elbow and lift your hips off the rug. Hold still and breathe. We finished today's visit with this one. Hold 15 seconds, 3 times.

If your hip pain goes up more than 2 points from where it started, stop that exercise for tonight and do the others. Missed an evening? Just carry on the next evening, no extra. If something feels different, like new pain, swelling or numbness in your leg, text the clinic line at 555-0161 before your next session. Chest pain, trouble breathing or fainting: call 911.

Reply DONE on the clinic text line after each evening's round. For problems, text the same line or call the front desk.

By Thursday: hold the side plank 15 seconds, 3 times, on 3 evenings.
"""


def test_a_contact_before_the_next_session_is_before_going_on():
    assert "RR005" not in _rules(AHEAD_OF_SESSION, "response_rules")


def test_a_sign_kept_for_the_next_session_is_still_a_wait():
    flawed = AHEAD_OF_SESSION.replace("text the clinic line at 555-0161 before your next session", "stop, and tell us about it at your next session")
    assert "RR005" in _rules(flawed, "response_rules")


def test_a_contact_after_the_next_session_is_still_a_wait():
    flawed = AHEAD_OF_SESSION.replace("before your next session", "after your next session")
    assert "RR005" in _rules(flawed, "response_rules")


# -- a visit named as the label of the goal after it ('For the Week 2 Thursday visit: ...') ------

VISIT_LABEL = """Dear Ruth,

Your three exercises for the next two weeks are below. Do them each morning right after you put the kettle on, standing at the kitchen counter.

1) Side steps - hold the counter and step to the side 5 steps, then back. Keep your toes pointing forward. We did this along the bars today. 3 times.
2) Heel-toe walk - put one heel right in front of the other toes and walk along the counter. Look ahead, not at your feet. The last one we did in the gym. 2 times.
3) Sit to stand - sit near the front of a firm chair, lean forward and stand up, then sit down slowly. Same as the chair one today. 5 times.

If your pain goes up more than 2 points from where it started, stop that exercise for the day and do the others. Missed a morning? Don't make it up, just start again the next day. If something feels different, like new dizziness or a new pain, call the clinic before you go on. Chest pain, trouble breathing or fainting: call 911.

Each morning, tap "done" in the clinic app. Problems or questions: message us in the app or call the front desk.

- At your Friday session: walk the length of the counter heel to toe, 2 times, without touching it.
"""


def test_a_visit_named_as_the_goal_label_is_the_milestone():
    assert _rules(VISIT_LABEL, "milestone") == []


def test_a_visit_label_over_a_vague_goal_is_still_vague():
    flawed = VISIT_LABEL.replace("walk the length of the counter heel to toe, 2 times, without touching it.", "keep it up and feel better.")
    assert _rules(flawed, "milestone") == ["MS002"]


def test_todays_visit_as_a_label_is_no_milestone():
    flawed = VISIT_LABEL.replace("- At your Friday session: walk the length of the counter heel to toe, 2 times, without touching it.", "- At today's session: we walked the counter heel to toe, 2 times.")
    assert "MS001" in _rules(flawed, "milestone")


def test_each_home_session_as_a_label_is_no_milestone():
    flawed = VISIT_LABEL.replace("- At your Friday session: walk the length of the counter heel to toe, 2 times, without touching it.", "- For each session: do all three, then rest.")
    assert "MS001" in _rules(flawed, "milestone")


VISIT_LABEL_ES = """# Plan de Doña Rosa

Hola Doña Rosa: su plan para estas dos semanas.

## Ejercicios
- **Pararse de la silla:** en una silla firme, párese despacio y siéntese otra vez. Lo hicimos juntos hoy en la clínica.
- **Levantar el brazo débil:** sentado, levante el brazo débil hacia adelante con ayuda de la otra mano. Es el mismo que practicamos en la sesión.
- **Caminar en el pasillo:** camine despacio por el pasillo con su bastón. Lo hizo conmigo al final de la cita.

## Cuándo y dónde
Todos los días, en la sala, después de las noticias de la tarde. Haga 10 veces los dos primeros y camine 5 minutos.

## Reglas
- Si el dolor sube más de 2 puntos de donde empezó, deje ese ejercicio por hoy y haga los otros.
- Si se le pasa un día, siga al día siguiente. No haga el doble.
- Si siente algo diferente, llame a la clínica antes de seguir.
- Dolor de pecho o dificultad para respirar: llame al 911.

## Cómo nos avisa
Marque cada día en el portal de la clínica. ¿Dudas o problemas? Llame a la recepción.

**Para la visita del jueves de la semana 2:** caminar 5 minutos por el pasillo sin parar.
"""


def test_a_visit_named_as_the_goal_label_is_the_milestone_es():
    report = check_draft(VISIT_LABEL_ES, kind="hep", language="es")
    assert [f.rule for f in report.findings if f.element == "milestone"] == []


def test_todays_visit_as_a_label_is_no_milestone_es():
    flawed = VISIT_LABEL_ES.replace("**Para la visita del jueves de la semana 2:** caminar 5 minutos por el pasillo sin parar.", "**En la visita de hoy:** caminamos 5 minutos por el pasillo.")
    report = check_draft(flawed, kind="hep", language="es")
    assert "MS001" in [f.rule for f in report.findings if f.element == "milestone"]


# -- a labelled picture caption or tie-back under an exercise is not a sentence of how ----------

CAPTIONED = """# Plan for Gloria

Every evening, right after you wash up the dinner dishes, in the kitchen.

1. Heel raises
   Photo: both hands on the counter edge.
   What to do: Hold the counter. Rise up on your toes. Lower slowly.
   From clinic: This is the one you did at the bars while we talked about your grandson.
   How much: 10 times.

2. Marching
   Photo: one knee up, hand on the counter.
   What to do: Hold the counter. Lift one knee, then the other. Stand tall.
   From clinic: We finished the whole session with this march on the blue line.
   How much: 20 steps.

3. Side leg lift
   Photo: standing sideways to the counter.
   What to do: Hold the counter. Lift your outside leg out to the side. Bring it back slowly.
   From clinic: It is the same one you did on the mat by the window at the end.
   How much: 10 each side.

## Pain and safety
- If your pain goes up more than 2 points from where it started, stop that one for today and do the others.
- Missed a day? Just start again the next day. No extra.
- If something feels different, like new dizziness or new pain, call the clinic before you go on.
- Chest pain, trouble breathing or fainting: call 911.

## Check in
Tick the box each evening in the patient portal. For problems, send a portal message.

## Goal for Friday
Rise up on your toes 10 times holding the counter with one hand, 3 evenings in a row.
"""


def test_a_picture_caption_and_a_labelled_tie_back_are_not_how():
    assert _rules(CAPTIONED, "descriptions") == []


def test_a_long_how_under_a_caption_is_still_too_long():
    flawed = CAPTIONED.replace("What to do: Hold the counter. Lift one knee, then the other. Stand tall.", "What to do: Hold the counter. Lift one knee. Put it down. Lift the other knee. Stand tall.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS001"] == ["'Marching' is described in 6 sentence(s); aim for 2 to 3"]


def test_a_caption_alone_is_no_description():
    flawed = CAPTIONED.replace("   What to do: Hold the counter. Rise up on your toes. Lower slowly.\n   From clinic: This is the one you did at the bars while we talked about your grandson.\n", "")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS001"] == ["'Heel raises' is described in 0 sentence(s); aim for 2 to 3"]


def test_only_a_tie_back_label_leaves_the_how_count():
    # "Tip: ..." is one more sentence of how; only the link back to the session is not
    flawed = CAPTIONED.replace("From clinic: We finished the whole session with this march on the blue line.", "Tip: Keep your chest up and your eyes on the window while you march.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "DS001"] == ["'Marching' is described in 4 sentence(s); aim for 2 to 3"]


CAPTIONED_ES = """# Plan de Don Tomás

Todos los días, en la cocina, justo después del desayuno.

## Uno: pararse de la silla

Dibujo: una silla firme de la cocina, sin ruedas.

Qué hacer: Siéntese en la orilla de la silla. Inclínese hacia adelante y párese. Siéntese despacio.
Como hoy: Es el de la silla que hicimos primero en la sesión de la mañana.
Cuántas veces: 5 veces.

## Dos: pararse de puntas

Dibujo: las dos manos en la barra de la cocina.

Qué hacer: Agárrese de la barra con las dos manos. Suba de puntas. Baje despacio.
Como hoy: Lo hicimos juntos en la barra del gimnasio al final de la cita.
Cuántas veces: 10 veces.

## Tres: caminar en línea

Dibujo: un pie delante del otro pie.

Qué hacer: Agárrese de la barra con una mano. Ponga un talón delante de los dedos del otro pie. Camine despacio.
Como hoy: Es el último que hicimos juntos en la clínica con la cinta del piso.
Cuántas veces: 2 veces a lo largo de la barra.

## Reglas
- Si el dolor sube más de 2 puntos de donde empezó, deje ese ejercicio por hoy y haga los otros.
- Si se le pasa un día, siga al día siguiente. No haga el doble.
- Si siente algo diferente, como mareo nuevo, llame a la clínica antes de seguir.
- Dolor de pecho o dificultad para respirar: llame al 911.

## Cómo nos avisa
Marque cada día en el portal de la clínica. ¿Dudas o problemas? Llame a la recepción.

## Meta para el viernes
Caminar en línea a lo largo de la barra 2 veces sin soltarse, para el viernes.
"""


def test_a_picture_caption_and_a_labelled_tie_back_are_not_how_es():
    report = check_draft(CAPTIONED_ES, kind="hep", language="es")
    assert [f.rule for f in report.findings if f.rule == "DS001"] == []


def test_a_caption_alone_is_no_description_es():
    flawed = CAPTIONED_ES.replace("Qué hacer: Agárrese de la barra con las dos manos. Suba de puntas. Baje despacio.\nComo hoy: Lo hicimos juntos en la barra del gimnasio al final de la cita.\n", "")
    report = check_draft(flawed, kind="hep", language="es")
    assert [f.line for f in report.findings if f.rule == "DS001"] == [13]


# -- a sub-heading over related material ends the section above it ('### See also') -----------

ASIDE_UNDER_GOAL = """# Home plan for Deshawn

Every night right after you brush your teeth, in the bedroom, do these three.

## Exercises
- **Heel slides:** lie on your back on the bed and slide your heel toward you, then back. We did this one first on the mat today. 10 times.
- **Thigh squeeze:** press the back of your knee down into the bed and hold 5 seconds. Same as the second one today. 10 times.
- **Straight leg lift:** tighten your thigh and lift the straight leg a hand's height, then lower slowly. The last one we did today. 10 times.

## If something changes
- If your knee pain goes up more than 2 points from where it started, stop that exercise for tonight and do the others.
- Missed a night? Don't make it up.
- If something feels different, like new swelling or numbness, message the clinic before you go on.
- Calf pain, warmth or swelling, or a fever: call the clinic today.
- Chest pain or trouble breathing: call 911.

## Check-in
Tick "done" in the patient portal each night. Send problems through the portal messages.

## By Thursday
Slide your heel back to the tape mark on the sheet, 3 nights in a row.

#### More information
- The surgeon's knee leaflet
- The portal video of the heel slides
"""


def test_a_see_also_list_under_the_goal_is_not_more_goals():
    assert _rules(ASIDE_UNDER_GOAL, "milestone") == []


def test_two_goals_above_a_see_also_list_are_still_two():
    flawed = ASIDE_UNDER_GOAL.replace("Slide your heel back to the tape mark on the sheet, 3 nights in a row.", "- Slide your heel back to the tape mark on the sheet, 3 nights in a row.\n- Lift the straight leg 10 times without a rest.")
    report = check_draft(flawed, kind="hep")
    assert [f.message for f in report.findings if f.rule == "MS003"] == ["2 milestones: keep exactly one for the next visit"]


def test_a_sub_heading_that_is_not_an_aside_stays_in_the_goal():
    flawed = ASIDE_UNDER_GOAL.replace("#### More information\n- The surgeon's knee leaflet\n- The portal video of the heel slides", "#### And also\n- Walk to the mailbox without the crutches\n- Climb the stairs one foot per step")
    assert "MS003" in _rules(flawed, "milestone")


ASIDE_UNDER_GOAL_ES = VISIT_LABEL_ES.replace(
    "**Para la visita del jueves de la semana 2:** caminar 5 minutos por el pasillo sin parar.",
    "## Meta para el viernes\nCaminar 5 minutos por el pasillo sin parar, para el viernes.\n\n### Vea también\n- La hoja del hospital\n- El resumen de la cita en el portal",
)


def test_a_see_also_list_under_the_goal_is_not_more_goals_es():
    report = check_draft(ASIDE_UNDER_GOAL_ES, kind="hep", language="es")
    assert [f.rule for f in report.findings if f.element == "milestone"] == []


# -- a heading that names the next visit (or its day) with "before" is the milestone heading -----

BEFORE_VISIT_HEAD = """Hi Rosa, here is your plan after your knee replacement.

EXERCISES
1. Thigh squeeze. Sit with your leg straight and press the back of your knee down, hold 5 seconds. Same as the first one on the mat today. 10 times.
2. Heel slides. Lie on your back and slide your heel toward you, then back. The one we did after the bike. 10 times.
3. Straight leg lift. Tighten your thigh and lift the leg a hand's width. The last one we did today. 10 times.

WHEN AND WHERE
Every morning after breakfast, on your bed, before you get dressed.

PAIN AND SAFETY
- If your knee pain goes up more than 2 points from where it started, stop that exercise for today and do the others.
- Missed a day? Don't make it up.
- If something feels different, like new pain, swelling or a weaker leg, message the clinic before you go on.
- Calf pain, warmth or swelling, or a fever: call the clinic today.
- Chest pain or trouble breathing: call 911.

CHECKING IN
Mark each day "done" in the patient portal. Send any problems through the portal messages.

{head}
{goal}
"""

_GOOD_GOAL = "Slide your heel to the tape mark on the sheet, 3 days in a row."
_VAGUE_GOAL = "Keep working hard and feel better."


@pytest.mark.parametrize("head", ["BEFORE MONDAY'S VISIT", "**Before Thursday**", "### Before our next session", "Before the next appointment:"])
def test_a_before_the_visit_heading_is_the_milestone_heading(head):
    assert _rules(BEFORE_VISIT_HEAD.format(head=head, goal=_GOOD_GOAL), "milestone") == []


@pytest.mark.parametrize("head", ["BEFORE MONDAY'S VISIT", "**Before Thursday**", "### Before our next session"])
def test_a_vague_goal_under_a_before_the_visit_heading_is_still_vague(head):
    assert "MS002" in _rules(BEFORE_VISIT_HEAD.format(head=head, goal=_VAGUE_GOAL), "milestone")


@pytest.mark.parametrize("head", ["BEFORE YOU START", "**Before each session**", "### Before exercising"])
def test_a_before_heading_that_names_no_visit_is_no_milestone_heading(head):
    assert "MS001" in _rules(BEFORE_VISIT_HEAD.format(head=head, goal=_GOOD_GOAL), "milestone")


_ES_GOAL_LINE = "**Para la visita del jueves de la semana 2:** caminar 5 minutos por el pasillo sin parar."


def test_a_before_the_visit_heading_is_the_milestone_heading_es():
    draft = VISIT_LABEL_ES.replace(_ES_GOAL_LINE, "### Antes del jueves\nCaminar 5 minutos por el pasillo sin parar.")
    report = check_draft(draft, kind="hep", language="es")
    assert [f.rule for f in report.findings if f.element == "milestone"] == []


def test_a_before_heading_that_names_no_visit_is_no_milestone_heading_es():
    draft = VISIT_LABEL_ES.replace(_ES_GOAL_LINE, "### Antes de empezar\nCaminar 5 minutos por el pasillo sin parar.")
    report = check_draft(draft, kind="hep", language="es")
    assert "MS001" in [f.rule for f in report.findings if f.element == "milestone"]
