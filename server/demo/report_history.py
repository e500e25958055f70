"""A year of compensation history for the demo county, so that `scripts/run` shows a real report: the
Cixi rates published (with a mid-year change, to show pro-rating), confirmed violation cases in the states
that matter (open, rectified in time, overdue, dismissed), missed patrols, and the year's issued report.

Cases arise the real way, as in `server.demo.history`: an inspection pushed and its photos uploaded, which
completes it (evidence checks, rules, cases), then the reviewer's transitions.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from server.accounts.models import User
from server.cases import service as cases
from server.cases.models import ViolationCase
from server.demo.history import GRAIN, History
from server.demo.photos import LONG_SIDE_PX
from server.extensions import db
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask, TaskStatus
from server.reports import service as reports
from server.reports.models import CompensationReport
from server.reports.snapshot import period_of
from server.rules.versions import publish_rules
from server.sync import changelog
from server.territory.service import get_county

_SCENARIOS = (
    {**GRAIN, "has_nonag_use": "yes", "problems": [{"problem_type": "building", "area_mu": 0.6}]},
    {**GRAIN, "has_nonag_use": "yes", "problems": [{"problem_type": "dumping_fill", "area_mu": 1.2}]},
    {**GRAIN, "drainage_ditch": "damaged", "drainage_ditch_note": "排水沟坍塌约20米"},
    {**GRAIN, "has_nonag_use": "yes", "problems": [{"problem_type": "hardening", "area_mu": 0.8}]},
)
# What the reviewer then does with the case, in turn: confirm; confirm, order and verify in time (waived);
# confirm, order and let the deadline pass (overdue); dismiss (never counts).
_OUTCOMES = ("confirmed", "rectified", "overdue", "dismissed")


def build_report_history(county_code: str, year: int, *, cases_count: int = 12, seed: int = 20261127,
                         photo_long_side_px: int = LONG_SIDE_PX) -> CompensationReport:
    county = get_county(county_code)
    tz = county.zone
    publish_rules(county_code, {}, date(year, 1, 1),
                  note="演示: 慈溪市标准 永久基本农田 60、一般耕地 50 元/亩/年")
    publish_rules(county_code, {"compensation": {"rates_yuan_per_mu_year": {"permanent_basic": "65"}}},
                  date(year, 7, 1), note="演示: 年中上调永久基本农田补偿标准")
    issued_at = datetime(year + 1, 1, 10, 3, 5, tzinfo=tz)
    history = History(county, None, issued_at, seed, photo_long_side_px)
    rng = random.Random(seed)
    parcels = db.session.scalars(select(Parcel).where(Parcel.county_id == county.id).order_by(Parcel.id)).all()
    for index, parcel in enumerate(rng.sample(parcels, min(cases_count, len(parcels)))):
        seen = datetime(year, 3 + index % 8, 3 + index, 10, tzinfo=tz)
        case = history.problem(parcel, _SCENARIOS[index % len(_SCENARIOS)], at=seen)
        if case is not None:
            _review(history, case, parcel, _OUTCOMES[index % len(_OUTCOMES)], seen)
    missed = []
    for index, parcel in enumerate(rng.sample(parcels, min(8, len(parcels)))):
        due = datetime(year, 4 + index, 16, tzinfo=tz)
        missed.append(PatrolTask(parcel_id=parcel.id, period_key=f"demo-{year}-{index}", opens_at=due - timedelta(days=15),
                                 due_at=due, status=TaskStatus.OVERDUE.value, created_at=due, updated_at=due))
    db.session.add_all(missed)
    db.session.flush()
    changelog.record_tasks(db.session, [(task.uuid, task.parcel_id, [task.inspector_id]) for task in missed])
    db.session.commit()
    period = period_of("year", year)
    return reports.issue(county, period, period.end - timedelta(days=1), now=issued_at)


def _review(history: History, case: ViolationCase, parcel: Parcel, outcome: str, seen: datetime) -> None:
    reviewer = db.session.scalar(select(User).where(User.username == f"reviewer{parcel.village.code[6:9]}"))
    day = timedelta(days=1)
    if outcome == "dismissed":
        cases.transition(reviewer, case.id, "dismiss", note="现场为临时堆放, 已清理", now=seen + day)
        return
    cases.transition(reviewer, case.id, "confirm", now=seen + day)
    if outcome == "confirmed":
        return
    deadline = (seen + 20 * day).date()
    cases.transition(reviewer, case.id, "order_rectification", deadline=deadline, now=seen + 2 * day)
    if outcome == "rectified":
        history.inspect(parcel, GRAIN, seen + 10 * day)
        cases.transition(reviewer, case.id, "verify", now=seen + 11 * day)
    else:
        cases.mark_overdue_cases(now=seen + 25 * day)
