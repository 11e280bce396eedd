"""The rule engine: a catalog of rules (data) and their checks (code), run on a draft.

A rule's ID, element, default severity, description, message, suggestion and
its passing and failing examples live in a YAML catalog; its logic is a small
function registered under the same ID. The engine runs the checks, fills the
messages, applies the clinic's severity overrides and decides ``ready``.
"""

from __future__ import annotations

import bisect
import heapq
from array import array
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable, Iterable, Iterator

from hep_mcp.config import Config, default_config, load_data
from hep_mcp.errors import EXCERPT, InputError, excerpt
from hep_mcp.model import ELEMENTS, Finding, Readability, Report
from hep_mcp.rules.parse import Draft, Line, Lines, parse, plain, sentences
from hep_mcp.textio import visible

CATALOG_SUFFIX = "_rules.yaml"  # every rules/data/*_rules.yaml is a catalog; its top-level `kind:` says hep or note


@dataclass(frozen=True)
class RuleSpec:
    id: str
    name: str
    kind: str
    element: str
    severity: str
    description: str
    message: str
    suggestion: str | None
    examples: dict

    def as_dict(self) -> dict:
        ex = self.examples
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "element": self.element,
            "severity": self.severity,
            "description": self.description,
            "message": self.message,
            "suggestion": self.suggestion,
            "examples": {"pass": ex.get("pass"), "fail": ex.get("fail")},
        }


@dataclass
class Hit:
    """What a check returns: where, and the values its message needs."""

    line: int | None = None
    params: dict = field(default_factory=dict)


def hit(line: int | None = None, **params) -> Hit:
    return Hit(line, params)


CheckFn = Callable[["Context"], Iterable[Hit]]
_CHECKS: dict[str, CheckFn] = {}


