"""Layer 3: turn a structured HEP into text for the patient's channel, then check it.

Templates are files (``render/templates/*.j2``), rendered with autoescape for
HTML, ``StrictUndefined`` (a missing variable is an error, never a blank) and a
sandboxed environment: text from the input is data, never template code.
"""

from __future__ import annotations

import functools
import re

from jinja2 import PackageLoader, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hep_mcp.config import Config, default_config, load_data
from hep_mcp.errors import InputError, MissingTherapistInput, pydantic_message
from hep_mcp.model import HEP, Finding, Readability, Report
from hep_mcp.templating import sandboxed

FORMATS = ("print", "html", "sms", "portal", "caregiver")
TEMPLATE_FILES = {
    "print": "print.md.j2",
    "html": "handout.html.j2",
    "sms": "sms.txt.j2",
    "portal": "portal.txt.j2",
    "caregiver": "caregiver.md.j2",
}

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
    messages: list[str] | None = Field(
        default=None, description="sms only: the numbered text messages, in order (text joins them)."
    )

    @property
    def report(self) -> Report:
        return Report(kind="hep", ready=self.ready, readability=self.readability, findings=self.findings)


@functools.lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    env = sandboxed(PackageLoader("hep_mcp.render", "templates"), autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False))
    env.filters["md"] = md_escape
    env.filters["sentence"] = sentence
    env.filters["capfirst"] = capfirst
    return env


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(value: object) -> str:
    """Input text shown literally in Markdown: markup characters are escaped."""
    return MD_SPECIAL.sub(r"\\\1", str(value))


def sentence(value: object) -> str:
    """Ensure a closing full stop."""
    text = str(value).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def capfirst(value: object) -> str:
    """First letter upper-case ("in bed" -> "In bed"); the rest as written."""
    text = str(value)
    return text[:1].upper() + text[1:]


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


def pain_points(hep: HEP, config: Config) -> int:
    """The therapist's number when given, else the clinic's setting (default 2)."""
    rules = hep.response_rules
    if "pain_threshold_points" in rules.model_fields_set:
        return rules.pain_threshold_points
    return config.pain_points


def context(hep: HEP, config: Config) -> dict:
    return {
        "hep": hep,
        "name": hep.patient_first_name,
        "caregiver_name": hep.caregiver_name,
        "exercises": hep.exercises,
        "count_word": _count_word(len(hep.exercises)),
        "pain_points": pain_points(hep, config),
        "red_flags": red_flag_lines(hep),
        "days": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    }


def _count_word(n: int) -> str:
    return {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}.get(n, str(n))


def render(hep: HEP, fmt: str = "print", config: Config | None = None) -> str:
    """The rendered text for a format (for sms: the message source, before splitting)."""
    if not isinstance(fmt, str) or fmt not in TEMPLATE_FILES:
        raise InputError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r:.60}")
    from hep_mcp.render.links import inert_model

    template = environment().get_template(TEMPLATE_FILES[fmt])
    return template.render(**context(inert_model(hep), config or default_config()))


def _contact_findings(hep: HEP, rendered: str, fmt: str, config: Config) -> tuple[list[Finding], Config]:
    """Links, e-mail addresses and phone numbers (LK001-LK003) on the fields as the
    therapist wrote them, naming the field; for html also every href/src the page carries
    that the clinic config does not name. The rendered text is then checked without
    these rules (its other contact lines are the clinic's own and the emergency lines)."""
    from hep_mcp.rules.contacts import RULES, field_findings
    from hep_mcp.rules.engine import _finding, catalog, hit
    from hep_mcp.render.links import html_links, named_by_clinic

    own = field_findings(hep.model_dump(mode="json", exclude_defaults=True), config)
    if fmt == "html" and "LK001" not in config.disable:
        for url in html_links(rendered):
            if not named_by_clinic(url, config.clinic):
                own.append(_finding(catalog()["LK001"], hit(None, field=" in the html page's links", text=url), config))
    rest = config.model_copy(update={"disable": tuple(dict.fromkeys([*config.disable, *RULES.values()]))})
    return own, rest


def generate_hep(data: object, fmt: str = "print", config: Config | None = None, source: str = "hep") -> GeneratedHEP:
    """Render the therapist's HEP for a channel and check what was rendered.

    The rules read what the patient gets: the Markdown or plain text itself; the
    visible text of the HTML page (line for line); for sms, the message text
    (the messages' lines, without their "2/9" counters and the breaks between
    messages), with line numbers pointing into the joined messages.
    """
    from hep_mcp.rules import run

    if not isinstance(fmt, str) or fmt not in TEMPLATE_FILES:
        raise InputError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r:.60}")
    config = config or default_config()
    hep = coerce_hep(data, source)
    rendered = render(hep, fmt, config)
    own, config = _contact_findings(hep, rendered, fmt, config)
    messages = None
    line_map: dict[int, int] | None = None
    if fmt == "sms":
        from hep_mcp.render.sms import split, to_gsm_twins

        checked = to_gsm_twins(rendered)
        sms = split(checked)
        text, messages, line_map = sms.text, sms.messages, sms.line_map
    elif fmt == "html":
        from hep_mcp.render.checkable import html_to_text

        text, checked = rendered, html_to_text(rendered)
    else:
        text = checked = rendered
    extra = {"confidence": hep.confidence, "confidence_change": hep.confidence_change}
    report = run(checked, kind="hep", config=config, condition=hep.condition.value, extra=extra)
    findings = report.findings
    if line_map is not None:
        findings = [f.model_copy(update={"line": line_map.get(f.line)}) if f.line else f for f in findings]
    findings = own + findings
    return GeneratedHEP(
        format=fmt,
        text=text,
        ready=report.ready and not any(f.severity == "error" for f in own),
        readability=report.readability,
        findings=findings,
        messages=messages,
    )
