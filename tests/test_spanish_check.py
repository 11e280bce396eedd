"""Spanish drafts: language detection, the language argument, and the Spanish cue lists."""

from __future__ import annotations

import pytest

from hep_mcp.errors import InputError
from hep_mcp.lang.detect import detect, resolve
from hep_mcp.rules import check_text

SPANISH = """# Plan de ejercicios de Rosa

Hola Rosa: aquí tiene su plan para esta semana, después de su reemplazo de rodilla.

## Ejercicios

1. **Apretar el muslo.** Acuéstese boca arriba en la cama con la pierna estirada. Apriete el muslo y sostenga 5 segundos. Es el mismo que hicimos hoy en la clínica.
2. **Deslizar el talón.** Acostada en la cama, deslice el talón hacia usted y luego estire la pierna. Lo practicamos juntos en la camilla.
3. **Bombeo de tobillo.** Sentada en el sillón, mueva el pie hacia arriba y hacia abajo. Lo hizo conmigo al final de la sesión.

## Cuándo y dónde
Todos los días, en la mañana y en la tarde, en la cama, justo después de tomarse el café. Haga 10 veces cada ejercicio.

## Reglas de seguridad
- Dolor: si el dolor sube más de 2 puntos de donde empezó, deje ese ejercicio por hoy y haga los otros.
- Si se le pasa un día, siga al día siguiente como siempre. No haga el doble.
- Si siente algo diferente, como dolor nuevo, hinchazón o debilidad, llame a la clínica antes de seguir.
- Dolor, calor o hinchazón en la pantorrilla puede ser un coágulo: llame a la clínica hoy.
- Fiebre, o la herida roja o con pus: llame a la clínica hoy.
- Dolor de pecho o dificultad para respirar: llame al 911.

## Cómo nos avisa
Marque la casilla de hoy en el portal de la clínica cuando termine. ¿Dudas o problemas? Escríbanos por el portal.

## Meta para el jueves
Sostener el apretón del muslo los 5 segundos completos, 10 veces seguidas, para el jueves.
"""

ENGLISH = "Hi Maria, here is your plan for the week. Do the thigh squeeze after breakfast, 10 times."


@pytest.mark.parametrize(
    "text, code",
    [
        (SPANISH, "es"),
        (ENGLISH, "en"),
        ("", "en"),
        ("3x10", "en"),
        ("Haga 10 veces el ejercicio de la rodilla cada mañana, después del café.", "es"),
        ("Do the knee exercise 10 times every morning, after your coffee.", "en"),
        # a Spanish name in an English handout does not make it Spanish
        ("Hi José, here is your plan. Do the heel slides on the bed after breakfast.", "en"),
    ],
)
def test_detect(text, code):
    assert detect(text) == code


def test_detect_is_linear_in_the_text():
    # one pass over the words: a megabyte of words is read without a pathological case
    assert detect("la " * 300_000) == "es" and detect("the " * 300_000) == "en"


def test_resolve_forces_or_detects_and_refuses_unknown_codes():
    assert resolve(SPANISH, None) == "es" and resolve(SPANISH, "auto") == "es"
    assert resolve(SPANISH, "en") == "en" and resolve(ENGLISH, "es") == "es"
    with pytest.raises(InputError, match="language: expected auto or one of en, es"):
        resolve(ENGLISH, "fr")


def test_spanish_draft_is_read_in_spanish_and_ready():
    r = check_text(SPANISH, kind="hep")
    assert r.language == "es"
    blocking = [f.rule for f in r.findings if f.severity == "error"]
    assert not blocking, r.findings
    for rid in ("EX003", "DO004", "RR001", "RR003", "RR005", "RR006", "FB001", "FB002", "MS001", "MS002", "MS004", "DS002"):
        assert rid not in {f.rule for f in r.findings}, (rid, r.findings)


def test_forcing_english_on_a_spanish_draft_reads_it_as_english():
    r = check_text(SPANISH, kind="hep", language="en")
    assert r.language == "en" and not r.ready


def test_english_draft_reports_english():
    assert check_text(ENGLISH).language == "en"


