"""HTTP serving (src/hep_mcp/serving.py and server.http_app): stateless mode with two
workers, /healthz, Host names with or without a port, the session cap, the per-client
cap and idle expiry (memory returns), the header timeout, TCP_NODELAY on the socket."""

from __future__ import annotations

import contextlib
import gc
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import tracemalloc

import pytest

pytest.importorskip("mcp")
pytest.importorskip("uvicorn")

from hep_mcp.server import build_server, host_values, http_app  # noqa: E402
from hep_mcp.serving import HTTPOptions, listening_socket, uvicorn_config  # noqa: E402

INIT = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


def rpc(i, method, params=None) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": i, "method": method, **({"params": params} if params else {})})


def request(port, method="POST", path="/mcp", body=None, headers=None, host=None, source="127.0.0.1", timeout=30):
    """(status, headers, body) of one request on a fresh connection from `source`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    h = dict(HEADERS if body is not None else {})
    h.update(headers or {})
    conn.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
    if host is not None:
        conn.putheader("Host", host)
    for k, v in h.items():
        conn.putheader(k, v)
    data = (body or "").encode()
    if body is not None:
        conn.putheader("Content-Length", str(len(data)))
    conn.endheaders(data if body is not None else None)
    resp = conn.getresponse()
    out = resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    conn.close()
    return out


def test_host_values_with_or_without_a_port():
    assert host_values("hep.clinic.example", 8765) == ["hep.clinic.example:8765", "hep.clinic.example"]
    assert host_values("hep.clinic.example:8443", 8765) == ["hep.clinic.example:8443"]
    assert host_values("::1", 8765) == ["[::1]:8765", "[::1]"]
    assert host_values("[::1]:9000", 8765) == ["[::1]:9000"]
    assert host_values("[fe80::1]", 8765) == ["[fe80::1]:8765", "[fe80::1]"]


# -- an in-process server (a thread), for the limits ------------------------------------------


@contextlib.contextmanager
def running(make_app, options: HTTPOptions):
    """Serve ``make_app(port)`` on a free loopback port in a thread."""
    import uvicorn

    sock = listening_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    app = make_app(port)
    server = uvicorn.Server(uvicorn_config(app, options))
    server.install_signal_handlers = lambda: None  # not the main thread
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(15)


def test_allowed_host_without_a_port_is_served_behind_a_proxy():
    def app(port):
        return http_app(build_server(), "127.0.0.1", port, allowed_hosts=("hep.clinic.example",), stateless=True)

    with running(app, HTTPOptions(log_level="error")) as port:
        init = rpc(1, "initialize", INIT)
        assert request(port, body=init, host="hep.clinic.example")[0] == 200
        assert request(port, body=init, host=f"hep.clinic.example:{port}")[0] == 200
        assert request(port, body=init, host="hep.clinic.example", headers={"Origin": "https://hep.clinic.example"})[0] == 200
        assert request(port, body=init, host="evil.example")[0] == 421
        assert request(port, body=init, host="hep.clinic.example:9999")[0] == 421
        assert request(port, body=init, host="hep.clinic.example", headers={"Origin": "https://evil.example"})[0] == 403
        # /healthz: no token, no Host check, no data
        status, _, body = request(port, "GET", "/healthz", host="10.0.0.9:80")
        assert (status, body) == (200, b"ok\n")
        assert request(port, "POST", "/healthz", body="{}")[0] == 405


def _open_session(port, source):
    status, headers, _ = request(port, body=rpc(1, "initialize", INIT), source=source)
    return status, headers.get("mcp-session-id")


def _open_transports() -> int:
    from mcp.server.streamable_http import StreamableHTTPServerTransport

    gc.collect()
    return sum(isinstance(o, StreamableHTTPServerTransport) for o in gc.get_objects())


def test_sessions_past_the_caps_recover_when_idle_ones_expire_and_memory_returns():
    idle = 5.0  # longer than opening the sessions below takes on a loaded machine

    def app(port):
        return http_app(build_server(), "127.0.0.1", port, max_sessions=30, session_idle_timeout=idle, sessions_per_client=20)

    with running(app, HTTPOptions(log_level="error")) as port:
        base = _open_transports()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            # one address fills its own cap; a second fills the server's
            start = time.monotonic()
            statuses = [_open_session(port, "127.0.0.2")[0] for _ in range(20)]
            assert statuses == [200] * 20
            assert _open_session(port, "127.0.0.2")[0] == 429  # per-address cap
            assert [_open_session(port, "127.0.0.3")[0] for _ in range(10)] == [200] * 10
            assert _open_session(port, "127.0.0.4")[0] == 503  # server cap: a new client is refused
            during = tracemalloc.get_traced_memory()[0]
            assert time.monotonic() - start < idle, "too slow to fill the caps before the first sessions expire"
            assert _open_transports() - base == 30
            time.sleep(idle + 1.0)
            status, sid = _open_session(port, "127.0.0.4")  # served again once idle ones expired
            assert status == 200 and sid
            assert _open_session(port, "127.0.0.2")[0] == 200  # the address's slots are free again
            time.sleep(idle + 1.0)
            assert _open_transports() - base == 0
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    grew, left = during - before, after - before
    assert grew > 300_000, f"30 sessions cost only {grew} bytes: the measurement is not seeing them"
    assert left < grew / 10, f"memory did not return: {left} of {grew} bytes still held"


def test_a_connection_that_never_sends_its_request_head_is_closed():
    def app(port):
        return http_app(build_server(), "127.0.0.1", port, stateless=True)

    with running(app, HTTPOptions(log_level="error", header_timeout=1.0, keep_alive_timeout=30)) as port:
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the rest
        slow.settimeout(0.2)
        start = time.monotonic()
        closed = False
        while time.monotonic() - start < 6:
            try:
                slow.sendall(b"X")  # trickling bytes does not keep it open
                if slow.recv(100) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:
                closed = True
                break
        took = time.monotonic() - start
        slow.close()
        assert closed and took < 3, f"still open after {took:.1f} s"
        # a normal client is served as before
        assert request(port, body=rpc(1, "initialize", INIT))[0] == 200


def test_listening_socket_sets_tcp_nodelay_on_connections():
    sock = listening_socket("127.0.0.1", 0)
    sock.listen()
    client = socket.create_connection(sock.getsockname())
    conn, _ = sock.accept()
    try:
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        assert conn.proto == socket.IPPROTO_TCP  # so asyncio sets it too
    finally:
        for s in (conn, client, sock):
            s.close()


# -- two workers, one client -------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if int(fields[1]) == pid and b"resource_tracker" not in cmd:
                out.append(int(entry))
    return out


def _cpu(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, clock ticks


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to tell the workers apart")
def test_stateless_two_workers_answer_one_clients_requests_interleaved():
    from concurrent.futures import ThreadPoolExecutor

    from tests.test_server_transports import example, free_port

    token = "t0ken-for-the-two-worker-test"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "HEP_MCP_TOKEN"}
    env["HEP_MCP_TOKEN"] = token
    proc = subprocess.Popen(
        [sys.executable, "-m", "hep_mcp", "serve", "--transport", "http", "--stateless", "--workers", "2",
         "--port", str(port), "--allowed-host", "hep.clinic.example"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    auth = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz", timeout=2)[0] == 200 and len(_children(proc.pid)) == 2:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        workers = _children(proc.pid)
        # every worker has finished starting before counting its CPU
        time.sleep(1.0)
        cpu0 = {w: _cpu(w) for w in workers}
        text = example("flawed_draft.md") * 4
        call = rpc(2, "tools/call", {"name": "check_hep_rules", "arguments": {"text": text}})
        status, headers, body = request(port, body=rpc(1, "initialize", INIT), headers=auth)
        assert status == 200 and "mcp-session-id" not in headers  # stateless: no session to pin

        def one(i):
            return request(port, body=call, headers=auth, host="hep.clinic.example" if i % 2 else None)

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(one, range(16)))
        for status, _, body in results:
            reply = json.loads(body)
            assert status == 200 and reply["result"]["structuredContent"]["ready"] is False
        used = {w: _cpu(w) - cpu0[w] for w in workers}
        assert all(v > 0 for v in used.values()), f"one worker answered everything: {used}"
        # the token and the Host check hold in every worker
        for _ in range(8):
            assert request(port, body=call)[0] == 401
            assert request(port, body=call, headers={"Authorization": "Bearer wrong"})[0] == 401
            assert request(port, body=call, headers=auth, host=f"evil.example:{port}")[0] == 421
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert "Traceback" not in err
    assert "Quorvantel" not in err


def test_several_workers_need_the_stateless_mode():
    proc = subprocess.run([sys.executable, "-m", "hep_mcp", "serve", "--transport", "http", "--workers", "2"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--stateless" in proc.stderr
    bad = subprocess.run([sys.executable, "-m", "hep_mcp", "serve", "--transport", "http", "--workers", "0"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--workers" in bad.stderr and "Traceback" not in bad.stderr
