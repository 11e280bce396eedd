"""A HEP as a FHIR R4 Bundle (type collection), validated with ``fhir.resources`` (R4B models).

Mapping (labels, timing patterns, codes: ``rules/data/fhir.yaml``):

* ``CarePlan`` (status active, intent plan): ``activity.detail`` per exercise (``code.text`` the
  name, ``description`` the plain sentences, ``reasonCode.text`` the tie-back to the session,
  ``scheduledTiming.code.text`` the dose, ``scheduledTiming.repeat`` from the schedule's "when"
  where it parses); ``description`` the schedule as the patient reads it; ``note`` the
  schedule parts, response rules, red flags and check-in as labelled patient instructions;
  ``addresses`` the condition (display only); ``author`` the therapist (display only).
* ``Goal``: the one milestone (``description``, ``target.detailString``, ``target.dueDate``
  when "by when" holds an ISO date, ``note`` the "by when" as written).
* ``Observation``: the patient's confidence 0-10, when given.
* ``Patient``: the caller's reference (``Patient/{id}``), or a placeholder entry holding only
  the first name. No identifier, birth date or anything else is invented.

``fhir.resources`` is imported here only, so the check path and server start-up never load it.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from functools import lru_cache

from hep_mcp.config import Config, default_config, load_data
from hep_mcp.errors import InputError
from hep_mcp.model import HEP

PATIENT_REF = re.compile(r"^Patient/[A-Za-z0-9\-.]{1,64}$")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@lru_cache(maxsize=1)
def mapping() -> dict:
    return load_data("fhir.yaml")


def check_patient_ref(patient: str | None) -> str | None:
    if patient is None:
        return None
    if not isinstance(patient, str) or not PATIENT_REF.match(patient):
        raise InputError(f"patient: expected a FHIR reference like 'Patient/123' (letters, digits, '-' and '.'), got {str(patient)[:40]!r}")
    return patient


def ids(seed: object, *roles: str) -> dict[str, str]:
    """Deterministic urn:uuid full URLs: the same input gives the same bytes."""
    digest = hashlib.sha256(json.dumps(seed, sort_keys=True, default=str).encode()).hexdigest()
    return {r: "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"hep-mcp:{digest}:{r}")) for r in roles}


def patient_entry(first_name: str, patient: str | None, full_url: str) -> tuple[dict, list[dict]]:
    """(the subject reference, the bundle entries to add)."""
    if patient:
        return {"reference": patient, "display": first_name}, []
    resource = {"resourceType": "Patient", "name": [{"given": [first_name]}]}
    return {"reference": full_url, "display": first_name}, [{"fullUrl": full_url, "resource": resource}]


def condition_label(value: str) -> str:
    return mapping().get("condition_labels", {}).get(value) or value.replace("_", " ").capitalize()


def timing_repeat(when: str) -> dict | None:
    text = " ".join(when.lower().split()).rstrip(".")
    for item in mapping()["timing"]:
        if re.match(item["pattern"], text):
            return dict(item["repeat"])
    return None


def pain_sentence(points: int, language: str = "en") -> str:
    """The pain rule as every format prints it, in the HEP's language (lang/<code>/strings.yaml)."""
    from hep_mcp.render import strings

    return strings(language)["pain_rule"].format(points=points)


def hep_resources(hep: HEP, config: Config, patient: str | None = None) -> dict:
    """The Bundle as a plain dict (before validation)."""
    from hep_mcp.render import effective, pain_points, red_flag_lines, sentence

    # the HEP as the patient gets it: the condition's safe "something feels different"
    # wording (an emergency sign never sent to the clinic), as in every rendered format
    hep = effective(hep)
    m = mapping()
    labels = m["careplan_notes"]
    url = ids(hep.model_dump(mode="json") | {"_patient": patient}, "bundle", "careplan", "goal", "patient", "confidence")
    subject, entries = patient_entry(hep.patient_first_name, patient, url["patient"])
    s = hep.schedule
    repeat = timing_repeat(s.when)
    activities = []
    for ex in hep.exercises:
        timing: dict = {"code": {"text": ex.dose}}
        if repeat:
            timing["repeat"] = repeat
        activities.append(
            {
                "detail": {
                    "code": {"text": ex.name},
                    "reasonCode": [{"text": ex.tie_back}],
                    "status": "scheduled",
                    "scheduledTiming": timing,
                    "description": ex.description,
                }
            }
        )

    def note(key: str, text: str) -> dict:
        return {"text": f"{labels[key]}: {text}"}

    rules = hep.response_rules
    notes = [
        note("when", s.when),
        note("trigger", s.trigger),
        note("where", s.where),
        note("amount", s.amount),
        note("pain", pain_sentence(pain_points(hep, config), hep.language)),
        note("missed_day", rules.missed_day),
        note("feels_different", rules.feels_different),
        *(note("red_flag", flag) for flag in red_flag_lines(hep)),
        note("log", hep.feedback.log),
        note("problem", hep.feedback.problem),
        note("channel", hep.feedback.channel),
        *(note("precaution", p) for p in hep.precautions),
        *(note("change", c) for c in hep.changes),
    ]
    if hep.accountability:
        notes.append(note("accountability", hep.accountability_line))
    careplan: dict = {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "category": [{"text": m["careplan_title"]}],
        "title": m["careplan_title"],
        "description": f"{s.when}, {sentence(s.trigger)} {sentence(s.where[:1].upper() + s.where[1:])} {sentence(s.amount)}",
        "subject": subject,
        "goal": [{"reference": url["goal"]}],
        "activity": activities,
        "note": notes,
    }
    if hep.language != "en":  # the patient's text is in another language (the note labels stay the mapping's)
        careplan["language"] = hep.language
    if hep.condition.value != "other":
        careplan["addresses"] = [{"display": condition_label(hep.condition.value)}]
    if hep.therapist_name:
        careplan["author"] = {"display": hep.therapist_name}
    ms = hep.milestone
    target: dict = {"detailString": ms.target}
    date = ISO_DATE.search(ms.by_when)
    if date:
        target["dueDate"] = date.group(0)
    goal = {
        "resourceType": "Goal",
        "lifecycleStatus": "active",
        "description": {"text": ms.what},
        "subject": subject,
        "target": [target],
        "note": [{"text": ms.by_when}],
    }
    entries = [{"fullUrl": url["careplan"], "resource": careplan}, {"fullUrl": url["goal"], "resource": goal}, *entries]
    if hep.confidence is not None:
        obs: dict = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": m["confidence_code_text"]},
            "subject": subject,
            "focus": [{"reference": url["careplan"]}],
            "valueInteger": hep.confidence,
        }
        if hep.confidence_change:
            obs["note"] = [{"text": hep.confidence_change}]
        entries.append({"fullUrl": url["confidence"], "resource": obs})
    return {"resourceType": "Bundle", "id": url["bundle"].rsplit(":", 1)[1], "type": "collection", "entry": entries}


def validated_json(bundle: dict) -> str:
    """Validate with the R4B models and serialise (stable key order, 2-space indent)."""
    from fhir.resources.R4B.bundle import Bundle

    model = Bundle.model_validate(bundle)
    return json.dumps(json.loads(model.model_dump_json(exclude_none=True)), indent=2, ensure_ascii=False) + "\n"


def hep_bundle_json(hep: HEP, config: Config | None = None, patient: str | None = None) -> str:
    return validated_json(hep_resources(hep, config or default_config(), check_patient_ref(patient)))


__all__ = ["check_patient_ref", "hep_bundle_json", "hep_resources", "ids", "mapping", "patient_entry", "validated_json"]
