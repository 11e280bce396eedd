"""Layer 5: the command line. It only wires arguments to the functions below it.

Each subcommand lives in its own module with ``register(subparsers)`` and
``run(args) -> int``; modules import their heavy dependencies inside ``run`` so
``hep-mcp check`` never imports the MCP SDK.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from hep_mcp import __version__

SUBCOMMANDS = ("check", "render", "note", "rules", "library", "lint_pack", "serve", "demo")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hep-mcp",
        description="Six-element home exercise programs: check drafts, render handouts, write progress notes, serve MCP.",
    )
    parser.add_argument("--version", action="version", version=f"hep-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        if importlib.util.find_spec(f"hep_mcp.cli.{name}") is not None:
            importlib.import_module(f"hep_mcp.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
