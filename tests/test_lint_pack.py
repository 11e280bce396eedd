"""hep-mcp lint-pack: every pack rule fires on a broken pack and stays quiet on a good one."""

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from hep_mcp.cli import main
from hep_mcp.errors import InputError
from hep_mcp.lint_pack import fenced_blocks, lint_pack, pack_rules
from tests.conftest import ROOT

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
READY_HEP = fenced_blocks((ROOT / "skills" / "six-element-hep" / "references" / "example.md").read_text())[0]

SKILL = """---
name: demo-skill
description: Drafts a demo home exercise program. Use when testing the pack linter.
license: MIT
metadata:
  version: "1"
---

# Demo

See [the notes](references/notes.md).

```hep condition=total_knee_replacement
{hep}```
"""

PROMPT = """---
name: demo_prompt
title: Demo
description: A demo prompt.
arguments:
  - name: patient_first_name
    description: First name.
    required: true
  - name: condition
    description: Optional condition.
    required: false
---
Write a plan for {{ patient_first_name }}{% if condition %} ({{ condition }}){% endif %}.
{% include "_part.md" %}
"""

PLUGIN = {"name": "demo-pack", "version": "1.0.0", "description": "Demo", "author": {"name": "A clinic"}, "skills": "./skills/"}
MCP = {"hep": {"command": "hep-mcp", "args": ["serve"]}}
MARKET = {"name": "demo", "owner": {"name": "A clinic"}, "plugins": [{"name": "demo-pack", "source": "./", "description": "Demo"}]}


def make_pack(root: Path) -> Path:
    (root / "skills" / "demo-skill" / "references").mkdir(parents=True)
    (root / "skills" / "demo-skill" / "SKILL.md").write_text(SKILL.replace("{hep}", READY_HEP.text))
    (root / "skills" / "demo-skill" / "references" / "notes.md").write_text("# Notes\n\nNothing to check.\n")
    (root / "prompts").mkdir()
    (root / "prompts" / "demo_prompt.md.j2").write_text(PROMPT)
    (root / "prompts" / "_part.md").write_text("Ask for the six elements.\n")
    (root / ".claude-plugin").mkdir()
    (root / ".claude-plugin" / "plugin.json").write_text(json.dumps(PLUGIN))
    (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(MARKET))
    (root / ".mcp.json").write_text(json.dumps(MCP))
    (root / "config").mkdir()
    (root / "config" / "clinic.yaml").write_text("official_channels: [MoveWell app]\npain_points: 3\n")
    return root


def fired(root: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in lint_pack(root):
        assert r.ok, r.error
        for f in r.report.findings:
            out.setdefault(f.rule, []).append((r.path, f.line, f.message))
    return out


def test_a_good_pack_is_clean(tmp_path):
    root = make_pack(tmp_path)
    assert fired(root) == {}
    paths = [r.path for r in lint_pack(root)]
    assert len(paths) == 8  # SKILL.md, notes.md, partial, prompt, config, plugin, .mcp.json, marketplace


def edit(path: str, old: str, new: str):
    def apply(root: Path):
        p = root / path
        text = p.read_text()
        assert old in text, f"{old!r} not in {path}"
        p.write_text(text.replace(old, new, 1))

    return apply


def write(path: str, text: str):
    def apply(root: Path):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)

    return apply


def remove(path: str):
    def apply(root: Path):
        p = root / path
        shutil.rmtree(p) if p.is_dir() else p.unlink()

    return apply