def rule(rule_id: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if rule_id in _CHECKS:
            raise RuntimeError(f"rule {rule_id} registered twice")
        _CHECKS[rule_id] = fn
        return fn

    return register


def _load_checks() -> None:
    # Importing the rule modules registers their checks.
    import importlib
    import pkgutil

    import hep_mcp.rules as pkg

    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        if mod not in ("engine", "parse"):
            importlib.import_module(f"hep_mcp.rules.{mod}")


@lru_cache(maxsize=1)
def catalog() -> dict[str, RuleSpec]:
    """Every rule, by ID, in catalog order."""
    _load_checks()
    specs: dict[str, RuleSpec] = {}
    from importlib import resources

    files = sorted(
        f.name for f in resources.files("hep_mcp.rules").joinpath("data").iterdir() if f.name.endswith(CATALOG_SUFFIX)
    )
    for fname in files:
        doc = load_data(fname)
        kind = doc["kind"]
        for rid, raw in doc["rules"].items():
            if rid in specs:
                raise RuntimeError(f"{fname}: rule {rid} is already defined")
            if raw["element"] not in ELEMENTS:
                raise RuntimeError(f"{fname}: {rid}: unknown element {raw['element']!r}")
            specs[rid] = RuleSpec(
                id=rid,
                name=raw["name"],
                kind=kind,
                element=raw["element"],
                severity=raw["severity"],
                description=raw["description"],
                message=raw["message"],
                suggestion=raw.get("suggestion"),
                examples=raw.get("examples") or {},
            )
    return specs


def rules_for(kind: str) -> list[RuleSpec]:
    return [s for s in catalog().values() if s.kind == kind]


def check_fn(rule_id: str) -> CheckFn | None:
    catalog()
    return _CHECKS.get(rule_id)


class Context:
    """What a check sees: the parsed draft, the config and what is known about the case."""

    def __init__(
        self,
        draft: Draft,
        config: Config,
        kind: str,
        condition: str | None = None,
        extra: dict | None = None,
        language: str = "en",
    ):
        self.draft = draft
        self.config = config
        self.kind = kind
        self.condition = condition
        self.language = language  # which pack's cue lists and word tables the checks read
        # A copy per run: rules cache per-draft work here, which must never reach another run.
        self.extra = dict(extra or {})

    # -- cue helpers --------------------------------------------------------
    def cue(self, name: str) -> list[re.Pattern]:
        return _compiled_cue(name, self.language)

    def rx(self, name_or_patterns) -> Cue:
        """One combined cue for a cue name or a list of compiled patterns."""
        if isinstance(name_or_patterns, str):
            return _combined_cue(name_or_patterns, self.language)
        return _combine(tuple(p if isinstance(p, str) else p.pattern for p in name_or_patterns))

    def any_of(self, patterns) -> "AnyCue":
        """A test of whether any of the patterns matches a text (``bool(self.rx(patterns).search(text))``)."""
        return _any_cue(tuple(p if isinstance(p, str) else p.pattern for p in patterns))

    def cue_source(self, name: str) -> list[str]:
        """A cue's patterns as written (not compiled), to combine with others in ``rx``."""
        return _cue_patterns(name, self.language)

    @cached_property
    def lowered(self) -> tuple[str, str]:
        """The draft and its plain body, lower-cased (two strings, not one joined copy: a
        literal or a word never spans the two)."""
        return self.lower(self.draft.text), self.lower(self.draft.body_plain)

    def has(self, literal: str) -> bool:
        """Whether ``literal`` (lower case) occurs in the draft or its plain body."""
        return any(literal in t for t in self.lowered)

    @cached_property
    def _body_index(self):
        return _index(self.draft.body, lambda ln: ln.text)

    @cached_property
    def _sentence_index(self):
        # the joined sentences are the draft's body_plain: one copy of it (and of its lower case)
        # shared with the rules that scan body_plain
        return _index(self.draft.body_sentences, lambda pair: pair[1], self.draft.body_plain, self.lower)

    def lower(self, text: str) -> str:
        """``text.lower()``, made once per text and draft: the same few texts (the draft, its
        body) are lower-cased for many cues."""
        lowers = self.__dict__.setdefault("_lowered_texts", {})
        lowered = lowers.get(text)
        if lowered is None:
            lowered = lowers[text] = text.lower()
        return lowered

    def matches(self, name_or_patterns, lines: Iterable[Line] | None = None) -> Iterator[tuple[Line, re.Match]]:
        """The first match on each line (default: the body) of any of the cue's patterns."""
        rx = self.rx(name_or_patterns)
        if not self._possible(rx):
            return
        if lines is None:  # the body, sentence by sentence (a sentence may run over lines)
            text, starts, pairs, lowered = self._sentence_index
            for i, m in _first_per_item(rx, text, starts, lowered):
                yield pairs[i][0], m
            return
        text, starts, items, lowered = self._lines_index(lines)
        for i, m in _first_per_item(rx, text, starts, lowered):
            yield items[i], m

    def _possible(self, rx: "Cue") -> bool:
        # once per cue and draft: a rule that asks per exercise must not re-scan the whole draft each time
        cache = self.__dict__.setdefault("_possible_cache", {})
        if rx.pattern not in cache:
            cache[rx.pattern] = any(rx.possible(t) for t in self.lowered)
        return cache[rx.pattern]

    def _lines_index(self, lines: Iterable[Line]):
        if isinstance(lines, Lines) and lines._made is None:  # a long draft: no Line object per line held
            key = ("lines", id(lines))
            cache = self.__dict__.setdefault("_line_indexes", {})
            if key not in cache:
                cache[key] = _index(_NonBlank(lines), lambda ln: ln.text)
            return cache[key]
        lines = [ln for ln in lines if ln.text.strip()]  # a blank line matches no cue
        key = tuple(ln.no for ln in lines)
        cache = self.__dict__.setdefault("_line_indexes", {})
        if key not in cache:
            cache[key] = _index(lines, lambda ln: ln.text)
        return cache[key]

    def first(self, name_or_patterns, lines: Iterable[Line] | None = None) -> tuple[Line, re.Match] | None:
        return next(self.matches(name_or_patterns, lines), None)

    def sentence_hits(self, name_or_patterns) -> Iterator[tuple[Line, str, re.Match]]:
        """(line, sentence, match) for each body sentence matching the cue."""
        rx = self.rx(name_or_patterns)
        if not self._possible(rx):
            return
        text, starts, pairs, lowered = self._sentence_index
        for i, m in _first_per_item(rx, text, starts, lowered):
            yield pairs[i][0], pairs[i][1], m

    @cached_property
    def prose_sentences(self) -> list[str]:
        return prose_sentences(self.draft)

    @cached_property
    def readability(self) -> Readability | None:
        prose = self.prose_sentences
        if not prose:
            return None
        from hep_mcp import lang, readability

        if lang.info(self.language)["readability"] == "spanish":
            fh, sp = readability.spanish_scores(" ".join(prose))
            return Readability(fernandez_huerta=fh, szigriszt_pazos=sp, inflesz=readability.band(sp))
        fk, smog = readability.scores(" ".join(prose))
        return Readability(fk_grade=fk, smog=smog)

    @cached_property
    def channel_pattern(self) -> re.Pattern:
        clinic = self.config.clinic
        named = [clinic.portal_name, clinic.app_name, clinic.text_line, clinic.name, clinic.phone, clinic.after_hours_phone, clinic.email]
        own = _language_channels(self.language)
        names = sorted({c.strip() for c in [*self.config.official_channels, *own, *(n for n in named if n)] if c.strip()}, key=len, reverse=True)
        if not names:
            return re.compile(r"(?!x)x")
        return re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.I)


