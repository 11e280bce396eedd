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


# -- siblings of the same shape are exercises even without a movement verb ---------------------

SIBLINGS = """Carl, three for this week.

1) Sit to stand: Firm chair, lean forward, stand up, sit down slowly. You did five with me.
2) Stair steps: Hold the rail and step up onto the bottom stair, then down. As on the clinic steps.
3) Bike: Easy pace on the exercise bike in the garage, no resistance. Like our warm-up today.

Pain: more than 2 points up from where it started? Stop that one for today.
Calf pain, warmth or swelling: call the clinic today.
"""


def test_same_shape_siblings_are_exercises_and_labels_are_not():
    assert [e.name for e in parse(SIBLINGS).exercises] == ["Sit to stand", "Stair steps", "Bike"]
    assert "EX002" not in _rules(SIBLINGS, "exercises")
    one = SIBLINGS.replace("2) Stair steps", "Stair steps").replace("1) Sit to stand: Firm chair, lean forward, stand up, sit down slowly. You did five with me.\n", "")
    assert "EX002" in _rules(one, "exercises")


# -- "Exercise #2 - Shoulder blade squeeze" on its own line names the text below ---------------

NAME_LINES = """Sasha,

Exercise #1 - Chin tuck
Sit tall and slide your chin straight back, then relax. We did this first today.

Exercise #2 - Shoulder blade squeeze
Pull your shoulder blades back and down, then let go. Same as with the band in clinic.

Exercise #3 - Slow neck turns
Turn your head to look over one shoulder, then the other. This is the one we ended with.
"""


def test_numbered_name_lines_of_any_length_are_exercises():
    names = [e.name for e in parse(NAME_LINES).exercises]
    assert names == ["Chin tuck", "Shoulder blade squeeze", "Slow neck turns"]


# -- one heading per exercise over its numbered steps: the steps are not the exercises ---------

STEP_LISTS = """## Exercises

### Chin tuck
1. Sit in a firm chair.
2. Put both feet flat.
3. Slide your chin back.
4. Hold for 5 seconds.
We did this one first today.

### Neck turns
1. Sit tall.
2. Turn your head to the right.
3. Come back to the middle.
4. Turn to the left.
This is how we ended today.
"""


def test_heading_per_exercise_with_step_lists():
    d = parse(STEP_LISTS)
    assert [e.name for e in d.exercises] == ["Chin tuck", "Neck turns"]
    assert [e.steps for e in d.exercises] == [4, 4]
    assert "EX001" not in _rules(STEP_LISTS, "exercises")


def test_a_group_heading_over_named_exercises_is_still_a_group():
    grouped = """## STRENGTH
1. Sit to stand: Sit on a firm chair and stand up slowly. We did these today.
2. Heel raises: Hold the counter and rise onto your toes. Same as at the rail.

## BALANCE
1. Side steps: Hold the counter and step to the side and back. We ended with these.
"""
    assert [e.name for e in parse(grouped).exercises] == ["Sit to stand", "Heel raises", "Side steps"]


# -- a label paragraph ("Plan: ...") above the list does not hide the list ---------------------

PLAN_FIRST = """Felipe --

Plan: every morning once your prosthesis is on, in the kitchen. 10 weight shifts, 5 stands.

1. Weight shifts: Hold the counter with both hands and lean onto your new leg, then back. We did these first today.
2. Sit to stand: Stand up from a firm chair and sit down slowly. We ended with these.

Goal: stand at the counter for 10 seconds without holding on, by Tuesday.
"""


def test_label_paragraph_above_a_list():
    assert [e.name for e in parse(PLAN_FIRST).exercises] == ["Weight shifts", "Sit to stand"]
    assert "EX003" not in _rules(PLAN_FIRST, "exercises")


# -- a "When:" line right under an SMS list belongs to it; the lines after it do not ------------

SMS_WHEN = """Hey Zoe, ankle moves:
- Alphabet: trace A to Z with your big toe. Like on the table today.
- Heel raises: up on both toes, down slowly, 10 times. We ended with these.
When: each night after you brush your teeth, at the sink.
Pain up more than 2 points? Skip that one tonight. Missed a night? Leave it.
Reply DONE each night. Goal by Tuesday: 30 seconds on the sore foot.
"""


