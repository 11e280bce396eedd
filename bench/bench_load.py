"""HTTP load, measured side by side: hep-mcp's stateless HTTP mode and a bare MCP SDK server
with one trivial tool, each with 1 and N workers, at concurrency 1, 10, 50 and 200; then RSS
per worker over 10,000 calls, uvicorn's own `--workers` socket (the TCP_NODELAY stall) next
to ours, and stdio p50 against the bare server. Prints tables; asserts nothing.

    python bench/bench_load.py [--workers 2] [--scale 1.0] [--quick]

Per row: requests/s, p50 and p99 latency, errors (anything but a 200 with a result that is
not an error), server CPU per request (user+system time of the server's processes, from
/proc, divided by the requests) and the server's RSS (all workers) after the row. Each
request of ours is a `check_hep_rules` call on a distinct one-page draft (the bundled
example handout with a counter); the bare server's tool echoes its argument.

The load generator is this process (asyncio, one keep-alive connection per client) and
shares the machine's cores with the servers: on a small machine it takes a core of its
own, so throughput with N workers grows only with the cores it leaves free.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

BARE = r'''
import socket, sys
# Heavy imports inside the functions: uvicorn's supervisor pings each worker from the moment
# it starts, and a worker still importing the SDK at module level misses the ping under load.

def app():
    from mcp.server.mcpserver import MCPServer
    from mcp.server.transport_security import TransportSecuritySettings

    server = MCPServer("bare")

    @server.tool()
    def echo(text: str) -> str:
        """Echo."""
        return text

    return server.streamable_http_app(stateless_http=True, json_response=True,
                                      transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))

if __name__ == "__main__":
    import uvicorn
    port, workers, own_socket = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "own"
    if own_socket:  # uvicorn's own socket, as `uvicorn --workers N` makes it
        uvicorn.run("bare_server:app", factory=True, host="127.0.0.1", port=port, workers=workers, log_level="error")
    else:  # a TCP socket with TCP_NODELAY, as hep-mcp serve makes it
        from uvicorn.supervisors import Multiprocess
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", port))
        sock.set_inheritable(True)
        config = uvicorn.Config("bare_server:app", factory=True, workers=workers, log_level="error")
        if workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / TICK


def rss_mib(pids: list[int]) -> list[float]:
    out = []
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as f:
                out.append(int(f.read().split()[1]) * PAGE / 2**20)
        except OSError:
            pass
    return out


def workers_of(pid: int) -> list[int]:
    """The processes that serve requests (uvicorn's workers; the process itself with one)."""
    kids = [p for p in tree(pid) if p != pid]
    serving = []
    for p in kids:
        try:
            cmd = open(f"/proc/{p}/cmdline", "rb").read()
        except OSError:
            continue
        if b"resource_tracker" not in cmd:
            serving.append(p)
    return serving or [pid]


class Server:
    def __init__(self, name: str, argv: list[str], port: int, env: dict, cwd: str | None = None):
        self.name, self.port = name, port
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait_ready(self, workers: int, body: bytes) -> None:
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.proc.stderr.read().decode()[-2000:]}")
            if len(workers_of(self.proc.pid)) >= workers or workers == 1:
                try:
                    status, _ = asyncio.run(one_request(self.port, body))
                    if status == 200:
                        return
                except OSError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.3)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


HEADERS = (
    "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
    "Accept: application/json, text/event-stream\r\nContent-Length: {length}\r\n\r\n"
)


