"""The stdio transport of ``hep-mcp serve``: whole lines only, bounded memory, prompt exit.

The MCP SDK's ``stdio_server`` is given two stream objects of ours:

* stdin is read in chunks by a daemon thread and split into lines; a line longer than
  the limit (default 4 MiB, the HTTP transport's body limit) is dropped *as it streams*
  -- memory never holds more than the limit -- and answered with a JSON-RPC error
  when its request ``id`` can be read from its first bytes;
* stdout is written by one thread, a whole message at a time, so no two replies
  interleave and none is ever cut off by a stop.

SIGTERM and SIGINT stop the server: the reply being written is finished (replies not
yet started are dropped), then the process exits -- within a second, and without
waiting for stdin to close. While serving, fd 0 reads the null device and fd 1 goes
to stderr, so nothing else in the process can read the client's bytes or write on
the wire.

This module imports the MCP SDK: ``hep-mcp serve`` only.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import threading
from collections import deque

import anyio

log = logging.getLogger("hep_mcp.stdio")

MAX_LINE_BYTES = 4 * 1024 * 1024
CHUNK = 64 * 1024
QUEUED_LINES = 4  # lines read ahead of the server (memory: at most this many full lines)
DRAIN_SECONDS = 0.8  # how long a stop waits for the reply being written
_ID = re.compile(rb'\A[ \t\r\n]*\{[ \t\r\n]*(?:"jsonrpc"[ \t\r\n]*:[ \t\r\n]*"2\.0"[ \t\r\n]*,[ \t\r\n]*)?"id"[ \t\r\n]*:[ \t\r\n]*(-?[0-9]{1,18}|"[^"\\]{0,100}")')
_EOF = object()


class Oversize:
    """A line that was dropped for its size; ``head`` is its first bytes."""

    __slots__ = ("head",)

    def __init__(self, head: bytes):
        self.head = head


def request_id(head: bytes) -> bytes | None:
    """The JSON ``id`` of a request from its first bytes, when it comes first."""
    m = _ID.match(head)
    return m.group(1) if m else None


def split_lines(chunks, limit: int = MAX_LINE_BYTES):
    """Lines (bytes, without the newline) and :class:`Oversize` markers from byte chunks;
    never holds more than ``limit`` bytes of a line."""
    buf = bytearray()
    head = b""
    dropping = False
    for chunk in chunks:
        start = 0
        while True:
            nl = chunk.find(b"\n", start)
            piece = chunk[start:] if nl < 0 else chunk[start:nl]
            if not dropping and len(buf) + len(piece) > limit:
                head = bytes((buf + piece[:512])[:512])
                buf = bytearray()
                dropping = True
            elif not dropping:
                buf += piece
            if nl < 0:
                break
            if dropping:
                yield Oversize(head)
                dropping = False
            else:
                yield bytes(buf)
            buf = bytearray()
            start = nl + 1
    if dropping:
        yield Oversize(head)
    elif buf:
        yield bytes(buf)


class LineReader:
    """stdin lines for the SDK's stdio reader (``async for line in reader``)."""

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop, on_oversize, limit: int = MAX_LINE_BYTES):
        self.fd, self.loop, self.limit, self.on_oversize = fd, loop, limit, on_oversize
        self.queue: asyncio.Queue = asyncio.Queue()
        self.credits = threading.Semaphore(QUEUED_LINES)
        threading.Thread(target=self._run, name="hep-mcp-stdin", daemon=True).start()

    def _chunks(self):
        while True:
            try:
                chunk = os.read(self.fd, CHUNK)
            except OSError:
                return
            if not chunk:
                return
            yield chunk

    def _post(self, item) -> bool:
        self.credits.acquire()
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)
            return True
        except RuntimeError:  # the loop is gone: the server stopped
            return False

    def _run(self) -> None:
        for line in split_lines(self._chunks(), self.limit):
            if not self._post(line):
                return
        self._post(_EOF)

    def __aiter__(self):
        return self

    async def __anext__(self) -> str:
        while True:
            item = await self.queue.get()
            self.credits.release()
            if item is _EOF:
                raise StopAsyncIteration
            if isinstance(item, Oversize):
                await self.on_oversize(item)
                continue
            return item.decode("utf-8", errors="replace")


