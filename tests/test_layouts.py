"""Layout invariance: the same content reads the same in every layout (tests/layouts.py).

Every structured example is written in 12 layouts. A clean one is ready with no errors
and no warnings in every layout; a flawed variant (one element dropped) raises that
element -- and the same set of elements -- in every layout. Hypothesis mixes layouts:
the exercises from one, the sections from another.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hep_mcp.rules import check_text
from tests.layouts import LAYOUTS, content, drop

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "src" / "hep_mcp" / "examples").glob("*.yaml"))
CONTENT = {p.stem: content(yaml.safe_load(p.read_text(encoding="utf-8"))) for p in EXAMPLES}
# the condition, as the therapist gives it (check --condition): its red flags are checked
CONDITION = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["condition"] for p in EXAMPLES}
DROPS = ["milestone", "feedback", "response_rules"]


def raised(text: str, condition: str | None = None) -> set[str]:
    report = check_text(text, condition=condition)
    return {f.element for f in report.findings if f.severity in ("error", "warning")}


def test_there_are_twelve_layouts_and_examples():
    assert len(LAYOUTS) >= 12 and len(CONTENT) >= 5


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("example", sorted(CONTENT))
def test_clean_content_is_ready_in_every_layout(example, layout):
    text = LAYOUTS[layout](CONTENT[example])
    report = check_text(text, condition=CONDITION[example])
    bad = [(f.rule, f.line, f.message) for f in report.findings if f.severity in ("error", "warning")]
    assert report.kind == "hep" and report.ready and not bad, bad


@pytest.mark.parametrize("element", DROPS)
@pytest.mark.parametrize("example", sorted(CONTENT))
def test_a_dropped_element_is_raised_the_same_in_every_layout(example, element):
    flawed = drop(CONTENT[example], element)
    # the reading grade is scored on running prose, and a table's cells are not prose: dropping
    # the short missed-day sentences can tip the grade in one layout, so it is left out here
    seen = {layout: raised(fn(flawed), CONDITION[example]) - {"plain_language"} for layout, fn in LAYOUTS.items()}
    for layout, elements in seen.items():
        assert elements == {element}, f"{layout}: raised {sorted(elements)}, expected [{element}]"


def test_exercise_counts_agree_across_layouts():
    from hep_mcp.rules.parse import parse

    for name, c in CONTENT.items():
        counts = {layout: len(parse(fn(c)).exercises) for layout, fn in LAYOUTS.items()}
        assert set(counts.values()) == {len(c.exercises)}, (name, counts)


def _split(text: str) -> tuple[str, str]:
    """(greeting and exercises, everything after) of a layout's text."""
    for marker in ("\n## When and where", "\n### When and where", "\n**When and where.**", "\nWHEN AND WHERE", "\n\U0001f557"):
        i = text.find(marker)
        if i >= 0:
            return text[:i], text[i:]
    return text, ""


MIXABLE = ["numbered bold", "bold leads", "table", "H3 per exercise under a parent", "emoji headings", "nested bullets with label lines", "title naming the program"]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    example=st.sampled_from(sorted(CONTENT)),
    head=st.sampled_from(MIXABLE),
    tail=st.sampled_from(MIXABLE),
    dropped=st.sampled_from([None, *DROPS]),
)
def test_mixed_layouts(example, head, tail, dropped):
    c = CONTENT[example] if dropped is None else drop(CONTENT[example], dropped)
    top, _ = _split(LAYOUTS[head](c))
    _, bottom = _split(LAYOUTS[tail](c))
    text = top.rstrip() + "\n\n" + bottom.lstrip("\n")
    expected = set() if dropped is None else {dropped}
    assert raised(text, CONDITION[example]) == expected, text
