"""Local days in a county's zone: times are stored in UTC, but deadlines, cut-offs and `--as-of` are local days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The moment a local day ends (the next local midnight): a deadline or cut-off "on 1 December" covers
    everything that happened on 1 December."""
    return datetime.combine(day + timedelta(days=1), time(), zone)
