"""Elicitation of missing therapist facts: which facts a form may ask for (pure), the form
itself, and the server with the SDK client's elicitation callback (both protocol
generations), without the capability, and when the therapist declines."""

from __future__ import annotations

import copy
from importlib import resources

import pytest
import yaml

pytest.importorskip("mcp")

import mcp.types as types  # noqa: E402
from mcp import Client  # noqa: E402
from mcp.server.elicitation import render_elicitation_schema  # noqa: E402

from hep_mcp import elicit  # noqa: E402
from hep_mcp.server import build_server  # noqa: E402

pytestmark = pytest.mark.anyio
MODES = ["auto", "legacy"]  # 2026-07-28 (input_required round trip) and 2025-11-25 (server request)
MILESTONE = {
    "milestone.what": "Hold the thigh squeeze the full 5 seconds",
    "milestone.target": "three days in a row",
    "milestone.by_when": "by your visit on Thursday",
}


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def server():
    # a clinic that has set its phone (every call-the-clinic line carries it)
    from pathlib import Path

    from hep_mcp.config import load_config

    clinic = Path(__file__).resolve().parent.parent / "src" / "hep_mcp" / "examples" / "clinic" / "clinic.yaml"
    return build_server(load_config(clinic))


def tkr() -> dict:
    return yaml.safe_load(resources.files("hep_mcp").joinpath("examples", "tkr.yaml").read_text(encoding="utf-8"))


def without(path: str) -> dict:
    hep = tkr()
    node = hep
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if p.isdigit() else node[p]
    del node[parts[-1]]
    return hep


# -- what may be asked --------------------------------------------------------------


@pytest.mark.parametrize(
    "hep,expected",
    [
        (tkr(), []),
        (without("milestone"), ["milestone.what", "milestone.by_when", "milestone.target"]),
        (without("milestone.target"), ["milestone.target"]),
        (without("feedback.channel"), ["feedback.channel"]),
        (without("feedback"), ["feedback.channel", "feedback.log", "feedback.problem"]),
        (without("exercises.1.dose"), ["exercises.1.dose"]),
        (dict(tkr(), response_rules={"pain_threshold_points": 15}), ["response_rules.pain_threshold_points"]),
        (dict(tkr(), response_rules={"pain_threshold_points": None}), ["response_rules.pain_threshold_points"]),
        (dict(tkr(), milestone=""), ["milestone.what", "milestone.by_when", "milestone.target"]),
        # never content: exercises, descriptions, tie-backs, names are the chat's to ask for
        (without("exercises"), []),
        (without("exercises.0.description"), []),
        (without("patient_first_name"), []),
        (dict(without("milestone"), exercises=[]), []),
    ],
    ids=lambda v: None if isinstance(v, list) else "",
)
def test_missing_facts(hep, expected):
    assert sorted(elicit.missing_facts("hep", hep)) == sorted(expected)


def test_measure_direction_is_asked_when_unusable():
    note = {"patient": "Ann", "measures": [{"name": "Timed Up and Go", "baseline": 18, "current": 13, "higher_is_better": "maybe"}]}
    assert elicit.missing_facts("note", note) == ["measures.0.higher_is_better"]
    assert elicit.missing_facts("note", {"patient": "Ann"}) == []


def test_the_form_is_spec_valid_flat_and_suggests_nothing():
    hep = without("milestone")
    del hep["exercises"][0]["dose"]
    paths = elicit.missing_facts("hep", hep)
    form = elicit.form_model("hep", hep, paths)
    schema = render_elicitation_schema(form)  # raises if a field is not a primitive
    assert list(schema["properties"]) == paths
    assert set(schema["required"]) == set(paths)
    dose = schema["properties"]["exercises.0.dose"]
    assert dose["type"] == "string" and dose["maxLength"] == 200 and dose["title"] == "Exercise 1 (Ankle pumps): dose"
    for prop in schema["properties"].values():
        assert prop["description"] and "e.g." not in prop["description"] and "default" not in prop
    assert "0.dose" in elicit.message("hep", paths)


