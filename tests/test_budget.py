"""The time budget: checks run in worker processes; past the budget the worker is killed
(even inside a regular-expression search that holds the interpreter lock), the client
gets a clear error, a fresh worker takes its place, and the event loop stays free."""

from __future__ import annotations

import os
import time

import pytest

from hep_mcp.budget import Budget, Busy, OverBudget, WorkerBug
from hep_mcp.check import check_draft
from hep_mcp.errors import InputError

pytestmark = pytest.mark.slow

DRAFT = "Hi Maria, here is your knee plan.\n1. Thigh squeeze: squeeze for 5 seconds.\n"


@pytest.fixture(scope="module")
def budget():
    b = Budget(1.0, workers=2)
    b.start()
    b.call_blocking("tests.slow_targets:pid")  # wait until a worker is up
    yield b
    b.close()


def test_a_check_in_a_worker_gives_the_same_report(budget):
    assert budget.call_blocking("hep_mcp.check:check_draft", DRAFT) == check_draft(DRAFT)


def test_input_errors_cross_unchanged_and_bugs_lose_their_message(budget):
    with pytest.raises(InputError, match="^text: nope$"):
        budget.call_blocking("tests.slow_targets:refuse", "text: nope")
    with pytest.raises(WorkerBug) as info:
        budget.call_blocking("tests.slow_targets:bug", "secret patient text")
    assert info.value.name == "RuntimeError" and "patient text" not in str(info.value) + info.value.stack
    assert "slow_targets.py" in info.value.stack


def test_a_search_that_never_ends_is_stopped_at_the_budget_and_the_worker_replaced(budget):
    before = {budget.call_blocking("tests.slow_targets:pid") for _ in range(4)}
    replaced = budget.replaced
    t = time.monotonic()
    with pytest.raises(OverBudget, match=r"stopped after 1 s \(the time budget\)"):
        budget.call_blocking("tests.slow_targets:catastrophic", 40)
    took = time.monotonic() - t
    assert 0.9 <= took < 1.5, took
    assert budget.replaced == replaced + 1
    # the pool is whole again: a normal check answers, within the budget, from a new worker
    t = time.monotonic()
    assert budget.call_blocking("hep_mcp.check:check_draft", DRAFT).kind == "hep"
    assert time.monotonic() - t < 1.0
    deadline = time.monotonic() + 10
    while len(budget._all) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    after = {budget.call_blocking("tests.slow_targets:pid") for _ in range(4)}
    assert len(budget._all) == 2 and after != before


def test_all_workers_busy_for_as_long_as_a_call_may_wait_is_a_busy_error():
    b = Budget(0.5, workers=1, queue_seconds=0.3)
    try:
        b.call_blocking("tests.slow_targets:pid")
        import threading

        slow = threading.Thread(target=lambda: pytest.raises(OverBudget, b.call_blocking, "tests.slow_targets:sleep_then", 5))
        slow.start()
        time.sleep(0.1)
        t = time.monotonic()
        with pytest.raises(Busy, match=r"every check worker stayed busy for 0.3 s; try again shortly"):
            b.call_blocking("tests.slow_targets:pid")
        assert 0.25 < time.monotonic() - t < 0.6
        slow.join()
    finally:
        b.close()


def test_a_burst_queues_instead_of_failing():
    """More calls than workers: each waits for a free worker, then runs within the budget."""
    from concurrent.futures import ThreadPoolExecutor

    b = Budget(1.0, workers=1)
    try:
        b.call_blocking("tests.slow_targets:pid")
        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(lambda i: b.call_blocking("tests.slow_targets:sleep_then", 0.4, str(i)), range(6)))
        assert results == [str(i) for i in range(6)]  # 2.4 s of work on one worker, none over its own 1 s
    finally:
        b.close()


