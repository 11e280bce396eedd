"""Release artifacts: one version everywhere, package metadata, the MCP Bundle manifest
(`mcpb validate` and `mcpb pack`), server.json against the MCP Registry schema, the Claude
Code plugin's userConfig, and the Dockerfile's environment built and run without a
container engine."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest

from hep_mcp import __version__

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
MCPB = "@anthropic-ai/mcpb@2.1.2"


def load(name: str):
    return json.loads((ROOT / name).read_text(encoding="utf-8"))


def test_one_version_source():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "hep_mcp.__version__"}
    server = load("server.json")
    plugin = load(".claude-plugin/plugin.json")
    market = load(".claude-plugin/marketplace.json")
    found = {
        "manifest.json": load("manifest.json")["version"],
        "server.json": server["version"],
        "server.json packages": {p["version"] for p in server["packages"]} == {__version__} and __version__,
        ".claude-plugin/plugin.json": plugin["version"],
        ".claude-plugin/marketplace.json": next(p["version"] for p in market["plugins"] if p["name"] == "hep-mcp"),
        ".pre-commit-hooks.yaml": re.search(r"rev: v(\S+)", (ROOT / ".pre-commit-hooks.yaml").read_text()).group(1),
        "docs/ci-workflow.yml": re.search(r"hep-mcp@v([0-9][^\"\s]*)", (ROOT / "docs/ci-workflow.yml").read_text()).group(1),
    }
    assert {k: v for k, v in found.items() if v != __version__} == {}


def test_package_metadata():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"  # an SPDX expression, as the LICENSE file says
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert project["license-files"] == ["LICENSE"]
    versions = {c.rsplit(" ", 1)[-1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3.")}
    assert versions == {"3.11", "3.12", "3.13"}
    assert not any(c.startswith("License ::") for c in project["classifiers"])  # SPDX field instead
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(project["urls"])


def test_sdist_manifest_carries_what_the_tests_read():
    text = (ROOT / "MANIFEST.in").read_text()
    for folder in ("tests", "fixtures", "docs", "bench", "prompts", "skills", ".claude-plugin"):
        assert f"graft {folder}" in text, folder
    for name in ("LICENSE", "README.md", "manifest.json", "server.json", ".mcp.json", "Dockerfile"):
        assert name in text.split("\n", 2)[1], name


# -- MCP Bundle (Claude Desktop) ------------------------------------------------------------


def _server_names():
    pytest.importorskip("mcp")
    import anyio

    from hep_mcp.server import build_server

    server = build_server()

    async def names():
        return {t.name for t in await server.list_tools()}, {p.name for p in await server.list_prompts()}

    return anyio.run(names)


def test_bundle_manifest_names_the_servers_tools_and_prompts():
    manifest = load("manifest.json")
    tools, prompts = _server_names()
    assert {t["name"] for t in manifest["tools"]} == tools
    assert {p["name"] for p in manifest["prompts"]} == prompts
    field = manifest["user_config"]["clinic_config"]
    assert field["type"] == "file" and field["required"] is False
    env = manifest["server"]["mcp_config"]["env"]
    assert env == {"HEP_MCP_CONFIG": "${user_config.clinic_config}"}
    args = manifest["server"]["mcp_config"]["args"]
    assert args[-2:] == ["hep-mcp", "serve"] and "${__dirname}" in args
    assert (ROOT / manifest["server"]["entry_point"]).is_file()


def test_bundle_manifest_against_the_mcpb_schema():
    """The manifest schema shipped by @anthropic-ai/mcpb (v0.4), vendored in tests/data."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "mcpb-manifest-v0.4.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(load("manifest.json"))


npx = pytest.mark.skipif(shutil.which("npx") is None, reason="npx (Node.js) is not installed")


@npx
@pytest.mark.slow
def test_mcpb_validate_and_pack(tmp_path):
    def mcpb(*args):
        return subprocess.run(["npx", "-y", MCPB, *args], capture_output=True, text=True, timeout=300, cwd=tmp_path)

    proc = mcpb("validate", str(ROOT / "manifest.json"))
    assert proc.returncode == 0 and "validation passes" in proc.stdout, proc.stdout + proc.stderr
    bad = tmp_path / "bad" / "manifest.json"
    bad.parent.mkdir()
    bad.write_text(json.dumps({**load("manifest.json"), "user_config": {"clinic_config": {"type": "yaml"}}}))
    assert mcpb("validate", str(bad)).returncode != 0  # the validator does reject a bad manifest
    out = tmp_path / "hep-mcp.mcpb"
    proc = mcpb("pack", str(ROOT), str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = set(zipfile.ZipFile(out).namelist())
    assert {"manifest.json", "pyproject.toml", "README.md", "LICENSE", "src/hep_mcp/server.py",
            "prompts/draft_hep.md.j2", "skills/six-element-hep/SKILL.md"} <= names
    assert not any(n.startswith(("tests/", ".git/", "bench/", "node_modules/")) for n in names)


# -- MCP Registry ------------------------------------------------------------------------------


def test_server_json_against_the_registry_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "mcp-registry-server-2025-09-29.schema.json").read_text(encoding="utf-8"))
    server = load("server.json")
    assert server["$schema"] == schema["$id"]
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    validator.validate(server)
    assert list(validator.iter_errors({**server, "description": "x" * 101}))  # the schema does bite
    pkg = server["packages"][0]
    assert (pkg["registryType"], pkg["identifier"]) == ("pypi", "hep-mcp")
    assert [e["name"] for e in pkg["environmentVariables"]] == ["HEP_MCP_CONFIG"]