def test_merge_sets_paths_and_leaves_the_input_alone():
    hep = without("milestone")
    merged = elicit.merge(hep, {**MILESTONE, "exercises.2.dose": "12 slides", "feedback.channel": "  "})
    assert "milestone" not in hep
    assert merged["milestone"] == {"what": MILESTONE["milestone.what"], "target": "three days in a row",
                                   "by_when": "by your visit on Thursday"}
    assert merged["exercises"][2]["dose"] == "12 slides"
    assert merged["feedback"]["channel"] == tkr()["feedback"]["channel"]  # a blank answer changes nothing


# -- through the server -------------------------------------------------------------


def answering(content: dict, seen: list):
    async def callback(ctx, params):
        seen.append(params)
        props = params.requested_schema["properties"]
        return types.ElicitResult(action="accept", content={k: content[k] for k in props if k in content})

    return callback


@pytest.mark.parametrize("mode", MODES)
async def test_missing_milestone_is_asked_and_the_hep_reaches_ready(server, mode):
    seen: list = []
    async with Client(server, elicitation_callback=answering(MILESTONE, seen), mode=mode) as c:
        r = await c.call_tool("generate_hep", {"hep": without("milestone")})
    assert not r.is_error, r.content[0].text
    assert r.structured_content["ready"] is True
    assert "Hold the thigh squeeze the full 5 seconds, three days in a row, by your visit on Thursday." in r.structured_content["text"]
    assert len(seen) == 1
    assert set(seen[0].requested_schema["properties"]) == set(MILESTONE)


@pytest.mark.parametrize("mode", MODES)
async def test_a_client_without_elicitation_gets_the_clear_error(server, mode):
    async with Client(server, mode=mode) as c:
        r = await c.call_tool("generate_hep", {"hep": without("milestone")})
    assert r.is_error
    assert r.content[0].text.startswith("missing milestone: the therapist must supply this")


@pytest.mark.parametrize("action", ["decline", "cancel"])
async def test_declining_gives_the_clear_error(server, action):
    async def no(ctx, params):
        return types.ElicitResult(action=action)

    async with Client(server, elicitation_callback=no) as c:
        r = await c.call_tool("generate_hep", {"hep": without("milestone")})
    assert r.is_error and "missing milestone" in r.content[0].text


async def test_what_the_therapist_enters_is_validated_like_any_argument(server):
    seen: list = []
    answer = {"exercises.0.dose": "x" * 250}
    async with Client(server, elicitation_callback=answering(answer, seen)) as c:
        r = await c.call_tool("generate_hep", {"hep": without("exercises.0.dose")})
    assert len(seen) == 1
    assert r.is_error
    assert "exercises.0.dose: String should have at most 200 characters" in r.content[0].text


async def test_nothing_is_asked_when_nothing_is_missing_or_only_content_is(server):
    seen: list = []
    async with Client(server, elicitation_callback=answering(MILESTONE, seen)) as c:
        ok = await c.call_tool("generate_hep", {"hep": tkr()})
        bare = await c.call_tool("generate_hep", {"hep": {"patient_first_name": "Ann", "condition": "other"}})
    assert seen == []
    assert not ok.is_error and ok.structured_content["ready"] is True
    assert bare.is_error and "missing exercises, schedule, milestone, feedback" in bare.content[0].text


async def test_a_note_measure_direction_is_asked(server):
    from pathlib import Path

    case = Path(__file__).resolve().parents[1] / "fixtures" / "notes" / "clean_tkr_structured.yaml"
    note = copy.deepcopy(yaml.safe_load(case.read_text(encoding="utf-8"))["input"])
    note["measures"][1]["higher_is_better"] = "unsure"
    seen: list = []
    async with Client(server, elicitation_callback=answering({"measures.1.higher_is_better": False}, seen)) as c:
        r = await c.call_tool("progress_note", {"note": note})
    assert [list(p.requested_schema["properties"]) for p in seen] == [["measures.1.higher_is_better"]]
    assert seen[0].requested_schema["properties"]["measures.1.higher_is_better"]["type"] == "boolean"
    assert not r.is_error, r.content[0].text
    assert "lower is better" in r.structured_content["text"]
