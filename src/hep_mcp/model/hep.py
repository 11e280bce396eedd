"""The structured six-element home exercise program.

The therapist chooses the exercises, their dose, the schedule, the milestone and
the channel: those fields are required and never filled in by the tool. Wording
the product owns (the missed-day and something-feels-different rules, the
accountability line) has friendly defaults a therapist can replace.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hep_mcp import lang
from hep_mcp.model.text import Name, ShortText, Text


class Condition(str, Enum):
    total_knee_replacement = "total_knee_replacement"
    acl_reconstruction = "acl_reconstruction"
    rotator_cuff_repair = "rotator_cuff_repair"
    low_back_pain = "low_back_pain"
    lower_limb_amputation = "lower_limb_amputation"
    total_hip_replacement = "total_hip_replacement"
    stroke = "stroke"
    ankle_sprain = "ankle_sprain"
    neck_pain = "neck_pain"
    plantar_heel_pain = "plantar_heel_pain"
    fall_prevention = "fall_prevention"
    patellofemoral_pain = "patellofemoral_pain"
    shoulder_pain = "shoulder_pain"
    knee_osteoarthritis = "knee_osteoarthritis"
    other = "other"


CONDITIONS = tuple(c.value for c in Condition)

# The defaults of the wording the product owns: the English pack's (lang/en/strings.yaml);
# a HEP in another language gets its pack's defaults when rendered.
_DEFAULTS = lang.part(lang.DEFAULT, "strings")["defaults"]
DEFAULT_MISSED_DAY = _DEFAULTS["missed_day"]
DEFAULT_FEELS_DIFFERENT = _DEFAULTS["feels_different"]
DEFAULT_ACCOUNTABILITY = _DEFAULTS["accountability"]

# The languages a handout can be written in: one per language pack (src/hep_mcp/lang/).
Language = Literal[lang.languages()]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Exercise(_Strict):
    name: ShortText = Field(description="The exercise's name in plain words, e.g. 'Thigh squeeze'.")
    description: Text = Field(
        description="Two or three plain sentences on how to do it, about 6th-grade words, e.g. 'Lie on your back with your leg straight. Tighten the muscle on top of your thigh.' (the tie-back goes in tie_back)."
    )
    tie_back: ShortText = Field(
        description="One sentence tying it to the session, e.g. 'This is the squeeze we did at the start of today's session.'"
    )
    dose: ShortText = Field(description="The therapist's dose in words, e.g. '10 squeezes, hold each for 5 seconds'.")
    image: ShortText | None = Field(
        default=None,
        description="A picture from the clinic's own library: a PNG, JPEG or SVG file name inside the config's "
        "library_dirs, e.g. 'pictures/thigh_squeeze.png'. Embedded in html and caregiver_html; never fetched.",
    )
    image_alt: ShortText | None = Field(
        default=None, description="What the picture shows, in plain words (required with image), e.g. 'Sitting on a chair, pressing the knee down'."
    )

    @model_validator(mode="after")
    def _alt_with_image(self):
        if self.image and not self.image_alt:
            raise ValueError("image_alt: a picture needs a short plain description of what it shows")
        return self


class Schedule(_Strict):
    when: ShortText = Field(description="Days and time of day, e.g. 'Every morning'.")
    where: ShortText = Field(description="The place, e.g. 'in bed'.")
    trigger: ShortText = Field(
        description="An existing routine to anchor to, e.g. 'after you turn off your alarm'."
    )
    amount: ShortText = Field(description="How much in all, e.g. 'One round of all three, about 10 minutes'.")


class ResponseRules(_Strict):
    pain_threshold_points: int = Field(
        default=2, ge=1, le=10, description="Stop an exercise for the day if pain rises more than this many points (0-10 scale), e.g. 2. Default: the clinic setting (2)."
    )
    missed_day: Text = Field(default=DEFAULT_MISSED_DAY, description="The missed-day rule in plain words. Default: don't make it up, start again the next day.")
    feels_different: Text = Field(default=DEFAULT_FEELS_DIFFERENT, description="The something-feels-different rule. Default: new pain, swelling or weakness -> stop and contact the clinic.")
    red_flags: list[Text] = Field(
        default_factory=list,
        max_length=20,
        description="Warning signs with who to call, e.g. ['Calf pain, warmth or swelling: call the clinic today.']. Empty: the condition library's red flags are used.",
    )


class Feedback(_Strict):
    channel: ShortText = Field(description="The clinic's official channel (portal, clinic text line, clinic app, front desk; never a personal phone), e.g. 'the patient portal'.")
    log: Text = Field(description="How to log 'did it today', e.g. 'Tap Done in the portal each day.'")
    problem: Text = Field(description="How to report a problem, e.g. 'Send a portal message if anything feels wrong.'")


class Milestone(_Strict):
    what: Text = Field(description="The one small, observable marker for the next visit, e.g. 'Hold the thigh squeeze the full 5 seconds'.")
    by_when: ShortText = Field(description="By when it should be seen, e.g. 'by your visit on Thursday'.")
    target: ShortText = Field(description="How we will know it is met, e.g. 'three days in a row'.")


class HEP(_Strict):
    """A six-element home exercise program as the therapist decided it."""

    language: Language = Field(
        default="en",
        description="The language of the handout: every fixed heading, rule and warning sign is printed in it "
        "(en English, es Spanish). Write the therapist's fields in the same language; nothing is translated. e.g. 'es'.",
    )
    patient_first_name: Name = Field(description="The patient's first name only (no surname, date of birth or record number), e.g. 'Maria'.")
    condition: Condition = Field(description="The condition (picks the red flags); other: the therapist lists red_flags.")
    exercises: list[Exercise] = Field(min_length=1, max_length=20, description="The 3 exercises (4 at most) the therapist chose, in order.")
    schedule: Schedule = Field(description="Dosing as a behavior: when, where, the routine it is anchored to, how much.")
    response_rules: ResponseRules = Field(default_factory=ResponseRules, description="Pain, missed-day and feels-different rules and red flags; defaults are friendly and safe.")
    feedback: Feedback = Field(description="The clinic's official channel for logging 'did it today' and for reporting problems.")
    milestone: Milestone = Field(description="Exactly one small, observable marker for the next visit (not the plan-of-care goal).")
    confidence: int | None = Field(
        default=None, ge=0, le=10, description="Patient's confidence 0-10 that they can do the plan, e.g. 8. Under 7: ask 'what would make it a 9?'."
    )
    confidence_change: Text | None = Field(
        default=None, description="What was changed after asking 'what would make it a 9?', e.g. 'Moved the evening round to right after dinner'."
    )
    accountability: bool = Field(default=True, description="End with the accountability line (true by default).")
    accountability_line: Text = Field(default=DEFAULT_ACCOUNTABILITY, description="The accountability line the handout ends with (default below).")
    therapist_name: Name | None = Field(default=None, description="How the patient knows the therapist, shown on the handout, e.g. 'Sam'.")
    caregiver_name: Name | None = Field(default=None, description="The family member or caregiver the caregiver format is written to, e.g. 'Luis'.")
    caregiver_calls_patient: Name | None = Field(
        default=None,
        description="What the caregiver calls the patient, used for the patient on the caregiver formats "
        "('Help Mom stand up...'), e.g. 'Mom', 'Dad', 'Grandpa Joe'. Default: the patient's first name.",
    )
    precautions: list[Text] = Field(
        default_factory=list,
        max_length=10,
        description="Precautions the therapist set, in plain words (lives alone, fall risk, weight-bearing "
        "limits, walker or brace use, hip precautions). Shown on every format, first on the caregiver's. "
        "e.g. 'Use your walker for every step, also at night.'",
    )
    changes: list[Text] = Field(
        default_factory=list,
        max_length=5,
        description="What changed since the last version and why, one plain line each, e.g. "
        "'Heel slides went from 10 to 15 because your knee bends further now'. Every format opens with them.",
    )
