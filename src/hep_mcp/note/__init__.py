"""Layer 3: progress notes. Render a structured progress report, then check it.

``progress_note(data, fmt, config, source)`` validates the therapist's input
(``hep_mcp.model.note.ProgressNote``), computes what can be computed (change
against baseline in the measure's direction, from the therapist or the outcome-measure
catalog (``rules/data/measures.yaml``); improved / declined / no meaningful change against
the MCID; HEP adherence figures from
counts or the channel's log), renders a template file (``note/templates``) in a
sandboxed ``StrictUndefined`` environment and runs the note rules on the
rendered text, with the structured facts passed to the rules.
"""

from __future__ import annotations

import functools

from jinja2 import PackageLoader
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hep_mcp.config import Config, default_config
from hep_mcp.errors import InputError, pydantic_message
from hep_mcp.model import Finding, Report
from hep_mcp.model.note import Measure, ProgressNote
from hep_mcp.note.adherence import AdherenceFigures, figures
from hep_mcp.rules.measures import Resolved, resolve
from hep_mcp.templating import sandboxed

FORMATS = ("markdown", "text", "fhir")
TEMPLATE_FILES = {"markdown": "note.md.j2", "text": "note.txt.j2"}
STATUS_WORDS = {"met": "Met", "progressing": "Progressing", "not_met": "Not met", "revised": "Revised"}


class NoteResult(BaseModel):
    """The rendered progress report, its adherence figures and the rules' verdict."""

    model_config = ConfigDict(extra="forbid")

    format: str
    text: str
    ready: bool
    findings: list[Finding] = Field(default_factory=list)
    adherence: AdherenceFigures | None = Field(default=None, description="Computed from the input; None if not given.")

    @property
    def report(self) -> Report:
        return Report(kind="note", ready=self.ready, readability=None, findings=self.findings)


@functools.lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    from hep_mcp.render import md_escape, sentence

    env = sandboxed(PackageLoader("hep_mcp.note", "templates"), autoescape=False)
    env.filters["md"] = md_escape
    env.filters["sentence"] = sentence
    env.filters["num"] = num
    return env


def num(value: float | int | None) -> str:
    """A number as a clinician writes it: 105, 12.5, never 105.0 or 1e2."""
    if value is None:
        return "-"
    if float(value) == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def signed(value: float) -> str:
    text = num(abs(value))
    return f"+{text}" if value > 0 else (f"-{text}" if value < 0 else "0")


def judge(r: Resolved, m: Measure) -> tuple[float, str, bool | None]:
    """(improvement, verdict word, MCID met) for baseline to current."""
    gain = r.gain(m.baseline, m.current)
    if gain == 0:
        return gain, "no change", None if r.mcid is None else False
    if r.mcid is None:
        return gain, "improved" if gain > 0 else "declined", None
    if gain >= r.mcid:
        return gain, "improved", True
    if -gain >= r.mcid:
        return gain, "declined", False
    return gain, "no meaningful change", False


def measure_row(m: Measure, r: Resolved) -> dict:
    """Change against baseline in the measure's direction, judged against the MCID when one is known."""
    delta = m.current - m.baseline
    gain, verdict, met = judge(r, m)
    if r.mcid is None:
        mcid = "none applied (unit not given)" if r.no_mcid == "unit not given" else "none known"
    else:
        cite = f" ({r.cite})" if r.mcid_from == "catalog" and r.cite else ""
        outcome = "met" if met else ("decline beyond the MCID" if -gain >= r.mcid else "not met")
        mcid = f"{num(r.mcid)}{cite}: {outcome}"
    unit = f" {m.unit}" if m.unit else ""
    return {
        "m": m,
        "unit": unit,
        "label": f"{m.name} ({m.unit})" if m.unit else m.name,
        "change": signed(delta),
        "verdict": verdict,
        "mcid": mcid,
        "mcid_met": met,
        "direction": r.direction_words,
        "catalog": r.entry.name if r.entry else None,
    }


def resolved(note: ProgressNote, source: str = "note") -> list[Resolved]:
    """Each measure's direction and MCID (therapist's, else the catalog's); InputError naming the field otherwise."""
    return [resolve(m, i, source) for i, m in enumerate(note.measures)]


def coerce_note(data: object, source: str = "note") -> ProgressNote:
    if isinstance(data, ProgressNote):
        return data
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping with the progress note fields, got {type(data).__name__}")
    try:
        return ProgressNote.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: {pydantic_message(exc, model=ProgressNote)}") from None


