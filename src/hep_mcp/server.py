"""Layer 5: the MCP server. Wiring only: each tool, prompt and resource calls one plain
function of the layers below and turns its one error type (``InputError``) into an
``is_error`` result.

* tools: ``generate_hep``, ``check_hep_rules``, ``progress_note``, ``exercise_library``;
  each returns a pydantic model (structured content) and a short text content that
  carries ``ready`` and the findings (safety and privacy first);
* prompts: Jinja2 files with YAML front matter in the top-level ``prompts/`` folder
  (inside the wheel as ``hep_mcp/prompts``), rendered in a sandboxed ``StrictUndefined``
  environment;
* resources: ``hep://rules``, ``hep://library``, ``hep://library/{condition}``,
  ``hep://spec/six-elements``.

Privacy: the server stores nothing and sends nothing. Logging goes to stderr through
:func:`configure_logging`, whose filter keeps tool arguments, rendered text and
exception messages (which may quote either) out of every log record, the SDK's own
included.

This module is imported only by ``hep-mcp serve``/``demo`` and the tests: it pulls in the
MCP SDK, which ``hep-mcp check`` must never import. Annotations are evaluated at
import (no ``from __future__ import annotations``): tool signatures are built from
the installed formats.
"""

import functools
import hmac
import json
import logging
import re
import sys
import traceback
from typing import Annotated, Any, Literal

import anyio

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument, UserMessage
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, CallToolResult, InputRequiredResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from hep_mcp import __version__, elicit
from hep_mcp import lang as _lang
from hep_mcp.errors import InputError, pydantic_message
from hep_mcp.library import ConditionEntry
from hep_mcp.model import Finding, Report
from hep_mcp.prompt_files import bundled_dir, load_prompts, render_prompt
from hep_mcp.schema import format_description, model_schema, portable

log = logging.getLogger("hep_mcp.server")

