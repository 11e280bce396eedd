"""The shipped skill pack: valid skills, examples that pass the project's own checks."""

import re

import pytest

from hep_mcp.check import FRONT_MATTER
from hep_mcp.lint_pack import fenced_blocks, lint_pack
from hep_mcp.textio import safe_yaml
from tests.conftest import ROOT

SKILLS = ("six-element-hep", "hep-adherence-coaching", "hep-next-visit-revision", "hep-progress-note")


def test_the_repository_pack_has_no_errors():
    results = lint_pack(ROOT)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    errors = [(r.path, f.line, f.rule, f.message) for r in results for f in r.report.findings if f.severity == "error"]
    assert errors == []


def test_the_four_skills_exist_with_valid_front_matter():
    found = sorted(p.name for p in (ROOT / "skills").iterdir() if p.is_dir())
    assert found == sorted(SKILLS)
    for name in SKILLS:
        text = (ROOT / "skills" / name / "SKILL.md").read_text()
        meta = safe_yaml(FRONT_MATTER.match(text).group(1), name)
        assert meta["name"] == name
        assert "Use when" in meta["description"]  # says when to use it


@pytest.mark.parametrize("name", SKILLS)
def test_each_skill_carries_a_checked_example(name):
    blocks = [b for p in sorted((ROOT / "skills" / name).rglob("*.md")) for b in fenced_blocks(p.read_text())]
    assert blocks, f"{name} has no marked example"


def test_examples_are_checked_so_a_broken_one_is_caught(tmp_path):
    """Copy the pack, break one example, and the linter must report it."""
    import shutil

    shutil.copytree(ROOT / "skills", tmp_path / "skills")
    ref = tmp_path / "skills" / "hep-adherence-coaching" / "references" / "amputee-rehab.md"
    ref.write_text(ref.read_text().replace("Tap Done in the clinic app.", "Text me on WhatsApp."))
    found = {f.rule for r in lint_pack(tmp_path) for f in r.report.findings}
    assert "LP040" in found


def read(name: str) -> str:
    return "\n".join(p.read_text() for p in sorted((ROOT / "skills" / name).rglob("*.md")))


def test_adherence_skill_covers_the_seed_techniques():
    text = read("hep-adherence-coaching")
    for phrase in ("0 to 10", "What would make it a 9?", "first thing at your next visit", "first rep", "hip-flexion contracture"):
        assert phrase in text, phrase
    for lever in ("Structure", "Humor", "Fear reduction", "Competition", "Clarity", "Repetition"):
        assert re.search(rf"\*\*{lever}\*\*|\| {lever} \|", text), lever


@pytest.mark.parametrize("name", SKILLS)
def test_skills_never_choose_for_the_therapist_and_never_blame(name):
    text = read(name)
    assert re.search(r"never\s+(choose|invent|changes)|therapist\s+(chooses|decides|supplies)", text, re.I)
    for blame in ("non-compliant", "unmotivated", "lazy", "refused"):
        # only ever mentioned as words to avoid
        for m in re.finditer(blame, text, re.I):
            context = text[max(0, m.start() - 120) : m.end()]
            assert re.search(r"never|avoid|not |don't", context, re.I), f"{name}: {blame!r} used outside a warning"