def context(note: ProgressNote, fig: AdherenceFigures | None, source: str = "note", clinic=None) -> dict:
    rows = {m.name.lower(): measure_row(m, r) for m, r in zip(note.measures, resolved(note, source))}
    goals = []
    for i, g in enumerate(note.goals, start=1):
        m = note.measure(g.measure)
        goals.append({"n": i, "g": g, "status": STATUS_WORDS[g.status], "m": m, "row": rows[m.name.lower()] if m else None})
    return {
        "note": note,
        "period": note.period,
        "days": note.period.days_covered if note.period else None,
        "measures": list(rows.values()),
        "goals": goals,
        "terms": any(g.term for g in note.goals),
        "adh": note.adherence,
        "fig": fig,
        "missed_dates": ", ".join(d.isoformat() for d in fig.missed_dates) if fig else "",
        "clinic": clinic,
    }


def render(
    note: ProgressNote, fmt: str = "markdown", source: str = "note", clinic=None
) -> tuple[str, AdherenceFigures | None]:
    if not isinstance(fmt, str) or fmt not in TEMPLATE_FILES:
        raise InputError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r:.60}")
    fig = figures(note.adherence, note.period, source)
    ctx = context(note, fig, source, clinic)
    template = environment().get_template(TEMPLATE_FILES[fmt])
    return template.render(**ctx), fig


def facts(note: ProgressNote, fig: AdherenceFigures | None) -> dict:
    """Structured facts the note rules use instead of guessing from the text."""
    a = note.adherence
    return {
        "structured": True,
        "treatment_days": note.period.days_covered if note.period else None,
        "unmeasured_goals": [g.text for g in note.goals if g.measure is None],
        "has_adherence": a is not None,
        "adherence": fig.model_dump(mode="json") if fig else None,
        "plan_missing": [k for k in ("frequency", "duration") if note.plan and getattr(note.plan, k) is None],
        "barriers": list(a.barriers) if a else [],
        "hep_change": a.change if a else None,
    }


def progress_note(
    data: object, fmt: str = "markdown", config: Config | None = None, source: str = "note", patient: str | None = None
) -> NoteResult:
    """Render the therapist's progress report and check what was rendered.

    ``fhir``: a FHIR R4 Bundle (``hep_mcp.note.fhir``) carrying the plain-text report, which
    is what the rules check."""
    from hep_mcp.rules import run

    config = config or default_config()
    if fmt == "fhir":
        from hep_mcp.note.fhir import note_bundle_json
        from hep_mcp.render.fhir import check_patient_ref

        check_patient_ref(patient)
        result = progress_note(data, "text", config, source)
        bundle = note_bundle_json(coerce_note(data, source), result.text, patient, source)
        return result.model_copy(update={"format": "fhir", "text": bundle})
    note = coerce_note(data, source)
    text, fig = render(note, fmt, source, clinic=config.clinic)
    report = run(text, kind="note", config=config, extra={"note": facts(note, fig)})
    findings = with_field_paths(report.findings, note)
    return NoteResult(format=fmt, text=text, ready=report.ready, findings=findings, adherence=fig)


# The input field that supplies each note element: a finding about a missing element
# names it, so the assistant knows what to ask for and where it goes.
ELEMENT_FIELDS = {
    "period": "period",
    "subjective": "subjective",
    "objective": "measures",
    "goals": "goals",
    "assessment": "assessment",
    "skilled_need": "skilled_need",
    "plan": "plan",
    "adherence": "adherence",
    "signature": "therapist",
}


def with_field_paths(findings: list[Finding], note: ProgressNote) -> list[Finding]:
    """Each finding names the input field of its element (``field``); one about an
    element whose input field is empty also ends its message with that field's path."""
    out = []
    for f in findings:
        field = ELEMENT_FIELDS.get(f.element)
        if field and not getattr(note, field, None) and f"field {field}" not in f.message:
            head, sep, rest = f.message.partition("\n")
            f = f.model_copy(update={"message": f"{head} (field {field}){sep}{rest}"})
        if field and f.field is None:
            f = f.model_copy(update={"field": field})
        out.append(f)
    return out


__all__ = ["FORMATS", "NoteResult", "coerce_note", "environment", "progress_note", "render"]
