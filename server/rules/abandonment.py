"""撂荒 over time: a pure function over a parcel's history of complete inspections.

One visit to an empty field proves little (the crop may go in next week, or it is winter), so the
rule reads the whole history since the last crop: an idle observation inside a main season that has
ended is a missed season (flag `ABANDON_SEASONAL`); idle observations spanning `confirm_after_months`
confirm `ABANDON_YEAR`. Approved 休耕 (`fallow`) counts like a crop: the field is not abandoned.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from server.rules.codes import CULTIVATED, FALLOW, NOT_CULTIVATED
from server.rules.config import AbandonmentRules


@dataclass(frozen=True)
class AbandonmentFinding:
    code: str
    idle_since: datetime
    last_index: int  # the history entry that carries the finding (the latest idle observation)
    missed_seasons: tuple[int, ...]  # the years whose main season was missed


def assess_abandonment(history: Sequence[tuple[datetime, str]], rules: AbandonmentRules, now: datetime,
                       tz: ZoneInfo) -> AbandonmentFinding | None:
    """`history` is (observed_at, cultivation_status) in time order; `now` decides which seasons have ended."""
    last_crop = max((i for i, (_, status) in enumerate(history) if status in CULTIVATED or status == FALLOW),
                    default=-1)
    idle = [(i, at) for i, (at, status) in enumerate(history[last_crop + 1:], start=last_crop + 1)
            if status == NOT_CULTIVATED and at.astimezone(tz).month not in rules.winter_fallow_months]
    if not idle:
        return None
    since, (last_index, last_at) = idle[0][1], idle[-1]
    missed = _missed(idle, rules, now, tz)
    if _add_months(since.astimezone(tz).date(), rules.confirm_after_months) <= last_at.astimezone(tz).date():
        return AbandonmentFinding("ABANDON_YEAR", since, last_index, missed)
    if len(missed) >= rules.flag_after_missed_main_seasons:
        return AbandonmentFinding("ABANDON_SEASONAL", since, last_index, missed)
    return None


def _missed(idle: list[tuple[int, datetime]], rules: AbandonmentRules, now: datetime, tz: ZoneInfo) -> tuple[int, ...]:
    """Years whose main season saw the field idle and is over by `now` (a crop may still go in before)."""
    today = now.astimezone(tz).date()
    end_month = max(rules.main_season_months)
    years = {at.astimezone(tz).year for _, at in idle if at.astimezone(tz).month in rules.main_season_months}
    return tuple(sorted(y for y in years if _add_months(date(y, end_month, 1), 1) <= today))


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
