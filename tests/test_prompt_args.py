"""Prompt and resource-template arguments: completion/complete answers for condition,
format (channel) and kind; prompts refuse values that point nowhere; the other path and
the caregiver path."""

from __future__ import annotations

import pytest
import yaml

pytest.importorskip("mcp")

from mcp import Client  # noqa: E402
from mcp.shared.exceptions import MCPError  # noqa: E402
from mcp.types import PromptReference, ResourceTemplateReference  # noqa: E402

from hep_mcp import library, prompt_args  # noqa: E402
from hep_mcp.config import config_from_mapping  # noqa: E402
from hep_mcp.errors import InputError  # noqa: E402
from hep_mcp.render import FORMATS  # noqa: E402
from hep_mcp.server import build_server  # noqa: E402

pytestmark = pytest.mark.anyio
DRAFT = PromptReference(type="ref/prompt", name="draft_hep")
ENTRY = ResourceTemplateReference(type="ref/resource", uri="hep://library/{condition}")


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def server():
    return build_server()


def all_names() -> list[str]:
    keys = library.conditions()
    return [*keys, *[a for k in keys for a in library.lookup(k).aliases], "other"]


# -- pure ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argument,typed,expected",
    [
        ("condition", "", lambda: all_names()),
        ("condition", "TOTAL", lambda: [n for n in all_names() if n.startswith("total")]),
        ("condition", "knee", lambda: [n for n in all_names() if n.startswith("knee")]
         + [n for n in all_names() if "knee" in n and not n.startswith("knee")]),
        ("channel", "", lambda: list(FORMATS)),
        ("format", "h", lambda: ["html", "html_large", "caregiver_html"]),
        ("kind", "n", lambda: ["note"]),
        ("language", "", lambda: ["en", "es"]),
        ("language", "E", lambda: ["en", "es"]),
        ("language", "s", lambda: ["es"]),
        ("patient_first_name", "M", lambda: []),
    ],
)
def test_complete(argument, typed, expected):
    assert prompt_args.complete(argument, typed) == expected()


def test_aliases_are_offered_and_resolve():
    aliases = [a for k in library.conditions() for a in library.lookup(k).aliases]
    assert aliases, "the shipped library has aliases"
    checked, extra = prompt_args.check({"condition": aliases[0]})
    assert checked["condition"] == library.lookup(aliases[0]).condition
    assert extra["library_entry"] is True


def test_unknown_condition_lists_the_library_and_other():
    with pytest.raises(InputError) as err:
        prompt_args.check({"condition": "broken leg"})
    text = str(err.value)
    assert text.startswith("condition: unknown 'broken leg'; expected a library condition (")
    assert all(k in text for k in library.conditions()) and "or other" in text


def test_unknown_channel_lists_the_formats():
    with pytest.raises(InputError, match="channel: unknown 'fax'; expected one of " + ", ".join(FORMATS)):
        prompt_args.check({"channel": "fax"})


def test_unknown_language_lists_the_packs():
    with pytest.raises(InputError, match=r"language: unknown 'fr'; expected one of en, es$"):
        prompt_args.check({"language": "fr"})
    with pytest.raises(InputError, match="language: unknown 'Spanish'; expected one of en, es"):
        prompt_args.check({"language": "Spanish"})


def test_language_is_canonical_and_named():
    checked, extra = prompt_args.check({"language": " ES "})
    assert checked["language"] == "es" and extra["language_name"] == "Spanish"
    assert prompt_args.check({"language": ""}) == ({"language": ""}, {})


def test_a_clinic_condition_is_completed_and_drafted_as_other(tmp_path):
    entry = yaml.safe_load(yaml.safe_dump(library.lookup("total_knee_replacement").model_dump(mode="json")))
    entry.update(condition="tennis_elbow", label="Tennis elbow", aliases=["lateral_elbow"])
    (tmp_path / "tennis_elbow.yaml").write_text(yaml.safe_dump(entry), encoding="utf-8")
    dirs = (str(tmp_path),)
    assert "tennis_elbow" in prompt_args.complete("condition", "ten", dirs)
    checked, extra = prompt_args.check({"condition": "lateral_elbow"}, dirs)
    assert checked["condition"] == "tennis_elbow" and extra["hep_condition"] == "other"
    config = config_from_mapping({"library_dirs": list(dirs)})
    assert config.library_dirs == dirs


# -- through the server ----------------------------------------------------------------


async def test_completion_complete_answers_for_condition_format_and_kind(server):
    async with Client(server) as c:
        cond = await c.complete(DRAFT, {"name": "condition", "value": "ro"})
        res = await c.complete(ENTRY, {"name": "condition", "value": ""})
        channel = await c.complete(DRAFT, {"name": "channel", "value": "p"})
        kind = await c.complete(DRAFT, {"name": "kind", "value": ""})
        language = await c.complete(DRAFT, {"name": "language", "value": ""})
    assert "rotator_cuff_repair" in cond.completion.values
    assert cond.completion.values == [n for n in all_names() if n.startswith("ro")] + [
        n for n in all_names() if "ro" in n and not n.startswith("ro")
    ]
    assert res.completion.values == all_names() and res.completion.has_more is False
    assert channel.completion.values == [f for f in FORMATS if f.startswith("p")]
    assert kind.completion.values == ["auto", "hep", "note"]
    assert language.completion.values == ["en", "es"]


