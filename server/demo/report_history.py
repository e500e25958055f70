"""A year of compensation history for the demo county, so that `scripts/run` shows a real report: the
Cixi rates published (with a mid-year change, to show pro-rating), confirmed violation cases in the states
that matter (open, rectified in time, overdue, dismissed), missed patrols, and the year's issued report.

Cases arise the real way: a complete inspection judged by the rules, then the reviewer's transitions.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select

from server.accounts.models import User
from server.audit.service import inspection_state, record_event
from server.cases import service as cases
from server.cases.models import ViolationCase
from server.extensions import db
from server.inspections.models import Inspection, InspectionStatus
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask, TaskStatus
from server.reports import service as reports
from server.reports.models import CompensationReport
from server.reports.snapshot import period_of
from server.rules.service import apply_rules
from server.rules.versions import publish_rules
from server.sync import changelog
from server.territory.service import get_county

_WORKS_OK = {"irrigation_canal": "intact", "drainage_ditch": "intact", "farm_road": "intact", "field_ridge": "intact"}
_CLEAN = {"cultivation_status": "grain", "crops": ["rice"], "has_nonag_use": "no", **_WORKS_OK}
_SCENARIOS = (
    {**_CLEAN, "has_nonag_use": "yes", "problems": [{"problem_type": "building", "area_mu": 0.6}]},
    {**_CLEAN, "has_nonag_use": "yes", "problems": [{"problem_type": "dumping_fill", "area_mu": 1.2}]},
    {**_CLEAN, "drainage_ditch": "damaged", "drainage_ditch_note": "排水沟坍塌约20米"},
    {**_CLEAN, "has_nonag_use": "yes", "problems": [{"problem_type": "hardening", "area_mu": 0.8}]},
)
# What the reviewer then does with the case, in turn: confirm; confirm, order and verify in time (waived);
# confirm, order and let the deadline pass (overdue); dismiss (never counts).
_OUTCOMES = ("confirmed", "rectified", "overdue", "dismissed")


def build_report_history(county_code: str, year: int, *, cases_count: int = 12, seed: int = 20261127
                         ) -> CompensationReport:
    county = get_county(county_code)
    tz = county.zone
    publish_rules(county_code, {}, date(year, 1, 1),
                  note="演示: 慈溪市标准 永久基本农田 60、一般耕地 50 元/亩/年")
    publish_rules(county_code, {"compensation": {"rates_yuan_per_mu_year": {"permanent_basic": "65"}}},
                  date(year, 7, 1), note="演示: 年中上调永久基本农田补偿标准")
    rng = random.Random(seed)
    parcels = db.session.scalars(select(Parcel).where(Parcel.county_id == county.id).order_by(Parcel.id)).all()
    for index, parcel in enumerate(rng.sample(parcels, min(cases_count, len(parcels)))):
        seen = datetime(year, 3 + index % 8, 3 + index, 10, tzinfo=tz)
        _inspect(parcel, _SCENARIOS[index % len(_SCENARIOS)], seen)
        case = db.session.scalar(select(ViolationCase).where(ViolationCase.parcel_id == parcel.id)
                                 .order_by(ViolationCase.id.desc()).limit(1))
        if case is not None:
            _review(case, parcel, _OUTCOMES[index % len(_OUTCOMES)], seen)
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
    return reports.issue(county, period, period.end - timedelta(days=1), now=datetime(year + 1, 1, 10, 3, 5, tzinfo=tz))


def _review(case: ViolationCase, parcel: Parcel, outcome: str, seen: datetime) -> None:
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
        _inspect(parcel, _CLEAN, seen + 10 * day)
        cases.transition(reviewer, case.id, "verify", now=seen + 11 * day)
    else:
        cases.mark_overdue_cases(now=seen + 25 * day)


def _inspect(parcel: Parcel, answers: dict, at: datetime) -> None:
    """A complete inspection on trusted evidence by the village's demo inspector, judged by the rules."""
    inspector = db.session.scalar(select(User).where(User.username == f"inspector{parcel.village.code[6:]}"))
    inspection = Inspection(
        uuid=str(uuid.uuid4()), content_hash=hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest(),
        device_id=inspector.devices[0].id, inspector_id=inspector.id, parcel_id=parcel.id, form_id="farmland_patrol",
        form_version=1, started_at=at - timedelta(minutes=6), finished_at=at, device_utc_offset_min=480,
        lat=parcel.min_lat, lon=parcel.min_lon, accuracy_m=4.0, crs="WGS84", answers=answers,
        status=InspectionStatus.COMPLETE.value, received_at=at, completed_at=at, evidence_level="trusted")
    db.session.add(inspection)
    db.session.flush()
    record_event("inspection", inspection.uuid, "completed", county_id=parcel.county_id,
                 after=inspection_state(inspection), at=at)
    apply_rules([inspection], now=at + timedelta(hours=1))
    db.session.commit()