def test_server_tool_takes_a_typed_language_argument():
    import anyio

    from hep_mcp.server import build_server

    async def go():
        import mcp

        async with mcp.Client(build_server()) as c:
            tools = {t.name: t for t in (await c.list_tools()).tools}
            prop = tools["check_hep_rules"].input_schema["properties"]["language"]
            assert prop["enum"] == ["auto", "en", "es"] and prop["description"]
            res = await c.call_tool("check_hep_rules", {"text": SPANISH, "kind": "hep"})
            assert res.structured_content["language"] == "es"
            assert "Read as: Spanish (es)" in res.content[0].text
            res = await c.call_tool("check_hep_rules", {"text": SPANISH, "language": "en"})
            assert res.structured_content["language"] == "en"

    anyio.run(go)


def _with(line: str) -> str:
    """The clean Spanish draft with one line added to its rules."""
    return SPANISH.replace("## Cómo nos avisa", f"- {line}\n\n## Cómo nos avisa")


@pytest.mark.parametrize(
    "line, rule",
    [
        ("Recuerde: sin dolor no hay ganancia.", "SF001"),
        ("Aguante el dolor y siga.", "SF001"),
        ("Con este plan su recuperación está garantizada.", "SF002"),
        ("Le garantizo que la rodilla se va a curar.", "SF002"),
        ("Su menisco está roto.", "SF003"),
        ("Usted tiene artritis.", "SF003"),
        ("Haga más si se siente bien; mientras más, mejor.", "SF004"),
        ("Si tiene fiebre, llame a su médico.", "SF005"),
        ("Si tiene dudas, mándeme un WhatsApp.", "FB003"),
        ("Si tiene dudas, llame a mi celular.", "FB003"),
        ("Si se le pasa un día, haga el doble al día siguiente.", "RR004"),
        ("Fecha de nacimiento: 03/14/1958.", "PV001"),
        ("Número de expediente: 448812.", "PV002"),
        ("Acuéstese en decúbito supino.", "PL003"),
        ("Haga 3x10.", "PL004"),
    ],
)
def test_spanish_unsafe_wording_is_caught(line, rule):
    fired = {f.rule for f in check_text(_with(line), kind="hep").findings}
    assert rule in fired


@pytest.mark.parametrize(
    "line",
    [
        "No haga el doble si se le pasa un día.",
        "Si tiene fiebre, llame a su médico o a la clínica.",
        "Es normal sentir un poco de molestia.",
    ],
)
def test_spanish_safe_wording_is_not_flagged(line):
    report = check_text(_with(line), kind="hep")
    assert report.ready and not [f for f in report.findings if f.severity != "info"], report.findings


def test_spanish_removing_an_element_is_caught():
    no_goal = SPANISH.split("## Meta para el jueves")[0]
    assert "MS001" in {f.rule for f in check_text(no_goal).findings}
    vague = SPANISH.replace("Sostener el apretón del muslo los 5 segundos completos, 10 veces seguidas, para el jueves.", "Siga echándole ganas.")
    assert "MS002" in {f.rule for f in check_text(vague).findings}
    no_trigger = SPANISH.replace(", justo después de tomarse el café", "")
    assert "DO004" in {f.rule for f in check_text(no_trigger).findings}
    numbers = SPANISH.replace("Haga 10 veces cada ejercicio.", "3x10, 3x/semana.").replace(
        "Todos los días, en la mañana y en la tarde, en la cama, justo después de tomarse el café. ", "")
    assert "DO001" in {f.rule for f in check_text(numbers).findings}
    vague_pain = SPANISH.replace("si el dolor sube más de 2 puntos de donde empezó, deje ese ejercicio por hoy y haga los otros", "pare si le duele")
    assert "RR001" in {f.rule for f in check_text(vague_pain).findings}
    points = SPANISH.replace("más de 2 puntos", "más de 3 puntos")
    assert "RR002" in {f.rule for f in check_text(points).findings}
    no_911 = SPANISH.replace("- Dolor de pecho o dificultad para respirar: llame al 911.\n", "")
    assert "RR006" in {f.rule for f in check_text(no_911).findings}
    to_portal = SPANISH.replace("Dolor de pecho o dificultad para respirar: llame al 911.", "Dolor de pecho o dificultad para respirar: escríbanos por el portal.")
    assert "RR008" in {f.rule for f in check_text(to_portal).findings}


