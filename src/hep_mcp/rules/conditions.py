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


@dataclass(frozen=True)
class RedFlag:
    flag: str
    urgency: str
    pattern: re.Pattern
    parts: tuple[re.Pattern, ...] = ()  # the patterns one by one (for the engine's fast scan)
    # False: a secondary sign the handout prints from the library, but a draft is not
    # refused for leaving it out (RR007 asks only for the required ones)
    required: bool = True


@dataclass(frozen=True)
class ConditionCues:
    key: str
    label: str
    detect: re.Pattern
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
                f["flag"], f["urgency"], _rx(f["patterns"]), tuple(re.compile(p, re.I) for p in f["patterns"]),
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
        out[key] = ConditionCues(key, raw["label"], _rx(raw["detect"]), flags, signs, tuple(raw.get("unless") or ()))
    return out


def label(condition: str) -> str:
    c = known().get(condition)
    return c.label if c else condition.replace("_", " ")


def detect(text: str, language: str = "en") -> list[str]:
    """The conditions a free-text draft names, in catalog order. A condition another
    one covers is left out when both are named (shoulder pain in a rotator cuff repair
    handout, arthritis in a knee replacement handout)."""
    cues = known(language)
    found = [key for key, c in cues.items() if c.detect.search(text)]
    return [key for key in found if not set(cues[key].unless) & set(found)]


@lru_cache(maxsize=None)
def _universal_signs(language: str = "en") -> dict[str, re.Pattern]:
    return {name: _rx(p) for name, p in _data(language)["emergency_signs"].items()}


@lru_cache(maxsize=None)
def _condition_signs(language: str = "en") -> dict[str, re.Pattern]:
    return {name: _rx(p) for name, p in _data(language)["condition_signs"].items()}


@lru_cache(maxsize=None)
def route_parts(language: str = "en") -> tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    """The emergency and the other route patterns one by one."""
    r = _data(language)["route"]
    return tuple(re.compile(p, re.I) for p in r["emergency"]), tuple(re.compile(p, re.I) for p in r["not_emergency"])


@lru_cache(maxsize=64)
def sign_parts(conditions: tuple[str, ...], language: str = "en") -> tuple[re.Pattern, ...]:
    """Every emergency-sign pattern for these conditions, one by one."""
    names = {name for name, _ in signs_for(list(conditions), language)}
    data = {**_data(language)["emergency_signs"], **_data(language)["condition_signs"]}
    return tuple(re.compile(p, re.I) for name in data if name in names for p in data[name])


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