def _language_channels(language: str) -> tuple[str, ...]:
    """How a draft in this language names the official channels (English: the config's own list)."""
    if language == "en":
        return ()
    from hep_mcp import lang

    if "channels" not in lang.parts(language):
        return ()
    return tuple(lang.part(language, "channels")["official_channels"])


class _NonBlank:
    """The non-blank lines of a long draft's ``Lines``, as a sequence; each ``Line`` is made
    when read (4 bytes a line held, not a ``Line`` object and its number)."""

    __slots__ = ("_lines", "_at")

    def __init__(self, lines: Lines):
        self._lines = lines
        self._at = array("i", (i for i, t in enumerate(lines._raw) if t.strip()))

    def __len__(self) -> int:
        return len(self._at)

    def __getitem__(self, i: int) -> Line:
        return self._lines[self._at[i]]

    def __iter__(self):
        for i in self._at:
            yield self._lines[i]


def _index(items: list, text_of, joined: str | None = None, lower=str.lower):
    """Items joined by newlines, each item's start offset and the word index (one pass per cue).
    ``joined``: the items' texts already joined by newlines (not joined again)."""
    starts, pos, parts = array("I"), 0, []  # 4 bytes an item (offsets of a text under 4 GB), not a list of int objects
    for item in items:
        t = text_of(item)
        starts.append(pos)
        if joined is None:
            parts.append(t)
        pos += len(t) + 1
    text = "\n".join(parts) if joined is None else joined
    lowered = lower(text)
    # offsets must line up (a few characters change length when lower-cased)
    return text, starts, items, (lowered if len(lowered) == len(text) else None)


