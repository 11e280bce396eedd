"""The MCP server in-process (mcp.Client(server)): every tool, prompt and resource."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
from importlib import resources

import pytest
import yaml

pytest.importorskip("mcp")

from mcp import Client  # noqa: E402

from hep_mcp.check import check_draft  # noqa: E402
from hep_mcp.render import FORMATS, generate_hep  # noqa: E402
from hep_mcp.prompt_files import load_prompts  # noqa: E402
from hep_mcp.server import build_server, configure_logging  # noqa: E402

pytestmark = pytest.mark.anyio

HAS_NOTE = importlib.util.find_spec("hep_mcp.note") is not None
HAS_LIBRARY = importlib.util.find_spec("hep_mcp.library") is not None
needs_note = pytest.mark.skipif(not HAS_NOTE, reason="hep_mcp.note (progress_note) is not in this build yet")
needs_library = pytest.mark.skipif(not HAS_LIBRARY, reason="hep_mcp.library is not in this build yet")

TOOLS = {"generate_hep", "check_hep_rules"} | ({"progress_note"} if HAS_NOTE else set()) | (
    {"exercise_library"} if HAS_LIBRARY else set()
)


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def server():
    return build_server()


def example(name: str) -> str:
    return resources.files("hep_mcp").joinpath("examples", name).read_text(encoding="utf-8")


def tkr() -> dict:
    return yaml.safe_load(example("tkr.yaml"))


def walk_keys(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from walk_keys(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk_keys(v)


# -- listing ---------------------------------------------------------------------------


async def test_tools_listed_with_annotations_and_portable_schemas(server):
    async with Client(server) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
    assert set(tools) == TOOLS
    for name, tool in tools.items():
        keys = set(walk_keys(tool.input_schema))
        assert "$ref" not in keys and "$defs" not in keys, f"{name}: input schema not portable"
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema and tool.output_schema.get("type") == "object", name
        a = tool.annotations
        assert (a.read_only_hint, a.idempotent_hint, a.open_world_hint, a.destructive_hint) == (True, True, False, False)
        assert tool.description and len(tool.description) < 400, f"{name}: description missing or long"


async def test_generate_hep_format_enum_follows_render_formats(server):
    async with Client(server) as c:
        tool = next(t for t in (await c.list_tools()).tools if t.name == "generate_hep")
    prop = tool.input_schema["properties"]["format"]
    allowed = prop.get("enum") or [prop.get("const")]
    assert sorted(allowed) == sorted(FORMATS + ("fhir",))


# -- tools -----------------------------------------------------------------------------


async def test_generate_hep_matches_the_plain_function(server):
    expected = generate_hep(tkr(), "print")
    async with Client(server) as c:
        r = await c.call_tool("generate_hep", {"hep": tkr(), "format": "print"})
    assert not r.is_error
    assert r.structured_content == expected.model_dump(mode="json")
    text = r.content[0].text
    assert expected.text.strip() in text
    assert f"ready: {str(expected.ready).lower()}" in text


async def test_generate_hep_accepts_the_hep_as_a_json_string(server):
    """Some clients send object arguments as JSON text."""
    async with Client(server) as c:
        r = await c.call_tool("generate_hep", {"hep": json.dumps(tkr())})
    assert not r.is_error
    assert r.structured_content["text"].startswith("# Maria")


@pytest.mark.parametrize("fmt", [f for f in ("html", "sms", "portal", "caregiver") if f in FORMATS] or ["print"])
async def test_generate_hep_every_format(server, fmt):
    async with Client(server) as c:
        r = await c.call_tool("generate_hep", {"hep": tkr(), "format": fmt})
    assert not r.is_error, r.content[0].text
    assert r.structured_content["format"] == fmt


async def test_check_hep_rules_same_shape_as_check_json(server, tmp_path):
    draft = example("flawed_draft.md")
    expected = check_draft(draft, "auto").model_dump(mode="json")
    async with Client(server) as c:
        r = await c.call_tool("check_hep_rules", {"text": draft})
    assert not r.is_error
    assert r.structured_content == expected
    # the same keys as one `hep-mcp check --format json` result, without path
    from hep_mcp.cli import main

    f = tmp_path / "draft.md"
    f.write_text(draft, encoding="utf-8")
    import contextlib

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", "--format", "json", str(f)])
    cli = json.loads(out.getvalue())["results"][0]
    cli.pop("path")
    assert cli == r.structured_content


async def test_check_hep_rules_text_carries_ready_and_safety_findings_first(server):
    async with Client(server) as c:
        r = await c.call_tool("check_hep_rules", {"text": example("flawed_draft.md"), "kind": "hep"})
    text = r.content[0].text
    first, rest = text.split("\n", 1)
    assert first.startswith("ready: false (")
    assert rest.startswith("Safety and privacy findings:")
    assert "SF001" in text and "no pain no gain" in text.lower()
    assert text.index("SF001") < text.index("EX001")  # safety before the rest
    rules = {f["rule"] for f in r.structured_content["findings"]}
    assert {"EX001", "SF001", "MS001", "FB003"} <= rules


async def test_check_hep_rules_ready_draft(server):
    ready_text = generate_hep(tkr(), "print").text
    async with Client(server) as c:
        r = await c.call_tool("check_hep_rules", {"text": ready_text, "kind": "hep"})
    assert r.structured_content["ready"] is True
    assert r.content[0].text.startswith("ready: true")


# -- bad arguments: is_error, one line, names the field --------------------------------


BAD = [
    ("check_hep_rules", {}, "text: Field required"),
    ("check_hep_rules", {"text": 12}, "text: Input should be a valid string"),
    ("check_hep_rules", {"text": "x", "kind": "memo"}, "kind: Input should be 'auto', 'hep' or 'note'"),
    ("generate_hep", {"hep": "not an object"}, "hep: Input should be a valid dictionary"),
    ("generate_hep", {"hep": {"patient_first_name": "Ann"}}, "missing exercises, schedule, milestone, feedback"),
    ("generate_hep", {"hep": tkr(), "format": "fax"}, "format: Input should be"),
    ("check_hep_rules", {"text": "x" * 200_001}, "text: 200,001 bytes is over the limit"),
]


@pytest.mark.parametrize("tool,args,message", BAD, ids=[f"{t}-{m[:20]}" for t, _, m in BAD])
async def test_bad_arguments_give_a_clear_is_error(server, tool, args, message):
    async with Client(server) as c:
        r = await c.call_tool(tool, args)
    assert r.is_error
    text = r.content[0].text
    assert message in text
    assert "\n" not in text and "Traceback" not in text and "errors.pydantic.dev" not in text
    assert not text.startswith("Error executing tool")


async def test_bad_hep_field_is_named(server):
    hep = tkr()
    hep["exercises"][0]["dose"] = ""
    async with Client(server) as c:
        r = await c.call_tool("generate_hep", {"hep": hep})
    assert r.is_error
    assert "exercises.0.dose" in r.content[0].text


async def test_internal_error_is_an_is_error_naming_the_tool(server, monkeypatch):
    import hep_mcp.check

    def boom(*a, **k):
        raise RuntimeError("secret patient text")

    monkeypatch.setattr(hep_mcp.check, "check_draft", boom)
    s = build_server()
    async with Client(s) as c:
        r = await c.call_tool("check_hep_rules", {"text": "x"})
    assert r.is_error
    assert r.content[0].text == "check_hep_rules: internal error (RuntimeError); please report it"


# -- progress_note and exercise_library (other issues' functions) -----------------------


@needs_note
async def test_progress_note_wraps_the_plain_function(server):
    from hep_mcp.note import progress_note

    from pathlib import Path

    case = Path(__file__).resolve().parents[1] / "fixtures" / "notes" / "clean_tkr_structured.yaml"
    if not case.exists():
        pytest.skip("fixtures/notes/clean_tkr_structured.yaml (the note issue's fixture) is not there yet")
    data = yaml.safe_load(case.read_text(encoding="utf-8"))["input"]
    expected = progress_note(data)
    async with Client(server) as c:
        r = await c.call_tool("progress_note", {"note": data})
    assert not r.is_error, r.content[0].text
    assert r.structured_content == expected.model_dump(mode="json")
    assert f"ready: {str(expected.ready).lower()}" in r.content[0].text


@needs_note
async def test_progress_note_bad_input_names_the_field(server):
    async with Client(server) as c:
        r = await c.call_tool("progress_note", {"note": "text"})
        r2 = await c.call_tool("progress_note", {"note": {"patient": "A"}})
    assert r.is_error and "note: Input should be a valid dictionary" in r.content[0].text
    if r2.is_error:  # a missing fact is either an error naming the field...
        assert "\n" not in r2.content[0].text and "Traceback" not in r2.content[0].text
    else:  # ...or a rendered note that is not ready
        assert r2.structured_content["ready"] is False


@needs_library
async def test_exercise_library_lists_and_looks_up(server):
    from hep_mcp import library

    names = library.conditions()
    async with Client(server) as c:
        r = await c.call_tool("exercise_library", {})
        assert not r.is_error
        assert r.structured_content == {"conditions": names, "entry": None}
        one = await c.call_tool("exercise_library", {"condition": names[0]})
        bad = await c.call_tool("exercise_library", {"condition": "no_such_condition"})
        res = await c.read_resource(f"hep://library/{names[0]}")
        index = await c.read_resource("hep://library")
    entry = library.lookup(names[0]).model_dump(mode="json")
    assert one.structured_content["entry"] == entry
    assert entry["exercises"][0]["name"] in one.content[0].text
    assert bad.is_error and "condition" in bad.content[0].text
    assert json.loads(res.contents[0].text) == entry
    assert json.loads(index.contents[0].text) == {"conditions": names}


# -- resources ---------------------------------------------------------------------------


async def test_resources(server):
    from hep_mcp.rules import catalog

    async with Client(server) as c:
        listed = {str(r.uri) for r in (await c.list_resources()).resources}
        templates = {t.uri_template for t in (await c.list_resource_templates()).resource_templates}
        rules = await c.read_resource("hep://rules")
        spec = await c.read_resource("hep://spec/six-elements")
    assert {"hep://rules", "hep://spec/six-elements"} <= listed
    if HAS_LIBRARY:
        assert "hep://library/{condition}" in templates
    data = json.loads(rules.contents[0].text)
    assert [r["id"] for r in data] == list(catalog())
    assert data == [spec.as_dict() for spec in catalog().values()]
    assert all(r["element"] and r["severity"] and r["description"] and r["message"] for r in data)
    text = spec.contents[0].text
    assert spec.contents[0].mime_type == "text/markdown"
    for element in ("Exercise core", "Plain descriptions", "Dosing as a behavior", "Pain and response rules",
                    "Feedback channel", "One milestone"):
        assert element in text


# -- prompts -----------------------------------------------------------------------------


async def test_prompts_listed_from_the_prompts_folder(server):
    specs = {s.name: s for s, _ in load_prompts()}
    assert {"draft_hep", "revise_hep_after_visit", "progress_note"} <= set(specs)
    async with Client(server) as c:
        listed = {p.name: p for p in (await c.list_prompts()).prompts}
    assert set(listed) == set(specs)
    for name, p in listed.items():
        assert p.description == specs[name].description
        assert [(a.name, bool(a.required)) for a in p.arguments or []] == [
            (a.name, a.required) for a in specs[name].arguments
        ]


async def test_draft_hep_prompt_renders_arguments_and_the_spec(server):
    async with Client(server) as c:
        r = await c.get_prompt("draft_hep", {"patient_first_name": "Maria", "condition": "total_knee_replacement"})
        bare = await c.get_prompt("draft_hep", {})
    text = r.messages[0].content.text
    assert r.messages[0].role == "user"
    assert "for Maria (total_knee_replacement)" in text
    assert "hep://library/total_knee_replacement" in text
    assert "generate_hep" in text and "The six elements" in text
    assert not text.startswith("\n") and "---" not in text.splitlines()[0]
    assert "Maria" not in bare.messages[0].content.text


async def test_revise_and_progress_note_prompts(server):
    async with Client(server) as c:
        revise = await c.get_prompt("revise_hep_after_visit", {"what_happened": "Did 2 of 7 days; mornings were rushed."})
        note = await c.get_prompt("progress_note", {"period": "2024-03-01 to 2024-03-22"})
    rt = revise.messages[0].content.text
    assert "Did 2 of 7 days; mornings were rushed." in rt and "where did it fall apart" in rt
    nt = note.messages[0].content.text
    assert "2024-03-01 to 2024-03-22" in nt and "progress_note" in nt


async def test_prompt_unknown_argument_is_refused(server):
    from mcp.shared.exceptions import MCPError

    async with Client(server) as c:
        with pytest.raises(MCPError, match="unknown argument colour"):
            await c.get_prompt("draft_hep", {"colour": "blue"})


async def test_prompt_text_is_data_not_template_code(server):
    async with Client(server) as c:
        r = await c.get_prompt("draft_hep", {"patient_first_name": "{{ 7*7 }}"})
    assert "{{ 7*7 }}" in r.messages[0].content.text and "49" not in r.messages[0].content.text


# -- logs ----------------------------------------------------------------------------------

SECRET_NAME = "Zephyrinaqx"
SECRET_TEXT = "Quorvantel knee"


async def test_no_patient_text_in_logs_at_debug(server):
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("debug", stream=stream)
    try:
        hep = tkr()
        hep["patient_first_name"] = SECRET_NAME
        bad = dict(hep, exercises=[{"name": SECRET_TEXT, "description": "", "tie_back": "x", "dose": "y"}])
        async with Client(build_server()) as c:
            await c.call_tool("generate_hep", {"hep": hep})
            await c.call_tool("generate_hep", {"hep": bad})
            await c.call_tool("generate_hep", {"hep": hep, "format": SECRET_TEXT})
            await c.call_tool("check_hep_rules", {"text": f"Hi {SECRET_NAME}. {SECRET_TEXT}. No pain no gain."})
            await c.call_tool("check_hep_rules", {"text": SECRET_TEXT, "kind": SECRET_NAME})
            if HAS_NOTE:
                await c.call_tool("progress_note", {"note": {"patient": SECRET_NAME, "subjective": SECRET_TEXT}})
            await c.get_prompt("revise_hep_after_visit", {"what_happened": SECRET_TEXT})
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    logged = stream.getvalue()
    assert "DEBUG" in logged  # the SDK did log at debug level: the test sees real records
    assert SECRET_NAME not in logged and SECRET_TEXT not in logged
