"""hep-mcp library [CONDITION] : the condition library (exercise ideas, red flags, triggers)."""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser(
        "library",
        help="list the condition library, or show one condition's exercise ideas, red flags and triggers",
        description=(
            "Without CONDITION: the conditions the library knows. With one (key or alias, e.g. tkr): "
            "its exercise ideas with lay names and plain descriptions, red flags, precautions and "
            "routine triggers. Ideas only: the therapist chooses the exercises and the dose. Exit 2: unknown condition."
        ),
    )
    p.add_argument("condition", nargs="?", metavar="CONDITION")
    p.add_argument("--format", dest="fmt", choices=("text", "json"), default="text")
    p.add_argument(
        "--dir",
        dest="dirs",
        action="append",
        default=[],
        metavar="DIR",
        help="a clinic's own library folder (condition .yaml files); repeatable; replaces entries with the same key",
    )
    p.add_argument("--config", metavar="FILE", help="clinic config (its library_dirs are added)")
    p.set_defaults(run=run)


def text_of(entry) -> str:
    lines = [f"{entry.label} ({entry.condition}): {entry.phase}", "", "Exercise ideas (the therapist chooses and doses):"]
    for ex in entry.exercises:
        lines.append(f"- {ex.name} [{ex.key}]: {ex.description} {ex.tie_back}")
    for title, items in (("Red flags", entry.red_flags), ("Precautions", entry.precautions), ("Trigger ideas", entry.triggers)):
        if items:
            lines += ["", f"{title}:"] + [f"- {item}" for item in items]
    return "\n".join(lines) + "\n"


def run(args) -> int:
    import json

    from hep_mcp import library
    from hep_mcp.cli.common import error, load_config_or_none
    from hep_mcp.errors import InputError

    config, code = load_config_or_none(args.config)
    if config is None:
        return code
    dirs = [*config.library_dirs, *args.dirs]
    try:
        if args.condition is None:
            names = library.conditions(dirs)
            out = json.dumps({"conditions": names}, indent=2) + "\n" if args.fmt == "json" else "\n".join(names) + "\n"
        else:
            entry = library.lookup(args.condition, dirs)
            out = (
                json.dumps(entry.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
                if args.fmt == "json"
                else text_of(entry)
            )
    except InputError as exc:
        error(str(exc))
        return 2
    sys.stdout.write(out)
    return 0
