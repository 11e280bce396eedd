"""hep-mcp rules : list every rule with its ID, element, severity and examples."""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    p = sub.add_parser("rules", help="list every rule with its examples", description="List the rule catalog.")
    p.add_argument("--kind", choices=("all", "hep", "note"), default="all")
    p.add_argument("--format", dest="fmt", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args) -> int:
    from hep_mcp.rules import catalog

    specs = [s for s in catalog().values() if args.kind in ("all", s.kind)]
    if args.fmt == "json":
        sys.stdout.write(json.dumps([s.as_dict() for s in specs], indent=2, ensure_ascii=False) + "\n")
        return 0
    out = []
    for s in specs:
        out.append(f"{s.id}  {s.name}  [{s.element}]  {s.severity}")
        out.append(f"    {s.description}")
        for label in ("pass", "fail"):
            example = (s.examples.get(label) or "").strip() or "(empty text)"
            lines = example.split("\n")
            out.append(f"    {label}: {lines[0]}")
            out.extend(f"          {ln}" for ln in lines[1:])
        out.append("")
    sys.stdout.write("\n".join(out))
    return 0
