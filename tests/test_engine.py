"""The engine's search shortcut (literal prefilter) never changes what a cue finds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hep_mcp.config import load_data
from hep_mcp.rules.engine import _combine, _first_per_item, _index, _literal_prefixes
from hep_mcp.rules.parse import parse
from tests.conftest import FIXTURES


def _cue_names(node=None, prefix=()):
    node = load_data("cues.yaml") if node is None else node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _cue_names(v, prefix + (k,))
    elif isinstance(node, list) and node and isinstance(node[0], str):
        yield ".".join(prefix), tuple(node)


CUES = list(_cue_names())
# the condition data's pattern lists (detect, red flags, signs, routes) go through the same prefilter (rules/hep.py _scan)
_CONDITIONS = load_data("conditions.yaml")
CUES += [
    (f"conditions.{name}", pats)
    for name, pats in _cue_names(_CONDITIONS)
    if not name.startswith("conditions.") or name.endswith(".detect")
]
CUES += [
    (f"conditions.{key}.red_flags.{flag['flag']}", tuple(flag["patterns"]))
    for key, raw in _CONDITIONS["conditions"].items()
    for flag in raw.get("red_flags", [])
]
TEXTS = [p.read_text() for p in sorted(FIXTURES.rglob("*.md")) + sorted(FIXTURES.rglob("*.txt"))]


def both_ways(patterns, text):
    cue = _combine(patterns)
    lines = parse(text).body
    joined, starts, items, lowered = _index(lines, lambda ln: ln.text)
    fast = [(i, m.span()) for i, m in _first_per_item(cue, joined, starts, lowered)]
    slow = [(i, m.span()) for i, m in _first_per_item(cue, joined, starts, None)]
    return fast, slow


@pytest.mark.parametrize("name, patterns", CUES, ids=[c[0] for c in CUES])
def test_prefilter_agrees_with_full_search_on_fixtures(name, patterns):
    for text in TEXTS:
        fast, slow = both_ways(patterns, text)
        assert fast == slow, name


@given(st.lists(st.sampled_from(
    ["pain", "more than 2 points", "911", "every morning", "Mon", "in bed", "10 times", "SSN", "123-45-6789",
     "after breakfast", "record no. 4", "double up", "don't double up", "my cell", "x", "_after", "é", "\n", " ", ".", ":"]
), max_size=40).map("".join))
def test_prefilter_agrees_with_full_search_on_random_text(text):
    for name, patterns in CUES:
        fast, slow = both_ways(patterns, text)
        assert fast == slow, name


@pytest.mark.parametrize(
    "pattern, expected",
    [
        (r"\bno pain,?\s*no gain\b", ["no pain"]),
        (r"\bhurts?\b", ["hurt"]),
        (r"\b(daily|mornings?)\b", ["daily", "morning"]),
        (r"\b\d{3}-\d{2}", list("0123456789")),
        (r"no pain", None),  # no leading word boundary: may start mid-word
        (r"\bfoo|bar", None),  # top-level alternation
        (r"\b(a|b)?c", ["a", "b", "c"]),  # optional group: it, or what follows it
        (r"\b(just )?like (you|we)", ["just ", "like "]),
        (r"\b(a|b)?\s", None),  # nothing literal after the optional group
        (r"\b(a|b)??c", None),  # lazy
        (r"\b(a|b)*c", None),
        (r"\b(?=x)y", None),  # lookahead
    ],
)
def test_literal_prefixes(pattern, expected):
    assert _literal_prefixes(pattern) == expected


def test_a_run_never_leaks_its_cached_work_into_the_callers_extra():
    """Rules cache per-draft results in the context; a caller reusing its dict for a
    second draft must get that draft's findings, not the first one's."""
    from hep_mcp.rules import run

    extra = {"rendered": True}
    run("Hi Ana.\n\n1. Walk. Walk to the door.\n", kind="hep", extra=extra)
    assert extra == {"rendered": True}


def test_condition_detection_through_the_prefilter_agrees_with_each_pattern_search():
    """conditions.detect tries each condition's cue only where a literal starts a word;
    the condition's own pattern (a plain search) must agree on every fixture and corpus draft."""
    from hep_mcp.rules import conditions as C

    found = 0
    for text in TEXTS:
        for key, cue in C._detect_cues().items():
            fast = cue.find(text)
            slow = C.known()[key].detect.search(text)
            assert (fast and fast.span()) == (slow and slow.span()), (key, text[:60])
            found += slow is not None
    assert found > 100  # the fixtures name conditions
