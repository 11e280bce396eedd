"""No network, no disk writes at run time.

The check, render (every format), note and serve (stdio) paths run in subprocesses
whose outbound sockets are blocked (connect, getaddrinfo, create_connection and
sendto raise and are reported on stderr) with HOME set to an empty folder that is
made read-only. We run as root here, where chmod does not stop writes, so the proof
is a before/after listing of every file under HOME and the working directory: the
only new file allowed is the one named with ``-o``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, FIXTURES

pytestmark = pytest.mark.slow

BLOCK = r"""
import socket, sys
def _blocked(*args, **kwargs):
    print("NETWORK ATTEMPT BLOCKED", file=sys.stderr, flush=True)
    raise OSError("network blocked by test")
socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.socket.sendto = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
sys.argv = sys.argv[1:]
"""
CLI = BLOCK + "from hep_mcp.cli import main\nsys.exit(main(sys.argv))\n"
RENDER = BLOCK + r"""
import yaml
from hep_mcp.render import FORMATS, generate_hep
from hep_mcp.note import progress_note
data = yaml.safe_load(open(sys.argv[0], encoding="utf-8"))
for fmt in FORMATS:
    assert generate_hep(data, fmt).text
print("rendered", len(FORMATS))
"""


def tree(*roots: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                st = p.lstat()
                out[str(p)] = (st.st_size, st.st_mtime_ns)
    return out


@pytest.fixture
def sandbox(tmp_path):
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    draft = work / "draft.md"
    draft.write_text((EXAMPLES / "flawed_draft.md").read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "NLTK", "HEP_MCP"))}
    env.update(HOME=str(home), PYTHONDONTWRITEBYTECODE="1", TMPDIR=str(work / "tmp-should-stay-empty"))
    home.chmod(0o500)
    yield home, work, env
    home.chmod(0o700)


def run(code: str, args: list[str], work: Path, env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=work, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_check_render_and_note_write_nothing_but_the_output_file(sandbox):
    home, work, env = sandbox
    before = tree(home, work)
    note_case = sorted((FIXTURES / "notes").glob("*.yaml"))[0]
    results = [
        run(CLI, ["check", "draft.md"], work, env),
        run(CLI, ["check", "--format", "sarif", "draft.md", str(FIXTURES / "hep")], work, env),
        run(CLI, ["check", "--format", "json", str(FIXTURES / "cases")], work, env),
        run(RENDER, [str(EXAMPLES / "tkr.yaml")], work, env),
        run(CLI, ["note", str(note_case), "-o", "note.md"], work, env),
        run(CLI, ["note", str(note_case), "--format", "text"], work, env),
        run(CLI, ["render", "--format", "html", str(EXAMPLES / "tkr.yaml"), "-o", "handout.html"], work, env),
        run(CLI, ["render", "--format", "sms", str(EXAMPLES / "tkr.yaml")], work, env),
    ]
    for r in results:
        assert "NETWORK ATTEMPT BLOCKED" not in r.stderr
        assert "Traceback" not in r.stderr, r.stderr[-2000:]
        assert r.returncode in (0, 1, 2)
    assert results[0].returncode == 1 and "SF001" in results[0].stdout
    assert json.loads(results[2].stdout)["summary"]["files"] > 5
    assert "rendered" in results[3].stdout
    after = tree(home, work)
    new = sorted(set(after) - set(before))
    changed = sorted(p for p in before if before[p] != after.get(p))
    assert new == [str(work / "handout.html"), str(work / "note.md")] and changed == []
    assert "<html" in (work / "handout.html").read_text(encoding="utf-8")
    assert (work / "note.md").read_text(encoding="utf-8").strip()
    assert results[4].stdout == ""  # -o: the note went to the file, not stdout


def test_serve_stdio_writes_nothing_and_opens_no_connection(sandbox):
    pytest.importorskip("mcp")
    home, work, env = sandbox
    before = tree(home, work)
    # low back: its red flags name 911 and the emergency department, so it is ready without a clinic phone
    tkr = __import__("yaml").safe_load((EXAMPLES / "low_back.yaml").read_text(encoding="utf-8"))
    msgs = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "generate_hep", "arguments": {"hep": tkr}}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "check_hep_rules", "arguments": {"text": "Hi Ann. No pain, no gain!"}}},
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call",
         "params": {"name": "exercise_library", "arguments": {"condition": "total_knee_replacement"}}},
    ]
    proc = subprocess.Popen([sys.executable, "-c", CLI, "serve", "--log-level", "debug"], cwd=work, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write("".join(json.dumps(m) + "\n" for m in msgs))
        proc.stdin.flush()
        replies = {}
        while not {1, 2, 3, 4} <= set(replies):
            line = proc.stdout.readline()
            if not line:
                break
            msg = json.loads(line)
            replies[msg.get("id")] = msg
        proc.stdin.close()  # the client goes away: the server must end, cleanly
        proc.wait(30)
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr[-2000:]
    assert "NETWORK ATTEMPT BLOCKED" not in stderr and "Traceback" not in stderr
    assert replies[2]["result"]["structuredContent"]["ready"] is True
    assert replies[3]["result"]["structuredContent"]["ready"] is False
    assert replies[4]["result"]["isError"] is False
    assert tree(home, work) == before


def test_the_blocker_really_blocks(sandbox):
    """The guard is live: a connection attempt in the same wrapper is refused and reported."""
    _, work, env = sandbox
    r = run(BLOCK + "import urllib.request\nurllib.request.urlopen('http://example.org', timeout=2)\n", [], work, env)
    assert r.returncode != 0 and "NETWORK ATTEMPT BLOCKED" in r.stderr
