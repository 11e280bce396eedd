"""The vocabulary the reader and the rules use (cues.yaml), each cue with phrasings it must
catch and phrasings it must not. Table-driven: (cue, text, expected)."""

from __future__ import annotations

import pytest

from hep_mcp.config import config_from_mapping, default_config
from hep_mcp.rules import check_text, detect_kind
from hep_mcp.rules.engine import _combined_cue
from hep_mcp.rules.parse import classify_heading, parse, sentences

CUES = [
    # triggers anchored to any routine, by structure
    ("trigger", "Do them right after you feed the cat.", True),
    ("trigger", "Once you park the car at home, do the first one.", True),
    ("trigger", "After you take off your brace, sit on the couch.", True),
    ("trigger", "Stop and call us before you go on.", False),
    ("trigger", "Do them when you can.", False),
    ("trigger", "Every morning.", False),
    ("trigger", "Every evening, right after practice, in the garage.", True),
    ("trigger", "Every morning before your shoes go on.", True),
    ("trigger", "Once your brace is off, sit on the bed.", True),
    ("trigger", "Stop right after the pain starts.", False),
    ("trigger_not_routine", "Do them at home after your knee replacement.", True),
    ("trigger_not_routine", "Do them after your shower.", False),
    ("when", "Each workday after you log in.", True),
    ("when", "Right after you wake up and after dinner.", True),
    ("when", "After you feed the cat.", False),
    ("when", "Do these after you park the car at work and again when you get home.", True),
    ("when", "As soon as you come home from the shop, sit down.", True),
    ("when", "When you get a new pain, call us.", False),
    ("when", "Work on these at home.", False),
    # missed days
    ("missed_day", "Skipped an evening? No catching up.", True),
    ("missed_day", "If you miss a round, leave it.", True),
    ("missed_day", "Missed a session? Pick up where you left off.", True),
    ("missed_day", "Pick up where you left off.", True),
    ("missed_day", "Don't miss the bus.", False),
    ("missed_day", "Skip the stairs if you are tired.", False),
    # don't catch up
    ("dont_catch_up", "No need to do double.", True),
    ("dont_catch_up", "Don't make it up.", True),
    ("dont_catch_up", "No catching up.", True),
    ("dont_catch_up", "Double up the next day.", False),
    ("catch_up", "Double up the next day.", True),
    ("catch_up", "Catch up at the weekend.", True),
    ("catch_up", "Start again the next day.", False),
    # tie-backs
    ("tie_back", "Just like the last one in clinic.", True),
    ("tie_back", "As you did beside the window today.", True),
    ("tie_back", "This was the very first thing we did today.", True),
    ("tie_back", "Same as on the mat.", True),
    ("tie_back", "Point your toes up and down.", False),
    ("tie_back", "Do this today and tomorrow.", False),
    ("tie_back", "Like at the bar today.", True),
    ("tie_back", "Grandpa on your weak side, like he was today.", True),
    ("tie_back", "Just like our walk down the corridor.", True),
    ("tie_back", "Same speed as the bike today.", True),
    ("tie_back", "We closed the session with this one.", True),
    ("tie_back", "I'd like you to try this today.", False),
    ("tie_back", "This is the one your dad laughed about today.", True),
    ("tie_back", "That's the stretch that made you groan in clinic.", True),
    ("tie_back", "Do this one today and tomorrow.", False),
    ("tie_back", "It should feel like a stretch, not a pain.", False),
    ("tie_back", "Keep the same pace all week.", False),
    # logging
    ("log_cue", "Tick today's box in the clinic app.", True),
    ("log_cue", "Log each round in the portal.", True),
    ("log_cue", "Check it off in the app.", True),
    ("log_cue", "Sit on the couch.", False),
    # problem lines
    ("problem_cue", "Trouble or questions? Use the portal inbox.", True),
    ("problem_cue", "Something wrong? Reply to this number.", True),
    ("problem_cue", "Not sure about one? Message us.", True),
    ("problem_cue", "Tap Done each day.", False),
    # the feels-different rule: stop, contact, then go on -- not a wait for the visit
    ("feels_different", "Knee swells or locks? Stop, text us first.", True),
    ("feels_different", "Stop that one for today.", False),
    ("contact_now", "Stop and send a portal message before you go on.", True),
    ("contact_now", "Stop before you go on.", False),
    ("defer_to_visit", "We'll talk at your next visit.", True),
    ("defer_to_visit", "Stop and call the front desk first.", False),
    ("contact_before_session", "Message the clinic before the next session.", True),
    ("contact_before_session", "We'll talk about it at your next session.", False),
    # a keyword sent back to the clinic's automated line
    ("keyword_reply", "Text DONE each day.", True),
    ("keyword_reply", "Reply YES when you finish.", True),
    ("keyword_reply", "Text me on my cell.", False),
    # a warning sign waved off
    ("dismiss_sign", "Blisters are normal at first.", True),
    ("dismiss_sign", "Your skin will toughen up.", True),
    ("dismiss_sign", "Any blister: stop wearing it and call the clinic.", False),
    # safety phrasings by structure
    ("safety_phrases.no_pain_no_gain", "Push through the morning pain.", True),
    ("safety_phrases.no_pain_no_gain", "Push through your heels to lift your hips.", False),
    ("safety_phrases.self_increase", "When it feels easy, add a backpack for weight.", True),
    ("safety_phrases.self_increase", "When it feels easy, tell us at your next visit.", False),
    ("safety_phrases.self_increase", "Slide your foot back as far as you can.", False),
    ("safety_phrases.unnamed_doctor", "Tell your doctor.", True),
    ("safety_phrases.unnamed_doctor", "Tell the front desk.", False),
    ("catch_up", "Add it to the next round.", True),
    ("dont_catch_up", "With no extra to make up for it.", True),
    # the reader: movement, red-flag items, section bodies
    ("reader.movement", "Lie on your back and slide your heel.", True),
    ("reader.movement", "Tighten your thigh.", True),
    ("reader.movement", "Calf pain or swelling: call the clinic today.", False),
    ("reader.red_flag_item", "Calf pain or swelling: call the clinic today.", True),
    ("reader.red_flag_item", "Chest pain: call 911.", True),
    ("reader.red_flag_item", "Slide your heel in and out.", False),
    ("reader.body_rules", "Pick up where you left off.", True),
    ("reader.body_rules", "Lift your leg 10 times.", False),
    ("reader.body_feedback", "Log each day in MyChart.", True),
    ("reader.body_feedback", "Bend your knee.", False),
    ("reader.description_label", "How", True),
    ("reader.description_label", "How much", False),
    ("reader.not_exercise", "Tick it off", True),
    ("reader.not_exercise", "Heel slides", False),
]


