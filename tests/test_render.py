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
from hep_mcp.errors import InputError, MissingTherapistInput
from hep_mcp.render import FORMATS, GeneratedHEP, environment, generate_hep
from hep_mcp.render.checkable import html_to_text
from hep_mcp.render.sms import message_cost, strip_counter

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "src" / "hep_mcp" / "examples"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "render"
EXT = {"print": "md", "html": "html", "sms": "txt", "portal": "txt", "caregiver": "md"}
CASES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
UPDATE = os.environ.get("HEP_MCP_UPDATE_SNAPSHOTS") == "1"


def load(stem: str) -> dict:
    return yaml.safe_load((EXAMPLES / f"{stem}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], GeneratedHEP]:
    return {(stem, fmt): generate_hep(load(stem), fmt) for stem in CASES for fmt in FORMATS}


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
    if fmt == "sms":
        text = " ".join(strip_counter(m) for m in rendered[("acl", fmt)].messages)
    if fmt == "html":
        text = html_to_text(text)
    flat = " ".join(text.split())
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


def test_formats_differ(rendered):
    texts = {rendered[("tkr", fmt)].text for fmt in FORMATS}
    assert len(texts) == len(FORMATS)


def test_unknown_format_is_an_input_error():
    with pytest.raises(InputError, match="format: expected one of print, html, sms, portal, caregiver"):
        generate_hep(load("tkr"), "pdf")


# -- sms -------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", CASES)
def test_sms_messages_fit_numbered_plan_first_checkin_last(rendered, stem):
    result = rendered[(stem, "sms")]
    msgs = result.messages
    assert msgs and len(msgs) >= 5
    for k, m in enumerate(msgs, start=1):
        assert m.startswith(f"{k}/{len(msgs)} ")
        length, limit = message_cost(m)
        assert length <= limit == 160, (k, length)
    data = load(stem)
    assert msgs[0].startswith(f"1/{len(msgs)} Hi {data['patient_first_name']}, here is your home exercise plan")
    assert data["feedback"]["problem"] in msgs[-1]
    assert result.text == "\n\n".join(msgs) + "\n"


def test_sms_line_numbers_point_into_the_joined_messages():
    data = load("tkr")
    data["exercises"][1]["description"] = "Do a quad set."  # jargon and a one-sentence description
    result = generate_hep(data, "sms")
    lines = result.text.split("\n")
    jargon = [f for f in result.findings if f.rule == "PL003"]
    assert jargon and "quad set" in lines[jargon[0].line - 1]


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
    text = " ".join(strip_counter(m) for m in result.messages) if fmt == "sms" else result.text
    assert "49" not in text.replace("Ankle", "")  # 7*7 never computed
    assert "xxx" not in text
    if fmt == "html":
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
    for name in ("print.md.j2", "sms.txt.j2", "portal.txt.j2", "caregiver.md.j2"):
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
    visible = html_to_text(on.text) if fmt == "html" else on.text
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
    code = main(["render", str(EXAMPLES / "rotator_cuff.yaml"), "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert out == (SNAPSHOTS / f"rotator_cuff.{fmt}.{EXT[fmt]}").read_text(encoding="utf-8")


def test_cli_render_to_file(tmp_path, capsys):
    target = tmp_path / "out.html"
    assert main(["render", str(EXAMPLES / "tkr.yaml"), "--format", "html", "-o", str(target)]) == 0
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
    assert main(["render", str(case), "--format", "sms"]) == 0
    assert capsys.readouterr().out.startswith("1/")
