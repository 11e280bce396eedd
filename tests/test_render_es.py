"""Spanish handouts: every library condition's Spanish example in every format, with no
English pack string left; the Spanish red-flag wording; Spanish text messages counted right."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from hep_mcp import lang
from hep_mcp.config import load_config
from hep_mcp.render import FORMATS, coerce_hep, context, effective, generate_hep, render, strings
from hep_mcp.render.checkable import html_to_text
from hep_mcp.render.sms import GSM_BASIC, is_gsm7, message_cost, segments, strip_counter
from hep_mcp.rules import conditions as C

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "src" / "hep_mcp" / "examples"
ES = EXAMPLES / "es"
CLINIC = EXAMPLES / "clinic" / "clinic.yaml"
CASES = sorted(p.stem for p in ES.glob("*.yaml"))
LIBRARY = sorted(p.stem for p in (ROOT / "src" / "hep_mcp" / "library" / "data").glob("*.yaml"))


def load(stem: str) -> dict:
    return yaml.safe_load((ES / f"{stem}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rendered():
    config = load_config(CLINIC)
    return {(stem, fmt): generate_hep(load(stem), fmt, config=config) for stem in CASES for fmt in FORMATS}


def test_a_spanish_example_per_library_condition():
    conditions = sorted(load(stem)["condition"] for stem in CASES)
    assert conditions == LIBRARY and len(CASES) == 14
    assert all(load(stem)["language"] == "es" for stem in CASES)


# -- no English left -------------------------------------------------------------------------------

_FIELD = re.compile(r"\{[a-z_]+\}")
_NOT_TEXT = {"sessions.match", "clinic_phone.insert_after", "clinic_phone.insert_after_sms"}  # patterns, not text


def _leaves(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{key}.{k}" if key else str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v, key)
    elif isinstance(value, str):
        yield key, value


def english_fragments() -> list[str]:
    """Every fixed English text the formats print (strings.yaml, the red-flag wording), cut at
    its {fields}; a string the Spanish pack keeps as it is (Portal) is not English-only."""
    spanish = {v for _, v in _leaves(lang.part("es", "strings"))}
    texts = [v for k, v in _leaves(lang.part("en", "strings")) if k not in _NOT_TEXT and v not in spanish]
    texts += [v for _, v in _leaves(C.wording("en"))]
    out = set()
    for text in texts:
        for piece in _FIELD.split(" ".join(text.split())):
            piece = piece.strip(" ,.:;!?()")
            if re.search(r"[A-Za-z]{2}", piece):
                out.add(piece)
    return sorted(out)


def test_the_scan_knows_the_english_strings():
    frags = english_fragments()
    for known in ("'s home exercise plan", "Warning signs: stop and get help", "Mon", "No pain", "Tick when done",
                  "Did it today", "Hi", "If your pain goes up more than", "Phone", "Morning",
                  "Chest pain or pressure, trouble breathing, fainting or a racing heart: stop and call 911"):
        assert known in frags
    assert "Portal" not in frags  # the same word in Spanish


def _visible(fmt: str, result) -> str:
    if fmt == "sms":
        return "\n".join([*result.messages, *result.warning_messages, result.reminder])
    if fmt.endswith("html") or fmt == "html_large":
        page = re.sub(r"<style>.*?</style>", "", result.text, flags=re.S)
        attrs = re.findall(r'(?:aria-label|alt|title)="([^"]*)"', page) + re.findall(r"<title>(.*?)</title>", page)
        return html_to_text(page) + "\n" + "\n".join(html.unescape(a) for a in attrs)
    return result.text


def english_left(text: str) -> list[str]:
    return [f for f in english_fragments() if re.search(r"(?<![\w'])" + re.escape(f) + r"(?!\w)", text)]


def test_the_scan_finds_english_in_an_english_handout():
    config = load_config(CLINIC)
    english = yaml.safe_load((EXAMPLES / "tkr.yaml").read_text(encoding="utf-8"))
    assert len(english_left(render(coerce_hep(english), "print", config))) > 20


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", CASES)
def test_every_condition_renders_in_spanish_with_no_english_pack_string(rendered, stem, fmt):
    result = rendered[(stem, fmt)]
    text = _visible(fmt, result)
    assert english_left(text) == [], f"{stem} {fmt}: English left: {english_left(text)}"
    assert result.format == fmt and text.strip()
    if fmt in ("html", "html_large", "caregiver_html"):
        assert '<html lang="es">' in result.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_spanish_handout_carries_the_therapists_words_and_the_spanish_rules(rendered, fmt):
    data = load("acl")
    result = rendered[("acl", fmt)]
    flat = " ".join(strip_counter(line) for line in _visible(fmt, result).replace("**", "").split("\n"))
    flat = " ".join(flat.split())
    for ex in data["exercises"]:
        assert ex["name"] in flat and ex["dose"] in flat
    assert "más de 2 puntos" in flat
    assert "llame al 911" in flat
    assert "llame a la clínica al (555) 010-4477 hoy" in flat  # the clinic's phone in the call-the-clinic line
    assert data["feedback"]["problem"] in flat
    if fmt != "sms":
        assert "lunes a viernes, de 7 a. m. a 6 p. m." in flat or fmt == "portal" or "Horario" not in flat
        for ex in data["exercises"]:
            assert " ".join(ex["description"].split()) in flat and ex["tie_back"] in flat


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", CASES)
def test_every_condition_renders_ready_in_spanish(rendered, stem, fmt):
    result = rendered[(stem, fmt)]
    assert result.ready, [f"{f.rule} {f.message}" for f in result.findings]
    assert [f for f in result.findings if f.severity == "error"] == []
    # the one warning left is the page budget (FM003): Spanish runs longer than English; a
    # dose label line ("- **Cuánto:** 10 veces") is the dose, not a description sentence (DS001)
    assert {f.rule for f in result.findings if f.severity == "warning"} <= {"FM003"}, [f"{f.rule} {f.message}" for f in result.findings]


# -- the wording -----------------------------------------------------------------------------------


def test_spanish_red_flags_match_the_english_ones_condition_by_condition():
    en, es = C.wording("en"), C.wording("es")
    assert set(es["urgency"]) == set(en["urgency"]) and set(es["feels_different"]) == set(en["feels_different"])
    assert set(es["conditions"]) == set(en["conditions"])
    for cond, flags in en["conditions"].items():
        assert [f["urgency"] for f in C.condition_flags(cond, "es")] == [f["urgency"] for f in C.condition_flags(cond)], cond
    assert "911" in es["emergency"]


@pytest.mark.parametrize("cond", sorted(C.wording("es")["conditions"]))
def test_a_spanish_emergency_sign_goes_to_911_or_the_emergency_room_never_the_clinic(cond):
    call_first = re.compile(r"(Pare y llame al 911|Llame al 911|Vaya a la sala de emergencias)\b")
    assert call_first.match(C.wording("es")["emergency"])
    for f in C.condition_flags(cond, "es"):
        text = f["text"]
        if f["urgency"] == "emergency":  # who to call first: a 70-character text cut in two still says it
            assert call_first.match(text), text
            assert C.urgency_of(text, "es") == "emergency"
        if "coágulo" in text:  # a clot with chest pain or breathlessness: 911
            assert "llame al 911" in text


def test_the_safe_feels_different_wording_in_spanish():
    stroke = coerce_hep(load("stroke"))
    assert "llame al 911" in effective(stroke).response_rules.feels_different
    knee = coerce_hep(load("tkr"))
    assert effective(knee).response_rules.feels_different == strings("es")["defaults"]["feels_different"]
    assert effective(knee).response_rules.missed_day == strings("es")["defaults"]["missed_day"]
    assert effective(knee).accountability_line == strings("es")["defaults"]["accountability"]
    other = load("tkr") | {"condition": "other"}
    other["response_rules"] = {"red_flags": ["Si de repente se le duerme un brazo: llame al 911."]}
    hep = effective(coerce_hep(other))
    assert hep.response_rules.feels_different == " ".join(C.wording("es")["feels_different_neuro"].split())
    # the therapist's own wording is kept as written
    own = load("tkr")
    own["response_rules"] = {"missed_day": "Si falta un día, siga al otro día."}
    assert effective(coerce_hep(own)).response_rules.missed_day == "Si falta un día, siga al otro día."


def test_english_defaults_are_the_english_packs():
    from hep_mcp.model.hep import DEFAULT_ACCOUNTABILITY, DEFAULT_FEELS_DIFFERENT, DEFAULT_MISSED_DAY

    d = strings("en")["defaults"]
    assert (DEFAULT_MISSED_DAY, DEFAULT_FEELS_DIFFERENT, DEFAULT_ACCOUNTABILITY) == (d["missed_day"], d["feels_different"], d["accountability"])


def test_spanish_day_labels_tick_rows_and_pain_scale():
    config = load_config(CLINIC)
    ctx = context(coerce_hep(load("tkr")), config, "html")
    assert ctx["days"] == ("Lun", "Mar", "Mié", "Jue", "Vie", "Sáb", "Dom")
    assert ctx["sessions"] == ("Mañana", "Noche")  # "Cada mañana y cada noche"
    assert dict(ctx["pain_scale"])[0] == "Nada" and dict(ctx["pain_scale"])[10] == "El peor"
    assert context(coerce_hep(load("rotator_cuff")), config)["sessions"] == ("Primera", "Segunda", "Tercera")
    assert context(coerce_hep(load("shoulder")), config)["sessions"] == ("Mañana", "Tarde")
    assert ctx["count_exercises"] == "tres ejercicios"
    one = load("tkr")
    one["exercises"] = one["exercises"][:1]
    page = render(coerce_hep(one), "print", config)
    assert "## Su ejercicio\n" in page and "un ejercicio, el mismo que hicimos juntos hoy" in page


def test_the_language_is_in_the_tool_schema_and_checked():
    from hep_mcp.errors import InputError
    from hep_mcp.model import HEP

    schema = HEP.model_json_schema()["properties"]["language"]
    assert schema["enum"] == list(lang.languages()) and schema["default"] == "en" and schema["description"]
    with pytest.raises(InputError, match="language"):
        coerce_hep(load("tkr") | {"language": "fr"})


def test_cli_render_takes_the_language(tmp_path, capsys):
    from hep_mcp.cli import main
    from hep_mcp.cli.render import LANGUAGES

    assert LANGUAGES == lang.languages()
    case = tmp_path / "tkr.yaml"
    case.write_text((EXAMPLES / "tkr.yaml").read_text(encoding="utf-8"), encoding="utf-8")  # English fields
    out = tmp_path / "out.md"
    main(["render", str(case), "--language", "es", "-o", str(out), "--config", str(CLINIC)])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Plan de ejercicios en casa para Maria") and "## Sus reglas" in text
    main(["render", str(ES / "tkr.yaml"), "-o", str(out), "--config", str(CLINIC)])
    assert "Señales de alarma: pare y pida ayuda" in out.read_text(encoding="utf-8")


def test_a_spanish_fhir_bundle_says_so_and_reads_back():
    import json

    from hep_mcp.render.fhir_read import careplan_hep

    config = load_config(CLINIC)
    result = generate_hep(load("tkr"), "fhir", config=config)
    bundle = json.loads(result.text)
    plan = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan")
    assert plan["language"] == "es"
    assert any("más de 2 puntos" in n["text"] for n in plan["note"])
    back = careplan_hep(bundle)
    assert back["language"] == "es" and not back["response_rules"].get("red_flags")


# -- text messages ---------------------------------------------------------------------------------


def test_gsm7_has_the_spanish_letters_it_has_and_not_the_others():
    for ch in "éÉñÑüÜ¿¡":
        assert ch in GSM_BASIC and is_gsm7(ch), ch
    for ch in "áíóúÁÍÓÚ":
        assert ch not in GSM_BASIC and not is_gsm7(ch), ch
    assert is_gsm7("¿Señales? ¡Pare! Después, niño.")
    assert not is_gsm7("Llame a la clínica.")


@pytest.mark.parametrize("text,expected", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),  # GSM-7: 160, then 153 a segment
    ("ñ" * 160, 1), ("é" * 161, 2),
    ("á" * 70, 1), ("á" * 71, 2), ("á" * 134, 2), ("á" * 135, 3),  # UCS-2: 70, then 67
    ("a" * 69 + "í", 1), ("a" * 70 + "í", 2),  # one í makes the whole text UCS-2
    ("{" * 80, 1), ("{" * 81, 2), ("", 0),  # an extension character takes two septets
])
def test_segments(text, expected):
    assert segments(text) == expected


def test_spanish_text_messages_use_70_characters_only_where_needed(rendered):
    lengths = []
    for stem in CASES:
        r = rendered[(stem, "sms")]
        every = [*r.messages, *r.warning_messages, r.reminder]
        for m in every:
            length, limit = message_cost(m)
            assert length <= limit
            assert limit == (160 if is_gsm7(m) else 70)
            lengths.append(limit)
        assert len(r.reminder.split("\n")) == 1 and len(r.messages) <= 7 and len(r.warning_messages) <= 18
        assert r.messages[0].startswith("1/") and load(stem)["patient_first_name"] in r.messages[0]
    assert 70 in lengths and 160 in lengths  # messages with only ñ, é, ¿ stay 160-character ones


def _pack_patterns():
    for code in lang.languages():
        s = lang.part(code, "strings")
        for i, entry in enumerate(s["sessions"]):
            yield f"lang/{code}/strings.yaml sessions[{i}]", entry["match"]
        for key in ("insert_after", "insert_after_sms"):
            yield f"lang/{code}/strings.yaml clinic_phone.{key}", s["clinic_phone"][key]
        if code != "en":
            own = C.wording(code)["own_flags"]
            for key in ("emergency", "stop", "neuro_signs"):
                for p in own[key]:
                    yield f"lang/{code}/red_flags.yaml own_flags.{key}", p


@pytest.mark.parametrize("source,pattern", list(_pack_patterns()), ids=[s for s, _ in _pack_patterns()])
def test_the_packs_patterns_are_linear(source, pattern):
    from hep_mcp.rules import regex_safety

    assert regex_safety.problems(pattern, re.I, True) == [], f"{source}: {pattern!r}"


# -- snapshots and template safety -------------------------------------------------------------------

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "render_es"
EXT = {"print": "md", "html": "html", "html_large": "html", "sms": "txt", "portal": "txt", "caregiver": "md", "caregiver_html": "html"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("stem", CASES)
def test_spanish_snapshot(rendered, stem, fmt):
    """Byte-identical Spanish output. HEP_MCP_UPDATE_SNAPSHOTS=1 rewrites the files."""
    import os

    path = SNAPSHOTS / f"{stem}.{fmt}.{EXT[fmt]}"
    text = rendered[(stem, fmt)].text
    if os.environ.get("HEP_MCP_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"no snapshot {path.name}: run with HEP_MCP_UPDATE_SNAPSHOTS=1"
    assert text.encode("utf-8") == path.read_bytes(), f"{path.name} differs (HEP_MCP_UPDATE_SNAPSHOTS=1 to accept)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_input_in_a_spanish_pack_string_stays_data(fmt):
    data = load("tkr")
    data["patient_first_name"] = "<b>{name}{{ 7*7 }}</b>"
    data["therapist_name"] = "{therapist} & Co"
    text = render(coerce_hep(data), fmt, load_config(CLINIC))
    assert "{name}{{ 7" in text  # shown as written: neither a template nor a pack field
    assert "<b>{name}" not in text or fmt in ("sms", "portal")  # plain-text formats print it as is
    if fmt.endswith("html") or fmt == "html_large":
        assert "&lt;b&gt;{name}{{ 7*7 }}&lt;/b&gt;" in text and "{therapist} &amp; Co" in text
    elif fmt in ("print", "caregiver"):
        assert "\\<b\\>{name}{{ 7\\*7 }}\\</b\\>" in text
    else:
        assert "<b>{name}{{ 7*7 }}</b>" in text