def test_lines_after_a_label_line_under_a_list_are_not_the_last_exercise():
    last = parse(SMS_WHEN).exercises[-1]
    assert last.name == "Heel raises"
    assert "Pain up" not in last.description_text and "Reply DONE" not in last.description_text
    assert any("When:" in ln.text for ln in last.labeled)
    assert "DS001" not in _rules(SMS_WHEN, "descriptions")


# -- a protocol's list of bare names, and a leaflet's numbered headings beside its other sections -

PROTOCOL = """ACL PROTOCOL - WEEKS 0-2

EXERCISES (3x10, BID):
- Quad sets
- Straight leg raise
- Heel slides
- Patellar mobilization
- Prone hangs
- Ankle pumps

PRECAUTIONS:
- Brace locked for walking.
- Calf pain or swelling: call the clinic today.
"""


def test_bare_names_beside_moves_are_all_exercises_and_red_flags_are_not():
    names = [e.name for e in parse(PROTOCOL).exercises]
    assert names == ["Quad sets", "Straight leg raise", "Heel slides", "Patellar mobilization", "Prone hangs", "Ankle pumps"]
    assert "EX001" in _rules(PROTOCOL, "exercises")


LEAFLET = """# Exercises after your hip operation

Do each exercise 10 times, 3 times a day.

## 1. Ankle pumps
Lying on your back, bend and straighten your ankles briskly.

## 2. Buttock squeezes
Lying on your back, squeeze your buttocks together. Hold for 5 seconds and relax.

## 3. Hip and knee bends
Lying on your back, slide your heel up towards your bottom, then straighten it again.

## Walking aids
Use your frame until your physiotherapist says you no longer need it. Go up the stairs with your good leg first.

## Getting out of bed
Sit on the edge of the bed and move your bottom forward, then stand with your frame.
"""


def test_numbered_headings_are_the_exercises_not_the_other_sections():
    assert [e.name for e in parse(LEAFLET).exercises] == ["Ankle pumps", "Buttock squeezes", "Hip and knee bends"]


# -- an event is not a routine: "after your hip operation" anchors nothing ----------------------


def test_an_operation_is_not_the_routine_the_exercises_hang_on():
    assert "DO004" in _rules(LEAFLET, "dosing")
    anchored = LEAFLET.replace("Do each exercise 10 times, 3 times a day.", "Do each exercise 10 times, every morning right after breakfast, in bed.")
    assert "DO004" not in _rules(anchored, "dosing")


# -- a place alone is no dosing; a warning sign's "after you take it off" is no routine ----------

NO_DOSE = """Frances,

1. **Calf stretch**: Stand at the wall with your sore foot back and lean in. We did this first today.
2. **Toe curls**: Sit and scrunch a towel toward you with your toes. Same as on the bench.

Do these when you can.

Rules: Redness that lasts more than 20 minutes after you take off the brace: stop and call the clinic today.
"""


def test_a_place_in_a_description_is_not_dosing():
    assert _rules(NO_DOSE, "dosing") == ["DO006"]
    dosed = NO_DOSE.replace("Do these when you can.", "Every morning, right after you brush your teeth: 10 of each.")
    assert _rules(dosed, "dosing") == []


def test_numbers_only_dosing_is_not_rescued_by_a_red_flag_trigger():
    numbers = NO_DOSE.replace("Do these when you can.", "Dose: 3x15 daily.")
    assert "DO001" in _rules(numbers, "dosing")


# -- a numbered heading that names an element ("## 4. Goal") is a section, not an exercise ------

NUMBERED_SECTIONS = """# Knee plan, week 3

Hi Leo, here's the plan we wrote together.

## 1. The exercises

1. Sit to stand: Sit near the front of a firm chair and stand up without your hands, then sit back slowly. Same as we did in the gym.
2. Step ups: Step up onto the bottom stair with your sore leg, then step down. The last one we did today.
3. Calf raises: Hold the counter and rise onto your toes, then lower. Like the first one this morning.

## 2. When to do them

Every evening right after you wash the dishes, in the kitchen. 10 of each.

## 3. If it hurts

If your pain goes up more than 2 points from where it started, stop that exercise for today and do the others. If you miss a day, don't make it up. If something feels different, like new swelling, contact the clinic before you go on.

## 4. Check-in

Tick each day in the patient portal and send us a portal message if anything goes wrong.

## 5. Target

By Friday, climb the 12 stairs to your flat with one hand on the rail.
"""


