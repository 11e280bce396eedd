"""Determinism: rendered outputs and check results are the same bytes across runs and
across PYTHONHASHSEED values (set and dict order, hashing), in fresh processes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

# Prints one line per artifact: name, sha256 of its bytes. Everything users get:
# check output in every reporter format over the fixture suite, every render format
# of every example HEP, both note formats of every structured note fixture.
SCRIPT = r"""
import hashlib, io, contextlib, sys
from pathlib import Path
import yaml
from hep_mcp.cli import main
from hep_mcp.render import FORMATS, generate_hep
from hep_mcp.note import FORMATS as NOTE_FORMATS, progress_note
root = Path(sys.argv[1])
def h(b): return hashlib.sha256(b.encode() if isinstance(b, str) else b).hexdigest()
for fmt in ("text", "json", "sarif", "junit", "github"):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["check", "--format", fmt, "--jobs", "1", "fixtures"])
    print("check", fmt, h(out.getvalue()), len(out.getvalue()))
for ex in sorted((root / "src/hep_mcp/examples").glob("*.yaml")):
    data = yaml.safe_load(ex.read_text(encoding="utf-8"))
    for fmt in FORMATS:
        r = generate_hep(data, fmt)
        print("render", ex.name, fmt, h(r.model_dump_json()))
for case in sorted((root / "fixtures/notes").glob("*.yaml")):
    data = yaml.safe_load(case.read_text(encoding="utf-8"))
    data = data.get("input", data)
    for fmt in NOTE_FORMATS:
        try:
            print("note", case.name, fmt, h(progress_note(data, fmt).model_dump_json()))
        except Exception as exc:
            print("note", case.name, fmt, "error", type(exc).__name__, exc)
"""


def digest(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_same_bytes_across_hash_seeds_and_runs():
    runs = {seed: digest(seed) for seed in ("0", "1", "4242", "random")}
    reference = runs["0"]
    lines = reference.splitlines()
    assert len([ln for ln in lines if ln.startswith("render ")]) >= 25
    assert len([ln for ln in lines if ln.startswith("check ")]) == 5
    assert all(int(ln.split()[-1]) > 100 for ln in lines if ln.startswith("check "))
    for seed, out in runs.items():
        diff = [(a, b) for a, b in zip(reference.splitlines(), out.splitlines()) if a != b]
        assert out == reference, f"PYTHONHASHSEED={seed} differs: {diff[:3]}"


def test_check_results_in_process_are_repeatable():
    from hep_mcp.check import check_paths

    first = [(r.path, r.error, r.report.model_dump_json() if r.report else None) for r in check_paths([str(ROOT / "fixtures")], jobs=1)]
    again = [(r.path, r.error, r.report.model_dump_json() if r.report else None) for r in check_paths([str(ROOT / "fixtures")], jobs=1)]
    assert first == again and len(first) > 20
    assert hashlib.sha256(json.dumps(first).encode()).hexdigest() == hashlib.sha256(json.dumps(again).encode()).hexdigest()


def test_dependencies_are_bounded_so_a_new_major_cannot_change_results_silently():
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = project["dependencies"]
    for dep in deps:
        assert "==" in dep or re.search(r"<\s*\d", dep), f"{dep}: needs an upper bound or an exact pin"
    pins = {re.split(r"[<>=!~ ]", d, maxsplit=1)[0].lower(): d for d in deps}
    assert pins["textstat"].replace(" ", "") == "textstat==0.7.13"  # scores drift between releases
    assert re.search(r"<\s*3", pins["mcp"])


def test_installed_versions_satisfy_the_bounds():
    import re
    import tomllib
    from importlib.metadata import version

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for dep in deps:
        name = re.split(r"[<>=!~ ]", dep, maxsplit=1)[0]
        major = int(version(name).split(".")[0])
        upper = re.search(r"<\s*(\d+)", dep)
        if upper:
            assert major < int(upper.group(1)), f"{name} {version(name)} is outside {dep}"
        else:
            assert version(name) == dep.split("==", 1)[1].strip(), dep