SKILL_MD = "skills/demo-skill/SKILL.md"
BROKEN = [
    ("no front matter", edit(SKILL_MD, "---\nname", "name"), "LP001"),
    ("front matter not YAML", edit(SKILL_MD, "license: MIT", "license: [MIT"), "LP001"),
    ("name differs from folder", edit(SKILL_MD, "name: demo-skill", "name: other-skill"), "LP002"),
    ("name with capitals", edit(SKILL_MD, "name: demo-skill", "name: Demo-Skill"), "LP002"),
    ("name with double hyphen", edit(SKILL_MD, "name: demo-skill", "name: demo--skill"), "LP002"),
    ("name too long", edit(SKILL_MD, "name: demo-skill", "name: " + "a" * 65), "LP002"),
    ("description with <", edit(SKILL_MD, "Drafts a demo", "Drafts a <demo>"), "LP003"),
    ("description too long", edit(SKILL_MD, "Drafts a demo", "x" * 1030), "LP003"),
    ("description missing", edit(SKILL_MD, "description: Drafts a demo home exercise program. Use when testing the pack linter.\n", ""), "LP003"),
    ("unknown key", edit(SKILL_MD, "license: MIT", "license: MIT\nversion: 2"), "LP004"),
    ("metadata not strings", edit(SKILL_MD, 'version: "1"', "version: 1"), "LP005"),
    ("compatibility too long", edit(SKILL_MD, "license: MIT", "compatibility: " + "y" * 501), "LP005"),
    ("skill folder without SKILL.md", write("skills/empty-skill/references/a.md", "# a\n"), "LP006"),
    ("no skills at all", remove("skills"), "LP006"),
    ("broken link", edit(SKILL_MD, "references/notes.md", "references/missing.md"), "LP007"),
    ("empty body", write(SKILL_MD, "---\nname: demo-skill\ndescription: A demo. Use when testing.\n---\n"), "LP008"),
    ("prompt without front matter", write("prompts/bare.md.j2", "Hello {{ x }}\n"), "LP010"),
    ("prompt name not snake_case", edit("prompts/demo_prompt.md.j2", "name: demo_prompt", "name: Demo-Prompt"), "LP010"),
    ("prompt unknown key", edit("prompts/demo_prompt.md.j2", "title: Demo", "titel: Demo"), "LP010"),
    ("prompt syntax", edit("prompts/demo_prompt.md.j2", "{% endif %}", ""), "LP011"),
    ("prompt uses an undeclared variable", edit("prompts/demo_prompt.md.j2", "Write a plan", "{{ clinic_name }}: write a plan"), "LP012"),
    ("prompt includes a missing partial", edit("prompts/demo_prompt.md.j2", "_part.md", "_nope.md"), "LP012"),
    ("optional argument used without a guard", edit("prompts/demo_prompt.md.j2", "{% if condition %} ({{ condition }}){% endif %}", " ({{ condition | upper | attr('x') }})"), "LP012"),
    ("sandbox blocks unsafe attribute access", edit("prompts/demo_prompt.md.j2", "Write a plan", "{{ patient_first_name.__class__.__mro__ }}"), "LP012"),
    ("declared argument unused", edit("prompts/demo_prompt.md.j2", "{% if condition %} ({{ condition }}){% endif %}", ""), "LP013"),
    ("config with an unknown key", write("config/clinic.yaml", "pain_point: 3\n"), "LP021"),
    ("config with a bad value", write("config/clinic.yaml", "pain_points: 40\n"), "LP021"),
    ("config disabling an unknown rule", write("config/clinic.yaml", "disable: [XX999]\n"), "LP021"),
    ("plugin name not kebab-case", write(".claude-plugin/plugin.json", json.dumps({**PLUGIN, "name": "Demo Pack"})), "LP030"),
    ("plugin path not ./", write(".claude-plugin/plugin.json", json.dumps({**PLUGIN, "skills": "skills/"})), "LP030"),
    ("plugin not JSON", write(".claude-plugin/plugin.json", "{name: demo}"), "LP030"),
    ("mcp server without command or url", write(".mcp.json", json.dumps({"hep": {"args": ["serve"]}})), "LP031"),
    ("mcp absolute path", write(".mcp.json", json.dumps({"hep": {"command": "/home/me/venv/bin/hep-mcp"}})), "LP031"),
    ("mcp args not strings", write(".mcp.json", json.dumps({"mcpServers": {"hep": {"command": "hep-mcp", "args": [1]}}})), "LP031"),
    ("marketplace without owner", write(".claude-plugin/marketplace.json", json.dumps({k: v for k, v in MARKET.items() if k != "owner"})), "LP032"),
    ("marketplace plugin without description", write(".claude-plugin/marketplace.json", json.dumps({**MARKET, "plugins": [{"name": "x", "source": "./"}]})), "LP032"),
    ("plugin.json missing", remove(".claude-plugin/plugin.json"), "LP033"),
    (".mcp.json missing", remove(".mcp.json"), "LP033"),
    ("example fails the HEP checks", edit(SKILL_MD, "If you miss a day, start again the next day. Don't make it up.", "If you miss a day, double up the next day."), "LP040"),
    ("example in a reference file fails", write("skills/demo-skill/references/notes.md", "```hep\nHi Sam, do these 3x10.\n```\n"), "LP040"),
    ("example in a prompt fails", edit("prompts/demo_prompt.md.j2", "{% include", "```hep\nHi {{ patient_first_name }}, push through the pain.\n```\n{% include"), "LP040"),
    ("structured example invalid", write("skills/demo-skill/references/notes.md", "```hep-yaml\npatient_first_name: Sam\n```\n"), "LP041"),
    ("structured example not YAML", write("skills/demo-skill/references/notes.md", "```hep-yaml\na: [b\n```\n"), "LP041"),
]


