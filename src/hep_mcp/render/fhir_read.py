"""Read a FHIR CarePlan Bundle back into what ``hep-mcp check`` checks (plain dicts; no FHIR models).

``careplan_hep(bundle)`` rebuilds the structured HEP from a bundle this tool wrote (or one
that follows the same mapping), so the check gives the same findings as on the HEP it
came from. A CarePlan from elsewhere that lacks the HEP's parts is read as text instead
(``careplan_text``): exercise names, instructions, timing and notes, one per line.
"""

from __future__ import annotations

import re

from hep_mcp.config import load_data
from hep_mcp.errors import InputError

_POINTS = re.compile(r"\b(?:more than|más de) (\d{1,2}) (?:points?|puntos?)\b")


def is_fhir(data: object) -> bool:
    return isinstance(data, dict) and data.get("resourceType") in ("Bundle", "CarePlan")


def resources(data: dict, kind: str) -> list[dict]:
    if data.get("resourceType") == kind:
        return [data]
    out = []
    for entry in data.get("entry") or []:
        res = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(res, dict) and res.get("resourceType") == kind:
            out.append(res)
    return out


def validate(data: dict, source: str) -> None:
    """The bundle must be valid FHIR R4 (R4B models); one line naming what is wrong."""
    from pydantic import ValidationError

    from hep_mcp.errors import pydantic_message

    if data.get("resourceType") == "Bundle":
        from fhir.resources.R4B.bundle import Bundle as Model
    else:
        from fhir.resources.R4B.careplan import CarePlan as Model
    try:
        Model.model_validate(data)
    except (ValidationError, ValueError, TypeError) as exc:
        msg = pydantic_message(exc) if isinstance(exc, ValidationError) else str(exc).splitlines()[0]
        raise InputError(f"{source}: not a valid FHIR R4 {data.get('resourceType')}: {msg[:300]}") from None


def _text(value: object) -> str | None:
    return value.get("text") if isinstance(value, dict) and isinstance(value.get("text"), str) else None


def conditions_by_label() -> dict[str, str]:
    from hep_mcp.model.hep import CONDITIONS
    from hep_mcp.render.fhir import condition_label

    return {condition_label(c).lower(): c for c in CONDITIONS}


def careplan_hep(data: dict) -> dict | None:
    """The structured HEP the bundle carries, or None when its CarePlan lacks the HEP's parts."""
    plans = resources(data, "CarePlan")
    if len(plans) != 1:
        return None
    plan = plans[0]
    labels = load_data("fhir.yaml")["careplan_notes"]
    by_label = {v: k for k, v in labels.items()}
    notes: dict[str, list[str]] = {}
    for n in plan.get("note") or []:
        text = _text(n) or ""
        label, sep, rest = text.partition(": ")
        if sep and label in by_label:
            notes.setdefault(by_label[label], []).append(rest)

    def one(key: str) -> str | None:
        values = notes.get(key) or []
        return values[0] if len(values) == 1 else None

    exercises = []
    for act in plan.get("activity") or []:
        d = act.get("detail") if isinstance(act, dict) else None
        if not isinstance(d, dict):
            return None
        reasons = d.get("reasonCode") or [{}]
        exercises.append(
            {
                "name": _text(d.get("code")),
                "description": d.get("description"),
                "tie_back": _text(reasons[0]),
                "dose": _text((d.get("scheduledTiming") or {}).get("code")),
            }
        )
    goals = [g for g in resources(data, "Goal")]
    subject = plan.get("subject") or {}
    first = subject.get("display")
    if not (exercises and goals and first and one("when")):
        return None
    goal = goals[0]
    target = (goal.get("target") or [{}])[0]
    pain = _POINTS.search(one("pain") or "")
    condition = "other"
    for a in plan.get("addresses") or []:
        condition = conditions_by_label().get(str(a.get("display", "")).lower(), condition)
    from hep_mcp import lang

    language = plan.get("language") if plan.get("language") in lang.languages() else lang.DEFAULT
    red = _own_red_flags(notes.get("red_flag", []), condition, language)
    hep: dict = {
        "patient_first_name": first,
        "condition": condition,
        "exercises": exercises,
        "schedule": {"when": one("when"), "where": one("where"), "trigger": one("trigger"), "amount": one("amount")},
        "response_rules": {
            "missed_day": one("missed_day"),
            "feels_different": one("feels_different"),
            "red_flags": red,
        },
        "feedback": {"channel": one("channel"), "log": one("log"), "problem": one("problem")},
        "milestone": {
            "what": _text(goal.get("description")),
            "target": target.get("detailString"),
            "by_when": _text((goal.get("note") or [{}])[0]),
        },
        "accountability": one("accountability") is not None,
        "precautions": notes.get("precaution") or None,
        "changes": notes.get("change") or None,
    }
    if language != lang.DEFAULT:
        hep["language"] = language
    if pain:
        hep["response_rules"]["pain_threshold_points"] = int(pain.group(1))
    if one("accountability"):
        hep["accountability_line"] = one("accountability")
    if isinstance(plan.get("author"), dict) and plan["author"].get("display"):
        hep["therapist_name"] = plan["author"]["display"]
    conf_text = load_data("fhir.yaml")["confidence_code_text"]
    for obs in resources(data, "Observation"):
        if _text(obs.get("code")) == conf_text and isinstance(obs.get("valueInteger"), int):
            hep["confidence"] = obs["valueInteger"]
            change = _text((obs.get("note") or [{}])[0])
            if change:
                hep["confidence_change"] = change
    return _drop_none(hep)


