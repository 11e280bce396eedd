"""Layer 3: turn a structured HEP into text for the patient's channel, then check it.

Templates are files (``render/templates/*.j2``), rendered with autoescape for
HTML, ``StrictUndefined`` (a missing variable is an error, never a blank) and a
sandboxed environment: text from the input is data, never template code.
"""

from __future__ import annotations

import functools
import re

from jinja2 import PackageLoader, pass_context, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hep_mcp import lang

from hep_mcp.config import Config, default_config, load_data
from hep_mcp.errors import InputError, MissingTherapistInput, pydantic_message
from hep_mcp.model import HEP, Finding, Readability, Report
from hep_mcp.templating import sandboxed

FORMATS = ("print", "html", "html_large", "sms", "portal", "caregiver", "caregiver_html")  # what the patient reads
EXPORT_FORMATS = ("fhir",)  # for the EHR: a FHIR R4 Bundle (hep_mcp.render.fhir)
ALL_FORMATS = FORMATS + EXPORT_FORMATS
TEMPLATE_FILES = {
    "print": "print.md.j2",
    "html": "handout.html.j2",
    "html_large": "handout.html.j2",
    "sms": "sms_plan.txt.j2",
    "portal": "portal.txt.j2",
    "caregiver": "caregiver.md.j2",
    "caregiver_html": "caregiver.html.j2",
}
HTML_FORMATS = ("html", "html_large", "caregiver_html")
# Body text size of the printed html formats, in points (day labels and small print never below 11).
BODY_PT = {"html": 14, "html_large": 16, "caregiver_html": 14}

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
        default=None,
        description="sms only: the plan, as numbered text messages in order (at most 3 when it fits its budget).",
    )
    warning_messages: list[str] | None = Field(
        default=None, description="sms only: the warning-signs message(s), sent with the plan (who to call)."
    )
    reminder: str | None = Field(default=None, description="sms only: the daily reminder, one text message.")

    @property
    def report(self) -> Report:
        return Report(kind="hep", ready=self.ready, readability=self.readability, findings=self.findings)


@functools.lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    env = sandboxed(PackageLoader("hep_mcp.render", "templates"), autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False))
    env.filters["md"] = md_escape
    env.filters["sentence"] = sentence
    env.filters["capfirst"] = capfirst
    env.globals["tr"] = tr
    return env


@functools.lru_cache(maxsize=None)
def strings(language: str = lang.DEFAULT) -> dict:
    """The fixed text of the formats in one language (lang/<code>/strings.yaml)."""
    return lang.part(language, "strings")


def lookup(table: dict, key: str, n: int | None = None) -> str:
    """A pack string by dotted key ("caregiver.title"); a {one, many} value picks by ``n``."""
    value: object = table
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"strings.yaml has no {key!r}")
        value = value[part]
    if isinstance(value, dict):
        value = value["one" if n == 1 else "many"]
    return str(value)


@pass_context
def tr(ctx, key: str, n: int | None = None, **fields: object) -> str:
    """A template's fixed text from the language pack, with the fields (and ``n``) filled in. In HTML the
    pack's text is trusted and the fields are escaped (markupsafe); in Markdown the
    template escapes the fields it passes (``|md``)."""
    text = lookup(ctx["strings"], key, n)
    if n is not None:
        fields["n"] = n
    if ctx.eval_ctx.autoescape:
        # the pack's text is trusted; each field is escaped before it goes in
        return Markup(text.format(**{k: escape(v) for k, v in fields.items()}) if fields else text)
    return text.format(**fields) if fields else text


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
        raise InputError(f"{source}: {pydantic_message(exc, model=HEP)}") from None


def red_flag_lines(hep: HEP) -> list[str]:
    """The universal 911 line first, then the therapist's own red flags, or the
    condition's (emergency, then today, then stop)."""
    from hep_mcp.rules import conditions as C

    own = list(hep.response_rules.red_flags)
    flags = own or [f["text"] for f in C.condition_flags(hep.condition.value, hep.language)]
    return [C.wording(hep.language)["emergency"], *flags]


