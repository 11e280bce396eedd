"""Errors that teach: every validation error names the field path and what is expected;
an unknown field names the closest valid ones; a missing fact in a note is a finding that
names the input field; the clinic's name and contact appear under the note's signature."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from hep_mcp.config import config_from_mapping
from hep_mcp.errors import InputError
from hep_mcp.note import ELEMENT_FIELDS, progress_note
from hep_mcp.render import generate_hep

ROOT = Path(__file__).resolve().parents[1]


def tkr() -> dict:
    return yaml.safe_load(resources.files("hep_mcp").joinpath("examples", "tkr.yaml").read_text(encoding="utf-8"))


def note() -> dict:
    return yaml.safe_load((ROOT / "fixtures" / "notes" / "clean_tkr_structured.yaml").read_text(encoding="utf-8"))["input"]


def hep_with(change) -> dict:
    h = tkr()
    change(h)
    return h


def note_with(change) -> dict:
    n = note()
    change(n)
    return n


@pytest.mark.parametrize(
    "fn,data,expected",
    [
        (progress_note, note_with(lambda n: n["adherence"].update(format_change="x")),
         "adherence.format_change: unknown field; did you mean adherence.change?"),
        (progress_note, note_with(lambda n: n["goals"][0].update(measure_name="x")),
         "goals.0.measure_name: unknown field; did you mean goals.0.measure"),
        (progress_note, note_with(lambda n: n.update(zzz=1)), "zzz: unknown field; expected one of patient, diagnosis,"),
        (generate_hep, hep_with(lambda h: h["feedback"].update(chanel="portal")),
         "feedback.chanel: unknown field; did you mean feedback.channel?"),
        (generate_hep, hep_with(lambda h: h.update(therapist="Sam")),
         "therapist: unknown field; did you mean therapist_name?"),
        (generate_hep, hep_with(lambda h: h["response_rules"].update(pain_threshold=3) if "response_rules" in h
                                else h.update(response_rules={"pain_threshold": 3})),
         "response_rules.pain_threshold: unknown field; did you mean response_rules.pain_threshold_points?"),
        # a missing field says what it is
        (generate_hep, hep_with(lambda h: h["milestone"].pop("by_when")),
         "milestone.by_when: Field required: by when it should be seen, e.g. 'by your visit on Thursday'"),
        (progress_note, note_with(lambda n: n["measures"][0].pop("baseline")),
         "measures.0.baseline: Field required: value at the initial evaluation, e.g. 85"),
        # wrong types and limits keep pydantic's expectation, one line per field
        (generate_hep, hep_with(lambda h: h.update(confidence=12)), "confidence: Input should be less than or equal to 10"),
    ],
)
def test_errors_name_the_path_and_what_is_expected(fn, data, expected):
    with pytest.raises(InputError) as err:
        fn(data)
    text = str(err.value)
    assert expected in text
    assert "\n" not in text and "errors.pydantic.dev" not in text


def test_an_empty_note_names_every_missing_field():
    result = progress_note({"patient": "Ann"})
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors and not result.ready
    named = {f.element: f.message for f in errors}
    for element, message in named.items():
        assert f"(field {ELEMENT_FIELDS[element]})" in message.split("\n", 1)[0], message
    assert {"period", "measures", "goals", "therapist"} <= {ELEMENT_FIELDS[e] for e in named}


def test_a_present_field_is_not_blamed():
    n = note()
    n["assessment"] = "Tolerated treatment well."
    result = progress_note(n)
    assert all("(field assessment)" not in f.message for f in result.findings)


def test_every_note_element_maps_to_an_input_field():
    from hep_mcp.model import NOTE_ELEMENTS
    from hep_mcp.model.note import ProgressNote

    for element, field in ELEMENT_FIELDS.items():
        assert element in NOTE_ELEMENTS and field in ProgressNote.model_fields


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_the_clinic_name_and_contact_sign_the_note(fmt):
    config = config_from_mapping({"clinic": {"name": "Riverside Physical Therapy", "phone": "(555) 010-4477",
                                             "email": "front@riverside.example"}})
    with_clinic = progress_note(note(), fmt, config=config)
    plain = progress_note(note(), fmt)
    line = "Riverside Physical Therapy, (555) 010-4477, front@riverside.example"
    assert line in with_clinic.text.splitlines()
    assert "Riverside" not in plain.text
    assert with_clinic.ready and with_clinic.text.replace("\n\n" + line, "") == plain.text
