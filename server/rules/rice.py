"""粮食生产功能区 每年种植一季以上水稻: the rice requirement judged over a parcel's year, plain functions.

One visit sees one moment: early rice is harvested in July and vegetables may follow, single-season rice
stands from July, late rice from August (DOMAIN 2). So a visit only says whether rice stood then; the year
is judged when its rice season is over (the end of `rice.year_end_month`, October by default): a year
whose trusted visits saw the parcel cultivated and never saw rice has no rice crop. A year of idle visits
only is abandonment's to judge, a year without any trusted visit is not judged at all (no evidence).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from server.rules.codes import CULTIVATED
from server.timezones import end_of_day


@dataclass(frozen=True)
class RiceVisit:
    at: datetime
    cultivation_status: str | None
    crops: frozenset[str]


def rice_seen(visits: Sequence[RiceVisit], year: int, before: datetime, tz: ZoneInfo) -> bool:
    """Whether a visit of the local `year` before `before` saw rice."""
    return any("rice" in v.crops and v.at < before and v.at.astimezone(tz).year == year for v in visits)


def year_without_rice(visits: Sequence[RiceVisit], year: int, year_end_month: int, tz: ZoneInfo) -> int | None:
    """The index of the last cultivated visit of a year that saw no rice (the evidence a case cites), or None."""
    start, end = year_window(year, year_end_month, tz)
    in_year = [(i, v) for i, v in enumerate(visits) if start <= v.at < end]
    if any("rice" in v.crops for _, v in in_year):
        return None
    cultivated = [i for i, v in in_year if v.cultivation_status in CULTIVATED]
    return cultivated[-1] if cultivated else None


def year_window(year: int, year_end_month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From the local new year to the end of the year-end month."""
    last_day = calendar.monthrange(year, year_end_month)[1]
    return (datetime.combine(date(year, 1, 1), time(), tz),
            end_of_day(date(year, year_end_month, last_day), tz))


def last_ended_year(today: date, year_end_month: int) -> int:
    """The latest year whose rice season is over on `today`."""
    return today.year if today.month > year_end_month else today.year - 1