def red_flags_by_urgency(hep: HEP) -> dict[str, list[str]]:
    """The same lines by urgency: emergency (call 911 now), today, stop."""
    from hep_mcp.rules import conditions as C

    out: dict[str, list[str]] = {u: [] for u in C.URGENCIES}
    out["emergency"].append(C.wording(hep.language)["emergency"])
    own = list(hep.response_rules.red_flags)
    if own:
        for text in own:
            out[C.urgency_of(text, hep.language)].append(text)
    else:
        for f in C.condition_flags(hep.condition.value, hep.language):
            out[f["urgency"]].append(f["text"])
    return out


def effective(hep: HEP) -> HEP:
    """The HEP as the patient gets it: where the therapist kept the default "something
    feels different" wording, the condition's wording, which never sends an emergency
    sign (new weakness after a stroke...) to the clinic; in a language other than English,
    the pack's defaults for the wording the product owns (missed day, accountability)."""
    from hep_mcp.rules import conditions as C

    rules = hep.response_rules
    own_rules: dict[str, str] = {}
    own: dict[str, object] = {}
    if hep.language != lang.DEFAULT:  # the model's defaults are the English pack's
        defaults = strings(hep.language)["defaults"]
        for field, key in (("missed_day", "missed_day"), ("feels_different", "feels_different")):
            if field not in rules.model_fields_set:
                own_rules[field] = defaults[key]
        if "accountability_line" not in hep.model_fields_set:
            own["accountability_line"] = defaults["accountability"]
    if "feels_different" not in rules.model_fields_set:
        text = C.feels_different_default(hep.condition.value, list(rules.red_flags), hep.language)
        if text is not None:
            own_rules["feels_different"] = text
    if own_rules:
        own["response_rules"] = rules.model_copy(update=own_rules)
    return hep.model_copy(update=own) if own else hep


def pain_points(hep: HEP, config: Config) -> int:
    """The therapist's number when given, else the clinic's setting (default 2)."""
    rules = hep.response_rules
    if "pain_threshold_points" in rules.model_fields_set:
        return rules.pain_threshold_points
    return config.pain_points


@functools.lru_cache(maxsize=None)
def _wording(language: str = lang.DEFAULT) -> dict:
    """The compiled language-specific settings of the formats (lang/<code>/strings.yaml)."""
    s = strings(language)
    phone = s["clinic_phone"]
    return {
        "sessions": [(re.compile(e["match"], re.IGNORECASE), tuple(e["labels"])) for e in s["sessions"]],
        "insert_after": re.compile(phone["insert_after"], re.IGNORECASE),
        "insert_after_sms": re.compile(phone["insert_after_sms"], re.IGNORECASE),
        "at": phone["at"],
        "pain_scale": tuple((int(n), str(w)) for n, w in s["pain_scale"]),
    }


@functools.lru_cache(maxsize=1)
def _outputs() -> dict:
    data = load_data("outputs.yaml")
    return {
        "question_lines": int(data["question_lines"]),
        "sms_budget": dict(data["sms_budget"]),
        "sms_budget_by_language": {k: dict(v) for k, v in (data.get("sms_budget_by_language") or {}).items()},
        "sms_checks": data["sms_checks"],
        "html_skip": tuple(data["html_skip"]),
    }


def sessions(hep: HEP) -> tuple[str, ...]:
    """The tick rows: one per session in a day ("every morning and every evening" -> two)."""
    text = f"{hep.schedule.when} {hep.schedule.amount}"
    for pattern, labels in _wording(hep.language)["sessions"]:
        if pattern.search(text):
            return labels[:4]
    return ("",)


def with_clinic_phone(text: str, config: Config, sms: bool = False, language: str = lang.DEFAULT) -> str:
    """Every "call the clinic" line carries the clinic's number when the config has one."""
    phone = config.clinic.phone
    if not phone:
        return text
    w = _wording(language)
    at = w["at"].format(phone=phone)
    return w["insert_after_sms" if sms else "insert_after"].sub(lambda m: m.group(0) + at, text)


def clinic_lines(config: Config, language: str = lang.DEFAULT) -> list[tuple[str, str]]:
    """The clinic's contact block as (label, value) pairs, in the order a patient needs them."""
    c = config.clinic
    label = strings(language)["clinic_labels"]
    rows = [
        (label["phone"], c.phone),
        (label["after_hours"], c.after_hours_phone),
        (label["text_line"], c.text_line),
        (label["portal"], " ".join(x for x in (c.portal_name, f"({c.portal_url})" if c.portal_url and c.portal_name else c.portal_url) if x) or None),
        (label["app"], c.app_name),
        (label["email"], c.email),
        (label["hours"], c.hours_in.get(language, c.hours)),
    ]
    return [(label, value) for label, value in rows if value]


