"""Conditions: red flags with urgency, emergency signs never sent to the clinic, `other` is no free pass."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from hep_mcp.render import FORMATS, HTML_FORMATS, context, red_flag_lines, with_clinic_phone
from hep_mcp.render import generate_hep as _generate_hep
from hep_mcp.rules import conditions as C
from hep_mcp.rules.engine import run
from hep_mcp.config import default_config, load_config
from hep_mcp.model import HEP

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "src" / "hep_mcp" / "examples"
# The example clinic's config: its phone goes into every call-the-clinic line (SF007).
CLINIC = load_config(EXAMPLES / "clinic" / "clinic.yaml")


def generate_hep(data, fmt="print", config=None):
    return _generate_hep(data, fmt, config or CLINIC)


def _phoned(line: str, fmt: str) -> str:
    """A red-flag line as the handout prints it: with the clinic's phone in it."""
    return with_clinic_phone(line, CLINIC, sms=fmt == "sms")


def _example(stem: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{stem}.yaml").read_text(encoding="utf-8"))


def _rules(result) -> set[str]:
    return {f.rule for f in result.findings}


# -- RR008: an emergency sign sent anywhere but the emergency line ------------------

SENT_ELSEWHERE = [
    (None, "If your arm suddenly feels weak, message us on the portal."),
    (None, "Call us if your face starts to droop."),
    (None, "Slurred speech or trouble finding words: send a message through the patient portal."),
    (None, "If you lose control of your bladder, tell us at your next visit."),
    ("low_back_pain", "Numbness between your legs: call the clinic today."),
    (None, "Sudden numbness in your leg; contact the clinic. Chest pain: call 911."),
    (None, "Weakness in both legs? Let us know."),
    (None, "Call the clinic if you notice:\n- sudden weakness in an arm\n- a face that droops"),
    (None, "**Send us a portal message if you notice:**\n\n- sudden weakness in an arm\n- a face that droops"),
    (None, "If you suddenly can't speak, wait and see if it passes."),
    (None, "Chest pain or trouble breathing: send us a portal message."),
    (None, "If your leg goes numb all of a sudden, call your surgeon's office."),
    (None, "Sudden weakness in an arm or leg.\nTell the front desk at your next visit."),
    (None, "Should you notice slurred speech, please reach out to us."),
    (None, "If your face suddenly droops, wait until the morning and call the doctor."),
    (None, "Sudden numbness in your arm: ask your physical therapist at your next session."),
    (None, "If you lose control of your bladder, go to urgent care."),
    (None, "Sudden weakness in one leg: note it in your log and see if it passes."),
    # the clinic offered as a choice beside 911
    (None, "Message the clinic or call 911 if your face droops."),
    ("stroke", "Call us or go to the ER if his face droops or his arm goes weak."),
    ("stroke", "New weakness in his arm or leg: call 911 or the clinic."),
    (None, "If you suddenly can't speak, call 911 or message us on the portal."),
    ("ankle_sprain", "A foot that turns cold or blue: ring the front desk or go to the emergency department."),
    (None, "Call 911 or send us a portal message if you notice:\n- sudden weakness in an arm\n- a face that droops"),
    (None, "## Call the clinic\n\n- Sudden weakness in an arm.\n- A face that droops."),
    (None, "WHEN TO CALL THE CLINIC\nFever or drainage.\nSudden weakness in an arm."),
]

SENT_TO_911 = [
    (None, "If your arm suddenly feels weak or your face droops, call 911 right away."),
    (None, "Sudden weakness: call 911, then tell the clinic."),
    (None, "Call 911 if your face droops."),
    ("neck_pain", "CALL 911\nClumsy hands, dizziness or double vision.\nChest pain or trouble breathing.\n\nCHECK IN\nLog each day in the patient portal."),
    (None, "**Call 911 right away (BE FAST)**\n- The face droops, an arm goes weak, or speech is slurred.\n- Time matters: call 911, even if it goes away."),
    (None, "If your face droops, call 911, then let the clinic know."),
    (None, "Call 911 or go to the emergency department if your face droops."),
    (None, "Call the clinic if you have a fever, or call 911 if your face droops."),
    ("stroke", "If he falls, tell the clinic today; if he hits his head, call 911."),
    (None, "Call 911 right away if you notice:\n- sudden weakness in an arm\n- a face that droops"),
    (None, "Sudden weakness or numbness. Call 911 right away, even if it goes away."),
    (None, "If your face droops or your speech is slurred, go straight to the nearest hospital."),
    ("low_back_pain", "Numbness between your legs or trouble controlling your bladder: go to the emergency department now."),
    # not emergency signs: the clinic is right
    ("total_knee_replacement", "If your leg still feels numb from the nerve block tomorrow, call the clinic."),
    ("total_knee_replacement", "New weakness in your knee, or it gives way: call the clinic."),
    ("total_knee_replacement", "If something feels different, like new pain, new swelling or new weakness, stop and contact the clinic."),
]


@pytest.mark.parametrize("condition,text", SENT_ELSEWHERE)
def test_an_emergency_sign_sent_to_the_clinic_is_an_error(condition, text):
    report = run(text, condition=condition, only=["RR008"])
    assert {f.rule for f in report.findings} == {"RR008"}, text
    assert not report.ready


@pytest.mark.parametrize("condition,text", SENT_TO_911)
def test_the_emergency_line_or_a_sign_that_can_wait_is_clean(condition, text):
    assert run(text, condition=condition, only=["RR008"]).findings == [], text


HOSTILE = [
    ("suddenly " + "weak " * 3000 + "numb " * 3000) * 3 + "\n" + ("face " * 5000) + ";" * 2000,
    "Sudden weakness. " * 6000,  # one line of many sentences, each a sign with no route
    "Sudden weakness; " * 6000,  # one sentence of many clauses
    "- Sudden weakness\n" * 6000,  # a long list with no lead-in
    ("Sudden weakness. " * 50 + "\n") * 120,
    "Sudden weakness: message the clinic or call 911 or " * 3000,  # one sentence of many routes
    "Call 911 or the clinic if you notice:\n" + "- a face that droops\n" * 6000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_the_condition_rules_stay_linear_on_hostile_text(text):
    import time

    start = time.perf_counter()
    run(text, condition="stroke", only=["RR007", "RR008", "RR009", "RR010"])
    assert time.perf_counter() - start < 5  # about 0.5 s on a loaded 2-core machine; quadratic would be minutes


# -- the rendered "something feels different" wording --------------------------------


def test_back_pain_default_feels_different_sends_no_weakness_to_the_clinic():
    hep = HEP.model_validate(_example("low_back"))
    ctx = context(hep, default_config())
    assert "weakness" not in ctx["feels_different"]
    assert ctx["hep"].response_rules.feels_different == ctx["feels_different"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_therapist_wording_that_sends_bladder_trouble_to_the_clinic_is_not_ready(fmt):
    data = _example("low_back")
    data["response_rules"] = {
        "feels_different": "If something feels different, like new pain or trouble controlling your bladder, "
        "stop the exercises and contact the clinic before you do them again."
    }
    result = generate_hep(data, fmt)
    assert not result.ready and "RR008" in _rules(result), fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_emergency_flags_come_first_in_every_format(fmt):
    result = generate_hep(_example("low_back"), fmt)
    assert result.ready, [f.rule for f in result.findings]
    text = " ".join(result.text.split())
    universal = C.wording()["emergency"]
    saddle = C.condition_flags("low_back_pain")[0]["text"]
    assert universal.rstrip(".") in text and saddle.rstrip(".") in text


def test_red_flags_context_is_plain_strings_emergency_line_first():
    hep = HEP.model_validate(_example("rotator_cuff"))
    ctx = context(hep, default_config())
    assert all(isinstance(x, str) for x in ctx["red_flags"])
    assert ctx["red_flags"][0] == C.wording()["emergency"] == red_flag_lines(hep)[0]
    assert ctx["emergency_flags"][0] == C.wording()["emergency"]
    assert set(ctx["red_flags"]) == set(ctx["emergency_flags"] + ctx["today_flags"] + ctx["stop_flags"])
    assert any("sling" in f for f in ctx["stop_flags"]) and any("fever" in f for f in ctx["today_flags"])


# -- `other` is no free pass ----------------------------------------------------------


def _other(red_flags=None) -> dict:
    data = copy.deepcopy(_example("tkr"))
    data["condition"] = "other"
    if red_flags is not None:
        data["response_rules"] = {"red_flags": red_flags}
    return data


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_without_the_therapists_red_flags_is_not_ready(fmt):
    result = generate_hep(_other(), fmt)
    assert not result.ready
    hit = [f for f in result.findings if f.rule == "RR010"]
    assert hit and "response_rules.red_flags" in hit[0].message
    assert "call 911" in result.text  # the universal line is still there


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_with_the_therapists_red_flags_is_ready_with_the_911_line(fmt):
    own = ["New swelling in your hand that does not go down overnight: call the clinic today."]
    result = generate_hep(_other(own), fmt)
    assert result.ready, [(f.rule, f.message) for f in result.findings]
    flat = " ".join(result.text.split())
    assert "call 911" in flat and "does not go down overnight" in flat


def test_other_with_a_neuro_red_flag_gets_the_safe_feels_different_wording():
    own = ["Sudden weakness or numbness in an arm or leg, or a face that droops: call 911 right away."]
    ctx = context(HEP.model_validate(_other(own)), default_config())
    assert "call 911" in ctx["feels_different"] and "new weakness" not in ctx["feels_different"]


def test_free_text_with_no_condition_is_a_warning_not_an_error():
    text = "Hi Pat, here are your exercises. Chest pain or trouble breathing: call 911."
    report = run(text, only=["RR009", "RR010"])
    assert [(f.rule, f.severity) for f in report.findings] == [("RR009", "warning")]
    assert run(text, condition="other", only=["RR009", "RR010"]).findings[0].rule == "RR010"


# -- every condition: library entry, clean example, flawed draft, red flags everywhere ----

from hep_mcp import library  # noqa: E402
from hep_mcp.check import check_file  # noqa: E402
from hep_mcp.model import Condition  # noqa: E402
from hep_mcp.render.sms import strip_counter  # noqa: E402

FIXTURES = ROOT / "fixtures" / "hep"
ALL = [c.value for c in Condition if c.value != "other"]
FLAWED = {c: FIXTURES / f"{c}_missing_red_flags.md" for c in ALL} | {"low_back_pain": FIXTURES / "back_pain_missing_red_flags.md"}


def _example_for(condition: str) -> dict:
    found = [p for p in sorted(EXAMPLES.glob("*.yaml")) if yaml.safe_load(p.read_text(encoding="utf-8"))["condition"] == condition]
    assert found, f"no example for {condition}"
    return yaml.safe_load(found[0].read_text(encoding="utf-8"))


def _flat(result) -> str:
    if result.messages:
        parts = [*result.messages, *(result.warning_messages or []), result.reminder or ""]
        return " ".join(" ".join(strip_counter(m) for m in parts).split())
    if result.format in HTML_FORMATS:  # the page's visible text (a phone number sits in a no-wrap span)
        from hep_mcp.render.checkable import html_to_text

        return " ".join(html_to_text(result.text).split())
    return " ".join(result.text.split())


def test_at_least_fourteen_conditions_each_in_library_rules_and_wording():
    assert len(ALL) >= 14
    assert set(ALL) == set(library.conditions()) == set(C.known())
    for cond in ALL:
        flags = C.condition_flags(cond)
        assert flags and all(f["urgency"] in C.URGENCIES for f in flags), cond
        assert C.known()[cond].red_flags, cond


@pytest.fixture(scope="module")
def rendered_all():
    return {(c, fmt): generate_hep(_example_for(c), fmt) for c in ALL for fmt in FORMATS}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("condition", ALL)
def test_clean_example_is_ready_in_every_format(rendered_all, condition, fmt):
    result = rendered_all[(condition, fmt)]
    assert result.ready and result.findings == [], [(f.rule, f.message) for f in result.findings]
    assert result.readability.fk_grade <= 6


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("condition", ALL)
def test_the_conditions_red_flags_are_in_every_format(rendered_all, condition, fmt):
    flat = _flat(rendered_all[(condition, fmt)])
    for line in [C.wording()["emergency"]] + [f["text"] for f in C.condition_flags(condition)]:
        assert " ".join(_phoned(line, fmt).split()).rstrip(".") in flat, (condition, fmt, line)
    # the emergency lines come before the others
    emergency = [_phoned(f["text"], fmt) for f in C.condition_flags(condition) if f["urgency"] == "emergency"]
    others = [_phoned(f["text"], fmt) for f in C.condition_flags(condition) if f["urgency"] != "emergency"]
    if emergency and others:
        assert flat.index(emergency[-1].rstrip(".")) < flat.index(others[0].rstrip("."))


@pytest.mark.parametrize("condition", ALL)
def test_the_flawed_draft_is_caught_by_its_condition_found_in_the_text(condition):
    path = FLAWED[condition]
    assert path.exists(), f"no flawed draft for {condition}"
    result = check_file(path, path.name)
    assert result.case_failures == [], result.case_failures
    label = C.label(condition)
    flags = C.known("en")[condition].red_flags
    if any(f.required for f in flags):  # a sign the brief requires (or an emergency one): refused
        assert not result.report.ready
        assert any(f.rule == "RR007" and f"for {label}:" in f.message for f in result.report.findings)
    else:  # only advised signs (kneecap, shoulder, knee arthritis, heel pain): advice, still ready
        assert result.report.ready
        assert not any(f.rule == "RR007" for f in result.report.findings)
    advised = {f.flag for f in flags if not f.required}
    told = {f.message.split(": ", 1)[1] for f in result.report.findings if f.rule == "RR011" and f"for {label} " in f.message}
    # every advised sign the draft leaves out is named (its "calf stretch" is an exercise, not the clot sign)
    assert told == advised, (condition, told, advised)


DETECT = [
    ("after your hip replacement", "total_hip_replacement"),
    ("after your THR", "total_hip_replacement"),
    ("your new hip", "total_hip_replacement"),
    ("after your stroke", "stroke"),
    ("after the CVA", "stroke"),
    ("your sprained ankle", "ankle_sprain"),
    ("you rolled your ankle", "ankle_sprain"),
    ("for your neck pain", "neck_pain"),
    ("after the whiplash", "neck_pain"),
    ("for your plantar fasciitis", "plantar_heel_pain"),
    ("for your heel pain", "plantar_heel_pain"),
    ("your fall prevention program", "fall_prevention"),
    ("since your fall last month", "fall_prevention"),
    ("for your kneecap pain", "patellofemoral_pain"),
    ("runner's knee", "patellofemoral_pain"),
    ("for your shoulder pain", "shoulder_pain"),
    ("your frozen shoulder", "shoulder_pain"),
    ("arthritis in your knee", "knee_osteoarthritis"),
    ("your knee osteoarthritis", "knee_osteoarthritis"),
    ("after your knee replacement", "total_knee_replacement"),
    ("after your rotator cuff repair", "rotator_cuff_repair"),
    ("your low back pain", "low_back_pain"),
]


@pytest.mark.parametrize("text,condition", DETECT)
def test_condition_words_are_found(text, condition):
    assert C.detect(f"Hi Sam, here is your plan {text}.") == [condition]


def test_a_covered_condition_is_not_named_twice():
    assert C.detect("After your rotator cuff repair, some shoulder pain is normal.") == ["rotator_cuff_repair"]
    assert C.detect("After your knee replacement the arthritis in your knee is gone.") == ["total_knee_replacement"]


# -- stroke: BE FAST or not ready --------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_stroke_hep_without_be_fast_is_not_ready(fmt):
    data = _example_for("stroke")
    data["response_rules"] = {"red_flags": ["If you fall, tell the clinic today. If you hit your head or can't get up, call 911."]}
    result = generate_hep(data, fmt)
    assert not result.ready
    missing = {f.message for f in result.findings if f.rule == "RR007"}
    assert any("face that droops" in m for m in missing) and any("trouble speaking" in m for m in missing), missing


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_stroke_hep_that_sends_new_weakness_to_the_clinic_is_not_ready(fmt):
    data = _example_for("stroke")
    data["response_rules"] = {
        "feels_different": "If something feels different, like new pain, new swelling or new weakness, "
        "stop the exercises and contact the clinic before you do them again."
    }
    result = generate_hep(data, fmt)
    assert not result.ready and "RR008" in _rules(result), fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_stroke_default_wording_sends_weakness_to_911_in_every_format(fmt):
    result = generate_hep(_example_for("stroke"), fmt)
    flat = _flat(result)
    assert "new weakness" not in flat
    assert "Sudden weakness or numbness is different: call 911" in flat
    assert "BE FAST" in flat and result.ready


def test_free_text_stroke_phrasings_that_avoid_911_are_errors():
    base = "Hi June, here is Frank's plan after his stroke. "
    for sentence in [
        "If his arm suddenly feels weak, message us on the portal.",
        "New weakness in his arm or leg: call the clinic.",
        "If his face droops or his speech is slurred, tell us at the next visit.",
        "If he suddenly loses his balance, let us know.",
    ]:
        report = run(base + sentence, only=["RR008"])
        assert [f.rule for f in report.findings] == ["RR008"], sentence


# -- precautions the therapist sets -------------------------------------------------------

from hep_mcp.errors import InputError  # noqa: E402

PRECAUTIONS = ["You live alone, so keep your phone with you", "No weight on your left leg: use your walker every time you stand"]


def _with_precautions(stem: str = "tkr", items=PRECAUTIONS) -> dict:
    data = copy.deepcopy(_example(stem))
    data["precautions"] = list(items)
    return data


@pytest.mark.parametrize("fmt", FORMATS)
def test_precautions_are_shown_plainly_in_every_format(fmt):
    result = generate_hep(_with_precautions(), fmt)
    assert result.ready, [(f.rule, f.message) for f in result.findings]
    flat = _flat(result)
    for item in PRECAUTIONS:
        assert item + "." in flat, (fmt, item)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_precautions_no_section(fmt):
    assert "Be careful" not in generate_hep(_example("tkr"), fmt).text


def test_precautions_come_first_on_the_caregiver_version():
    data = _with_precautions()
    data["caregiver_name"] = "June"
    text = generate_hep(data, "caregiver").text
    first = text.index(PRECAUTIONS[0])
    assert first < text.index("How you can help") < text.index(data["exercises"][0]["name"])


def test_precautions_context_is_plain_strings():
    ctx = context(HEP.model_validate(_with_precautions()), default_config())
    assert ctx["precautions"] == PRECAUTIONS
    assert context(HEP.model_validate(_example("tkr")), default_config())["precautions"] == []


@pytest.mark.parametrize("items,expected", [
    (["Use your walker"] * 11, "precautions: List should have at most 10 items"),
    ([""], "precautions.0: String should have at least 1 character"),
])
def test_bad_precautions_name_the_field(items, expected):
    with pytest.raises(InputError) as info:
        generate_hep(_with_precautions(items=items), "print")
    assert expected in str(info.value)


def test_precautions_are_markdown_escaped_in_print():
    result = generate_hep(_with_precautions(items=["Keep the *brace* on [always]"]), "print")
    assert "Keep the \\*brace\\* on \\[always\\]." in result.text


@pytest.mark.parametrize("condition", ALL)
def test_a_conditions_own_handout_names_no_other_condition(condition):
    """The wording one condition's handout carries never makes the free-text checker
    demand another condition's red flags ("after a fall" in a knee handout is not a
    falls program)."""
    entry = library.lookup(condition)
    own = " ".join([*entry.red_flags, *entry.precautions, *(ex.description for ex in entry.exercises)])
    rendered = " ".join(generate_hep(_example_for(condition), fmt).text for fmt in ("print", "caregiver"))
    assert set(C.detect(own + " " + rendered)) <= {condition}


def test_the_shipped_sources_are_cited_in_every_library_file():
    for cond in ALL:
        text = (ROOT / "src" / "hep_mcp" / "library" / "data" / f"{cond}.yaml").read_text(encoding="utf-8")
        assert "# Sources:" in text, cond


def test_be_fast_signs_listed_under_a_call_911_heading_are_sent_to_911():
    text = (
        "Hi Walter, your plan after your stroke.\n\n"
        "**Call 911 right away (BE FAST)**\n"
        "- Balance is suddenly lost, or the eyes suddenly can't see well.\n"
        "- The face droops, an arm goes weak, or speech is slurred or strange.\n"
        "- Time matters: call 911, even if it goes away.\n"
    )
    assert run(text, condition="stroke", only=["RR007", "RR008"]).findings == []
    to_clinic = text.replace("**Call 911 right away (BE FAST)**", "**Call the clinic (BE FAST)**").replace("call 911, even", "even")
    assert {f.rule for f in run(to_clinic, condition="stroke", only=["RR007", "RR008"]).findings} == {"RR007", "RR008"}
