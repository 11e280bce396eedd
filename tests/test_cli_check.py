import json
import subprocess
import sys

import pytest

from hep_mcp.cli import main
from tests.conftest import EXAMPLES, FIXTURES

CLEAN = FIXTURES / "hep" / "clean_tkr_headed.md"


@pytest.fixture
def clean_draft(tmp_path):
    """The clean case's draft without its expectations (front matter)."""
    p = tmp_path / "clean.md"
    p.write_text(CLEAN.read_text().split("---\n", 2)[2])
    return p
FLAWED = EXAMPLES / "flawed_draft.md"


def run_cli(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_draft_exits_0(capsys):
    code, out, err = run_cli(capsys, "check", CLEAN)
    assert code == 0 and err == ""
    assert out.strip().endswith("1 file checked, 1 ready: 0 errors, 0 warnings")


def test_errors_exit_1_with_compiler_style_lines(tmp_path, capsys):
    draft = tmp_path / "d.md"
    leaflet = FIXTURES / "hep" / "leaflet_nine_exercises.md"
    draft.write_text(leaflet.read_text().split("---\n", 2)[2])  # the draft without its expectations
    code, out, _ = run_cli(capsys, "check", draft)
    assert code == 1
    line = next(ln for ln in out.splitlines() if " EX001 " in ln)
    assert line.startswith(f"{draft}:") and ": error EX001 [exercises] 9 exercises" in line
    assert line.endswith(")")  # the suggestion in parentheses


def test_json_shape(capsys):
    code, out, _ = run_cli(capsys, "check", "--format", "json", CLEAN, FIXTURES / "hep" / "unsafe_wording.md")
    doc = json.loads(out)
    assert set(doc) == {"results", "summary"}
    assert doc["summary"]["files"] == 2
    r = doc["results"][0]
    assert set(r) == {"path", "kind", "language", "ready", "readability", "findings"}
    assert r["kind"] == "hep" and r["language"] == "en" and r["ready"] is True and set(r["readability"]) == {"fk_grade", "smog"}
    f = doc["results"][1]["findings"][0]
    assert set(f) == {"rule", "element", "severity", "message", "line", "suggestion", "field"}
    assert f["field"] is None  # a free-text draft: its line says where
    assert doc["summary"]["errors"] == sum(
        1 for res in doc["results"] for x in res["findings"] if x["severity"] == "error"
    )


def test_unreadable_paths_exit_2_and_others_still_checked(tmp_path, capsys):
    binary = tmp_path / "scan.md"
    binary.write_bytes(b"\x00\x01\x02PNG")
    bad_utf8 = tmp_path / "latin1.txt"
    bad_utf8.write_bytes("Caf\xe9".encode("latin-1"))
    bad_yaml = tmp_path / "case.yaml"
    bad_yaml.write_text("patient_first_name: [unclosed\n")
    code, out, err = run_cli(capsys, "check", "--format", "json", tmp_path / "missing.md", binary, CLEAN, bad_utf8, bad_yaml)
    assert code == 2
    assert json.loads(out)["summary"] == {"files": 1, "errors": 0, "warnings": 0, "unreadable": 4}
    lines = err.strip().splitlines()
    assert len(lines) == 4 and "Traceback" not in err
    assert any("missing.md: no such file" in ln for ln in lines)
    assert any("binary file" in ln for ln in lines)
    assert any("not valid UTF-8" in ln for ln in lines)
    assert any("case.yaml:2: invalid YAML" in ln for ln in lines)


def test_folder_is_checked_recursively(capsys):
    code, out, _ = run_cli(capsys, "check", "--format", "json", FIXTURES / "hep")
    doc = json.loads(out)
    assert doc["summary"]["files"] == len(list((FIXTURES / "hep").glob("*")))
    assert code == 0  # every case holds its expectations; findings a case expects do not gate


def test_structured_yaml_is_rendered_then_checked(capsys):
    clinic = EXAMPLES / "clinic" / "clinic.yaml"  # its phone goes into the call-the-clinic lines
    code, out, _ = run_cli(capsys, "check", "--format", "json", "--config", clinic, EXAMPLES / "tkr.yaml")
    doc = json.loads(out)
    assert code == 0 and doc["results"][0]["ready"] is True and doc["results"][0]["findings"] == []


def test_structured_yaml_with_a_bad_field_names_it(tmp_path, capsys):
    bad = tmp_path / "hep.yaml"
    bad.write_text((EXAMPLES / "tkr.yaml").read_text().replace("confidence: 8", "confidence: 12"))
    code, _, err = run_cli(capsys, "check", bad)
    assert code == 2 and "confidence" in err and "less than or equal to 10" in err


def test_kind_note_is_reported(tmp_path, capsys):
    draft = tmp_path / "n.md"
    draft.write_text("Hi\n")
    code, out, _ = run_cli(capsys, "check", "--format", "json", "--kind", "hep", draft)
    assert json.loads(out)["results"][0]["kind"] == "hep"


@pytest.mark.parametrize(
    "config, code, needle",
    [
        ("reading_grade:\n  warning_above: 1\n", 0, "PL001"),
        ("exercise_count:\n  min: 1\n  max: 2\n", 1, "EX001"),
        ("exercise_count:\n  min: 4\n  max: 6\n", 0, "warning EX002"),
        ("exercise_count:\n  min: 4\n  max: 6\nseverity:\n  EX002: error\n", 1, "error EX002"),
        ("disable: [EX001]\nexercise_count:\n  min: 1\n  max: 2\n", 0, None),
        ("official_channels: [MoveWell app]\n", 0, None),
    ],
)
def test_clinic_config_changes_results(tmp_path, capsys, clean_draft, config, code, needle):
    cfg = tmp_path / "clinic.yaml"
    cfg.write_text(config)
    got, out, err = run_cli(capsys, "check", "--config", cfg, clean_draft)
    assert got == code, out + err
    if needle:
        assert needle in out


@pytest.mark.parametrize(
    "config, needle",
    [
        ("pain_point: 3\n", "pain_point: unknown field"),
        ("pain_points: 0\n", "pain_points"),
        ("severity:\n  XX999: error\n", "unknown rule ID 'XX999'"),
        ("- a\n- b\n", "expected a mapping"),
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("a: !!python/object:os.system ls\n", "invalid YAML"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path, capsys, config, needle):
    cfg = tmp_path / "clinic.yaml"
    cfg.write_text(config)
    code, out, err = run_cli(capsys, "check", "--config", cfg, CLEAN)
    assert code == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1 and "clinic.yaml" in err


def test_fail_on_levels(tmp_path, capsys):
    draft = tmp_path / "two.md"  # the draft of a case with a warning only, without its expectations
    draft.write_text((FIXTURES / "hep" / "two_exercises.md").read_text().split("---\n", 2)[2])
    assert run_cli(capsys, "check", draft)[0] == 0
    assert run_cli(capsys, "check", "--fail-on", "warning", draft)[0] == 1
    assert run_cli(capsys, "check", "--fail-on", "never", FLAWED)[0] == 0


def test_rules_lists_every_rule_with_examples(capsys):
    from hep_mcp.rules import catalog

    code, out, _ = run_cli(capsys, "rules", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and {r["id"] for r in listed} == set(catalog())
    assert all(r["examples"]["pass"] is not None and r["examples"]["fail"] is not None for r in listed)
    code, out, _ = run_cli(capsys, "rules")
    assert "EX001  too-many-exercises  [exercises]  error" in out and "    fail: " in out


def test_check_path_does_not_import_the_mcp_sdk():
    script = (
        "import sys\nfrom hep_mcp.cli import main\n"
        f"main(['check', {str(CLEAN)!r}])\n"
        "bad = sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.') or m == 'nltk')\n"
        "print('IMPORTED', bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60).stdout
    assert "IMPORTED []" in out


def test_console_script_and_module_entry_points():
    for cmd in (["hep-mcp", "check", str(CLEAN)], [sys.executable, "-m", "hep_mcp", "check", str(CLEAN)]):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "1 ready" in proc.stdout


def test_worker_processes_give_the_same_results():
    from hep_mcp.check import check_paths

    serial = check_paths([str(FIXTURES / "hep")], jobs=1)
    parallel = check_paths([str(FIXTURES / "hep")], jobs=2)
    assert [(r.path, r.report, r.error, r.case_failures) for r in serial] == [
        (r.path, r.report, r.error, r.case_failures) for r in parallel
    ]


def test_language_option_forces_or_detects(capsys, tmp_path):
    from tests.test_spanish_check import SPANISH

    draft = tmp_path / "plan.md"
    draft.write_text(SPANISH, encoding="utf-8")
    code, out, _ = run_cli(capsys, "check", "--format", "json", str(draft))
    assert json.loads(out)["results"][0]["language"] == "es" and code == 0
    code, out, _ = run_cli(capsys, "check", "--format", "json", "--language", "en", str(draft))
    assert json.loads(out)["results"][0]["language"] == "en" and code == 1
    code, out, _ = run_cli(capsys, "check", "--format", "json", "--language", "es", CLEAN)
    assert json.loads(out)["results"][0]["language"] == "es"


def test_the_quickstart_demo_runs_a_real_session_and_catches_the_flawed_draft(tmp_path):
    """README's first quickstart command: `hep-mcp demo` drafts the example HEP over stdio
    (ready, no findings) and checks the flawed draft (not ready, its unsafe wording caught)."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "hep_mcp", "demo"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    assert "Tools: generate_hep, check_hep_rules, progress_note, exercise_library" in out
    assert "-- ready: true; findings: 0" in out
    assert "-- ready: false;" in out and "SF001 [safety]" in out
    assert list(tmp_path.iterdir()) == []  # nothing written where it ran