def contact_words(config: Config, language: str = lang.DEFAULT) -> int:
    """Words of the clinic's contact block (its name and label: value lines)."""
    rows = clinic_lines(config, language)
    name = config.clinic.name or ""
    return len(name.split()) + sum(len(f"{label}: {value}".split()) for label, value in rows)


def picture_uris(hep: HEP, config: Config) -> list[str | None]:
    from hep_mcp.render.images import data_uri

    return [data_uri(ex.image, config.library_dirs, i) if ex.image else None for i, ex in enumerate(hep.exercises)]


def context(hep: HEP, config: Config, fmt: str = "print") -> dict:
    hep = effective(hep)
    by_urgency = red_flags_by_urgency(hep)
    rules = hep.response_rules
    phone = functools.partial(with_clinic_phone, config=config, sms=fmt == "sms", language=hep.language)
    out = _outputs()
    s = strings(hep.language)
    n = len(hep.exercises)
    word = s["numbers"].get(n, str(n))
    return {
        "hep": hep,
        "fmt": fmt,
        "language": hep.language,
        "strings": s,
        # the caregiver formats speak of the patient as the caregiver does ("Help Mom ...")
        "name": (hep.caregiver_calls_patient or hep.patient_first_name) if fmt.startswith("caregiver") else hep.patient_first_name,
        "caregiver_name": hep.caregiver_name,
        "therapist_name": hep.therapist_name,
        "exercises": hep.exercises,
        "count_word": word,
        "count_exercises": lookup(s, "count", n).format(word=word),
        "pain_points": pain_points(hep, config),
        "red_flags": [phone(line) for line in red_flag_lines(hep)],
        "emergency_flags": by_urgency["emergency"],
        "today_flags": [phone(line) for line in by_urgency["today"]],
        "stop_flags": [phone(line) for line in by_urgency["stop"]],
        "precautions": [phone(p) for p in hep.precautions],
        "missed_day": phone(rules.missed_day),
        "feels_different": phone(rules.feels_different),
        "problem": phone(hep.feedback.problem),
        "changes": list(hep.changes),
        "clinic": config.clinic,
        "clinic_lines": clinic_lines(config, hep.language),
        "sessions": sessions(hep),
        "pain_scale": _wording(hep.language)["pain_scale"],
        "question_lines": out["question_lines"],
        "body_pt": BODY_PT.get(fmt, 14),
        "images": picture_uris(hep, config) if fmt in HTML_FORMATS else [None] * len(hep.exercises),
        "days": tuple(s["days"]),
    }


def _check_format(fmt: object) -> None:
    if not isinstance(fmt, str) or fmt not in TEMPLATE_FILES:
        raise InputError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r:.60}")


SMS_PARTS = ("plan", "warning", "reminder")


def _sms_sources(hep: HEP, config: Config) -> dict[str, str]:
    """The three message sources, each at the fullest wording that fits its budget.

    The plan drops the place, then the pointer to the full plan, then the name, then the
    routine anchor before it goes over 3 messages; the reminder drops the anchor, then
    the name, then the log line, to stay one message (the templates say which is which).
    What still does not fit is sent whole and reported (FM005), never cut.
    """
    from hep_mcp.render.links import inert_model
    from hep_mcp.render.sms import at_least, is_gsm7, split, to_gsm_twins

    hep = inert_model(hep)
    env = environment()
    ctx = context(hep, config, "sms")
    budget = sms_budget(hep.language)
    name = to_gsm_twins(hep.patient_first_name)
    out = {}
    log_in_plan = False
    # the reminder first: when even it cannot carry the log line (a 70-character message in
    # Spanish), the plan carries it, so the set still says how to log "did it today"
    for part, tiers in (("reminder", (0, 1, 2, 3)), ("plan", (0, 1, 2, 3, 4)), ("warning", (0,))):
        template = env.get_template(f"sms_{part}.txt.j2")
        for tier in tiers:
            # a name outside GSM-7 costs 70-character messages, unless the rest needs them anyway
            # (Spanish: á, í, ó, ú): then the greeting keeps it
            name_gsm = is_gsm7(name) or not is_gsm7(
                to_gsm_twins(template.render(**ctx, tier=tier, name_gsm=True, log_in_plan=log_in_plan)).replace(name, "")
            )
            source = to_gsm_twins(template.render(**ctx, tier=tier, name_gsm=name_gsm, log_in_plan=log_in_plan))
            if part not in budget or tier == tiers[-1]:
                break
            if at_least(source) <= budget[part] and len(split(source).messages) <= budget[part]:
                break
        out[part] = source
        if part == "reminder":
            log_in_plan = hep.language != lang.DEFAULT and to_gsm_twins(sentence(hep.feedback.log)) not in source
    return {part: out[part] for part in SMS_PARTS}


