"""The outcome-measure catalog (``data/measures.yaml``): direction, units, range and MCID.

``identify(name)`` finds the catalog entry a therapist's measure name stands for, or
``None``; it never guesses (see the matching rules at the top of the data file).
``resolve(measure, index)`` gives a progress note's measure its direction and MCID: from
the therapist where given, else from the catalog, and raises an ``InputError`` naming the
field when the direction is unknown, contradicts the catalog, or a value cannot be right.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from hep_mcp.config import load_data
from hep_mcp.errors import InputError

DIRECTIONS = ("higher", "lower", "toward_zero")
DIRECTION_WORDS = {"higher": "higher is better", "lower": "lower is better", "toward_zero": "closer to 0 is better"}

_SYMBOLS = {"%": " percent ", "°": " degree ", "º": " degree ", "&": " and ", "#": " "}
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")


def _tokens(text: str, synonyms: dict[str, str]) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    for sym, word in _SYMBOLS.items():
        text = text.replace(sym, word)
    text = _DIGIT_LETTER.sub(" ", _NON_WORD.sub(" ", text))
    out = []
    for tok in text.split():
        if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(synonyms.get(tok, tok))
    return out


@dataclass(frozen=True)
class Unit:
    key: str
    factor: float | None  # to the entry's first unit; None: MCID and range do not apply
    direction: str | None  # overrides the entry's direction (speed vs time)


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    aliases: tuple[tuple[str, frozenset[str]], ...]
    words: frozenset[str]
    direction: str | None
    units: dict[str, Unit]
    unit_names: tuple[str, ...]
    low: float | None
    high: float | None
    mcid: float | None
    cite: str | None

    @property
    def base_unit(self) -> str:
        return self.unit_names[0]


@dataclass(frozen=True)
class Catalog:
    entries: tuple[Entry, ...]
    qualifiers: frozenset[str]
    synonyms: dict[str, str] = field(hash=False)
    unit_synonyms: dict[str, str] = field(hash=False)
    unit_filler: frozenset[str] = frozenset()

    def tokens(self, text: str) -> list[str]:
        return _tokens(text, self.synonyms)

    def unit_key(self, unit: str) -> str:
        toks = [self.unit_synonyms.get(t, t) for t in self.tokens(unit)]
        return " ".join(t for t in toks if t not in self.unit_filler)


def _unit_label(key: str) -> str:
    return {"meter second": "m/s", "foot second": "ft/s", "cm second": "cm/s", "10": "/10"}.get(key, key)


@functools.lru_cache(maxsize=1)
def catalog() -> Catalog:
    data = load_data("measures.yaml")
    synonyms = {str(k): str(v) for k, v in data["token_synonyms"].items()}
    base = Catalog((), frozenset(), synonyms, {str(k): str(v) for k, v in data["unit_synonyms"].items()}, frozenset(str(w) for w in data["unit_filler"]))
    qualifiers = frozenset(t for w in data["qualifiers"] for t in base.tokens(str(w)))
    entries = []
    for raw in data["measures"]:
        aliases = tuple((str(a), frozenset(base.tokens(str(a)))) for a in raw["aliases"])
        words = frozenset(t for _, toks in aliases for t in toks) | frozenset(
            t for w in raw.get("words", []) for t in base.tokens(str(w))
        )
        units: dict[str, Unit] = {}
        for key, spec in raw["units"].items():
            ukey = base.unit_key(str(key))
            if isinstance(spec, dict):
                units[ukey] = Unit(ukey, spec.get("factor"), spec.get("direction"))
            else:
                units[ukey] = Unit(ukey, float(spec), None)
        low, high = raw.get("range", [None, None])
        mcid = raw.get("mcid") or {}
        entries.append(
            Entry(
                id=raw["id"],
                name=raw["name"],
                aliases=aliases,
                words=words,
                direction=raw.get("direction"),
                units=units,
                unit_names=tuple(units),
                low=low,
                high=high,
                mcid=mcid.get("value"),
                cite=mcid.get("cite"),
            )
        )
    return Catalog(tuple(entries), qualifiers, base.synonyms, base.unit_synonyms, base.unit_filler)


def identify(name: str) -> Entry | None:
    """The catalog entry a measure name stands for, or None when nothing (or more than one) fits."""
    cat = catalog()
    toks = cat.tokens(name)
    if not toks:
        return None
    have = set(toks)
    best: list[tuple[int, int, Entry]] = []
    for entry in cat.entries:
        for alias, alias_toks in entry.aliases:
            if not alias_toks <= have:
                continue
            rest = have - alias_toks
            if all(t in cat.qualifiers or t in entry.words for t in rest):
                best.append((len(alias_toks), len(alias), entry))
    if not best:
        return None
    top = max(n for n, _, _ in best)
    winners = {e.id: e for n, _, e in best if n == top}
    if len(winners) != 1:
        return None
    return next(iter(winners.values()))


def unit_of(entry: Entry, unit: str | None) -> Unit | None | bool:
    """The entry's unit for the therapist's unit; None when no unit was given; False when it is not one of the entry's."""
    if unit is None or not unit.strip():
        return None
    key = catalog().unit_key(unit)
    return entry.units.get(key, False)


