"""Free-text drafts (Markdown or plain, with or without headings) into elements.

The parser never fails: it finds what it can and keeps 1-based line numbers so
findings point at the right line (CRLF and CR are normalised first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from hep_mcp.config import load_data

HEADING_MD = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]++(.*)$")
HEADING_BOLD = re.compile(r"^[ \t]*(?:\*\*|__)([^*_]{1,60})(?:\*\*|__)[ \t]*+:?[ \t]*+$")
HEADING_COLON = re.compile(r"^[ \t]*([A-Z][^.!?:]{0,40}):[ \t]*+$")
NUMBERED = re.compile(r"^([ \t]*)(?:\d{1,2}[.)]|\(\d{1,2}\)|exercise[ \t]+\d{1,2}[ \t]*+[:.)-])[ \t]++(.*)$", re.I)
BULLET = re.compile(r"^([ \t]*)[-*+•][ \t]++(.*)$")
TABLE = re.compile(r"^[ \t]*\|")
LABEL = re.compile(
    r"^[ \t]*+(?:[-*+•][ \t]++)?(?:\*\*|__)?(how much|how many|dose|dosage|amount|reps|sets|repetitions|do|when|where|trigger|frequency|hold|sets/reps)(?:\*\*|__)?[ \t]*+:(?:\*\*|__)?",
    re.I,
)
NAME_SPLIT = re.compile(r"^(?:\*\*|__)([^*_]{1,80})(?:\*\*|__)[ \t]*+[:.\-–—]?[ \t]*+(.*)$|^([^:.!?]{1,60}?)[ \t]*+(?::|[ \t][-–—][ \t])[ \t]*+(.*)$")
LINK = re.compile(r"!?\[([^\]\[\n]*)\]\([^()\n]*\)")  # no nesting: a run of [ or ( is passed once
MD_INLINE = re.compile(r"(\*\*|__|\*|_|`)")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*+\s++(?=[\"'(\[]?[A-Z0-9])")

SECTION_KEYS = ("milestone", "response_rules", "feedback", "schedule", "exercises")


@dataclass
class Line:
    no: int
    text: str


@dataclass
class ExerciseItem:
    name: str
    line: int
    description: list[Line] = field(default_factory=list)  # unlabeled prose
    labeled: list[Line] = field(default_factory=list)  # "How much: ..." and similar
    steps: int = 0  # bulleted step lines under the exercise
    closed: bool = False

    @property
    def description_text(self) -> str:
        return " ".join(plain(ln.text) for ln in self.description).strip()

    @property
    def all_lines(self) -> list[Line]:
        return sorted(self.description + self.labeled, key=lambda ln: ln.no)


@dataclass
class Draft:
    text: str
    lines: list[Line]
    headings: list[tuple[int, str, str | None]]  # (line, text, element)
    sections: dict[str, list[Line]]
    exercises: list[ExerciseItem]

    @property
    def headed(self) -> bool:
        return any(el for _, _, el in self.headings)

    def section(self, name: str) -> list[Line]:
        return self.sections.get(name, [])

    @cached_property
    def body(self) -> list[Line]:
        """Non-empty lines that are not headings."""
        heading_lines = {no for no, _, _ in self.headings}
        return [ln for ln in self.lines if ln.text.strip() and ln.no not in heading_lines]

    @cached_property
    def body_sentences(self) -> list[tuple[Line, str]]:
        """(line, sentence) for every sentence of the body, markup removed."""
        out = []
        for ln in self.body:
            text = plain(ln.text)
            out.extend((ln, s) for s in (sentences(text) or [text]))
        return out

    @cached_property
    def body_plain(self) -> str:
        return "\n".join(s for _, s in self.body_sentences)


@lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Markdown inline markup and list markers removed."""
    text = BULLET.sub(r"\2", text)
    text = re.sub(r"^[ \t]*\d{1,2}[.)][ \t]++", "", text)
    text = LINK.sub(r"\1", text)
    return MD_INLINE.sub("", text).strip()


