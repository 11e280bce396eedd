"""hep-mcp check PATH... : check drafts, structured HEPs and notes, and fixture cases."""

from __future__ import annotations

import sys

FORMATS = ("text", "json", "sarif", "junit", "github")


def register(sub) -> None:
    from hep_mcp import lang  # the pack folders (no rule or model import)

    p = sub.add_parser(
        "check",
        help="check drafts and fixture cases (files or folders)",
        description="Check HEP drafts, progress notes and fixture cases. Exit 0: no errors; 1: errors; 2: a path could not be read.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="file or folder (.md .txt .yaml .yml .json)")
    p.add_argument("--kind", choices=("auto", "hep", "note"), default="auto")
    p.add_argument(
        "--language",
        choices=("auto", *lang.languages()),
        default="auto",
        help="the drafts' language: auto detects it per draft (default); en or es forces it",
    )
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="text")
    p.add_argument("--config", metavar="FILE", help="clinic config (YAML)")
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="error",
        help="exit 1 when a finding at this level or above exists (default error)",
    )
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes for many files (default: one per core)")
    p.set_defaults(run=run)


def exit_code(results, fail_on: str) -> int:
    from hep_mcp.reporters import gating

    if any(not r.ok for r in results):
        return 2
    if fail_on == "never":
        return 0
    levels = {"error"} if fail_on == "error" else {"error", "warning"}
    for r in results:
        if any(f.severity in levels for f in gating(r)):
            return 1
    return 0


def run(args) -> int:
    import os

    # pydantic looks for plugins in the entry points of every installed distribution the
    # first time it builds a model: tens of milliseconds of a cold check, for plugins a
    # check never uses. A user's own setting wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from hep_mcp.check import check_paths
    from hep_mcp.cli.common import error, load_config_or_none
    from hep_mcp.reporters import REPORTERS

    config, code = load_config_or_none(args.config)
    if config is None:
        return code
    if args.fmt not in REPORTERS:
        error(f"--format {args.fmt}: not available in this version")
        return 2
    language = None if args.language == "auto" else args.language
    results = check_paths(args.paths, args.kind, config, jobs=args.jobs, language=language)
    for r in results:
        if not r.ok:
            error(r.error)
    sys.stdout.write(REPORTERS[args.fmt](results, fail_on=args.fail_on))
    return exit_code(results, args.fail_on)
