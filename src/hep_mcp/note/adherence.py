"""HEP adherence figures, computed from counts or from a log of dates. Never invented.

With a log, the scheduled days are the days in the log window (default: the
reporting period) whose weekday is one of the HEP's planned days (default: every
day). A logged date on a scheduled day counts as completed (a date logged twice
counts once); logged dates on other days are reported as extra days, and dates
outside the window are reported as not counted. So the percentage is always
completed / scheduled, between 0 and 100.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from hep_mcp.errors import InputError
from hep_mcp.model.note import WEEKDAYS, Adherence, Period

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class AdherenceFigures(BaseModel):
    """What the figures are and how they were determined."""

    model_config = ConfigDict(extra="forbid")

    scheduled: int = Field(description="Scheduled days (or sessions, with counts).")
    completed: int
    percent: int = Field(ge=0, le=100, description="completed / scheduled, rounded half up.")
    missed: int
    missed_dates: list[dt.date] = Field(default_factory=list)
    longest_streak: int | None = Field(
        default=None, description="Most scheduled days completed in a row (log only)."
    )
    extra_days: int = Field(default=0, description="Logged days that were not scheduled (log only).")
    outside_window: int = Field(default=0, description="Logged dates outside the window, not counted.")
    basis: str = Field(description="How scheduled days were determined.")
    unit: str = Field(default="days", description="'days' with a log; 'days' or 'sessions' with counts.")


def percent(completed: int, scheduled: int) -> int:
    """completed/scheduled as a whole percentage, rounded half up (integer arithmetic)."""
    if scheduled <= 0:
        return 0
    return (200 * completed + scheduled) // (2 * scheduled)


def scheduled_dates(start: dt.date, end: dt.date, planned_days: list[str] | None) -> list[dt.date]:
    days = {WEEKDAYS.index(d) for d in planned_days} if planned_days else set(range(7))
    span = (end - start).days
    return [start + dt.timedelta(days=i) for i in range(span + 1) if (start + dt.timedelta(days=i)).weekday() in days]


def longest_run(flags: list[bool]) -> int:
    best = run = 0
    for ok in flags:
        run = run + 1 if ok else 0
        best = max(best, run)
    return best


def figures(adherence: Adherence | None, period: Period | None, source: str = "note") -> AdherenceFigures | None:
    """The figures, or None when the input has neither counts nor a log."""
    if adherence is None:
        return None
    if adherence.scheduled is not None and adherence.completed is not None:
        s, c = adherence.scheduled, adherence.completed
        return AdherenceFigures(
            scheduled=s,
            completed=c,
            percent=percent(c, s),
            missed=s - c,
            basis="counts as reported (no log of dates, so no missed dates or streak)",
        )
    if adherence.log is None:
        return None
    start = adherence.log_start or (period.start if period else None)
    end = adherence.log_end or (period.end if period else None)
    if start is None or end is None:
        raise InputError(
            f"{source}: adherence.log needs a window: give period (start, end) or adherence.log_start and log_end"
        )
    if end < start:
        raise InputError(f"{source}: adherence: the log window ends ({end}) before it starts ({start})")
    if (end - start).days > 366:
        raise InputError(f"{source}: adherence: the log window is longer than a year ({start} to {end})")
    sched = scheduled_dates(start, end, adherence.planned_days)
    if not sched:
        raise InputError(f"{source}: adherence.planned_days: no planned day falls between {start} and {end}")
    logged = set(adherence.log)
    inside = {d for d in logged if start <= d <= end}
    sched_set = set(sched)
    done = [d in logged for d in sched]
    completed = sum(done)
    if adherence.planned_days:
        names = ", ".join(DAY_NAMES[WEEKDAYS.index(d)] for d in adherence.planned_days)
        basis = f"the HEP's planned days ({names}) from {start.isoformat()} to {end.isoformat()}"
    else:
        basis = f"every day from {start.isoformat()} to {end.isoformat()}"
    return AdherenceFigures(
        scheduled=len(sched),
        completed=completed,
        percent=percent(completed, len(sched)),
        missed=len(sched) - completed,
        missed_dates=[d for d, ok in zip(sched, done) if not ok],
        longest_streak=longest_run(done),
        extra_days=len(inside - sched_set),
        outside_window=len(logged - inside),
        basis=basis,
    )