@pytest.mark.parametrize("cue,text,expected", CUES, ids=[f"{c}:{t[:30]}" for c, t, _ in CUES])
def test_cue(cue, text, expected):
    rx = _combined_cue(cue)
    found = rx.rx.fullmatch(text) if cue in ("reader.description_label", "reader.not_exercise") else rx.search(text)
    assert bool(found) is expected


HEADINGS = [
    ("Missed a session?", "response_rules"),
    ("When to call", "response_rules"),
    ("Tick it off", "feedback"),
    ("Staying in touch", "feedback"),
    ("⭐ Your goal", "milestone"),
    ("🕗 When and where", "schedule"),
    ("NEXT VISIT GOAL (MONDAY)", "milestone"),
    ("Heel slides", None),
    ("2️⃣ Toe taps", None),
]


@pytest.mark.parametrize("text,element", HEADINGS)
def test_heading_words(text, element):
    assert classify_heading(text) == element


@pytest.mark.parametrize(
    "text,count",
    [
        ("Mrs. Lee will call you. Then rest.", 2),
        ("See Dr. Shah at St. Mary's on Monday. Bring your brace.", 2),
        ("Walk to the mailbox. Then sit down.", 2),
        ("Bend your knee. Straighten it.", 2),
    ],
)
def test_titles_do_not_end_a_sentence(text, count):
    assert len(sentences(text)) == count