def sms_budget(language: str = lang.DEFAULT) -> dict[str, int]:
    """Messages allowed for the plan, the warning signs and the reminder, in a language
    (outputs.yaml: sms_budget, or sms_budget_by_language for one whose text needs UCS-2)."""
    out = _outputs()
    return out["sms_budget_by_language"].get(language, out["sms_budget"])


def render(hep: HEP, fmt: str = "print", config: Config | None = None) -> str:
    """The rendered text for a format (for sms: the three message sources, before splitting)."""
    _check_format(fmt)
    config = config or default_config()
    if fmt == "sms":
        return "\n\n".join(_sms_sources(hep, config).values())
    from hep_mcp.render.links import inert_model

    template = environment().get_template(TEMPLATE_FILES[fmt])
    return template.render(**context(inert_model(hep), config, fmt))


def _contact_findings(hep: HEP, rendered: str, fmt: str, config: Config) -> tuple[list[Finding], Config]:
    """Links, e-mail addresses and phone numbers (LK001-LK003) on the fields as the
    therapist wrote them, naming the field; for html also every href/src the page carries
    that the clinic config does not name. The rendered text is then checked without
    these rules (its other contact lines are the clinic's own and the emergency lines)."""
    from hep_mcp.rules.contacts import RULES, field_findings
    from hep_mcp.rules.engine import _finding, catalog, hit
    from hep_mcp.render.links import html_links, named_by_clinic

    own = field_findings(hep.model_dump(mode="json", exclude_defaults=True), config)
    if fmt in HTML_FORMATS and "LK001" not in config.disable:
        embedded = {uri for uri in picture_uris(hep, config) if uri}  # the clinic's own pictures, inline
        for url in html_links(rendered):
            if url not in embedded and not named_by_clinic(url, config.clinic):
                own.append(_finding(catalog()["LK001"], hit(None, field=" in the html page's links", text=url), config))
    rest = config.model_copy(update={"disable": tuple(dict.fromkeys([*config.disable, *RULES.values()]))})
    return own, rest


def _sms_scope() -> tuple[set[str], set[str]]:
    """(rules read on the sms set, rules read on the full plan) among the HEP rules."""
    from hep_mcp.rules.engine import rules_for

    checks = _outputs()["sms_checks"]
    on_sms, on_plan = set(), set()
    for spec in rules_for("hep"):
        if spec.id in checks["skip"]:
            continue
        if spec.element in checks["elements"] or spec.id in checks["rules"]:
            on_sms.add(spec.id)
        else:
            on_plan.add(spec.id)
    return on_sms, on_plan


