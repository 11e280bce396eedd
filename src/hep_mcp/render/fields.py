"""Which input field of a structured HEP a finding is about.

The rules read the rendered handout, so their findings carry rendered line numbers.
For a HEP given as YAML or JSON the therapist fixes a field, not a line: each finding
gets ``field`` (``exercises[0].description``, ``schedule.trigger``,
``response_rules.red_flags``), from the field whose words are on the finding's line,
else from the rule or element it belongs to (``rules/data/finding_fields.yaml``).

Linear: each finding's line is compared once with each field's text.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

from hep_mcp.config import Config, load_data
from hep_mcp.model import HEP, Finding

_ESCAPED = re.compile(r"\\([\\`*_\[\]<>|#])")
_MARKUP = re.compile(r"[*_`#|>]+")
_SPACE = re.compile(r"\s+")
_QUOTED = re.compile(r"\"([^\"\n]{3,200})\"|“([^”\n]{3,200})”|'([^'\n]{3,200})'")
_TWINS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def _norm(text: str) -> str:
    """Text as it can be compared between a field and a rendered line: markup, escapes,
    case, curly quotes and runs of spaces do not count; a closing full stop neither."""
    t = _ESCAPED.sub(r"\1", str(text)).translate(_TWINS)
    t = _MARKUP.sub(" ", t)
    t = _SPACE.sub(" ", t).strip().lower()
    return t.rstrip(".!?…").rstrip()


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    return load_data("finding_fields.yaml")


def field_texts(hep: HEP, config: Config | None = None, sms: bool = False) -> list[tuple[str, str]]:
    """(path, text) for every text field the handout shows, as the patient reads it
    (the condition's wording where the therapist kept a default, the clinic's number in
    a call-the-clinic line)."""
    from hep_mcp.render import effective, with_clinic_phone
    from hep_mcp.render.links import inert_model
    from hep_mcp.rules import conditions as C

    hep = effective(inert_model(hep))
    out: list[tuple[str, str]] = []

    def add(path: str, value: object) -> None:
        if isinstance(value, str) and value.strip():
            out.append((path, value))
            if config is not None:
                phoned = with_clinic_phone(value, config, sms=sms, language=hep.language)
                if phoned != value:
                    out.append((path, phoned))

    add("patient_first_name", hep.patient_first_name)
    add("caregiver_name", hep.caregiver_name)
    add("therapist_name", hep.therapist_name)
    for i, ex in enumerate(hep.exercises):
        for key in ("name", "description", "tie_back", "dose", "image_alt"):
            add(f"exercises[{i}].{key}", getattr(ex, key))
    for key in ("when", "where", "trigger", "amount"):
        add(f"schedule.{key}", getattr(hep.schedule, key))
    rules = hep.response_rules
    add("response_rules.missed_day", rules.missed_day)
    add("response_rules.feels_different", rules.feels_different)
    if rules.red_flags:
        for i, flag in enumerate(rules.red_flags):
            add(f"response_rules.red_flags[{i}]", flag)
    else:  # the condition's own wording, used because the list is empty
        for f in C.condition_flags(hep.condition.value, hep.language):
            add("response_rules.red_flags", f["text"])
    add("response_rules.red_flags", C.wording(hep.language)["emergency"])  # the universal 911 line
    for i, p in enumerate(hep.precautions):
        add(f"precautions[{i}]", p)
    for i, c in enumerate(hep.changes):
        add(f"changes[{i}]", c)
    for key in ("log", "problem", "channel"):
        add(f"feedback.{key}", getattr(hep.feedback, key))
    for key in ("what", "target", "by_when"):
        add(f"milestone.{key}", getattr(hep.milestone, key))
    add("confidence_change", hep.confidence_change)
    if hep.accountability:
        add("accountability_line", hep.accountability_line)
    return out


def _quotes(message: str) -> list[str]:
    return [_norm(next(g for g in m.groups() if g)) for m in _QUOTED.finditer(message)]


def _last(path: str) -> str:
    return re.sub(r"\[\d+\]$", "", path).rsplit(".", 1)[-1]


def _pick(f: Finding, on_line: list[tuple[str, str]], known: set[str]) -> str | None:
    if not on_line:
        return None
    prefer = _data().get("prefer", {}).get(f.rule) or []
    picked = None
    for q in _quotes(f.message):
        q = q.rstrip("…").strip()
        if len(q) >= 3:
            having = [path for path, text in on_line if q in text]
            if having:
                picked = having[0]
                break
    if picked is None:
        for last in prefer:
            picked = next((path for path, _ in on_line if _last(path) == last), None)
            if picked:
                return picked
        picked = max(on_line, key=lambda pt: len(pt[1]))[0]
    # the rule is about another field of the same part ("'Thigh squeeze' is described in
    # 4 sentences" on the exercise's heading: its description)
    if prefer and _last(picked) not in prefer and "." in picked:
        parent = picked.rsplit(".", 1)[0]
        sibling = next((f"{parent}.{last}" for last in prefer if f"{parent}.{last}" in known), None)
        if sibling:
            return sibling
    return picked


def default_field(f: Finding) -> str | None:
    data = _data()
    return data.get("rules", {}).get(f.rule) or data.get("elements", {}).get(f.element)


def attach(findings: Iterable[Finding], lines: list[str], texts: list[tuple[str, str]]) -> list[Finding]:
    """The findings with ``field`` set: from the fields shown on each finding's line
    (``lines``: the text the rules read, 1-based), else from the rule or element."""
    normed = [(path, _norm(text)) for path, text in texts]
    normed = [(path, t) for path, t in normed if len(t) >= 2]
    known = {path for path, _ in normed}
    cache: dict[int, list[tuple[str, str]]] = {}
    out = []
    for f in findings:
        if f.field:
            out.append(f)
            continue
        field = None
        if f.line and 0 < f.line <= len(lines):
            if f.line not in cache:
                line = _norm(lines[f.line - 1])
                cache[f.line] = [(path, t) for path, t in normed if t in line] if line else []
            field = _pick(f, cache[f.line], known)
        field = field or default_field(f)
        out.append(f.model_copy(update={"field": field}) if field else f)
    return out


def dotted_to_path(dotted: str) -> str:
    """``exercises.0.name`` (pydantic's and the contact rules' way) -> ``exercises[0].name``."""
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", dotted.strip())
