"""Layer 5: serving the MCP server over HTTP with uvicorn, in one process or N workers.

Wiring only: :func:`hep_mcp.server.http_app` builds the ASGI app; this module binds the
socket, sets the ASGI server's limits and runs it, with uvicorn's own multi-process
supervisor for ``--workers N`` (it restarts a worker that dies; no process manager of ours).

* The listening socket is made here, as a TCP socket (protocol ``IPPROTO_TCP``) with
  ``TCP_NODELAY``: uvicorn's own socket for ``--workers`` is made without the protocol
  number, so asyncio does not set ``TCP_NODELAY`` on its connections and every small
  response waits ~40 ms for the peer's delayed ACK (Nagle). One socket, shared by all
  workers; the kernel spreads connections between them.
* Every worker builds its own app from the same options (``HEP_MCP_HTTP_OPTIONS`` in the
  environment, JSON, no secrets; the token stays in ``HEP_MCP_TOKEN``), so token, Host and
  Origin checks and the log redaction hold in each.
* Limits: keep-alive timeout, a header timeout (a connection that has not sent a complete
  request head within it is closed; uvicorn has no setting for it, so its HTTP/1.1
  protocol class is extended by one timer), and a cap on concurrent connections (503 past
  it, uvicorn's ``limit_concurrency``).

This module imports the MCP SDK and uvicorn; only ``hep-mcp serve`` imports it.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import asdict, dataclass, field

from uvicorn.protocols.http.h11_impl import H11Protocol

OPTIONS_ENV = "HEP_MCP_HTTP_OPTIONS"
TOKEN_ENV = "HEP_MCP_TOKEN"

#: uvicorn's defaults made explicit, and ours; every one has a ``hep-mcp serve`` option.
KEEP_ALIVE_TIMEOUT = 5
HEADER_TIMEOUT = 10.0
MAX_CONNECTIONS = 1000


@dataclass
class HTTPOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    allowed_hosts: list[str] = field(default_factory=list)
    config: str | None = None
    log_level: str = "warning"
    stateless: bool = False
    workers: int = 1
    max_sessions: int = 1000
    session_idle_timeout: float = 900.0
    sessions_per_client: int = 100
    keep_alive_timeout: int = KEEP_ALIVE_TIMEOUT
    header_timeout: float = HEADER_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    time_budget: float | None = None  # seconds per check (hep_mcp.budget); None: checks in a thread, no budget
    check_workers: int | None = None

    def to_env(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_env(cls) -> HTTPOptions:
        return cls(**json.loads(os.environ[OPTIONS_ENV]))


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a header timeout: a connection whose next request
    head has not fully arrived ``header_timeout`` seconds after it connected (or after its
    last response) is closed, however slowly it trickles bytes in."""

    def __init__(self, config, *args, **kwargs):
        super().__init__(config, *args, **kwargs)
        self._header_timeout = float(getattr(config, "header_timeout", HEADER_TIMEOUT))
        self._header_timer = None
        self._waiting_cycle = None

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._waiting_cycle = self.cycle
        self._header_timer = self.loop.call_later(self._header_timeout, self._header_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.cycle is self._waiting_cycle and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self._header_timer is not None and self.cycle is not self._waiting_cycle:
            self._disarm_header_timer()  # a new request head arrived

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.cycle is not None and self.cycle.response_complete:
            self._arm_header_timer()


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket with TCP_NODELAY (inherited by its connections)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def build_app(options: HTTPOptions, config=None):
    """The ASGI app for these options (each worker calls this once)."""
    from hep_mcp.server import build_server, http_app

    if config is None:
        from hep_mcp.config import load_config

        config = load_config(options.config)
    budget = None
    if options.time_budget is not None:
        import atexit

        from hep_mcp.budget import Budget

        budget = Budget(options.time_budget, options.check_workers)
        budget.start()
        atexit.register(budget.close)
    return http_app(
        build_server(config, budget),
        options.host,
        options.port,
        token=os.environ.get(TOKEN_ENV) or None,
        allowed_hosts=tuple(options.allowed_hosts),
        stateless=options.stateless,
        max_sessions=options.max_sessions,
        session_idle_timeout=options.session_idle_timeout,
        sessions_per_client=options.sessions_per_client or None,
    )


def worker_app():
    """uvicorn app factory for each worker process: options from the environment."""
    from hep_mcp.server import configure_logging

    options = HTTPOptions.from_env()
    configure_logging(options.log_level)
    return build_app(options)


def uvicorn_config(app, options: HTTPOptions):
    import uvicorn

    config = uvicorn.Config(
        app,
        factory=isinstance(app, str),
        host=options.host,
        port=options.port,
        workers=options.workers,
        http=HeaderTimeoutH11Protocol,
        log_config=None,  # our stderr handler (with the redaction filter) on the root logger
        log_level=options.log_level,
        access_log=options.log_level == "debug",
        server_header=False,
        timeout_keep_alive=options.keep_alive_timeout,
        limit_concurrency=options.max_connections,
        timeout_graceful_shutdown=5,
    )
    config.header_timeout = options.header_timeout
    return config


def serve(options: HTTPOptions, config) -> int:
    """Run until SIGINT/SIGTERM: one process, or uvicorn's supervisor with N workers."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    try:
        sock = listening_socket(options.host, options.port)
    except OSError as exc:
        print(f"hep-mcp: cannot listen on {options.host}:{options.port} ({exc.strerror or exc})", file=sys.stderr)
        return 2
    if options.workers <= 1:
        server = uvicorn.Server(uvicorn_config(build_app(options, config), options))
        server.run(sockets=[sock])
        return 0
    os.environ[OPTIONS_ENV] = options.to_env()
    uv = uvicorn_config("hep_mcp.serving:worker_app", options)
    Multiprocess(uv, sockets=[sock]).run()
    return 0
