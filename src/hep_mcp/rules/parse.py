"""Free-text drafts (Markdown or plain, any layout) into one document model, then elements.

Two steps, both one pass over the lines:

1. **Blocks.** Each source line is read once, with short anchored patterns, into
   blocks: headings (Markdown ``#``, a bold-only line, an ALL-CAPS line from an
   EHR export, a ``Label:`` line, each optionally led by an emoji), paragraphs
   (with their bold lead or ``Label:`` lead), list items with their nesting
   depth, and table rows. Blockquote markers and code fences are read through;
   plain text goes through the same model. Every block keeps its source lines.
2. **Segmentation.** Which blocks are the exercises (items of the same shape --
   list items, headings, bold-lead paragraphs, table rows -- that carry movement
   instructions), and which are the schedule, response rules, feedback and
   milestone: from a heading's words, and when those say nothing, from the text
   under it. A title that names the program does not swallow the sections below
   it; label bullets (``Pain:``, ``Tick it off:``) and red-flag bullets are not
   exercises.

The reader never fails and is linear in the size of the text: no pattern here can
backtrack over a run (tests/test_regex_safety.py), each line is classified in
bounded time, and nesting is counted, not recursed. Line numbers are 1-based and
exact (CRLF and CR are normalised first). Markdown inline markup is removed with
linear patterns (``plain``).
"""

from __future__ import annotations

import bisect
import contextvars
import re
import unicodedata
from array import array
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Iterator


# The language whose cue lists the reader uses for the draft being parsed (set by parse()
# for its own call only: a context variable, never shared between requests or threads).
_LANGUAGE: contextvars.ContextVar[str] = contextvars.ContextVar("hep_mcp_parse_language", default="en")


def _cues(language: str) -> dict:
    from hep_mcp.rules.engine import cue_data

    return cue_data(language)


SECTION_KEYS = ("milestone", "response_rules", "feedback", "schedule", "exercises")
ELEMENT_SECTIONS = ("milestone", "response_rules", "feedback", "schedule")

ATX = re.compile(r"[ \t]{0,3}(#{1,6})(?:[ \t]++(.*))?$")
FENCE = re.compile(r"[ \t]{0,3}(?:`{3,}|~{3,})")
QUOTE = re.compile(r"[ \t]{0,3}>[ \t]?")
LIST_MARK = re.compile(r"([ \t]*+)([-*+•▪◦‣–]|\d{1,3}[.)]|\(\d{1,3}\)|\(?[a-z][.)](?=[ \t])|[o§\uf0a7\uf0b7](?=\t))(?:[ \t]++|$)")
# a word processor's pasted bullets: "•<tab>" first level, "o<tab>" second, "§<tab>" third, unindented
WORD_SUB_LEVEL = {"o": 1, "§": 2, "\uf0a7": 2}
BOLD_LEAD = re.compile(r"(?:\*\*|__)([^*_\n]{1,100})(?:\*\*|__)")
ITALIC_LEAD = re.compile(r"[*_](?![*_ \t])([^*_\n]{1,100})(?<![ \t])[*_](?![*_])")  # "*Ankle pumps.* Lie on ..."
LABEL_LEAD = re.compile(r"([^\W\d_][^:.!?;\n]{0,49}):(?![/\d])[ \t]*+")
# "Ankle circles - sit and ...", "Chin tuck -> Sit tall ...", "Wall slide → ...": a name, a dash or an arrow, the how
DASH_LEAD = re.compile(r"([^\W\d_][^:.!?;\n]{0,49}?)(?:[ \t]++[-–—][ \t]++|[ \t]*+(?:->|→|=>|⇒|➔|➜)[ \t]*+)")
NUM_PREFIX = re.compile(r"(?:\d{1,2}[.):]|\(\d{1,2}\)|#\d{1,2}|(?:exercise|move|step|no\.?)[ \t]*+#?\d{1,2}(?:[ \t]*+(?:of|/)[ \t]*+\d{1,2}\b)?[ \t]*+[:.,)\-–—]?)[ \t]*+", re.I)
BARE_NUM = re.compile(r"\d{1,2}[ \t]++(?=\D)")
EXERCISE_N = re.compile(r"(?:exercise|move)[ \t]*+\d{1,2}\b", re.I)
NUMBERED_LABEL = re.compile(r"[^\W\d_]{1,12}+[ \t]*+#?\d{1,2}(?:[ \t]*+(?:of|/)[ \t]*+\d{1,2})?")  # "Move 1", "Drill 2 of 3"
LINK = re.compile(r"!?\[([^\]\[\n]*)\]\([^()\n]*\)")  # no nesting: a run of [ or ( is passed once
MD_INLINE = re.compile(r"(\*\*|__|\*|_|`)")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*+\s++(?=[\"'(\[¿¡]?[A-Z0-9ÁÉÍÓÚÑ])")


# a message counter leading an SMS line: "1/5", "(2/5)", "[3/5]", "Text 1:", "Msg 2 -", "Part 3)"
SERIES = re.compile(
    r"[ \t]*+(?:[(\[]\d{1,2}/\d{1,2}[)\]]|\d{1,2}/\d{1,2}(?=[ \t])|(?:text|msg|message|sms|part)[ \t]*+#?\d{1,2}(?:/\d{1,2})?[ \t]*+[:.)\-–—])[ \t]++",
    re.I,
)


# a clinic form's numbered field label: "Exercise 1 name:", "Ex. 2 instructions:", "Exercise #3 dose:"
FIELD = re.compile(r"[ \t]*+(?:exercise|ex\.?|move)[ \t]*+#?(\d{1,2})[ \t]*+[-–—]?[ \t]*+([a-z][a-z /]{0,24}?)[ \t]*+:[ \t]*+", re.I)
FIELD_NAME = re.compile(r"name|title")
FIELD_DOSE = re.compile(r"dose|dosage|dosing|reps|sets|repetitions|sets ?/ ?reps|how much|how many|amount|frequency|how often")


def _dose_label_rx() -> re.Pattern:
    """A dose label line ("How much:", "Cuánto:"), with the words of every language pack."""
    from hep_mcp import lang

    words = sorted({w for code in lang.languages() for w in _cues(code)["reader"]["dose_label"]}, key=lambda w: (-len(w), w))
    alts = "|".join(re.escape(w).replace("\\ ", "[ \t]+") for w in words)
    return re.compile(r"[ \t]*+(?:[-*+•][ \t]++)?(?:\*\*|__)?(" + alts + r")(?:\*\*|__)?[ \t]*+:", re.I)


class _DoseLabel:
    """LABEL.match(text): compiled on first use (the cue data is read after the engine loads)."""

    rx: re.Pattern | None = None

    def match(self, text: str):
        if self.rx is None:
            self.rx = _dose_label_rx()
        return self.rx.match(text)


LABEL = _DoseLabel()
# Names a heading or an item lead that is a label, never an exercise.
MAX_CAPS_WORDS = 10
MAX_DEPTH = 16  # list nesting deeper than this reads as this deep


@dataclass(slots=True)
class Line:
    no: int
    text: str


class Lines:
    """The draft's lines as a sequence of ``Line``, made when read: a draft of a million
    blank lines does not hold a million objects (peak memory stays a small multiple of the text)."""

    __slots__ = ("_raw", "_made")
    KEEP = 5_000  # a draft of up to this many lines keeps its Line objects (read many times)

    def __init__(self, raw: list[str]):
        self._raw = raw
        self._made = [Line(i + 1, t) for i, t in enumerate(raw)] if len(raw) <= self.KEEP else None

    def __len__(self) -> int:
        return len(self._raw)

    def __iter__(self):
        if self._made is not None:
            yield from self._made
            return
        for i, t in enumerate(self._raw):
            yield Line(i + 1, t)

    def __getitem__(self, i):
        if self._made is not None:
            return self._made[i]
        if isinstance(i, slice):
            return [Line(k + 1, self._raw[k]) for k in range(*i.indices(len(self._raw)))]
        if i < 0:
            i += len(self._raw)
        return Line(i + 1, self._raw[i])

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


class LineRun:
    """Some lines of a long draft (``Lines`` that make their ``Line`` when read), by number:
    a block's lines, the body, a section. Holds the line numbers (one int for a one-line
    block, else 4 bytes a line), not a ``Line`` object per line; each ``Line`` is made when
    read, so two reads of a line give equal, not identical, objects (key by ``no``)."""

    __slots__ = ("_raw", "_nos")

    def __init__(self, raw: list[str], nos):
        self._raw = raw
        self._nos = nos  # an int (one line) or an array("I")

    def _array(self) -> array:
        if type(self._nos) is int:
            self._nos = array("I", (self._nos,))
        return self._nos

    def no_at(self, i: int) -> int:
        nos = self._nos
        if type(nos) is int:
            if i not in (0, -1):
                raise IndexError(i)
            return nos
        return nos[i]

    def __len__(self) -> int:
        return 1 if type(self._nos) is int else len(self._nos)

    def __iter__(self):
        raw = self._raw
        nos = self._nos
        if type(nos) is int:
            yield Line(nos, raw[nos - 1])
            return
        for no in nos:
            yield Line(no, raw[no - 1])

    def __getitem__(self, i):
        if isinstance(i, slice):
            nos = self._nos
            return [Line(no, self._raw[no - 1]) for no in ((nos,) if type(nos) is int else nos)[i]]
        no = self.no_at(i)
        return Line(no, self._raw[no - 1])

    def append(self, ln: Line) -> None:
        self._array().append(ln.no)

    def index_of(self, no: int) -> int | None:
        """Where line ``no`` is in the run (its numbers ascend), or None."""
        nos = self._nos
        if type(nos) is int:
            return 0 if nos == no else None
        i = bisect.bisect_left(nos, no)
        return i if i < len(nos) and nos[i] == no else None

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


def line_nos(ls) -> Iterator[int]:
    """The line numbers of some lines (a list of ``Line`` or a long draft's ``LineRun``),
    without making a ``Line`` for each."""
    if type(ls) is LineRun:
        nos = ls._nos
        if type(nos) is int:
            yield nos
        else:
            yield from nos
        return
    for ln in ls:
        yield ln.no


def _lazy(lines) -> list[str] | None:
    """The raw lines when ``lines`` are a long draft's (blocks then keep line numbers), else None."""
    return lines._raw if isinstance(lines, Lines) and lines._made is None else None


class _Headings:
    """A long draft's headings as (line, text, element) tuples, each made when read: the index
    of its block and a code for its element are held, not a tuple per heading."""

    __slots__ = ("_blocks", "_at", "_el")
    ELEMENTS = (None,) + SECTION_KEYS

    def __init__(self, blocks: list):
        self._blocks, self._at, self._el = blocks, array("I"), array("b")

    def add(self, i: int, el: str | None) -> None:
        """Heading block ``i``, introducing ``el``."""
        self._at.append(i)
        self._el.append(self.ELEMENTS.index(el))

    def __len__(self) -> int:
        return len(self._at)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self._at)))]
        b = self._blocks[self._at[k]]
        return (b.line, b.text, self.ELEMENTS[self._el[k]])

    def __iter__(self):
        blocks, els = self._blocks, self.ELEMENTS
        for i, e in zip(self._at, self._el):
            b = blocks[i]
            yield (b.line, b.text, els[e])

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


class _Elements:
    """The element each heading block introduces, by block index (None for any other block):
    a byte a block, not a table of ints."""

    __slots__ = ("_codes",)

    def __init__(self, n: int):
        self._codes = array("b", bytes(n))

    def __setitem__(self, i: int, el: str | None) -> None:
        self._codes[i] = _Headings.ELEMENTS.index(el)

    def get(self, i: int) -> str | None:
        return _Headings.ELEMENTS[self._codes[i]]


class Block:
    """One block of the draft: a heading, a paragraph, a list item or a table row.

    Slots, not a dataclass of every field: a long draft holds one Block per short line, so
    the fields only headings (``Heading``), list items (``Item``) or table rows (``Row``) have
    live on those subclasses, and every other block reads the class defaults below."""

    __slots__ = ("kind", "lines", "text", "depth", "indent", "lead", "rest", "blank_before", "first", "lazy")
    # kind: heading | para | item | row; text: the block's text without list/quote/heading
    # markers, lines joined; depth: an item's nesting depth (1 = top level); lead: bold lead or
    # label, markup removed; rest: text after the lead; first: the first line's text (markers
    # removed); lazy: an unindented line right after a list item's finished sentence
    level = 0  # Heading: 1-6 Markdown, 7 bold/caps/label
    content_indent = 0  # Item: where the item's text starts (a line indented as far continues it)
    ordered = False  # Item: a numbered or lettered marker
    lettered = False  # Item: marked "(a)" / "a)" / "a.": a sub-step of the item above
    cells: tuple[str, ...] = ()  # Row: the row's cells
    header = False  # Row: a table's header row
    table = 0  # Row: which table the row belongs to

    def __init__(self, kind: str, lines, text: str = "", depth: int = 0, indent: int = 0,
                 lead: str | None = None, rest: str = "", blank_before: bool = False, first: str = "", lazy: bool = False):
        self.kind, self.lines, self.text, self.depth, self.indent = kind, lines, text, depth, indent
        self.lead, self.rest, self.blank_before, self.first, self.lazy = lead, rest, blank_before, first, lazy

    def _fields(self) -> tuple:
        return tuple(getattr(self, k) for k in _BLOCK_FIELDS)

    def __eq__(self, other) -> bool:
        return isinstance(other, Block) and self._fields() == other._fields()

    __hash__ = None  # mutable, compared by value

    def __repr__(self) -> str:
        return "Block(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in _BLOCK_FIELDS) + ")"

    @property
    def line(self) -> int:
        ls = self.lines
        return ls.no_at(0) if type(ls) is LineRun else ls[0].no

    @property
    def last(self) -> int:
        ls = self.lines
        return ls.no_at(-1) if type(ls) is LineRun else ls[-1].no


