"""Spanish drafts: language detection, the language argument, and the Spanish cue lists."""

from __future__ import annotations

import pytest

from hep_mcp.errors import InputError
from hep_mcp.lang.detect import detect, resolve
from hep_mcp.rules import check_text

SPANISH = """# Plan de ejercicios de Rosa

Hola Rosa: aquí tiene su plan para esta semana.

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
