"""Benchmark the MCP server as clients see it (a few minutes on 2 cores).

    python bench/bench_server.py [--quick]

Prints:
1. process start -> first check_hep_rules result over stdio, next to a minimal SDK server
   answering one trivial tool, started the same way in the same run (median of N, ratio;
   target <= 1.15x);
2. p50/p99 of 1,000 sequential calls over stdio, side by side in one run (calls
   interleaved): hep-mcp check_hep_rules with its check workers (the time budget, as
   `hep-mcp serve` runs), the same server checking in-process (no budget: what the
   budget costs), and the minimal SDK server's echo (target: hep-mcp p50 <= 1.5x bare);
3. 500 HTTP calls, 50 concurrent sessions (errors, p50/p99; target no errors, p99 <= 100 ms);
4. server RSS after 100 calls and after 10,000 calls over stdio (target within 10%).

``--breakdown`` prints only where a call's CPU goes, in one process (the SDK client
against the server objects in memory, no pipes, interleaved): the bare server's echo, a
hep-mcp check_hep_rules call (checks inline) and the check alone (check_draft). What
the server and the client's output-schema validation add is the second minus the third.

The draft checked is the bundled example HEP rendered for print (a realistic one-page HEP).
Nothing is written outside a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import yaml

SERVE = [sys.executable, "-m", "hep_mcp", "serve"]
MINIMAL = '''
from mcp.server.mcpserver import MCPServer
server = MCPServer("minimal")

@server.tool()
def echo(text: str) -> str:
    """Echo."""
    return text

server.run()
'''


INPROCESS = '''
import anyio
from hep_mcp.budget import Budget
from hep_mcp.server import build_server
from hep_mcp.stdio import serve_stdio

anyio.run(serve_stdio, build_server(None, Budget.inline()))
'''


def draft() -> str:
    from importlib import resources

    from hep_mcp.render import generate_hep

    data = yaml.safe_load(resources.files("hep_mcp").joinpath("examples", "tkr.yaml").read_text(encoding="utf-8"))
    return generate_hep(data, "print").text


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def children_rss_kb() -> dict[int, int]:
    """RSS of this process's direct children (Linux /proc)."""
    out = {}
    me = os.getpid()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == me and "VmRSS" in fields:
            out[int(d.name)] = int(fields["VmRSS"].split()[0])
    return out


async def first_result(command: list[str], tool: str, args: dict) -> float:
    from mcp import Client, StdioServerParameters

    t0 = time.perf_counter()
    async with Client(StdioServerParameters(command=command[0], args=command[1:])) as c:
        r = await c.call_tool(tool, args)
        elapsed = time.perf_counter() - t0
    assert not r.is_error, r.content
    return elapsed