def test_numbered_headings_that_name_an_element_are_sections():
    d = parse(NUMBERED_SECTIONS)
    assert [e.name for e in d.exercises] == ["Sit to stand", "Step ups", "Calf raises"]
    assert [el for _, _, el in d.headings[1:]] == ["exercises", "schedule", "response_rules", "feedback", "milestone"]
    assert _rules(NUMBERED_SECTIONS, "milestone") == []


def test_numbered_sections_without_a_goal_still_miss_the_milestone():
    flawed = NUMBERED_SECTIONS.split("## 5. Target")[0]
    assert "MS001" in _rules(flawed, "milestone")


# -- a list of bare names is a list of exercises when one of them is a move the reader knows ----

BARE_NAMES = """Tom - post-op shoulder, wk 2

Exercises:
1. Pendulums
2. Table slides
3. Scap sets

Every morning after your shower, at the kitchen table. 10 each.
"""


def test_bare_one_line_names_beside_one_known_move_all_count():
    d = parse(BARE_NAMES)
    assert [e.name for e in d.exercises] == ["Pendulums", "Table slides", "Scap sets"]
    assert "EX002" not in _rules(BARE_NAMES, "exercises")
    assert "DS001" in _rules(BARE_NAMES, "descriptions")  # bare names still say nothing of how


def test_a_list_with_a_sentence_item_is_not_all_names():
    mixed = BARE_NAMES.replace("3. Scap sets", "3. Keep the sling on at night.")
    assert [e.name for e in parse(mixed).exercises] == ["Table slides"]


# -- a red-flag bullet in the same flat list as the moves is not a move, whatever its words ------

FLAT_LIST = """Mrs. Okafor, your hip moves (we went through them at the session):

* Bridges: lie on your back, knees bent, lift your bottom off the bed and lower slowly. The first one today.
* Side-lying lifts: lie on your good side and lift the top leg a hand's width, then lower. Same as on the plinth.
* Clams: lie on your side, knees bent, open the top knee like a book, then close. The last one we did.
* When: every evening after the news, on your bed. 10 of each.
* Pain more than 2 points above where you started: stop that one, carry on with the rest.
* Missed an evening: don't double up.
* Something feels different (new pain, a click, swelling): message the clinic before you go on.
* Leg suddenly turns cold, numb or blue: call 911.
* Knee bends won't come back or the wound leaks: phone the clinic today.
* Tick each evening in the clinic app; problems through the app.
* Goal by Thursday: 10 bridges in a row without stopping.
"""


def test_red_flag_bullets_with_movement_words_are_not_exercises():
    d = parse(FLAT_LIST)
    assert [e.name for e in d.exercises] == ["Bridges", "Side-lying lifts", "Clams"]
    assert _rules(FLAT_LIST, "exercises") == [] and _rules(FLAT_LIST, "descriptions") == []


def test_a_flat_list_with_two_moves_still_has_too_few():
    two = FLAT_LIST.replace("* Clams: lie on your side, knees bent, open the top knee like a book, then close. The last one we did.\n", "")
    assert [e.name for e in parse(two).exercises] == ["Bridges", "Side-lying lifts"]
    assert "EX002" in _rules(two, "exercises")


# -- unnumbered paragraphs led by a name and a full stop are the exercises ----------------------

NAME_STOP = """Hi Priya,

Lovely to see you this morning. Your three moves for the plantar heel pain:

Towel scrunch. Sit with your foot on a towel and curl your toes to pull it towards you. The first thing we did today.

Wall calf stretch. Stand facing the wall with your sore foot behind and lean in until the calf pulls, hold 30 seconds. Same as at the clinic wall.

Bottle roll. Roll the arch of your foot over a cold water bottle for a minute. We finished with it today.

Do them every evening right after you take off your work shoes, in the lounge: 10 scrunches, 3 stretches, 1 minute of rolling.

Best,
Sam
"""


