"""The server as users run it: a subprocess over stdio, a live streamable-HTTP server on
127.0.0.1, the CLI's refusals, what reaches stdout and stderr, and the MCP Inspector's
strict tool listing."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from importlib import resources

import pytest
import yaml

pytest.importorskip("mcp")

from mcp import Client, StdioServerParameters  # noqa: E402

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SERVE = [sys.executable, "-m", "hep_mcp", "serve"]
SECRET_NAME = "Zephyrinaqx"
SECRET_TEXT = "Quorvantel knee"
INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


def example(name: str) -> str:
    return resources.files("hep_mcp").joinpath("examples", name).read_text(encoding="utf-8")


def env(**extra) -> dict:
    e = {k: v for k, v in os.environ.items() if k != "HEP_MCP_TOKEN"}
    e.update(extra)
    return e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- stdio ---------------------------------------------------------------------------------


async def test_stdio_subprocess_with_the_sdk_client():
    params = StdioServerParameters(command=sys.executable, args=["-m", "hep_mcp", "serve"], env=env())
    with tempfile.TemporaryFile("w+") as errlog:
        from mcp.client.stdio import stdio_client

        async with Client(stdio_client(params, errlog=errlog)) as c:
            assert c.server_info.name == "hep-mcp"
            tools = {t.name for t in (await c.list_tools()).tools}
            gen = await c.call_tool("generate_hep", {"hep": yaml.safe_load(example("low_back.yaml"))})
            chk = await c.call_tool("check_hep_rules", {"text": example("flawed_draft.md")})
            prompts = {p.name for p in (await c.list_prompts()).prompts}
            spec = await c.read_resource("hep://spec/six-elements")
    assert {"generate_hep", "check_hep_rules"} <= tools
    assert not gen.is_error and gen.structured_content["ready"] is True
    assert not chk.is_error and chk.structured_content["ready"] is False
    assert {"EX001", "SF001", "MS001", "FB003"} <= {f["rule"] for f in chk.structured_content["findings"]}
    assert {"draft_hep", "revise_hep_after_visit", "progress_note"} <= prompts
    assert "six elements" in spec.contents[0].text


def _rpc(i, method, params=None):
    msg = {"jsonrpc": "2.0", "method": method}
    if i is not None:
        msg["id"] = i
    if params is not None:
        msg["params"] = params
    return json.dumps(msg) + "\n"


def test_stdout_carries_only_protocol_and_stderr_no_patient_text():
    """Raw pipes at --log-level debug: every stdout line is a JSON-RPC message; the debug
    log on stderr is there but never shows tool arguments or rendered patient text."""
    hep = yaml.safe_load(example("low_back.yaml"))
    hep["patient_first_name"] = SECRET_NAME
    messages = [
        _rpc(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                               "clientInfo": {"name": "raw-test", "version": "0"}}),
        _rpc(None, "notifications/initialized"),
        _rpc(2, "tools/list"),
        _rpc(3, "tools/call", {"name": "generate_hep", "arguments": {"hep": hep}}),
        _rpc(4, "tools/call", {"name": "check_hep_rules", "arguments": {"text": f"Hi {SECRET_NAME}. {SECRET_TEXT}."}}),
        _rpc(5, "tools/call", {"name": "check_hep_rules", "arguments": {"text": SECRET_TEXT, "kind": SECRET_NAME}}),
        _rpc(6, "tools/call", {"name": "generate_hep", "arguments": {"hep": {"patient_first_name": SECRET_NAME,
                                                                          "exercises": SECRET_TEXT}}}),
        _rpc(7, "prompts/get", {"name": "revise_hep_after_visit", "arguments": {"what_happened": SECRET_TEXT}}),
        "this is not json " + SECRET_TEXT + "\n",
    ]
    proc = subprocess.Popen([*SERVE, "--log-level", "debug"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env())
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        proc.stdin.write("".join(messages))
        proc.stdin.flush()
        replies, wanted = [], {1, 2, 3, 4, 5, 6, 7}
        while wanted - {r.get("id") for r in replies}:
            line = proc.stdout.readline()
            if not line:
                break
            if line.strip():
                replies.append(json.loads(line))  # raises if anything else reached stdout
        proc.stdin.close()  # EOF: the server exits
        proc.wait(30)
        rest, stderr = proc.stdout.read(), proc.stderr.read()
    finally:
        watchdog.cancel()
    replies += [json.loads(ln) for ln in rest.splitlines() if ln.strip()]
    assert all(r.get("jsonrpc") == "2.0" for r in replies)
    by_id = {r["id"]: r for r in replies if "id" in r}
    assert {1, 2, 3, 4, 5, 6, 7} <= set(by_id), stderr[-2000:]
    assert by_id[3]["result"]["structuredContent"]["ready"] is True
    assert by_id[5]["result"]["isError"] is True
    assert by_id[6]["result"]["isError"] is True
    assert proc.returncode == 0
    assert "DEBUG" in stderr  # debug logging really was on
    assert SECRET_NAME not in stderr and SECRET_TEXT not in stderr


# -- CLI refusals ------------------------------------------------------------------------


def test_serve_refuses_a_non_loopback_host_without_a_token():
    proc = subprocess.run([*SERVE, "--transport", "http", "--host", "192.0.2.10"], capture_output=True,
                          text=True, timeout=30, env=env())
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "HEP_MCP_TOKEN" in proc.stderr and "--host 192.0.2.10" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_http_problem_rules():
    from hep_mcp.cli.serve import http_problem

    assert http_problem("127.0.0.1", 8765, None, []) is None
    assert http_problem("::1", 8765, None, []) is None
    assert "HEP_MCP_TOKEN" in http_problem("10.0.0.5", 8765, None, [])
    assert http_problem("10.0.0.5", 8765, "tok-0123456789abcdef", []) is None
    assert "--allowed-host" in http_problem("0.0.0.0", 8765, "tok-0123456789abcdef", [])
    assert http_problem("0.0.0.0", 8765, "tok-0123456789abcdef", ["pt.example.org"]) is None
    assert "--port 0" in http_problem("127.0.0.1", 0, None, [])


def test_serve_bad_config_is_one_line():
    proc = subprocess.run([*SERVE, "--config", "/nonexistent/clinic.yaml"], capture_output=True, text=True,
                          timeout=30, env=env())
    assert proc.returncode == 2 and proc.stdout == ""
    assert "clinic.yaml" in proc.stderr and "Traceback" not in proc.stderr


# -- HTTP --------------------------------------------------------------------------------


@contextlib.contextmanager
def http_server(token: str | None = None):
    port = free_port()
    extra = {"HEP_MCP_TOKEN": token} if token else {}
    proc = subprocess.Popen([*SERVE, "--transport", "http", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env(**extra))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {proc.stderr.read() if proc.stderr else ''}")
                time.sleep(0.1)
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def post(port: int, headers: dict | None = None, host: str | None = None) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = _rpc(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                  "clientInfo": {"name": "raw", "version": "0"}})
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    h.update(headers or {})
    if host:
        conn.putrequest("POST", "/mcp", skip_host=True)
        conn.putheader("Host", host)
        for k, v in h.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body.encode())
    else:
        conn.request("POST", "/mcp", body=body, headers=h)
    status = conn.getresponse().status
    conn.close()
    return status


async def test_http_with_the_sdk_client_and_host_origin_checks():
    with http_server() as (port, proc):
        async with Client(f"http://127.0.0.1:{port}/mcp") as c:
            r = await c.call_tool("check_hep_rules", {"text": example("flawed_draft.md")})
            tools = {t.name for t in (await c.list_tools()).tools}
        assert not r.is_error and r.structured_content["ready"] is False
        assert "check_hep_rules" in tools
        assert post(port) == 200
        assert post(port, host=f"localhost:{port}") == 200
        assert post(port, host=f"evil.example:{port}") == 421  # DNS rebinding: Host is not the bound host
        assert post(port, host=f"127.0.0.1:{port + 1}") == 421
        assert post(port, headers={"Origin": "http://evil.example"}) == 403
        assert post(port, headers={"Origin": f"http://127.0.0.1:{port}"}) == 200
    assert proc.stdout.read() == ""


async def test_http_token_required():
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    with http_server(token="s3cret-token-0123456789") as (port, proc):
        assert post(port) == 401
        assert post(port, headers={"Authorization": "Bearer wrong"}) == 401
        assert post(port, headers={"Authorization": "Bearer s3cret-token-0123456789"}) == 200
        http = create_mcp_http_client(headers={"Authorization": "Bearer s3cret-token-0123456789"})
        async with http:
            async with Client(streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)) as c:
                r = await c.call_tool("check_hep_rules", {"text": "Hi Ann."})
        assert not r.is_error
        assert post(port, headers={"Authorization": "Bearer s3cret-token-0123456789"}, host=f"evil.example:{port}") == 421


# -- MCP Inspector -----------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("npx") is None, reason="npx (Node.js) is not installed")
def test_inspector_strict_tools_list():
    """`npx @modelcontextprotocol/inspector --cli --method tools/list --strict` (exit 6: a schema
    is not portable). Needs the npm registry or a cached copy of the Inspector."""
    cmd = ["npx", "-y", INSPECTOR, "--cli", "--method", "tools/list", "--strict", "--", *SERVE]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env())
    except subprocess.TimeoutExpired:
        pytest.skip("the Inspector did not finish in 240 s (npm registry unreachable?)")
    if proc.returncode != 0 and ("ENOTFOUND" in proc.stderr or "EAI_AGAIN" in proc.stderr or "E404" in proc.stderr):
        pytest.skip("could not fetch the Inspector from the npm registry")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    names = {t["name"] for t in json.loads(proc.stdout)["tools"]}
    assert {"generate_hep", "check_hep_rules"} <= names