@dataclass(frozen=True)
class Resolved:
    """A measure's direction and MCID, and where each came from."""

    direction: str
    mcid: float | None
    mcid_from: str | None  # "therapist" | "catalog" | None
    cite: str | None
    no_mcid: str | None  # why there is none: "none known", "unit not given"
    entry: Entry | None

    def gain(self, before: float, after: float) -> float:
        """The improvement from before to after (negative: a decline)."""
        if self.direction == "higher":
            return after - before
        if self.direction == "lower":
            return before - after
        return abs(before) - abs(after)

    @property
    def direction_words(self) -> str:
        return DIRECTION_WORDS[self.direction]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value) == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


def resolve(m, index: int, source: str = "note") -> Resolved:
    """Direction and MCID for measure ``m`` (a ``hep_mcp.model.note.Measure``) at ``measures[index]``."""
    where = f"{source}: measures.{index}"
    entry = identify(m.name)
    unit = unit_of(entry, m.unit) if entry else None
    if entry is not None and unit is False:
        if m.higher_is_better is None:
            raise InputError(
                f"{where}.higher_is_better: {m.name!r} reads as {entry.name}, but unit {m.unit!r} is not one of its units "
                f"({', '.join(_unit_label(u) for u in entry.unit_names)}); use one of them, or say whether higher or lower "
                "is better (higher_is_better: true or false)"
            )
        entry = None  # a different test that shares the name (e.g. knee extension strength in lb)
    if entry is None:
        if m.higher_is_better is None:
            raise InputError(
                f"{where}.higher_is_better: {m.name!r} is not in the measure catalog; say whether higher or lower is better "
                "(higher_is_better: true or false)"
            )
        direction = "higher" if m.higher_is_better else "lower"
        return Resolved(direction, m.mcid, "therapist" if m.mcid else None, None, None if m.mcid else "none known", None)

    direction = (unit.direction if unit else None) or entry.direction
    if direction is None:  # the unit decides and none was given
        if m.higher_is_better is None:
            ways = "; ".join(f"{_unit_label(u.key)}: {DIRECTION_WORDS[u.direction]}" for u in entry.units.values())
            raise InputError(f"{where}.unit: {entry.name} is reported two ways ({ways}); give the unit, or higher_is_better")
        direction = "higher" if m.higher_is_better else "lower"
    elif m.higher_is_better is not None:
        _check_agrees(m, entry, direction, where)

    _check_range(m, entry, unit, where)

    if m.mcid is not None:
        return Resolved(direction, m.mcid, "therapist", None, None, entry)
    if entry.mcid is None:
        return Resolved(direction, None, None, None, "none known", entry)
    if unit is None and len({u.factor for u in entry.units.values()}) > 1:
        return Resolved(direction, None, None, None, "unit not given", entry)
    factor = unit.factor if unit else 1.0
    if factor is None:
        return Resolved(direction, None, None, None, "none known in this unit", entry)
    return Resolved(direction, round(entry.mcid / factor, 2), "catalog", entry.cite, None, entry)


def _check_agrees(m, entry: Entry, direction: str, where: str) -> None:
    given = "higher" if m.higher_is_better else "lower"
    values = [v for v in (m.baseline, m.previous, m.current) if v is not None]
    if direction == "toward_zero":
        fits = max(values) <= 0 if given == "higher" else min(values) >= 0
        if fits:
            return
        raise InputError(
            f"{where}.higher_is_better: {str(m.higher_is_better).lower()} does not fit {entry.name}: it is read as the "
            "distance from full extension (0 degrees), closer to 0 is better, whichever sign the clinic writes; "
            "leave higher_is_better out"
        )
    if given != direction:
        raise InputError(
            f"{where}.higher_is_better: {str(m.higher_is_better).lower()} contradicts the measure catalog: {m.name!r} "
            f"reads as {entry.name}, where {DIRECTION_WORDS[direction]}; leave higher_is_better out, or rename the "
            "measure if it is a different test"
        )


def _check_range(m, entry: Entry, unit: Unit | None, where: str) -> None:
    if entry.low is None and entry.high is None:
        return
    factors = {u.factor for u in entry.units.values()}
    factor = unit.factor if unit else (factors.pop() if len(factors) == 1 else None)
    if factor is None:
        return
    for name in ("baseline", "previous", "current"):
        value = getattr(m, name)
        if value is None:
            continue
        base = value * factor
        if (entry.low is not None and base < entry.low - 1e-9) or (entry.high is not None and base > entry.high + 1e-9):
            lo = "" if entry.low is None else _fmt(entry.low / factor)
            hi = "" if entry.high is None else _fmt(entry.high / factor)
            span = f"{lo} to {hi}" if lo and hi else (f"at least {lo}" if lo else f"at most {hi}")
            label = _unit_label(unit.key) if unit else _unit_label(entry.base_unit)
            raise InputError(
                f"{where}.{name}: {_fmt(value)} is outside the range of {entry.name} ({span} {label}); check the value "
                "and unit, or rename the measure if it is a different test"
            )


__all__ = ["DIRECTIONS", "DIRECTION_WORDS", "Entry", "Resolved", "catalog", "identify", "resolve", "unit_of"]
