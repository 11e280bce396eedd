"""Linear time and bounded memory on adversarial drafts (tests/worst_case.py has the shapes).

Short profile (every run): each shape at 10 KB and 100 KB -- ten times the input may cost at
most 25 times the CPU time (tests/growth.py says why; quadratic cost would be 100 times) -- and peak memory at
60 KB. Long profile (``HEP_MCP_LONG=1``, for CI): 10 KB, 100 KB and 1 MB, and peak memory at
1 MB at most 40 times the input, every shape. Hypothesis mixes the shapes into one draft.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.growth import assert_linear
from tests.worst_case import SHAPES, measure

LONG = os.environ.get("HEP_MCP_LONG") == "1"
NOISE = 0.02  # seconds: scheduler noise on a shared machine
MEMORY = 40  # peak bytes per input byte
# A long draft (over 5,000 lines) keeps line numbers, not a Line object per line, its body
# sentences as numbers and strings, and a Block of only the fields its kind has (a table row
# reads its cells from its text; a long table's candidate exercises are made when read), so
# every shape is held to 40x, the shapes of one block per short line included (measured at
# 1 MB: label lines 39.6x, sentence ends 38.9x, table rows 36.9x, caps lines 35.2x).
PER_LINE: dict[str, int] = {}  # a shape held to another multiple than MEMORY (none now)


def _linear(shape: str, small: int, big: int) -> None:
    assert_linear(lambda n: measure(shape, n)[0], small, big, floor=0.01, label=shape)  # 10 ms: timer noise


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_short_profile_grows_linearly(shape):
    _linear(shape, 10_000, 100_000)


@pytest.mark.parametrize("shape", ["one-char lines", "'1. ' lines", "table rows", "deep list nesting", "blank lines", "label lines"])
def test_short_profile_memory(shape):
    n = 60_000  # over 5,000 lines for every line shape (label lines are 8 bytes): the long-draft model
    _, peak = measure(shape, n, memory=True)
    # + a fixed allowance: measure() checks once before tracing, so the data files are loaded
    # (a two-line draft peaks at about 26 KB); one-char lines held a Line per line at 63x
    assert peak <= PER_LINE.get(shape, MEMORY) * n + 300_000, f"{shape}: peak {peak:,} B for {n:,} B"


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="long profile: HEP_MCP_LONG=1")
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_long_profile_to_one_megabyte(shape):
    _linear(shape, 10_000, 100_000)
    _linear(shape, 100_000, 1_000_000)
    _, peak = measure(shape, 1_000_000, memory=True, repeat=0)  # timed above: traced once only
    assert peak <= PER_LINE.get(shape, MEMORY) * 1_000_000, f"{shape}: peak {peak:,} B at 1 MB"


pieces = st.lists(st.sampled_from(sorted(SHAPES)), min_size=2, max_size=4)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(mix=pieces)
def test_mixed_shapes_grow_linearly(mix):
    from hep_mcp.config import config_from_mapping
    from hep_mcp.rules import check_text
    import time

    config = config_from_mapping({"max_input_bytes": 10_000_000})

    def run(n):
        text = "\n".join(SHAPES[s](n // len(mix)) for s in mix)
        best = float("inf")
        for _ in range(2):
            t = time.process_time()
            check_text(text, config=config)
            best = min(best, time.process_time() - t)
        return best

    assert_linear(run, 3_000, 30_000, floor=NOISE, label=" + ".join(mix))


def test_deep_nesting_is_capped():
    # 5,000 nested list levels and 5,000 quote levels: read, never recursed
    from hep_mcp.rules.parse import parse

    deep = "".join(" " * (2 * i) + "- x\n" for i in range(2_000)) + ">" * 5_000 + " a\n"
    d = parse(deep)
    assert d.blocks and max(b.depth for b in d.blocks) <= 17


@pytest.mark.parametrize("name", ["clean_acl_chat_note.md", "acl_reconstruction_missing_red_flags.md"])
def test_long_draft_model_is_the_short_one(name, monkeypatch):
    # a draft of more than Lines.KEEP lines keeps line numbers, not Line objects (LineRun);
    # the model and the findings must be the ones the Line objects give
    from hep_mcp.config import config_from_mapping
    from hep_mcp.rules import check_text
    from hep_mcp.rules import parse as P

    from tests.conftest import FIXTURES

    text = ((FIXTURES / "hep" / name).read_text(encoding="utf-8") + "\n\n") * 250
    assert len(text.splitlines()) > P.Lines.KEEP
    config = config_from_mapping({"max_input_bytes": 10_000_000})

    def model():
        d = P.parse(text)
        return (
            [(b.kind, b.line, b.last, b.text, b.lead, [(ln.no, ln.text) for ln in b.lines]) for b in d.blocks],
            [(ln.no, ln.text) for ln in d.body],
            {k: [(ln.no, ln.text) for ln in v] for k, v in d.sections.items()},
            [(no, s) for (ln, s) in d.body_sentences for no in (ln.no,)],
            check_text(text, config=config).model_dump_json(),
        )

    lazy = model()
    assert type(P.parse(text).body) is P.LineRun
    monkeypatch.setattr(P.Lines, "KEEP", 10**9)
    assert type(P.parse(text).body) is list
    assert model() == lazy


def test_long_table_candidates_are_the_listed_ones(monkeypatch):
    # a table of more than _RowCands.KEEP rows makes each row's candidate exercise when read
    # (not one held per row); every draft with a table must get the findings the list gives
    from hep_mcp.rules import check_text
    from hep_mcp.rules import parse as P

    from tests.conftest import FIXTURES

    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*")) if p.suffix in (".md", ".txt")]
    tabled = [t for t in texts if sum(1 for b in P.parse(t).blocks if b.kind == "row") >= 3]
    assert len(tabled) >= 10
    listed = [check_text(t).model_dump_json() for t in tabled]
    monkeypatch.setattr(P._RowCands, "KEEP", 0)
    assert type(P._groups(P.parse(tabled[0]).blocks, P._heading_elements(P.parse(tabled[0]).blocks))[-1][1]) is P._RowCands
    assert [check_text(t).model_dump_json() for t in tabled] == listed
