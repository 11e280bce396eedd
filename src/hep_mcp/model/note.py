"""The structured progress note (outpatient PT progress report).

Everything clinical comes from the therapist: measures, goals, adherence counts or
the clinic channel's log, assessment, skilled need, plan. The tool computes (change
against baseline, MCID, adherence figures) and renders; it never invents a value.
Sections a payer expects are optional here so a draft can be rendered and the note
rules can say what is missing; values that cannot be right (an end date before the
start, 7 of 6 days completed) are input errors.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from hep_mcp.model.text import ShortText, Text

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{n: i for i, n in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    "tues": 1,
    "wednes": 2,
    "thur": 3,
    "thurs": 3,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Period(_Strict):
    start: dt.date = Field(description="First day of the reporting period (YYYY-MM-DD), e.g. 2024-03-01.")
    end: dt.date = Field(description="Last day of the reporting period (YYYY-MM-DD), e.g. 2024-03-22.")
    written: dt.date = Field(description="Date the report is written (YYYY-MM-DD), e.g. 2024-03-22.")
    treatment_days: int | None = Field(
        default=None, ge=0, le=400, description="Treatment days covered by this report (Medicare: at most 10), e.g. 8."
    )
    first_visit: int | None = Field(default=None, ge=1, le=1000, description="Number of the first visit in the period, e.g. 3.")
    last_visit: int | None = Field(default=None, ge=1, le=1000, description="Number of the last visit in the period, e.g. 10.")

    @model_validator(mode="after")
    def _order(self):
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if self.written < self.start:
            raise ValueError(f"written ({self.written}) is before the period starts ({self.start})")
        if (self.first_visit is None) != (self.last_visit is None):
            raise ValueError("give both first_visit and last_visit, or neither")
        if self.first_visit is not None and self.last_visit < self.first_visit:
            raise ValueError("last_visit is lower than first_visit")
        return self

    @property
    def days_covered(self) -> int | None:
        """Treatment days: given, or counted from the visit numbers."""
        if self.treatment_days is not None:
            return self.treatment_days
        if self.first_visit is not None and self.last_visit is not None:
            return self.last_visit - self.first_visit + 1
        return None


# Clinical measures are finite and far from the float range (degrees, seconds, feet, scores).
Value = Annotated[float, Field(allow_inf_nan=False, ge=-1e9, le=1e9)]


class Measure(_Strict):
    name: ShortText = Field(description="What was measured, e.g. 'Knee bend (flexion), right'.")
    unit: ShortText | None = Field(default=None, description="e.g. 'degrees', 'seconds', 'feet', 'points'.")
    baseline: Value = Field(description="Value at the initial evaluation, e.g. 85.")
    previous: Value | None = Field(default=None, description="Value at the previous progress report, e.g. 95.")
    current: Value = Field(description="Value today, e.g. 105.")
    higher_is_better: bool | None = Field(
        default=None,
        description="Direction of the measure: true when a higher value is better (range of motion, strength), "
        "false when lower is better (pain, TUG time, ODI). Leave out for a measure in the catalog; "
        "required for any other measure.",
    )
    mcid: Value | None = Field(default=None, gt=0, description="Minimal clinically important difference in the same unit, if known, e.g. 10.")


class Goal(_Strict):
    text: Text = Field(description="The goal as written in the plan of care, e.g. 'Climb a flight of stairs with one rail'.")
    term: Literal["short", "long"] | None = Field(default=None, description="Short-term or long-term goal (shown only when given).")
    target_date: dt.date | None = Field(default=None, description="Date the goal should be met (YYYY-MM-DD), e.g. 2024-04-19.")
    status: Literal["met", "progressing", "not_met", "revised"] = Field(description="Progress toward the goal this period.")
    measure: ShortText | None = Field(default=None, description="Name of the linked measure, exactly as in measures[].name, e.g. 'Knee bend (flexion), right'.")
    target: Value | None = Field(default=None, description="Target value of the linked measure, e.g. 115.")
    comment: Text | None = Field(default=None, description="Assessment of progress toward this goal, e.g. 'Up 20 degrees; climbs 6 steps with one rail'.")


class Adherence(_Strict):
    """HEP adherence: counts, or a log of dates from the clinic's channel."""

    scheduled: int | None = Field(default=None, ge=1, le=1000, description="HEP sessions or days scheduled in the period, e.g. 6 (give with completed, or a log).")
    completed: int | None = Field(default=None, ge=0, le=1000, description="HEP sessions or days completed, e.g. 4.")
    log: list[dt.date] | None = Field(
        default=None, max_length=1000, description="Dates the patient logged 'did it today' on the clinic channel (YYYY-MM-DD), e.g. [2024-03-04, 2024-03-05]."
    )
    log_start: dt.date | None = Field(default=None, description="First day the log covers (default: period start), e.g. 2024-03-01.")
    log_end: dt.date | None = Field(default=None, description="Last day the log covers (default: period end), e.g. 2024-03-22.")
    planned_days: list[str] | None = Field(
        default=None,
        description="Weekdays the HEP was planned for, e.g. [mon, wed, fri]. Default: every day.",
    )
    source: ShortText | None = Field(default=None, description="Where the figures come from, e.g. 'patient portal log'.")
    milestone: Text | None = Field(default=None, description="The previous HEP's one milestone, e.g. 'Hold the thigh squeeze the full 5 seconds, three days in a row'.")
    milestone_met: bool | None = Field(default=None, description="Whether that milestone was met.")
    what_ran: Text | None = Field(default=None, description="What worked in the HEP, e.g. 'The morning round after the alarm'.")
    fell_apart: Text | None = Field(default=None, description="Where it fell apart, in the patient's words, e.g. 'Evenings after late shifts'.")
    barriers: list[ShortText] = Field(default_factory=list, max_length=20, description="What got in the way, e.g. ['work shifts', 'knee swelling after long walks'].")
    change: Text | None = Field(default=None, description="The format change made to the HEP, e.g. 'Moved the evening round to right after dinner'.")

    @field_validator("planned_days")
    @classmethod
    def _weekdays(cls, value):
        if value is None:
            return None
        out = []
        for day in value:
            key = re.sub(r"[^a-z]", "", str(day).lower())
            key = key[:-3] if key.endswith("day") and key not in _WEEKDAY_NAMES else key
            if key not in _WEEKDAY_NAMES:
                raise ValueError(f"{day!r} is not a weekday (use mon, tue, wed, thu, fri, sat, sun)")
            out.append(WEEKDAYS[_WEEKDAY_NAMES[key]])
        if not out:
            raise ValueError("list at least one weekday, or leave planned_days out for every day")
        return sorted(set(out), key=WEEKDAYS.index)

    @model_validator(mode="after")
    def _consistent(self):
        counts = self.scheduled is not None or self.completed is not None
        if counts and self.log is not None:
            raise ValueError("give either counts (scheduled, completed) or a log of dates, not both")
        if counts and (self.scheduled is None or self.completed is None):
            raise ValueError("give both scheduled and completed")
        if counts and self.completed > self.scheduled:
            raise ValueError(f"completed ({self.completed}) is more than scheduled ({self.scheduled})")
        if self.log_start and self.log_end and self.log_end < self.log_start:
            raise ValueError("log_end is before log_start")
        return self


