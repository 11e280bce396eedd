"""hep-mcp lint-pack [DIR] : validate a skill pack (skills, prompts, library, config, plugin files)."""

from __future__ import annotations

import sys

from hep_mcp.cli.check import FORMATS


def register(sub) -> None:
    p = sub.add_parser(
        "lint-pack",
        help="validate a skill pack: skills, prompts, library, config and plugin files, embedded examples",
        description=(
            "Validate a skill pack (this repository or a clinic's fork). "
            "Exit 0: no errors; 1: errors (see --fail-on); 2: the folder or a file could not be read."
        ),
    )
    p.add_argument("root", nargs="?", default=".", metavar="DIR", help="the pack's root folder (default: .)")
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="text")
    p.add_argument("--config", metavar="FILE", help="clinic config (YAML) used to check the embedded examples")
    p.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        default="error",
        help="exit 1 when a finding at this level or above exists (default error)",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    from hep_mcp.cli.check import exit_code
    from hep_mcp.cli.common import error, load_config_or_none
    from hep_mcp.errors import InputError
    from hep_mcp.lint_pack import lint_pack, rule_infos
    from hep_mcp.reporters import REPORTERS

    config, code = load_config_or_none(args.config)
    if config is None:
        return code
    try:
        results = lint_pack(args.root, config)
    except InputError as exc:
        error(str(exc))
        return 2
    for r in results:
        if not r.ok:
            error(r.error)
    sys.stdout.write(
        REPORTERS[args.fmt](results, fail_on=args.fail_on, rules=rule_infos(), suite="hep-mcp lint-pack", tool="hep-mcp lint-pack")
    )
    return exit_code(results, args.fail_on)