class Heading(Block):
    """A heading."""

    __slots__ = ("level",)

    def __init__(self, kind: str, lines, level: int = 0, **kw):
        Block.__init__(self, kind, lines, **kw)
        self.level = level


class Item(Block):
    """A list item."""

    __slots__ = ("content_indent", "ordered", "lettered")

    def __init__(self, kind: str, lines, content_indent: int = 0, ordered: bool = False, lettered: bool = False, **kw):
        Block.__init__(self, kind, lines, **kw)
        self.content_indent, self.ordered, self.lettered = content_indent, ordered, lettered


class Row(Block):
    """A table row: its cells are read from its text when asked for (a long table holds no
    tuple of cells per row)."""

    __slots__ = ("header", "table")

    def __init__(self, kind: str, lines, header: bool = False, table: int = 0, **kw):
        Block.__init__(self, kind, lines, **kw)
        self.header, self.table = header, table

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(_cells(self.text))


_BLOCK_FIELDS = ("kind", "lines", "text", "level", "depth", "indent", "content_indent", "ordered", "lead", "rest", "cells", "header", "table", "blank_before", "first", "lazy", "lettered")


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
    lines: Lines | list[Line]
    headings: list[tuple[int, str, str | None]]  # (line, text, element)
    sections: dict[str, list[Line]]
    exercises: list[ExerciseItem]
    blocks: list[Block] = field(default_factory=list)
    language: str = "en"

    @property
    def headed(self) -> bool:
        return any(el for _, _, el in self.headings) or any(self.sections.get(k) for k in ELEMENT_SECTIONS)

    def section(self, name: str) -> list[Line]:
        return self.sections.get(name, [])

    @cached_property
    def heading_lines(self) -> set[int]:
        return {no for no, _, _ in self.headings}

    @cached_property
    def body(self) -> list[Line]:
        """Non-empty lines that are not headings (the blocks' own line objects)."""
        if not self.blocks and self.text.strip():  # a Draft built by hand
            hl = self.heading_lines
            raw = _lazy(self.lines)
            if raw is not None:  # a long draft of lines that make no block ("1. " lines): numbers
                return LineRun(raw, array("I", (i + 1 for i, t in enumerate(raw) if t.strip() and i + 1 not in hl)))
            return [ln for ln in self.lines if ln.text.strip() and ln.no not in hl]
        raw = _lazy(self.lines)
        if raw is not None and all(type(b.lines) is LineRun for b in self.blocks):  # a long draft: line numbers, not objects
            nos = array("I")
            for b in self.blocks:
                if b.kind != "heading":
                    _add_nos(nos, b.lines)
            return LineRun(raw, nos)
        return [ln for b in self.blocks if b.kind != "heading" for ln in b.lines]

    @cached_property
    def body_sentences(self) -> list[tuple[Line, str]]:
        """(line, sentence) for every sentence of the body, markup removed. A sentence runs
        over the lines of its paragraph; it is reported at the line where it starts. A
        heading is also read with the first sentence under it (``Missed a session?`` +
        ``Pick up where you left off.``): the topic lives in the heading, the rule in the body."""
        token = _LANGUAGE.set(self.language)  # computed after parse(): sentence ends in the draft's language
        try:
            return self._body_sentences()
        finally:
            _LANGUAGE.reset(token)

    def _body_sentences(self) -> list[tuple[Line, str]]:
        raw = _lazy(self.lines)
        # a long draft: each sentence's line number and text, not a (Line, sentence) pair each
        lazy = raw is not None and self.blocks and all(type(b.lines) is LineRun for b in self.blocks)
        out: list[tuple[Line, str]] | _Sentences = _Sentences(raw) if lazy else []
        pending: tuple[str, int] | None = None
        for b in self.blocks:
            if b.kind == "heading":
                pending = (plain(b.text), b.line)
                continue
            pairs = _block_sentences(b)
            if pending is not None and pairs:
                head = pending[0].rstrip()
                joiner = " " if head.endswith(("?", "!", ".", ":")) else ": "
                out.append((pairs[0][0], head + joiner + pairs[0][1]))
            pending = None
            out.extend(pairs)
        return out

    @cached_property
    def body_plain(self) -> str:
        pairs = self.body_sentences
        return "\n".join(pairs._texts if type(pairs) is _Sentences else (s for _, s in pairs))


class _Sentences:
    """A long draft's body sentences as a sequence of (Line, sentence) pairs, each pair made
    when read: the line numbers are held in an array (4 bytes a sentence) and the sentences in
    a list, not a tuple and a ``Line`` per sentence. Two reads of a line give equal, not
    identical, ``Line`` objects: key them by ``no`` (``sentence_key``)."""

    __slots__ = ("_raw", "_nos", "_texts")

    def __init__(self, raw: list[str]):
        self._raw, self._nos, self._texts = raw, array("I"), []

    def append(self, pair: tuple[Line, str]) -> None:
        self._nos.append(pair[0].no)
        self._texts.append(pair[1])

    def extend(self, pairs) -> None:
        for p in pairs:
            self.append(p)

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self._texts)))]
        no = self._nos[i]
        return (Line(no, self._raw[no - 1]), self._texts[i])

    def __iter__(self):
        raw = self._raw
        for no, t in zip(self._nos, self._texts):
            yield (Line(no, raw[no - 1]), t)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


def sentence_nos(pairs) -> array:
    """The line number of each body sentence (4 bytes each), without a ``Line`` per sentence."""
    if type(pairs) is _Sentences:
        return pairs._nos
    return array("I", (ln.no for ln, _ in pairs))


def sentence_key(pairs):
    """How to key the lines of body sentence pairs: by identity, or by number where each read
    makes its own ``Line`` (a long draft's, whose lines are the draft's own)."""
    return _line_no if type(pairs) is _Sentences else id


def _line_no(ln: Line) -> int:
    return ln.no


def _block_sentences(b: Block) -> list[tuple[Line, str]]:
    if b.kind == "row":
        return [(b.lines[0], s) for c in b.cells for s in (sentences(plain(c)) or [])]
    # plain text of each line and where it starts in the joined text (offsets in an array and
    # lines in a list, not a list of pairs: a paragraph of 500,000 one-character lines made
    # 50 MB of tuples and integers)
    out: list[tuple[Line, str]] = []
    parts, offsets, owners, pos = [], array("q"), array("I"), 0
    for k, ln in enumerate(b.lines):
        t = plain(_strip_markers(ln.text))
        if not t:
            continue
        if parts and not parts[-1].endswith((".", "!", "?", ",", ";", ":", "-")) and ("->" in t or "→" in t):
            # a line that routes with an arrow ("falls but not hurt -> call the clinic") is a
            # statement of its own, whatever its case: the lines before it are read apart
            _joined_sentences(b, parts, offsets, owners, out)
            parts, offsets, owners, pos = [], array("q"), array("I"), 0
        # a name or label line above its text, or a very long unwrapped line, ends before a capital
        if parts and t[:1].isupper() and (len(parts[-1]) > 300 or len(parts[-1].split()) <= 6) and not parts[-1].endswith((".", "!", "?", ",", ";", ":", "-")):
            parts[-1] += "."
            pos += 1
        offsets.append(pos)
        owners.append(k)  # the line's index in the block (a long draft's block makes its Line when read)
        parts.append(t)
        pos += len(t) + 1
    _joined_sentences(b, parts, offsets, owners, out)
    return out


def _joined_sentences(b: Block, parts: list[str], offsets, owners, out: list[tuple[Line, str]]) -> None:
    """The sentences of one run of a block's lines, each with the Line it starts on, onto ``out``."""
    if not parts:
        return
    joined = " ".join(parts)
    parts.clear()
    at = 0
    last_k, last_ln = -1, None
    for s in sentences(joined):
        i = joined.find(s, at)
        at = i + len(s) if i >= 0 else at
        k = owners[max(0, bisect.bisect_right(offsets, max(i, 0)) - 1)]
        if k != last_k:  # the sentences of one line share its Line
            last_k, last_ln = k, b.lines[k]
        out.append((last_ln, s))


def _add_nos(nos: array, ls) -> None:
    """Append the line numbers of a block's lines to ``nos``."""
    if type(ls) is LineRun:
        if type(ls._nos) is int:
            nos.append(ls._nos)
        else:
            nos.extend(ls._nos)
    else:
        nos.extend(ln.no for ln in ls)


_MARKER_STRIP = re.compile(r"[ \t]*+(?:>[ \t]?)*+[ \t]*+(?:[-*+•▪◦‣–][ \t]++|[o§\uf0a7\uf0b7]\t[ \t]*+|\d{1,3}[.)][ \t]++|#{1,6}[ \t]++)?")


def _strip_markers(text: str) -> str:
    return text[_MARKER_STRIP.match(text).end() :]


@lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Markdown inline markup and list markers removed."""
    m = LIST_MARK.match(text)
    if m:
        text = text[m.end() :]
    text = LINK.sub(r"\1", text)
    return MD_INLINE.sub("", text).strip()


@lru_cache(maxsize=8)
def _no_break(language: str = "en") -> re.Pattern:
    words = _cues(language)["not_sentence_end"]
    return re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(w) for w in words) + r")$", re.I)


def sentences(text: str, language: str | None = None) -> list[str]:
    """Sentences of a text. ``Mrs.``, ``Dr.``, ``St.`` and the like do not end one."""
    text = text.strip()
    if not text:
        return []
    if len(text) <= 4096:
        parts = [s for s in SENTENCE_END.split(text) if s.strip()]
        if len(parts) < 2:
            return parts
        first, rest = parts[0], parts[1:]
    else:  # a long text: its pieces read one at a time, not all held beside the sentences
        rest = _pieces(text)
        first = next(rest, None)
        if first is None:
            return []
    nb = _no_break(language or _LANGUAGE.get())
    out = [first]
    for p in rest:
        prev = out[-1].rstrip(" \"')]")
        if prev.endswith(".") and nb.search(prev[:-1][-12:]):
            out[-1] = out[-1] + " " + p
        else:
            out.append(p)
    return out


def _pieces(text: str):
    """The non-blank pieces of ``SENTENCE_END.split(text)``, one at a time."""
    at = 0
    for m in SENTENCE_END.finditer(text):
        piece = text[at : m.start()]
        if piece.strip():
            yield piece
        at = m.end()
    piece = text[at:]
    if piece.strip():
        yield piece


@lru_cache(maxsize=None)
def _heading_patterns(language: str = "en") -> dict[str, re.Pattern]:
    cues = _cues(language)["headings"]
    return {k: re.compile("|".join(f"(?:{p})" for p in cues[k]), re.I) for k in SECTION_KEYS}


def classify_heading(text: str, language: str | None = None) -> str | None:
    """The element a heading introduces, in the language being parsed (or the one given)."""
    return _classify_heading(text, language or _LANGUAGE.get())


@lru_cache(maxsize=4096)
def _classify_heading(text: str, language: str) -> str | None:
    pats = _heading_patterns(language)
    text = _clean_heading(text)
    for key in SECTION_KEYS:
        if pats[key].search(text):
            return key
    return None


@lru_cache(maxsize=8192)
def _clean_heading(text: str) -> str:
    """A heading's words: markup, emoji and other symbols removed (keycap 2️⃣ -> 2)."""
    text = plain(text)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "SC" or cat in ("Mn", "Me"):
            out.append(" ")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _cue_rx() -> dict[str, re.Pattern]:
    return _reader_rx(_LANGUAGE.get())


@lru_cache(maxsize=8)
def _reader_rx(language: str) -> "_ReaderRx":
    return _ReaderRx(_cues(language)["reader"])


class _ReaderRx(dict):
    """The reader's combined cue patterns by key, each compiled when first asked for (a
    cold check compiles only the ones its draft needs)."""

    KEYS = ("movement", "description_label", "caption_label", "tie_back_label", "aside_heading", "body_rules", "body_feedback", "body_milestone", "body_schedule", "not_exercise", "red_flag_item", "time_slot", "ordinal_intro", "conditional_name", "if_then_word", "then_word", "if_then_do", "ordinal_lead")

    def __init__(self, reader: dict):
        super().__init__()
        self._reader = reader

    def __missing__(self, key: str) -> re.Pattern:
        if key not in self.KEYS:
            raise KeyError(key)
        rx = self[key] = re.compile("|".join(f"(?:{p})" for p in self._reader[key]), re.I)
        return rx


def _movement(text: str) -> bool:
    return _movement_in(text, _LANGUAGE.get())


@lru_cache(maxsize=4096)
def _movement_in(text: str, language: str) -> bool:
    return bool(_reader_rx(language)["movement"].search(text))


# -- step 1: blocks ---------------------------------------------------------------------------


def _caps_heading(t: str) -> bool:
    letters = [c for c in t if c.isalpha()]
    if len(letters) < 3 or len(t) > 70 or not all(c.isupper() for c in letters):
        return False
    words = t.split()
    return len(words) <= MAX_CAPS_WORDS and not t.rstrip().endswith((".", ","))


