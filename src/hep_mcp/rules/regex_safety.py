"""Which regular expressions can backtrack catastrophically on some text.

Python's ``re`` is a backtracking engine: a pattern is linear in its input only
if it never has two ways to consume the same run of characters. The shapes that
break that, found statically from the parsed pattern (``re._parser``):

* a nested unbounded quantifier: ``(a+)+``, ``(\\w+\\s?)*`` -- exponential;
* two unbounded quantifiers in a row (with only optional items between) whose
  characters overlap: ``(.+?)\\s*#*\\s*$``, ``\\s*\\s*`` -- polynomial;
* ``^`` followed by an unbounded quantifier that can cross a line break, in a
  multi-line pattern: ``^\\s*`` is tried at every line start and runs over every
  blank line after it -- quadratic on blank lines;
* a pattern that is searched and starts with an unbounded quantifier with no
  anchor before it: each start inside a long run re-scans the run.

Possessive quantifiers (``\\s*+``) and atomic groups (``(?>...)``) never give
characters back, so they are safe by construction and not reported.

``problems(pattern)`` lists what it finds, as sentences; ``check(pattern, source)``
raises ``ValueError`` naming the pattern. The test suite runs it on every pattern
in the data files and the code.
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

UNBOUNDED = C.MAXREPEAT
# Repeats longer than this count as unbounded: {0,500} over a 1 MB run still costs 500x per start.
LONG = 100
_SAMPLE = [chr(i) for i in range(0, 128)] + ["\u00a0", "\u00e9", "\u2028", "\u3000", "\u0660", "\u4e00"]
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_POSSESSIVE = getattr(C, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(C, "ATOMIC_GROUP", None)


def _category(cat, ch: str) -> bool:
    name = str(cat)
    if "DIGIT" in name:
        r = ch.isdigit()
    elif "SPACE" in name:
        r = ch.isspace()
    elif "WORD" in name:
        r = ch.isalnum() or ch == "_"
    elif "LINEBREAK" in name:
        r = ch == "\n"
    else:
        r = True
    return not r if "NOT" in name else r


def _char_matches(op, av, ch: str, ignore_case: bool) -> bool:
    chs = {ch, ch.lower(), ch.upper()} if ignore_case else {ch}
    if op is C.LITERAL:
        return any(ord(c) == av for c in chs)
    if op is C.NOT_LITERAL:
        return all(ord(c) != av for c in chs)
    if op is C.ANY:
        return ch != "\n" or av is not None  # DOTALL makes av set in some versions; be generous
    if op is C.IN:
        negate = False
        hit = False
        for iop, iav in av:
            if iop is C.NEGATE:
                negate = True
            elif iop is C.LITERAL:
                hit = hit or any(ord(c) == iav for c in chs)
            elif iop is C.RANGE:
                hit = hit or any(iav[0] <= ord(c) <= iav[1] for c in chs)
            elif iop is C.CATEGORY:
                hit = hit or _category(iav, ch)
        return hit != negate
    if op is C.CATEGORY:
        return _category(av, ch)
    return False


def _chars(items, ignore_case: bool, dotall: bool) -> frozenset[str]:
    """Sample characters any single-character node inside the items can consume."""
    out: set[str] = set()
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN, C.CATEGORY):
            for ch in _SAMPLE:
                if op is C.ANY and ch == "\n" and not dotall:
                    continue
                if _char_matches(op, av, ch, ignore_case):
                    out.add(ch)
        elif op in _REPEATS or op is _POSSESSIVE:
            out |= _chars(av[2], ignore_case, dotall)
        elif op is C.SUBPATTERN:
            out |= _chars(av[-1], ignore_case, dotall)
        elif op is _ATOMIC:
            out |= _chars(av, ignore_case, dotall)
        elif op is C.BRANCH:
            for alt in av[1]:
                out |= _chars(alt, ignore_case, dotall)
    return frozenset(out)


def _edge_chars(items, ic: bool, dotall: bool, last: bool) -> frozenset[str]:
    """Characters a round of the repeated body can start (or end) with."""
    seq = _flatten(list(items))
    if last:
        seq = seq[::-1]
    out: frozenset[str] = frozenset()
    for op, av in seq:
        out |= _chars([(op, av)], ic, dotall)
        if not _can_be_empty(op, av):
            break
    return out


def _min_width(items) -> int:
    try:
        return items.getwidth()[0]
    except Exception:  # pragma: no cover
        return 1


def _can_be_empty(op, av) -> bool:
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return True
    if op in _REPEATS or op is _POSSESSIVE:
        return av[0] == 0 or _seq_min(av[2]) == 0
    if op is C.SUBPATTERN:
        return _seq_min(av[-1]) == 0
    if op is C.BRANCH:
        return any(_seq_min(alt) == 0 for alt in av[1])
    return False


def _seq_min(items) -> int:
    return 0 if all(_can_be_empty(op, av) for op, av in items) else 1


def _unbounded(av) -> bool:
    return av[1] == UNBOUNDED or av[1] > LONG


def _flatten(items):
    """The top-level sequence with plain groups inlined (``(.+?)\\s*`` -> ``.+? \\s*``)."""
    out = []
    for op, av in items:
        if op is C.SUBPATTERN and not any(o is C.BRANCH for o, _ in av[-1]):
            out.extend(_flatten(av[-1]))
        else:
            out.append((op, av))
    return out


def _terminal(seq, j: int) -> bool:
    """The repeat at j is greedy, last and cannot fail (``(.*)$``): the first try is the match."""
    op, av = seq[j]
    if op is not C.MAX_REPEAT or av[0] != 0:
        return False
    rest = seq[j + 1 :]
    if not rest:
        return True
    body = list(av[2])
    return (
        len(body) == 1
        and body[0][0] is C.ANY
        and all(o is C.AT and str(a).endswith(("AT_END", "AT_END_LINE", "AT_END_STRING")) for o, a in rest)
    )


def _has_inner_unbounded(items) -> bool:
    for op, av in items:
        if op in _REPEATS or op is _POSSESSIVE:
            if _unbounded(av) or _has_inner_unbounded(av[2]):
                return True
        elif op is C.SUBPATTERN and _has_inner_unbounded(av[-1]):
            return True
        elif op is C.BRANCH and any(_has_inner_unbounded(a) for a in av[1]):
            return True
    return False


def _separated(body, flags: int) -> bool:
    """A repeated body with a required character no inner repeat can take (``(-[a-z]+)*``,
    ``(/\\w+)+``): each round starts at that character, so there is one way to split a run."""
    ic, dotall = bool(flags & re.I), bool(flags & re.S)
    seq = _flatten(list(body))
    inner = _chars([(op, av) for op, av in seq if op in _REPEATS or op is _POSSESSIVE or op is C.SUBPATTERN or op is C.BRANCH], ic, dotall)
    for op, av in seq:
        if op in (C.LITERAL, C.IN, C.NOT_LITERAL, C.CATEGORY) and not (_chars([(op, av)], ic, dotall) & inner):
            return True
    return False


def _walk(items, flags: int, found: list[str], inside_unbounded: bool) -> None:
    ic, dotall = bool(flags & re.I), bool(flags & re.S)
    seq = _flatten(items)
    # adjacent unbounded repeats over overlapping characters
    for i, (op, av) in enumerate(seq):
        if op not in _REPEATS or not _unbounded(av):
            continue
        mine = _edge_chars(av[2], ic, dotall, last=True)
        for j, (op2, av2) in enumerate(seq[i + 1 :], start=i + 1):
            if (op2 in _REPEATS or op2 is _POSSESSIVE) and _unbounded(av2) and not _terminal(seq, j):
                if mine & _edge_chars(av2[2], ic, dotall, last=False):
                    found.append("two unbounded quantifiers in a row over the same characters")
                    break
            if not _can_be_empty(op2, av2):
                break
    for op, av in items:
        if op in _REPEATS:
            body = av[2]
            if _unbounded(av) and _min_width(body) > 0 and _has_inner_unbounded(body) and not _separated(body, flags):
                found.append("a nested unbounded quantifier")
            _walk(body, flags, found, inside_unbounded or _unbounded(av))
        elif op is _POSSESSIVE:
            continue  # gives nothing back
        elif op is _ATOMIC:
            continue
        elif op is C.SUBPATTERN:
            _walk(av[-1], flags | (av[1] or 0), found, inside_unbounded)
        elif op is C.BRANCH:
            for alt in av[1]:
                _walk(alt, flags, found, inside_unbounded)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            _walk(av[1], flags, found, inside_unbounded)


def problems(pattern: str, flags: int = 0, searched: bool = True) -> list[str]:
    """What makes the pattern superlinear on some input (empty when it is safe)."""
    try:
        parsed = P.parse(pattern, flags)
    except re.error as exc:
        return [f"not a valid regular expression ({exc})"]
    flags = flags | parsed.state.flags
    found: list[str] = []
    _walk(parsed, flags, found, False)
    ic, dotall = bool(flags & re.I), bool(flags & re.S)
    seq = _flatten(list(parsed))
    alts = [seq]
    if len(seq) == 1 and seq[0][0] is C.BRANCH:
        alts = [_flatten(list(a)) for a in seq[0][1][1]]
    for alt in alts:
        _leading(alt, flags, ic, dotall, searched, found)
    return sorted(set(found))


def _leading(seq, flags, ic, dotall, searched, found) -> None:
    anchored = False
    for op, av in seq:
        if op is C.AT:
            if str(av).endswith(("AT_BEGINNING", "AT_BEGINNING_STRING")):
                anchored = True
                if not (flags & re.M) or str(av).endswith("AT_BEGINNING_STRING"):
                    return  # start of text only: tried once
            elif str(av).endswith("AT_BOUNDARY"):
                return  # \b: a run of spaces or of letters is entered once
            continue
        if op is C.ASSERT and av[0] == -1:
            return  # a lookbehind: the match can only start right after what it names
        if op in (C.ASSERT, C.ASSERT_NOT):
            continue
        if op in _REPEATS and _unbounded(av):
            chars = _chars(av[2], ic, dotall)
            if anchored and "\n" in chars:
                found.append("'^' then an unbounded quantifier that crosses line breaks (use [ \\t]* not \\s*)")
            elif not anchored and searched and len(chars) > 1 and av[0] == 0:
                found.append("starts with an optional unbounded quantifier (every start re-scans the run)")
        return


def check(pattern: str, source: str, flags: int = 0, searched: bool = True) -> None:
    """Raise ValueError naming the pattern when it can backtrack catastrophically."""
    found = problems(pattern, flags, searched)
    if found:
        shown = pattern if len(pattern) <= 80 else pattern[:79] + "…"
        raise ValueError(f"{source}: pattern {shown!r} can take very long on some text: {'; '.join(found)}")