def _first_per_item(rx: "Cue", text: str, starts: list[int], lowered: str | None = None) -> Iterator[tuple[int, re.Match]]:
    """(item index, match) for the first match in each item; a match never spans two items."""
    n = len(starts)

    def bounded(i: int, m: re.Match) -> re.Match | None:
        end = starts[i + 1] - 1 if i + 1 < n else len(text)
        if m.end() <= end:
            return m
        return rx.rx.search(text[:end], m.start()) if m.start() < end else None

    cands = rx.candidates(lowered) if lowered is not None else None
    if cands is not None:
        if not cands:
            return
        done, skip_to = -1, -1  # skip_to: where the item after the last one matched starts
        match, where = rx.rx.match, bisect.bisect_right
        for pos in cands:
            if pos < skip_to:
                continue
            i = where(starts, pos) - 1
            if i == done:
                continue
            m = match(text, pos)
            if m is not None:
                end = starts[i + 1] - 1 if i + 1 < n else len(text)
                m = m if m.end() <= end else match(text[:end], pos)
                if m is not None:
                    done = i
                    skip_to = starts[i + 1] if i + 1 < n else len(text) + 1
                    yield i, m
        return
    pos = 0
    while pos <= len(text):
        m = rx.rx.search(text, pos)
        if m is None:
            return
        i = bisect.bisect_right(starts, m.start()) - 1
        m = bounded(i, m)
        if m is not None:
            yield i, m
        pos = (starts[i + 1] if i + 1 < n else len(text) + 1)


@lru_cache(maxsize=None)
def cue_data(language: str = "en") -> dict:
    """The cue lists of a language: English in rules/data/cues.yaml, any other language in
    its pack (lang/<code>/cues.yaml, the same keys)."""
    return lang_data(language, "cues")


@lru_cache(maxsize=None)
def lang_data(language: str, name: str):
    """A language's word data file: English from rules/data/<name>.yaml, any other
    language from its pack, lang/<code>/<name>.yaml (the same keys)."""
    from hep_mcp import lang

    return lang.data(language, name)


def _cue_patterns(name: str, language: str = "en") -> list[str]:
    node = cue_data(language)
    for part in name.split("."):
        node = node[part]
    return list(node)


@lru_cache(maxsize=None)
def _compiled_cue(name: str, language: str = "en") -> list[re.Pattern]:
    return [re.compile(p, re.I | re.M) for p in _cue_patterns(name, language)]


@lru_cache(maxsize=None)
def _combined_cue(name: str, language: str = "en") -> "Cue":
    return _combine(tuple(_cue_patterns(name, language)))


class Cue:
    """A combined, case-insensitive pattern that avoids scanning the whole text.

    Regular expressions that start with ``\\b`` cannot use the regex engine's fast
    literal scan, so a plain search walks every position of the text. But a cue
    whose every pattern starts with ``\\b`` and a literal (``no pain``,
    ``guarantee``, ``(after|before)``...) can only match where one of those
    literals begins a word. Those offsets are found with ``str.find`` on the
    lower-cased text and the pattern is tried there only. A pattern whose start
    is not such a literal makes the cue fall back to an ordinary search, so the
    shortcut never hides a match (a test compares both ways on every fixture).
    """

    __slots__ = ("_rx", "_flags", "_words", "literals", "pattern")

    def __init__(self, patterns: tuple[str, ...], flags: int = re.I | re.M):
        self.pattern = "|".join(f"(?:{p})" for p in patterns) if patterns else r"(?!x)x"
        self._rx: re.Pattern | None = None
        self._words: tuple[str, ...] | None = None  # the literals candidates() looks up one by one
        self._flags = flags
        lits: list[str] | None = []
        for p in patterns:
            found = _literal_prefixes(p)
            if not found:
                lits = None
                break
            lits.extend(found)
        self.literals = tuple(sorted(set(lits))) if lits else None

    @property
    def rx(self) -> re.Pattern:
        """The combined pattern, compiled when first used: a cue whose literals a draft
        never contains is never compiled (most of a cold check's time is compiling)."""
        rx = self._rx
        if rx is None:
            rx = self._rx = re.compile(self.pattern, self._flags)
        return rx

    def possible(self, lowered: str) -> bool:
        return self.literals is None or any(lit in lowered for lit in self.literals)

    def search(self, text: str):
        """``self.rx.search(text)``, the same match, but tried only where a leading literal
        starts a word (a plain search tries every position against every pattern)."""
        if self.literals is None:
            return self.rx.search(text)
        lowered = text.lower()
        if len(lowered) != len(text) or _FOLDED in text or _LONG_S in text:
            return self.rx.search(text)
        rx = self.rx
        for pos in self.candidates(lowered):
            m = rx.match(text, pos)
            if m is not None:
                return m
        return None

    def find(self, text: str, lowered: str | None = None):
        """The first match in the text, trying only where a literal starts a word."""
        lowered = text.lower() if lowered is None else lowered
        if len(lowered) != len(text):
            return self.rx.search(text)
        return next((m for _, m in _first_per_item(self, text, [0], lowered)), None)

    def candidates(self, lowered: str) -> Iterator[int] | None:
        """Offsets where a match may start (word starts of a literal), ascending and once
        each, or None for any. For a long text they are made as they are read, from one
        ascending run per literal: a literal on every line of a long draft costs no list or
        set of its offsets."""
        if self.literals is None:
            return None
        lits = self._words
        if lits is None:
            lits = self._words = _word_literals(self.literals)
        if len(lowered) > _MERGE_ABOVE:  # a long text: offsets made as they are read
            return _merged_starts(lits, "0" in self.literals, lowered)
        out: set[int] = set()
        if "0" in self.literals:  # all ten digits: one pass over the runs of digits
            out.update(m.start() for m in _DIGIT_RUN.finditer(lowered))
        find, add = lowered.find, out.add
        for lit in lits:
            pos = find(lit)
            while pos >= 0:
                if pos == 0 or not ((c := lowered[pos - 1]).isalnum() or c == "_"):
                    add(pos)
                pos = find(lit, pos + 1)
        return sorted(out)