def test_paragraphs_led_by_a_name_and_a_full_stop_are_exercises():
    d = parse(NAME_STOP)
    assert [e.name for e in d.exercises] == ["Towel scrunch", "Wall calf stretch", "Bottle roll"]
    assert "EX003" not in _rules(NAME_STOP, "exercises") and _rules(NAME_STOP, "descriptions") == []


def test_one_name_stop_paragraph_alone_is_not_a_list():
    one = NAME_STOP.split("Wall calf stretch.")[0] + "Do it every evening.\n"
    assert "EX003" in _rules(one, "exercises")


# -- the how written inside a table's Exercise cell counts; a "How much" column is the dose ------

CELL_HOW = """Plan for Dev -- tennis elbow

| Exercise | Reps |
|---|---|
| Wrist curls: rest your forearm on the table, palm up, and curl the light weight up, then lower slowly. The one we ended on today. | 15, twice |
| Squeeze ball: grip the soft ball hard for 5 seconds, then let go. Same as in clinic this morning. | 10 squeezes |
| Forearm stretch: straighten your arm and gently bend the wrist down with the other hand. Like at the plinth today. | 30 seconds, 3 times |
"""


def test_sentences_inside_the_exercise_cell_are_the_description():
    d = parse(CELL_HOW)
    assert [e.name for e in d.exercises] == ["Wrist curls", "Squeeze ball", "Forearm stretch"]
    assert all("15" not in e.description_text and e.labeled for e in d.exercises[:1])
    assert _rules(CELL_HOW, "descriptions") == []


def test_a_name_only_cell_with_only_a_dose_column_has_no_description():
    bare = CELL_HOW
    for how in (": rest your forearm on the table, palm up, and curl the light weight up, then lower slowly. The one we ended on today.",
                ": grip the soft ball hard for 5 seconds, then let go. Same as in clinic this morning.",
                ": straighten your arm and gently bend the wrist down with the other hand. Like at the plinth today."):
        bare = bare.replace(how, "")
    assert [e.name for e in parse(bare).exercises] == ["Wrist curls", "Squeeze ball", "Forearm stretch"]
    assert "DS001" in _rules(bare, "descriptions")


# -- a table of names and doses, the descriptions below it under the same names: joined ----------

TABLE_THEN_HOW = """Ruth, your knee moves this week

| Exercise | Dose |
| --- | --- |
| Mini squat | 10, twice a day |
| Step-up | 8 each leg |
| Knee straightening | 10 |

__Mini squat__ - Hold the back of a chair and bend your knees a little, then stand tall. Same as at the bars today.

__Step-up__ - Step up onto the bottom stair with the sore leg, then down. The one we finished on.

__Knee straightening__ - Sit on a chair and straighten your knee out in front, then lower it. We started with this one.
"""


def test_table_rows_take_the_descriptions_written_below_them():
    d = parse(TABLE_THEN_HOW)
    assert [e.name for e in d.exercises] == ["Mini squat", "Step-up", "Knee straightening"]
    assert all(e.description_text and e.labeled for e in d.exercises)
    assert _rules(TABLE_THEN_HOW, "descriptions") == []


def test_a_table_whose_descriptions_are_missing_still_lacks_them():
    short = TABLE_THEN_HOW.split("__Mini squat__")[0] + "__Mini squat__ - Bend your knees a little.\n"
    assert "DS001" in _rules(short, "descriptions")


# -- "1.<tab>Exercises" / "a.<tab>Name: ..." in a word-processor document: numbered sections ------

WORD_SECTIONS = """Dear Mr. Haddad,

Your home exercise sheet for hip pain after your hip replacement

1.\tExercises
a.\tClam shells: Lie on your side with your knees bent and open the top knee, then close it slowly. This was the first one today.
b.\tStanding hip lift: Hold the counter and lift your leg out to the side, then lower. Same as at the bars today.
c.\tBridge: Lie on your back, knees bent, and lift your hips, then lower. We ended the session with this one.

2.\tWhen
Every morning after you let the dog out, in the kitchen. 10 of each.

3.\tPain and missed days
If your pain goes up more than 2 points from where it started, stop that exercise for today. If you miss a day, don't make it up. If something feels different, like new pain or swelling, contact the clinic before you go on.

4.\tWarning signs
Calf pain with swelling, or chest pain or trouble breathing: call 911.

5.\tTracking
Tick each day in the clinic app and message us there with problems.

6.\tGoal
By next Friday, stand on the sore leg for 10 seconds while you brush your teeth.
"""