class Plan(_Strict):
    frequency: ShortText | None = Field(default=None, description="e.g. '2 times a week'.")
    duration: ShortText | None = Field(default=None, description="e.g. '4 weeks'.")
    changes: list[Text] = Field(default_factory=list, max_length=20, description="Changes to goals or plan of care, e.g. ['Add stair training'].")


class Therapist(_Strict):
    name: ShortText = Field(description="The therapist's name as signed, e.g. 'Sam Rivera'.")
    credentials: ShortText | None = Field(default=None, description="e.g. 'PT, DPT'.")


_INITIALS_OR_NAME = re.compile(r"^[^\W\d_][\w.'’-]*(\s+[^\W\d_][\w.'’-]*)?$")


class ProgressNote(_Strict):
    """A progress report for one reporting period."""

    patient: ShortText = Field(description="First name or initials only (no surname, DOB or record number), e.g. 'Maria'.")
    diagnosis: ShortText | None = Field(default=None, description="Diagnosis in words, e.g. 'Right total knee replacement'.")
    period: Period | None = Field(default=None, description="The reporting period: start, end and written dates, treatment days or visit numbers.")
    subjective: list[Text] = Field(default_factory=list, max_length=30, description="Relevant statements in the patient's own words, e.g. ['I can get in and out of the car now'].")
    measures: list[Measure] = Field(default_factory=list, max_length=30, description="Objective measures against baseline, one per goal at least.")
    goals: list[Goal] = Field(default_factory=list, max_length=20, description="The plan-of-care goals with their status, linked to a measure by name.")
    adherence: Adherence | None = Field(default=None, description="HEP adherence: counts or the channel's log, barriers and the format change.")
    assessment: Text | None = Field(default=None, description="Assessment of progress in patient-specific words, not boilerplate such as 'tolerated treatment well', e.g. 'Knee bend up 20 degrees; now climbs stairs with one rail'.")
    skilled_need: Text | None = Field(default=None, description="Why a skilled therapist is still needed, e.g. 'Gait training on stairs needs skilled cueing'.")
    plan: Plan | None = Field(default=None, description="Plan for continuing treatment: frequency, duration, changes.")
    therapist: Therapist | None = Field(default=None, description="Who signs: name and credentials.")

    @field_validator("patient")
    @classmethod
    def _first_name_or_initials(cls, value: str) -> str:
        if len(value) > 40 or not _INITIALS_OR_NAME.match(value):
            raise ValueError("expected a first name or initials only (one or two words, no numbers)")
        return value

    @model_validator(mode="after")
    def _links(self):
        names = [m.name for m in self.measures]
        if len(set(n.lower() for n in names)) != len(names):
            raise ValueError("two measures have the same name")
        known = {n.lower() for n in names}
        for i, g in enumerate(self.goals):
            if g.measure is not None and g.measure.lower() not in known:
                raise ValueError(f"goals.{i}.measure: {g.measure!r} is not one of the measures' names")
        return self

    def measure(self, name: str | None) -> Measure | None:
        if name is None:
            return None
        return next((m for m in self.measures if m.name.lower() == name.lower()), None)