def _fill(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


# Shapes aimed at the Spanish cue lists: the structural trigger ("después de" + a verb), the
# bounded windows after "si se le pasa", "más de", accents and long words, ¿¡ sentence starts.
SPANISH_SHAPES = {
    "después de + long word": lambda n: "después de " + "a" * (n - 11),
    "después de repeated": lambda n: _fill("después de ", n),
    "al + verb repeated": lambda n: _fill("al levantarse ", n),
    "si se le pasa repeated": lambda n: _fill("si se le pasa ", n),
    "más de repeated": lambda n: _fill("más de 2 ", n),
    "accents one line": lambda n: _fill("áéíóúñ ", n),
    "question openers": lambda n: _fill("¿¡ ", n),
    "dolor lines": lambda n: _fill("Dolor: más de\n", n),
    "cada vez que": lambda n: _fill("cada vez que usted ", n),
}


@pytest.mark.parametrize("shape", sorted(SPANISH_SHAPES))
def test_spanish_cues_are_linear_on_adversarial_text(shape):
    import time

    from hep_mcp.config import config_from_mapping
    from tests.growth import assert_linear

    config = config_from_mapping({"max_input_bytes": 10_000_000})

    def cost(n):
        text = SPANISH_SHAPES[shape](n)
        t = time.process_time()
        check_text(text, kind="hep", config=config, language="es")
        return time.process_time() - t

    assert_linear(cost, 10_000, 100_000, floor=0.01, label=shape)


def test_a_spanish_read_leaves_no_trace_on_the_next_english_read():
    """The reader's caches are per language: forcing Spanish on an English draft, then
    reading it as English, gives what reading it as English alone gives (each in a fresh
    process, so no earlier test has filled the caches)."""
    import subprocess
    import sys

    script = (
        "import sys, yaml; from pathlib import Path; from hep_mcp.rules import check_text\n"
        "from tests.layouts import LAYOUTS, content\n"
        "c = content(yaml.safe_load(Path('src/hep_mcp/examples/tkr.yaml').read_text(encoding='utf-8')))\n"
        "texts = [fn(c) for _, fn in sorted(LAYOUTS.items())]\n"
        "if sys.argv[1] == 'es-first': [check_text(t, language='es') for t in texts]\n"
        "print([sorted((f.rule, f.line) for f in check_text(t, language='en').findings) for t in texts])\n"
    )
    alone, after = (subprocess.run([sys.executable, "-c", script, arg], capture_output=True, text=True, check=True).stdout for arg in ("en", "es-first"))
    assert after == alone


# the route of a heading or lead-in line carries to the lines of its block, and a run of short
# question lines is answered by the route line after it -- read alike in Spanish
_ES_ROUTES_PASS = [
    "Tras su ictus:\nSI NOTA ESTO, LLAME AL 911:\nLa cara se cae de un lado.\nUn brazo débil de repente.\n\nOtras dudas: escriba a la clínica.",
    "Tras su ictus:\n¿La cara se cae de un lado?\n¿Un brazo débil de repente?\nLlame al 911.",
]
_ES_ROUTES_FAIL = [
    "Tras su ictus:\n¿La cara se cae de un lado?\n¿Un brazo débil de repente?\nEscriba a la clínica.",
    "Tras su ictus, llame al 911:\nPérdida del equilibrio de repente.\n\nEN CASA\n¿La cara se cae de un lado? Escríbanos.",
]


@pytest.mark.parametrize("text", _ES_ROUTES_PASS)
def test_spanish_block_routes_reach_911(text):
    from hep_mcp.rules.engine import run

    assert not run(text, kind="hep", only=["RR008"], language="es").findings


@pytest.mark.parametrize("text", _ES_ROUTES_FAIL)
def test_spanish_block_routes_keep_clinic_errors(text):
    from hep_mcp.rules.engine import run

    assert "RR008" in {f.rule for f in run(text, kind="hep", only=["RR008"], language="es").findings}


@pytest.mark.parametrize(
    "text, rule, fires",
    [
        ("Tras su caída:\nMarque cada día en la hoja. Llame a recepción cada viernes para reportarlo.", "FB001", False),
        ("Tras su caída:\nMarque cada día en la hoja. Tráigala a la cita.", "FB001", True),
        ("Tras su reemplazo de rodilla:\n¿Algo no está bien? Escriba a esta línea antes de seguir.", "FB002", False),
        ("Tras su reemplazo de rodilla:\n¿Algo no está bien? Escriba a mi celular antes de seguir.", "FB002", True),
    ],
)
def test_spanish_log_and_problem_channels(text, rule, fires):
    from hep_mcp.rules.engine import run

    assert (rule in {f.rule for f in run(text, kind="hep", only=[rule], language="es").findings}) is fires