def _caps_paren_heading(t: str) -> bool:
    """An ALL-CAPS heading with a note in brackets after it ("RULES (read these first)", "GOAL
    FOR MY NEXT VISIT (Thursday)"): the words before the bracket are a heading on their own, and
    the bracket, one of its own at the end of the line, holds no sentence."""
    t = t.rstrip()
    if not t.endswith(")") or len(t) > 120:
        return False
    k = t.find(" (")
    if k <= 0:
        return False
    note = t[k + 2 : -1]
    if not note.strip() or len(note) > 80 or any(c in note for c in "()[].!?;:"):
        return False
    return _caps_heading(t[:k])


def _symbol_prefix(t: str) -> int:
    """Length of a leading run of emoji and symbols (and spaces between them)."""
    i = 0
    n = len(t)
    while i < n and i < 16:
        ch = t[i]
        cat = unicodedata.category(ch)
        if ch in " \t" or cat[0] == "S" or cat in ("Mn", "Me", "Cf") or (ch.isdigit() and i + 1 < n and unicodedata.category(t[i + 1]) in ("Mn", "Me", "Cf")):
            i += 1
            continue
        break
    return i


def _emoji_bullet(t: str) -> int:
    """Length of an emoji bullet ("✅ ", "👉 ", "🔹 ") leading a line of text, else 0."""
    k = _symbol_prefix(t)
    if not k or unicodedata.category(t[0]) != "So" or k >= len(t) or not t[k - 1] in " \t":
        return 0
    core = t[k:]
    return k if len(core.split()) >= 3 else 0


def _plain_heading(t: str) -> tuple[str, bool] | None:
    """A non-Markdown heading line: bold-only, ALL-CAPS or ``Label:`` (emoji-led or not)."""
    s = t.strip()
    if not s or len(s) > 120:
        return None
    k = _symbol_prefix(s)
    core = s[k:].strip()
    if not core:
        return None
    m = BOLD_LEAD.match(core)
    if m and not core[m.end() :].strip(" \t:.-–—"):
        return m.group(1).strip().rstrip(":.").strip(), True
    if _caps_heading(core.rstrip(":")) or _caps_paren_heading(core.rstrip(":")):
        return core.rstrip(":").strip(), True
    if core.endswith(":") and len(core) <= 60 and len(core.split()) <= 6 and core[0].isupper() and not any(c in core[:-1] for c in ".!?;:"):
        return core[:-1].strip(), True
    if k and len(core) <= 60 and len(core.split()) <= 6 and not any(c in core for c in ".!?;") and core[:1].isupper():
        return core, True  # "🕗 When and where", "⭐ Your goal"
    return None


def _bare_title(t: str) -> bool:
    """A short capitalised line without end punctuation whose words name an element."""
    s = t.strip()
    if not s or len(s) > 60 or len(s.split()) > 6 or s.endswith((".", ",", ";", "!", "?")) or not s[:1].isupper():
        return False
    return classify_heading(s) is not None


def _is_separator_row(t: str) -> bool:
    s = t.strip()
    return s.startswith("|") and len(s) >= 3 and set(s) <= set("|-: \t") and "-" in s


def _is_hr(t: str) -> bool:
    s = t.strip()
    if len(s) < 3 or s[0] not in "-*_=":
        return False
    ch = s[0]
    return set(s) <= {ch, " ", "\t"} and s.count(ch) >= 3


def _cells(t: str) -> list[str]:
    s = t.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def _fields(lines: Lines) -> list[Line] | Lines:
    """A clinic form's field labels ("Exercise 1 name:", "Exercise 1 instructions:", "Exercise 1
    dose:"): one exercise per number, written as a numbered item with its text and its dose under it."""
    if len(lines) > Lines.KEEP:
        return lines
    found: dict[int, tuple[str, str, str]] = {}
    for ln in lines:
        m = FIELD.match(ln.text)
        if m:
            found[ln.no] = (m.group(1), m.group(2).lower(), ln.text[m.end() :].strip())
    if sum(1 for v in found.values() if FIELD_NAME.fullmatch(v[1])) < 2:
        return lines
    out: list[Line] = []
    for ln in lines:
        if ln.no not in found:
            out.append(ln)
            continue
        n, field_, value = found[ln.no]
        if FIELD_NAME.fullmatch(field_):
            out.append(Line(ln.no, f"{n}. {value}"))
        elif FIELD_DOSE.fullmatch(field_):
            out.append(Line(ln.no, f"    How much: {value}"))
        else:
            out.append(Line(ln.no, f"    {value}"))
    return out


def _series(lines: Lines) -> tuple[list[Line] | Lines, frozenset[int]]:
    """An SMS series ("1/5", "(2/5)", "Text 1:" leading each message): the counter is not content.
    Returns the lines with the counters cut off (a message that runs on into a new element --
    "Reply DONE each day. Goal: ..." -- split there), and the ids of the lines that start a message."""
    if len(lines) > Lines.KEEP:
        return lines, frozenset()
    cut: dict[int, int] = {}
    for ln in lines:
        m = SERIES.match(ln.text)
        if m and m.end() < len(ln.text):
            cut[ln.no] = m.end()
    if len(cut) < 2:
        return lines, frozenset()
    out: list[Line] = []
    starts: set[int] = set()
    for ln in lines:
        if ln.no not in cut:
            out.append(ln)
            continue
        c = ln.text[cut[ln.no] :]
        led = bool(LABEL_LEAD.match(c))
        a = 0
        for se in SENTENCE_END.finditer(c):
            p = se.end()
            m = LABEL_LEAD.match(c, p)
            if not m or len(m.group(1).split()) > 5:
                continue
            el = _label_element(m.group(1))
            if el in ELEMENT_SECTIONS or (el is None and not led and a == 0 and _movement(c[m.end() : m.end() + 200])):
                out.append(Line(ln.no, c[a:p].rstrip()))
                starts.add(id(out[-1]))
                a = p
        out.append(Line(ln.no, c[a:]))
        starts.add(id(out[-1]))
    return out, frozenset(starts)


# HTML a chat client or an export leaves in a Markdown draft ("<details><summary><strong>1. Walking
# </strong></summary>"): known tag names only (a template's "<<THERAPIST NAME>>" stays as written)
HTML_TAG = re.compile(r"<(/?)(details|summary|strong|b|em|i|u|p|div|span|br|hr|h[1-6]|ul|ol|li|section|small|mark|font|center)\b[^<>\n]{0,200}>", re.I)
HTML_INLINE = {"strong": "**", "b": "**", "em": "*", "i": "*"}


def _html(lines):
    """Lines with HTML markup read as the Markdown it stands for: a ``<summary>`` or ``<h2>``
    line is a heading, ``<strong>`` is bold, ``<li>`` a bullet, ``<br>`` a space; a line of
    block tags only (``<details>``, ``</div>``) is blank. Same line numbers."""
    if len(lines) > Lines.KEEP or not any("<" in ln.text and HTML_TAG.search(ln.text) for ln in lines):
        return lines
    out: list[Line] = []
    for ln in lines:
        t = ln.text
        if "<" not in t or not HTML_TAG.search(t):
            out.append(ln)
            continue
        head = None
        bullet = False
        parts, at = [], 0
        for m in HTML_TAG.finditer(t):
            parts.append(t[at : m.start()])
            at = m.end()
            name = m.group(2).lower()
            if name == "summary" or name[0] == "h" and name[1:].isdigit():
                head = head or ("##" if name == "summary" else "#" * int(name[1]))
            elif name in HTML_INLINE:
                parts.append(HTML_INLINE[name])
            elif name == "li" and not m.group(1):
                bullet = True
            elif name == "br":
                parts.append(" ")
        parts.append(t[at:])
        text = "".join(parts).strip()
        if head and text:
            text = head + " " + text.replace("**", "").replace("*", "").strip()
        elif bullet and text:
            text = "- " + text
        out.append(Line(ln.no, text))
    return out


# a dot leader between a name and its amount ("1 STRAIGHT LEG LIFT ........ 10 times", a
# receipt's or a menu card's line), and a bare number leading such a line
LEADER = re.compile(r"(?<=\S)[ \t]*+[.·…](?:[ \t]?+[.·…]){2,}+[ \t]*+(?=\S)")
LEADER_NUM = re.compile(r"([ \t]*+)(\d{1,2})[ \t]++(?=[^\W\d_])")


def _leaders(lines):
    """Lines whose name and amount a dot leader joins, read as ``name: amount`` (and ``1 NAME``
    as the numbered item ``1. NAME``). Same line numbers."""
    if len(lines) > Lines.KEEP or not any("..." in ln.text or "··" in ln.text or "…" in ln.text for ln in lines):
        return lines
    out: list[Line] = []
    for ln in lines:
        m = LEADER.search(ln.text) if ("..." in ln.text or "··" in ln.text or "…" in ln.text) else None
        if m is None or LEADER.search(ln.text, m.end()) is not None:
            out.append(ln)
            continue
        t = ln.text[: m.start()] + ": " + ln.text[m.end() :].rstrip()
        if t[-1:].isalnum():
            t += "."  # the amount ends there: the lines under it are the how
        n = LEADER_NUM.match(t)
        if n:
            t = n.group(1) + n.group(2) + ". " + t[n.end() :]
        out.append(Line(ln.no, t))
    return out


# a speaker's label leading a line of a transcript ("LUIS: So what do I do?", "PT: Three things.")
SPEAKER = re.compile(r"[ \t]*+([A-Z][A-Za-z.'’]{0,15}(?:[ \t][A-Z][A-Za-z.'’]{0,15})?(?:[ \t]\([A-Za-z .]{1,15}\))?)[ \t]*+:[ \t]++(?=\S)")


def _speakers(lines):
    """A question-and-answer transcript: two speakers' labels, taking turns, lead its lines. The
    labels are not content (they would read as names of exercises); the asker's questions head
    the answers under them, as a handout's headings would. Same line numbers."""
    if len(lines) > Lines.KEEP:
        return lines
    said: list[tuple[int, str]] = []
    for i, ln in enumerate(lines):
        m = SPEAKER.match(ln.text)
        if m:
            said.append((i, m.group(1)))
    names = {n for _, n in said}
    filled = sum(1 for ln in lines if ln.text.strip())
    top = max(names, key=lambda x: sum(1 for _, n in said if n == x)) if names else None
    if top is not None and len(said) >= 4 and sum(1 for _, n in said if n == top) * 5 >= filled * 3 and _label_element(top) is None:
        # a chat export: one sender's name ("Dana (PT):") leads most lines -- the sender, not content
        out = list(lines)
        for i, n in said:
            if n in names and _label_element(n) is None:
                ln = lines[i]
                out[i] = Line(ln.no, ln.text[SPEAKER.match(ln.text).end() :])
        return out
    if len(said) < 6 or len(names) != 2 or any(sum(1 for _, n in said if n == x) < 3 for x in names):
        return lines
    if any(LABEL.match(n + ":") for n in names):
        return lines  # "Repeat:" / "Perform:" under each exercise: a form's dose fields, not two speakers
    turns = sum(1 for (_, a), (_, b) in zip(said, said[1:]) if a != b)
    if turns * 4 < (len(said) - 1) * 3:
        return lines  # labels that do not take turns: a form's fields, not two speakers
    ends_q = {x: sum(1 for i, n in said if n == x and lines[i].text.rstrip().endswith("?")) for x in names}
    asker = max(names, key=lambda x: ends_q[x])
    if ends_q[asker] * 2 < sum(1 for _, n in said if n == asker):
        asker = None
    out = list(lines)
    for i, n in said:
        ln = lines[i]
        rest = ln.text[SPEAKER.match(ln.text).end() :]
        out[i] = Line(ln.no, ("### " + rest) if n == asker and rest.rstrip().endswith("?") else rest)
    return out


# a transcriber's note leading a line ("[circled in red]  RULES", "[bottom left]  TELL US")
ANNOTATION = re.compile(r"([ \t]*+)\[([^\]\n]{2,60}+)\][ \t]++(?=\S)")


# a printed screen's buttons alone on a line ("[Mark done today]  [Watch video]")
BUTTONS = re.compile(r"[ \t]*+(?:\[[^\[\]\n]{2,40}+\][ \t]*+){2,8}+")


def _buttons(lines):
    """A line of two or more of a printed screen's buttons only is not text to read: blank. A
    box to tick ("[ ] am [ ] pm") has no words in its brackets and stays, and so does one
    bracketed title alone ("[THE 3 MOVES]"). Same line numbers."""
    if len(lines) > Lines.KEEP or not any("[" in ln.text for ln in lines):
        return lines
    out: list[Line] = []
    for ln in lines:
        t = ln.text
        if "[" in t and t.lstrip().startswith("[") and BUTTONS.fullmatch(t) and all(
            any(c.isalpha() for c in part) for part in t.replace("]", "[").split("[")[1::2]
        ):
            out.append(Line(ln.no, ""))
        else:
            out.append(ln)
    return out


def _annotations(lines):
    """Lines led by a bracketed note about where the text sat (a photo's or a scan's
    transcription) read without the note: what follows is the line. Same line numbers."""
    if len(lines) > Lines.KEEP or not any("[" in ln.text and ANNOTATION.match(ln.text) for ln in lines):
        return lines
    out: list[Line] = []
    for ln in lines:
        m = ANNOTATION.match(ln.text) if "[" in ln.text else None
        if m and not any(c.isalpha() for c in m.group(2)):
            m = None  # "[1] ..." a footnote mark, "[ ] ..." a box to tick: the line's own
        out.append(Line(ln.no, m.group(1) + ln.text[m.end() :]) if m else ln)
    return out


