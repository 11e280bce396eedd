"""A wall-clock budget for the server's checks, kept by worker processes.

``check_hep_rules``, ``generate_hep`` and ``progress_note`` run the rule engine on text a
client sent. A check that is slower than it should be (a pattern that backtracks on an
input nobody foresaw) must never stall the server, so the server does not run checks
itself: each call goes to one of a few long-lived worker processes, and the event loop
only waits on a pipe. Past the budget the worker is killed -- the only way to stop a
regular-expression search, which holds the interpreter lock and cannot be interrupted
from a thread -- the client gets a clear error, and a fresh worker takes its place.

Two lanes keep normal calls responsive while clients send huge or hostile drafts: a call
whose estimated cost is over ``LARGE_BYTES`` runs only on the *large* lane's workers, which run at a lower CPU priority
(``LARGE_NICE``); a normal-sized call takes a normal-lane worker first and an idle
large-lane worker only when every normal one is busy. So ten clients sending worst-case
drafts at the size limit occupy the large lane and queue there, and the normal lane stays
free for everyone else (with one worker there are no lanes).

The cost estimate is the pickled job's size plus ``LINE_BYTES`` per line break in it
(:func:`cost`, one linear pass in C). The reader and the rules work line by line, so a
draft's check time follows its line count more than its bytes: 13 KB of one-character
lines costs about as much as 100 KB of prose. A one-page HEP (about 4 KB, under 100 lines)
estimates at about 5 KB; 13 KB of the worst-case shapes (one-character lines, ``1. `` lines,
label lines) at 26-120 KB, so they go to the large lane with the 100 KB drafts. The
estimate depends only on the job, so the lane a call takes is deterministic (and the lane
never changes a result, only where and how soon it runs).

Workers are spawned (a fresh interpreter each, never a fork of this threaded process) and
warm up before they take a call. Nothing here touches the network or the disk; arguments
and results travel over pipes.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import pickle
import threading
import time
import traceback

from hep_mcp.errors import InputError

log = logging.getLogger("hep_mcp.budget")

DEFAULT_SECONDS = 5.0
MAX_WORKERS = 16
STARTUP_SECONDS = 60.0
QUEUE_SECONDS = 30.0
LARGE_BYTES = 16 * 1024  # a job whose cost() is over this runs on the large lane
LINE_BYTES = 8  # what one line break adds to a job's estimated cost, in bytes
LARGE_NICE = 10  # the large lane's CPU priority (os.nice increment)
NORMAL, LARGE = "normal", "large"
PIPE_BYTES = 32 * 1024  # a job this small is written to an idle worker's pipe without blocking


class OverBudget(Exception):
    """The call did not finish within the budget (its worker was stopped)."""


class Busy(OverBudget):
    """Every worker stayed busy for as long as a call may wait for one."""


class WorkerBug(Exception):
    """The function raised something other than InputError in the worker."""

    def __init__(self, name: str, stack: str):
        super().__init__(name)
        self.name = name
        self.stack = stack


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def cost(job: bytes) -> int:
    """A job's estimated cost in byte-equivalents: its size plus LINE_BYTES per line break
    (the reader and the rules do a fixed amount of work per line)."""
    return len(job) + LINE_BYTES * job.count(b"\n")


def _target(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _stack(exc: BaseException) -> str:
    """Where an exception happened, without its message (which may quote patient text)."""
    return "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__))).rstrip()


def _warm() -> None:
    """Load the catalog and data files once, before the first real call."""
    try:
        from hep_mcp.check import check_draft

        check_draft("Hi Maria, here is your knee exercise plan.\n1. Thigh squeeze\n")
    except Exception:  # noqa: BLE001 - warming is an optimisation; a real call reports errors
        pass


def _worker_main(conn, nice: int = 0) -> None:
    """A worker: run (target, args, kwargs) jobs from the pipe until it closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    _warm()  # at full priority: a worker starts as fast as it can
    if nice:
        try:
            os.nice(nice)
        except OSError:  # not allowed here: the lane still keeps large calls apart
            pass
    try:
        conn.send(("ready",))
    except OSError:  # the server is gone already
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        path, args, kwargs = job
        try:
            reply = ("ok", _target(path)(*args, **kwargs))
        except InputError as exc:
            reply = ("input", str(exc))
        except Exception as exc:  # noqa: BLE001 - reported to the parent by type and place only
            reply = ("bug", exc.__class__.__name__, _stack(exc))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - an unpicklable result
            conn.send(("bug", exc.__class__.__name__, _stack(exc)))


def _context():
    # spawn: a fresh interpreter per worker, over pipes only. Never fork (this process has
    # threads); no fork server either (it listens on a Unix socket file).
    return multiprocessing.get_context("spawn")


