"""Periods and windows are pure date arithmetic: tested without a database."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from server.patrols.periods import (ScheduleError, parse_schedule, period_containing, periods_covering,
                                    periods_per_year)
from server.patrols.plans import MONTHLY, SEASONAL_HALF_MONTH

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEASONAL = parse_schedule(SEASONAL_HALF_MONTH)


def test_growing_season_is_half_monthly():
    first = period_containing(SEASONAL, date(2026, 6, 10))
    second = period_containing(SEASONAL, date(2026, 6, 16))
    assert (first.key, first.first_day, first.last_day) == ("2026-06-H1", date(2026, 6, 1), date(2026, 6, 15))
    assert (second.key, second.first_day, second.last_day) == ("2026-06-H2", date(2026, 6, 16), date(2026, 6, 30))


def test_off_season_is_monthly():
    period = period_containing(SEASONAL, date(2026, 12, 24))
    assert (period.key, period.first_day, period.last_day) == ("2026-12", date(2026, 12, 1), date(2026, 12, 31))
    assert period_containing(parse_schedule(MONTHLY), date(2026, 6, 10)).key == "2026-06"


def test_window_is_local_midnight_stored_in_utc():
    opens, due = period_containing(SEASONAL, date(2026, 6, 10)).window(SHANGHAI)
    assert opens == datetime(2026, 5, 31, 16, tzinfo=timezone.utc)
    assert due == datetime(2026, 6, 15, 16, tzinfo=timezone.utc)
    assert opens.tzinfo is timezone.utc


@pytest.mark.parametrize("schedule", [SEASONAL_HALF_MONTH, MONTHLY,
                                      {"growing_months": [4, 10], "growing_period": "week",
                                       "off_season_period": "half_month"},
                                      {"growing_months": [1, 12], "growing_period": "week",
                                       "off_season_period": "month"}])
def test_periods_tile_the_calendar(schedule):
    """No gap, no overlap, unique keys, across a leap year and both year ends."""
    parsed = parse_schedule(schedule)
    periods = list(periods_covering(parsed, date(2027, 12, 20), date(2029, 1, 10)))
    assert periods[0].first_day <= date(2027, 12, 20) and periods[-1].last_day >= date(2029, 1, 10)
    for before, after in zip(periods, periods[1:]):
        assert after.first_day == before.last_day + timedelta(days=1)
    assert len({p.key for p in periods}) == len(periods)


def test_a_week_is_cut_at_the_season_change():
    weekly = parse_schedule({"growing_months": [4, 10], "growing_period": "week", "off_season_period": "month"})
    march = period_containing(weekly, date(2026, 3, 31))
    first_week = period_containing(weekly, date(2026, 4, 1))
    assert (march.key, march.last_day) == ("2026-03", date(2026, 3, 31))
    assert (first_week.key, first_week.first_day, first_week.last_day) == ("2026-W14", date(2026, 4, 1),
                                                                            date(2026, 4, 5))


def test_frequency_ranks_plans():
    assert periods_per_year(SEASONAL) == 7 * 2 + 5
    assert periods_per_year(parse_schedule(MONTHLY)) == 12


@pytest.mark.parametrize("schedule", [{}, {"growing_months": [10, 4], "growing_period": "month",
                                            "off_season_period": "month"},
                                      {"growing_months": [4, 10], "growing_period": "daily",
                                       "off_season_period": "month"}])
def test_bad_schedules_are_refused(schedule):
    with pytest.raises(ScheduleError):
        parse_schedule(schedule)