def test_numbered_word_sections_with_lettered_items_are_sections():
    d = parse(WORD_SECTIONS)
    assert [h[2] for h in d.headings] == ["exercises", "schedule", "response_rules", "response_rules", "feedback", "milestone"]
    assert [e.name for e in d.exercises] == ["Clam shells", "Standing hip lift", "Bridge"]
    report = check_draft(WORD_SECTIONS, kind="hep")
    assert [f.rule for f in report.findings if f.element in ("exercises", "milestone", "descriptions", "feedback")] == []
    assert not {"RR001", "RR002", "RR003", "RR006"} & {f.rule for f in report.findings}


def test_numbered_word_sections_without_the_missed_day_rule_still_miss_it():
    flawed = WORD_SECTIONS.replace(" If you miss a day, don't make it up.", "")
    assert "RR003" in _rules(flawed, "response_rules")


# -- a paper-only log is not made official by the portal named for problems in the same sentence --

PAPER_LOG = NUMBERED_SECTIONS.replace(
    "Tick each day in the patient portal and send us a portal message if anything goes wrong.",
    "Mark each day on the paper chart we gave you, and message us in the patient portal if anything goes wrong.",
)


def test_a_paper_log_beside_a_portal_for_problems_is_not_an_official_log():
    assert _rules(PAPER_LOG, "feedback") == ["FB001"]


def test_a_log_in_the_portal_beside_the_same_problem_line_is_official():
    both = PAPER_LOG.replace("on the paper chart we gave you", "on the paper chart and in the patient portal")
    assert _rules(both, "feedback") == []
    assert _rules(NUMBERED_SECTIONS, "feedback") == []


# -- emoji bullets ("🔹 Name: how", "👉 rule"): each line its own item, not one paragraph -------

EMOJI_BULLETS = """Jo - your ankle homework, as promised

\U0001f539 Ankle alphabet: sitting, trace the letters A to Z in the air with your big toe. The first one we did today. Once through.
\U0001f539 Calf raises: hold the kitchen counter, rise up on your toes and lower slowly. Same as by the rail today. 10 times.
\U0001f539 Single-leg stand: hold the counter lightly and stand on the sore foot for 20 seconds. Our last one today. 3 times.

When: every evening right after you brush your teeth.

Rules
\U0001f449 Pain up more than 2 points from where it started? Stop that one for today and do the others.
\U0001f449 Missed a day? Don't make it up, just carry on.
\U0001f449 Something feels different (new swelling, numbness)? Message the clinic before you go on.
\U0001f449 Calf pain with swelling, chest pain or trouble breathing: call 911.

Check in: tick "done" in the clinic portal each evening and send problems through the portal messages.

Goal: by next Friday, walk to the mailbox and back without limping, on 3 days.
"""


def test_emoji_bullets_are_one_exercise_each():
    d = parse(EMOJI_BULLETS)
    assert [e.name for e in d.exercises] == ["Ankle alphabet", "Calf raises", "Single-leg stand"]
    report = check_draft(EMOJI_BULLETS, kind="hep")
    assert report.ready, [(f.rule, f.line) for f in report.findings if f.severity in ("error", "warning")]


def test_emoji_bullet_without_its_how_still_lacks_it():
    thin = EMOJI_BULLETS.replace(
        "Calf raises: hold the kitchen counter, rise up on your toes and lower slowly. Same as by the rail today. 10 times.",
        "Calf raises: 10 times.",
    )
    assert "DS001" in _rules(thin, "descriptions")


# -- an SMS series ("[1/4]", "Msg 2 -"): the counter is a message number, not content ----------