async def read_response(reader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    return status, await reader.readexactly(length)


async def one_request(port: int, body: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(HEADERS.format(port=port, length=len(body)).encode() + body)
    await writer.drain()
    out = await read_response(reader)
    writer.close()
    return out


def ok(status: int, payload: bytes) -> bool:
    if status != 200:
        return False
    try:
        reply = json.loads(payload)
    except ValueError:
        return False
    return "result" in reply and not reply["result"].get("isError")


async def load(port: int, bodies, total: int, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def client():
        nonlocal errors
        reader = writer = None
        for i in counter:
            body = bodies(i)
            for attempt in (1, 2):
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    start = time.perf_counter()
                    writer.write(HEADERS.format(port=port, length=len(body)).encode() + body)
                    await writer.drain()
                    status, payload = await read_response(reader)
                    latencies.append(time.perf_counter() - start)
                    if not ok(status, payload):
                        errors += 1
                    break
                except (OSError, asyncio.IncompleteReadError):
                    writer = None  # the server closed a keep-alive connection: reconnect once
                    if attempt == 2:
                        errors += 1
        if writer is not None:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    took = time.perf_counter() - start
    lat = sorted(latencies)

    def pct(q):
        return lat[min(len(lat) - 1, int(q * (len(lat) - 1)))] * 1000 if lat else float("nan")

    return {"n": total, "took": took, "rps": total / took, "p50": pct(0.5), "p99": pct(0.99), "errors": errors}


def draft() -> str:
    import yaml

    from hep_mcp.render import generate_hep

    data = yaml.safe_load((ROOT / "src/hep_mcp/examples/tkr.yaml").read_text(encoding="utf-8"))
    return generate_hep(data, "print").text


def call(name: str, arguments: dict, i: int) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                       "params": {"name": name, "arguments": arguments}}).encode()


def row(label: str, stats: dict, cpu: float, rss: list[float]) -> str:
    return (f"| {label} | {stats['rps']:.0f} | {stats['p50']:.1f} | {stats['p99']:.1f} | {stats['errors']} | "
            f"{cpu / stats['n'] * 1000:.2f} | {sum(rss):.0f} ({', '.join(f'{r:.0f}' for r in rss)}) |")


def start(kind: str, workers: int, bare_dir: str, socket_kind: str = "ours") -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "HEP_MCP_TOKEN"}
    if kind == "hep-mcp":
        argv = [sys.executable, "-m", "hep_mcp", "serve", "--transport", "http", "--stateless",
                "--workers", str(workers), "--port", str(port), "--log-level", "error"]
        return Server(f"hep-mcp x{workers}", argv, port, env)
    env["PYTHONPATH"] = bare_dir
    argv = [sys.executable, str(Path(bare_dir) / "bare_server.py"), str(port), str(workers), socket_kind]
    return Server(f"bare x{workers}", argv, port, env, cwd=bare_dir)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the request counts")
    ap.add_argument("--quick", action="store_true", help="a smoke run (scale 0.1, 1,000 RSS calls)")
    ap.add_argument("--rss-calls", type=int, default=10_000)
    args = ap.parse_args()
    scale = 0.1 if args.quick else args.scale
    rss_calls = 1000 if args.quick else args.rss_calls
    levels = {1: 300, 10: 1000, 50: 2000, 200: 3000}
    text = draft()
    ours = lambda i: call("check_hep_rules", {"text": f"{text}\n\nVisit {i}."}, i)  # noqa: E731
    bare = lambda i: call("echo", {"text": f"{text}\n\nVisit {i}."}, i)  # noqa: E731
    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.2f}; "
          f"draft: {len(text)} characters; scale {scale}")
    with tempfile.TemporaryDirectory() as bare_dir:
        (Path(bare_dir) / "bare_server.py").write_text(BARE)
        print("\n| server, concurrency | req/s | p50 ms | p99 ms | errors | server CPU ms/req | RSS MiB (per worker) |")
        print("|---|---|---|---|---|---|---|")
        for workers in (1, args.workers):
            for kind, bodies in (("hep-mcp", ours), ("bare SDK", bare)):
                server = start(kind, workers, bare_dir)
                try:
                    server.wait_ready(workers, bodies(0))
                    asyncio.run(load(server.port, bodies, 50, 5))  # warm up
                    for concurrency, n in levels.items():
                        n = max(concurrency, int(n * scale))
                        pids = tree(server.proc.pid)
                        cpu0 = cpu_seconds(pids)
                        stats = asyncio.run(load(server.port, bodies, n, concurrency))
                        cpu = cpu_seconds(tree(server.proc.pid)) - cpu0
                        rss = rss_mib(workers_of(server.proc.pid))
                        print(row(f"{kind} x{workers}, {concurrency}", stats, cpu, rss), flush=True)
                finally:
                    server.stop()

        print(f"\nRSS per worker over {rss_calls:,} check_hep_rules calls (1 worker, 10 clients):")
        server = start("hep-mcp", 1, bare_dir)
        try:
            server.wait_ready(1, ours(0))
            marks = []
            done = 0
            for target in (rss_calls // 10, rss_calls):
                asyncio.run(load(server.port, lambda i: ours(done + i), target - done, 10))
                done = target
                marks.append((done, rss_mib(workers_of(server.proc.pid))[0]))
            print("  " + "; ".join(f"after {n:,}: {r:.1f} MiB" for n, r in marks)
                  + f" (growth {100 * (marks[-1][1] / marks[0][1] - 1):+.1f}%)")
        finally:
            server.stop()

        print(f"\nuvicorn's own socket with --workers {args.workers} vs a TCP_NODELAY socket "
              "(bare server, 1 client, 200 requests):")
        for socket_kind in ("own", "ours"):
            server = start("bare SDK", args.workers, bare_dir, socket_kind)
            try:
                server.wait_ready(args.workers, bare(0))
                stats = asyncio.run(load(server.port, bare, 200, 1))
                label = "uvicorn's socket" if socket_kind == "own" else "TCP_NODELAY socket"
                print(f"  {label}: p50 {stats['p50']:.1f} ms, p99 {stats['p99']:.1f} ms")
            finally:
                server.stop()

    stdio(text, 300 if args.quick else 1000)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    return 0


def stdio(text: str, calls: int) -> None:
    """p50 of sequential calls over stdio (SDK client), ours next to the bare server."""
    import anyio

    bare_stdio = (
        "from mcp.server.mcpserver import MCPServer\nserver = MCPServer('bare')\n"
        "@server.tool()\ndef echo(text: str) -> str:\n    '''Echo.'''\n    return text\nserver.run()\n"
    )

    async def run(command, tool, key):
        from mcp import Client, StdioServerParameters

        lat = []
        async with Client(StdioServerParameters(command=command[0], args=command[1:])) as c:
            for i in range(20):
                await c.call_tool(tool, {key: f"{text}\n\nVisit w{i}."})
            for i in range(calls):
                t = time.perf_counter()
                r = await c.call_tool(tool, {key: f"{text}\n\nVisit {i}."})
                lat.append(time.perf_counter() - t)
                assert not r.is_error
        return statistics.median(lat) * 1000

    ours = anyio.run(run, [sys.executable, "-m", "hep_mcp", "serve"], "check_hep_rules", "text")
    bare = anyio.run(run, [sys.executable, "-c", bare_stdio], "echo", "text")
    print(f"\nstdio, {calls} sequential calls: hep-mcp check_hep_rules p50 {ours:.2f} ms; "
          f"bare SDK echo p50 {bare:.2f} ms; ratio {ours / bare:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