class _Worker:
    def __init__(self, ctx, lane: str = NORMAL):
        parent, child = ctx.Pipe()
        self.lane = lane
        nice = LARGE_NICE if lane == LARGE else 0
        self.proc = ctx.Process(target=_worker_main, args=(child, nice), daemon=True, name=f"hep-mcp-check-{lane}")
        self.proc.start()
        child.close()
        self.conn = parent

    def wait_ready(self, seconds: float) -> bool:
        try:
            return self.conn.poll(seconds) and self.conn.recv() == ("ready",)
        except (EOFError, OSError):
            return False

    def stop(self) -> None:
        try:
            self.proc.kill()
        except (OSError, ValueError):
            pass
        self.proc.join(5)
        try:
            self.conn.close()
        except OSError:
            pass


class Budget:
    """Runs checks within ``seconds`` of wall-clock time each (once a worker is free:
    a call waits at most ``queue_seconds`` for one, then gets a Busy error).

    ``workers`` processes (default: one per core, at most 4) run the checks; with
    ``workers=0`` the checks run in a thread of this process and no budget is kept
    (a thread cannot stop a running check) -- for tests and embedding only. With two or
    more, ``workers // 2`` of them form the large lane (calls whose :func:`cost` is over
    ``large_bytes``).
    """

    def __init__(
        self,
        seconds: float | None = DEFAULT_SECONDS,
        workers: int | None = None,
        queue_seconds: float | None = None,
        large_bytes: int = LARGE_BYTES,
    ):
        if workers is None:
            workers = default_workers()
        if not 0 <= workers <= MAX_WORKERS:
            raise InputError(f"workers: expected 0-{MAX_WORKERS}, got {workers}")
        if seconds is not None and not seconds > 0:
            raise InputError(f"time budget: expected a number of seconds above 0, got {seconds}")
        self.seconds = seconds if workers else None
        self.workers = workers
        # how long a call may wait for a free worker before the budget starts (a burst of
        # calls queues; it does not fail): default max(30 s, 4 budgets)
        self.queue_seconds = queue_seconds if queue_seconds is not None else max(QUEUE_SECONDS, 4 * (seconds or 0))
        self.large_bytes = large_bytes
        self.lanes = {LARGE: workers // 2, NORMAL: workers - workers // 2} if workers >= 2 else {NORMAL: workers}
        self._idle: dict[str, list[_Worker]] = {lane: [] for lane in self.lanes}
        self._all: set[_Worker] = set()
        self._cond = threading.Condition()
        self._waiting = 0  # calls waiting in _take for a worker
        self._deferred = 0  # large-lane workers to start once a first worker is up
        self._ctx = None
        self._started = False
        self._up = threading.Event()  # set once the first worker is ready
        self._closed = False
        self.replaced = 0  # workers stopped for running past the budget

    @classmethod
    def inline(cls) -> Budget:
        return cls(None, workers=0)

    # -- workers -----------------------------------------------------------------
    def start(self) -> None:
        """Start the workers in the background (idempotent); calls wait for the first."""
        with self._cond:
            if self._started or not self.workers or self._closed:
                return
            self._started = True
            self._ctx = _context()
        # the normal lane now; the large lane once a first worker is up, so on a small
        # machine the first worker (the first call waits for it) starts alone
        self._deferred = self.lanes.get(LARGE, 0)
        for _ in range(self.lanes[NORMAL]):
            self._spawn(NORMAL)

    def _spawn(self, lane: str = NORMAL) -> None:
        threading.Thread(target=self._add_worker, args=(lane,), name="hep-mcp-spawn", daemon=True).start()

    def _add_worker(self, lane: str = NORMAL) -> None:
        try:
            self._start_worker(lane)
        finally:
            with self._cond:
                deferred, self._deferred = self._deferred, 0
                closed = self._closed
            for _ in range(0 if closed else deferred):
                self._spawn(LARGE)

    def _start_worker(self, lane: str) -> None:
        try:
            worker = _Worker(self._ctx, lane)
        except OSError:
            log.error("could not start a check worker")
            return
        if not worker.wait_ready(120):
            if not self._closed:  # stopped while it started (the server is exiting): no error
                log.error("a check worker did not start")
            worker.stop()
            return
        with self._cond:
            if self._closed:
                worker.stop()
                return
            self._all.add(worker)
            self._idle[lane].append(worker)
            self._cond.notify_all()
        self._up.set()

    def wait_started(self, seconds: float = STARTUP_SECONDS) -> bool:
        """Start the workers and wait until one is ready (the budget starts after that)."""
        self.start()
        return self._up.wait(seconds)

    def _lane_for(self, job: bytes) -> tuple[str, ...]:
        """The lanes a job may run on, in order of preference (by its estimated cost)."""
        if LARGE not in self.lanes:
            return (NORMAL,)
        return (LARGE,) if cost(job) > self.large_bytes else (NORMAL, LARGE)

    def _take(self, deadline: float, lanes: tuple[str, ...] = (NORMAL,)) -> _Worker:
        with self._cond:
            self._waiting += 1
            try:
                while True:
                    for lane in lanes:
                        if self._idle[lane]:
                            return self._idle[lane].pop()
                    left = deadline - time.monotonic()
                    if left <= 0 or self._closed:
                        raise Busy(f"every check worker stayed busy for {self.queue_seconds:g} s; try again shortly")
                    self._cond.wait(left)
            finally:
                self._waiting -= 1

    def _give_back(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed:
                worker.stop()
                return
            self._idle[worker.lane].append(worker)
            self._cond.notify_all()

    def _replace(self, worker: _Worker) -> None:
        with self._cond:
            self._all.discard(worker)
            self.replaced += 1
        threading.Thread(target=worker.stop, name="hep-mcp-stop", daemon=True).start()
        if not self._closed:
            self._spawn(worker.lane)

    def close(self) -> None:
        """Stop every worker (at exit; calls in flight get an error)."""
        with self._cond:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            for idle in self._idle.values():
                idle.clear()
            self._cond.notify_all()
        self._up.set()  # calls still waiting for the first worker: wake them (they get Busy)
        for w in workers:
            w.stop()

    # -- calls -------------------------------------------------------------------
    def call_blocking(self, path: str, *args, **kwargs):
        """Run ``module:function`` with the arguments within the budget (blocking)."""
        if not self.workers:
            return _target(path)(*args, **kwargs)
        return self._run_job(_job(path, args, kwargs))

    def _run_job(self, job: bytes):
        self.wait_started()  # only the first call ever waits here
        worker = self._take(time.monotonic() + self.queue_seconds, self._lane_for(job))
        deadline = time.monotonic() + self.seconds  # the budget: this call's own run
        try:
            worker.conn.send_bytes(job)
            ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            reply = worker.conn.recv() if ready else None
        except (EOFError, OSError):
            reply = ()
        return self._settle(worker, reply)

    def _settle(self, worker: _Worker, reply):
        """The call's result from the worker's reply (None: over budget; (): it died)."""
        if reply is None or reply == ():
            self._replace(worker)
            if reply is None:
                raise OverBudget(f"stopped after {self.seconds:g} s (the time budget)")
            raise WorkerBug("WorkerExited", "")
        self._give_back(worker)
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "input":
            raise InputError(reply[1])
        raise WorkerBug(reply[1], reply[2])

    def _take_now(self, lanes: tuple[str, ...]) -> _Worker | None:
        """An idle worker of these lanes, without waiting; None if every one is busy or
        calls are already waiting (they come first)."""
        with self._cond:
            if self._waiting:
                return None
            for lane in lanes:
                if self._idle[lane]:
                    return self._idle[lane].pop()
        return None

    def _finish_later(self, worker: _Worker, deadline: float) -> None:
        """A call was cancelled while its worker runs: wait for the reply in a thread
        (or the budget), then give the worker back (or replace it)."""

        def finish():
            try:
                reply = worker.conn.recv() if worker.conn.poll(max(0.0, deadline - time.monotonic())) else None
            except (EOFError, OSError):
                reply = ()
            try:
                self._settle(worker, reply)
            except Exception:  # noqa: BLE001 - nobody waits for this result any more
                pass

        threading.Thread(target=finish, name="hep-mcp-finish", daemon=True).start()

    async def call(self, path: str, *args, **kwargs):
        """Run ``module:function`` off the event loop, within the budget.

        When a worker is idle and the job fits in a pipe's buffer, the event loop sends it
        and waits for the reply on the pipe itself (no thread in between); otherwise a
        thread waits for a free worker and for the reply."""
        import anyio
        import anyio.to_thread

        if not self.workers:
            return await anyio.to_thread.run_sync(lambda: _target(path)(*args, **kwargs), abandon_on_cancel=True)
        job = _job(path, args, kwargs)
        worker = None
        if len(job) <= PIPE_BYTES and self._up.is_set() and hasattr(anyio, "wait_readable"):
            worker = self._take_now(self._lane_for(job))
        if worker is None:
            return await anyio.to_thread.run_sync(lambda: self._run_job(job), abandon_on_cancel=True)
        deadline = time.monotonic() + self.seconds
        try:
            worker.conn.send_bytes(job)  # fits in the pipe: never blocks the loop
        except (EOFError, OSError):
            return self._settle(worker, ())
        try:
            with anyio.move_on_after(self.seconds):
                await anyio.wait_readable(worker.conn.fileno())
        except BaseException:  # cancelled (the client went away): the reply still comes
            self._finish_later(worker, deadline)
            raise
        try:
            # a whole pickled reply follows its first bytes at once (the worker pickles
            # before it writes), so this read never waits on the check itself
            reply = worker.conn.recv() if worker.conn.poll(0) else None
        except (EOFError, OSError):
            reply = ()
        return self._settle(worker, reply)


def _job(path: str, args: tuple, kwargs: dict) -> bytes:
    return pickle.dumps((path, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
