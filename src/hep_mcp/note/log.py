"""Adherence logs exported from the clinic's channel: a CSV file or a JSON list of dates.

CSV: one date per row, in a column named ``date`` (any case) or else the first
column; a header row is optional. JSON: a list of date strings, or of objects
with a ``date`` key. Dates are ISO (``2024-03-04``); a timestamp
(``2024-03-04T07:15:00``) counts for its date. Errors name the file and row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from hep_mcp.errors import InputError

ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.+\-Z]*)?\s*$")


def parse_date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = ISO_DATE.match(str(value))
    if m:
        try:
            return dt.date.fromisoformat(m.group(1))
        except ValueError:
            pass
    raise InputError(f"{where}: {str(value)[:40]!r} is not a date; expected YYYY-MM-DD")


def parse_log(text: str, source: str) -> list[dt.date]:
    """Dates from a CSV or JSON log (JSON when the text starts with '[' or the file ends in .json)."""
    stripped = text.lstrip()
    if source.lower().endswith(".json") or stripped.startswith("["):
        return _json_log(text, source)
    return _csv_log(text, source)


def _json_log(text: str, source: str) -> list[dt.date]:
    from hep_mcp.textio import safe_json

    data = safe_json(text, source)
    if not isinstance(data, list):
        raise InputError(f"{source}: expected a JSON list of dates, got {type(data).__name__}")
    out = []
    for i, item in enumerate(data):
        if isinstance(item, dict):
            if "date" not in item:
                raise InputError(f"{source}: item {i}: expected a 'date' key")
            item = item["date"]
        out.append(parse_date(item, f"{source}: item {i}"))
    return out


def _csv_log(text: str, source: str) -> list[dt.date]:
    try:
        rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise InputError(f"{source}: invalid CSV ({exc})") from None
    if not rows:
        raise InputError(f"{source}: empty log; expected one date per row")
    col, first = 0, 0
    header = [c.strip().lower() for c in rows[0]]
    if not ISO_DATE.match(rows[0][0]) :
        if "date" in header:
            col = header.index("date")
            first = 1
        elif not any(ISO_DATE.match(c) for c in rows[0]):
            first = 1  # a header without a 'date' column: dates are in the first column
    out = []
    for n, row in enumerate(rows[first:], start=first + 1):
        if col >= len(row):
            raise InputError(f"{source}: row {n}: no column {col + 1}")
        out.append(parse_date(row[col], f"{source}: row {n}"))
    return out
