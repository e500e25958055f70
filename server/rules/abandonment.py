"""撂荒 over time: a pure function over a parcel's history of complete inspections.

One visit to an empty field proves little (the crop may go in next week, or it is winter), so the
rule reads the whole history since the last crop and needs `min_idle_visits` idle visits at least
`min_idle_span_days` apart: an idle observation inside a main season that has ended is a missed season
(flag `ABANDON_SEASONAL`); idle observations spanning `confirm_after_months`, or showing weeds or shrubs
of `shrub_height_cm` or a field idle for `idle_sign_months` by the look of it, confirm `ABANDON_YEAR`.
Approved 休耕 (`fallow`) counts like a crop: the field is not abandoned. Which visits may enter the
history (a crop on untrusted evidence may not clear it) the caller decides.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.rules.codes import CULTIVATED, FALLOW, NOT_CULTIVATED
from server.rules.config import AbandonmentEvidenceRules, AbandonmentRules
from server.rules.observations import IDLE_DURATION_MONTHS


@dataclass(frozen=True)
class Seen:
    """One visit as the abandonment rule reads it."""

    at: datetime
    status: str | None
    weed_height_cm: float | None = None
    idle_duration: str | None = None


@dataclass(frozen=True)
class AbandonmentFinding:
    code: str
    idle_since: datetime
    last_index: int  # the history entry that carries the finding (the latest idle observation)
    missed_seasons: tuple[int, ...]  # the years whose main season was missed


def assess_abandonment(history: Sequence[Seen], rules: AbandonmentRules, evidence: AbandonmentEvidenceRules,
                       now: datetime, tz: ZoneInfo) -> AbandonmentFinding | None:
    """`history` is in time order; `now` decides which seasons have ended."""
    last_crop = max((i for i, seen in enumerate(history) if seen.status in CULTIVATED or seen.status == FALLOW),
                    default=-1)
    idle_seen = [(i, seen) for i, seen in enumerate(history[last_crop + 1:], start=last_crop + 1)
                 if seen.status == NOT_CULTIVATED and seen.at.astimezone(tz).month not in rules.winter_fallow_months]
    if not _enough(idle_seen, evidence):
        return None
    idle = [(i, seen.at) for i, seen in idle_seen]
    since, (last_index, last_at) = idle[0][1], idle[-1]
    missed = _missed(idle, rules, now, tz)
    if (_add_months(since.astimezone(tz).date(), rules.confirm_after_months) <= last_at.astimezone(tz).date()
            or any(_year_sign(seen, evidence) for _, seen in idle_seen)):
        return AbandonmentFinding("ABANDON_YEAR", since, last_index, missed)
    if len(missed) >= rules.flag_after_missed_main_seasons:
        return AbandonmentFinding("ABANDON_SEASONAL", since, last_index, missed)
    return None


def _enough(idle: list[tuple[int, Seen]], evidence: AbandonmentEvidenceRules) -> bool:
    """At least the minimum number of idle visits, the first and last some weeks apart."""
    if not idle or len(idle) < evidence.min_idle_visits:
        return False
    return (evidence.min_idle_visits < 2
            or idle[-1][1].at - idle[0][1].at >= timedelta(days=evidence.min_idle_span_days))


def _year_sign(seen: Seen, evidence: AbandonmentEvidenceRules) -> bool:
    """Tall weeds or shrubs, or a field that looks idle for a year: 常年撂荒 by its look (DOMAIN 2)."""
    return ((seen.weed_height_cm is not None and seen.weed_height_cm >= evidence.shrub_height_cm)
            or IDLE_DURATION_MONTHS.get(seen.idle_duration, 0) >= evidence.idle_sign_months)


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
