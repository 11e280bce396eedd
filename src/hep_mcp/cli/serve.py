"""hep-mcp serve : the MCP server over stdio (default) or streamable HTTP at /mcp."""

from __future__ import annotations

import os

LEVELS = ("debug", "info", "warning", "error")
TOKEN_ENV = "HEP_MCP_TOKEN"
CONFIG_ENV = "HEP_MCP_CONFIG"
WILDCARD = ("0.0.0.0", "::", "")
MIN_TOKEN = 16


def register(sub) -> None:
    p = sub.add_parser(
        "serve",
        help="run the MCP server (stdio, or streamable HTTP with --transport http)",
        description=(
            "Run the MCP server. stdio (default) is what Claude Desktop, Claude Code and most clients start. "
            "--transport http serves streamable HTTP at http://HOST:PORT/mcp, on loopback unless "
            f"{TOKEN_ENV} is set. Logs go to stderr only and never contain tool arguments or patient text."
        ),
    )
    p.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    p.add_argument("--host", default="127.0.0.1", help="HTTP: address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="HTTP: port (default 8765)")
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="HTTP: another host name clients use to reach this server, with or without :PORT (Host/Origin check); repeatable",
    )
    p.add_argument(
        "--time-budget",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="wall-clock budget for each check_hep_rules, generate_hep and progress_note call; past it the "
        "call is stopped and the client gets an error (default 5)",
    )
    p.add_argument(
        "--check-workers",
        type=_workers,
        default=None,
        metavar="N",
        help="worker processes that run the checks (default: one per core, at most 4)",
    )
    p.add_argument("--config", metavar="FILE", help=f"clinic config (YAML); default: ${CONFIG_ENV} if set")
    _add_http_limits(p)
    p.add_argument("--log-level", choices=LEVELS, default="warning", help="stderr logging (default warning)")
    p.set_defaults(run=run)


def _seconds(value: str) -> float:
    import argparse
    import math

    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0.1 <= seconds <= 600:
        raise argparse.ArgumentTypeError(f"expected a number of seconds from 0.1 to 600, got {value[:20]!r}")
    return seconds


def _workers(value: str) -> int:
    import argparse

    from hep_mcp.budget import MAX_WORKERS

    if not value.isdigit() or not 1 <= int(value) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_WORKERS}, got {value[:20]!r}")
    return int(value)


def http_problem(host: str, port: int, token: str | None, allowed: list[str]) -> str | None:
    """Why this HTTP binding is refused, or None."""
    from hep_mcp.server import LOOPBACK

    if not 0 < port < 65536:
        return f"--port {port}: expected 1-65535"
    if token is not None and len(token) < MIN_TOKEN:
        return (
            f"{TOKEN_ENV}: {len(token)} characters is too short to guard patient data; use at least "
            f"{MIN_TOKEN} random characters, e.g. python -c \"import secrets; print(secrets.token_urlsafe(32))\""
        )
    if host not in LOOPBACK and not token:
        return (
            f"--host {host}: refusing to serve patient data beyond this machine without a token; "
            f"set {TOKEN_ENV} (clients then send Authorization: Bearer <token>) or use --host 127.0.0.1"
        )
    if host in WILDCARD and not allowed:
        return f"--host {host or '(empty)'}: binds every interface; name the address clients use with --allowed-host"
    return None


def run(args) -> int:
    from hep_mcp.cli.common import error, load_config_or_none

    token = os.environ.get(TOKEN_ENV) or None
    if args.transport == "http":
        problem = http_problem(args.host, args.port, token, args.allowed_host)
        if not problem and args.workers > 1 and not args.stateless:
            problem = (
                f"--workers {args.workers}: a session lives in one worker, so several workers need "
                "--stateless (every request stands alone)"
            )
        if problem:
            error(problem)
            return 2
    config, code = load_config_or_none(args.config or os.environ.get(CONFIG_ENV) or None)
    if config is None:
        return code

    from hep_mcp.budget import Budget
    from hep_mcp.server import configure_logging

    configure_logging(args.log_level)
    if args.transport == "stdio":
        from hep_mcp.stdio import claim

        wire = claim()  # before any worker starts: no other process holds the client's pipes
        budget = Budget(args.time_budget, args.check_workers)
        budget.start()  # the workers warm up while the client connects
        try:
            return _serve_stdio(config, budget, wire)
        finally:
            budget.close()
    return _serve_http(args, config, token)