def sentences(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    return [s for s in SENTENCE_END.split(text) if s.strip()]


@lru_cache(maxsize=None)
def _heading_patterns() -> dict[str, re.Pattern]:
    cues = load_data("cues.yaml")["headings"]
    return {k: re.compile("|".join(f"(?:{p})" for p in cues[k]), re.I) for k in SECTION_KEYS}


@lru_cache(maxsize=4096)
def classify_heading(text: str) -> str | None:
    pats = _heading_patterns()
    for key in SECTION_KEYS:
        if pats[key].search(text):
            return key
    return None


def _heading(text: str) -> str | None:
    m = HEADING_MD.match(text)
    if m:
        h = m.group(2).strip().rstrip("#").strip()
        return h or None
    m = HEADING_BOLD.match(text)
    if m:
        return m.group(1)
    m = HEADING_COLON.match(text)
    if m:
        return m.group(1)
    return None


def _split_name(rest: str) -> tuple[str, str]:
    m = NAME_SPLIT.match(rest)
    if m:
        if m.group(1) is not None:
            return plain(m.group(1)).rstrip(":"), m.group(2)
        return plain(m.group(3)), m.group(4)
    # the name is the first sentence when it is short, else the first few words
    parts = sentences(rest)
    if parts and len(parts[0].split()) <= 6:
        return plain(parts[0]).rstrip("."), " ".join(parts[1:])
    return " ".join(plain(rest).split()[:4]), rest


def parse(text: str) -> Draft:
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [Line(i + 1, t) for i, t in enumerate(raw_lines)]

    headings: list[tuple[int, str, str | None]] = []
    sections: dict[str, list[Line]] = {}
    current: str | None = None
    heading_level: dict[int, int] = {}
    for ln in lines:
        h = _heading(ln.text)
        if h is not None and not NUMBERED.match(ln.text):
            el = classify_heading(h)
            m = HEADING_MD.match(ln.text)
            level = len(m.group(1)) if m else 7
            heading_level[ln.no] = level
            # A sub-heading inside the exercises section (### 1. Thigh squeeze) stays there.
            if current == "exercises" and el in (None, "exercises") and level > _section_level(headings, heading_level):
                headings.append((ln.no, h, None))
                sections.setdefault("exercises", []).append(ln)
                continue
            headings.append((ln.no, h, el))
            current = el
            continue
        if current:
            sections.setdefault(current, []).append(ln)

    exercises = _exercises(lines, sections, headings, heading_level)
    return Draft(text=text, lines=lines, headings=headings, sections=sections, exercises=exercises)


def _section_level(headings, heading_level) -> int:
    for no, _, el in reversed(headings):
        if el is not None:
            return heading_level.get(no, 7)
    return 0


def _exercises(lines, sections, headings, heading_level) -> list[ExerciseItem]:
    if "exercises" in sections:
        pool = sections["exercises"]
        # Sub-headings (### Thigh squeeze) each start an exercise.
        sub = [(no, h) for no, h, el in headings if el is None and any(ln.no == no for ln in pool)]
        if sub:
            return _items_from_subheadings(pool, sub)
    else:
        # No exercises heading: list items that are not inside another section.
        taken = {ln.no for name, sec in sections.items() for ln in sec}
        pool = [ln for ln in lines if ln.no not in taken]
        heading_lines = {no for no, _, _ in headings}
        pool = [ln for ln in pool if ln.no not in heading_lines]
    return _items_from_list(pool)


def _items_from_subheadings(pool: list[Line], sub: list[tuple[int, str]]) -> list[ExerciseItem]:
    starts = {no: h for no, h in sub}
    items: list[ExerciseItem] = []
    for ln in pool:
        if ln.no in starts:
            name = re.sub(r"^[ \t]*\d{1,2}[.)][ \t]*", "", plain(starts[ln.no]))
            items.append(ExerciseItem(name=name, line=ln.no))
        elif items and ln.text.strip():
            _add_body(items[-1], ln)
    return items


def _items_from_list(pool: list[Line]) -> list[ExerciseItem]:
    numbered = [ln for ln in pool if NUMBERED.match(ln.text)]
    marker = NUMBERED if len(numbered) >= 1 else BULLET
    items: list[ExerciseItem] = []
    indent: int | None = None
    prev_no = None
    after_blank = False
    for ln in pool:
        if prev_no is not None and ln.no != prev_no + 1 and items:
            # a gap in the pool (another section came between): close the item
            items[-1].closed = True
        prev_no = ln.no
        m = marker.match(ln.text)
        if m and (indent is None or len(m.group(1)) <= indent) and not LABEL.match(m.group(2)):
            indent = len(m.group(1))
            name, rest = _split_name(m.group(2))
            item = ExerciseItem(name=name, line=ln.no)
            if rest.strip():
                item.description.append(Line(ln.no, rest))
            items.append(item)
        elif items and ln.text.strip() and not items[-1].closed:
            unindented = not ln.text.startswith((" ", "\t")) and not LABEL.match(ln.text)
            if unindented and (marker is BULLET or after_blank):
                # a new paragraph after the list: the list is over
                items[-1].closed = True
                continue
            _add_body(items[-1], ln)
        after_blank = not ln.text.strip()
    if marker is BULLET and len(items) < 2:
        return items if any(it.description for it in items) else []
    return items


def _add_body(item: ExerciseItem, ln: Line) -> None:
    if LABEL.match(ln.text) or NUMBERED.match(ln.text) or BULLET.match(ln.text) and LABEL.match(BULLET.sub(r"\2", ln.text)):
        item.labeled.append(ln)
    elif BULLET.match(ln.text):
        item.labeled.append(ln)  # step lists count against the description
        item.steps += 1
    else:
        item.description.append(ln)