async def test_draft_hep_refuses_a_condition_that_points_nowhere(server):
    async with Client(server) as c:
        with pytest.raises(MCPError, match="condition: unknown 'broken_leg'; expected a library condition"):
            await c.get_prompt("draft_hep", {"condition": "broken_leg"})
        with pytest.raises(MCPError, match="channel: unknown 'fax'"):
            await c.get_prompt("draft_hep", {"channel": "fax"})
        with pytest.raises(MCPError, match="language: unknown 'fr'; expected one of en, es"):
            await c.get_prompt("draft_hep", {"language": "fr"})


async def test_draft_hep_alias_points_at_the_real_entry(server):
    alias = next(a for k in library.conditions() for a in library.lookup(k).aliases)
    key = library.lookup(alias).condition
    async with Client(server) as c:
        r = await c.get_prompt("draft_hep", {"condition": alias})
        res = await c.read_resource(f"hep://library/{key}")
    text = r.messages[0].content.text
    assert f"hep://library/{key}`" in text and f"hep://library/{alias}`" not in text
    assert res.contents[0].text


async def test_draft_hep_other_path_asks_for_the_therapists_red_flags(server):
    async with Client(server) as c:
        r = await c.get_prompt("draft_hep", {"condition": "Other"})
    text = r.messages[0].content.text
    assert "hep://library/" not in text
    assert "response_rules.red_flags" in text and "condition: other" in text


async def test_draft_hep_explains_writing_to_the_caregiver(server):
    async with Client(server) as c:
        r = await c.get_prompt("draft_hep", {"patient_first_name": "Maria", "channel": "caregiver"})
    text = r.messages[0].content.text
    assert "format `caregiver`" in text and "caregiver_name" in text
    assert "Have Maria lie on their back" in text and "format `caregiver`" in text


SPANISH_GUIDANCE = (
    "## This patient prefers Spanish",
    "does the patient prefer to read in Spanish?",
    "caregiver read the handout, and in which language?",
    "Write every therapist field in Spanish",
    "Use *usted* throughout (never mix *tú* and *usted*)",
    '"doble la rodilla", not\n  "flexione"',
    'Set `language: "es"` on the HEP',
    "Never mix languages in one handout.",
    "a bilingual family gets\n  two handouts",
    "Do not add an exercise name, a dose or a rule\n  the therapist did not give.",
    'Keep 911 as "911"',
    "The clinic's phone number, portal and text line stay exactly as given.",
    '`check_hep_rules` and `language: "es"`',
)


async def test_draft_hep_in_spanish_tells_the_assistant_how(server):
    async with Client(server) as c:
        es = await c.get_prompt("draft_hep", {"patient_first_name": "Rosa", "language": "es", "channel": "caregiver"})
        en = await c.get_prompt("draft_hep", {"patient_first_name": "Rosa", "language": "en"})
        bare = await c.get_prompt("draft_hep", {})
    text, en_text, bare_text = (r.messages[0].content.text for r in (es, en, bare))
    for line in SPANISH_GUIDANCE:
        assert line in text, line
        assert line not in en_text and line not in bare_text, line
    assert 'Call `generate_hep` with the HEP object (with `language: "es"`) and format `caregiver`' in text
    assert '"Ayude a Rosa a acostarse boca arriba.' in text and "Have Rosa lie" not in text
    assert "\n\n## This patient prefers Spanish\n\n" in text and "go away.\n\n## How to work" in text
    # language unknown: ask; English given: nothing to ask
    ask = "the language the patient prefers to read, if you do not know it"
    assert ask in bare_text and ask not in en_text and ask not in text
    assert "Have Rosa lie on their back" in en_text
    # the shared six-element text states the one-language rule on every path
    shared = "A bilingual family gets one complete handout per language"
    assert all(shared in t for t in (text, en_text, bare_text))


def test_the_shipped_prompts_pass_lint_pack():
    """lint-pack renders each prompt with only its declared arguments (StrictUndefined):
    values the server derives (library_entry, hep_condition) must be optional there."""
    from pathlib import Path

    from hep_mcp.lint_pack import lint_pack

    root = Path(__file__).resolve().parents[1]
    results = [r for r in lint_pack(root) if "prompts" in str(r.path)]
    assert results
    for r in results:
        assert r.ok, r.error
        assert [f.rule for f in r.report.findings if f.severity == "error"] == [], (r.path, r.report.findings)


async def test_revise_prompt_explains_the_caregiver_format(server):
    async with Client(server) as c:
        r = await c.get_prompt("revise_hep_after_visit", {})
    text = r.messages[0].content.text
    assert "format\n   `caregiver`" in text or "format `caregiver`" in text
    assert "caregiver_name" in text
