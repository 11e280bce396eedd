"""Ask the therapist for missing facts (MCP elicitation), never for content.

Only facts the therapist decides and the tool never invents are asked for, each under
its own field path and with its model description: the milestone, the feedback
channel, the schedule, an exercise's dose, the pain threshold (when given but
unusable), a measure's direction. Exercises, descriptions and wording are never
asked for and nothing is suggested: the form has no defaults.

The pure part (:func:`missing_facts`, :func:`form_model`, :func:`merge`) does not
import the MCP SDK; :func:`can_elicit` reads an SDK ``Context`` duck-typed. What the
therapist enters is merged into the arguments and validated with them, like any
argument, by the tool's own function.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema, create_model

from hep_mcp.errors import MissingTherapistInput

# Field paths (fnmatch patterns over dotted paths, list indexes as numbers) of the facts
# a form may ask for. Anything else that is missing stays a clear error for the chat.
ELICITABLE = {
    "hep": (
        "milestone.*",
        "feedback.*",
        "schedule.*",
        "exercises.*.dose",
        "response_rules.pain_threshold_points",
    ),
    "note": ("measures.*.higher_is_better",),
}
# Asked only when these are present: no form for a HEP without exercises.
NEEDS = {"hep": ("exercises",), "note": ("measures",)}
MAX_FIELDS = 12
_PRIMITIVE_KEYS = {
    "string": ("type", "description", "minLength", "maxLength", "format"),
    "integer": ("type", "description", "minimum", "maximum"),
    "number": ("type", "description", "minimum", "maximum"),
    "boolean": ("type", "description"),
}
_FORMATS = ("date", "date-time", "email", "uri")


def _model(kind: str):
    if kind == "hep":
        from hep_mcp.model import HEP

        return HEP
    from hep_mcp.model.note import ProgressNote

    return ProgressNote


@functools.lru_cache(maxsize=4)
def _schema(kind: str) -> dict:
    from hep_mcp.schema import model_schema

    return model_schema(_model(kind))


def _node(schema: dict, parts: list[str]) -> dict | None:
    node = schema
    for part in parts:
        if node.get("type") == "array":
            node = node.get("items") or {}
            if not part.isdigit():
                return None
            continue
        node = (node.get("properties") or {}).get(part)
        if node is None:
            return None
    return node


def _wanted(kind: str, path: str) -> bool:
    return any(fnmatch.fnmatchcase(path, p) for p in ELICITABLE.get(kind, ()))


def _value(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def missing_facts(kind: str, data: Any) -> list[str]:
    """Field paths of the therapist's facts that are missing (or unusable) in ``data``,
    limited to what a form may ask for; [] when nothing may be asked."""
    if not isinstance(data, dict) or kind not in ELICITABLE:
        return []
    if any(not data.get(n) for n in NEEDS.get(kind, ())):
        return []
    schema = _schema(kind)
    paths: list[str] = []
    try:
        _model(kind).model_validate(data)
        errors = []
    except ValidationError as exc:
        errors = exc.errors()
    except MissingTherapistInput as exc:  # raised by a validator: its fields are the facts
        errors = [{"loc": tuple(f.split(".")), "type": "missing"} for f in exc.fields]
    except Exception:
        return []
    for err in errors:
        parts = [str(p) for p in err.get("loc", ())]
        node = _node(schema, parts)
        if node is None:
            continue
        if node.get("type") == "object":  # a whole missing (or empty) section: its required fields
            if err.get("type") != "missing" and _value(data, parts):
                continue
            for name in node.get("required", ()):
                paths.append(".".join([*parts, name]))
            continue
        paths.append(".".join(parts))
    out = [p for p in dict.fromkeys(paths) if _wanted(kind, p) and _leaf(schema, p) is not None]
    return out[:MAX_FIELDS]


def _leaf(schema: dict, path: str) -> dict | None:
    node = _node(schema, path.split("."))
    if node is None or node.get("type") not in _PRIMITIVE_KEYS:
        return None
    return node


def _title(kind: str, data: Any, path: str) -> str:
    parts = path.split(".")
    words = []
    for i, part in enumerate(parts):
        if part.isdigit():
            item = _value(data, parts[: i + 1])
            name = item.get("name") if isinstance(item, dict) else None
            words[-1] = f"{words[-1].rstrip('s')} {int(part) + 1}" + (f" ({str(name)[:40]})" if isinstance(name, str) else "")
        else:
            words.append(part.replace("_", " "))
    return ": ".join(words)[:1].upper() + ": ".join(words)[1:]


def form_model(kind: str, data: Any, paths: list[str]) -> type[BaseModel]:
    """A flat form (one primitive field per path, property names = the field paths,
    descriptions from the model) for ``Context.elicit``. Values are validated later,
    with the whole argument: the form itself accepts what the client sends."""
    schema = _schema(kind)
    fields: dict[str, Any] = {}
    for i, path in enumerate(paths):
        node = _leaf(schema, path)
        if node is None:
            continue
        prop = {k: node[k] for k in _PRIMITIVE_KEYS[node["type"]] if k in node}
        if prop.get("format") not in _FORMATS:
            prop.pop("format", None)
        if "description" in prop:  # the form suggests nothing: no example values
            prop["description"] = _NO_EXAMPLE.sub("", prop["description"]).strip()
        prop["title"] = _title(kind, data, path)
        fields[f"f{i}"] = (Annotated[Any, WithJsonSchema(prop)], Field(alias=path))
    return create_model(
        f"{kind.capitalize()}MissingFacts",
        __config__=ConfigDict(extra="ignore", populate_by_name=False),
        **fields,
    )


def message(kind: str, paths: list[str]) -> str:
    what = "home exercise program" if kind == "hep" else "progress note"
    return (
        f"The {what} needs {len(paths)} fact{'s' * (len(paths) != 1)} only you decide: "
        + ", ".join(paths)
        + ". Enter what you decided (nothing is suggested), or decline and answer in the chat."
    )


def merge(data: dict, content: dict[str, Any]) -> dict:
    """``data`` with each answered field path set (a deep copy; ``data`` is untouched)."""
    out = copy.deepcopy(data)
    for path, value in content.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        parts = path.split(".")
        node: Any = out
        for i, part in enumerate(parts[:-1]):
            nxt = parts[i + 1]
            if isinstance(node, list):
                node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
            elif isinstance(node, dict):
                if not isinstance(node.get(part), (dict, list)):
                    node[part] = [] if nxt.isdigit() else {}
                node = node[part]
            if node is None:
                break
        else:
            if isinstance(node, dict):
                node[parts[-1]] = value
    return out


def answers(result: Any) -> dict[str, Any] | None:
    """The accepted form's content keyed by field path, or None (declined, cancelled, not asked)."""
    if getattr(result, "action", None) != "accept":
        return None
    data = getattr(result, "data", None)
    if isinstance(data, BaseModel):
        return data.model_dump(by_alias=True)
    content = getattr(result, "content", None)  # a wire ElicitResult (input_required round)
    return dict(content) if isinstance(content, dict) else None