@pytest.mark.parametrize(
    "channel_line,config,official",
    [
        ("Log each day in MyChart. Problems or questions: send a MyChart message.", {}, True),
        ("Log each day in RiverLink. Problems or questions: send a RiverLink message.", {}, False),
        ("Log each day in RiverLink. Problems or questions: send a RiverLink message.", {"clinic": {"portal_name": "RiverLink"}}, True),
        ("Log each day in MoveWell. Problems or questions: message us in MoveWell.", {"clinic": {"app_name": "MoveWell"}}, True),
        ("Log each day by texting 555-0144. Problems or questions: text 555-0144.", {"clinic": {"text_line": "555-0144"}}, True),
    ],
)
def test_named_portals_and_clinic_names_are_official(channel_line, config, official):
    cfg = config_from_mapping(config) if config else default_config()
    draft = f"Hi Ana,\n\n1. Heel slides: Lie on your back and slide your heel. We did this today.\n\n{channel_line}\n"
    fired = {f.rule for f in check_text(draft, kind="hep", config=cfg).findings}
    assert ("FB001" not in fired and "FB002" not in fired) is official, fired


def test_heading_and_body_together_make_the_rule():
    ex = "1. Heel slides: Lie on your back and slide your heel. We did this today.\n\n"
    text = "Hi Ana,\n\n" + ex + "## Missed a session?\n\nPick up where you left off.\n"
    assert "RR003" not in {f.rule for f in check_text(text, kind="hep").findings}
    text = "Hi Ana,\n\n" + ex + "## A note\n\nPick up the towel.\n"
    assert "RR003" in {f.rule for f in check_text(text, kind="hep").findings}


def test_no_need_to_do_double_is_not_a_catch_up():
    ex = "Hi Ana,\n\n1. Heel slides: Lie on your back and slide your heel. We did this today.\n\n"
    text = ex + "If you miss a day, start again. No need to do double, and don't catch up.\n"
    assert "RR004" not in {f.rule for f in check_text(text, kind="hep").findings}
    assert "RR004" in {f.rule for f in check_text(ex + "If you miss a day, catch up the next day.\n", kind="hep").findings}


@pytest.mark.parametrize(
    "text,kind",
    [
        ("Daily note 3/4\nS: knee sore\nHEP updated: added step downs\n", "note"),
        ("**HEP updated:** added bridges. Pt tolerated well.\n", "note"),
        ("Hi Noah,\n\n1. Bridge: Lie on your back.\n\nI'll send your progress report to Dr. Shah's office.\n", "hep"),
        ("# Progress report\n\nReporting period 1/2 to 1/30.\n", "note"),
    ],
)
def test_note_or_hep(text, kind):
    assert detect_kind(text) == kind


def test_title_does_not_swallow_the_sections():
    text = "# Home program for Rosa\n\n## Exercises\n\n1. Heel slides: slide your heel.\n\n## Missed a day\n\nStart again.\n"
    d = parse(text)
    assert [el for _, _, el in d.headings] == [None, "exercises", "response_rules"]
    assert [e.name for e in d.exercises] == ["Heel slides"]


def test_label_and_red_flag_bullets_are_not_exercises():
    text = (
        "Hi Sam,\n\n1. Heel slides: Lie on your back and slide your heel. We did this today.\n"
        "   - Pain: stop if it goes up more than 2 points.\n   - Tick it off: tap Done in the app.\n"
        "2. Bridge: Lie on your back and lift your hips. Same as in clinic.\n\n"
        "- Calf pain or swelling: call the clinic today.\n- Chest pain: call 911.\n"
    )
    assert [e.name for e in parse(text).exercises] == ["Heel slides", "Bridge"]
