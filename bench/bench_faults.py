"""The full HTTP load run: 2,000 requests from 50 concurrent MCP sessions over loopback,
with a mix of valid, invalid, oversized and malformed calls, a slow client and clients
that disconnect mid-request; then SIGTERM.

    python bench/bench_faults.py [--total 2000] [--clients 50]

CI runs the same code with 400 requests (tests/test_http_load.py). Prints the tallies
and p50/p99 latency; exits 1 if any call was answered wrongly, any 5xx was seen, or the
server did not shut down cleanly.

    python bench/bench_faults.py --hostile [--calls 300] [--attackers 10] [--baseline-src DIR]

Responsiveness under hostile load: p50/p99 of normal `check_hep_rules` calls (2 clients,
distinct one-page drafts) on the stateless HTTP server, first unloaded, then while
``--attackers`` clients send worst-case drafts at the size limit without pause (the
slowest shapes of tests/worst_case.py), and once more with the attackers sending the same
shapes just under the large-lane size. ``--baseline-src DIR`` runs the same against
another source tree (e.g. an older checkout's ``src``) in the same run. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_http_load import disconnect_mid_request, http_server, load, slow_client, terminate  # noqa: E402


def hostile(calls: int, attackers: int, baseline_src: str | None) -> int:
    import os

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_load as bl

    from hep_mcp.budget import LARGE_BYTES
    from hep_mcp.config import default_config
    from tests.worst_case import SHAPES

    limit = default_config().max_input_bytes
    text = bl.draft()
    normal = lambda i: bl.call("check_hep_rules", {"text": f"{text}\n\nVisit {i}."}, i)  # noqa: E731
    shapes = ("label lines", "one-char lines", "'1. ' lines")
    big = [bl.call("check_hep_rules", {"text": SHAPES[s](limit - 200)}, 1) for s in shapes]
    under = [bl.call("check_hep_rules", {"text": SHAPES[s](LARGE_BYTES - 3000)}, 1) for s in shapes]

    async def attack(port: int, bodies: list[bytes], stop: asyncio.Event, tally: dict) -> None:
        reader = writer = None
        i = 0
        while not stop.is_set():
            body = bodies[i % len(bodies)]
            i += 1
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(bl.HEADERS.format(port=port, length=len(body)).encode() + body)
                await writer.drain()
                status, payload = await bl.read_response(reader)
                tally["ok" if bl.ok(status, payload) else "error"] += 1
            except (OSError, asyncio.IncompleteReadError):
                writer = None
                tally["dropped"] += 1
        if writer is not None:
            writer.close()

    async def under_attack(port: int, bodies: list[bytes] | None) -> tuple[dict, dict]:
        tally = {"ok": 0, "error": 0, "dropped": 0}
        stop = asyncio.Event()
        tasks = [asyncio.create_task(attack(port, bodies, stop, tally)) for _ in range(attackers if bodies else 0)]
        if tasks:
            await asyncio.sleep(2.0)  # the attackers fill the workers first
        stats = await bl.load(port, normal, calls, 2)
        stop.set()
        await asyncio.gather(*tasks)
        return stats, tally

    def run(label: str, src: str | None) -> None:
        env = {k: v for k, v in os.environ.items() if k != "HEP_MCP_TOKEN"}
        if src:
            env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        port = bl.free_port()
        argv = [sys.executable, "-m", "hep_mcp", "serve", "--transport", "http", "--stateless",
                "--port", str(port), "--log-level", "error"]
        server = bl.Server(label, argv, port, env)
        try:
            server.wait_ready(1, normal(0))
            asyncio.run(bl.load(port, normal, 40, 2))  # warm up
            base, _ = asyncio.run(under_attack(port, None))
            print(f"| {label}, unloaded | {base['p50']:.1f} | {base['p99']:.1f} | {base['errors']} | | |", flush=True)
            for name, bodies in ((f"{attackers} clients, worst-case drafts at the limit ({limit // 1000} KB)", big),
                                 (f"{attackers} clients, the same shapes at {(LARGE_BYTES - 3000) // 1000} KB", under)):
                stats, tally = asyncio.run(under_attack(port, bodies))
                print(f"| {label}, {name} | {stats['p50']:.1f} | {stats['p99']:.1f} | {stats['errors']} | "
                      f"{stats['p99'] / base['p99']:.2f}x | {tally['ok']} ok, {tally['error']} is_error, "
                      f"{tally['dropped']} dropped |", flush=True)
        finally:
            server.stop()

    print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.2f}; "
          f"{calls} normal calls from 2 clients per row; shapes: {', '.join(shapes)}")
    print("\n| server, load | p50 ms | p99 ms | errors | p99 vs unloaded | attackers' replies |")
    print("|---|---|---|---|---|---|")
    run("hep-mcp", None)
    if baseline_src:
        run("baseline", baseline_src)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--total", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--hostile", action="store_true", help="normal calls' latency while clients send worst-case drafts")
    ap.add_argument("--calls", type=int, default=300, help="--hostile: normal calls per row")
    ap.add_argument("--attackers", type=int, default=10, help="--hostile: clients sending worst-case drafts")
    ap.add_argument("--baseline-src", help="--hostile: also run against this source tree (PYTHONPATH)")
    args = ap.parse_args()
    if args.hostile:
        return hostile(args.calls, args.attackers, args.baseline_src)
    with http_server() as (port, proc):

        async def scenario():
            slow = asyncio.create_task(slow_client(port))
            for _ in range(10):
                await disconnect_mid_request(port)
            start = time.monotonic()
            stats = await load(port, total=args.total, clients=args.clients, timeout=600)
            return stats, time.monotonic() - start, await slow

        stats, took, slow_status = asyncio.run(scenario())
        code, stderr, stop = terminate(proc)
    lat = sorted(stats.pop("latencies"))
    wrong = stats.pop("wrong")
    p = lambda q: lat[min(len(lat) - 1, int(q * (len(lat) - 1)))] * 1000  # noqa: E731
    print(f"requests: {stats['requests']} from {args.clients} clients in {took:.1f} s "
          f"({stats['requests'] / took:.0f}/s); p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, "
          f"mean {statistics.mean(lat) * 1000:.1f} ms")
    print(f"valid answered correctly: {stats['valid_ok']}; invalid -> is_error: {stats['invalid_is_error']}; "
          f"oversized -> is_error: {stats['oversized_is_error']}; malformed -> 4xx: {stats['malformed_4xx']}; "
          f"5xx: {stats['5xx']}; wrong: {len(wrong)}")
    print(f"slow client: HTTP {slow_status}; SIGTERM: exit {code} in {stop:.1f} s; "
          f"traceback on stderr: {'Traceback' in stderr}")
    bad = wrong or stats["5xx"] or slow_status != 200 or "Traceback" in stderr or code not in (0, -15)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
