"""Any text: the checker never crashes and gives the same answer twice."""

from hypothesis import given
from hypothesis import strategies as st

from hep_mcp.check import check_draft
from hep_mcp.rules import detect_kind

WORDS = st.sampled_from(
    "pain knee 911 portal goal by Friday exercise after breakfast in bed 10 times SLR 3x10 supine "
    "we did today double up my cell DOB 123-45-6789 chest pain call the clinic hold squeeze".split()
)
MD_LINE = st.one_of(
    st.builds(lambda w: "# " + " ".join(w), st.lists(WORDS, max_size=4)),
    st.builds(lambda w: "## " + " ".join(w), st.lists(WORDS, max_size=4)),
    st.builds(lambda n, w: f"{n}. " + " ".join(w) + ".", st.integers(0, 12), st.lists(WORDS, max_size=12)),
    st.builds(lambda w: "- **" + " ".join(w) + "**: x.", st.lists(WORDS, max_size=5)),
    st.builds(lambda w: " ".join(w) + ".", st.lists(WORDS, max_size=15)),
    st.just(""),
    st.just("| a | b |"),
    st.text(max_size=60),
)
DRAFTS = st.one_of(st.text(max_size=400), st.lists(MD_LINE, max_size=30).map("\n".join))


@given(DRAFTS)
def test_any_text_checks_deterministically(text):
    first = check_draft(text, "auto")
    second = check_draft(text, "auto")
    assert first == second
    assert first.kind == detect_kind(text)
    assert first.ready == (not any(f.severity == "error" for f in first.findings))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert all(f.line is None or 1 <= f.line <= len(lines) for f in first.findings)