def _own_red_flags(lines: list[str], condition: str, language: str = "en") -> list[str]:
    """The therapist's red flags: the emergency line and the library's defaults are added at render time."""
    from hep_mcp.rules.conditions import wording

    data = wording(language)
    own = [ln for ln in lines if ln != data["emergency"]]
    if own == [f["text"] for f in data["conditions"].get(condition, [])]:
        return []
    return own


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def careplan_text(data: dict) -> str:
    """A CarePlan's patient-facing text, one item a line, for the free-text rules."""
    lines: list[str] = []
    for plan in resources(data, "CarePlan"):
        for key in ("title", "description"):
            if isinstance(plan.get(key), str):
                lines.append(plan[key])
        lines.append("## Your exercises")
        for i, act in enumerate(plan.get("activity") or [], start=1):
            d = act.get("detail") if isinstance(act, dict) else None
            if not isinstance(d, dict):
                continue
            lines.append(f"### {i}. {_text(d.get('code')) or 'Exercise'}")
            for part in (d.get("description"), *(_text(r) for r in d.get("reasonCode") or [])):
                if isinstance(part, str):
                    lines.append(part)
            dose = _text((d.get("scheduledTiming") or {}).get("code"))
            if dose:
                lines.append(f"- How much: {dose}")
        if plan.get("note"):
            lines.append("## Your rules")
        for n in plan.get("note") or []:
            if _text(n):
                lines.append(f"- {_text(n)}")
    for goal in resources(data, "Goal"):
        parts = [_text(goal.get("description"))] + [t.get("detailString") for t in goal.get("target") or []]
        parts += [_text(n) for n in goal.get("note") or []]
        lines.append("Goal for next visit: " + ", ".join(p for p in parts if p))
    return "\n".join(lines) + "\n"




def note_text(data: dict) -> str | None:
    """The progress note a bundle carries as a DocumentReference attachment (text), if any."""
    import base64
    import binascii

    for doc in resources(data, "DocumentReference"):
        for content in doc.get("content") or []:
            att = content.get("attachment") if isinstance(content, dict) else None
            if isinstance(att, dict) and str(att.get("contentType", "")).startswith("text/") and att.get("data"):
                try:
                    return base64.b64decode(att["data"], validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError, ValueError):
                    return None
    return None


__all__ = ["careplan_hep", "careplan_text", "conditions_by_label", "is_fhir", "note_text", "resources", "validate"]
