"""The scheduled reports (declared in server/jobs/schedule.py). Both are safe to run twice and catch up
after downtime: they look at what exists, not at whether today is the day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from server.db_types import utcnow
from server.extensions import db
from server.reports import service
from server.reports.models import CompensationReport
from server.reports.snapshot import period_of
from server.rules.versions import rules_in_force
from server.territory.models import County


def issue_previous_year(now: datetime | None = None) -> int:
    """From each county's configured date on (compensation.annual_issue_date, default 01-10), issue the
    previous year's report if it has no issued version yet. Returns how many it issued."""
    now = now or utcnow()
    issued = 0
    for county in _counties():
        today = now.astimezone(county.zone).date()
        month, day = rules_in_force(county, today)[1].compensation.annual_issue_date
        period = period_of("year", today.year - 1)
        if today >= date(today.year, month, day) and service.latest_issued(county, period) is None:
            service.issue(county, period, period.end - timedelta(days=1), now=now)
            issued += 1
    return issued


def draft_previous_quarter(now: datetime | None = None) -> int:
    """After each quarter, its draft (once: a later computation is on demand). Returns how many it drafted."""
    now = now or utcnow()
    drafted = 0
    for county in _counties():
        today = now.astimezone(county.zone).date()
        quarter = (today.month - 1) // 3  # the one before the current, 0 = last year's fourth
        period = period_of("quarter", today.year - 1, 4) if quarter == 0 else period_of("quarter", today.year, quarter)
        exists = db.session.scalar(select(CompensationReport.id).where(
            CompensationReport.county_id == county.id, CompensationReport.period_kind == period.kind,
            CompensationReport.period_start == period.start).limit(1))
        if exists is None:
            service.compute(county, period, period.end - timedelta(days=1), now=now)
            drafted += 1
    return drafted


def _counties() -> list[County]:
    return list(db.session.scalars(select(County).order_by(County.code)))