# a tree drawn with box characters ("├── 1. Table slides", "│   └── 10 times", "│   │   as far as")
TREE = re.compile(r"[ \t│┃|]*+(?:[├└┣┗+`][─━-]{1,4}+[ \t]*+)?")
TREE_CHARS = frozenset("│┃├└┣┗─━")


def _trees(lines):
    """A plan drawn as a tree: each branch (``├──``, ``└──``) a bullet at its column, a trunk
    (``│``) only indentation, so the branches nest as a list does. Same line numbers."""
    if len(lines) > Lines.KEEP or sum(1 for ln in lines if ln.text.lstrip()[:1] in ("├", "└", "┣", "┗")) < 3:
        return lines
    out: list[Line] = []
    for ln in lines:
        t = ln.text
        if not t.strip() or t.lstrip()[:1] not in TREE_CHARS:
            out.append(ln)
            continue
        m = TREE.match(t)
        lead, rest = t[: m.end()], t[m.end() :]
        branch = any(c in lead for c in "├└┣┗")
        if branch:
            at = min(lead.find(c) for c in "├└┣┗" if c in lead)
            text = " " * at + ("" if LIST_MARK.match(rest) else "- ") + rest
        else:
            text = " " * len(lead) + rest if rest.strip() else ""
        out.append(Line(ln.no, text))
    return out


def _tab_tables(lines):
    """A word processor's table pasted as text: each row one line, its cells cut by tabs
    ("Exercise<tab>How to do it<tab>When and where<tab>How much"). A run of two or more lines with
    the same number of cells, three or more, reads as a Markdown table with its first line the
    header. A two-column run ("If...<tab>Then...") stays as written. Same line numbers (the
    header's separator row shares the header's number and makes no block)."""
    if len(lines) > Lines.KEEP or not any("\t" in ln.text for ln in lines):
        return lines
    ls = list(lines)

    def cells(t: str) -> int:
        s = t.strip()
        if s.startswith("|") or "\t" not in s:
            return 0
        parts = [c for c in s.split("\t")]
        return len(parts) if len(parts) >= 3 and all(c.strip() for c in parts) else 0

    out: list[Line] = []
    i = 0
    while i < len(ls):
        n = cells(ls[i].text)
        j = i + 1
        while n and j < len(ls) and cells(ls[j].text) == n:
            j += 1
        if n and j - i >= 2:
            for k in range(i, j):
                row = "| " + " | ".join(c.strip() for c in ls[k].text.strip().split("\t")) + " |"
                out.append(Line(ls[k].no, row))
                if k == i:
                    out.append(Line(ls[k].no, "|" + "---|" * n))
            i = j
            continue
        out.append(ls[i])
        i += 1
    return out


def _framed(lines):
    """A title framed by rule lines, as an exercise site or a portal prints one
    ("-----" / "Exercise 1 of 3   Foot stretch" / "-----"): a heading. Only a short line with
    no end punctuation, a rule line right above it and right below it. Same line numbers."""
    if len(lines) > Lines.KEEP or sum(1 for ln in lines if _is_hr(ln.text)) < 4:
        return lines
    ls = list(lines)
    out: list[Line] = []
    for i, ln in enumerate(ls):
        s = ln.text.strip()
        if (
            0 < i < len(ls) - 1
            and s
            and len(s) <= 80
            and len(s.split()) <= 12
            and not s.endswith((".", ",", ";", "!", "?"))
            and not s.startswith(("#", "|"))
            and not _is_hr(s)
            and _is_hr(ls[i - 1].text)
            and _is_hr(ls[i + 1].text)
            and not LIST_MARK.match(ls[i - 1].text)
            and not LIST_MARK.match(ls[i + 1].text)
        ):
            out.append(Line(ln.no, "## " + s))
        else:
            out.append(ln)
    return out


def read_blocks(lines, starts: frozenset[int] = frozenset()) -> list[Block]:
    blocks: list[Block] = []
    open_block: Block | None = None  # a paragraph or item that a following line may continue
    stack: list[tuple[int, int]] = []  # open list items: (marker indent, content indent)
    blank = False
    table = 0
    in_table = False
    more: dict[int, list[str]] = {}
    raw_lines = _lazy(lines)
    if raw_lines is not None:  # a long draft: each block keeps its line numbers, not Line objects
        def one(ln: Line) -> LineRun:
            return LineRun(raw_lines, ln.no)
    else:
        def one(ln: Line) -> list[Line]:
            return [ln]
    for ln in lines:
        raw = ln.text
        if id(ln) in starts:  # a new message of a series: a new block, whatever came before
            open_block, blank, in_table, stack = None, True, False, []
        # blockquotes: strip the markers (each pass eats characters: linear)
        t = raw
        q = 0
        while q < 100:
            m = QUOTE.match(t)
            if not m or m.end() == 0:
                break
            t = t[m.end() :]
            q += 1
        if not t.strip():
            blank = True
            in_table = False
            continue
        if FENCE.match(t):
            open_block, blank, in_table = None, True, False
            continue
        if _is_hr(t) and not LIST_MARK.match(t):
            open_block, blank, in_table = None, True, False
            continue
        stripped = t.strip()
        indent = len(t) - len(t.lstrip(" \t"))
        # table rows
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if _is_separator_row(stripped):
                if blocks and blocks[-1].kind == "row" and ln.no - 1 <= blocks[-1].last <= ln.no:
                    blocks[-1].header = True
                in_table = True
                open_block, blank = None, False
                continue
            if not in_table and not (blocks and blocks[-1].kind == "row" and blocks[-1].last == ln.no - 1):
                table += 1
            b = Row("row", one(ln), text=stripped, table=table, blank_before=blank)
            blocks.append(b)
            open_block, blank = None, False
            continue
        in_table = False
        m = ATX.match(t)
        if m and indent <= 3:
            text = (m.group(2) or "").strip().rstrip("#").strip()
            if text:
                blocks.append(Heading("heading", one(ln), text=text, level=len(m.group(1)), blank_before=blank))
                open_block, blank = None, False
                stack = []
                continue
        lm = LIST_MARK.match(t)
        if lm and (lm.end() < len(t) or lm.group(2)[0].isdigit()):
            marker = lm.group(2)
            content = t[lm.end() :]
            mind = len(lm.group(1).expandtabs(4))
            if marker in WORD_SUB_LEVEL:
                mind += 4 * WORD_SUB_LEVEL[marker]  # unindented, the marker gives the level
            if not content.strip():
                blank = False
                continue
            while stack and stack[-1][0] >= mind and not (stack[-1][0] == mind and False):
                if stack[-1][0] > mind or stack[-1][0] == mind:
                    stack.pop()
                else:
                    break
            if (
                open_block is not None
                and open_block.kind == "para"
                and blocks[-1] is open_block
                and not blank
                and len(open_block.lines) == 1
                and open_block.depth == 0
                and not open_block.lazy
                and _bare_title(open_block.text)
            ):
                # "Your exercises" / "•<tab>Sit to stand": a plain line naming an element, a list under it
                p = open_block  # the last block read becomes a heading
                blocks[-1] = Heading("heading", p.lines, level=7, text=p.text.strip().rstrip(":").strip(), depth=p.depth, indent=p.indent,
                                     lead=p.lead, rest=p.rest, blank_before=p.blank_before, first=p.first, lazy=p.lazy)
                open_block = blocks[-1]
                stack = []
            if mind == 0 and marker[0].isdigit() and _section_item(content):
                # "1.<tab>Exercises" / "6.<tab>Goal" in a word-processor document: a numbered
                # section heading (its items, lettered or bulleted, are the section's)
                blocks.append(Heading("heading", one(ln), text=content.strip(), level=7, blank_before=blank))
                open_block, blank = None, False
                stack = []
                continue
            depth = len(stack) + 1
            cind = mind + len(marker) + 1
            stack.append((mind, cind))
            if len(stack) > MAX_DEPTH:  # deep nesting: cap the depth, keep reading
                stack = stack[-MAX_DEPTH:]
            b = Item("item", one(ln), text=content.strip(), first=content.strip(), depth=depth, indent=mind, content_indent=cind,
                      ordered=marker[0].isdigit() or marker[0] == "(" or (len(marker) == 2 and marker[0].isalpha()), blank_before=blank,
                      lettered=marker.strip("()").rstrip(".").isalpha() and len(marker) >= 2)
            blocks.append(b)
            open_block, blank = b, False
            continue
        ph = _plain_heading(t)
        if ph is not None and not (open_block is not None and open_block.kind == "item" and not blank and indent >= open_block.content_indent and ph[0][:1].islower()):
            blocks.append(Heading("heading", one(ln), text=ph[0], level=7, blank_before=blank))
            open_block, blank = None, False
            if indent == 0:
                stack = []
            continue
        ek = _emoji_bullet(stripped) if indent == 0 else 0
        if ek:
            # "✅ Chin tuck: ..." / "👉 Missed a day? ..." / "🔹 ...": an emoji leading a sentence
            # is a bullet, so each line is its own item (not one paragraph of three exercises)
            content = stripped[ek:].strip()
            stack = [(0, 2)]
            b = Item("item", one(ln), text=content, first=content, depth=1, indent=0, content_indent=2, ordered=False, blank_before=blank)
            blocks.append(b)
            open_block, blank = b, False
            continue
        # continuation of the open paragraph or item (lazy continuation included);
        # a line led by a label that names an element ("Missed a day: ...") starts its own block
        lab = LABEL_LEAD.match(stripped)
        if lab and open_block is not None and not blank and not (open_block.kind == "item" and indent > 0):
            if _label_element(lab.group(1)) in ELEMENT_SECTIONS or (open_block.kind == "para" and LABEL_LEAD.match(open_block.first)):
                open_block = None  # "Arm swings: ..." / "Hand and wrist moves: ...": one block each
        if (
            open_block is not None
            and open_block.kind == "item"
            and not blank
            and indent < open_block.content_indent
            and open_block.lines[-1].text.rstrip().endswith((".", "!", "?"))
        ):
            b = Block("para", one(ln), text=stripped, first=stripped, depth=0, indent=indent, lazy=True)
            blocks.append(b)
            open_block = b
            continue
        if (
            open_block is not None
            and open_block.lazy
            and not blank
            and len(open_block.lines) == 1
            and LABEL.match(open_block.first)
            and not LABEL.match(stripped)
            and open_block.lines[-1].text.rstrip().endswith((".", "!", "?"))
        ):
            # "- Heel raises: ... We ended with these." / "When: each night..." / "Pain up more than 2
            # points? ...": the label line is the list's; the line after it starts the rest of the text
            b = Block("para", one(ln), text=stripped, first=stripped, depth=0, indent=indent)
            blocks.append(b)
            open_block = b
            continue
        if open_block is not None and (not blank or (open_block.kind == "item" and indent >= open_block.content_indent)):
            if blank and open_block.kind == "item":
                # a new paragraph inside the item: its own block, same depth
                b = Block("para", one(ln), text=stripped, first=stripped, depth=open_block.depth, indent=indent, blank_before=True)
                blocks.append(b)
                open_block, blank = b, False
                continue
            open_block.lines.append(ln)
            more.setdefault(id(open_block), [open_block.text]).append(stripped)  # joined once at the end: linear
            blank = False
            continue
        depth = 0
        if stack and indent > 0:
            while stack and indent < stack[-1][1]:
                stack.pop()
            depth = len(stack)
        else:
            stack = []
        b = Block("para", one(ln), text=stripped, first=stripped, depth=depth, indent=indent, blank_before=blank)
        # a label line right under a list item ("How much: 20 pumps."): the item's, not a new section
        b.lazy = not blank and indent == 0 and bool(blocks) and (blocks[-1].kind == "item" or blocks[-1].lazy)
        blocks.append(b)
        open_block, blank = b, False
    for b in blocks:
        if id(b) in more:
            b.text = " ".join(more[id(b)])
        if b.kind in ("para", "item"):
            b.lead, b.rest = _lead(b.text)
            if b.lead is not None and len(b.lines) > 1 and _label_crosses_line(b):
                b.lead, b.rest = None, b.text  # "1. Quad sets" + "Sets: 2 / Repetitions: 10" is not "Quad sets Sets"
        if b.kind == "para" and b.lead is None and len(b.lines) > 1:
            f = b.first.strip()
            nm = NUM_PREFIX.match(f)
            core = f[nm.end() :] if nm else f  # "Exercise #2 - Shoulder blade squeeze": the name's own words
            # a numbered title may run longer ("STEP 3 - Table slides for your weaker arm")
            if f[:1].isupper() and 0 < len(core.split()) <= (7 if nm and nm.end() else 5) and not f.endswith((".", ",", ";", "!", "?", ":")):
                b.lead, b.rest = plain(f), b.text[len(b.first) :].strip()  # "Walking" / "Walk at an easy pace..."
    return blocks


def _section_item(content: str) -> bool:
    """A numbered item that only names an element ("Exercises", "Pain and missed days")."""
    c = content.strip()
    if not c or len(c) > 60 or c.endswith((".", ",", ";", "!", "?")) or ":" in c:
        return False
    return _numbered_section("1. " + c)


def _label_crosses_line(b: Block) -> bool:
    """A ``Label:`` lead found only in the block's joined lines: the label runs past the
    first line into the next one, so it is the next line's own label, not the block's
    (a bold lead may wrap; a plain label never does)."""
    first = b.first
    if "**" in first or "__" in first:
        return False
    return _lead(first)[0] is None