def _generate_sms(hep: HEP, config: Config) -> GeneratedHEP:
    from hep_mcp.render.sms import split
    from hep_mcp.rules import run

    sources = _sms_sources(hep, config)
    own, config = _contact_findings(hep, "", "sms", config)
    series = {part: split(src, number_one=False) for part, src in sources.items()}
    text = "\n".join(series[p].text for p in SMS_PARTS)
    # the rules read the message sources, joined; finding lines point into `text`
    checked_parts, line_map, src_offset, text_offset = [], {}, 0, 0
    for part in SMS_PARTS:
        src, sms = sources[part], series[part]
        checked_parts.append(src)
        for src_line, text_line in sms.line_map.items():
            line_map[src_line + src_offset] = text_line + text_offset
        src_offset += src.count("\n") + 2
        text_offset += sms.text.count("\n") + 1
    checked = "\n\n".join(checked_parts)
    on_sms, on_plan = _sms_scope()
    counts = {part: len(series[part].messages) for part in SMS_PARTS}
    extra = {
        "confidence": hep.confidence,
        "confidence_change": hep.confidence_change,
        "rendered": True,
        "sms_counts": counts,
        "sms_budget": sms_budget(hep.language),
        "red_flags": list(hep.response_rules.red_flags),
    }
    report = run(
        checked, kind="hep", config=config, condition=hep.condition.value, only=on_sms, extra=extra,
        language=hep.language,
    )
    findings = [
        f.model_copy(update={"line": line_map.get(f.line)}) if f.line else f
        for f in _with_fields(report.findings, checked, hep, config, sms=True)
    ]
    portal = render(hep, "portal", config)
    full = run(
        portal, kind="hep", config=config, condition=hep.condition.value, only=on_plan, language=hep.language,
        extra={**extra, "sms_counts": {}, "contact_words": contact_words(config, hep.language)},
    )
    findings += [
        f.model_copy(update={"line": None, "message": f"{f.message} (in the full plan)"})
        for f in _with_fields(full.findings, portal, hep, config)
    ]
    findings = own + findings
    findings.sort(key=lambda f: (f.line or 10**9, f.rule, f.message))
    return GeneratedHEP(
        format="sms",
        text=text,
        ready=not any(f.severity == "error" for f in findings),
        readability=report.readability,
        findings=findings,
        messages=series["plan"].messages,
        warning_messages=series["warning"].messages,
        reminder="\n".join(series["reminder"].messages),
    )


def _with_fields(findings: list[Finding], checked: str, hep: HEP, config: Config, sms: bool = False) -> list[Finding]:
    """The findings with the input field each one is about (render/fields.py)."""
    from hep_mcp.render.fields import attach, field_texts

    if not findings:
        return findings
    texts = field_texts(hep, config, sms=sms)
    if sms:
        from hep_mcp.render.sms import to_gsm_twins

        texts += [(path, to_gsm_twins(text)) for path, text in texts]
    return attach(findings, checked.split("\n"), texts)


def generate_hep(
    data: object, fmt: str = "print", config: Config | None = None, source: str = "hep", patient: str | None = None
) -> GeneratedHEP:
    """Render the therapist's HEP for a channel and check what was rendered.

    The rules read what the patient gets: the Markdown or plain text itself; the
    visible text of the HTML page (line for line); for sms, the message text of the
    plan, warning-signs and reminder messages (their lines, without the "2/3"
    counters), with line numbers pointing into the joined messages, while the parts
    of the six elements that go out in the full plan are checked on the portal text.
    """
    from hep_mcp.rules import run

    if not isinstance(fmt, str) or fmt not in ALL_FORMATS:
        raise InputError(f"format: expected one of {', '.join(ALL_FORMATS)}, got {fmt!r:.60}")
    config = config or default_config()
    hep = coerce_hep(data, source)
    if fmt == "fhir":  # a FHIR R4 Bundle; the rules read the print handout it carries (hep_mcp.render.fhir)
        from hep_mcp.render.fhir import hep_bundle_json

        bundle = hep_bundle_json(hep, config, patient)
        result = generate_hep(hep, "print", config, source)
        return result.model_copy(update={"format": "fhir", "text": bundle})
    if fmt == "sms":
        return _generate_sms(hep, config)
    rendered = render(hep, fmt, config)
    own, config = _contact_findings(hep, rendered, fmt, config)
    if fmt in HTML_FORMATS:
        from hep_mcp.render.checkable import html_to_text

        text, checked = rendered, html_to_text(rendered)
    else:
        text = checked = rendered
    extra = {"confidence": hep.confidence, "confidence_change": hep.confidence_change, "rendered": True,
             "red_flags": list(hep.response_rules.red_flags), "contact_words": contact_words(config, hep.language)}
    only = None
    if fmt in HTML_FORMATS:  # a two-page layout is by design; the print test measures the page
        from hep_mcp.rules.engine import rules_for

        skip = set(_outputs()["html_skip"])
        only = [spec.id for spec in rules_for("hep") if spec.id not in skip]
    report = run(
        checked, kind="hep", config=config, condition=hep.condition.value, only=only, extra=extra,
        language=hep.language,
    )
    findings = own + _with_fields(report.findings, checked, hep, config)
    return GeneratedHEP(
        format=fmt,
        text=text,
        ready=report.ready and not any(f.severity == "error" for f in own),
        readability=report.readability,
        findings=findings,
    )