# -- the MCP flow (SDK imported lazily: only the server calls this) ----------------------

KEY = "hep-mcp/missing-facts"  # the input request's key in an input_required round trip
_NOT_ASKED = object()


async def run_asking(kind: str, data: Any, ctx: Any, run):
    """``run(data)`` in a worker thread. When it fails for missing facts a form may ask
    for and the client can show a form, ask the therapist once and run again with the
    answers merged in (``run`` validates them like any argument). Protocol 2026-07-28:
    the question is an ``InputRequiredResult`` and the answers come with the client's
    retry; earlier protocols: a server-to-client ``elicitation/create`` request. Not
    asked, declined or unanswerable: ``run``'s own error."""
    import anyio

    retried = _retry_round(kind, data, ctx)
    if retried is not _NOT_ASKED:  # the answer to our question: never ask twice
        return await anyio.to_thread.run_sync(run, retried)
    try:
        return await anyio.to_thread.run_sync(run, data)
    except Exception as exc:
        first = exc
    paths = missing_facts(kind, data) if can_elicit(ctx) else []
    if not paths:
        raise first
    form = form_model(kind, data, paths)
    text = message(kind, paths)
    if _modern(ctx):
        from mcp.server.elicitation import render_elicitation_schema
        from mcp.types import ElicitRequest, ElicitRequestFormParams, InputRequiredResult

        params = ElicitRequestFormParams(message=text, requested_schema=render_elicitation_schema(form))
        return InputRequiredResult(input_requests={KEY: ElicitRequest(params=params)})
    try:
        result = await ctx.elicit(text, form)
    except Exception:  # no back-channel, a malformed answer: the clear error stands
        raise first from None
    content = answers(result)
    if not content:
        raise first
    return await anyio.to_thread.run_sync(run, merge(data, content))


def _retry_round(kind: str, data: Any, ctx: Any) -> Any:
    """The arguments with the answers of an input_required retry (only for the fields this
    call would ask for), the arguments unchanged when the therapist declined, or
    ``_NOT_ASKED`` on a first round."""
    try:
        responses = ctx.input_responses
    except Exception:
        return _NOT_ASKED
    if not responses or KEY not in responses or not isinstance(data, dict):
        return _NOT_ASKED
    content = answers(responses[KEY]) or {}
    wanted = set(missing_facts(kind, data))
    return merge(data, {k: v for k, v in content.items() if k in wanted})


_NO_EXAMPLE = re.compile(r",? e\.g\. (?:'[^']{0,300}'|\[[^\]]{0,300}\]|[^.;,)]{0,80})")
_MODERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def can_elicit(ctx: Any) -> bool:
    """The client declared form elicitation and this connection can carry the question."""
    try:
        caps = ctx.client_capabilities
        el = caps.elicitation if caps is not None else None
        if el is None or (el.form is None and el.url is not None):
            return False
        if _modern(ctx):
            return True  # asked through an input_required result: no back-channel needed
        return bool(ctx.session.can_send_request)
    except Exception:  # outside a request, or a transport without a session
        return False


def _modern(ctx: Any) -> bool:
    """Protocol 2026-07-28 or later: questions ride an input_required result."""
    version = getattr(ctx, "protocol_version", None) or ""
    return bool(_MODERN.match(version)) and version >= "2026-07-28"
