"""Every fixture case holds its expectations; every HEP rule fires in some case."""

from pathlib import Path

import pytest

from hep_mcp.check import FRONT_MATTER, SUFFIXES, check_file
from hep_mcp.rules import catalog
from tests.conftest import FIXTURES

# fixtures/corpus is the development corpus: tests/test_corpus.py runs it, with its known gaps.
CASES = sorted(
    p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in SUFFIXES and not p.relative_to(FIXTURES).parts[0].startswith("corpus")
)
HEP_CASES = sorted((FIXTURES / "hep").glob("*"))
CONDITIONS = ["total_knee_replacement", "acl_reconstruction", "rotator_cuff_repair", "low_back_pain", "lower_limb_amputation"]


@pytest.mark.parametrize("path", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_case_expectations_hold(path: Path):
    result = check_file(path, str(path.relative_to(FIXTURES)))
    assert result.error is None, result.error
    assert result.case_failures == [], "\n".join(result.case_failures)


def test_enough_hep_cases_with_expectations():
    with_expect = [p for p in HEP_CASES if "expect:" in p.read_text()]
    assert len(with_expect) >= 25


def test_every_hep_rule_fires_in_some_case():
    fired = set()
    for path in HEP_CASES:
        result = check_file(path, path.name)
        fired |= {f.rule for f in result.report.findings}
        assert not result.case_failures
    # rules for structured-only inputs are covered by their own modules' tests
    structured_only = {"MS005"}
    missing = {s.id for s in catalog().values() if s.kind == "hep"} - fired - structured_only
    assert missing == set()


@pytest.mark.parametrize("condition", CONDITIONS)
def test_a_clean_free_text_case_per_condition(condition):
    clean = []
    for path in HEP_CASES:
        m = FRONT_MATTER.match(path.read_text())
        if m and f"condition: {condition}" in m.group(1) and "ready: true" in m.group(1):
            result = check_file(path, path.name)
            if result.report.ready and not result.report.findings:
                clean.append(path.name)
    assert clean, f"no clean case for {condition}"
