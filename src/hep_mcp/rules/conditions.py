"""Condition knowledge as data (conditions.yaml, red_flags.yaml): detection, red
flags with urgency, emergency signs and where a sentence sends the patient.

Pure functions over text, shared by the rules (rules/hep.py: RR007-RR010) and the
renderer (which picks the condition's red-flag wording and a "something feels
different" wording that never sends an emergency sign to the clinic).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from hep_mcp.config import load_data

URGENCIES = ("emergency", "today", "stop")
NEURO_SIGN = "new weakness or numbness"
# the universal signs that are neurological (a therapist's own red flag naming one
# means the default "feels different" wording must not send weakness to the clinic)
NEURO_UNIVERSAL = (
    "sudden weakness or numbness",
    "a drooping face",
    "trouble speaking",
    "weakness or numbness in both arms or legs",
    "numbness between the legs",
)


def _rx(patterns) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!x)x", re.I)


class _Lazy:
    """A case-insensitive pattern compiled the first time it is used: ``.pattern`` is
    the source, anything else is the compiled pattern's. The engine's fast scan reads
    only the sources (it compiles its own combined cue), and a check uses the flags of
    the conditions a draft names, so a cold check does not compile all of them."""

    __slots__ = ("pattern", "_rx")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._rx: re.Pattern | None = None

    def __getattr__(self, name: str):
        if self._rx is None:
            self._rx = re.compile(self.pattern, re.I)
        return getattr(self._rx, name)


def _lazy_rx(patterns) -> _Lazy:
    return _Lazy("|".join(f"(?:{p})" for p in patterns) or r"(?!x)x")


@dataclass(frozen=True)
class RedFlag:
    flag: str
    urgency: str
    pattern: re.Pattern  # compiled on first use (_Lazy)
    parts: tuple[re.Pattern, ...] = ()  # the patterns one by one (for the engine's fast scan; _Lazy)
    # False: a secondary sign the handout prints from the library, but a draft is not
    # refused for leaving it out (RR007 asks only for the required ones)
    required: bool = True


@dataclass(frozen=True)
class ConditionCues:
    key: str
    label: str
    detect: re.Pattern  # compiled on first use (_Lazy)
    red_flags: tuple[RedFlag, ...]
    emergency_signs: tuple[str, ...]
    unless: tuple[str, ...] = ()


@lru_cache(maxsize=None)
def _data(language: str = "en") -> dict:
    """The patterns of a language: English in rules/data/conditions.yaml, another language
    in its pack (lang/<code>/conditions.yaml, the same keys; flag names stay English: they
    go into the therapist's messages)."""
    from hep_mcp import lang

    return lang.data(language, "conditions")


@lru_cache(maxsize=None)
def known(language: str = "en") -> dict[str, ConditionCues]:
    out = {}
    for key, raw in _data(language)["conditions"].items():
        flags = tuple(
            RedFlag(
                f["flag"], f["urgency"], _lazy_rx(f["patterns"]), tuple(_Lazy(p) for p in f["patterns"]),
                bool(f.get("required", True)),
            )
            for f in raw.get("red_flags", [])
        )
        for f in flags:
            if f.urgency not in URGENCIES:
                raise RuntimeError(f"conditions.yaml: {key}: unknown urgency {f.urgency!r}")
        signs = tuple(raw.get("emergency_signs") or ())
        for s in signs:
            if s not in _data(language)["condition_signs"]:
                raise RuntimeError(f"conditions.yaml: {key}: unknown emergency sign {s!r}")
        out[key] = ConditionCues(key, raw["label"], _lazy_rx(raw["detect"]), flags, signs, tuple(raw.get("unless") or ()))
    return out


def label(condition: str) -> str:
    c = known().get(condition)
    return c.label if c else condition.replace("_", " ")


def detect(text: str, language: str = "en", lowered: str | None = None) -> list[str]:
    """The conditions a free-text draft names, in catalog order. A condition another
    one covers is left out when both are named (shoulder pain in a rotator cuff repair
    handout, arthritis in a knee replacement handout). ``lowered``: ``text.lower()``, when
    the caller has it."""
    cues = known(language)
    lowered = text.lower() if lowered is None else lowered
    found = [key for key, cue in _detect_cues(language).items() if cue.possible(lowered) and cue.find(text, lowered)]
    return [key for key in found if not set(cues[key].unless) & set(found)]


@lru_cache(maxsize=None)
def _detect_cues(language: str = "en"):
    """Each condition's detect patterns as one cue (the same flags as ``ConditionCues.detect``),
    tried only where one of their leading literals starts a word (rules.engine.Cue)."""
    from hep_mcp.rules.engine import Cue

    return {key: Cue(tuple(raw["detect"]), re.I) for key, raw in _data(language)["conditions"].items()}


@lru_cache(maxsize=None)
def _universal_signs(language: str = "en") -> dict[str, re.Pattern]:
    return {name: _lazy_rx(p) for name, p in _data(language)["emergency_signs"].items()}  # compiled when used


@lru_cache(maxsize=None)
def _condition_signs(language: str = "en") -> dict[str, re.Pattern]:
    return {name: _lazy_rx(p) for name, p in _data(language)["condition_signs"].items()}  # compiled when used


@lru_cache(maxsize=None)
def route_parts(language: str = "en") -> tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    """The emergency and the other route patterns one by one."""
    r = _data(language)["route"]
    return tuple(_Lazy(p) for p in r["emergency"]), tuple(_Lazy(p) for p in r["not_emergency"])


@lru_cache(maxsize=64)
def sign_parts(conditions: tuple[str, ...], language: str = "en") -> tuple[re.Pattern, ...]:
    """Every emergency-sign pattern for these conditions, one by one."""
    names = {name for name, _ in signs_for(list(conditions), language)}
    data = {**_data(language)["emergency_signs"], **_data(language)["condition_signs"]}
    return tuple(_Lazy(p) for name in data if name in names for p in data[name])


def signs_for(conditions: list[str], language: str = "en") -> list[tuple[str, re.Pattern]]:
    """(sign name, pattern): the universal emergency signs plus the conditions' own."""
    out = list(_universal_signs(language).items())
    extra = _condition_signs(language)
    seen = set()
    for cond in conditions:
        c = known(language).get(cond)
        for s in c.emergency_signs if c else ():
            if s not in seen:
                seen.add(s)
                out.append((s, extra[s]))
    return out


@lru_cache(maxsize=None)
def _alternative(language: str = "en") -> tuple[frozenset, frozenset, frozenset]:
    a = _data(language)["alternative"]
    return frozenset(a["before"]), frozenset(a["after"]), frozenset(a["filler"])


_GAP_TOKEN = re.compile(r"[^\W\d_]+|\d|[^\w\s,'’/()-]")
GAP_LIMIT = 60  # characters: two routes further apart than this are not one choice


def is_choice(gap: str, first: str, language: str = "en") -> bool:
    """Whether the words between two routes make them one choice ("message the clinic
    *or call* 911"): ``first`` is the kind of the route before the gap. Only words from
    conditions.yaml's ``alternative`` lists, with at least one joining word; any other
    word or a stop (``;``, ``:``) means the routes belong to different signs."""
    if len(gap) > GAP_LIMIT:
        return False
    before, after, filler = _alternative(language)
    joiners = before if first == "other" else after
    tokens = _GAP_TOKEN.findall(gap.lower())
    return any(t in joiners for t in tokens) and all(t in joiners or t in filler for t in tokens)


def choice_in(text: str, language: str = "en") -> bool:
    """Whether a short text (a lead-in line) offers the emergency line and another route
    as one choice. Linear: one scan for each route pattern."""
    found = [(m.start(), m.end(), "emergency") for m in emergency_route(language).finditer(text)]
    found += [(m.start(), m.end(), "other") for m in other_route(language).finditer(text)]
    found.sort()
    for (_, end, a), (start, _, b) in zip(found, found[1:]):
        if a != b and start >= end and is_choice(text[end:start], a, language):
            return True
    return False


@lru_cache(maxsize=None)
def emergency_route(language: str = "en") -> re.Pattern:
    return _rx(_data(language)["route"]["emergency"])


@lru_cache(maxsize=None)
def other_route(language: str = "en") -> re.Pattern:
    return _rx(_data(language)["route"]["not_emergency"])


@lru_cache(maxsize=None)
def warning_route(language: str = "en") -> re.Pattern:
    return _rx(_data(language)["warning_route"])


@lru_cache(maxsize=None)
def feels_different_rule(language: str = "en") -> re.Pattern:
    return _rx(_data(language)["feels_different_rule"])


def route_of(clause: str, at: int, language: str = "en") -> str | None:
    """Where a clause sends a sign found at offset ``at``: "emergency", "other" or None.

    The first route after the sign decides ("Sudden weakness: call 911, then tell the
    clinic" is the emergency line); with none after it, the nearest one before it
    ("Call us if your arm suddenly feels weak" is the clinic).
    """
    routes = [(m.start(), "emergency") for m in emergency_route(language).finditer(clause)]
    routes += [(m.start(), "other") for m in other_route(language).finditer(clause)]
    if not routes:
        return None
    routes.sort()
    after = [r for r in routes if r[0] >= at]
    if after:
        return after[0][1]
    return routes[-1][1]


def clauses(sentence: str) -> list[tuple[int, str]]:
    """(offset, clause): a sentence split at semicolons."""
    out, pos = [], 0
    for part in sentence.split(";"):
        out.append((pos, part))
        pos += len(part) + 1
    return out


# -- handout wording ---------------------------------------------------------------


@lru_cache(maxsize=None)
def wording(language: str = "en") -> dict:
    """The handout's red-flag wording: English in rules/data/red_flags.yaml (the rules and the
    library read it too), another language in its pack (lang/<code>/red_flags.yaml, the same
    keys, plus the patterns its own red flags are read with)."""
    if language == "en":
        return load_data("red_flags.yaml")
    from hep_mcp import lang

    return lang.part(language, "red_flags")


def condition_flags(condition: str, language: str = "en") -> list[dict]:
    """The condition's red flags as {urgency, text}, emergency first (stable)."""
    flags = list(wording(language)["conditions"].get(condition) or [])
    return sorted(flags, key=lambda f: URGENCIES.index(f["urgency"]))


@lru_cache(maxsize=None)
def _own_flag_patterns(language: str) -> tuple[re.Pattern, re.Pattern, tuple[re.Pattern, ...]]:
    """(emergency line, stop, neurological signs) for a therapist's own red flags in a pack's language."""
    own = wording(language)["own_flags"]
    return _rx(own["emergency"]), _rx(own["stop"]), tuple(_rx([p]) for p in own["neuro_signs"])


def urgency_of(text: str, language: str = "en") -> str:
    """A therapist's own red flag: emergency when it names the emergency line,
    stop when it says to stop, else today."""
    if language != "en":
        emergency, stop, _ = _own_flag_patterns(language)
        return "emergency" if emergency.search(text) else "stop" if stop.search(text) else "today"
    if emergency_route().search(text):
        return "emergency"
    if re.search(r"\bstop\b", text, re.I):
        return "stop"
    return "today"


def names_neuro_sign(texts: list[str], language: str = "en") -> bool:
    if language != "en":
        signs = list(_own_flag_patterns(language)[2])
    else:
        signs = [p for n, p in _universal_signs().items() if n in NEURO_UNIVERSAL] + [_condition_signs()[NEURO_SIGN]]
    return any(p.search(t) for t in texts for p in signs)


def feels_different_default(condition: str, own_flags: list[str], language: str = "en") -> str | None:
    """The condition's "something feels different" wording, or None for the model's default."""
    data = wording(language)
    if condition in (data.get("feels_different") or {}):
        return " ".join(data["feels_different"][condition].split())
    c = known().get(condition)
    neuro = (c is not None and NEURO_SIGN in c.emergency_signs) or names_neuro_sign(own_flags, language)
    if neuro:
        return " ".join(data["feels_different_neuro"].split())
    return None