def _lead(text: str) -> tuple[str | None, str]:
    """(bold lead or label, the rest) of a paragraph or item."""
    s = text.strip()
    k = _symbol_prefix(s)
    s = s[k:]
    m = BOLD_LEAD.match(s) or ITALIC_LEAD.match(s)
    if m:
        lead = plain(m.group(1)).strip().rstrip(":.-–—").strip()
        rest = s[m.end() :].lstrip(" \t:.-–—")
        if m.re is BOLD_LEAD and m.group(1).strip() == lead:
            rr = _cue_rx()
            then = rr["then_word"].search(rest[:400]) if rr["if_then_word"].match(lead) else None
            if then:
                return _if_then(rest[then.end() :], text)
        if lead and (m.re is BOLD_LEAD or rest):
            return lead, rest
    num = NUM_PREFIX.match(s)
    if num and num.end() > 0:
        s2 = s[num.end() :]
        m = BOLD_LEAD.match(s2)
        if m:
            return plain(m.group(1)).strip().rstrip(":.").strip(), s2[m.end() :].lstrip(" \t:.-–—")
    m = LABEL_LEAD.match(s)
    if m:
        lead = m.group(1)
        num = EXERCISE_N.match(lead)
        # "Exercise 2, standing hip kick to the side: ...": the number is not one of the name's words
        if len((lead[num.end() :].lstrip(" ,.:)-–—") if num else lead).split()) <= 7:
            return plain(lead).strip(), s[m.end() :]
    return None, text


def _if_then(action: str, text: str) -> tuple[str | None, str]:
    """An if-then plan's sentence ("**When** you take the sling off, **then** do pendulums: PROM
    ..."): its name is in the action ("pendulums"), the rest is its how; an action that names
    no exercise ("**then** stop that one for today", "**then** log it in the portal") makes the
    sentence a rule or a routine, with no lead."""
    a = plain(action).strip()
    do = _cue_rx()["if_then_do"].match(a)
    if not do:
        return None, text
    a = a[do.end() :]
    # the name runs to the first colon or comma: "do pendulums: PROM ...", "do the mini squats,
    # holding the counter: ...", "do scap retraction in sitting, hold 5 sec, ..."
    k = min((i for i in (a.find(":", 0, 80), a.find(",", 0, 80)) if i > 0), default=-1)
    if k > 0 and len(a[:k].split()) <= 6 and not any(c in a[:k] for c in ".!?;"):
        return a[:k].strip(), a[k + 1 :].strip()
    return None, text


# -- step 2: segmentation -----------------------------------------------------------------------


def _scope(blocks: list[Block], i: int, sections_end: bool = False) -> int:
    """Index after the last block under heading i (with sections_end, a heading that names
    an element ends it too: "### Toe taps" then "🕗 **When and where**")."""
    lvl = blocks[i].level
    j = i + 1
    while j < len(blocks):
        b = blocks[j]
        if b.kind == "heading" and (b.level <= lvl or lvl == 7 or sections_end and classify_heading(b.text) in ELEMENT_SECTIONS and not _item_like_heading(b.text)):
            break
        if sections_end and j > i + 1 and _lost_heading(blocks, j):
            break  # "Side neck stretch" / its text / "If something happens" over the rules' bullets
        j += 1
    return j


def _lost_heading(blocks: list[Block], j: int) -> bool:
    """A heading whose style was lost in a paste: a short capitalised line of its own, after a
    blank line, with no end punctuation, and a list right under it."""
    b = blocks[j]
    if b.kind != "para" or not b.blank_before or len(b.lines) != 1 or b.depth or b.indent or j + 1 >= len(blocks):
        return False
    t = plain(b.text).strip()
    nxt = blocks[j + 1]
    return 0 < len(t.split()) <= 6 and t[:1].isupper() and not t.endswith((".", ",", ";", "!", "?", ":")) and nxt.kind == "item" and not nxt.blank_before


def _body_text(blocks: list[Block], a: int, b: int, limit: int = 1500) -> str:
    parts, size = [], 0
    for x in blocks[a:b]:
        if x.kind == "heading":
            continue
        parts.append(x.text)
        size += len(x.text)
        if size > limit:
            break
    return " ".join(parts)


def _classify_body(text: str) -> str | None:
    return _classify_body_in(text, _LANGUAGE.get())


@lru_cache(maxsize=1024)
def _classify_body_in(text: str, language: str) -> str | None:  # cached per language: the cues differ
    rx = _reader_rx(language)
    t = plain(text)
    for key, name in (("body_rules", "response_rules"), ("body_feedback", "feedback"), ("body_milestone", "milestone"), ("body_schedule", "schedule")):
        if rx[key].search(t):
            return name
    return None


def _item_like_heading(text: str) -> bool:
    return _numbered_heading(text) and not _numbered_section(text)


@lru_cache(maxsize=4096)
def _numbered_section_in(text: str, language: str) -> bool:
    if not _numbered_heading(text):
        return False
    raw = MD_INLINE.sub("", text).strip()
    c = raw[_symbol_prefix(raw) :].strip() if not raw[:1].isdigit() else raw
    m = NUM_PREFIX.match(c) or BARE_NUM.match(c)
    rest = _clean_heading(c[m.end() :] if m else c).strip(" :.-–—")
    # "## 6. Goal", "2.<tab>When", "3. Pain rules": a numbered section, not "## 2. Bridge"
    if not rest or len(rest.split()) > 5 or _movement_in(rest, language):
        return False
    return _classify_heading(rest, language) is not None


def _numbered_section(text: str) -> bool:
    """A numbered heading whose words name an element ("## 6. Goal"): a section of the draft."""
    return _numbered_section_in(text, _LANGUAGE.get())


def _numbered_heading(text: str) -> bool:
    raw = MD_INLINE.sub("", text).strip()
    c = raw[_symbol_prefix(raw):].strip() if not raw[:1].isdigit() else raw
    if not c[:1].isdigit():
        c = _clean_heading(text)
    return bool(NUM_PREFIX.match(c) and NUM_PREFIX.match(c).end() > 0) or bool(EXERCISE_N.match(c)) or bool(BARE_NUM.match(c))


def _names_two_elements(text: str) -> bool:
    """A heading whose words name two elements ("Check-in and goal", "Rules and check-in")."""
    pats = _heading_patterns(_LANGUAGE.get())
    t = _clean_heading(text)
    return sum(1 for k in ELEMENT_SECTIONS if pats[k].search(t)) >= 2


def _label_element(lead: str) -> str | None:
    """The element a lead names (``When:``, ``Pain rule``), or None for a name."""
    return _label_element_in(lead, _LANGUAGE.get())


@lru_cache(maxsize=4096)
def _label_element_in(lead: str, language: str) -> str | None:  # cached per language: the cues differ
    el = classify_heading(lead, language)
    if el in ELEMENT_SECTIONS:
        return el
    if _reader_rx(language)["not_exercise"].fullmatch(plain(lead).strip().rstrip(":")):
        return "other"
    return None


def _heading_elements(blocks: list[Block]) -> _Elements:
    """Element of each heading: its words; a program title is none; silent headings from their text."""
    out = _Elements(len(blocks))
    seen_heading = False
    last_at: dict[int, tuple[str | None, bool]] = {}
    for i, b in enumerate(blocks):
        if b.kind != "heading":
            continue
        first_heading, seen_heading = not seen_heading, True
        end = _scope(blocks, i)
        el = classify_heading(b.text)
        if _item_like_heading(b.text):
            el = None
        if b.level < 7:
            # the heading before this one at its level: (its element, a movement under it)
            before = last_at.get(b.level)
            for lv in [lv for lv in last_at if lv > b.level]:
                del last_at[lv]
            moves = _movement_items(blocks[i + 1 : end])
            if (
                el == "exercises"
                and before is not None
                and before[0] is None
                and before[1]
                and moves
                and not any(x.kind == "heading" and b.level < x.level < 7 for x in blocks[i + 1 : end])
            ):
                # "### Calf stretch at the wall" after "### Press the gas pedal", each over its own
                # how: one more exercise, not the exercises section
                el = None
        if el == "exercises" or el is None:
            # a title that names the program: sections below it name other elements
            subs = [classify_heading(x.text) for x in blocks[i + 1 : end] if x.kind == "heading"]
            leads = []
            under_item = False  # "How much:" under "### 1. Ankle alphabet" is the exercise's own label
            for x in blocks[i + 1 : end]:
                if x.kind == "heading":
                    under_item = _item_like_heading(x.text)
                elif x.kind in ("para", "item") and x.lead and x.depth <= 1 and not under_item:
                    leads.append(_label_element(x.lead))
            if any(s in ELEMENT_SECTIONS for s in subs) or sum(1 for s in leads if s in ELEMENT_SECTIONS) >= 2:
                el = None
                out[i] = None
                if b.level < 7:
                    last_at[b.level] = (None, False)  # a program title: no exercise's sibling
                continue
        if el is None and not _item_like_heading(b.text) and not (first_heading and b.level <= 2 or first_heading and i <= 1):
            body = _body_text(blocks, i + 1, end)
            if body and not _movement_items(blocks[i + 1 : end]):
                el = _classify_body(b.text + ". " + body)
        out[i] = el
        if b.level < 7:
            last_at[b.level] = (el, moves)
    return out


def _movement_items(blocks: list[Block]) -> bool:
    return any(_movement(x.text) for x in blocks if x.kind != "heading")


class _Position:
    """A block's index in the draft's blocks, found by its line (blocks are in line order; no
    table of every block held)."""

    __slots__ = ("_blocks",)

    def __init__(self, blocks: list[Block]):
        self._blocks = blocks

    def __getitem__(self, b: Block) -> int:
        blocks = self._blocks
        i = bisect.bisect_left(blocks, b.line, key=_block_line)
        while blocks[i] is not b:
            i += 1
        return i


def _block_line(b: Block) -> int:
    return b.line


@dataclass(slots=True)
class _Cand:
    name: str
    line: int
    blocks: list[Block]
    text: str
    doses: tuple[int, ...] = ()  # a table's dose columns


def _not_exercise(c: _Cand) -> bool:
    """A label ("Pain: ...", "Tick it off: ...") or a red flag, whatever its shape."""
    rx = _cue_rx()
    name = plain(c.name).strip()
    if name and _label_element(name) and not _movement(name):
        return True
    if name and rx["conditional_name"].match(name):
        return True  # "If your heel complains." / "If you sleep in": a situation and its rule
    after = c.text.rpartition(":")[2].strip()
    if after and len(after.split()) <= 6 and rx["red_flag_item"].match(after):
        # "Foot or toes turn cold, pale or blue: call 911." -- what follows the colon is only
        # where to go, whatever movement words name the sign
        return True
    b = c.blocks[0]
    if b.kind == "item" and b.lead is None:
        first = sentences(plain(b.text[:300]))[:1]
        rr = _reader_rx(_LANGUAGE.get())
        fb = rr["body_feedback"].search(first[0]) if first else None
        if fb and not rr["movement"].search(first[0][: fb.start()] + " " + first[0][fb.end() :]):
            return True  # '* Tap "done" in the Lakeshore PT app each morning.': the log line, not a move
    if rx["red_flag_item"].search(c.text) and not rx["movement"].search(c.text.split(":")[0] if ":" in c.text else ""):
        # "Calf pain, warmth or swelling: call the clinic today" is a red flag, not a move
        if not _movement(c.text) or rx["red_flag_item"].search(c.text[:80]):
            return True
    return False


def _named(c: _Cand) -> bool:
    """The candidate has a name of its own: a bold or ``Name:`` lead, a heading, a table row."""
    b = c.blocks[0]
    if b.kind == "item" and b.lead is None and len(b.lines) == 1 and (_bare_name(b.text) or _name_line(b)):
        return True  # "- Patellar mobilization" in a protocol's list of names; large print's "3. TANDEM STANCE."
    return b.kind in ("heading", "row") or (b.lead is not None and bool(c.text.strip()))


def _bare_item(c: _Cand) -> bool:
    """A one-line list item that is only a name ("2. SLR", "- Heel slides, AROM")."""
    b = c.blocks[0]
    return b.kind == "item" and b.depth <= 1 and b.lead is None and len(c.blocks) == 1 and len(b.lines) == 1 and _bare_name(b.text)


def _exercises_of(cands: list[_Cand]) -> list[_Cand]:
    """The exercises of one candidate list: those that carry movement instructions, and their
    siblings of the same shape (named the same way, not a label or red flag) when at least two
    do -- "3. **Bike**: Easy pace on your exercise bike." sits in a list of moves."""
    moving = [_is_exercise(c) for c in cands]
    if sum(moving) == 1 and len(cands) >= 2 and all(_bare_item(c) and not _not_exercise(c) for c in cands):
        # "1. Quad sets" / "2. SLR" / "3. Heel slides, AROM": a list of bare names, one of them a
        # move the reader knows, is a list of exercises however few of the names it knows
        return list(cands)
    if sum(moving) < 2:
        return [c for c, m in zip(cands, moving) if m]
    shape = {(c.blocks[0].kind, c.blocks[0].ordered) for c, m in zip(cands, moving) if m and _named(c)}
    # (a heading with no text of its own under it, "DEPARTURE TIMES" over "Every day:", titles a section)
    return [c for c, m in zip(cands, moving) if m or (
        _named(c) and (c.blocks[0].kind, c.blocks[0].ordered) in shape and not _not_exercise(c) and not (c.blocks[0].kind == "heading" and not c.text.strip()))]