NAME = "hep-mcp"
INSTRUCTIONS = (
    "Drafts home exercise programs (HEPs) and progress notes for physical therapists and checks them "
    "with deterministic rules. The therapist chooses exercises, dosing, schedule, milestone and channel: "
    "ask, never invent. A draft is ready to hand over only when `ready` is true."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
SAFETY_ELEMENTS = ("safety", "privacy", "response_rules")

DESCRIPTIONS = {
    "generate_hep": (
        "Render the therapist's six-element HEP for the patient's channel and check the result. "
        "Fix every error finding (ask the therapist) and call again until ready is true."
    ),
    "check_hep_rules": (
        "Check a free-text HEP or progress note against the six-element, plain-language, safety and "
        "privacy rules. Returns ready, readability and findings with line numbers."
    ),
    "progress_note": (
        "Render an outpatient PT progress report from the therapist's facts (measures against baseline, "
        "goals, HEP adherence) and check it."
    ),
    "exercise_library": (
        "Early-phase exercise ideas (lay names), red flags, precautions and routine triggers for a "
        "condition. Ideas only: the therapist chooses."
    ),
}
HEP_FIELDS = (
    "The therapist's six-element HEP. Exercises, doses, schedule, milestone and channel are the "
    "therapist's decisions: ask, never invent. Missing ones are errors naming the field. Condition other needs "
    "response_rules.red_flags. language: es prints the handout's fixed text in Spanish; write every field in "
    "that language too (nothing is translated)."
)
NOTE_FIELDS = (
    "The therapist's progress report for one period. Missing facts are errors or findings that "
    "name the field; nothing is invented."
)


# -- results: structured content plus a short text -------------------------------


def _finding_line(f: Finding) -> str:
    where = f" line {f.line}" if f.line else ""
    if f.field:  # a structured HEP: the input field it is about
        where += f" {f.field}"
    head = f.message.split("\n", 1)[0]
    return f"- {f.severity} {f.rule} [{f.element}]{where}: {head}"


def lang_name(code: str) -> str:
    from hep_mcp import lang

    return f"{lang.info(code)['name']} ({code})"


def summary(ready: bool, findings: list[Finding]) -> str:
    """``ready`` and the findings, safety and privacy first, one line each."""
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    lines = [
        f"ready: {'true' if ready else 'false'} ({errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)})"
    ]
    safety = [f for f in findings if f.element in SAFETY_ELEMENTS]
    other = [f for f in findings if f.element not in SAFETY_ELEMENTS]
    if safety:
        lines.append("Safety and privacy findings:")
        lines.extend(_finding_line(f) for f in safety)
    if other:
        lines.append("Other findings:")
        lines.extend(_finding_line(f) for f in other)
    return "\n".join(lines)


def _result(model: BaseModel, text: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json"),
    )


def _plain(tool: str, fn, *args, **kwargs):
    """Call a plain function: InputError -> is_error result with its message; a bug ->
    is_error result naming the tool, logged without the exception's message."""
    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        raise ToolError(str(exc)) from None
    except Exception as exc:
        log.error("%s: internal error %s\n%s", tool, exc.__class__.__name__, safe_stack(exc))
        raise ToolError(f"{tool}: internal error ({exc.__class__.__name__}); please report it") from None


TARGETS = {  # what each budgeted tool runs in a check worker
    "generate_hep": "hep_mcp.render:generate_hep",
    "check_hep_rules": "hep_mcp.check:check_draft",
    "progress_note": "hep_mcp.note:progress_note",
}


def _precheck(tool: str, *args, **kwargs) -> None:
    """The cheap argument checks, in this process: a draft over the size limit or a HEP
    with a missing field is refused at once, never queued for a worker."""
    if tool == "check_hep_rules":
        from hep_mcp.check import validate_draft

        text, kind, config, _condition, language = (*args, None, None)[:5]
        validate_draft(text, kind, config, language)
    elif tool == "generate_hep":
        from hep_mcp.render import coerce_hep

        coerce_hep(args[0], kwargs.get("source", "hep"))


async def _budgeted(budget, tool: str, *args, **kwargs):
    """Run a tool's plain function in a check worker within the time budget
    (hep_mcp.budget): InputError, a budget overrun and a bug each become an
    is_error result; the event loop never runs the check itself."""
    from hep_mcp.budget import Busy, OverBudget, WorkerBug

    try:
        _precheck(tool, *args, **kwargs)
        return await budget.call(TARGETS[tool], *args, **kwargs)
    except InputError as exc:
        raise ToolError(str(exc)) from None
    except Busy as exc:
        log.warning("%s: %s", tool, exc.__class__.__name__)
        raise ToolError(f"{tool}: {exc}; nothing was checked") from None
    except OverBudget as exc:
        log.warning("%s: %s", tool, exc.__class__.__name__)
        raise ToolError(
            f"{tool}: {exc}; nothing was checked. Send a shorter or simpler text, or split it, and call again"
        ) from None
    except WorkerBug as exc:
        log.error("%s: internal error %s\n%s", tool, exc.name, exc.stack)
        raise ToolError(f"{tool}: internal error ({exc.name}); please report it") from None
    except Exception as exc:
        log.error("%s: internal error %s\n%s", tool, exc.__class__.__name__, safe_stack(exc))
        raise ToolError(f"{tool}: internal error ({exc.__class__.__name__}); please report it") from None


def safe_stack(exc: BaseException) -> str:
    """Where an exception happened (files, lines, functions) without its message."""
    return "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__))).rstrip()


class LibraryResult(BaseModel):
    """The condition library: the list of conditions, and one entry when asked."""

    model_config = ConfigDict(extra="forbid")

    conditions: list[str] = Field(description="Conditions the library knows (keys for condition).")
    entry: ConditionEntry | None = Field(default=None, description="The requested condition's entry (absent when listing).")


# -- the server ------------------------------------------------------------------


class HepServer(MCPServer):
    """MCPServer whose argument-validation errors name the field and what is expected, and
    whose listed tool schemas are self-contained (no $ref/$defs, one type per node)."""

    _listed: tuple | None = None
    _arguments: dict | None = None

    def publish_argument(self, tool: str, param: str, make) -> None:
        """List ``tool``'s ``param`` with the schema ``make()`` returns (built on the first
        tools/list, so starting the server and calling a tool never pays for it)."""
        self._arguments = {**(self._arguments or {}), (tool, param): make}
        self._listed = None

    def _listed_tool(self, tool):
        schema = tool.input_schema
        made = {p: make() for (name, p), make in (self._arguments or {}).items() if name == tool.name}
        if made:
            schema = {**schema, "properties": {**schema.get("properties", {}), **made}}
        return tool.model_copy(
            update={"input_schema": portable(schema), "output_schema": portable(tool.output_schema, nullable=True)}
        )

    async def list_tools(self):
        tools = await super().list_tools()
        key = tuple(t.name for t in tools)
        if self._listed is None or self._listed[0] != key:
            self._listed = (key, [self._listed_tool(t) for t in tools])
        return list(self._listed[1])

    async def call_tool(self, name, arguments, context=None):
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                # the SDK's text quotes the rejected values and a URL: one line per field instead
                raise ToolError(f"invalid arguments for {name}: {pydantic_message(cause)}") from cause
            if isinstance(cause, ToolError):
                raise cause from None  # our own message, without the SDK's prefix
            raise


def build_server(config=None, budget=None) -> MCPServer:
    """The hep-mcp server with its tools, prompts and resources.

    ``config`` is the clinic config (``hep_mcp.config.Config``); None: the defaults.
    ``budget`` (``hep_mcp.budget.Budget``) runs the checking tools in worker processes
    within a time budget; None: in a thread of this process, without a budget.
    """
    from hep_mcp.budget import Budget
    from hep_mcp.config import default_config
    from hep_mcp.model import HEP
    from hep_mcp.render import ALL_FORMATS, GeneratedHEP

    config = config or default_config()
    budget = budget or Budget.inline()
    root = logging.getLogger()
    guard = logging.NullHandler()
    # MCPServer() calls logging.basicConfig(); a handler on the root makes that a no-op, so
    # importing hep_mcp never installs a handler of its own (configure_logging does, for serve).
    root.addHandler(guard)
    try:
        server = HepServer(NAME, title="Home exercise programs (hep-mcp)", version=__version__, instructions=INSTRUCTIONS)
    finally:
        root.removeHandler(guard)

    HepFormat = Literal[tuple(ALL_FORMATS)]  # type: ignore[valid-type]
    # The schema is the model's; validation is the model's too, in the plain function, after
    # any missing facts were asked for (so a missing milestone can be elicited, not refused).
    HepArg = Annotated[dict[str, Any], WithJsonSchema({"type": "object", "description": HEP_FIELDS})]
    server.publish_argument("generate_hep", "hep", lambda: model_schema(HEP, "tkr.yaml", HEP_FIELDS))

    @server.tool(title="Generate a home exercise program", description=DESCRIPTIONS["generate_hep"], annotations=READ_ONLY)
    async def generate_hep(
        hep: HepArg,
        format: Annotated[HepFormat, Field(description=format_description("hep", ALL_FORMATS, "The patient's channel."))] = "print",
        ctx: Context = None,
    ) -> Annotated[CallToolResult, GeneratedHEP] | InputRequiredResult:
        def run(data):  # in a thread (elicit): the check itself runs within the budget
            call = functools.partial(_budgeted, budget, "generate_hep", data, format, config=config, source="hep")
            result = anyio.from_thread.run(call)
            return _result(result, result.text.rstrip("\n") + "\n\n---\n" + summary(result.ready, result.findings))

        return await elicit.run_asking("hep", hep, ctx, run)

    @server.tool(title="Check a draft", description=DESCRIPTIONS["check_hep_rules"], annotations=READ_ONLY)
    async def check_hep_rules(
        text: Annotated[str, Field(description="The draft HEP or progress note, Markdown or plain text, e.g. 'Hi Maria, here is your plan for this week: three exercises ...'.")],
        kind: Annotated[
            Literal["auto", "hep", "note"], Field(description="auto detects a progress note, else hep.")
        ] = "auto",
        language: Annotated[
            Literal[("auto", *_lang.languages())],  # type: ignore[valid-type]  # auto, then one per language pack
            Field(
                description="The draft's language: auto detects it from the text (default); 'en' or 'es' forces "
                "which language's cue lists, word tables and readability formulas are used. The result's "
                "`language` says which was read."
            ),
        ] = "auto",
    ) -> Annotated[CallToolResult, Report]:
        report = await _budgeted(budget, "check_hep_rules", text, kind, config, None, language)
        read_as = f"\nRead as: {lang_name(report.language)}" if report.language != "en" else ""
        return _result(report, summary(report.ready, report.findings) + read_as)

    _add_note_tool(server, config, budget)
    _add_library(server, config)
    _add_rules_resource(server)
    _add_prompts(server, config)
    _add_completions(server, config)
    return server


def _add_note_tool(server: MCPServer, config, budget) -> None:
    try:
        from hep_mcp.note import NoteResult
    except ImportError:  # not in this build
        return
    from hep_mcp import note as note_module
    from hep_mcp.model.note import ProgressNote

    formats = tuple(getattr(note_module, "FORMATS", ("markdown",)))
    NoteFormat = Literal[formats]  # type: ignore[valid-type]
    NoteArg = Annotated[dict[str, Any], WithJsonSchema({"type": "object", "description": NOTE_FIELDS})]
    server.publish_argument("progress_note", "note", lambda: model_schema(ProgressNote, None, NOTE_FIELDS))

    @server.tool(title="Write a progress note", description=DESCRIPTIONS["progress_note"], annotations=READ_ONLY)
    async def progress_note(
        note: NoteArg,
        format: Annotated[NoteFormat, Field(description=format_description("note", formats, "Output format."))] = "markdown",
        ctx: Context = None,
    ) -> Annotated[CallToolResult, NoteResult] | InputRequiredResult:
        def run(data):  # in a thread (elicit): the check itself runs within the budget
            call = functools.partial(_budgeted, budget, "progress_note", data, format, config=config, source="note")
            result = anyio.from_thread.run(call)
            return _result(result, result.text.rstrip("\n") + "\n\n---\n" + summary(result.ready, result.findings))

        return await elicit.run_asking("note", note, ctx, run)


def _add_library(server: MCPServer, config) -> None:
    try:
        from hep_mcp import library
    except ImportError:  # not in this build
        return

    @server.tool(title="Condition library", description=DESCRIPTIONS["exercise_library"], annotations=READ_ONLY)
    def exercise_library(
        condition: Annotated[
            str | None, Field(description="A condition key or alias, e.g. 'total_knee_replacement'. Omit to list them.")
        ] = None,
    ) -> Annotated[CallToolResult, LibraryResult]:
        names = _plain("exercise_library", library.conditions, config.library_dirs)
        if condition is None:
            result = LibraryResult(conditions=names)
            return _result(result, "Conditions: " + ", ".join(names))
        entry = _plain("exercise_library", library.lookup, condition, config.library_dirs)
        result = LibraryResult(conditions=names, entry=entry)
        return _result(result, _entry_text(entry.model_dump(mode="json")))

    @server.resource("hep://library", name="library", mime_type="application/json",
                     description="The conditions the library knows.")
    def library_index() -> str:
        return json.dumps({"conditions": library.conditions(config.library_dirs)}, indent=2)

    @server.resource("hep://library/{condition}", name="library-entry", mime_type="application/json",
                     description="One condition: exercises, red flags, precautions, triggers.")
    def library_entry(condition: str) -> str:
        try:
            return json.dumps(library.lookup(condition, config.library_dirs).model_dump(mode="json"), indent=2, ensure_ascii=False)
        except InputError as exc:
            raise ResourceNotFoundError(str(exc)) from None


def _entry_text(entry: dict) -> str:
    label = entry.get("label") or entry.get("condition")
    lines = [f"{label} ({entry['phase']})" if entry.get("phase") else str(label)]
    lines.append("Exercise ideas (the therapist chooses):")
    lines.extend(f"- {e.get('name')}: {e.get('description', '')}" for e in entry.get("exercises", []))
    if entry.get("red_flags"):
        lines.append("Red flags:")
        lines.extend(f"- {f}" for f in entry["red_flags"])
    if entry.get("precautions"):
        lines.append("Precautions:")
        lines.extend(f"- {p}" for p in entry["precautions"])
    if entry.get("triggers"):
        lines.append("Trigger ideas:")
        lines.extend(f"- {t}" for t in entry["triggers"])
    return "\n".join(lines)


def _add_rules_resource(server: MCPServer) -> None:
    @server.resource("hep://rules", name="rules", mime_type="application/json",
                     description="The rule catalog: ID, element, severity, description, examples.")
    def rules() -> str:
        from hep_mcp.rules import catalog

        return json.dumps([spec.as_dict() for spec in catalog().values()], indent=2, ensure_ascii=False)

    @server.resource("hep://spec/six-elements", name="six-elements", mime_type="text/markdown",
                     description="The six elements a home exercise program needs, and how each is checked.")
    def six_elements() -> str:
        return (bundled_dir("prompts") / "_six_elements.md").read_text(encoding="utf-8")


# -- prompts ---------------------------------------------------------------------


def _add_prompts(server: MCPServer, config=None) -> None:
    from hep_mcp import prompt_args

    folder = bundled_dir("prompts")
    dirs = tuple(config.library_dirs) if config is not None else ()
    for spec, filename in load_prompts(folder):

        def fn(__spec=spec, __file=filename, **arguments) -> list[UserMessage]:
            try:
                known = {a.name for a in __spec.arguments}
                checked, extra = prompt_args.check({k: v for k, v in arguments.items() if k in known}, dirs)
                arguments = {**arguments, **checked}
                defaults = {"library_entry": False, "hep_condition": ""}
                return [UserMessage(render_prompt(__spec, __file, folder, arguments, defaults | extra))]
            except InputError as exc:
                raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None

        server.add_prompt(
            Prompt(
                name=spec.name,
                title=spec.title,
                description=spec.description,
                arguments=[PromptArgument(name=a.name, description=a.description, required=a.required) for a in spec.arguments],
                fn=fn,
            )
        )


def _add_completions(server: MCPServer, config) -> None:
    """``completion/complete`` for prompt and resource-template arguments (by name:
    condition, channel/format, kind)."""
    from mcp.types import Completion

    from hep_mcp import prompt_args

    dirs = tuple(config.library_dirs)

    @server.completion()
    async def complete(ref, argument, context) -> Completion:
        try:
            found = prompt_args.complete(argument.name, argument.value, dirs)
        except InputError:  # a broken clinic library folder: nothing to offer
            found = []
        return Completion(values=found, total=len(found), has_more=False)


# -- HTTP ------------------------------------------------------------------------

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class BearerToken:
    """ASGI middleware: every request needs ``Authorization: Bearer <token>`` (else 401)."""

    def __init__(self, app, token: str):
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            given = dict(scope.get("headers") or ()).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                from starlette.responses import PlainTextResponse

                response = PlainTextResponse(
                    "missing or wrong bearer token (Authorization: Bearer <HEP_MCP_TOKEN>)",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="hep-mcp"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def host_header(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def host_values(name: str, port: int) -> list[str]:
    """The ``Host`` header values that name ``name``: as given when it carries a port
    (``hep.clinic.example:8443``, ``[::1]:8765``); else the name with the bound port and
    the bare name, which is what a client sends through a reverse proxy on 443 or 80."""
    if name.startswith("["):
        if "]:" in name:
            return [name]
        return [f"{name}:{port}", name]
    if name.count(":") == 1:
        base, _, tail = name.partition(":")
        if tail.isdigit():
            return [name]
        name = base
    if ":" in name:  # a bare IPv6 address
        return [f"[{name}]:{port}", f"[{name}]"]
    return [f"{name}:{port}", name]


#: Defaults for the stateful HTTP mode (``hep-mcp serve --transport http``); each has an option.
MAX_SESSIONS = 1000
SESSION_IDLE_TIMEOUT = 900.0
SESSIONS_PER_CLIENT = 100
HEALTH_PATH = "/healthz"


def http_app(
    server: MCPServer,
    host: str,
    port: int,
    token: str | None = None,
    allowed_hosts=(),
    *,
    stateless: bool = False,
    max_sessions: int = MAX_SESSIONS,
    session_idle_timeout: float = SESSION_IDLE_TIMEOUT,
    sessions_per_client: int | None = SESSIONS_PER_CLIENT,
):
    """The streamable-HTTP ASGI app at ``/mcp``: Host and Origin must name the bound host
    or an allowed host (DNS-rebinding protection), and with a token every request must
    carry it. ``/healthz`` answers ``ok`` without either (no data, for load balancers).

    Stateless (``stateless=True``): every request stands alone (JSON responses, no
    session id), so any worker can answer any request and nothing is kept between
    requests. Stateful: at most ``max_sessions`` sessions, ``sessions_per_client`` of
    them from one client address, each closed after ``session_idle_timeout`` seconds
    without a request.
    """
    from mcp.server.transport_security import TransportSecuritySettings

    names = [host, *allowed_hosts]
    if host in LOOPBACK:
        names += [h for h in LOOPBACK if h not in names]
    hosts = list(dict.fromkeys(v for h in names for v in host_values(h, port)))
    origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )
    app = server.streamable_http_app(
        streamable_http_path="/mcp",
        json_response=True,
        stateless_http=stateless,
        max_sessions=None if stateless else max_sessions,
        session_idle_timeout=None if stateless else session_idle_timeout,
        transport_security=security,
        host=host,
    )
    if not stateless and sessions_per_client:
        app = SessionsPerClient(app, server.session_manager, sessions_per_client)
    if token:
        app = BearerToken(app, token)
    return Health(app)


class Health:
    """ASGI middleware: ``GET /healthz`` -> 200 ``ok`` (no token, no data); the rest passes on."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("path") == HEALTH_PATH:
            status = 200 if scope.get("method") in ("GET", "HEAD") else 405
            body = b"ok\n" if status == 200 else b"method not allowed\n"
            headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})
            return
        await self.app(scope, receive, send)


class SessionsPerClient:
    """ASGI middleware: a client address may hold at most ``limit`` open sessions; one more
    ``initialize`` is answered 429 until one of them ends (DELETE or idle timeout).

    Sessions are told apart by the ``mcp-session-id`` the SDK answers an opening request
    with; whether one is still open is the session manager's own record, so a session the
    SDK closed for idleness frees its slot at once.
    """

    SWEEP_EVERY = 256

    def __init__(self, app, manager, limit: int):
        self.app, self.manager, self.limit = app, manager, limit
        self.sessions: dict[str, set[bytes]] = {}
        self.pending: dict[str, int] = {}
        self._opened = 0

    def _open(self) -> Any:
        return self.manager._server_instances  # the SDK's open sessions, by id

    def _sweep(self) -> None:
        live = self._open()
        for client in list(self.sessions):
            alive = {s for s in self.sessions[client] if s.decode() in live}
            if alive:
                self.sessions[client] = alive
            else:
                del self.sessions[client]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        if any(k == b"mcp-session-id" for k, _ in scope.get("headers") or ()):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        live = self._open()
        mine = {s for s in self.sessions.get(client, ()) if s.decode() in live}
        if len(mine) + self.pending.get(client, 0) >= self.limit:
            body = json.dumps(
                {"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": "Too many open sessions from this address"}}
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"retry-after", b"60")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        self.sessions[client] = mine
        self.pending[client] = self.pending.get(client, 0) + 1

        async def watch(message):
            if message["type"] == "http.response.start" and message["status"] < 400:
                for k, v in message.get("headers") or ():
                    if k.lower() == b"mcp-session-id":
                        self.sessions.setdefault(client, set()).add(bytes(v))
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            left = self.pending.get(client, 1) - 1
            if left:
                self.pending[client] = left
            else:
                self.pending.pop(client, None)
            if not self.sessions.get(client):
                self.sessions.pop(client, None)
            self._opened += 1
            if self._opened % self.SWEEP_EVERY == 0:
                self._sweep()


# -- logging ---------------------------------------------------------------------

_SAFE_ARG = re.compile(r"^[a-z]+(/[a-zA-Z_]+)+$")  # protocol methods, e.g. tools/call
SAFE_NAMES = {NAME, "generate_hep", "check_hep_rules", "progress_note", "exercise_library", "initialize", "ping"}


class Redact(logging.Filter):
    """Keep patient data out of the logs, whoever logs.

    Tool arguments and rendered text can reach a log record only through its
    arguments (``%r`` of a message, an exception text) or an exception's message.
    Records from other loggers than ``hep_mcp`` keep only arguments that are
    numbers or protocol/tool names; every exception keeps its type and stack
    (files, lines, functions) but loses its message.
    """

    def __init__(self, known: set[str] | None = None):
        super().__init__()
        self.known = known or set()

    def _safe(self, value):
        if isinstance(value, (bool, int, float)) or value is None:
            return value
        if isinstance(value, str) and (value in self.known or _SAFE_ARG.match(value)) and len(value) <= 64:
            return value
        return "<redacted>"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and not record.name.startswith("hep_mcp"):
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(self._safe(a) for a in args)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.msg} [{exc.__class__.__name__}]\n{safe_stack(exc)}"
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(level: str = "WARNING", stream=None, known: set[str] | None = None) -> logging.Handler:
    """One stderr handler on the root logger with the :class:`Redact` filter."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redact(known or SAFE_NAMES))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
