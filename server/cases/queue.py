"""The township reviewer's queue: cases in scope filtered the way reviewers work through them, overdue first.

A case's evidence level is that of its newest observation: what the latest visit's photos showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func

from server.accounts.models import User
from server.cases import workflow
from server.cases.models import ViolationCase, latest_evidence_level
from server.cases.service import cases_query
from server.extensions import db
from server.timezones import end_of_day

DOUBTS, VIOLATIONS = "doubts", "violations"
# Overdue first (escalated), then what awaits the reviewer's decision, then the rest; closed cases last.
_URGENCY = {workflow.OVERDUE: 0, workflow.FAILED: 1, workflow.SUBMITTED: 2, workflow.FLAGGED: 3,
            workflow.CONFIRMED: 4, workflow.ORDERED: 5, workflow.DOUBT: 6, workflow.DISMISSED: 7, workflow.CLOSED: 8}

@dataclass(frozen=True)
class QueueFilter:
    tab: str = VIOLATIONS  # doubts: cases whose evidence is not trusted, waiting for a re-check
    status: str | None = None
    village_code: str | None = None
    category: str | None = None
    evidence_level: str | None = None
    deadline_by: date | None = None  # rectification deadline on or before this local day


def queue_query(user: User, filters: QueueFilter, zone: ZoneInfo) -> Select:
    """Cases matching the filter, most urgent first; within a state, the nearest deadline, then the newest."""
    return (_filtered(user, filters, zone, with_status=True).order_by(None)
            .order_by(case(_URGENCY, value=ViolationCase.status, else_=9), ViolationCase.deadline_at.asc().nulls_last(),
                      ViolationCase.last_observed_at.desc(), ViolationCase.id.desc()))


def status_counts(user: User, filters: QueueFilter, zone: ZoneInfo) -> dict[str, int]:
    """How many cases of the tab are in each state, under every other filter."""
    query = _filtered(user, filters, zone, with_status=False).order_by(None)
    rows = query.with_only_columns(ViolationCase.status, func.count(ViolationCase.id)).group_by(ViolationCase.status)
    counts = dict(db.session.execute(rows).all())
    return {status: counts.get(status, 0) for status in _tab_statuses(filters.tab)}


def _tab_statuses(tab: str) -> tuple[str, ...]:
    return (workflow.DOUBT,) if tab == DOUBTS else tuple(s for s in workflow.STATUSES if s != workflow.DOUBT)


def _filtered(user: User, filters: QueueFilter, zone: ZoneInfo, *, with_status: bool) -> Select:
    query = cases_query(user, village_code=filters.village_code).where(
        ViolationCase.status.in_(_tab_statuses(filters.tab)))
    if with_status and filters.status:
        query = query.where(ViolationCase.status == filters.status)
    if filters.category:
        query = query.where(ViolationCase.category == filters.category)
    if filters.evidence_level:
        query = query.where(latest_evidence_level == filters.evidence_level)
    if filters.deadline_by:
        query = query.where(ViolationCase.deadline_at < end_of_day(filters.deadline_by, zone))
    return query
