"""generate_hep: every format of every clean example, snapshots, template safety, missing input, CLI."""

from __future__ import annotations

import copy
import html
import os
import re
from pathlib import Path

import pytest
import yaml

from hep_mcp.cli import main
from hep_mcp.config import load_config
from hep_mcp.errors import InputError, MissingTherapistInput
from hep_mcp.render import FORMATS, GeneratedHEP, environment
from hep_mcp.render import generate_hep as _generate_hep
from hep_mcp.render.checkable import html_to_text
from hep_mcp.render.sms import message_cost, strip_counter

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "src" / "hep_mcp" / "examples"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "render"
EXT = {"print": "md", "html": "html", "html_large": "html", "sms": "txt", "portal": "txt", "caregiver": "md", "caregiver_html": "html"}
CLINIC = EXAMPLES / "clinic" / "clinic.yaml"
CASES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
UPDATE = os.environ.get("HEP_MCP_UPDATE_SNAPSHOTS") == "1"


def generate_hep(data, fmt="print", config=None, **kw):
    """The example clinic's config unless a test gives its own (its phone fills call-the-clinic lines)."""
    return _generate_hep(data, fmt, config=config or load_config(CLINIC), **kw)


def load(stem: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{stem}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], GeneratedHEP]:
    config = load_config(CLINIC)  # the example clinic: its phone goes into every call-the-clinic line
    return {(stem, fmt): generate_hep(load(stem), fmt, config=config) for stem in CASES for fmt in FORMATS}