def test_large_calls_run_on_their_own_lower_priority_lane_and_normal_calls_stay_free():
    """A call over large_bytes runs only on the large lane (niced); while that lane is busy a
    normal call is answered at once by the normal lane, and a second large call waits for
    the large lane instead of taking the idle normal worker."""
    import threading

    from hep_mcp.budget import LARGE_NICE

    b = Budget(5.0, workers=2, queue_seconds=0.5, large_bytes=10_000)
    try:
        assert b.lanes == {"large": 1, "normal": 1}
        big = "x" * 20_000
        b.start()  # both lanes up before the calls: the test is about lanes, not start-up time
        deadline = time.monotonic() + 60
        while len(b._all) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(b._all) == 2, "the check workers did not start within 60 s"
        normal_pid, normal_nice = b.call_blocking("tests.slow_targets:lane_of")
        large_pid, large_nice = b.call_blocking("tests.slow_targets:lane_of", big)
        assert normal_pid != large_pid
        assert large_nice - normal_nice in (LARGE_NICE, 0)  # 0 only where nice is not allowed
        hold = threading.Thread(target=b.call_blocking, args=("tests.slow_targets:lane_of", big, 1.5))
        hold.start()
        time.sleep(0.3)  # the large lane is busy now
        t = time.monotonic()
        assert b.call_blocking("tests.slow_targets:lane_of")[0] == normal_pid
        assert time.monotonic() - t < 0.5
        with pytest.raises(Busy):
            b.call_blocking("tests.slow_targets:lane_of", big)  # never on the idle normal worker
        hold.join()
    finally:
        b.close()


def test_lane_choice_follows_estimated_cost_not_bytes():
    """A small draft of many short lines (the worst-case shapes under 16 KB) costs like a big
    one and is sent to the large lane; a one-page draft of the same bytes is not."""
    from hep_mcp.budget import LARGE_BYTES, _job, cost

    b = Budget(5.0, workers=2)  # lanes only; no worker is started
    lines = "a\n" * 6_000  # 12 KB of one-character lines
    prose = ("Squeeze your thigh for 5 seconds, then relax. " * 10 + "\n") * 25  # 12 KB, 25 lines
    assert len(lines.encode()) < LARGE_BYTES and len(prose.encode()) < LARGE_BYTES
    assert cost(_job("m:f", (lines,), {})) > LARGE_BYTES
    assert b._lane_for(_job("m:f", (lines,), {})) == ("large",)
    assert b._lane_for(_job("m:f", (prose,), {})) == ("normal", "large")
    assert b._lane_for(_job("m:f", (DRAFT,), {})) == ("normal", "large")
    assert cost(_job("m:f", (lines,), {})) == cost(_job("m:f", (lines,), {}))  # deterministic


def test_many_line_drafts_under_the_byte_limit_cannot_starve_normal_calls():
    """Ten clients sending 12 KB drafts of one-character lines occupy only the large lane:
    a normal call made meanwhile is answered at once by the normal lane, ahead of them."""
    import threading

    b = Budget(5.0, workers=2, queue_seconds=10)
    try:
        b.start()  # both lanes up before the calls: the test is about lanes, not start-up time
        deadline = time.monotonic() + 60
        while len(b._all) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(b._all) == 2, "the check workers did not start within 60 s"
        normal_pid, _ = b.call_blocking("tests.slow_targets:lane_of")
        lines = "a\n" * 6_000
        hostile = [threading.Thread(target=b.call_blocking, args=("tests.slow_targets:lane_of", lines, 0.4)) for _ in range(10)]
        for t in hostile:
            t.start()
        time.sleep(0.2)  # the large lane is busy and nine hostile calls queue for it
        for _ in range(3):
            t0 = time.monotonic()
            assert b.call_blocking("tests.slow_targets:lane_of")[0] == normal_pid
            assert time.monotonic() - t0 < 0.3  # not behind 10 x 0.4 s of hostile calls
        for t in hostile:
            t.join()
    finally:
        b.close()


def test_one_worker_has_no_lanes():
    b = Budget(5.0, workers=1, large_bytes=10)
    try:
        assert b.lanes == {"normal": 1}
        assert b.call_blocking("tests.slow_targets:lane_of", "x" * 100)[1] == os.nice(0)
    finally:
        b.close()


def test_inline_mode_runs_in_this_process_without_a_budget():
    import os

    b = Budget.inline()
    assert b.seconds is None and b.call_blocking("tests.slow_targets:pid") == os.getpid()


