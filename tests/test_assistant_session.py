"""A recorded assistant session: the SDK client drives the server the way an assistant
does, knowing only what tools/list returned. It builds a HEP and a progress note from the
published schemas (field names, required lists, examples, enums), calls, reads the
findings and errors, fixes them and calls again until ready.

No field name of the HEP, the note or the library appears in this file: the builder walks
the schemas; findings and errors are mapped back to fields by the paths they name. The
"therapist" answers with the schema's examples (the values a therapist would give).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

pytest.importorskip("mcp")

from mcp import Client  # noqa: E402

from hep_mcp.server import build_server  # noqa: E402
from hep_mcp.config import load_config  # noqa: E402

# A clinic that has set up its contact block (the phone goes into every call-the-clinic line).
CLINIC = Path(__file__).resolve().parent.parent / "src" / "hep_mcp" / "examples" / "clinic" / "clinic.yaml"

pytestmark = pytest.mark.anyio
MAX_ROUNDS = 8
ERROR_PATH = re.compile(r"(?:^|; )(?:[a-z_]+: )?([a-z_]+(?:\.[a-z0-9_]+)*): ")
FINDING_FIELD = re.compile(r"\(field ([a-z_.0-9]+)\)")


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


# -- what an assistant does with a JSON Schema --------------------------------------


def value_for(node: dict, everything: bool):
    """A value for a schema node: its example, its first enum value, its default, or an
    object/array built from its parts (required fields only, unless ``everything``)."""
    if "examples" in node:
        return copy.deepcopy(node["examples"][0])
    if "enum" in node:
        return node["enum"][0]
    if "default" in node:
        return copy.deepcopy(node["default"])
    if node.get("type") == "object":
        props = node.get("properties", {})
        names = list(props) if everything else node.get("required", [])
        out = {}
        for name in names:
            v = value_for(props[name], everything)
            if v not in (None, {}, []):
                out[name] = v
        return out
    if node.get("type") == "array":
        item = value_for(node.get("items", {}), everything)
        return [item] if item not in (None, {}) else []
    return None


def node_at(schema: dict, path: list[str]) -> dict:
    for part in path:
        schema = schema["items"] if schema.get("type") == "array" else schema["properties"][part]
    return schema


def object_param(tool) -> tuple[str, dict]:
    """The tool's one object-typed argument (the document it renders)."""
    props = tool.input_schema["properties"]
    return next((k, v) for k, v in props.items() if v.get("type") == "object")


def tool_with(tools: dict, pred):
    return next(t for t in tools.values() if pred(t))


def enum_param(tool) -> str | None:
    return next((k for k, v in tool.input_schema["properties"].items() if "enum" in v), None)


# -- the session ---------------------------------------------------------------------


async def test_an_assistant_builds_a_ready_hep_and_note_from_the_schemas_alone():
    transcript: list[str] = []
    async with Client(build_server(load_config(CLINIC))) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        hep_tool = tools["generate_hep"]
        note_tool = tools["progress_note"]
        library_tool = tools["exercise_library"]

        # ---- the HEP ----
        arg, schema = object_param(hep_tool)
        doc = value_for(schema, everything=False)
        list_field = next(k for k, v in schema["properties"].items() if v.get("type") == "array" and k in doc)
        item_schema = schema["properties"][list_field]["items"]
        # the required field with a closed set of values (the condition; `language` is optional)
        enum_field = next(k for k in schema["required"] if "enum" in schema["properties"][k])
        for _ in range(MAX_ROUNDS):
            r = await c.call_tool(hep_tool.name, {arg: doc})
            assert not r.is_error, r.content[0].text
            result = r.structured_content
            transcript.append(f"{hep_tool.name}: ready={result['ready']} {[f['rule'] for f in result['findings']]}")
            about_list = [f for f in result["findings"] if f["element"] == list_field]
            if result["ready"] and not about_list:
                break
            assert about_list, f"an error the session cannot map: {result['findings']}"
            # Too few items: offer the library's ideas for the condition; the therapist picks
            # the next one and gives the dose (the schema's example).
            lib_arg = next(iter(library_tool.input_schema["properties"]))
            lib = await c.call_tool(library_tool.name, {lib_arg: doc[enum_field]})
            entry_key = next(k for k, v in library_tool.output_schema["properties"].items() if "anyOf" in v)
            entry = lib.structured_content[entry_key]
            ideas = next(v for v in entry.values() if isinstance(v, list) and v and isinstance(v[0], dict))
            taken = [json_key(e) for e in doc[list_field]]
            idea = next(i for i in ideas if json_key(i) not in taken)
            item = {k: v for k, v in idea.items() if k in item_schema["properties"]}
            item = {k: re.sub(r"\{[a-z_]+\}", "in today's session", v) if isinstance(v, str) else v for k, v in item.items()}
            for name in item_schema["required"]:
                item.setdefault(name, value_for(item_schema["properties"][name], False))
            doc[list_field].append(item)
        else:
            pytest.fail("the HEP never became ready:\n" + "\n".join(transcript))
        assert result["ready"] is True
        assert len(doc[list_field]) >= 3 and len(transcript) >= 2

        # ---- the progress note ----
        arg, schema = object_param(note_tool)
        doc = value_for(schema, everything=False)
        for _ in range(MAX_ROUNDS):
            r = await c.call_tool(note_tool.name, {arg: doc})
            text = r.content[0].text
            if r.is_error:  # an input error names field paths: fix each named field
                transcript.append(f"{note_tool.name}: error {text[:120]}")
                paths = [p.split(".") for p in ERROR_PATH.findall(text)]
                assert paths, f"an error without a field path: {text}"
                for path in paths:
                    drop_named_optional(doc, schema, path, text)
                continue
            result = r.structured_content
            transcript.append(f"{note_tool.name}: ready={result['ready']} {[f['rule'] for f in result['findings']]}")
            if result["ready"]:
                break
            fields = {m for f in result["findings"] if f["severity"] == "error" for m in FINDING_FIELD.findall(f["message"])}
            assert fields, f"error findings without a field path: {result['findings']}"
            for field in sorted(fields):
                doc[field] = value_for(node_at(schema, field.split(".")), everything=True)
        else:
            pytest.fail("the note never became ready:\n" + "\n".join(transcript))
        assert result["ready"] is True, "\n".join(transcript)
        print("\n".join(transcript))


def json_key(item: dict) -> str:
    return str(sorted((k, v) for k, v in item.items() if isinstance(v, str))[:1])


def drop_named_optional(doc: dict, schema: dict, path: list[str], message: str) -> None:
    """An input error at an object the session filled with optional fields: leave out the
    last optional field the message names (the assistant's "one or the other" fix)."""
    node, holder = schema, doc
    for part in path:
        if node.get("type") == "array":
            node, holder = node["items"], holder[int(part)]
        elif part in node.get("properties", {}):
            node, holder = node["properties"][part], holder.get(part) if isinstance(holder, dict) else None
        else:
            break
    if not isinstance(holder, dict) or node.get("type") != "object":
        raise AssertionError(f"cannot map the error to a field: {message}")
    optional = [k for k in holder if k not in node.get("required", [])]
    named = [k for k in optional if re.search(rf"\b{re.escape(k)}\b", message)]
    assert named, f"the error names no optional field of {'.'.join(path)}: {message}"
    holder.pop(named[-1])