def _literal_starts(lit: str, lowered: str) -> Iterator[int]:
    pos = lowered.find(lit)
    while pos >= 0:
        if pos == 0 or not (lowered[pos - 1].isalnum() or lowered[pos - 1] == "_"):
            yield pos
        pos = lowered.find(lit, pos + 1)


def _merged_starts(lits: tuple[str, ...], digits: bool, lowered: str) -> Iterator[int]:
    """``Cue.candidates`` for a long text: the same offsets, merged from one ascending run
    per literal (and one for the digits), so none is held in a list or a set."""
    runs = []
    if digits:  # all ten digits: one pass over the runs of digits
        runs.append(m.start() for m in _DIGIT_RUN.finditer(lowered))
    runs.extend(_literal_starts(lit, lowered) for lit in lits)
    last = -1
    for pos in (runs[0] if len(runs) == 1 else heapq.merge(*runs)):
        if pos != last:
            last = pos
            yield pos


# Texts longer than this get their candidate offsets one by one (memory), shorter ones as a list (speed).
_MERGE_ABOVE = 50_000
_META = set("\\.()[]{}?*+|^$")
# A case-insensitive pattern matches these for "i" and "s", but str.lower() keeps them: where
# one is in the text, a literal looked up in the lower-cased text could be missed.
_FOLDED, _LONG_S = "\u0131", "\u017f"


_DIGITS = list("0123456789")


def _word_literals(literals: tuple[str, ...]) -> tuple[str, ...]:
    """The literals to find one by one: with "0" among them (all ten digits), not the digits."""
    return tuple(lit for lit in literals if lit not in _DIGITS) if "0" in literals else literals
_DIGIT_RUN = re.compile(r"(?<![\w])\d")


def _literal_prefixes(pattern: str) -> list[str] | None:
    """Lower-case literals, one of which starts every match (right after a word
    boundary), or None when the pattern does not start that way."""
    if _top_level_alternation(pattern) or not pattern.startswith("\\b"):
        return None
    return _prefixes(pattern[2:])


