"""Fuzzing every public entry point: check, render in every format, note, each MCP tool
(in-process) and the CLI. Nothing may raise anything but the documented ``InputError``
(the tools: an ``is_error`` result with a one-line message, never "internal error"),
and the same input gives the same output.

CI runs the derandomized ``ci`` profile (tests/conftest.py). The long run:

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py -q --hypothesis-show-statistics

The bugs fuzzing found (extreme measures, non-string formats, invisible characters in
structured fields) are fixed; their tests stay at the end.
"""

from __future__ import annotations

import contextlib
import io
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hep_mcp.check import check_draft
from hep_mcp.cli import main
from hep_mcp.errors import InputError
from hep_mcp.note import FORMATS as NOTE_FORMATS
from hep_mcp.note import progress_note
from hep_mcp.render import FORMATS, generate_hep
from tests.conftest import FIXTURES
from tests.strategies import NOTE_BASE, cli_args, example, hep_dicts, markdown_text, note_dicts

# Counted per test; the long run prints them (with --hypothesis-show-statistics as well).
EXAMPLES: dict[str, int] = {}


def count(name: str) -> None:
    EXAMPLES[name] = EXAMPLES.get(name, 0) + 1


def one_line_error(exc: InputError) -> None:
    msg = str(exc)
    assert msg and "Traceback" not in msg and len(msg) < 2_000


@given(text=markdown_text(), kind=st.sampled_from(["auto", "hep", "note"]))
def test_check_draft_never_crashes_and_is_deterministic(text, kind):
    count("check_draft")
    try:
        first = check_draft(text, kind)
    except InputError as exc:
        one_line_error(exc)
        return
    assert first == check_draft(text, kind)
    assert first.ready == (first.errors == 0)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert all(f.line is None or 1 <= f.line <= lines for f in first.findings)


@given(data=hep_dicts(), fmt=st.sampled_from(FORMATS))
def test_generate_hep_never_crashes_in_any_format(data, fmt):
    count("generate_hep")
    try:
        result = generate_hep(data, fmt)
    except InputError as exc:
        one_line_error(exc)
        return
    assert result.text and result.format == fmt
    assert result.ready == (not any(f.severity == "error" for f in result.findings))
    assert result == generate_hep(data, fmt)


@given(data=note_dicts(), fmt=st.sampled_from(NOTE_FORMATS))
def test_progress_note_never_crashes(data, fmt):
    count("progress_note")
    try:
        result = progress_note(data, fmt)
    except InputError as exc:
        one_line_error(exc)
        return
    assert result.text and result == progress_note(data, fmt)


# -- the MCP tools in-process, through the SDK client (one session for all examples) ---------------


@pytest.fixture(scope="module")
def mcp_call():
    pytest.importorskip("mcp")
    from anyio.from_thread import start_blocking_portal
    from mcp import Client

    from hep_mcp.server import build_server

    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(Client(build_server())) as client:
            yield lambda name, args: portal.call(client.call_tool, name, args)