def _serve_stdio(config, budget, wire) -> int:
    import anyio

    from hep_mcp.server import build_server
    from hep_mcp.stdio import MAX_LINE_BYTES, serve_stdio

    server = build_server(config, budget)
    try:
        stopped_by = anyio.run(serve_stdio, server, wire, MAX_LINE_BYTES, budget.close)
    except BaseExceptionGroup as group:
        # the client closed its pipes while calls were in flight: a normal way to end
        if not _only_closed_pipes(group):
            raise
        stopped_by = None
    if stopped_by:
        _exit_now(budget)
    return 0


def _serve_http(args, config, token) -> int:
    from hep_mcp.serving import HTTPOptions, serve

    options = HTTPOptions(
        host=args.host,
        port=args.port,
        allowed_hosts=list(args.allowed_host),
        config=args.config or os.environ.get(CONFIG_ENV) or None,
        log_level=args.log_level,
        stateless=args.stateless,
        workers=args.workers,
        max_sessions=args.max_sessions,
        session_idle_timeout=args.session_idle_timeout,
        sessions_per_client=args.sessions_per_client,
        keep_alive_timeout=args.keep_alive_timeout,
        header_timeout=args.header_timeout,
        max_connections=args.max_connections,
        time_budget=args.time_budget,
        check_workers=args.check_workers,
    )
    import sys

    mode = "stateless" if args.stateless else "stateful"
    print(
        f"hep-mcp: serving streamable HTTP ({mode}, {args.workers} worker{'s' * (args.workers != 1)}) "
        f"at http://{_show(args.host, args.port)}/mcp" + (" (bearer token required)" if token else ""),
        file=sys.stderr,
        flush=True,
    )
    return serve(options, config)


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0 or value != value or value == float("inf"):
            import argparse

            raise argparse.ArgumentTypeError(f"expected a positive {'whole number' if kind is int else 'number'}, got {text!r}")
        return value

    return parse


def _add_http_limits(p) -> None:
    g = p.add_argument_group("HTTP scaling and limits")
    g.add_argument(
        "--stateless",
        action="store_true",
        help="HTTP: no sessions; every request stands alone (JSON responses), so any worker answers any request",
    )
    g.add_argument("--workers", type=_positive(int), default=1, metavar="N", help="HTTP: worker processes (default 1; more than one needs --stateless)")
    g.add_argument(
        "--max-sessions", type=_positive(int), default=1000, metavar="N", help="HTTP stateful: open sessions per worker (default 1000; 503 past it)"
    )
    g.add_argument(
        "--session-idle-timeout",
        type=_positive(float),
        default=900.0,
        metavar="SECONDS",
        help="HTTP stateful: close a session after this long without a request (default 900)",
    )
    g.add_argument(
        "--sessions-per-client",
        type=_positive(int),
        default=100,
        metavar="N",
        help="HTTP stateful: open sessions one client address may hold per worker (default 100; 429 past it)",
    )
    g.add_argument(
        "--keep-alive-timeout", type=_positive(int), default=5, metavar="SECONDS", help="HTTP: close an idle connection after this long (default 5)"
    )
    g.add_argument(
        "--header-timeout",
        type=_positive(float),
        default=10.0,
        metavar="SECONDS",
        help="HTTP: close a connection whose request head has not arrived within this time (default 10)",
    )
    g.add_argument(
        "--max-connections",
        type=_positive(int),
        default=1000,
        metavar="N",
        help="HTTP: concurrent connections and requests per worker (default 1000; 503 past it)",
    )


def _exit_now(budget) -> None:
    """After SIGTERM/SIGINT: stop the workers and exit at once. The reply in flight is
    already written whole; the interpreter's own teardown of every loaded module takes
    seconds on a busy machine and has nothing left to save."""
    import logging
    import sys

    budget.close()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


def _only_closed_pipes(group: BaseExceptionGroup) -> bool:
    import anyio

    closed = (BrokenPipeError, ConnectionResetError, anyio.ClosedResourceError, anyio.BrokenResourceError)
    rest = group.subgroup(lambda exc: not isinstance(exc, (*closed, BaseExceptionGroup)))
    return rest is None


def _show(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
