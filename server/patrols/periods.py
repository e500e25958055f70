"""Patrol periods: pure date arithmetic, no database.

A plan's `schedule` names a period length for the growing season and one for the rest of the year, e.g.
{"growing_months": [4, 10], "growing_period": "half_month", "off_season_period": "month"}. Periods tile
the calendar: they never overlap and leave no gap, so one task per parcel per period covers the year.
A week that straddles a season boundary is cut at the boundary (its key stays the ISO week's).

A period's window opens at 00:00 local time on its first day and is due at 00:00 on the day after its
last day, computed in the county's time zone and returned in UTC for storage.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from server.timezones import end_of_day

PERIOD_KINDS = ("week", "half_month", "month")


class ScheduleError(ValueError):
    """A plan's schedule is not usable; the message is shown to the county admin."""


@dataclass(frozen=True)
class Schedule:
    growing_start_month: int
    growing_end_month: int
    growing_period: str
    off_season_period: str

    def kind_on(self, day: date) -> str:
        in_season = self.growing_start_month <= day.month <= self.growing_end_month
        return self.growing_period if in_season else self.off_season_period


@dataclass(frozen=True)
class Period:
    key: str
    first_day: date
    last_day: date

    def window(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """(opens_at, due_at) in UTC: local midnight at the start, local midnight after the last day."""
        opens = datetime.combine(self.first_day, time(0), tz)
        due = end_of_day(self.last_day, tz)
        return opens.astimezone(timezone.utc), due.astimezone(timezone.utc)


def parse_schedule(data: dict) -> Schedule:
    try:
        start_month, end_month = (int(m) for m in data["growing_months"])
        growing, off_season = data["growing_period"], data["off_season_period"]
    except (KeyError, TypeError, ValueError) as exc:
        raise ScheduleError("巡查计划缺少 growing_months、growing_period 或 off_season_period") from exc
    if not 1 <= start_month <= end_month <= 12:
        raise ScheduleError(f"生长季月份无效: {start_month}–{end_month}")
    for kind in (growing, off_season):
        if kind not in PERIOD_KINDS:
            raise ScheduleError(f"巡查周期应为 {'/'.join(PERIOD_KINDS)} 之一: {kind!r}")
    return Schedule(start_month, end_month, growing, off_season)


def period_containing(schedule: Schedule, day: date) -> Period:
    kind = schedule.kind_on(day)
    if kind == "month":
        return Period(f"{day:%Y-%m}", day.replace(day=1), _month_end(day))
    if kind == "half_month":
        if day.day <= 15:
            return Period(f"{day:%Y-%m}-H1", day.replace(day=1), day.replace(day=15))
        return Period(f"{day:%Y-%m}-H2", day.replace(day=16), _month_end(day))
    iso_year, iso_week, _ = day.isocalendar()
    first, last = day, day
    while first.isoweekday() > 1 and schedule.kind_on(first - timedelta(days=1)) == "week":
        first -= timedelta(days=1)
    while last.isoweekday() < 7 and schedule.kind_on(last + timedelta(days=1)) == "week":
        last += timedelta(days=1)
    return Period(f"{iso_year}-W{iso_week:02d}", first, last)


def periods_covering(schedule: Schedule, first: date, last: date) -> Iterator[Period]:
    """Every period that contains a day of [first, last], in order."""
    day = first
    while day <= last:
        period = period_containing(schedule, day)
        yield period
        day = period.last_day + timedelta(days=1)


def periods_per_year(schedule: Schedule) -> int:
    """How many periods a (non-leap) year has: the measure of how often a plan patrols."""
    return sum(1 for _ in periods_covering(schedule, date(2025, 1, 1), date(2025, 12, 31)))


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