# -- Claude Code plugin ------------------------------------------------------------------------


def test_plugin_user_config_sets_the_clinic_config():
    plugin = load(".claude-plugin/plugin.json")
    options = plugin["userConfig"]
    allowed = {"type", "title", "description", "required", "default", "options", "multiple", "sensitive", "min", "max"}
    for key, option in options.items():
        assert re.fullmatch(r"[a-z_]+", key)
        assert set(option) <= allowed and option["title"] and option["description"]
        assert option["type"] in {"string", "number", "boolean", "directory", "file"}
    assert options["clinic_config"]["type"] == "file"
    env = load(".mcp.json")["hep"]["env"]
    assert env == {"HEP_MCP_CONFIG": "${user_config.clinic_config}"}


def test_an_empty_clinic_config_field_means_the_defaults(tmp_path):
    """Both the bundle and the plugin pass an unset field as HEP_MCP_CONFIG=''."""
    env = {**os.environ, "HEP_MCP_CONFIG": ""}
    draft = tmp_path / "d.md"
    draft.write_text("Hi.\n")
    proc = subprocess.run([sys.executable, "-m", "hep_mcp", "check", str(draft)], capture_output=True, text=True, env=env)
    assert proc.returncode in (0, 1) and "config" not in proc.stderr.lower(), proc.stderr


# -- Dockerfile ------------------------------------------------------------------------------


def _dockerfile():
    lines, buf = [], ""
    for raw in (ROOT / "Dockerfile").read_text().splitlines():
        if raw.lstrip().startswith("#") or not raw.strip():
            continue
        buf += raw.rstrip("\\").strip() + " " if raw.endswith("\\") else raw.strip()
        if not raw.endswith("\\"):
            lines.append(buf)
            buf = ""
    return [(line.split(" ", 1)[0], line.split(" ", 1)[1]) for line in lines]


def test_dockerfile_is_slim_non_root_stateless_with_a_healthcheck():
    steps = _dockerfile()
    kinds = [k for k, _ in steps]
    assert re.fullmatch(r"python:3\.1[1-3]-slim", dict(steps)["FROM"])
    users = [v for k, v in steps if k == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert kinds.index("USER") < kinds.index("CMD")
    cmd = " ".join(json.loads(dict(steps)["CMD"]))
    assert "--transport http" in cmd and "--stateless" in cmd and "--workers" in cmd
    assert "HEP_MCP_TOKEN" not in dict(steps)["ENV"]  # the token comes from the environment at run time
    assert "/healthz" in dict(steps)["HEALTHCHECK"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_dockerfile_environment_built_and_run_without_a_container_engine(tmp_path):
    """The Dockerfile's own RUN pip commands into a fresh venv, then its CMD and HEALTHCHECK."""
    steps = _dockerfile()
    venv = tmp_path / "opt-hep-mcp"
    src = tmp_path / "src"
    for kind, value in steps:
        if kind == "COPY":
            *sources, dest = value.split()
            for s in sources:
                target = src / Path(dest).relative_to("/src") if dest != "/src/" else src / s
                if (ROOT / s).is_dir():
                    shutil.copytree(ROOT / s, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(ROOT / s, target)
    run = next(v for k, v in steps if k == "RUN")
    commands = [c.strip() for c in run.split("&&")]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEP_MCP_", "PYTHON", "VIRTUAL_ENV"))}
    for c in commands:
        argv = shlex.split(c.replace("/opt/hep-mcp", str(venv)).replace("/src", str(src)))
        if argv[0] == "python":
            argv[0] = sys.executable
        if argv[0] in ("rm", "useradd"):
            continue  # image housekeeping and the non-root user (checked above)
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=900, env=env)
        if proc.returncode and ("NewConnectionError" in proc.stderr or "No matching distribution" in proc.stderr):
            pytest.skip("no package index reachable")
        assert proc.returncode == 0, f"{c}: {proc.stderr[-2000:]}"
    image_env = {}
    for kind, value in steps:
        if kind == "ENV":
            for k, v in re.findall(r'(\w+)=("[^"]*"|\S+)', value):
                image_env[k] = v.strip('"').replace("/opt/hep-mcp", str(venv)).replace("$PATH", env.get("PATH", ""))
    port = _free_port()
    token = "docker-test-token-0123456789abcdef"
    run_env = {**env, **image_env, "HEP_MCP_PORT": str(port), "HEP_MCP_TOKEN": token}
    cmd = json.loads(dict(steps)["CMD"])
    server = subprocess.Popen(cmd, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        health = dict(steps)["HEALTHCHECK"].split(" CMD ", 1)[1]
        check = json.loads(health)
        check[0] = str(venv / "bin" / "python")
        deadline = time.monotonic() + 90
        while subprocess.run(check, env=run_env, capture_output=True).returncode != 0:
            assert server.poll() is None, server.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the health check never passed"
            time.sleep(0.5)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
                   "Host": "localhost"}
        url = f"http://127.0.0.1:{port}/mcp"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=10)
        assert refused.value.code == 401
        reply = urllib.request.urlopen(
            urllib.request.Request(url, body, {**headers, "Authorization": f"Bearer {token}"}), timeout=30
        )
        assert "check_hep_rules" in reply.read().decode()
    finally:
        server.terminate()
        try:
            _, err = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
    assert "Traceback" not in err
    # with no token the image refuses to start (it binds beyond loopback)
    no_token = {k: v for k, v in run_env.items() if k != "HEP_MCP_TOKEN"}
    proc = subprocess.run(cmd, env=no_token, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "HEP_MCP_TOKEN" in proc.stderr
