"""Which language a draft is written in: a small, deterministic detector.

It counts, over the words of the text (one pass, linear), the words that are common
function words of one language and rare in the other ("el", "la", "usted", "que"...
against "the", "you", "and"...), and the letters only Spanish uses (ñ, á, í, ó, ú, ¿, ¡).
The language with the larger share wins; a tie, or a text with no such words, is English
(the reference pack). No model, no statistics file, the same answer every time.
"""

from __future__ import annotations

import re

from hep_mcp.lang import DEFAULT

# Function words frequent in one language and (almost) absent from the other. Words both
# share, or that are English words too ("a", "me", "no", "son", "dice"), are left out.
_WORDS = {
    "es": frozenset(
        "el la los las del al de que y en un una unos unas por para con su sus es está están este esta "
        "estos estas usted ustedes le les lo se si sí muy más pero cuando después antes cada día días "
        "hoy mañana semana veces hasta sin sobre también como qué cómo cuándo dónde haga hacer "
        "puede pueda tiene tenga siga deje llame rodilla pierna dolor ejercicios ejercicio".split()
    ),
    "en": frozenset(
        "the and of to you your is are it this that with for on in at be do does did if when after "
        "before each every day days today week times until without also how what where can will "
        "have has please call stop knee leg pain exercises exercise".split()
    ),
}
_SPANISH_LETTERS = frozenset("ñáíóúü¿¡")
_WORD = re.compile(r"[^\W\d_]+")


def scores(text: str) -> dict[str, int]:
    """Marker counts per language (words, plus Spanish-only letters for es)."""
    es = en = 0
    words_es, words_en = _WORDS["es"], _WORDS["en"]
    for m in _WORD.finditer(text.lower()):
        w = m.group()
        if w in words_es:
            es += 1
        elif w in words_en:
            en += 1
    es += sum(1 for ch in text if ch in _SPANISH_LETTERS) // 2  # accents back the words up, never decide alone
    return {"en": en, "es": es}


def detect(text: str) -> str:
    """'es' when Spanish markers outnumber English ones, else 'en'."""
    s = scores(text)
    return "es" if s["es"] > s["en"] else DEFAULT


def resolve(text: str, language: str | None) -> str:
    """The language to check in: ``None`` or ``"auto"`` detects it; a code forces it (and
    must have a pack)."""
    from hep_mcp.errors import InputError
    from hep_mcp.lang import languages

    if language is None or language == "auto":
        return detect(text)
    if not isinstance(language, str) or language not in languages():
        raise InputError(f"language: expected auto or one of {', '.join(languages())}, got {str(language)[:20]!r}")
    return language
