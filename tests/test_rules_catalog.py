"""Every rule is data with a stable ID, an element, a severity and two examples that run."""

import re

import pytest

from hep_mcp.config import config_from_mapping
from hep_mcp.model import HEP_ELEMENTS, NOTE_ELEMENTS
from hep_mcp.rules import catalog
from hep_mcp.rules.engine import check_fn, run

SPECS = list(catalog().values())


def test_catalog_is_not_empty():
    assert len([s for s in SPECS if s.kind == "hep"]) >= 40


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_rule_metadata(spec):
    assert re.fullmatch(r"[A-Z]{2,3}\d{3}", spec.id)
    allowed = HEP_ELEMENTS if spec.kind == "hep" else NOTE_ELEMENTS
    assert spec.element in allowed
    assert spec.severity in ("error", "warning", "info")
    assert spec.description.strip() and spec.message.strip() and (spec.suggestion or "").strip()
    assert "pass" in spec.examples and "fail" in spec.examples, f"{spec.id} lacks an example"
    assert isinstance(spec.examples["pass"], str) and isinstance(spec.examples["fail"], str)
    assert check_fn(spec.id) is not None, f"{spec.id} has no check function"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_failing_example_fires(spec):
    cfg = config_from_mapping(spec.examples.get("config") or {})
    report = run(spec.examples["fail"], kind=spec.kind, config=cfg, condition=spec.examples.get("condition"), only=[spec.id])
    assert spec.id in {f.rule for f in report.findings}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_passing_example_is_clean(spec):
    cfg = config_from_mapping(spec.examples.get("config") or {})
    report = run(spec.examples["pass"], kind=spec.kind, config=cfg, condition=spec.examples.get("condition"), only=[spec.id])
    assert spec.id not in {f.rule for f in report.findings}


def test_ids_are_unique_across_catalogs():
    ids = [s.id for s in SPECS]
    assert len(ids) == len(set(ids))


def test_every_message_placeholder_is_filled_by_its_failing_example():
    for spec in SPECS:
        cfg = config_from_mapping(spec.examples.get("config") or {})
        for f in run(spec.examples["fail"], kind=spec.kind, config=cfg, condition=spec.examples.get("condition"), only=[spec.id]).findings:
            assert "{" not in f.message, (spec.id, f.message)


# Further phrasings a rule must catch (fail) or leave alone (pass): examples.more in the catalog.
MORE = [
    (spec, verdict, text)
    for spec in SPECS
    for verdict in ("pass", "fail")
    for text in ((spec.examples.get("more") or {}).get(verdict) or [])
]


@pytest.mark.parametrize("spec,verdict,text", MORE, ids=[f"{s.id}-{v}-{t[:30]}" for s, v, t in MORE])
def test_more_examples(spec, verdict, text):
    cfg = config_from_mapping(spec.examples.get("config") or {})
    report = run(text, kind=spec.kind, config=cfg, condition=spec.examples.get("condition"), only=[spec.id])
    fired = spec.id in {f.rule for f in report.findings}
    assert fired is (verdict == "fail"), f"{spec.id} {'did not fire' if verdict == 'fail' else 'fired'} on {text!r}"


def test_more_examples_are_well_formed():
    for spec in SPECS:
        more = spec.examples.get("more")
        if more is None:
            continue
        assert set(more) <= {"pass", "fail"}, spec.id
        assert all(isinstance(t, str) and t.strip() for v in more.values() for t in v), spec.id
    assert len(MORE) >= 20


def test_the_emergency_choice_rule_has_further_examples():
    more = catalog()["RR008"].examples["more"]
    assert len(more["fail"]) >= 4 and len(more["pass"]) >= 4


@pytest.mark.parametrize("fk, fires", [(6.04, False), (6.06, True), (6.3, True), (5.9, False)])
def test_the_grade_rule_judges_the_figure_its_message_shows(monkeypatch, fk, fires):
    """PL001 says "Reads at grade 6.0; aim for grade 6 or lower" only if 6.0 were above 6: the
    verdict is taken on the grade rounded as shown."""
    from hep_mcp import readability

    monkeypatch.setattr(readability, "scores", lambda prose: (fk, 7.0))
    text = catalog()["PL001"].examples["fail"]
    found = [f for f in run(text, kind="hep", only=["PL001"]).findings if f.rule == "PL001"]
    assert bool(found) is fires, found
    if found:
        assert f"grade {round(fk, 1):.1f}" in found[0].message
