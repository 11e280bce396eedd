"""prompts/ and skills/ are top-level folders (the Claude Code plugin layout) and ship in the
wheel; the server finds them in a checkout and in an installed wheel; the Claude files parse."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT.get("tool", {}).get("setuptools", {})
EXPLICIT = isinstance(SETUPTOOLS.get("packages"), list)
needs_mapping = pytest.mark.skipif(
    not EXPLICIT, reason="pyproject.toml does not map prompts/ and skills/ into the package yet (docs: issue 5 report)"
)


def test_server_finds_the_bundled_folders():
    pytest.importorskip("mcp")
    from hep_mcp.prompt_files import bundled_dir, load_prompts

    assert (bundled_dir("prompts") / "draft_hep.md.j2").is_file()
    assert bundled_dir("skills").is_dir()
    assert {"draft_hep", "revise_hep_after_visit", "progress_note"} <= {s.name for s, _ in load_prompts()}


@needs_mapping
def test_every_python_package_is_listed_in_pyproject():
    listed = set(SETUPTOOLS["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT / "src").parts)
        for p in (ROOT / "src" / "hep_mcp").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert {"hep_mcp.prompts", "hep_mcp.skills"} <= listed
    assert SETUPTOOLS["package-dir"]["hep_mcp.prompts"] == "prompts"
    assert SETUPTOOLS["package-dir"]["hep_mcp.skills"] == "skills"


@needs_mapping
@pytest.mark.slow
def test_wheel_contains_prompts_skills_templates_and_data(tmp_path):
    if shutil.which("pip") is None and subprocess.run([sys.executable, "-m", "pip", "--version"]).returncode:
        pytest.skip("pip is not available")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    if proc.returncode and ("Could not find a version" in proc.stderr or "NewConnectionError" in proc.stderr):
        pytest.skip("cannot fetch the build backend (no package index)")
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(tmp_path.glob("hep_mcp-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    prompts = {p.name for p in (ROOT / "prompts").iterdir() if p.is_file()}
    assert {f"hep_mcp/prompts/{n}" for n in prompts} <= names
    skills = {str(p.relative_to(ROOT / "skills")) for p in (ROOT / "skills").rglob("*") if p.is_file()}
    assert {f"hep_mcp/skills/{s}" for s in skills} <= names
    assert "hep_mcp/render/templates/print.md.j2" in names
    assert "hep_mcp/examples/flawed_draft.md" in names and "hep_mcp/server.py" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def test_claude_plugin_files():
    plugin = json.loads((ROOT / ".claude-plugin" / "plugin.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", plugin["name"])
    market = json.loads((ROOT / ".claude-plugin" / "marketplace.json").read_text(encoding="utf-8"))
    assert market["name"] and market["owner"]["name"]
    entry = next(p for p in market["plugins"] if p["name"] == plugin["name"])
    assert entry["source"].startswith("./") and entry["description"]
    servers = json.loads((ROOT / ".mcp.json").read_text(encoding="utf-8"))
    assert "mcpServers" not in servers  # a bare map of servers
    hep = servers["hep"]
    assert "${CLAUDE_PLUGIN_ROOT}" in " ".join([hep["command"], *hep["args"]])
    assert hep["args"][-1] == "serve"
