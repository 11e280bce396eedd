"""The stdio transport: whole lines only, bounded memory on a line without end, a prompt
exit on SIGTERM/SIGINT; and short bearer tokens refused at start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from importlib import resources

import pytest
import yaml

pytest.importorskip("mcp")

from hep_mcp.stdio import Oversize, request_id, split_lines  # noqa: E402

CLINIC = str(Path(__file__).resolve().parent.parent / "src" / "hep_mcp" / "examples" / "clinic" / "clinic.yaml")
SERVE = [sys.executable, "-m", "hep_mcp", "serve", "--check-workers", "1", "--config", CLINIC]


def _lines(chunks, limit):
    return [("OVER", x.head) if isinstance(x, Oversize) else x for x in split_lines(chunks, limit)]


@pytest.mark.parametrize(
    "chunks, limit, expected",
    [
        ([b"a\nb\n"], 10, [b"a", b"b"]),
        ([b"ab", b"c\nd", b"e\n"], 10, [b"abc", b"de"]),
        ([b"tail"], 10, [b"tail"]),
        ([b"\n\n"], 10, [b"", b""]),
        ([b"0123456789\n"], 10, [b"0123456789"]),  # exactly the limit
        ([b"0123456789X\nok\n"], 10, [("OVER", b"0123456789X"), b"ok"]),
        ([b"01234", b"56789", b"XYZ", b"more\nok\n"], 10, [("OVER", b"0123456789XYZ"), b"ok"]),
        ([b"0123456789XYZ"], 10, [("OVER", b"0123456789XYZ")]),  # no newline before EOF
    ],
)
def test_split_lines(chunks, limit, expected):
    assert _lines(chunks, limit) == expected


def test_a_line_without_end_is_dropped_as_it_streams():
    """200 MB without a newline: memory stays near the limit, not the line."""
    chunk = b"x" * 65536
    limit = 1 << 20

    def chunks():
        for _ in range(200 * 16):  # 200 MiB
            yield chunk
        yield b"\n{}\n"

    tracemalloc.start()
    try:
        out = _lines(chunks(), limit)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [x if isinstance(x, bytes) else x[0] for x in out] == ["OVER", b"{}"]
    assert peak < 3 * limit, peak


@pytest.mark.parametrize(
    "head, rid",
    [
        (b'{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"x":"', b"7"),
        (b'{"id": "abc-1", "jsonrpc": "2.0"', b'"abc-1"'),
        (b'  {"jsonrpc": "2.0", "id": -3', b"-3"),
        (b'{"jsonrpc":"2.0","method":"tools/call","params":{"id":5', None),  # id inside params
        (b'{"jsonrpc":"2.0","id":"a\\"b"', None),
        (b"xxxxxxxx", None),
    ],
)
def test_request_id_from_the_first_bytes(head, rid):
    assert request_id(head) == rid


# -- real subprocesses ----------------------------------------------------------------------


def _rpc(i, method, params=None) -> bytes:
    msg = {"jsonrpc": "2.0", "id": i, "method": method}
    if params is not None:
        msg["params"] = params
    return (json.dumps(msg) + "\n").encode()


INIT = _rpc(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                              "clientInfo": {"name": "t", "version": "0"}}) + b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n'


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k != "HEP_MCP_TOKEN"}


def _start() -> subprocess.Popen:
    proc = subprocess.Popen(SERVE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env())
    proc.stdin.write(INIT)
    proc.stdin.flush()
    first = proc.stdout.readline()
    assert json.loads(first)["id"] == 0
    return proc


def _read_rest(proc, out: list) -> threading.Thread:
    def run():
        out.append(proc.stdout.read())

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _wait_exit(proc, started: float, limit: float = 10) -> float:
    try:
        proc.wait(limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("the server did not exit")
    return time.monotonic() - started


def _buffered(fd: int) -> int:
    import array
    import fcntl
    import termios

    n = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, n)
    return n[0]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sets the pipe size (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_mid_reply_leaves_only_whole_lines_and_exits_within_a_second(sig):
    import fcntl

    hep = yaml.safe_load(resources.files("hep_mcp").joinpath("examples", "tkr.yaml").read_text(encoding="utf-8"))
    call = lambda i: _rpc(i, "tools/call", {"name": "generate_hep", "arguments": {"hep": hep}})  # noqa: E731
    proc = _start()
    try:
        out_fd = proc.stdout.fileno()
        fcntl.fcntl(out_fd, 1031, 4096)  # F_SETPIPE_SZ: one page, smaller than one reply
        proc.stdin.write(call(1))
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["id"] == 1  # a worker is up
        proc.stdin.write(b"".join(call(i) for i in range(2, 40)))
        proc.stdin.flush()
        # nobody reads stdout: once the pipe is full the server is mid-way through a reply
        deadline = time.monotonic() + 60
        while _buffered(out_fd) < 4096 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _buffered(out_fd) >= 4096
        time.sleep(0.2)
        started = time.monotonic()
        proc.send_signal(sig)
        out: list[bytes] = []
        reader = _read_rest(proc, out)
        took = _wait_exit(proc, started)
        reader.join(5)
    finally:
        if proc.poll() is None:
            proc.kill()
    data = out[0]
    assert len(data) > 4096 and data.endswith(b"\n")
    replies = [json.loads(line) for line in data.splitlines()]  # raises on a cut-off line
    assert replies and all(r["result"]["structuredContent"]["ready"] is True for r in replies)
    assert len(replies) < 38  # the rest were dropped, not written
    assert took <= 1.5, took  # <= 1 s on an idle machine; slack for a loaded CI runner
    assert b"Traceback" not in proc.stderr.read()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_while_idle_exits_without_stdin_closing(sig):
    proc = _start()
    try:
        started = time.monotonic()
        proc.send_signal(sig)
        took = _wait_exit(proc, started)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert took <= 1.5, took
    assert proc.stdout.read() == b""
    assert proc.returncode == 0


def _hwm_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_an_oversize_line_is_discarded_as_it_streams_and_answered_with_an_error():
    proc = _start()
    try:
        before = _hwm_kib(proc.pid)
        head = b'{"jsonrpc":"2.0","id":41,"method":"tools/call","params":{"name":"check_hep_rules","arguments":{"text":"'
        proc.stdin.write(head)
        block = b"y" * (1 << 20)
        for _ in range(200):  # 200 MiB in one line
            proc.stdin.write(block)
        proc.stdin.write(b'"}}}\n' + _rpc(42, "ping"))
        proc.stdin.flush()
        first, second = json.loads(proc.stdout.readline()), json.loads(proc.stdout.readline())
        grown = _hwm_kib(proc.pid) - before
        proc.stdin.close()
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert first["id"] == 41 and first["error"]["code"] == -32600
    assert "over the size limit of 4,194,304 bytes" in first["error"]["message"]
    assert second == {"jsonrpc": "2.0", "id": 42, "result": {}}
    assert grown < 40 * 1024, f"peak memory grew by {grown} KiB"  # the limit (4 MiB) and the reader's chunks, not 200 MiB
    assert b"yyyy" not in proc.stderr.read()


# -- tokens -------------------------------------------------------------------------------


@pytest.mark.parametrize("token, refused", [("x", True), ("a" * 15, True), ("a" * 16, False), ("s3cret-token-0123456789", False)])
def test_short_tokens_are_refused(token, refused):
    from hep_mcp.cli.serve import http_problem

    problem = http_problem("127.0.0.1", 8765, token, [])
    assert (problem is not None) == refused
    if refused:
        assert problem.startswith(f"HEP_MCP_TOKEN: {len(token)} characters is too short") and "at least 16" in problem
        assert token not in problem or len(token) == 1  # the token itself is never echoed


@pytest.mark.slow
def test_serve_with_a_short_token_does_not_start():
    proc = subprocess.run([*SERVE, "--transport", "http"], capture_output=True, text=True, timeout=30,
                          env={**_env(), "HEP_MCP_TOKEN": "hunter2"})
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("hep-mcp: HEP_MCP_TOKEN: 7 characters is too short")
    assert "hunter2" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