def _prefixes(p: str) -> list[str] | None:
    if p.startswith("\\d"):
        return _DIGITS
    if p.startswith("("):
        start = 3 if p.startswith("(?:") else 1
        if p[start : start + 1] == "?":  # lookarounds, flags, named groups
            return None
        end = _closing(p, 0)
        if end is None or p[end + 1 : end + 2] in ("*", "{"):
            return None
        rest: list[str] = []
        if p[end + 1 : end + 2] == "?":  # an optional group: a match starts with it or with what follows
            if p[end + 2 : end + 3] in ("?", "+"):
                return None
            rest = _prefixes(p[end + 2 :]) or []
            if not rest:
                return None
        out: list[str] = []
        for alt in _split_alternatives(p[start:end]):
            found = _prefixes(alt)
            if not found:
                return None
            out.extend(found)
        return out + rest
    run = ""
    runs = None
    for i, ch in enumerate(p):
        if ch in _META:
            if ch == "?" and len(run) > 1:
                # an optional character ("e-?mail"): a match starts with the run with it or
                # without it, each followed by the literal text after it -- two long literals
                # instead of the short, common one before it ("e")
                tail = _literal_run(p[i + 1 :])
                if tail:
                    runs = [run + tail, run[:-1] + tail]
            if ch in "?*{" and run:
                run = run[:-1]
            break
        run += ch
    out = []
    for r in runs or [run]:
        r = r.lower()
        if not r or not r[0].isalnum() or not re.fullmatch(r"[a-z0-9áéíóúüñ' ,/%-]+", r):
            return None
        out.append(r)
    return out


def _literal_run(p: str) -> str:
    """The plain characters a pattern starts with (none optional)."""
    run = ""
    for ch in p:
        if ch in _META:
            if ch in "?*{" and run:
                run = run[:-1]
            break
        run += ch
    return run


