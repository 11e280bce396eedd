"""A progress note as a FHIR R4 Bundle (type collection), validated with ``fhir.resources`` (R4B).

* ``DocumentReference``: the rendered report (plain text, base64) with LOINC 11506-3
  "Progress note", the reporting period as ``context.period``, the therapist as author.
* ``Observation`` per measure: the current value (``valueQuantity``, the therapist's unit as
  text), baseline and previous values as components, ``effectiveDateTime`` the period's end,
  ``interpretation`` from the measure catalog's direction (B better / W worse; none for no
  meaningful change), the change and MCID judgement as the note. ``code`` is LOINC only
  where the catalog measure has a well-established code (``rules/data/fhir.yaml``), else text.
* ``Goal`` per goal: description, achievement status, target (measure, value, due date).
* ``Patient``: the caller's reference, or a placeholder entry holding only the first name.
"""

from __future__ import annotations

import base64

from hep_mcp.model.note import ProgressNote
from hep_mcp.note import measure_row, resolved
from hep_mcp.render.fhir import ids, mapping, patient_entry, validated_json

LOINC = "http://loinc.org"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"


def _quantity(value: float, unit: str | None) -> dict:
    q: dict = {"value": value}
    if unit:
        q["unit"] = unit
    return q


def note_resources(note: ProgressNote, text: str, patient: str | None = None, source: str = "note") -> dict:
    m = mapping()
    roles = ["bundle", "document", "patient"] + [f"obs{i}" for i in range(len(note.measures))] + [f"goal{i}" for i in range(len(note.goals))]
    url = ids(note.model_dump(mode="json") | {"_patient": patient}, *roles)
    subject, entries = patient_entry(note.patient, patient, url["patient"])
    end = note.period.end.isoformat() if note.period else None
    author = None
    if note.therapist:
        t = note.therapist
        author = {"display": f"{t.name}, {t.credentials}" if t.credentials else t.name}

    doc: dict = {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": {"coding": [{"system": LOINC, **m["note_type"]}], "text": "Physical therapy progress report"},
        "subject": subject,
        "description": "Physical therapy progress report",
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
                    "title": "Physical therapy progress report",
                }
            }
        ],
    }
    if author:
        doc["author"] = [author]
    if note.period:
        doc["context"] = {"period": {"start": note.period.start.isoformat(), "end": end}}
    out = [{"fullUrl": url["document"], "resource": doc}]

    for i, (meas, res) in enumerate(zip(note.measures, resolved(note, source))):
        row = measure_row(meas, res)
        code: dict = {"text": meas.name}
        loinc = m["loinc"].get(res.entry.id) if res.entry else None
        if loinc:
            code["coding"] = [{"system": LOINC, **loinc}]
        components = [{"code": {"text": "Baseline (initial evaluation)"}, "valueQuantity": _quantity(meas.baseline, meas.unit)}]
        if meas.previous is not None:
            components.append({"code": {"text": "Previous progress report"}, "valueQuantity": _quantity(meas.previous, meas.unit)})
        obs: dict = {
            "resourceType": "Observation",
            "status": "final",
            "code": code,
            "subject": subject,
            "valueQuantity": _quantity(meas.current, meas.unit),
            "component": components,
            "note": [{"text": f"Change from baseline {row['change']} ({row['verdict']}; {row['direction']}); MCID {row['mcid']}."}],
        }
        if end:
            obs["effectiveDateTime"] = end
        interp = m["interpretation"].get(row["verdict"])
        obs["interpretation"] = [
            {"coding": [{"system": INTERPRETATION, **interp}], "text": row["verdict"]} if interp else {"text": row["verdict"]}
        ]
        out.append({"fullUrl": url[f"obs{i}"], "resource": obs})

    for i, g in enumerate(note.goals):
        goal: dict = {
            "resourceType": "Goal",
            "lifecycleStatus": "completed" if g.status == "met" else "active",
            "achievementStatus": {"coding": [{"system": ACHIEVEMENT, **m["goal_achievement"][g.status]}]},
            "description": {"text": g.text},
            "subject": subject,
        }
        target: dict = {}
        linked = note.measure(g.measure)
        if linked is not None:
            target["measure"] = {"text": linked.name}
            if g.target is not None:
                target["detailQuantity"] = _quantity(g.target, linked.unit)
        if g.target_date:
            target["dueDate"] = g.target_date.isoformat()
        if target:
            goal["target"] = [target]
        if g.comment:
            goal["note"] = [{"text": g.comment}]
        out.append({"fullUrl": url[f"goal{i}"], "resource": goal})
    return {"resourceType": "Bundle", "id": url["bundle"].rsplit(":", 1)[1], "type": "collection", "entry": out + entries}


def note_bundle_json(note: ProgressNote, text: str, patient: str | None = None, source: str = "note") -> str:
    return validated_json(note_resources(note, text, patient, source))


__all__ = ["note_bundle_json", "note_resources"]
