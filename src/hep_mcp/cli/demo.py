"""hep-mcp demo : a real MCP client session (the SDK's stdio client) against `hep-mcp serve`.

It starts the server as a subprocess, drafts the bundled example HEP through the
``generate_hep`` tool, prints it with its findings, then checks a bundled flawed draft
through ``check_hep_rules`` and prints what was caught. Nothing is written to disk.
"""

from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="run an MCP client session against the server: draft the example HEP, check a flawed draft",
        description=(
            "Start `hep-mcp serve` as a subprocess and talk to it over stdio with the MCP SDK's client: "
            "generate_hep on the bundled example (total knee replacement), then check_hep_rules on a "
            "bundled flawed draft."
        ),
    )
    p.add_argument("--format", dest="fmt", default="print", help="generate_hep format (default print)")
    p.set_defaults(run=run)


def example_text(name: str) -> str:
    from importlib import resources

    return resources.files("hep_mcp").joinpath("examples", name).read_text(encoding="utf-8")


def grouped(findings: list[dict]) -> list[str]:
    """One line per rule: severity, ID, element, first message, and where it fired."""
    order: dict[str, list[dict]] = {}
    for f in findings:
        order.setdefault(f["rule"], []).append(f)
    rank = {"error": 0, "warning": 1, "info": 2}
    lines = []
    for rule, items in sorted(order.items(), key=lambda kv: (rank[kv[1][0]["severity"]], kv[0])):
        first = items[0]
        where = sorted({f["line"] for f in items if f.get("line")})
        at = f" (lines {', '.join(map(str, where))})" if len(where) > 1 else (f" (line {where[0]})" if where else "")
        # the first finding's message, then how many more of the rule there are ("and 8 more"),
        # so a message naming one exercise is not read as being about all nine
        more = f" (and {len(items) - 1} more)" if len(items) > 1 else ""
        lines.append(f"  {first['severity']:<7} {rule} [{first['element']}] {first['message'].splitlines()[0]}{more}{at}")
    return lines


async def session(fmt: str, out=sys.stdout) -> int:
    import yaml
    from mcp import Client, StdioServerParameters

    from importlib import resources

    # the bundled example clinic (fictional): its contact block and phone go on the handout
    clinic = str(resources.files("hep_mcp").joinpath("examples", "clinic", "clinic.yaml"))
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "hep_mcp", "serve", "--log-level", "error", "--config", clinic]
    )
    hep = yaml.safe_load(example_text("tkr.yaml"))
    draft = example_text("flawed_draft.md")

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    async with Client(params) as client:
        info = client.server_info
        tools = [t.name for t in (await client.list_tools()).tools]
        say(f"Connected to {info.name if info else 'the server'} {info.version if info else ''} over stdio. Tools: {', '.join(tools)}")
        say()
        say(f"== generate_hep (format {fmt}) on the bundled example: total knee replacement, patient Maria ==")
        result = await client.call_tool("generate_hep", {"hep": hep, "format": fmt})
        if result.is_error:
            say(f"generate_hep failed: {result.content[0].text}")
            return 1
        data = result.structured_content or {}
        say()
        say(data["text"].rstrip())
        say()
        say(f"-- ready: {str(data['ready']).lower()}; findings: {len(data['findings'])}")
        say("\n".join(grouped(data["findings"])) or "  (none)")
        say()
        say("== check_hep_rules on a flawed draft (9 exercises of 'Sets: 2 / Repetitions: 10', a personal cell, 'no pain no gain', no milestone) ==")
        result = await client.call_tool("check_hep_rules", {"text": draft})
        if result.is_error:
            say(f"check_hep_rules failed: {result.content[0].text}")
            return 1
        report = result.structured_content or {}
        errors = sum(1 for f in report["findings"] if f["severity"] == "error")
        say(f"-- ready: {str(report['ready']).lower()}; {errors} errors, {len(report['findings']) - errors} other findings. Caught:")
        say("\n".join(grouped(report["findings"])))
        say()
        say("Add the server to Claude: see README.md (Install). Check your own drafts: hep-mcp check FILE.")
    return 0


def run(args) -> int:
    import anyio

    from hep_mcp.cli.common import error

    try:
        return anyio.run(session, args.fmt)
    except OSError as exc:
        error(f"could not start the server subprocess ({exc.strerror or exc.__class__.__name__})")
        return 2
    except Exception as exc:  # the server exited or broke the session: one line, no traceback
        error(f"the MCP session with `hep-mcp serve` failed ({exc.__class__.__name__}); run `hep-mcp serve` to see why")
        return 2
