"""Hostile input: size and count limits, YAML/JSON bombs, bad bytes and bad paths.

Every bad input gets one line that names the file or field and what is expected --
from the plain functions, the CLI and the MCP tools alike -- and one bad file never
stops the others from being checked. ``BAD_FILES`` and ``BAD_FIELDS`` are the
"bad inputs tried" of docs/reliability.md.
"""

from __future__ import annotations

import copy
import json

import anyio
import pytest

from hep_mcp.check import check_draft
from hep_mcp.cli import main
from hep_mcp.config import config_from_mapping
from hep_mcp.errors import InputError
from hep_mcp.note import progress_note
from hep_mcp.render import generate_hep
from tests.conftest import FIXTURES
from tests.strategies import NOTE_BASE, example

CLEAN_TEXT = (FIXTURES / "hep" / "clean_tkr_headed.md").read_text(encoding="utf-8").split("---\n", 2)[2]
UNSAFE = "No pain, no gain!"  # SF001 fires on this line


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(message: str) -> str:
    assert "\n" not in message.strip() and "Traceback" not in message, message
    return message


def rules_at(report, rule: str) -> list[int | None]:
    return [f.line for f in report.findings if f.rule == rule]


# -- size limits -------------------------------------------------------------------------------


def test_draft_over_the_limit_is_refused_naming_the_limit():
    with pytest.raises(InputError) as exc:
        check_draft("word " * 20_001)
    msg = one_line(str(exc.value))
    assert msg.startswith("text: ") and "100,005 bytes" in msg and "limit of 100,000 bytes" in msg


def test_limit_counts_utf8_bytes_not_characters():
    emoji = "😀" * 25_001  # 25,001 characters, 100,004 bytes
    with pytest.raises(InputError, match="100,004 bytes is over the limit"):
        check_draft(emoji)


def test_limit_is_a_clinic_setting():
    small = config_from_mapping({"max_input_bytes": 2_000})
    text = CLEAN_TEXT + "\n" + "Lift it gently. " * 200
    assert len(text.encode()) > 2_000
    check_draft(text)  # fine with the default
    with pytest.raises(InputError, match="over the limit of 2,000 bytes"):
        check_draft(text, config=small)


