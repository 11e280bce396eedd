"""Which language a draft is written in: a small, deterministic detector.

It counts, over the words of the text (one pass, linear), the words each language pack names
as its markers (``pack.yaml`` ``detect.words``: function words common in that language and rare
in the others, "el", "la", "usted", "que"... against "the", "you", "and"...), plus the letters
only that language uses (``detect.letters``: ñ, á, í, ó, ú, ¿, ¡ for Spanish; two letters count
as one word, so they back the words up and never decide alone). The language with the larger
count wins; a tie, or a text with no markers, is English (the reference pack). No model, no
statistics file, the same answer every time; a new pack brings its own markers.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from hep_mcp import lang
from hep_mcp.lang import DEFAULT

_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _markers() -> tuple[dict[str, str], tuple[tuple[str, frozenset[str]], ...]]:
    """(the language each marker word belongs to, each language's marker letters), from the packs.
    A word two packs both claim would count for neither language; tests/test_lang.py forbids it."""
    owner: dict[str, str] = {}
    letters = []
    for code in lang.languages():
        d = lang.info(code).get("detect") or {}
        for w in str(d.get("words") or "").split():
            owner.setdefault(w.lower(), code)
        if d.get("letters"):
            letters.append((code, frozenset(d["letters"])))
    return owner, tuple(letters)


def scores(text: str) -> dict[str, int]:
    """Marker counts per language (its words, plus half its letters)."""
    owner, letters = _markers()
    out = dict.fromkeys(lang.languages(), 0)
    get = owner.get
    for word, n in Counter(_WORD.findall(text.lower())).items():
        code = get(word)
        if code is not None:
            out[code] += n
    for code, chars in letters:
        # each marker character counted in C (a marker longer than one character never
        # equals one character of the text, so it counts nothing)
        out[code] += sum(text.count(ch) for ch in chars if len(ch) == 1) // 2
    return out


def detect(text: str) -> str:
    """The language with the most markers; English on a tie or with none."""
    s = scores(text)
    best = max(s.values())
    if best == 0 or s[DEFAULT] == best:
        return DEFAULT
    winners = [c for c, n in s.items() if n == best]
    return winners[0] if len(winners) == 1 else DEFAULT


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