async def cold_start(text: str, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_server.py"
        minimal.write_text(MINIMAL, encoding="utf-8")
        ours, base = [], []
        for _ in range(runs):  # interleaved, so both see the same machine load
            base.append(await first_result([sys.executable, str(minimal)], "echo", {"text": "hi"}))
            ours.append(await first_result(SERVE, "check_hep_rules", {"text": text}))
    mo, mb = statistics.median(ours), statistics.median(base)
    print(f"1. start -> first result (median of {runs}): hep-mcp check_hep_rules {ms(mo)}, "
          f"minimal SDK server echo {ms(mb)}, ratio {mo / mb:.2f}x (target <= 1.15x)")


async def side_by_side(text: str, calls: int) -> None:
    from contextlib import AsyncExitStack

    from mcp import Client, StdioServerParameters

    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_server.py"
        minimal.write_text(MINIMAL, encoding="utf-8")
        inproc = Path(tmp) / "inprocess_server.py"
        inproc.write_text(INPROCESS, encoding="utf-8")
        servers = {
            "hep-mcp serve (check workers, time budget)": (SERVE, "check_hep_rules"),
            "hep-mcp, checks in-process (no budget)": ([sys.executable, str(inproc)], "check_hep_rules"),
            "minimal SDK server, echo": ([sys.executable, str(minimal)], "echo"),
        }
        lat: dict[str, list[float]] = {name: [] for name in servers}
        async with AsyncExitStack() as stack:
            clients = {}
            for name, (command, tool) in servers.items():
                clients[name] = await stack.enter_async_context(
                    Client(StdioServerParameters(command=command[0], args=command[1:]))
                )
                for i in range(20):  # warm up (and the workers are up)
                    await clients[name].call_tool(tool, {"text": f"{text}\n\nWarm {i}."})
            for i in range(calls):
                for name, (_, tool) in servers.items():
                    t = time.perf_counter()
                    r = await clients[name].call_tool(tool, {"text": f"{text}\n\nVisit {i}."})
                    lat[name].append(time.perf_counter() - t)
                    assert not r.is_error
    bare = pct(lat["minimal SDK server, echo"], 50)
    print(f"2. {calls} sequential calls over stdio per server, interleaved (distinct drafts):")
    for name, values in lat.items():
        print(f"   {name}: p50 {ms(pct(values, 50))}, p99 {ms(pct(values, 99))}, "
              f"p50 {pct(values, 50) / bare:.2f}x bare")
    print("   (target: hep-mcp serve p50 <= 1.5x bare)")


async def sequential(text: str, calls: int, rss_checkpoints: tuple[int, ...] = ()) -> None:
    from mcp import Client, StdioServerParameters

    before = set(children_rss_kb())
    lat: list[float] = []
    rss: dict[int, int] = {}
    async with Client(StdioServerParameters(command=SERVE[0], args=SERVE[1:])) as c:
        pid = next(iter(set(children_rss_kb()) - before), None)
        for i in range(1, calls + 1):
            t = time.perf_counter()
            r = await c.call_tool("check_hep_rules", {"text": text})
            lat.append(time.perf_counter() - t)
            assert not r.is_error
            if i in rss_checkpoints and pid:
                rss[i] = children_rss_kb().get(pid, 0)
    if not rss_checkpoints:
        print(f"2. {calls} sequential check_hep_rules over stdio: p50 {ms(pct(lat, 50))}, p99 {ms(pct(lat, 99))} "
              f"(target p50 <= 5 ms)")
    else:
        a, b = rss_checkpoints[0], rss_checkpoints[-1]
        if rss.get(a) and rss.get(b):
            growth = (rss[b] - rss[a]) / rss[a] * 100
            print(f"4. server RSS after {a} calls {rss[a] / 1024:.1f} MiB, after {b} calls {rss[b] / 1024:.1f} MiB: "
                  f"{growth:+.1f}% (target within 10%)")
        else:
            print("4. RSS: could not find the server process in /proc (Linux only)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def http(text: str, total: int, concurrent: int) -> None:
    from mcp import Client

    port = free_port()
    proc = subprocess.Popen([*SERVE, "--transport", "http", "--port", str(port)], stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        lat: list[float] = []
        errors = 0
        per_client = total // concurrent

        async def worker():
            nonlocal errors
            try:
                async with Client(f"http://127.0.0.1:{port}/mcp") as c:
                    for _ in range(per_client):
                        t = time.perf_counter()
                        try:
                            r = await c.call_tool("check_hep_rules", {"text": text})
                            if r.is_error:
                                errors += 1
                        except Exception:
                            errors += 1
                        lat.append(time.perf_counter() - t)
            except Exception:
                errors += per_client

        t0 = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for _ in range(concurrent):
                tg.start_soon(worker)
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"3. {per_client * concurrent} HTTP calls, {concurrent} concurrent sessions: {errors} errors, "
          f"p50 {ms(pct(lat, 50))}, p99 {ms(pct(lat, 99))}, {len(lat) / wall:.0f} calls/s "
          f"(target no errors, p99 <= 100 ms)")


async def breakdown(text: str, calls: int) -> None:
    from mcp import Client
    from mcp.server.mcpserver import MCPServer

    from hep_mcp.budget import Budget
    from hep_mcp.check import check_draft
    from hep_mcp.server import build_server

    bare = MCPServer("bare")

    @bare.tool()
    def echo(text: str) -> str:
        """Echo."""
        return text

    cpu: dict[str, list[float]] = {"bare echo": [], "check_hep_rules": [], "check_draft alone": []}
    async with Client(build_server(None, Budget.inline())) as ours, Client(bare) as b:
        for i in range(10):
            await ours.call_tool("check_hep_rules", {"text": f"{text}\n\nWarm {i}."})
            await b.call_tool("echo", {"text": text})
        for i in range(calls):  # process CPU time: the inline check runs in a thread of this process
            t = time.process_time()
            await b.call_tool("echo", {"text": f"{text}\n\nVisit {i}."})
            cpu["bare echo"].append(time.process_time() - t)
            t = time.process_time()
            await ours.call_tool("check_hep_rules", {"text": f"{text}\n\nVisit {i}."})
            cpu["check_hep_rules"].append(time.process_time() - t)
            t = time.process_time()
            check_draft(f"{text}\n\nAgain {i}.")
            cpu["check_draft alone"].append(time.process_time() - t)
    med = {k: statistics.median(v) for k, v in cpu.items()}
    rest = med["check_hep_rules"] - med["check_draft alone"]
    print(f"CPU per call in one process (median of {calls}, interleaved): "
          + ", ".join(f"{k} {ms(v)}" for k, v in med.items()))
    print(f"   everything but the check (SDK, server, client validation): {ms(rest)}, "
          f"{rest / med['bare echo']:.2f}x the bare echo call")


async def main(quick: bool) -> None:
    text = draft()
    print(f"hep-mcp server benchmark (python {sys.version.split()[0]}, {os.cpu_count()} CPUs); draft {len(text)} chars")
    await cold_start(text, 3 if quick else 7)
    await side_by_side(text, 200 if quick else 1000)
    await http(text, 500, 50)
    await sequential(text, 1000 if quick else 10_000, rss_checkpoints=(100, 1000 if quick else 10_000))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer runs and calls (a smoke test)")
    ap.add_argument("--breakdown", action="store_true", help="only where a call's CPU goes, in one process")
    args = ap.parse_args()
    if args.breakdown:
        anyio.run(breakdown, draft(), 60 if args.quick else 300)
    else:
        anyio.run(main, args.quick)
