"""The structured six-element home exercise program.

The therapist chooses the exercises, their dose, the schedule, the milestone and
the channel: those fields are required and never filled in by the tool. Wording
the product owns (the missed-day and something-feels-different rules, the
accountability line) has friendly defaults a therapist can replace.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hep_mcp.model.text import Name, ShortText, Text


class Condition(str, Enum):
    total_knee_replacement = "total_knee_replacement"
    acl_reconstruction = "acl_reconstruction"
    rotator_cuff_repair = "rotator_cuff_repair"
    low_back_pain = "low_back_pain"
    lower_limb_amputation = "lower_limb_amputation"
    other = "other"


CONDITIONS = tuple(c.value for c in Condition)

DEFAULT_MISSED_DAY = (
    "If you miss a day, that's okay. Just start again the next day. "
    "Don't do extra to make up for it."
)
DEFAULT_FEELS_DIFFERENT = (
    "If something feels different, like new pain, new swelling or new weakness, "
    "stop the exercises and contact the clinic before you do them again."
)
DEFAULT_ACCOUNTABILITY = "I'll ask about this first thing at your next visit."


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Exercise(_Strict):
    name: ShortText = Field(description="The exercise's name in plain words, e.g. 'Thigh squeeze'.")
    description: Text = Field(
        description="Two or three plain sentences on how to do it (the tie-back goes in tie_back)."
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
        default=None, description="What the picture shows, in plain words (required with image)."
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
        default=2, ge=1, le=10, description="Stop an exercise for the day if pain rises more than this many points."
    )
    missed_day: Text = Field(default=DEFAULT_MISSED_DAY)
    feels_different: Text = Field(default=DEFAULT_FEELS_DIFFERENT)
    red_flags: list[Text] = Field(
        default_factory=list,
        max_length=20,
        description="Warning signs with who to call. Empty: the condition library's red flags are used.",
    )


class Feedback(_Strict):
    channel: ShortText = Field(description="The clinic's official channel, e.g. 'the patient portal'.")
    log: Text = Field(description="How to log 'did it today', e.g. 'Tap Done in the portal each day.'")
    problem: Text = Field(description="How to report a problem, e.g. 'Send a portal message if anything feels wrong.'")


class Milestone(_Strict):
    what: Text = Field(description="The one small marker, e.g. 'Hold the thigh squeeze the full 5 seconds'.")
    by_when: ShortText = Field(description="When, e.g. 'by your visit on Thursday'.")
    target: ShortText = Field(description="What we will see, e.g. 'three days in a row'.")


class HEP(_Strict):
    """A six-element home exercise program as the therapist decided it."""

    patient_first_name: Name
    condition: Condition
    exercises: list[Exercise] = Field(min_length=1, max_length=20)
    schedule: Schedule
    response_rules: ResponseRules = Field(default_factory=ResponseRules)
    feedback: Feedback
    milestone: Milestone
    confidence: int | None = Field(
        default=None, ge=0, le=10, description="Patient's confidence 0-10 that they can do the plan."
    )
    confidence_change: Text | None = Field(
        default=None, description="What was changed after asking 'what would make it a 9?'."
    )
    accountability: bool = Field(default=True, description="End with the accountability line.")
    accountability_line: Text = Field(default=DEFAULT_ACCOUNTABILITY)
    therapist_name: Name | None = None
    caregiver_name: Name | None = Field(default=None, description="For the caregiver format.")
    changes: list[Text] = Field(
        default_factory=list,
        max_length=5,
        description="What changed since the last version and why, one plain line each, e.g. "
        "'Heel slides went from 10 to 15 because your knee bends further now'. Every format opens with them.",
    )
