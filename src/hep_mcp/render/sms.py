"""Text messages: GSM-7 detection, per-message limits and word-safe splitting.

A text message holds 160 GSM-7 characters (the characters of the extension
table, such as ``{ } [ ] ~ | ^ € \\``, take two), or 70 UTF-16 code units
when it needs any character outside GSM-7. Each message here is a whole,
numbered text ("2/9 ...") on its own, not part of a concatenated message.

The renderer writes the SMS as *groups* of lines (blank line between groups).
Each group starts a new message (the first is the plan, the last the check-in);
a group's lines are packed into messages that end at the end of a line or a
sentence; a sentence is only split (between words, at a comma first) when it
alone is longer than a message, and a word is only ever cut (between grapheme
clusters) when it alone is longer than a whole message. Nothing is dropped: the words of
the messages, counters removed, are the words of the source, in order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# GSM 03.38 basic character set (the 128 characters, with LF and CR).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each of these costs an escape plus the character.
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM_LIMIT = 160
UNICODE_LIMIT = 70
# A longer text sent as one concatenated message: each segment loses room to its header.
GSM_SEGMENT = 153
UNICODE_SEGMENT = 67

# Typographic characters with a plain GSM-7 twin: replacing them keeps a
# message at 160 characters instead of 70 (the words do not change).
GSM_TWINS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


def to_gsm_twins(text: str) -> str:
    return str(text).translate(GSM_TWINS)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def gsm7_length(text: str) -> int:
    """Septets the text takes in GSM-7 (extension characters count double)."""
    return sum(2 if ch in GSM_EXTENSION else 1 for ch in text)


def ucs2_length(text: str) -> int:
    """UTF-16 code units (a character outside the BMP, like most emoji, takes two)."""
    return len(text.encode("utf-16-le")) // 2


def message_cost(text: str) -> tuple[int, int]:
    """(length, limit) of one message under the encoding it needs."""
    if is_gsm7(text):
        return gsm7_length(text), GSM_LIMIT
    return ucs2_length(text), UNICODE_LIMIT


def segments(text: str) -> int:
    """Segments the text takes as one concatenated message: 1 up to 160 GSM-7 septets (70
    UTF-16 units when it needs UCS-2), else 153 (67) a segment. An extension character's
    escape pair and a surrogate pair never straddle two segments (packed character by character)."""
    gsm = is_gsm7(text)
    length, limit = message_cost(text)
    if length <= limit:
        return 1 if text else 0
    size = GSM_SEGMENT if gsm else UNICODE_SEGMENT
    count, used = 1, 0
    for ch in text:
        cost = (2 if ch in GSM_EXTENSION else 1) if gsm else len(ch.encode("utf-16-le")) // 2
        if used + cost > size:
            count, used = count + 1, 0
        used += cost
    return count


def fits(text: str) -> bool:
    length, limit = message_cost(text)
    return length <= limit


@dataclass
class Packed:
    """Messages (without counters) and where each source line starts."""

    bodies: list[list[str]]  # each message: its lines
    starts: dict[int, tuple[int, int]] = field(default_factory=dict)  # source line no -> (message, line in message)


def groups_of(source: str) -> list[list[tuple[int, str]]]:
    """Blank-line separated groups of (1-based line number, line)."""
    groups: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for no, line in enumerate(source.split("\n"), start=1):
        if line.strip():
            current.append((no, line.strip()))
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


@dataclass(frozen=True)
class Token:
    word: str
    line: int  # source line number
    starts_line: bool


def _join(tokens: list[Token]) -> str:
    out = []
    for i, t in enumerate(tokens):
        if i:
            out.append("\n" if t.starts_line else " ")
        out.append(t.word)
    return "".join(out)


def _hard_split(token: Token, pad: str) -> list[Token]:
    """A single 'word' longer than a message: the only case where text is cut,
    and then only between grapheme clusters (an accent stays on its letter, a
    skin tone on its emoji, a flag's two letters together)."""
    pieces, cur = [], ""
    for ch in graphemes(token.word):
        if cur and not fits(pad + cur + ch):
            pieces.append(cur)
            cur = ""
        cur += ch
    if cur:
        pieces.append(cur)
    return [Token(p, token.line, token.starts_line and i == 0) for i, p in enumerate(pieces)]


SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")
CLAUSE_END = re.compile(r"[,;][\"')\]]*$")

# What a break costs, by where it falls (lower is better).
BREAK_COST = {"end": 0, "line": 1, "sentence": 2, "clause": 4, "word": 8}
# Breaking inside a sentence, by break cost: at a comma is better than between any two words.
MID_SENTENCE = {BREAK_COST["clause"]: 1, BREAK_COST["word"]: 2}


def _break_kind(tokens: list[Token], j: int) -> str:
    """The kind of break before tokens[j]."""
    if j == len(tokens):
        return "end"
    if tokens[j].starts_line:
        return "line"
    prev = tokens[j - 1].word
    if SENTENCE_END.search(prev):
        return "sentence"
    if CLAUSE_END.search(prev):
        return "clause"
    return "word"


def _pack_group(tokens: list[Token], pad: str) -> list[list[Token]]:
    """Messages for a group that break inside a sentence as rarely as possible (only
    where one sentence is longer than a message); then the fewest messages; then
    breaks between lines before breaks between sentences (dynamic programming)."""
    n = len(tokens)
    pad_len = gsm7_length(pad)
    gsm = [is_gsm7(t.word) for t in tokens]
    g_len = [gsm7_length(t.word) if g else 0 for t, g in zip(tokens, gsm)]
    u_len = [ucs2_length(t.word) for t in tokens]
    cost_before = [0] + [BREAK_COST[_break_kind(tokens, j)] for j in range(1, n + 1)]
    best: list[tuple[int, int, int] | None] = [None] * (n + 1)
    choice = [n] * (n + 1)
    best[n] = (0, 0, 0)
    for i in range(n - 1, -1, -1):
        # grow the message tokens[i:j] while it fits (a separator, space or newline, costs 1)
        all_gsm, g_total, u_total = True, pad_len, pad_len
        for j in range(i + 1, n + 1):
            sep = 1 if j - 1 > i else 0
            all_gsm = all_gsm and gsm[j - 1]
            g_total += g_len[j - 1] + sep
            u_total += u_len[j - 1] + sep
            if (g_total > GSM_LIMIT) if all_gsm else (u_total > UNICODE_LIMIT):
                break
            rest = best[j]
            if rest is None:
                continue
            mid = MID_SENTENCE.get(cost_before[j], 0)
            cand = (rest[0] + mid, rest[1] + 1, rest[2] + cost_before[j])
            # ties go to the longer message (fuller early messages)
            if best[i] is None or cand <= best[i]:
                best[i], choice[i] = cand, j
    out, i = [], 0
    while i < n:
        out.append(tokens[i : choice[i]])
        i = choice[i]
    return out


def pack(source: str, prefix_width: int) -> Packed:
    """Pack the groups into messages whose text, after a counter of
    ``prefix_width`` characters, fits one text message."""
    pad = "0" * prefix_width  # stands in for the counter (digits, '/', space: all GSM-7)
    packed = Packed(bodies=[])
    for group in groups_of(source):
        tokens: list[Token] = []
        for no, line in group:
            for i, w in enumerate(line.split()):
                tok = Token(w, no, i == 0)
                tokens.extend([tok] if fits(pad + w) else _hard_split(tok, pad))
        for msg in _pack_group(tokens, pad):
            packed.bodies.append(_join(msg).split("\n"))
            index = len(packed.bodies) - 1
            line_in_msg = 0
            for i, t in enumerate(msg):
                if i and t.starts_line:
                    line_in_msg += 1
                packed.starts.setdefault(t.line, (index, line_in_msg))
    return packed


@dataclass
class SMS:
    messages: list[str]
    text: str  # messages, blank line between them
    line_map: dict[int, int]  # source line -> line in `text`


def split(source: str, number_one: bool = True) -> SMS:
    """Numbered messages from the SMS source (see the module docstring).

    ``number_one=False``: a source that fits one message gets no "1/1" counter.
    """
    if not number_one:
        packed = pack(source, 0)
        bodies = [b for b in packed.bodies if b]
        if len(bodies) <= 1:
            body = "\n".join(bodies[0]) if bodies else ""
            line_map = {src: 1 + j for src, (i, j) in packed.starts.items() if i == 0}
            return SMS(messages=[body] if body else [], text=body + "\n", line_map=line_map)
    width = 4  # "1/9 "
    while True:
        packed = pack(source, width)
        n = len([b for b in packed.bodies if b])
        need = 2 * len(str(n)) + 2
        if need <= width:
            break
        width = need
    keep = [i for i, b in enumerate(packed.bodies) if b]
    renumber = {old: new for new, old in enumerate(keep)}
    bodies = [packed.bodies[i] for i in keep]
    n = len(bodies)
    messages = [f"{k}/{n} " + "\n".join(body) for k, body in enumerate(bodies, start=1)]
    # line of each message's first line in the joined text (one blank line between messages)
    first_line, no = [], 1
    for m in messages:
        first_line.append(no)
        no += m.count("\n") + 2
    line_map = {src: first_line[renumber[i]] + j for src, (i, j) in packed.starts.items() if i in renumber}
    return SMS(messages=messages, text="\n\n".join(messages) + "\n", line_map=line_map)


# -- grapheme clusters (UAX #29, the parts that occur in text messages) --------------------------
#
# Enough of the extended grapheme cluster rules to never split what a reader sees as one
# character: combining marks and other Extend characters, spacing marks, ZWJ sequences,
# emoji modifiers (skin tones), variation selectors and tag sequences, regional-indicator
# pairs (flags), Hangul syllable sequences and CR LF. From the standard library's
# unicodedata alone (no new dependency).

_ZWJ = "\u200d"


def _is_extend(ch: str) -> bool:
    o = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch == _ZWJ
        or 0x1F3FB <= o <= 0x1F3FF  # emoji modifiers (skin tones)
        or 0xFE00 <= o <= 0xFE0F  # variation selectors
        or 0xE0020 <= o <= 0xE007F  # tag characters (subdivision flags)
        or 0xE0100 <= o <= 0xE01EF
        or ch == "\u20e3"  # combining enclosing keycap
    )


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _hangul(ch: str) -> str:
    o = ord(ch)
    if 0x1100 <= o <= 0x115F or 0xA960 <= o <= 0xA97C:
        return "L"
    if 0x1160 <= o <= 0x11A7 or 0xD7B0 <= o <= 0xD7C6:
        return "V"
    if 0x11A8 <= o <= 0x11FF or 0xD7CB <= o <= 0xD7FB:
        return "T"
    if 0xAC00 <= o <= 0xD7A3:
        return "LV" if (o - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _joins(prev: str, ch: str, ri_run: int) -> bool:
    """Whether ``ch`` continues the cluster that ends with ``prev``."""
    if prev == "\r" and ch == "\n":
        return True
    if prev in "\r\n" or ch in "\r\n":
        return False
    if _is_extend(ch):
        return True
    if prev == _ZWJ:
        return True  # ZWJ sequences (family, profession emoji)
    if _is_regional(prev) and _is_regional(ch):
        return ri_run % 2 == 1  # pairs: the second letter of a flag joins the first
    hp, hc = _hangul(prev), _hangul(ch)
    if hp == "L" and hc in ("L", "V", "LV", "LVT"):
        return True
    if hp in ("LV", "V") and hc in ("V", "T"):
        return True
    if hp in ("LVT", "T") and hc == "T":
        return True
    return False


def graphemes(text: str) -> list[str]:
    """The text as user-perceived characters (extended grapheme clusters), linear time."""
    out: list[str] = []
    ri_run = 0
    for ch in text:
        if out and _joins(out[-1][-1], ch, ri_run):
            out[-1] += ch
        else:
            out.append(ch)
        ri_run = ri_run + 1 if _is_regional(ch) else 0
    return out


def at_least(source: str) -> int:
    """A quick lower bound on the messages ``split(source)`` makes (no packing)."""
    total = 0
    for group in groups_of(source):
        text = " ".join(line for _, line in group)
        length, _ = message_cost(text)  # no message holds more than 160 of these units
        total += -(-length // (GSM_LIMIT + 1))  # +1: the space the join adds at each break
    return total


def strip_counter(message: str) -> str:
    return re.sub(r"^\d+/\d+ ", "", message, count=1)
