"""Figures for the time budget and the hostile-input guards. Prints; asserts nothing.

    python bench/bench_budget.py

* a normal check in this process vs through a check worker (the budget's overhead);
* a check that never ends (a backtracking search holding the interpreter lock): time to
  the client's error, the longest event-loop stall meanwhile, time until the pool is
  whole again;
* the contact/link scan (LK001-LK003) on adversarial shapes at 10 KB, 100 KB and 1 MB.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.slow_targets: the never-ending check

from hep_mcp.budget import Budget, OverBudget  # noqa: E402
from hep_mcp.check import check_draft  # noqa: E402
from hep_mcp.config import default_config  # noqa: E402
from hep_mcp.render.links import inert_links  # noqa: E402
from hep_mcp.rules.contacts import foreign  # noqa: E402

DRAFT = (ROOT / "fixtures" / "hep" / "clean_tkr_headed.md").read_text().split("---\n", 2)[2]


def median_ms(fn, n: int = 30) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def budget_figures() -> None:
    b = Budget(2.0, workers=2)
    t = time.perf_counter()
    b.wait_started()
    print(f"first worker ready after {time.perf_counter() - t:.2f} s")
    check_draft(DRAFT)
    big = (DRAFT + "\n") * 40
    big = big[:100_000]
    for name, text in (("one-page draft", DRAFT), ("100 KB draft", big)):
        inline = median_ms(lambda: check_draft(text), 10)
        worker = median_ms(lambda: b.call_blocking("hep_mcp.check:check_draft", text), 10)
        print(f"{name}: in process {inline:.1f} ms, through a worker {worker:.1f} ms")

    stalls: list[float] = []
    stop = threading.Event()

    def ticker():  # stands in for the event loop: how long is it kept from running?
        while not stop.is_set():
            t0 = time.perf_counter()
            time.sleep(0.005)
            stalls.append(time.perf_counter() - t0 - 0.005)

    th = threading.Thread(target=ticker)
    th.start()
    t = time.perf_counter()
    try:
        b.call_blocking("tests.slow_targets:catastrophic", 40)
    except OverBudget as exc:
        took = time.perf_counter() - t
        print(f"never-ending check, budget 2 s: error after {took:.2f} s ({exc})")
    while len(b._all) < 2:
        time.sleep(0.01)
    print(f"pool whole again {time.perf_counter() - t:.2f} s after the call began")
    stop.set()
    th.join()
    print(f"longest stall of another thread meanwhile: {max(stalls) * 1000:.1f} ms")
    b.close()


UNITS = ["a.", "a@", "1-", "555-1234 ", "http://", "[x](", "www.a", "[![a](b)](c)", "+1 "]


def contact_table() -> None:
    clinic = default_config().clinic
    print("\ncontact/link scan (ms)   " + "".join(f"{n:>10}" for n in ("10 KB", "100 KB", "1 MB")))
    for unit in UNITS:
        row = []
        for n in (10_000, 100_000, 1_000_000):
            text = unit * (n // len(unit))

            def run():
                list(foreign(text, clinic))
                inert_links(text)

            row.append(median_ms(run, 3))
        print(f"  {unit!r:<22}" + "".join(f"{ms:>10.1f}" for ms in row))


if __name__ == "__main__":
    budget_figures()
    contact_table()
