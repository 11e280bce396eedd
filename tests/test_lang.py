"""Language packs: every pack carries every key of the English pack's parts."""

from __future__ import annotations

import pytest

from hep_mcp import lang


def _keys(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{prefix}{k}"
            yield from _keys(v, f"{prefix}{k}.")


def test_english_and_spanish_ship():
    assert lang.languages()[0] == "en" and "es" in lang.languages()


@pytest.mark.parametrize("code", [c for c in lang.languages() if c != "en"])
def test_a_pack_misses_no_key_the_english_pack_has(code):
    assert set(lang.parts("en")) <= set(lang.parts(code)), f"{code} lacks parts {sorted(set(lang.parts('en')) - set(lang.parts(code)))}"
    for name in lang.parts("en"):
        if name == "pack":
            continue
        missing = sorted(set(_keys(lang.part("en", name))) - set(_keys(lang.part(code, name))))
        assert not missing, f"lang/{code}/{name}.yaml lacks {missing[:10]}"


def test_pack_describes_itself():
    for code in lang.languages():
        info = lang.info(code)
        assert info["code"] == code and info["name"] and info["native_name"]


def test_unknown_language_names_the_choices():
    with pytest.raises(lang.UnknownLanguage, match="expected one of en, es"):
        lang.part("xx", "strings")


# Word data the checks read per language: English in rules/data/<name>.yaml, any other
# language in its pack (hep_mcp.rules.engine.lang_data).
CHECK_DATA = ("cues", "conditions")


@pytest.mark.parametrize("code", [c for c in lang.languages() if c != "en"])
@pytest.mark.parametrize("name", CHECK_DATA)
def test_a_pack_carries_every_key_of_the_english_check_data(code, name):
    from hep_mcp.config import load_data

    english = load_data(f"{name}.yaml")
    missing = sorted(set(_keys(english)) - set(_keys(lang.part(code, name))))
    assert not missing, f"lang/{code}/{name}.yaml lacks {missing[:10]} (keys of rules/data/{name}.yaml)"
    filled = {k for k, v in _leaves(english) if v}
    empty = [k for k, v in _leaves(lang.part(code, name)) if isinstance(v, list) and not v and k in filled]
    assert not empty, f"lang/{code}/{name}.yaml: empty lists {empty[:5]}"


def _leaves(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{prefix}{k}.")
    else:
        yield prefix.rstrip("."), value


@pytest.mark.parametrize("code", [c for c in lang.languages() if c != "en"])
def test_a_pack_cue_list_compiles(code):
    import re

    for key, value in _leaves(lang.part(code, "cues")):
        if key == "number_words":  # [word, number] pairs, the one part of a cue file that is not patterns
            assert all(isinstance(w, str) and isinstance(n, int) for w, n in value), value
            continue
        for p in value if isinstance(value, list) else [value]:
            re.compile(p, re.I | re.M)


# The detector's markers and the readability formulas are pack data (pack.yaml), not code.
READABILITY_FORMULAS = ("english", "spanish")  # hep_mcp.rules.engine.Context.readability


def test_every_pack_names_its_readability_formulas():
    for code in lang.languages():
        assert lang.info(code).get("readability") in READABILITY_FORMULAS, f"lang/{code}/pack.yaml readability"


def test_detector_markers_are_pack_data_and_no_word_is_claimed_twice():
    seen: dict[str, str] = {}
    for code in lang.languages():
        words = str(lang.info(code)["detect"]["words"]).split()
        assert len(words) >= 20, f"lang/{code}/pack.yaml detect.words: too few markers to tell languages apart"
        for w in words:
            assert w not in seen, f"detect word {w!r} is in both {seen[w]} and {code}"
            seen[w] = code


def test_detector_reads_the_markers_from_the_packs(monkeypatch):
    from hep_mcp.lang import detect

    text = "Haga el ejercicio cada día con la rodilla."
    assert detect.detect(text) == "es"
    # Take Spanish's markers away: the same text is no longer Spanish (the words come from the pack).
    real = lang.info

    def without_spanish_markers(code):
        info = dict(real(code))
        if code == "es":
            info["detect"] = {"words": "", "letters": ""}
        return info

    monkeypatch.setattr(lang, "info", without_spanish_markers)
    detect._markers.cache_clear()
    try:
        assert detect.detect(text) == "en"
    finally:
        detect._markers.cache_clear()