def test_nothing_is_truncated_just_under_the_limit():
    """A draft just under the limit is read to its last line: a finding there is reported."""
    filler = "Keep your back straight and breathe out as you lift.\n"
    body = CLEAN_TEXT + filler * ((99_000 - len(CLEAN_TEXT)) // len(filler))
    text = body + UNSAFE + "\n"
    assert 98_000 < len(text.encode()) <= 100_000
    last_line = text.count("\n")
    assert rules_at(check_draft(text), "SF001") == [last_line]


def test_cli_file_over_the_limit_is_one_line_and_others_still_checked(tmp_path, capsys):
    big = tmp_path / "big.md"
    big.write_text("Hi Ann.\n" + "Lift it gently.\n" * 7_000)
    ok = tmp_path / "ok.md"
    ok.write_text(CLEAN_TEXT)
    code, out, err = run_cli(capsys, "check", "--format", "json", big, ok)
    assert code == 2
    assert one_line(err).strip() == f"hep-mcp: {big}: over the size limit of 100,000 bytes"
    doc = json.loads(out)
    assert doc["summary"]["files"] == 1 and doc["summary"]["unreadable"] == 1
    assert doc["results"][0]["path"].endswith("ok.md")


def test_cli_size_limit_follows_the_clinic_config(tmp_path, capsys):
    cfg = tmp_path / "clinic.yaml"
    cfg.write_text("max_input_bytes: 1000\n")
    draft = tmp_path / "d.md"
    draft.write_text(CLEAN_TEXT)
    assert len(CLEAN_TEXT.encode()) > 1000
    code, _, err = run_cli(capsys, "check", "--config", cfg, draft)
    assert code == 2 and "over the size limit of 1,000 bytes" in err


@pytest.mark.parametrize("value", [10, 10**9, "big", -1])
def test_size_limit_setting_is_itself_bounded(value):
    with pytest.raises(InputError, match="max_input_bytes"):
        config_from_mapping({"max_input_bytes": value})


# -- count limits: structured input --------------------------------------------------------------


def _hep(**change):
    data = example("tkr.yaml")
    data.update(change)
    return data


def _note(**change):
    data = copy.deepcopy(NOTE_BASE)
    data.update(change)
    return data


EX = example("tkr.yaml")["exercises"][0]
BAD_FIELDS = [
    # (function, data, field named, limit named)
    ("hep", _hep(exercises=[EX] * 21), "exercises", "at most 20"),
    ("hep", _hep(exercises=[EX] * 5_000), "exercises", "at most 20"),
    ("hep", _hep(response_rules={"red_flags": ["Call 911 for chest pain."] * 21}), "response_rules.red_flags", "at most 20"),
    ("hep", _hep(patient_first_name="A" * 61), "patient_first_name", "at most 60"),
    ("hep", _hep(exercises=[{**EX, "description": "Lift. " * 400}] * 3), "exercises.0.description", "at most 2000"),
    ("hep", _hep(schedule={**example("tkr.yaml")["schedule"], "trigger": "x" * 201}), "schedule.trigger", "at most 200"),
    ("hep", _hep(unexpected={"a": 1}), "unexpected", "unknown field"),
    ("note", _note(measures=[{"name": f"m{i}", "baseline": 1, "current": 2} for i in range(31)]), "measures", "at most 30"),
    ("note", _note(goals=[{"text": "Walk", "status": "met"}] * 21), "goals", "at most 20"),
    ("note", _note(subjective=["Feels better."] * 31), "subjective", "at most 30"),
    ("note", _note(adherence={"log": ["2024-03-02"] * 1_001}), "adherence.log", "at most 1000"),
    ("note", _note(adherence={"barriers": ["work"] * 21}), "adherence.barriers", "at most 20"),
    ("note", _note(plan={"changes": ["More stairs."] * 21}), "plan.changes", "at most 20"),
    ("note", _note(assessment="Better. " * 300), "assessment", "at most 2000"),
]


@pytest.mark.parametrize("fn,data,field,limit", BAD_FIELDS, ids=[f"{b[0]}-{b[2]}-{i}" for i, b in enumerate(BAD_FIELDS)])
def test_too_many_or_too_long_is_a_one_line_error_naming_field_and_limit(fn, data, field, limit):
    call = (lambda: generate_hep(data, "print")) if fn == "hep" else (lambda: progress_note(data))
    with pytest.raises(InputError) as exc:
        call()
    msg = one_line(str(exc.value))
    assert f"{fn}: {field}" in msg and limit in msg
    assert len(msg) < 300  # the rejected value is not echoed back


# -- YAML / JSON bombs and bad structure: CLI (check and note) ---------------------------------------

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)
)
BAD_FILES = {
    # name: (content bytes, expected words in the one-line error)
    "laughs.yaml": (BILLION_LAUGHS.encode(), "aliases (*name) are not allowed"),
    "python_tag.yaml": (b"patient_first_name: !!python/object/apply:os.system [echo hi]\n", "could not determine a constructor"),
    "custom_tag.yaml": (b"patient_first_name: !secret x\n", "could not determine a constructor"),
    "deep.yaml": (("a:\n" + "".join("  " * i + "b:\n" for i in range(1, 40)) + "  " * 40 + "c\n").encode(), "nested deeper than 20 levels"),
    "deep_flow.yaml": (b"[" * 50_000 + b"]" * 49_000, "nested deeper than 20 levels"),
    "deep.json": (b"[" * 30 + b"]" * 30, "nested deeper than 20 levels"),
    "very_deep.json": (b"[" * 60_000 + b"]" * 39_000, "nested deeper than 20 levels"),
    "huge.yaml": (b"exercises:\n" + b"  - name: Lift\n" * 8_000, "over the size limit of 100,000 bytes"),
    "bigint.yaml": (b"confidence: 1" + b"0" * 5_000 + b"\n", "invalid YAML value"),
    "bigint.json": (b'{"confidence": 1' + b"0" * 5_000 + b"}", "invalid JSON value"),
    "bad_date.yaml": (b"period: {start: 2024-02-30}\n", "invalid YAML value (day is out of range for month)"),
    "nan.json": (b'{"confidence": NaN}', "NaN is not a JSON number"),
    "not_a_mapping.yaml": (b"- just\n- a list\n", "expected a mapping"),
    "scalar.json": (b'"text"', "expected a mapping"),
    "unclosed.json": (b'{"patient_first_name": "Ann"', "invalid JSON"),
    "binary.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (contains NUL bytes)"),
    "latin1.md": ("Caf\xe9 au lait".encode("latin-1"), "not valid UTF-8 (byte 3)"),
    "bad_utf16.md": (b"\xff\xfe\x00\xd8", "invalid UTF-16"),
    "front_matter_list.md": (b"---\n- a\n---\nHi Ann.\n", "front matter must be a mapping"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_cli_check_bad_file_is_one_line_and_the_good_file_is_still_checked(tmp_path, capsys, name):
    content, needle = BAD_FILES[name]
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.md"
    good.write_text(CLEAN_TEXT)
    code, out, err = run_cli(capsys, "check", "--format", "json", bad, good)
    assert code == 2
    line = one_line(err).strip()
    assert line.startswith(f"hep-mcp: {bad}") and needle in line, line
    assert len(line) < 400
    doc = json.loads(out)
    assert doc["summary"]["files"] == 1 and doc["summary"]["unreadable"] == 1


@pytest.mark.parametrize("name", [n for n in sorted(BAD_FILES) if n.endswith((".yaml", ".json"))])
def test_cli_note_bad_file_is_one_line(tmp_path, capsys, name):
    content, needle = BAD_FILES[name]
    if "expected a mapping" in needle:
        needle = "expected a mapping with the progress note fields"
    bad = tmp_path / name
    bad.write_bytes(content)
    code, out, err = run_cli(capsys, "note", bad)
    assert code == 2 and out == ""
    assert needle in one_line(err), err


def test_cli_bad_config_files_are_one_line(tmp_path, capsys):
    for name in ("laughs.yaml", "python_tag.yaml", "deep.yaml", "bigint.yaml"):
        cfg = tmp_path / name
        cfg.write_bytes(BAD_FILES[name][0])
        code, out, err = run_cli(capsys, "check", "--config", cfg, FIXTURES / "hep" / "clean_tkr_headed.md")
        assert code == 2 and out == "" and str(cfg) in one_line(err)


# -- bad bytes, encodings and line endings --------------------------------------------------------

DRAFT_LINES = CLEAN_TEXT.rstrip("\n").split("\n") + ["", UNSAFE, "", "Keep going."]
UNSAFE_LINE = len(CLEAN_TEXT.rstrip("\n").split("\n")) + 2

ENCODINGS = {
    "lf.md": "\n".join(DRAFT_LINES).encode(),
    "crlf.md": "\r\n".join(DRAFT_LINES).encode(),
    "cr.md": "\r".join(DRAFT_LINES).encode(),
    "mixed.md": "".join(ln + ("\r\n", "\n", "\r")[i % 3] for i, ln in enumerate(DRAFT_LINES)).encode(),
    "bom.md": b"\xef\xbb\xbf" + "\r\n".join(DRAFT_LINES).encode(),
    "utf16le.md": "\ufeff".encode("utf-16-le") + "\r\n".join(DRAFT_LINES).encode("utf-16-le"),
    "utf16be.md": "\ufeff".encode("utf-16-be") + "\n".join(DRAFT_LINES).encode("utf-16-be"),
}


def test_every_encoding_and_line_ending_gives_the_same_findings_and_line_numbers(tmp_path, capsys):
    for name, data in ENCODINGS.items():
        (tmp_path / name).write_bytes(data)
    code, out, err = run_cli(capsys, "check", "--format", "json", *[tmp_path / n for n in ENCODINGS])
    assert err == "" and code == 1
    results = json.loads(out)["results"]
    assert len(results) == len(ENCODINGS)
    reference = [(f["rule"], f["line"]) for f in results[0]["findings"]]
    assert ("SF001", UNSAFE_LINE) in reference
    for r in results:
        assert [(f["rule"], f["line"]) for f in r["findings"]] == reference, r["path"]


def test_a_directory_and_a_missing_path_among_valid_ones(tmp_path, capsys):
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    (tmp_path / "a.md").write_text(CLEAN_TEXT)
    (tmp_path / "b.md").write_text(CLEAN_TEXT + "\n" + UNSAFE + "\n")
    code, out, err = run_cli(
        capsys, "check", "--format", "json", tmp_path / "a.md", empty_dir, tmp_path / "nope.md", tmp_path / "b.md"
    )
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert "empty: no .md, .txt, .yaml, .yml or .json files in this folder" in lines[0]
    assert "nope.md: no such file or folder" in lines[1]
    doc = json.loads(out)
    assert [r["path"].rsplit("/", 1)[-1] for r in doc["results"]] == ["a.md", "b.md"]
    assert any(f["rule"] == "SF001" for f in doc["results"][1]["findings"])


def test_an_unreadable_file_is_reported(tmp_path, capsys):
    """A path that exists but cannot be read as a file (a FIFO would block; a broken
    symlink is the portable case)."""
    link = tmp_path / "gone.md"
    link.symlink_to(tmp_path / "target-that-does-not-exist.md")
    code, _, err = run_cli(capsys, "check", link, FIXTURES / "hep" / "clean_tkr_headed.md")
    assert code == 2 and "gone.md: no such file" in one_line(err)


def test_an_unreadable_subfolder_is_reported_and_the_rest_checked(tmp_path, capsys, monkeypatch):
    """Found by fuzzing (`hep-mcp check /` raised PermissionError from /proc). As root, chmod
    cannot make a folder unreadable, so the refusal is simulated at os.scandir."""
    import os

    (tmp_path / "ok.md").write_text(CLEAN_TEXT)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.md").write_text(CLEAN_TEXT)
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run_cli(capsys, "check", "--format", "json", tmp_path)
    assert code == 2
    assert one_line(err).strip().endswith("locked: cannot read this folder (Permission denied)")
    assert [r["path"].rsplit("/", 1)[-1] for r in json.loads(out)["results"]] == ["ok.md"]


def test_a_path_with_a_nul_character_is_one_line_everywhere(tmp_path, capsys):
    """Found by fuzzing: a NUL in a path raised ValueError ("embedded null byte")."""
    (tmp_path / "ok.md").write_text(CLEAN_TEXT)
    code, out, err = run_cli(capsys, "check", "--format", "json", "bad\x00name.md", tmp_path / "ok.md")
    assert code == 2 and one_line(err).strip() == "hep-mcp: bad\\0name.md: not a valid path (contains a NUL character)"
    assert json.loads(out)["summary"]["files"] == 1
    for args in (["note", "n\x00.yaml"], ["check", "--config", "c\x00.yaml", tmp_path / "ok.md"]):
        code, out, err = run_cli(capsys, *args)
        assert code == 2 and out == "" and "not a valid path (contains a NUL character)" in one_line(err)


def test_symlinked_folders_are_not_followed(tmp_path, capsys):
    (tmp_path / "ok.md").write_text(CLEAN_TEXT)
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    code, out, err = run_cli(capsys, "check", "--format", "json", tmp_path)
    assert code == 0 and err == ""
    assert json.loads(out)["summary"]["files"] == 1


# Characters that are invisible or reorder text: a reader never sees them, so they must
# neither crash the checker nor hide wording from the rules.
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066"]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_do_not_hide_unsafe_wording(ch):
    hidden = CLEAN_TEXT + "\nNo pain, no" + ch + " ga" + ch + "in!\n"
    assert "SF001" in {f.rule for f in check_draft(hidden).findings}


def test_emoji_rtl_and_very_long_lines_are_checked(tmp_path, capsys):
    text = (
        CLEAN_TEXT
        + "\nעברית مرحبا 😀👍🏽 👨\u200d👩\u200d👧 \u202eevil\u202c\n"
        + ("Keep it gentle " * 3_000) + "\n"  # one 45,000-character line
        + UNSAFE + "\n"
    )
    report = check_draft(text)
    assert rules_at(report, "SF001") == [text.count("\n")]
    p = tmp_path / "long.md"
    p.write_text(text, encoding="utf-8")
    code, out, err = run_cli(capsys, "check", "--format", "json", p)
    assert code == 1 and err == ""
    assert [(f["rule"], f["line"]) for f in json.loads(out)["results"][0]["findings"]] == [
        (f.rule, f.line) for f in report.findings
    ]


@pytest.mark.parametrize(
    "text,kind,needle",
    [
        ("Hi \ud800 Ann", "auto", "text: invalid Unicode (a lone surrogate U+D800 at character 4)"),
        (None, "auto", "text: expected a string"),
        (b"Hi Ann", "auto", "text: expected a string"),
        ("Hi Ann", "essay", "kind: expected one of auto, hep, note"),
        ("Hi Ann", None, "kind: expected one of auto, hep, note"),
    ],
)
def test_check_draft_bad_arguments_are_input_errors(text, kind, needle):
    with pytest.raises(InputError) as exc:
        check_draft(text, kind)
    assert needle in one_line(str(exc.value))


def test_nul_and_control_characters_in_a_draft_string_are_checked_not_fatal():
    report = check_draft(CLEAN_TEXT + "\n\x00\x1b[31m\x07\x08 " + UNSAFE + "\n")
    assert "SF001" in {f.rule for f in report.findings}


# -- the MCP tools: the same limits, as is_error results ---------------------------------------------


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


def _call_all(calls):
    pytest.importorskip("mcp")
    from mcp import Client

    from hep_mcp.server import build_server

    async def go():
        out = []
        async with Client(build_server()) as c:
            for name, args in calls:
                out.append(await c.call_tool(name, args))
        return out

    return anyio.run(go)


def test_mcp_tools_return_is_error_with_the_limit_and_field():
    calls = [
        ("check_hep_rules", {"text": "word " * 20_001}),
        ("check_hep_rules", {"text": "Hi \ud800 Ann"}),
        ("generate_hep", {"hep": _hep(exercises=[EX] * 21)}),
        ("generate_hep", {"hep": _hep(patient_first_name="A" * 61)}),
        ("progress_note", {"note": _note(measures=[{"name": f"m{i}", "baseline": 1, "current": 2} for i in range(31)])}),
        ("progress_note", {"note": _note(adherence={"log": ["2024-03-02"] * 1_001})}),
    ]
    needles = [
        "text: 100,005 bytes is over the limit of 100,000 bytes",
        "lone surrogate U+D800",
        "exercises: List should have at most 20 items",
        "patient_first_name: String should have at most 60 characters",
        "measures: List should have at most 30 items",
        "adherence.log: List should have at most 1000 items",
    ]
    for result, needle, (name, _) in zip(_call_all(calls), needles, calls):
        assert result.is_error, name
        text = result.content[0].text
        assert needle in text and "internal error" not in text, text
        assert "\n" not in text.strip()


def test_mcp_oversized_tool_arguments_never_reach_the_rules():
    """A 3 MB draft over MCP is refused by size before any parsing (fast, one line)."""
    import time

    start = time.monotonic()
    (result,) = _call_all([("check_hep_rules", {"text": "x" * 3_000_000})])
    assert result.is_error and "3,000,000 bytes is over the limit" in result.content[0].text
    assert time.monotonic() - start < 10
