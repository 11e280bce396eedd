"""Layer 3: turn a structured HEP into text for the patient's channel, then check it.

Templates are files (``render/templates/*.j2``), rendered with autoescape for
HTML, ``StrictUndefined`` (a missing variable is an error, never a blank) and a
sandboxed environment: text from the input is data, never template code.
"""

from __future__ import annotations

import functools
import re

from jinja2 import PackageLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hep_mcp.config import Config, default_config, load_data
from hep_mcp.errors import InputError, MissingTherapistInput, pydantic_message
from hep_mcp.model import HEP, Finding, Readability, Report

FORMATS = ("print",)
TEMPLATE_FILES = {"print": "print.md.j2"}

# Fields the therapist decides; the tool never fills them in.
THERAPIST_FIELDS = ("exercises", "schedule", "milestone", "feedback")


class GeneratedHEP(BaseModel):
    """The rendered HEP with the rule engine's verdict on the rendered text."""

    model_config = ConfigDict(extra="forbid")

    format: str
    text: str
    ready: bool
    readability: Readability | None = None
    findings: list[Finding] = Field(default_factory=list)

    @property
    def report(self) -> Report:
        return Report(kind="hep", ready=self.ready, readability=self.readability, findings=self.findings)


@functools.lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=PackageLoader("hep_mcp.render", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md_escape
    env.filters["sentence"] = sentence
    return env


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(value: object) -> str:
    """Input text shown literally in Markdown: markup characters are escaped."""
    return MD_SPECIAL.sub(r"\\\1", str(value))


def sentence(value: object) -> str:
    """Ensure a closing full stop."""
    text = str(value).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def coerce_hep(data: object, source: str = "hep") -> HEP:
    if isinstance(data, HEP):
        return data
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping with the HEP fields, got {type(data).__name__}")
    missing = [f for f in THERAPIST_FIELDS if not data.get(f)]
    if missing:
        raise MissingTherapistInput(missing)
    try:
        return HEP.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: {pydantic_message(exc)}") from None


def red_flag_lines(hep: HEP) -> list[str]:
    data = load_data("red_flags.yaml")
    own = list(hep.response_rules.red_flags)
    flags = own or list(data["conditions"].get(hep.condition.value, []))
    return [data["emergency"], *flags]


def context(hep: HEP, config: Config) -> dict:
    return {
        "hep": hep,
        "name": hep.patient_first_name,
        "exercises": hep.exercises,
        "count_word": _count_word(len(hep.exercises)),
        "pain_points": hep.response_rules.pain_threshold_points,
        "red_flags": red_flag_lines(hep),
        "days": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    }


def _count_word(n: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}.get(n, str(n))


def render(hep: HEP, fmt: str = "print", config: Config | None = None) -> str:
    if fmt not in TEMPLATE_FILES:
        raise InputError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    template = environment().get_template(TEMPLATE_FILES[fmt])
    return template.render(**context(hep, config or default_config()))


def generate_hep(data: object, fmt: str = "print", config: Config | None = None, source: str = "hep") -> GeneratedHEP:
    """Render the therapist's HEP for a channel and check what was rendered."""
    from hep_mcp.rules import run

    config = config or default_config()
    hep = coerce_hep(data, source)
    text = render(hep, fmt, config)
    report = run(text, kind="hep", config=config, condition=hep.condition.value)
    return GeneratedHEP(
        format=fmt, text=text, ready=report.ready, readability=report.readability, findings=report.findings
    )