SMS_SERIES = """[1/4] Hey Dev, Coach Ana from Riverside PT. Shoulder moves from today. Pendulum: lean on the table and let the arm swing in small circles. Like the first one today. 10 each way.
[2/4] Wall slide - stand facing the wall and slide your hand up as far as is easy, then back down. The one by the mirror today. 10 times.
[3/4] Door stretch - forearm on the door frame, step through gently until you feel a stretch at the front. Same as our last one today. 3 times, 20 seconds.
[4/4] When: after your morning coffee, every day. Pain up more than 2 points from where it started? Stop that one today, do the others. Missed a day? Don't make it up. Something feels different? Message us in the clinic portal before you go on. Chest pain or trouble breathing: call 911. Tick done in the clinic portal each day and send problems there too. Goal: by next Friday, reach the top kitchen shelf with that arm without pain.
"""


def test_sms_counters_do_not_hide_the_exercises_or_the_goal():
    d = parse(SMS_SERIES)
    assert [e.name for e in d.exercises] == ["Pendulum", "Wall slide", "Door stretch"]
    report = check_draft(SMS_SERIES, kind="hep")
    assert report.ready, [(f.rule, f.line) for f in report.findings if f.severity in ("error", "warning")]


def test_sms_series_without_a_goal_still_misses_it():
    no_goal = SMS_SERIES.replace(" Goal: by next Friday, reach the top kitchen shelf with that arm without pain.", "")
    assert "MS001" in _rules(no_goal, "milestone")


# -- lettered sub-steps ("a)" / "(b)") under a numbered name: the exercise's how --------------

LETTERED = """Sam, here is the knee list from this afternoon, in the usual order.

1. Straight leg raise (we started with this one)
   a) Lie on your back, one knee bent, the other leg straight.
   b) Tighten the thigh and lift the straight leg to the height of the bent knee.
   c) Lower it slowly. 10 times.
2. Knee bends on the stairs
   a) Hold both rails and stand on the bottom step, as you did with me.
   b) Bend both knees a little, then straighten. 10 times.

When: right after your evening coffee, every day.

Pain up more than 2 points from where it started? Stop that one for today and do the other.
Missed a day? Don't make it up.
Something feels different (new swelling, the knee giving way)? Message the clinic before you go on.
Calf pain, warmth or swelling: call the clinic today. Chest pain or trouble breathing: call 911.

Tick done in the clinic portal each evening, and send problems through the portal messages.

Goal: by your visit next Wednesday, walk down the stairs at home one foot per step, holding the rail.
"""


def test_lettered_sub_steps_are_the_exercise_how():
    d = parse(LETTERED)
    assert [e.name for e in d.exercises] == ["Straight leg raise", "Knee bends on the stairs"]
    assert all(e.steps == 0 and e.description_text for e in d.exercises)
    report = check_draft(LETTERED, kind="hep")
    assert report.ready, [(f.rule, f.line) for f in report.findings if f.severity in ("error", "warning")]


def test_a_name_without_its_lettered_steps_still_lacks_a_how():
    bare = LETTERED.replace(
        "   a) Hold both rails and stand on the bottom step, as you did with me.\n   b) Bend both knees a little, then straighten. 10 times.\n", ""
    )
    assert "DS001" in _rules(bare, "descriptions")


# -- a clinic form's field labels ("Exercise 1 name:" / "... instructions:" / "... dose:") ---------

FORM_FIELDS = """Home Exercise Program - Harbor Rehab
Patient: Mrs. Ortiz
Program: Shoulder home exercises

Exercise #1 - name: Pendulum
Exercise #1 - instructions: Lean on the kitchen table with your good hand and let the sore arm hang and swing in small circles. Like the first one we did today.
Exercise #1 - dose: 10 circles each way, twice a day

Exercise #2 - name: Table slide
Exercise #2 - instructions: Sit at the table with a towel under your hand and slide the hand forward, then back. The one we did at the end of the session.
Exercise #2 - dose: 10 slides, twice a day

Exercise #3 - name: Shoulder blade squeeze
Exercise #3 - instructions: Sit tall and gently squeeze your shoulder blades together, then relax. Same as in clinic today.
Exercise #3 - dose: 10 times, twice a day

When: after breakfast and after dinner, every day, at the kitchen table.
Pain rule: pain up more than 2 points from where it started? Stop that one for today and do the others.
Missed day: do not make it up.
Something different: new pain, numbness or swelling in the arm? Message the clinic before you go on.
Emergency: chest pain or trouble breathing, call 911.
Check in: tick done in the Harbor Rehab portal each day and send problems through the portal messages.
Goal: by your visit next Monday, reach the second kitchen shelf with the sore arm.
"""