class LineWriter:
    """stdout for the SDK's stdio writer: each ``write`` (one JSON line) is written whole
    by one thread; a stop lets the line in flight finish and drops the rest."""

    def __init__(self, fd: int, loop: asyncio.AbstractEventLoop):
        self.fd, self.loop = fd, loop
        self.pending: deque = deque()
        self.cond = threading.Condition()
        self.writing = False
        self.stopped = False
        threading.Thread(target=self._run, name="hep-mcp-stdout", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.pending and not self.stopped:
                    self.cond.wait()
                if self.stopped and not self.pending:
                    return
                data, done = self.pending.popleft()
                self.writing = True
            error = None
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.fd, view) :]
            except OSError as exc:
                error = exc
            with self.cond:
                self.writing = False
                self.cond.notify_all()
            try:
                self.loop.call_soon_threadsafe(_settle, done, error)
            except RuntimeError:
                pass

    async def write(self, text: str) -> None:
        done = self.loop.create_future()
        with self.cond:
            if self.stopped:
                return
            self.pending.append((text.encode("utf-8"), done))
            self.cond.notify_all()
        await done

    async def flush(self) -> None:
        return None

    def stop(self, seconds: float = DRAIN_SECONDS) -> bool:
        """Drop what is not being written; wait for the line in flight. True: no line cut."""
        with self.cond:
            self.stopped = True
            self.pending.clear()
            self.cond.notify_all()
            return self.cond.wait_for(lambda: not self.writing, seconds)


def _settle(future: asyncio.Future, error: OSError | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(anyio.BrokenResourceError(str(error.strerror or error)))


def claim() -> tuple[int, int, callable]:
    """Private copies of fd 0 and 1 (the wire); fd 0 then reads /dev/null and fd 1 goes
    to stderr. Call it before starting any process, so none inherits the wire."""
    wire_in, wire_out = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)

    def restore() -> None:
        os.dup2(wire_in, 0)
        os.dup2(wire_out, 1)

    return wire_in, wire_out, restore


async def serve_stdio(server, wire=None, limit: int = MAX_LINE_BYTES, on_stop=None) -> str | None:
    """Serve an ``MCPServer`` over stdin/stdout until EOF, SIGTERM or SIGINT.
    ``wire``: what :func:`claim` returned (default: claim now). ``on_stop``: called once
    serving ends, before waiting for anything (e.g. stop the check workers, so no call
    left over keeps the process alive). Returns the name of the signal that stopped it,
    or None at EOF."""
    from mcp.server.stdio import stdio_server

    loop = asyncio.get_running_loop()
    wire_in, wire_out, restore = wire or claim()
    writer = LineWriter(wire_out, loop)

    async def oversize(item: Oversize) -> None:
        rid = request_id(item.head)
        log.warning("stdin: a request line over %d bytes was discarded", limit)
        if rid is not None:
            message = f"request over the size limit of {limit:,} bytes; it was discarded"
            await writer.write(
                '{"jsonrpc":"2.0","id":' + rid.decode("ascii") + ',"error":{"code":-32600,"message":"' + message + '"}}\n'
            )

    reader = LineReader(wire_in, loop, oversize, limit)
    lowlevel = server._lowlevel_server  # what MCPServer.run_stdio_async runs
    stopped_by: list[str] = []
    try:
        async with anyio.create_task_group() as tg:

            async def stop_on_signal() -> None:
                with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                    async for signum in signals:
                        stopped_by.append(signal.Signals(signum).name)
                        log.info("stopping on %s", stopped_by[0])
                        writer.stopped = True  # no new reply starts
                        tg.cancel_scope.cancel()
                        return

            tg.start_soon(stop_on_signal)
            async with stdio_server(stdin=reader, stdout=writer) as (read_stream, write_stream):
                await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
            tg.cancel_scope.cancel()  # EOF: stop waiting for signals
    finally:
        if on_stop is not None:
            on_stop()
        if not writer.stop():
            log.warning("stdout: the client did not read the last reply; stopping anyway")
        restore()
    return stopped_by[0] if stopped_by else None