def test_five_conditions_have_a_clean_example():
    conditions = {load(stem)["condition"] for stem in CASES}
    assert conditions >= {
        "total_knee_replacement",
        "acl_reconstruction",
        "rotator_cuff_repair",
        "low_back_pain",
        "lower_limb_amputation",
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", CASES)
def test_clean_example_is_ready_with_no_findings(rendered, stem, fmt):
    result = rendered[(stem, fmt)]
    assert result.ready, result.findings
    assert result.findings == [], [f"{f.rule} {f.message}" for f in result.findings]
    assert result.format == fmt
    assert result.readability is not None and result.readability.fk_grade <= 6


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", CASES)
def test_snapshot(rendered, stem, fmt):
    """Byte-identical output. HEP_MCP_UPDATE_SNAPSHOTS=1 rewrites the files."""
    path = SNAPSHOTS / f"{stem}.{fmt}.{EXT[fmt]}"
    text = rendered[(stem, fmt)].text
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"no snapshot {path.name}: run with HEP_MCP_UPDATE_SNAPSHOTS=1"
    assert text.encode("utf-8") == path.read_bytes(), f"{path.name} differs (HEP_MCP_UPDATE_SNAPSHOTS=1 to accept)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_input_same_bytes(fmt):
    data = load("tkr")
    a = generate_hep(copy.deepcopy(data), fmt)
    b = generate_hep(copy.deepcopy(data), fmt)
    assert a.model_dump_json() == b.model_dump_json()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_carries_the_therapists_content(rendered, fmt):
    data = load("acl")
    text = rendered[("acl", fmt)].text
    if fmt == "sms":  # the short set: names, doses, when, the pain rule, where to report, the warning signs
        r = rendered[("acl", fmt)]
        flat = " ".join(" ".join(strip_counter(m) for m in [*r.messages, *r.warning_messages, r.reminder]).split())
        for ex in data["exercises"]:
            assert f"{ex['name']}: {ex['dose']}" in flat
        assert data["schedule"]["when"] in flat and data["feedback"]["problem"] in flat
        assert data["feedback"]["log"] in flat
        assert "more than 2 points" in flat and "call 911" in flat and "(555) 010-4477" in flat
        return
    if fmt.endswith("html") or fmt == "html_large":
        text = html_to_text(text)
    flat = " ".join(text.replace("**", "").split())
    for ex in data["exercises"]:
        for key in ("name", "description", "tie_back", "dose"):
            assert " ".join(ex[key].split()) in flat, (fmt, key)
    for key in ("when", "where", "trigger", "amount"):
        value = data["schedule"][key]
        assert value in flat or value[:1].upper() + value[1:] in flat, (fmt, key)
    assert data["milestone"]["what"] in flat
    assert data["feedback"]["log"] in flat and data["feedback"]["problem"] in flat
    assert "more than 2 points" in flat
    assert "call 911" in flat  # the emergency red flag from rules/data/red_flags.yaml
    assert "call the clinic at (555) 010-4477 today" in flat  # the clinic's phone in the call-the-clinic line
    assert "Riverside Physical Therapy" in flat and "After hours: (555) 010-4478" in flat


def test_formats_differ(rendered):
    texts = {rendered[("tkr", fmt)].text for fmt in FORMATS}
    assert len(texts) == len(FORMATS)
    assert "html { font-size: 14pt; }" in rendered[("tkr", "html")].text
    assert "html { font-size: 16pt; }" in rendered[("tkr", "html_large")].text


def test_unknown_format_is_an_input_error():
    with pytest.raises(InputError, match="format: expected one of print, html, html_large, sms, portal, caregiver, caregiver_html"):
        generate_hep(load("tkr"), "pdf")


# -- sms -------------------------------------------------------------------------------


SENTENCE_END = re.compile(r"[.!?:][\"')]*$")


@pytest.mark.parametrize("stem", CASES)
def test_sms_set_plan_in_three_reminder_in_one_no_message_ends_mid_sentence(rendered, stem):
    result = rendered[(stem, "sms")]
    plan, warning, reminder = result.messages, result.warning_messages, result.reminder
    assert 1 <= len(plan) <= 3, plan
    assert warning and reminder and "\n" not in reminder.strip()
    for msgs in (plan, warning, [reminder]):
        for k, m in enumerate(msgs, start=1):
            if len(msgs) > 1:
                assert m.startswith(f"{k}/{len(msgs)} ")
            length, limit = message_cost(m)
            assert length <= limit == 160, (k, length)
            assert SENTENCE_END.search(m.rstrip()), f"ends mid-sentence: {m[-40:]!r}"
    data = load(stem)
    assert plan[0].startswith(f"1/{len(plan)} Hi {data['patient_first_name']}, your home exercise plan")
    assert warning[0].startswith("1/") and "call 911" in warning[0]  # the emergency line first
    assert "(555) 010-4477" in warning[-1]  # the clinic's number closes the warning signs
    assert result.text == "\n\n".join([*plan, *warning, reminder]) + "\n"
    assert not [f for f in result.findings if f.rule == "FM005"]


def test_sms_plan_over_budget_is_a_finding_not_many_messages():
    """Every field at its maximum length: a bounded message count and an FM005 error."""
    data = load("tkr")
    data["exercises"] = [dict(ex, name="Heel slides " * 16, dose="ten slides " * 18) for ex in data["exercises"] * 6]
    data["schedule"] = {k: ("every morning " * 14).strip() for k in ("when", "where", "trigger", "amount")}
    data["feedback"]["problem"] = ("send us a portal message " * 70).strip()[:2000]
    result = generate_hep(data, "sms", config=load_config(CLINIC))
    assert [f.rule for f in result.findings if f.rule == "FM005"] == ["FM005"] and not result.ready
    assert len(result.messages) < 120 and len(result.reminder) <= 160


def test_sms_line_numbers_point_into_the_joined_messages():
    data = load("tkr")
    data["exercises"][1]["description"] = "Do a quad set."  # jargon and a one-sentence description
    data["exercises"][0]["name"] = "Quad set"  # jargon in the sms plan
    result = generate_hep(data, "sms", config=load_config(CLINIC))
    lines = result.text.split("\n")
    jargon = [f for f in result.findings if f.rule == "PL003" and f.line]
    assert jargon and "Quad set" in lines[jargon[0].line - 1]
    # the exercise count is a matter of the full plan: found there, reported without a line
    data["exercises"] = data["exercises"] * 2
    result = generate_hep(data, "sms")
    assert any(f.rule == "EX001" and f.line is None and "(in the full plan)" in f.message for f in result.findings)


# -- template safety ----------------------------------------------------------------------

HOSTILE = ["{{ 7*7 }}", "<script>alert(1)</script>", "{% for x in range(3) %}x{% endfor %}"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", HOSTILE)
def test_input_is_shown_literally_never_evaluated(fmt, name):
    data = load("tkr")
    data["patient_first_name"] = name
    data["caregiver_name"] = name
    data["exercises"][0]["name"] = name
    result = generate_hep(data, fmt)
    text = result.text
    assert "49" not in text.replace("Ankle", "")  # 7*7 never computed
    assert "xxx" not in text
    if fmt in ("html", "html_large", "caregiver_html"):
        assert "<script>" not in text  # never injected as markup
        assert html.escape(name) in text  # shown as text
        assert name in html_to_text(text)
    elif fmt in ("print", "caregiver"):
        # Markdown markup characters arrive backslash-escaped, so they print as themselves
        escaped = re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", name)
        assert escaped in text
    else:
        assert name in " ".join(text.split())


def test_markdown_significant_input_is_escaped_in_print():
    data = load("tkr")
    data["patient_first_name"] = "**Bo** _x_"
    data["exercises"][0]["name"] = "# Heel | slide [link](http://x)"
    text = generate_hep(data, "print").text
    assert "# \\*\\*Bo\\*\\* \\_x\\_'s home exercise plan" in text
    assert "### 1. \\# Heel \\| slide link (http://x)" in text  # link syntax is inert (render/links.py)
    assert "| 1. \\# Heel \\| slide" in text  # the grid row keeps its columns


def test_html_autoescape_is_on_and_text_templates_are_not_escaped():
    env = environment()
    assert env.get_template("handout.html.j2").render  # exists
    assert env.autoescape("handout.html.j2") is True
    assert env.autoescape("caregiver.html.j2") is True
    for name in ("print.md.j2", "sms_plan.txt.j2", "sms_warning.txt.j2", "sms_reminder.txt.j2", "portal.txt.j2", "caregiver.md.j2"):
        assert env.autoescape(name) is False


def test_undefined_variable_is_an_error_not_a_blank():
    from jinja2 import UndefinedError

    env = environment()
    with pytest.raises(UndefinedError):
        env.from_string("Hi {{ nobody }}").render()
    with pytest.raises(UndefinedError):
        env.get_template("portal.txt.j2").render(name="Maria")


def test_sandbox_blocks_attribute_escapes():
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        environment().from_string("{{ x.__class__.__mro__ }}").render(x="a")


# -- therapist input ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["exercises", "schedule", "milestone", "feedback"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_therapist_field_names_it(field, fmt):
    data = load("tkr")
    del data[field]
    with pytest.raises(MissingTherapistInput) as info:
        generate_hep(data, fmt)
    assert info.value.fields == [field]
    assert str(info.value).startswith(f"missing {field}: the therapist must supply this")


def test_all_missing_fields_are_named_together():
    with pytest.raises(MissingTherapistInput) as info:
        generate_hep({"patient_first_name": "Al", "condition": "other", "exercises": []})
    assert info.value.fields == ["exercises", "schedule", "milestone", "feedback"]


@pytest.mark.parametrize("path,expected", [
    (("exercises", 0, "dose"), "exercises.0.dose: Field required"),
    (("feedback", "channel"), "feedback.channel: Field required"),
    (("schedule", "trigger"), "schedule.trigger: Field required"),
])
def test_missing_dose_or_channel_names_the_field(path, expected):
    data = load("tkr")
    node = data
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    with pytest.raises(InputError, match=re.escape(expected)):
        generate_hep(data, "print", source="case.yaml")


# -- accountability ------------------------------------------------------------------------

ACCOUNTABILITY = "I'll ask about this first thing at your next visit."


@pytest.mark.parametrize("fmt", FORMATS)
def test_accountability_line_ends_the_handout_unless_turned_off(fmt):
    data = load("tkr")
    on = generate_hep(data, fmt)
    visible = html_to_text(on.text) if "html" in fmt else on.text
    if fmt == "sms":  # the short set has no room for it: it ends the full plan (portal)
        assert ACCOUNTABILITY not in visible
    else:
        assert visible.rstrip().endswith(ACCOUNTABILITY)
    data["accountability"] = False
    off = generate_hep(data, fmt)
    assert ACCOUNTABILITY not in off.text and "I&#39;ll ask" not in off.text
    assert off.ready


def test_own_accountability_line():
    data = load("tkr") | {"accountability_line": "Bring this page to your next visit"}
    assert generate_hep(data, "portal").text.rstrip().endswith("Bring this page to your next visit.")


# -- micro-contract --------------------------------------------------------------------------


@pytest.mark.parametrize("confidence,change,fires", [
    (5, None, True),
    (6, None, True),
    (6, "She said a timer on the kettle would make it a 9; we moved it to tea time.", False),
    (7, None, False),
    (None, None, False),
    (0, None, True),
])
def test_low_confidence_without_a_change_warns(confidence, change, fires):
    data = load("tkr") | {"confidence": confidence, "confidence_change": change}
    result = generate_hep(data, "print")
    hits = [f for f in result.findings if f.rule == "MS005"]
    assert bool(hits) is fires
    if fires:
        assert hits[0].severity == "warning" and hits[0].element == "milestone"
        assert f"{confidence}/10" in hits[0].message
        assert "what would make it a 9?" in hits[0].suggestion
        assert result.ready  # a warning: the draft can still go out


def test_pain_points_follow_the_clinic_setting_unless_the_therapist_sets_them():
    from hep_mcp.config import config_from_mapping

    config = config_from_mapping({"pain_points": 3})
    data = load("tkr")
    assert "more than 3 points" in generate_hep(data, "print", config=config).text
    data["response_rules"] = {"pain_threshold_points": 2}
    result = generate_hep(data, "print", config=config)
    assert "more than 2 points" in result.text
    assert "RR002" in {f.rule for f in result.findings}  # the checker still says it differs from the clinic's


def test_a_draft_with_errors_is_still_returned_not_ready():
    data = load("tkr")
    data["feedback"]["log"] = "Text me on WhatsApp when you have done them"
    result = generate_hep(data, "print")
    assert not result.ready and "WhatsApp" in result.text
    assert "FB003" in {f.rule for f in result.findings}
    assert result.report.ready is False and result.report.findings == result.findings


# -- CLI -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_render_writes_the_snapshot_text(fmt, capsys):
    code = main(["render", str(EXAMPLES / "rotator_cuff.yaml"), "--format", fmt, "--config", str(CLINIC)])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert out == (SNAPSHOTS / f"rotator_cuff.{fmt}.{EXT[fmt]}").read_text(encoding="utf-8")


def test_cli_render_to_file(tmp_path, capsys):
    target = tmp_path / "out.html"
    assert main(["render", str(EXAMPLES / "tkr.yaml"), "--format", "html", "-o", str(target), "--config", str(CLINIC)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_render_not_ready_prints_text_and_findings(tmp_path, capsys):
    data = load("tkr")
    data["feedback"]["problem"] = "Call my cell if anything hurts"
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["render", str(case), "--format", "portal"]) == 1
    out, err = capsys.readouterr()
    assert "Call my cell" in out
    assert re.search(r"^<portal>:\d+: error FB003 \[feedback\] ", err, re.MULTILINE)


@pytest.mark.parametrize("field", ["exercises", "schedule", "milestone", "feedback"])
def test_cli_render_missing_field_exit_2(field, tmp_path, capsys):
    data = load("tkr")
    del data[field]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["render", str(case)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"hep-mcp: missing {field}: the therapist must supply this; hep-mcp never invents exercises, dosing, milestones or channels\n"


def test_cli_render_bad_input_is_one_line(tmp_path, capsys):
    case = tmp_path / "case.yaml"
    case.write_text("patient_first_name: [1, 2\n", encoding="utf-8")
    assert main(["render", str(case)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(case) in err and "Traceback" not in err
    assert main(["render", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: no such file" in capsys.readouterr().err


def test_cli_render_reads_a_fixture_case(tmp_path, capsys):
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump({"case": "tkr", "input": load("tkr"), "expect": {"ready": True}}), encoding="utf-8")
    assert main(["render", str(case), "--format", "sms", "--config", str(CLINIC)]) == 0
    assert capsys.readouterr().out.startswith("1/")


# -- the clinic's contact block and phone ------------------------------------------------------


def test_without_a_clinic_phone_call_the_clinic_is_an_error_that_asks_for_it(capsys):
    result = _generate_hep(load("tkr"), "print")  # the shipped defaults: no clinic phone
    hits = [f for f in result.findings if f.rule == "SF007"]
    assert hits and not result.ready and hits[0].severity == "error"
    assert "clinic config has no phone" in hits[0].message and "clinic: phone:" in hits[0].suggestion
    assert main(["render", str(EXAMPLES / "tkr.yaml"), "--format", "html"]) == 1
    assert "SF007" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_clinic_phone_is_in_every_call_the_clinic_sentence(rendered, fmt):
    text = rendered[("tkr", fmt)].text
    text = html_to_text(text) if "html" in fmt else text
    flat = " ".join(text.split())
    assert "call the clinic today" not in flat and "call the clinic at (555) 010-4477 today" in flat
    assert "call 911" in flat  # the emergency line is never routed to the clinic


def test_a_free_text_draft_is_asked_for_the_number_only_once_the_clinic_has_one():
    from hep_mcp.config import config_from_mapping
    from hep_mcp.rules import run

    draft = "Calf pain or swelling: call the clinic today."
    assert "SF007" not in {f.rule for f in run(draft, only=["SF007"]).findings}
    with_phone = config_from_mapping({"clinic": {"phone": "(555) 010-4477"}})
    hit = [f for f in run(draft, config=with_phone, only=["SF007"]).findings]
    assert hit and "(555) 010-4477" in hit[0].suggestion
    own_channel = "If anything feels wrong, call the clinic's front desk or send a portal message."
    assert not run(own_channel, config=with_phone, only=["SF007"]).findings


def test_changes_open_every_format_and_sessions_make_tick_rows():
    data = load("rotator_cuff") | {"changes": ["Arm swings went from 5 to 10 circles because your shoulder moves more easily now"]}
    for fmt in FORMATS:
        result = generate_hep(data, fmt)
        text = html_to_text(result.text) if "html" in fmt else result.text
        first = next(line for line in text.split("\n") if line.strip() and not line.startswith("# "))
        if fmt == "sms":
            first = strip_counter(first)
        assert first.replace("**", "").startswith("What changed: Arm swings went from 5 to 10"), (fmt, first)
    page = generate_hep(data, "html").text  # "Three times a day": three rows of boxes per exercise
    assert page.count('<th class="row">1st time</th>') == 3 and page.count('<th class="row">3rd time</th>') == 3


@pytest.mark.parametrize("when,amount,rows", [
    ("Every morning and every evening", "One round", ["Morning", "Evening"]),
    ("Twice a day", "One round", ["1st time", "2nd time"]),
    ("After every meal", "One round", ["Breakfast", "Lunch", "Dinner"]),
    ("Every day", "One round, three times a day", ["1st time", "2nd time", "3rd time"]),
    ("Every afternoon", "One round", [""]),
    ("Mondays, Wednesdays and Fridays", "One round", [""]),
])
def test_sessions_from_the_schedule(when, amount, rows):
    from hep_mcp.render import coerce_hep, sessions

    data = load("tkr")
    data["schedule"] |= {"when": when, "amount": amount}
    assert list(sessions(coerce_hep(data))) == rows


def test_therapist_and_confidence_are_shown():
    data = load("tkr") | {"confidence": 8, "confidence_change": "We moved it to after breakfast"}
    for fmt in ("print", "html", "portal"):
        text = generate_hep(data, fmt).text
        assert "From Sam, your physical therapist at Riverside Physical Therapy." in text
        assert "You said you are 8 out of 10 sure you can do this plan. To make it easier: We moved it to after breakfast." in text


def test_the_caregiver_formats_speak_of_the_patient_as_the_caregiver_does():
    """caregiver_calls_patient ('Dad') stands for the patient on the caregiver formats only."""
    data = load("stroke")
    data["caregiver_calls_patient"] = "Dad"
    for fmt in ("caregiver", "caregiver_html"):
        result = generate_hep(data, fmt)
        page = result.text if fmt == "caregiver" else html.unescape(result.text)
        assert result.ready and "Keep Dad safe" in page and "Help Dad with the" in page, fmt
    assert "Dad" not in generate_hep(data, "print").text
    del data["caregiver_calls_patient"]
    assert "Keep Frank safe" in generate_hep(data, "caregiver").text
