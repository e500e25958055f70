"""Fixtures of the rules, reviews and audit tests (registered for all tests by tests/conftest.py): the demo county with
parcels of known land classes, and `inspect`, which records a complete inspection with a chosen evidence
level and runs the rules on it, as the completion hook does after the evidence assessment."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.accounts.models import User
from server.audit.service import inspection_state, record_event
from server.audit.state import INSPECTION_ENTITY
from server.cases.models import ViolationCase
from server.extensions import db
from server.inspections.models import Inspection, InspectionStatus
from server.parcels.models import Parcel
from server.rules.service import apply_rules
from server.territory.models import Village

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKS_OK = {"irrigation_canal": "intact", "drainage_ditch": "intact", "farm_road": "intact", "field_ridge": "intact"}
GRAIN = {"cultivation_status": "grain", "crops": ["rice"], "has_nonag_use": "no", **WORKS_OK}
IDLE = {"cultivation_status": "not_cultivated", "has_nonag_use": "no", "weed_height_cm": 60,
        "idle_duration": "months_3_to_6", **WORKS_OK}


def beijing(year, month, day, hour=10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def building(area_mu: float) -> dict:
    return {**GRAIN, "has_nonag_use": "yes", "problems": [{"problem_type": "building", "area_mu": area_mu}]}


@pytest.fixture
def parcels(demo, forms_published) -> dict[str, Parcel]:
    """Three parcels of village 330481101201 (inspector101201, township 101) with set land classes, and
    one of township 102."""
    own = db.session.scalars(select(Parcel).join(Village).where(Village.code == "330481101201")
                             .order_by(Parcel.code)).all()
    foreign = db.session.scalar(select(Parcel).join(Village).where(Village.code == "330481102201")
                                .order_by(Parcel.code).limit(1))
    chosen = {"pbf": own[0], "grain_zone": own[1], "general": own[2], "foreign": foreign}
    flags = {"pbf": (True, False), "grain_zone": (True, True), "general": (False, False), "foreign": (True, False)}
    for name, (permanent, grain_zone) in flags.items():
        chosen[name].is_permanent_basic, chosen[name].is_grain_zone = permanent, grain_zone
        chosen[name].is_high_standard = False
    db.session.commit()
    return chosen


def inspector_of(parcel: Parcel) -> User:
    return db.session.scalar(select(User).where(User.username == f"inspector{parcel.village.code[-6:]}"))


def inspect(parcel: Parcel, answers: dict, *, level: str = "trusted", at: datetime | None = None,
            now: datetime | None = None, form: tuple[str, int] = ("farmland_patrol", 1)) -> Inspection:
    """A complete inspection of `parcel`, audited and judged by the rules at `now` (default: an hour after the
    visit), as the completion hook does."""
    at = at or beijing(2026, 5, 3)
    user = inspector_of(parcel)
    inspection = Inspection(
        uuid=str(uuid.uuid4()), content_hash=hashlib.sha256(repr(answers).encode()).hexdigest(),
        device_id=user.devices[0].id, inspector_id=user.id, parcel_id=parcel.id, form_id=form[0],
        form_version=form[1], started_at=at - timedelta(minutes=5), finished_at=at, device_utc_offset_min=480,
        lat=30.3, lon=120.2, accuracy_m=5.0, crs="WGS84", answers=answers, status=InspectionStatus.COMPLETE.value,
        received_at=at, completed_at=at, evidence_level=level)
    db.session.add(inspection)
    db.session.flush()
    record_event(INSPECTION_ENTITY, inspection.uuid, "completed", county_id=parcel.county_id,
                 after=inspection_state(inspection), at=at)
    apply_rules([inspection], now=now or at + timedelta(hours=1))
    db.session.commit()
    return inspection


def cases_of(parcel: Parcel) -> list[ViolationCase]:
    return list(db.session.scalars(select(ViolationCase).where(ViolationCase.parcel_id == parcel.id)
                                   .order_by(ViolationCase.id).execution_options(populate_existing=True)))
