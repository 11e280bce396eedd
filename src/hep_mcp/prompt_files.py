"""Prompt templates and bundled folders, shared by the MCP server and ``lint-pack``.

A prompt is a Jinja2 file ``prompts/<name>.md.j2`` whose YAML front matter declares
its name, description and arguments; ``prompts/_*`` files are partials the prompts
include. Templates render in a sandboxed ``StrictUndefined`` environment. This module
does not import the MCP SDK, so ``lint-pack`` stays fast.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hep_mcp.errors import InputError, pydantic_message
from hep_mcp.templating import sandboxed

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)---[ \t]*\r?\n", re.S)
PROMPT_SUFFIX = ".md.j2"
NAME = r"^[a-z][a-z0-9_]*$"


class PromptArg(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    description: str = Field(min_length=1)
    required: bool = False


class PromptSpec(BaseModel):
    """A prompt's front matter."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    title: str | None = None
    description: str = Field(min_length=1, max_length=1024)
    arguments: list[PromptArg] = Field(default_factory=list)


def bundled_dir(name: str) -> Path:
    """A folder shipped with the package (``prompts``, ``skills``).

    In a wheel they live inside the package (``hep_mcp/<name>``); in a source checkout
    (editable install) they are the top-level folders of the repository.
    """
    candidates = [Path(str(resources.files("hep_mcp").joinpath(name))), Path(__file__).resolve().parents[2] / name]
    for path in candidates:
        if path.is_dir():
            return path
    raise InputError(f"{name}/: not found inside the hep_mcp package or beside src/ (broken install?)")


class FrontMatterBlanked(FileSystemLoader):
    """Templates without their front matter, blanked so line numbers stay right."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        m = FRONT_MATTER.match(source)
        if m:
            source = "\n" * m.group(0).count("\n") + source[m.end() :]
        return source, filename, uptodate


@functools.lru_cache(maxsize=8)
def prompt_environment(folder: str) -> ImmutableSandboxedEnvironment:
    return sandboxed(FrontMatterBlanked(folder, encoding="utf-8"), autoescape=False)


def parse_spec(text: str, source: str) -> PromptSpec:
    m = FRONT_MATTER.match(text)
    if not m:
        raise InputError(f"{source}: expected YAML front matter (---, name, description, arguments, ---)")
    try:
        return PromptSpec.model_validate(yaml.safe_load(m.group(1)))
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: invalid YAML front matter ({exc.__class__.__name__})") from None
    except ValidationError as exc:
        raise InputError(f"{source}: {pydantic_message(exc)}") from None


def load_prompts(folder: Path | None = None) -> list[tuple[PromptSpec, str]]:
    """(front matter, file name) for every ``*.md.j2`` file; ``_*`` files are partials."""
    folder = folder or bundled_dir("prompts")
    out = []
    for path in sorted(folder.glob("*" + PROMPT_SUFFIX)):
        if not path.name.startswith("_"):
            out.append((parse_spec(path.read_text(encoding="utf-8"), f"prompts/{path.name}"), path.name))
    return out


def render_prompt(
    spec: PromptSpec, filename: str, folder: Path, arguments: dict[str, Any], context: dict[str, Any] | None = None
) -> str:
    """The prompt's text; every declared argument is passed ("" when left out), and
    ``context`` (values the caller derived from them, e.g. a canonical condition)."""
    known = {a.name for a in spec.arguments}
    unknown = sorted(set(arguments) - known)
    if unknown:
        raise InputError(
            f"{spec.name}: unknown argument {', '.join(unknown)}; expected {', '.join(sorted(known)) or 'none'}"
        )
    values = (context or {}) | {a.name: "" for a in spec.arguments} | {k: str(v) for k, v in arguments.items()}
    return prompt_environment(str(folder)).get_template(filename).render(**values).lstrip("\n")
