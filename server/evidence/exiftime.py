"""EXIF date, time and offset strings to Python values.

Cameras write placeholders ("0000:00:00 00:00:00", blanks) and impossible dates
("2014:09:259", "1999:99:99"). Each parser returns None for those so the caller can say
"absent" with a note instead of failing or inventing a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from .rationals import ratio_to_float

_DATETIME = re.compile(r"^(\d{4})[:\-](\d{2})[:\-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_DATE = re.compile(r"^(\d{4})[:\-](\d{2})[:\-](\d{2})$")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def _clean(text: str | None) -> str:
    return (text or "").replace("\x00", "").strip()


def parse_exif_datetime(text: str | None) -> datetime | None:
    """'YYYY:MM:DD HH:MM:SS' to a naive datetime; None for blanks, zeros and impossible dates."""
    match = _DATETIME.match(_clean(text))
    if not match:
        return None
    try:
        return datetime(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_exif_date(text: str | None) -> date | None:
    """GPSDateStamp 'YYYY:MM:DD'; trailing junk ('2014:09:259') makes it absent."""
    match = _DATE.match(_clean(text))
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_offset(text: str | None) -> timezone | None:
    """OffsetTimeOriginal '+08:00' to a timezone; None if absent or out of the real range."""
    match = _OFFSET.match(_clean(text))
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if int(minutes) >= 60 or delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


def gps_datetime_utc(date_text: str | None, time_values: Sequence[Any] | None) -> datetime | None:
    """GPSDateStamp + GPSTimeStamp (three rationals, UTC) to an aware UTC datetime."""
    day = parse_exif_date(date_text)
    if day is None or not time_values or len(time_values) != 3:
        return None
    hms = [ratio_to_float(v) for v in time_values]
    if any(v is None or v < 0 for v in hms):
        return None
    hours, minutes, seconds = hms
    if hours >= 24 or minutes >= 60 or seconds >= 61:
        return None
    midnight = datetime.combine(day, time(0), tzinfo=timezone.utc)
    return midnight + timedelta(hours=hours, minutes=minutes, seconds=seconds)