TOOL_ARGS = st.one_of(
    st.tuples(st.just("check_hep_rules"), st.fixed_dictionaries(
        {"text": markdown_text()}, optional={"kind": st.sampled_from(["auto", "hep", "note", "essay", "", 3])})),
    st.tuples(st.just("generate_hep"), st.fixed_dictionaries(
        {"hep": st.one_of(hep_dicts(), hep_dicts().map(json.dumps), st.text(max_size=20))},
        optional={"format": st.sampled_from([*FORMATS, "pdf", None, 7])})),
    st.tuples(st.just("progress_note"), st.fixed_dictionaries(
        {"note": st.one_of(note_dicts(), st.lists(st.integers(), max_size=2))},
        optional={"format": st.sampled_from([*NOTE_FORMATS, "docx"])})),
    st.tuples(st.just("exercise_library"), st.fixed_dictionaries(
        {}, optional={"condition": st.one_of(st.sampled_from(["total_knee_replacement", "acl_reconstruction",
                                                               "Total Knee Replacement", "../../etc/passwd"]),
                                             st.text(max_size=30), st.none())})),
    st.tuples(st.sampled_from(["no_such_tool", "check_hep_rules"]), st.dictionaries(st.text(max_size=8), st.integers(), max_size=3)),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(call=TOOL_ARGS)
def test_every_mcp_tool_answers_or_returns_a_clear_is_error(mcp_call, call):
    count("mcp_tools")
    name, args = call
    try:
        result = mcp_call(name, args)
    except Exception as exc:  # the SDK raises MCPError for an unknown tool: a protocol error, not a crash
        from mcp.shared.exceptions import MCPError

        assert isinstance(exc, MCPError) and name == "no_such_tool", repr(exc)
        return
    text = result.content[0].text if result.content else ""
    if result.is_error:
        assert "internal error" not in text, text
        assert text and "Traceback" not in text
    else:
        assert result.structured_content is not None


# -- the CLI --------------------------------------------------------------------------------------

# Placeholders, replaced by files in a small temporary folder (a folder of the whole
# fixture suite would make every example slow).
CLI_PATHS = ["@clean", "@unsafe", "@dir", "@empty_dir", "@case", "@binary", "@missing", "/dev/null"]


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    clean = (FIXTURES / "hep" / "clean_tkr_headed.md").read_text(encoding="utf-8")
    (root / "dir").mkdir()
    (root / "empty_dir").mkdir()
    (root / "dir" / "a.md").write_text(clean)
    (root / "dir" / "b.txt").write_text("No pain, no gain!\n")
    (root / "unsafe.md").write_text(clean.split("---\n", 2)[2] + "\nNo pain, no gain!\n")
    (root / "binary.md").write_bytes(b"\x00\x01PNG")
    case = FIXTURES / "cases" / "structured_clinic_channel.yaml"
    return {
        "@clean": str(FIXTURES / "hep" / "clean_tkr_headed.md"),
        "@unsafe": str(root / "unsafe.md"),
        "@dir": str(root / "dir"),
        "@empty_dir": str(root / "empty_dir"),
        "@case": str(case),
        "@binary": str(root / "binary.md"),
        "@missing": str(root / "missing.md"),
    }


# Each example may check real files or fork `--jobs N` workers (~0.3 s): 60 in CI, 2,000 long.
CLI_EXAMPLES = 2_000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 60


@settings(max_examples=CLI_EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=cli_args(CLI_PATHS))
def test_cli_never_shows_a_traceback(cli_files, argv):
    count("cli")
    argv = [cli_files.get(a, a) for a in argv]
    out, err = io.StringIO(), io.StringIO()
    # "-o" may name a path the fuzzer made up: never let it write (the output option is
    # tested for real in test_no_network.py)
    if "-o" in argv:
        i = argv.index("-o")
        argv = argv[:i] + argv[i + 2 :]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: usage error
            code = exc.code
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue(), err.getvalue()


def test_report_example_counts():
    """Prints how many examples each fuzz test tried in this run (run it last, -s to see)."""
    print("\nfuzz examples:", json.dumps(EXAMPLES, sort_keys=True), "total", sum(EXAMPLES.values()))


# -- known bugs found here (owners: see the reasons) --------------------------------------------------


def test_note_with_extreme_measures_is_an_input_error_not_a_crash():
    data = {**NOTE_BASE, "measures": [{"name": "Knee bend", "baseline": -1e308, "current": 1e308}], "goals": []}
    try:
        progress_note(data)
    except InputError:
        pass


@pytest.mark.parametrize("fn", ["hep", "note"])
def test_non_string_format_is_an_input_error(fn):
    try:
        if fn == "hep":
            generate_hep(example("tkr.yaml"), ["print"])
        else:
            progress_note(NOTE_BASE, {"markdown": 1})
    except InputError:
        pass


def test_invisible_characters_in_a_structured_hep_do_not_hide_unsafe_wording():
    data = example("tkr.yaml")
    data["exercises"][0]["description"] = "Lie on your back. No pain, no\u200b gain!"
    assert "SF001" in {f.rule for f in generate_hep(data, "print").findings}
