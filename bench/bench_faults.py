"""The full HTTP load run: 2,000 requests from 50 concurrent MCP sessions over loopback,
with a mix of valid, invalid, oversized and malformed calls, a slow client and clients
that disconnect mid-request; then SIGTERM.

    python bench/bench_faults.py [--total 2000] [--clients 50]

CI runs the same code with 400 requests (tests/test_http_load.py). Prints the tallies
and p50/p99 latency; exits 1 if any call was answered wrongly, any 5xx was seen, or the
server did not shut down cleanly.
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--total", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=50)
    args = ap.parse_args()
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