def _is_exercise(c: _Cand) -> bool:
    if _not_exercise(c):
        return False
    if _movement(c.name + ". " + c.text):
        return True
    # a name with its dose on the lines below ("Quad sets" / "Sets: 2 / Repetitions: 10")
    return any(LABEL.match(_strip_markers(ln.text)) for x in c.blocks[:3] for ln in x.lines[1:4] + (x.lines[:1] if x is not c.blocks[0] else []))


def _groups(blocks: list[Block], helems: _Elements) -> list[tuple[int, list[_Cand]]]:
    """Candidate exercise lists: (index of the first block, items)."""
    groups: list[tuple[int, list[_Cand]]] = []
    n = len(blocks)
    # list items at the same depth in one list run; bold-lead / label paragraphs in a run
    i = 0
    in_run: set[int] = set()
    while i < n:
        b = blocks[i]
        if i in in_run:
            i += 1
            continue
        if b.kind == "para" and b.lead and (_section_label(b) or _list_label(b)):
            i += 1  # "Plan: every morning..." starts no run of exercises (the list under it may)
            continue
        if b.kind == "item" and b.lettered and b.depth > 1:
            i += 1  # "(a) ..." "(b) ..." under "1. Heel slides": the item's sub-steps, not a list of its own
            continue
        if b.kind in ("item", "para") and (b.kind == "item" or b.lead):
            j = i
            run: list[int] = []
            base = b.depth if b.kind == "item" else 0
            kind = b.kind
            while j < n:
                x = blocks[j]
                if x.kind == "heading" or x.kind == "row":
                    break
                if kind == "item":
                    if x.kind == "item" and x.depth == base:
                        run.append(j)
                    elif x.kind == "item" and x.depth < base:
                        break
                    elif x.kind == "para" and x.lazy and base == 1:
                        # inside the list (a dose label, or another item follows) it is the item's text
                        nxt = blocks[j + 1] if j + 1 < n else None
                        if not (LABEL.match(x.text) or (nxt is not None and nxt.kind == "item" and nxt.depth == base)):
                            break
                    elif x.kind == "para" and x.depth < base and x.indent == 0:
                        break
                else:
                    if x.kind == "para" and x.depth == 0 and x.lead and (_section_label(x) or _list_label(x)):
                        break  # "Rules: ..." after the last bold-lead exercise
                    if x.kind == "para" and x.depth == 0 and x.lead:
                        run.append(j)
                    elif x.kind == "item" and x.depth == 1:
                        pass  # steps or labels under a bold-lead item
                    elif x.kind == "para" and x.depth == 0 and not x.lead and x.indent == 0:
                        break  # a plain paragraph ends a run of bold-lead paragraphs
                j += 1
            in_run.update(run)
            cands = []
            for k, idx in enumerate(run):
                stop = run[k + 1] if k + 1 < len(run) else j
                if k + 1 == len(run) and kind == "item":
                    stop = idx + 1
                    if stop < n and blocks[stop].lazy and blocks[stop].kind == "para" and (
                        _name_line(blocks[idx]) or len(run) >= 2 and all(blocks[r + 1].lazy and blocks[r + 1].kind == "para" for r in run[:-1])
                    ):
                        # "3. STANDING ON ONE LEG." then its lines: the last item's text too, as
                        # every item before it has its lines below it
                        stop += 1
                    while stop < j and (not blocks[stop].lazy or LABEL.match(blocks[stop].text)) and blocks[stop].kind != "heading":
                        stop += 1
                own = [blocks[idx]] + [x for x in blocks[idx + 1 : stop] if x.kind != "heading" and (x.depth > base or (x.lazy and kind == "item") or (kind == "para" and x.kind == "para" and not x.lead) or (kind == "para" and x.kind == "item"))]
                bl = blocks[idx]
                name, rest = _item_name(bl)
                if len(own) > 1 and not bl.lead and len(bl.lines) == 1 and _bare_name(bl.text):
                    name, rest = plain(bl.text).rstrip(":").strip(), ""  # "- Open and close your hand" over its text
                cands.append(_Cand(name, bl.line, own, _head_text([rest] + [x.text for x in own[1:8]])))
            if cands:
                groups.append((i, cands))
            if kind == "para" and cands and not any(_is_exercise(c) for c in cands):
                # "When: ..." / "Where: ..." / "Trigger: ..." over "1) Chin tuck ...": labels, not
                # moves, so the list under them starts its own run
                i = run[0] + 1  # (the items between two labels too: "WHERE: ..." / "1. STRAIGHT LEG LIFT: ..." / "TOTAL TIME: ...")
                continue
            i = max(j, i + 1) if kind == "para" else i + 1
            # nested lists start their own runs too
            continue
        i += 1
    # item runs split only by sub-headings that name no element ("STRENGTH", "BALANCE"): one list
    merged: list[tuple[int, list[_Cand]]] = []
    last_end = -1
    pos = _Position(blocks)
    for start, cands in groups:
        if (
            merged
            and last_end >= 0
            and all(blocks[k].kind == "heading" and helems.get(k) is None for k in range(last_end, start))
            and start > last_end
            and sum(1 for c in cands if _is_exercise(c)) * 2 > len(cands)  # "PRECAUTIONS" over its bullets is not "BALANCE"
        ):
            merged[-1] = (merged[-1][0], merged[-1][1] + cands)
        elif merged:
            merged.append((start, cands))
        else:
            merged.append((start, cands))
        last_end = max(pos[x] for c in cands for x in c.blocks) + 1
    if len(merged) < len(groups):
        groups = groups + [g for g in merged if g not in groups]
    # headings of the same level, each with its text under it
    by_level: dict[int, list[int]] = {}
    runs: list[list[int]] = []  # closed runs of same-level headings
    steps_under: set[int] = set()  # list items that are the steps of an exercise heading
    for i, b in enumerate(blocks):
        if b.kind == "heading" and helems.get(i) not in (None, "exercises") and b.level in by_level:
            # "MY RULES" between "Sit to stand" and "CALL THE CENTER THE SAME DAY": a heading that
            # names another element ends the run; the headings after it are that section's own
            runs.append(by_level.pop(b.level))
        if b.kind == "heading" and helems.get(i) in (None, "exercises"):
            end = _scope(blocks, i, sections_end=True)
            inner = blocks[i + 1 : end]
            if helems.get(i) == "exercises":
                # "### Hand and wrist moves": one exercise, not a section holding a list
                if not inner or any(x.kind in ("heading", "item", "row") or x.lead for x in inner):
                    continue
            elif sum(1 for x in inner if x.kind == "item" and x.depth == 1) >= 2:
                tops = [x for x in inner if x.kind == "item" and x.depth == 1]
                if not _step_list(tops) and (sum(1 for x in tops if _names_a_move(x)) >= 2 or not _lines_of_one(tops)):
                    continue  # "STRENGTH" over a numbered list: a group heading, not an exercise
                steps_under.update(k for k in range(i + 1, end) if blocks[k].kind == "item")
            by_level.setdefault(b.level, []).append(i)
    for idxs in runs + list(by_level.values()):
        numbered = [i for i in idxs if _item_like_heading(blocks[i].text)]
        if len(numbered) >= 2:
            # "## 1. Ankle pumps" ... "## 9. Standing knee bends", then "## Walking aids": the
            # numbered headings are the exercises, the others are the leaflet's other sections
            idxs = numbered
        cands = []
        for i in idxs:
            end = _scope(blocks, i, sections_end=True)
            own = []
            for x in blocks[i + 1 : end]:
                # "**When and where.** Every morning..." after the last exercise starts the next section
                if x.kind == "para" and x.lead and not LABEL.match(x.text) and not LABEL.match(_strip_markers(x.text)) and _label_element(x.lead) in ELEMENT_SECTIONS:
                    break
                own.append(x)
            nm = _clean_heading(blocks[i].text)
            m = NUM_PREFIX.match(nm) or BARE_NUM.match(nm)
            if m:
                nm = nm[m.end() :]
            cands.append(_Cand(nm.strip(" :.-–—"), blocks[i].line, [blocks[i]] + own, _head_text([x.text for x in own[:8]])))
        if cands:
            groups.append((idxs[0], cands))
    if steps_under and any(len(c) >= 2 for s0, c in groups if blocks[s0].kind == "heading"):
        # "### Chin tuck" / "1. Sit in a firm chair." ...: the numbered steps are not the exercise list
        groups = [g for g in groups if blocks[g[0]].kind == "heading" or g[0] not in steps_under]
    # paragraphs led by a name and a full stop ("Chin tucks. Sit tall and ..."), two or more in a row
    k = 0
    while k < n:
        run = []
        while k < n and _stop_lead(blocks[k]):
            run.append(k)
            k += 1
        sep = [blocks[x].lead is not None or bool(DASH_LEAD.match(blocks[x].text)) for x in run]
        if len(run) >= 3 and not sep[0] and all(sep[1:]):
            run = run[1:]  # "You worked hard today. These three will help you stand ..." leads in
        if len(run) >= 2 or len(run) == 1 and run[0] > 0 and _slot_line(blocks[run[0] - 1], helems.get(run[0] - 1)):
            # (one alone counts under a time slot: "EVENING - after the news" / "Sit to stand. ...")
            cands = []
            for idx in run:
                name, rest = _item_name(blocks[idx])
                cands.append(_Cand(name, blocks[idx].line, [blocks[idx]], _head_text([rest])))
            groups.append((run[0], cands))
        k += 1 if not run else 0
    # table rows
    tables: dict[int, list[int]] = {}
    doses: dict[int, tuple[int, ...]] = {}
    for i, b in enumerate(blocks):
        if b.kind == "row" and not b.header:
            tables.setdefault(b.table, []).append(i)
        elif b.kind == "row" and b.table not in doses:
            # "| Exercise | How much |": a column headed by a dose label holds the dose, not the how
            doses[b.table] = tuple(j for j, h in enumerate(b.cells) if j and LABEL.match(plain(h).strip().rstrip(":") + ":"))
    for t, idxs in tables.items():
        rows = array("I", (i for i in idxs if _row_cand(blocks[i], ()) is not None))
        if rows:
            cands = _RowCands(blocks, rows, doses.get(t, ()))
            groups.append((idxs[0], cands if len(rows) > _RowCands.KEEP else list(cands)))
    return groups


def _row_cand(b: Block, doses: tuple[int, ...]) -> _Cand | None:
    """A table row as a candidate exercise, or None (no name in its first cell)."""
    cells = b.cells
    if not cells or not plain(cells[0]):
        return None
    nm, rest = _cell_name(cells[0])
    if len(nm.split()) > 8:
        return None  # "| Do all three every morning after breakfast. | Don't wait ... |": a sentence, not a name
    return _Cand(nm, b.line, [b], " ".join([rest, *cells[1:]]), doses)


class _RowCands:
    """A long table's candidate exercises, each made when read (the rows are held by index,
    4 bytes a row, not a candidate per row while the exercise list is chosen). Two reads of a
    row give equal, not identical, candidates."""

    __slots__ = ("_blocks", "_rows", "_doses")
    KEEP = 500  # a table of up to this many rows keeps its candidates in a list

    def __init__(self, blocks: list[Block], rows: array, doses: tuple[int, ...]):
        self._blocks, self._rows, self._doses = blocks, rows, doses

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self._rows)))]
        return _row_cand(self._blocks[self._rows[i]], self._doses)

    def __iter__(self):
        blocks, doses = self._blocks, self._doses
        for i in self._rows:
            yield _row_cand(blocks[i], doses)


def _line_leads_split(blocks: list[Block]) -> list[Block]:
    """A plain-text paragraph whose every line is a named move ("Squeeze the ball. Hold the soft
    ball ..." / "Table slides. Put your left hand ..."): one block per line, as if each were an
    item (a paragraph of wrapped prose never has a name and a full stop opening each line)."""
    out: list[Block] | None = None
    for k, b in enumerate(blocks):
        parts = None
        if b.kind == "para" and b.depth == 0 and b.indent == 0 and 2 <= len(b.lines) <= 12 and (b.lead is None or b.lead == plain(b.first).strip()):
            parts = []
            for i, ln in enumerate(b.lines):
                t = ln.text.strip()
                one = Block("para", [ln], text=t, first=t)
                one.lead, one.rest = _lead(t)
                if i == 0 and _slot_line(one, None):
                    parts.append(one)  # "MORNING - after you take your pills" over the morning's moves
                    continue
                if i == 0 and _bare_title(t) and classify_heading(t) == "exercises":
                    # "Exercises" over "Straight leg lift - Tighten thigh, lift leg. - 10 times" lines
                    parts.append(Heading("heading", [ln], text=t.rstrip(":").strip(), level=7, blank_before=b.blank_before))
                    continue
                if i == 0 and one.lead is None and not DASH_LEAD.match(t):
                    # "Three things. First, the press-up on your elbows: lie on ...": a lead-in
                    # sentence, then the first move named by a label or a dash on the same line
                    cut = next((m.end() for m in SENTENCE_END.finditer(t, 0, 200) if _sep_lead(_one_line(Line(ln.no, t[m.end() :])))), None)
                    if cut is not None:
                        parts.append(_one_line(Line(ln.no, t[:cut].rstrip())))
                        parts.append(_one_line(Line(ln.no, t[cut:])))
                        continue
                if not _stop_lead(one) or one.lead is not None and len(b.lines) > 1 and not LABEL_LEAD.match(t):
                    parts = None
                    break
                parts.append(one)
            if parts and len(parts) == 1:
                parts = None
        if parts:
            if out is None:
                out = blocks[:k]
            parts[0].blank_before = b.blank_before
            out.extend(parts)
        elif out is not None:
            out.append(b)
    return blocks if out is None else out


