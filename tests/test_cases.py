"""fixtures/cases: a clinic team's regression cases (their channels, phrases, thresholds)."""

from pathlib import Path

import pytest

from hep_mcp.check import SUFFIXES, check_file
from hep_mcp.cli import main
from tests.conftest import FIXTURES

CASES = sorted(p for p in (FIXTURES / "cases").rglob("*") if p.is_file() and p.suffix in SUFFIXES)
ALL = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_clinic_case_holds(path: Path):
    result = check_file(path, path.name)
    assert result.error is None, result.error
    assert result.case_failures == [], "\n".join(result.case_failures)


def test_at_least_40_cases_with_expectations_across_heps_and_notes():
    with_expect = [p for p in ALL if "expect:" in p.read_text()]
    assert len(with_expect) >= 40
    assert len(CASES) >= 10


def test_case_config_changes_the_verdict():
    """The same draft with and without the clinic's channel name: the config is what makes it pass."""
    named = check_file(FIXTURES / "cases" / "clinic_channel_named.md", "named")
    unnamed = check_file(FIXTURES / "cases" / "clinic_channel_unnamed.md", "unnamed")
    assert named.report.ready and not unnamed.report.ready
    assert "FB001" in {f.rule for f in unnamed.report.findings}


def test_broken_expectation_fails_with_a_readable_diff(tmp_path, capsys):
    src = (FIXTURES / "cases" / "clinic_pain_points_3.md").read_text()
    broken = tmp_path / "broken.md"
    broken.write_text(src.replace("fire: [RR002]", "fire: [EX001]\n  not: [RR002]"))
    code = main(["check", str(broken)])
    out = capsys.readouterr().out
    assert code == 1
    assert "error CASE [format] fixture expectations broke:" in out
    assert "- expected EX001 to fire; it did not" in out
    assert "+ RR002 fired (line 30); the case says it must not" in out


def test_bad_case_config_is_a_one_line_error(tmp_path, capsys):
    bad = tmp_path / "bad.md"
    bad.write_text("---\ncase: x\nconfig:\n  pain_point: 3\nexpect:\n  ready: true\n---\nHi Sam.\n")
    code = main(["check", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and "pain_point" in err and "Traceback" not in err and err.count("\n") == 1