def _closing(p: str, open_at: int) -> int | None:
    depth, i, in_class = 0, open_at, False
    while i < len(p):
        ch = p[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _split_alternatives(body: str) -> list[str]:
    parts, depth, i, in_class, last = [], 0, 0, False, 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(body[last:i])
            last = i + 1
        i += 1
    parts.append(body[last:])
    return parts


def _top_level_alternation(pattern: str) -> bool:
    return len(_split_alternatives(pattern)) > 1


@lru_cache(maxsize=256)
def _combine(patterns: tuple[str, ...], flags: int = re.I | re.M) -> Cue:
    """One combined cue (flags: case-insensitive and multi-line unless told; the literal
    shortcut needs re.I)."""
    return Cue(patterns, flags)


class AnyCue:
    """Whether any of some patterns matches a text: the same answer as one search of their
    combined cue, but the patterns led by a literal are searched apart from the others, so
    one pattern without a literal does not make the whole cue try every position."""

    __slots__ = ("_led", "_rest")

    def __init__(self, patterns: tuple[str, ...]):
        led = tuple(p for p in patterns if _literal_prefixes(p))
        rest = tuple(p for p in patterns if p not in led)
        self._led = _combine(led) if led else None
        self._rest = _combine(rest) if rest else None

    def __call__(self, text: str) -> bool:
        if self._led is not None and self._led.search(text) is not None:
            return True
        return self._rest is not None and self._rest.rx.search(text) is not None


@lru_cache(maxsize=256)
def _any_cue(patterns: tuple[str, ...]) -> AnyCue:
    return AnyCue(patterns)


TERMINAL = re.compile(r"[.!?][\"')\]]*\s*$")
_ITEM_START = re.compile(r"[-*+•]|\d{1,2}[.)]\s")
_RULE_CHARS = "-=*_#| "  # a line of only these is a rule or a table border


def prose_sentences(draft: Draft) -> list[str]:
    """Full sentences in running text: headings, tables and label-only lines are left out."""
    heading_lines = {no for no, _, _ in draft.headings}
    out: list[str] = []
    para: list[str] = []
    language = getattr(draft, "language", "en")

    def flush():
        if para:
            for s in sentences(" ".join(para), language):
                if len(s.split()) >= 3 and TERMINAL.search(s):
                    out.append(s.strip())
            para.clear()

    for ln in draft.lines:
        t = ln.text.strip()
        if not t or ln.no in heading_lines or t.startswith("|") or not t.strip(_RULE_CHARS):
            flush()
            continue
        p = plain(t)
        if _ITEM_START.match(t):  # t is stripped
            flush()
        para.append(p)
        if TERMINAL.search(p) is None and len(p.split()) < 4:
            flush()
    flush()
    return out


def validate_config(config: Config, source: str = "config") -> None:
    """Severity overrides and disabled rules must name real rule IDs."""
    known = catalog()
    for rid in list(config.severity) + list(config.disable):
        if rid not in known:
            raise InputError(f"{source}: unknown rule ID {rid!r} (see `hep-mcp rules`)")


def run(
    text: str,
    kind: str = "hep",
    config: Config | None = None,
    condition: str | None = None,
    only: Iterable[str] | None = None,
    extra: dict | None = None,
    language: str | None = None,
) -> Report:
    """Check one draft. Never raises for any text; bad config or language raises InputError.
    ``language``: None (or "auto") detects it from the text; "en" or "es" forces it."""
    from hep_mcp.lang.detect import resolve

    config = config or default_config()
    validate_config(config)
    seen = visible(text)  # what a reader sees: invisible characters cannot hide words
    language = resolve(seen, language)
    draft = parse(seen, language)
    ctx = Context(draft, config, kind, condition, extra, language)
    selected = set(only) if only is not None else None
    findings: list[Finding] = []
    gate = _gate(ctx) if selected is None else None
    for spec in rules_for(kind):
        if selected is not None and spec.id not in selected:
            continue
        if spec.id in config.disable:
            continue
        if gate is not None and spec.element not in gate and spec.id not in gate:
            continue
        fn = _CHECKS.get(spec.id)
        if fn is None:
            continue
        for h in fn(ctx) or ():
            findings.append(_finding(spec, h, config))
    findings = _collapse(findings)
    findings.sort(key=lambda f: (f.line or 0, f.rule, f.message))
    readability = ctx.readability if kind == "hep" else None
    return Report(
        kind=kind,
        language=language,
        ready=not any(f.severity == "error" for f in findings),
        readability=readability,
        findings=findings,
    )


def _collapse(findings: list[Finding]) -> list[Finding]:
    """The same finding on many lines is reported once, at its first line, with the others listed."""
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.rule, f.message, f.suggestion), []).append(f)
    out = []
    for group in groups.values():
        lines = sorted({f.line for f in group if f.line})
        first = min(group, key=lambda f: f.line or 0)
        if len(lines) > 1:
            shown = ", ".join(map(str, lines[1:11])) + (", …" if len(lines) > 11 else "")
            first = first.model_copy(update={"line": lines[0], "message": f"{first.message} (also line {shown})"})
        out.append(first)
    return out


def _gate(ctx: Context) -> set[str] | None:
    """Empty or off-topic text: only say that (plus privacy and safety), not every missing element."""
    if not ctx.draft.text or ctx.draft.text.isspace():  # (strip() would copy a long text)
        return {"FM001", "NF001"}
    if ctx.kind == "hep" and ctx.first("topic") is None:
        return {"format", "privacy", "safety"}
    return None


def _finding(spec: RuleSpec, h: Hit, config: Config) -> Finding:
    params = _bounded(h.params)
    return Finding(
        rule=spec.id,
        element=spec.element,
        severity=config.severity.get(spec.id, spec.severity),
        message=spec.message.format(**params),
        line=h.line,
        suggestion=spec.suggestion.format(**params) if spec.suggestion else None,
    )


def _bounded(params: dict) -> dict:
    """Text a finding quotes from the draft: short and escaped (hep_mcp.errors.excerpt),
    so a reply grows with the number of findings, never with the input."""
    return {k: excerpt(v, EXCERPT if k in _QUOTES else 4 * EXCERPT) if isinstance(v, str) else v for k, v in params.items()}


_QUOTES = {"name", "text", "term", "word", "phrase", "goal", "found", "figure", "what"}