def _sep_lead(b: Block) -> bool:
    """A move named by a label or a dash ("Bridge: lie on ...", "Bridge - lie on ...")."""
    return _stop_lead(b) and (b.lead is not None or bool(DASH_LEAD.match(b.text)))


def _one_line(ln: Line) -> Block:
    t = ln.text.strip()
    b = Block("para", [ln], text=t, first=t)
    b.lead, b.rest = _lead(t)
    return b


def _ordinal_name(sentence: str) -> str | None:
    """"The first one is the thigh squeeze." -> "thigh squeeze" (a letter names its exercises so)."""
    m = _reader_rx(_LANGUAGE.get())["ordinal_intro"].match(sentence)
    if not m:
        return None
    name = sentence[m.end() :].strip().rstrip(".").strip()
    return name if 1 <= len(name.split()) <= 6 else None


def _stop_lead(b: Block) -> bool:
    """A paragraph led by a short name and a full stop, the rest a movement: "Chin tucks. Sit
    tall and gently slide your chin straight back." (an email's unnumbered exercises)."""
    if b.kind != "para" or b.depth != 0 or b.indent != 0:
        return False
    if b.lead is not None:
        # "Pendulum: lean on the table ..." beside "Wall slide - stand facing ...": one run
        m = LABEL_LEAD.match(b.text)
        return bool(m) and plain(m.group(1)).strip() == b.lead and _label_element(b.lead) is None and not LABEL.match(b.text) and _movement(b.rest[:300])
    if b.text.rstrip().endswith(":"):  # "... Your moves:" leads in
        return False
    dm = DASH_LEAD.match(b.text)
    if dm:  # "Ankle circles - sit and draw slow circles with your foot."
        name, parts = plain(dm.group(1)).strip(), ["", plain(b.text[dm.end() : 600])]
    else:
        parts = sentences(plain(b.text[:600]))
        if len(parts) < 2 or not parts[0].endswith("."):
            return False
        name = parts[0][:-1].strip()
        named = _ordinal_name(parts[0])
        if named:
            name = named[:1].upper() + named[1:]
    words = name.split()
    if not 1 <= len(words) <= 6 or not name[:1].isupper() or any(ch.isdigit() for ch in name):
        return False
    if _label_element(name) is not None:
        return False
    return _movement(" ".join(parts[1:3]))


def _cell_name(cell: str) -> tuple[str, str]:
    """(name, how) of an Exercise cell: "Calf stretch at the wall: hands on the wall, ..." holds both."""
    nm = plain(cell)
    m = NUM_PREFIX.match(nm)
    if m:
        nm = nm[m.end() :]
    lead = LABEL_LEAD.match(nm)
    if lead and len(lead.group(1).split()) <= 7 and nm[lead.end() :].strip():
        return lead.group(1).strip(), nm[lead.end() :].strip()
    parts = sentences(nm[:600])
    if len(parts) > 1 and len(parts[0].split()) <= 6:
        return parts[0].rstrip(".").strip(), nm[len(parts[0]) :].strip()
    return nm, ""


def _bare_name(t: str) -> bool:
    s = plain(t).strip()
    return 0 < len(s.split()) <= 6 and not s.endswith((".", ",", ";", "!", "?")) and ":" not in s.rstrip(":")


def _section_label(b: Block) -> bool:
    """A paragraph led by a label naming an element ("Plan:", "Rules:"), not a dose label."""
    return _label_element(b.lead) in ELEMENT_SECTIONS and not LABEL.match(b.text)


def _name_line(b: Block) -> bool:
    """A list item that only names the exercise, large-print style: "3. TANDEM STANCE."."""
    t = plain(b.text).strip().rstrip(".").strip()
    return b.kind == "item" and b.lead is None and len(b.lines) == 1 and 0 < len(t.split()) <= 6 and not any(c in t for c in ".!?;:,")


def _list_label(b: Block) -> bool:
    """"Program: Low back pain - home exercises": a one-line label naming the exercise list, not an exercise."""
    return len(b.lines) == 1 and (classify_heading(b.lead) == "exercises" or _label_element(b.lead) == "other") and not _movement(b.rest)


def _names_a_move(x: Block) -> bool:
    """An item led by a name ("Bridge: ...", "- Heel slides", "3. TANDEM STANCE."), not a dose
    ("10 times") or a tie-back sentence ("The first one we did today.")."""
    t = plain(x.text).strip()
    return x.lead is not None or (_bare_name(x.text) and not any(c.isdigit() for c in t)) or (_name_line(x) and t.isupper())


def _lines_of_one(items: list[Block]) -> bool:
    """A heading's few unnamed bullets that are one exercise's lines: its how, the tie-back, the
    dose ("- Lie on your side ... / - Same as the first one we did today. / - 15 times"), not
    moves of their own (one or two of them carry a movement, at most about half) and no rule,
    check-in or red flag."""
    if not 2 <= len(items) <= 5:
        return False
    moving = sum(1 for x in items if _movement(x.text))
    if not 1 <= moving <= 2 or moving * 2 > len(items) + 1:
        return False
    if not any(_movement(x.text) and len(plain(x.text).split()) >= 6 for x in items):
        return False  # "Face the wall" / "Foot back" / "Heel down" / "Lean": a step list of fragments
    rx = _cue_rx()
    # a rules or check-in list under its heading ("Chef's notes": pain, missed day, 911) is not an exercise's lines
    return not any(_classify_body(x.text) in ("response_rules", "feedback", "milestone") or rx["red_flag_item"].search(x.text) or _reader_rx(_LANGUAGE.get())["body_rules"].search(x.text) for x in items)


def _step_list(items: list[Block]) -> bool:
    """A list of steps ("1. Sit in a firm chair." "2. Put both feet flat on the floor."): unnamed
    items of one short sentence each, not named exercises ("1. Sit to stand: ...")."""
    for x in items:
        if x.lead is not None or len(x.lines) > 2:
            return False
        t = plain(x.text)
        if len(t.split()) > 14 or len(sentences(t)) > 1:
            return False
    return True


def _head_text(parts: list[str], limit: int = 800) -> str:
    """The start of an item's text: enough to tell a movement from a label (bounded: linear)."""
    return " ".join(parts)[:limit]


def _item_name(b: Block) -> tuple[str, str]:
    if b.lead:
        nm = b.lead
        m = NUM_PREFIX.match(nm)
        if m:
            nm = nm[m.end() :]
        if not nm.strip() or NUMBERED_LABEL.fullmatch(nm.strip()):
            named = _numbered_label_name(b)
            if named:
                return named
        om = _cue_rx()["ordinal_lead"].match(nm.strip())
        if om and nm.strip()[om.end() :].strip():
            nm = nm.strip()[om.end() :]  # "Third, the walk: an easy 15-minute walk ..." names the walk
        return nm.strip(), b.rest
    s = b.text
    m = NUM_PREFIX.match(s)
    if m and b.kind == "para":
        s = s[m.end() :]
    if len(b.lines) > 1:
        f = plain(b.first)
        fm = NUM_PREFIX.match(f)
        if fm and b.kind == "para":
            f = f[fm.end() :]
        if f and len(f.split()) <= 6 and not f.rstrip().endswith((".", ",", ";")):
            return f.strip().rstrip(":").strip(), s[len(s) - len(s) + s.find(b.lines[1].text.strip()) :] if b.lines[1].text.strip() in s else ""
    dm = DASH_LEAD.match(s)
    if dm and len(dm.group(1).split()) <= 6:
        return plain(dm.group(1)), s[dm.end() :]
    pn = _paren_name(b)
    if pn:
        return pn
    parts = sentences(plain(s))
    named = _ordinal_name(parts[0]) if len(parts) > 1 else None
    if named:
        return named, " ".join(parts[1:])  # "The first one is the thigh squeeze. Sit in the chair ..."
    if parts and len(parts[0].split()) <= 6 and len(parts) > 1:
        return parts[0].rstrip("."), " ".join(parts[1:])
    if parts and len(parts[0].split()) <= 5 and len(b.lines) > 1:
        return parts[0].rstrip("."), ""
    return " ".join(plain(s).split()[:4]), s


def _numbered_label_name(b: Block) -> tuple[str, str] | None:
    """"Move 1: Wall push" over its text (or "Drill 2: Heel raises. Hold the counter ..."): a
    label word and a number are the label, the name follows the colon -- on the rest of the
    line, or as a short first sentence before the how."""
    f = plain(b.first).strip()
    lead = LABEL_LEAD.match(f)
    if not lead:
        return None
    tail = f[lead.end() :].strip()
    if not tail:
        return None
    if _bare_name(tail) and not any(c.isdigit() for c in tail):
        # the name is the rest of the first line: the text starts on the next line
        k = b.rest.find(b.lines[1].text.strip()) if len(b.lines) > 1 else -1
        return tail.rstrip(":").strip(), b.rest[k:] if k >= 0 else ""
    parts = sentences(plain(b.rest)[:600])
    if len(parts) > 1 and parts[0].endswith(".") and 1 <= len(parts[0].split()) <= 6 and _bare_name(parts[0][:-1]) and not any(c.isdigit() for c in parts[0]) and _movement(" ".join(parts[1:3])):
        return parts[0][:-1].strip(), " ".join(parts[1:])  # "Move 2: Heel raises. Hold the counter ..."
    return None


def _paren_name(b: Block) -> tuple[str, str] | None:
    """"Thigh squeeze (we did this first today)" over its sub-steps: the name, and the aside."""
    f = plain(b.first).strip()
    k = f.find("(")
    if len(b.lines) != 1 or k <= 0 or not f.endswith(")") or f.endswith(".)") or len(f) > 80:
        return None
    name = f[:k].strip()
    if not 1 <= len(name.split()) <= 6 or any(c in name for c in ".!?;:"):
        return None
    return name, f[k + 1 : -1].strip()


def _name_key(name: str) -> str:
    return " ".join(plain(name).lower().strip(" :.-–—").split())


def _joined(best: list[_Cand], groups: list[tuple[int, list[_Cand]]]) -> list[_Cand]:
    """A table of names and doses with the descriptions written below it under the same names
    ("| Bridge | 10 times |" ... "**Bridge:** Lie on your back ..."): one exercise each, the
    row and its paragraph together."""
    if len(best) < 2 or not all(c.blocks[0].kind == "row" for c in best):
        return best
    keys = [_name_key(c.name) for c in best]
    if len(set(keys)) != len(keys):
        return best
    for _, cands in groups:
        if cands is best or any(c.blocks[0].kind == "row" for c in cands):
            continue
        by_name = {_name_key(c.name): c for c in cands if c.blocks[0].lead}
        if all(k in by_name for k in keys):
            return [replace(c, blocks=c.blocks + by_name[k].blocks, text=_head_text([c.text, by_name[k].text])) for c, k in zip(best, keys)]
    return best


def _slot_line(b: Block, el: str | None) -> bool:
    """A line naming a time slot of the plan ("Morning (after you brush your teeth)", "EVENING -
    after the news", "### Before bed"): a heading that names no other element, or a one-line
    paragraph that is not a sentence."""
    t = plain(b.text).strip()
    if not _reader_rx(_LANGUAGE.get())["time_slot"].search(t):
        return False
    if b.kind == "heading":
        return el in (None, "schedule")
    return b.kind == "para" and len(b.lines) == 1 and b.depth == 0 and 0 < len(t.split()) <= 14 and not t.endswith((".", "!", "?", ":")) and not _movement(t)


def _slots_joined(best: list[_Cand], groups, blocks: list[Block], helems: dict[int, str | None], position) -> list[_Cand]:
    """The exercises of a plan split by time of day ("Morning ..." / two moves / "Evening ..." /
    one move): lists of the same shape, each under its own slot line, are one exercise list."""
    if not best or best[0].blocks[0].kind not in ("item", "para"):
        return best

    def shape(c: _Cand):
        b = c.blocks[0]
        return (b.kind, b.depth, b.ordered, b.lead is not None)

    def span(cands: list[_Cand]) -> tuple[int, int]:
        idx = [position[x] for c in cands for x in c.blocks]
        return min(idx), max(idx)

    want = {shape(c) for c in best}
    if len(want) != 1:
        return best
    lo, hi = span(best)
    others = []
    for _, cands in groups:
        ex = [c for c in cands if _is_exercise(c)]
        if not ex or len(ex) != len(cands) or any(shape(c) not in want for c in ex):
            continue
        a, b = span(ex)
        if b < lo or a > hi:
            others.append((a, b, ex))
    joined = list(best)
    for a, b, ex in sorted(others, key=lambda o: -o[0]):  # before the list: nearest first
        if b < lo and lo - b >= 2 and all(_slot_line(blocks[k], helems.get(k)) for k in range(b + 1, lo)):
            joined, lo = ex + joined, a
    for a, b, ex in sorted(others, key=lambda o: o[0]):  # after it: nearest first
        if a > hi and a - hi >= 2 and all(_slot_line(blocks[k], helems.get(k)) for k in range(hi + 1, a)):
            joined, hi = joined + ex, b
    return joined


def _visual_paragraphs(blocks: list[Block]) -> list[tuple[int, int]]:
    """(first, end) block indices of each run of blocks between blank lines (what the eye
    reads as one card or note, whatever its lines are read as)."""
    out, start = [], None
    for i, b in enumerate(blocks):
        if start is None or b.blank_before:
            if start is not None:
                out.append((start, i))
            start = i
    if start is not None:
        out.append((start, len(blocks)))
    return out