def test_form_fields_are_one_exercise_per_number():
    d = parse(FORM_FIELDS)
    assert [e.name for e in d.exercises] == ["Pendulum", "Table slide", "Shoulder blade squeeze"]
    report = check_draft(FORM_FIELDS, kind="hep")
    assert report.ready, [(f.rule, f.line) for f in report.findings if f.severity in ("error", "warning")]


def test_form_fields_with_an_empty_instructions_field_still_lack_the_how():
    empty = FORM_FIELDS.replace(
        "Exercise #2 - instructions: Sit at the table with a towel under your hand and slide the hand forward, then back. The one we did at the end of the session.",
        "Exercise #2 - instructions:",
    )
    assert "DS001" in _rules(empty, "descriptions")


# -- large print: a bare name line ("3. MARCHING.") then one short sentence per line ------------

LARGE_PRINT = """DEAR MR. BELL.
YOUR 3 EXERCISES.

1. ANKLE PUMPS.
Point your toes down, then up.
Like the first one today.
10 times.

2. CHAIR MARCH.
Sit tall and lift one knee, then the other.
The one we did second today.
10 each leg.

3. SIT TO STAND.
Stand up from the chair and sit down slowly.
Same as the last one today.
5 times.

WHEN:
After you finish your morning tea.
Every day.

RULES:
Pain up more than 2 points? Stop that one today. Do the others.
Missed a day? Do not make it up.
Something feels different? Message the clinic first.
Chest pain or trouble breathing? Call 911.

CHECK IN:
Tick done in the clinic portal each day.
Send any problem through the portal messages.

GOAL:
By next Monday, stand up from the chair 5 times without using your hands.
"""


def test_large_print_last_exercise_keeps_its_lines():
    d = parse(LARGE_PRINT)
    assert len(d.exercises) == 3
    last = d.exercises[-1]
    assert "sit down slowly" in last.description_text
    assert not _rules(LARGE_PRINT, "descriptions")


def test_large_print_last_name_alone_still_lacks_its_how():
    bare = LARGE_PRINT.replace("Stand up from the chair and sit down slowly.\nSame as the last one today.\n5 times.\n", "")
    assert "DS001" in _rules(bare, "descriptions")


def test_large_print_tie_back_line_is_not_one_sentence_too_many():
    four = LARGE_PRINT.replace("Sit tall and lift one knee, then the other.\n", "Sit tall.\nHold the seat.\nLift one knee, then the other.\n")
    assert "DS001" not in _rules(four, "descriptions")


def test_large_print_four_lines_of_how_are_still_too_many():
    five = LARGE_PRINT.replace("Sit tall and lift one knee, then the other.\n", "Sit tall.\nHold the seat.\nLift one knee.\nPut it down and lift the other.\n")
    assert "DS001" in _rules(five, "descriptions")


HOLD_HOW_ES = """Buenos días, don Luis. Sus ejercicios de equilibrio para esta semana:

1. Talones arriba. Sostenga el respaldo de la silla con las dos manos. Suba en puntas y baje despacio, como lo hizo hoy en la barra.
2. Pasos de lado. Sostenga la silla y dé 5 pasos de lado, luego regrese. Con este terminamos hoy.
3. Un pie. Sostenga la silla y levante un pie un poco por 10 segundos. Fue el último de la sesión.
"""


def test_a_spanish_hold_sentence_that_says_how_counts_as_description():
    """The dose starts that are also movements come from the language pack
    (reader.dose_start_also_how: "sostenga", "mantenga", "camine")."""
    report = check_draft(HOLD_HOW_ES, kind="hep", language="es")
    assert report.language == "es"
    assert "DS001" not in [f.rule for f in report.findings]
    thin = HOLD_HOW_ES.replace("Sostenga la silla y dé 5 pasos de lado, luego regrese. Con este terminamos hoy.", "Sostenga 5 segundos.")
    assert "DS001" in [f.rule for f in check_draft(thin, kind="hep", language="es").findings]