@pytest.mark.parametrize("seconds, workers", [(0, 1), (-1, 1), (1, 99), (1, -1)])
def test_bad_settings_are_input_errors(seconds, workers):
    with pytest.raises(InputError):
        Budget(seconds, workers)


# -- through the MCP server -----------------------------------------------------------------


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_server_slow_check_is_an_error_the_loop_stays_free_and_normal_calls_keep_their_latency(
    budget, monkeypatch
):
    """A check that would run for hours (holding the interpreter lock) ends in a clear
    error at the budget; meanwhile the event loop keeps ticking and normal calls are
    answered at their usual speed by the other worker."""
    import anyio
    from mcp import Client

    from hep_mcp import server as server_module

    monkeypatch.setitem(server_module.TARGETS, "check_hep_rules", "tests.slow_targets:slow_check")
    server = server_module.build_server(budget=budget)
    async with Client(server) as c:
        base = []
        for _ in range(5):
            t = time.monotonic()
            r = await c.call_tool("check_hep_rules", {"text": DRAFT})
            base.append(time.monotonic() - t)
            assert not r.is_error
        gaps, during, slow = [], [], {}

        async def attacker():
            t = time.monotonic()
            slow["result"] = await c.call_tool("check_hep_rules", {"text": "SLOW " + DRAFT})
            slow["took"] = time.monotonic() - t

        async def ticker():
            while "took" not in slow:
                t = time.monotonic()
                await anyio.sleep(0.01)
                gaps.append(time.monotonic() - t)

        async def normal():
            await anyio.sleep(0.1)
            for _ in range(5):
                t = time.monotonic()
                r = await c.call_tool("check_hep_rules", {"text": DRAFT})
                during.append(time.monotonic() - t)
                assert not r.is_error

        async with anyio.create_task_group() as tg:
            tg.start_soon(attacker)
            tg.start_soon(ticker)
            tg.start_soon(normal)
    r = slow["result"]
    print("base", base, "during", during, "slow", slow["took"], "max gap", max(gaps))
    assert r.is_error
    assert r.content[0].text.startswith("check_hep_rules: stopped after 1 s (the time budget); nothing was checked.")
    assert slow["took"] < 1.6, slow
    assert max(gaps) < 0.2, max(gaps)  # the loop was never blocked by the check
    assert sorted(during)[2] < max(0.25, 3 * sorted(base)[2]), (base, during)


@pytest.mark.anyio
async def test_server_adversarial_draft_answers_within_the_budget(budget):
    """A real slow shape (a heading, a long run of spaces, a letter): the reply, a report
    or the budget error, comes within the budget whatever the reader's speed on it."""
    from mcp import Client

    from hep_mcp.server import build_server

    text = "# knee" + " " * 3000 + "a\n"
    async with Client(build_server(budget=budget)) as c:
        t = time.monotonic()
        r = await c.call_tool("check_hep_rules", {"text": text})
        took = time.monotonic() - t
    assert took < 1.6, took
    assert (not r.is_error) or "time budget" in r.content[0].text


@pytest.mark.anyio
async def test_an_async_call_waits_on_the_pipe_and_a_cancelled_one_gives_its_worker_back(budget):
    """budget.call from the event loop: the result, the budget error, and a cancelled call
    whose worker is handed back (not killed) once its reply comes."""
    import anyio

    assert await budget.call("hep_mcp.check:check_draft", DRAFT) == check_draft(DRAFT)
    with pytest.raises(InputError, match="^text: nope$"):
        await budget.call("tests.slow_targets:refuse", "text: nope")
    replaced = budget.replaced
    with anyio.move_on_after(0.2) as scope:
        await budget.call("tests.slow_targets:sleep_then", 0.6)
    assert scope.cancelled_caught
    deadline = time.monotonic() + 10
    while sum(len(idle) for idle in budget._idle.values()) < 2 and time.monotonic() < deadline:
        await anyio.sleep(0.05)
    assert budget.replaced == replaced and sum(len(idle) for idle in budget._idle.values()) == 2
    t = time.monotonic()
    with pytest.raises(OverBudget):
        await budget.call("tests.slow_targets:catastrophic", 40)
    assert 0.9 <= time.monotonic() - t < 1.6
    assert budget.replaced == replaced + 1