@pytest.mark.parametrize("what,mutate,rule", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_pack_rule_fires_on_a_broken_pack(tmp_path, what, mutate, rule):
    root = make_pack(tmp_path)
    mutate(root)
    found = fired(root)
    assert rule in found, f"{rule} did not fire for {what}; got {found}"


def test_every_pack_rule_has_a_failing_case_here():
    assert {b[2] for b in BROKEN} | {"LP020"} == set(pack_rules())


def test_pack_rules_are_documented_data():
    for rid, r in pack_rules().items():
        assert rid.startswith("LP") and r.name and r.description and r.suggestion
        assert r.severity in ("error", "warning", "info")


def test_failing_example_points_at_the_line_in_the_file(tmp_path):
    root = make_pack(tmp_path)
    skill = root / SKILL_MD
    skill.write_text(skill.read_text().replace("Don't make it up.", "Double up the next day."))
    (path, line, message), *_ = fired(root)["LP040"]
    assert path.endswith("SKILL.md") and "RR004" in message
    assert "Double up the next day." in skill.read_text().split("\n")[line - 1]


def test_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        lint_pack(tmp_path / "nope")


def test_unreadable_file_is_reported_not_raised(tmp_path):
    root = make_pack(tmp_path)
    (root / SKILL_MD).write_bytes(b"\x00\x01binary")
    results = lint_pack(root)
    bad = [r for r in results if not r.ok]
    assert len(bad) == 1 and "binary file" in bad[0].error


# -- the command ------------------------------------------------------------------


def run_cli(capsys, *args):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes_and_formats(tmp_path, capsys, monkeypatch):
    root = make_pack(tmp_path / "pack")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "lint-pack", "pack")
    assert code == 0 and err == "" and out.strip().endswith("0 errors, 0 warnings")
    remove(".mcp.json")(root)
    assert run_cli(capsys, "lint-pack", "pack")[0] == 0  # a warning only
    assert run_cli(capsys, "lint-pack", "pack", "--fail-on", "warning")[0] == 1
    edit(SKILL_MD, "name: demo-skill", "name: wrong")(root)
    code, out, _ = run_cli(capsys, "lint-pack", "pack")
    assert code == 1 and "pack/skills/demo-skill/SKILL.md:1: error LP002 [skill]" in out
    assert run_cli(capsys, "lint-pack", "pack", "--fail-on", "never")[0] == 0
    code, _, err = run_cli(capsys, "lint-pack", "nope")
    assert code == 2 and "nope: no such folder" in err


def test_cli_sarif_lists_pack_rules_and_validates(tmp_path, capsys, monkeypatch):
    root = make_pack(tmp_path / "pack")
    edit(SKILL_MD, "name: demo-skill", "name: wrong")(root)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "lint-pack", "pack", "--format", "sarif")
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(pack_rules())
    assert run["results"][0]["ruleId"] == "LP002"
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pack/skills/demo-skill/SKILL.md"


def test_cli_junit_one_testcase_per_file(tmp_path, capsys, monkeypatch):
    import xml.etree.ElementTree as ET

    make_pack(tmp_path / "pack")
    monkeypatch.chdir(tmp_path)
    _, out, _ = run_cli(capsys, "lint-pack", "pack", "--format", "junit")
    suite = ET.fromstring(out).find("testsuite")
    assert suite.get("name") == "hep-mcp lint-pack" and len(suite.findall("testcase")) == 8


def test_lint_pack_does_not_import_the_mcp_sdk(tmp_path):
    import subprocess
    import sys

    make_pack(tmp_path)
    code = "import sys; from hep_mcp.cli import main; rc = main(['lint-pack', sys.argv[1]]); print('mcp' in sys.modules); sys.exit(rc)"
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip().endswith("False")


def test_the_shipped_pack_is_clean_and_covers_spanish_patients():
    """The repository's own pack has no finding at all; the skills that write or revise a
    HEP say how to serve a Spanish-preferring patient, with a Spanish example per element."""
    assert fired(ROOT) == {}
    main = (ROOT / "skills" / "six-element-hep" / "SKILL.md").read_text(encoding="utf-8")
    section = main.split("## Spanish-preferring patients", 1)[1].split("\n## ", 1)[0]
    for needle in ("Ask the therapist", "Write every therapist field in Spanish", '`language: "es"`',
                   "Never mix languages in one handout", "Translate only what the therapist gave",
                   '"911"', "stay exactly as given"):
        assert needle in section, needle
    rows = [line for line in section.splitlines() if line.startswith("| ") and line[2:3].isdigit()]
    assert [r.split("|")[1].strip() for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert "llame al 911" in section and "Acuéstese boca arriba" in section
    for skill in ("hep-next-visit-revision", "hep-adherence-coaching", "hep-progress-note"):
        assert "Spanish" in (ROOT / "skills" / skill / "SKILL.md").read_text(encoding="utf-8"), skill