_BRACKETED = re.compile(r"[ \t]*+[\[(].{0,80}[\])][ \t]*+$")


_CARD_LINES = 60  # at most this many lines make one card


def _cards(blocks: list[Block], owner: list[str | None]) -> list[tuple[_Cand, ExerciseItem]]:
    """Exercises written as cards or notes of any shape, each set off by blank lines: its first
    line names it (or labels the card: "[NOTE 1 - stick on the mirror]", the name then on the
    next line), its lines carry a movement, and it is no rules, feedback or goal text. Two or
    more such cards in a row are the exercises (read only when nothing else was found)."""
    if len(blocks) > 2000:
        return []
    found: list[tuple[_Cand, ExerciseItem]] = []
    run: list[tuple[_Cand, ExerciseItem]] = []
    rx = _cue_rx()
    for a, z in _visual_paragraphs(blocks):
        own = [x for x in blocks[a:z] if x.kind != "heading"]
        size = sum(len(x.lines) for x in own)
        # a card is short: a paragraph of thousands of lines is none (and makes no Line for each)
        lines = [ln for x in own for ln in x.lines] if 2 <= size <= _CARD_LINES else []
        text = " ".join(x.text for x in own)[:1500] if lines else ""
        ok = (
            len(lines) >= 2
            and all(owner[k] in (None, "exercises", "schedule") for k in range(a, z))
            and all(x.kind in ("para", "item") for x in own)
            and _movement(text)
            and not rx["red_flag_item"].search(text)
            and not (rx["body_feedback"].search(text) or rx["body_milestone"].search(text) or rx["body_rules"].search(text))
        )
        if not ok:
            if len(run) >= 2:
                found = run
                break
            run = []
            continue
        k = 0
        name = plain(lines[0].text).strip()
        if _BRACKETED.match(lines[0].text) and len(lines) >= 3 and _bare_name(lines[1].text):
            k, name = 1, plain(lines[1].text).strip()  # the card's label, then its name
        dm = DASH_LEAD.match(name)
        if dm and NUM_PREFIX.match(name) is None and re.match(r"[^\W\d_]{1,12}[ \t]++#?\d{1,2}\b", name):
            name = name[dm.end() :]  # 'ROUTINE 1 - "Morning balance"'
        name = name.strip(" []()\"'“”:")
        if not name or len(name.split()) > 8:
            if len(run) >= 2:
                found = run
                break
            run = []
            continue
        item = ExerciseItem(name=name, line=lines[k].no)
        for ln in lines[k + 1 :]:
            lead = LABEL_LEAD.match(plain(ln.text))
            if lead and _label_element(lead.group(1)) in ELEMENT_SECTIONS + ("other",) and not LABEL.match(ln.text):
                item.labeled.append(ln)  # "Time: every day at 8:30, after your coffee"
            else:
                _add_line(item, ln)
        run.append((_Cand(name, lines[k].no, own, text), item))
    else:
        if len(run) >= 2:
            found = run
    return found


def _field_groups(groups: list[tuple[int, list[_Cand]]], blocks: list[Block], position) -> set[int]:
    """Runs of labelled lines that are an exercise's fields, not exercises: the same labels
    ("Do this:", "Like today:", "How many:") under each of two or more sibling headings
    ("## One: Stand up from a chair" ...). A name is an exercise's own; a label said again
    under every heading is the form the therapist filled in for each one. The ids of those runs."""
    if len(groups) < 3 or len(groups) > 400:
        return set()
    lines_of: dict[str, set[int]] = {}  # a name, and the lines it leads (a merged list holds the same items again)
    for _, cands in groups:
        if cands[0].blocks[0].kind in ("heading", "row"):
            continue
        for c in cands:
            k = _name_key(c.name)
            if k:
                lines_of.setdefault(k, set()).add(c.line)
    seen = {k: len(v) for k, v in lines_of.items()}
    if not any(v >= 2 for v in seen.values()):
        return set()
    spans = []
    for _, cands in groups:
        if len(cands) >= 2 and cands[0].blocks[0].kind == "heading":
            spans.append((position[cands[0].blocks[0]], max(position[x] for c in cands for x in c.blocks)))
    out: set[int] = set()
    for start, cands in groups:
        if cands[0].blocks[0].kind in ("heading", "row"):
            continue
        repeated = sum(1 for c in cands if seen.get(_name_key(c.name), 0) >= 2)
        at = position[cands[0].blocks[0]]
        if repeated * 2 >= len(cands) and any(a < at <= b for a, b in spans):
            out.add(id(cands))
    return out


def _build_item(c: _Cand) -> ExerciseItem:
    item = ExerciseItem(name=c.name, line=c.line)
    first = c.blocks[0]
    if first.kind == "row":
        _, how = _cell_name(first.cells[0]) if first.cells else ("", "")
        if how:
            item.description.append(Line(first.line, how))
        desc_col = next((j for j in range(1, len(first.cells)) if j not in c.doses), None)
        for j, cell in enumerate(first.cells[1:], 1):
            if not cell:
                continue
            if j == desc_col or j not in c.doses and plain(cell).rstrip().endswith((".", "!")) and len(cell.split()) >= 3:
                # "| How | How many | From today |": a column of sentences beside the how is the
                # description too ("The first one we did today."), a dose cell is not
                item.description.append(Line(first.line, cell))
            else:
                item.labeled.append(Line(first.line, cell))
        for x in c.blocks[1:]:
            # the description written below the table ("**Bridge:** Lie on your back ...")
            if x.lead:
                _add_line(item, Line(x.line, x.rest), force_prose=True)
                for ln in x.lines[1:]:
                    _add_line(item, ln)
            else:
                for ln in x.lines:
                    _add_line(item, ln)
        return item
    if first.kind != "heading":
        one = Block(first.kind, first.lines[:1], text=first.first, first=first.first)
        one.lead, one.rest = _lead(first.first)
        _, rest = _item_name(one)
        f = plain(first.first)
        fm = NUM_PREFIX.match(f)
        f = f[fm.end() :] if fm and first.kind == "para" else f
        name_only = not first.lead and len(first.lines) > 1 and len(f.split()) <= 6 and not f.rstrip().endswith((".", ",", ";"))
        subs = [x for x in c.blocks[1:] if x.kind == "item" and x.depth > first.depth]
        if not first.lead and subs and all(x.lettered for x in subs) and _paren_name(first):
            # "1. Heel slides (the towel one from today)" over "(a) ..." "(b) ...": the aside is text
            name_only = True
            aside = _paren_name(first)[1]
            item.description.append(Line(first.line, aside if aside.endswith((".", "!", "?")) else aside + "."))
        if not name_only and rest.strip() and rest.strip() != c.name:
            _add_line(item, Line(first.line, rest), force_prose=True)
        for ln in first.lines[1:]:
            _add_line(item, ln)
    prose: list[Block] = []  # unlabelled sub-items
    for x in c.blocks[1:]:
        if x.kind == "heading":
            continue
        if x.kind == "item":
            if x.lead and _cue_rx()["description_label"].fullmatch(x.lead.strip()):
                item.description.append(Line(x.line, x.rest))  # "- How: Lie on your back..."
                for ln in x.lines[1:]:
                    item.description.append(ln)
                continue
            item.labeled.extend(x.lines)
            if not (x.lead or LABEL.match(x.text)):
                item.steps += 1
                prose.append(x)
        elif x.kind == "row":
            item.labeled.extend(x.lines)
        else:
            for ln in x.lines:
                _add_line(item, ln)
    lettered = bool(prose) and all(x.lettered for x in prose)
    if prose and (not item.description or lettered) and (len(prose) <= 2 or lettered or _lines_of_one(prose)):
        # "(a) Sit with ..." / "(b) Hold for 5 seconds ...": lettered sub-steps are the how
        # "- Calf stretch" / "  - Stand at the wall with... We did this first today.": one or two
        # sub-bullets under a bare name are its description, not a list of steps (and a heading's
        # few bullets that are one exercise's lines: "## Bridges" / "- Lie on your back ..." / "- 10 times")
        moved = {ln.no for x in prose for ln in x.lines}
        item.labeled = [ln for ln in item.labeled if ln.no not in moved]
        item.description = (item.description if lettered else []) + [ln for x in prose for ln in x.lines]
        item.steps -= len(prose)
    return item


def _add_line(item: ExerciseItem, ln: Line, force_prose: bool = False) -> None:
    if not force_prose and (LABEL.match(ln.text) or LABEL.match(_strip_markers(ln.text))):
        item.labeled.append(ln)
    else:
        item.description.append(ln)


def parse(text: str, language: str = "en") -> Draft:
    """The document model of a draft, read with the cue lists of ``language``."""
    token = _LANGUAGE.set(language)
    try:
        return _parse(text)
    finally:
        _LANGUAGE.reset(token)


def _parse(text: str) -> Draft:
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = Lines(raw_lines)
    blocks = _line_leads_split(read_blocks(*_series(_fields(_speakers(_leaders(_annotations(_buttons(_trees(_framed(_tab_tables(_html(lines))))))))))))
    helems = _heading_elements(blocks)

    headings: list[tuple[int, str, str | None]] | _Headings = [] if _lazy(lines) is None else _Headings(blocks)
    sections: dict[str, list[Line]] = {}

    def add_heading(i: int, b: Block, el: str | None) -> None:
        if type(headings) is list:
            headings.append((b.line, b.text, el))
        else:
            headings.add(i, el)

    owner: list[str | None] = [None] * len(blocks)  # element of the section each block is in
    mixed: set[int] = set()  # blocks under a heading that names two elements ("Check-in and goal")
    in_mixed = False
    current: str | None = None
    current_level = 0
    for i, b in enumerate(blocks):
        if b.kind != "heading" and in_mixed:
            mixed.add(i)
        if b.kind == "heading":
            el = helems.get(i)
            in_mixed = el in ELEMENT_SECTIONS and _names_two_elements(b.text)
            if el is None and _cue_rx()["aside_heading"].fullmatch(_clean_heading(b.text).rstrip(":").strip()):
                # "### See also" under "## 6. Next visit": related material, the goal's section ends
                add_heading(i, b, None)
                current, current_level = None, b.level
                owner[i] = None
                continue
            if el is None and current == "exercises" and (b.level > current_level or b.level == current_level == 7):
                add_heading(i, b, None)  # a sub-heading inside the exercises
                owner[i] = "exercises"
                continue
            add_heading(i, b, el)
            if el is not None or b.level <= current_level or current_level == 7 or b.level == 7:
                current, current_level = el, b.level
            if el is None and b.level < 7 and current is None:
                current_level = b.level
            owner[i] = current
            continue
        owner[i] = current

    # the exercise list
    groups = _groups(blocks, helems)
    position = _Position(blocks)
    ex_idx = {i for i, b in enumerate(blocks) if owner[i] == "exercises"}
    best: list[_Cand] = []
    best_key = None
    fields = _field_groups(groups, blocks, position)
    for start, cands in groups:
        if id(cands) in fields:
            continue
        ex = _exercises_of(cands)
        if not ex:
            continue
        inside = (start in ex_idx or position[ex[0].blocks[0]] in ex_idx) if ex_idx else False
        # prefer the list inside an exercises section, then the most exercises, then the first
        key = (inside, len(ex) >= 2, len(ex), -start)
        if best_key is None or key > best_key:
            best, best_key = ex, key
    best = _joined(best, groups)
    best = _slots_joined(best, groups, blocks, helems, position)
    exercises = [_build_item(c) for c in best]
    if not exercises:
        # no list, heading run or named paragraphs: the exercises may still be cards of any shape
        cards = _cards(blocks, owner)
        if cards:
            best = [c for c, _ in cards]
            exercises = [item for _, item in cards]
    taken: set[int] = set()
    for c in best:
        for x in c.blocks:
            taken.update(ln.no for ln in x.lines)

    # sections: blocks under a heading, and blocks whose lead names an element (a long
    # draft's sections hold line numbers)
    raw = _lazy(lines) if all(type(b.lines) is LineRun for b in blocks) else None

    def add(key: str, ls) -> None:
        if raw is not None:
            _add_nos(sections.setdefault(key, array("I")), ls)
        else:
            sections.setdefault(key, []).extend(ls)

    for i, b in enumerate(blocks):
        if b.kind == "heading":
            continue
        el = owner[i]
        if b.kind in ("para", "item") and b.lead and not (b.line in taken and el == "exercises"):
            lead_el = _label_element(b.lead)
            if lead_el in ELEMENT_SECTIONS and b.line not in taken:
                el = lead_el
        elif i in mixed and b.kind in ("para", "item") and b.line not in taken:
            el = _classify_body(b.text) or el  # '- Tap "Done" in the app' under "Check-in and goal"
        if el is None and b.kind in ("para", "item") and b.line not in taken:
            pass
        if el:
            add(el, b.lines)
        elif b.line in taken:
            add("exercises", b.lines)
    if exercises and "exercises" not in sections:
        for c in best:
            for x in c.blocks:
                add("exercises", x.lines)
    for k in sections:
        if raw is not None:  # line numbers in order, once each
            nos = sections[k]
            if any(a >= b for a, b in zip(nos, nos[1:])):
                nos = array("I", sorted(set(nos)))
            sections[k] = LineRun(raw, nos)
        else:
            sections[k] = sorted({ln.no: ln for ln in sections[k]}.values(), key=lambda ln: ln.no)
    return Draft(text=text, lines=lines, headings=headings, sections=sections, exercises=exercises, blocks=blocks, language=_LANGUAGE.get())
