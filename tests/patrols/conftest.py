from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.parcels.models import Parcel
from server.patrols import service
from server.patrols.models import PatrolPlan, PatrolTask

SHANGHAI = ZoneInfo("Asia/Shanghai")


def beijing(year, month, day, hour=10, minute=0) -> datetime:
    """The injected clock: a moment in the county's time, as the services receive it."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def county(demo):
    """The demo county (40 parcels, one inspector per village) with the default plans since 2026-01-01."""
    service.init_default_plans(demo.county_code, effective_from=date(2026, 1, 1))
    return demo


def task_keys(**filters) -> dict[str, set[str]]:
    """{parcel code: {period keys}} of the tasks matching the filters."""
    query = select(Parcel.code, PatrolTask.period_key).join(Parcel, PatrolTask.parcel_id == Parcel.id)
    for name, value in filters.items():
        query = query.where(getattr(PatrolTask, name) == value)
    result: dict[str, set[str]] = {}
    for code, key in db.session.execute(query):
        result.setdefault(code, set()).add(key)
    return result


def task_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PatrolTask))


def half_monthly_parcels() -> set[str]:
    """Parcels under a half-monthly default plan (永农 or 粮功区); the rest are patrolled monthly."""
    return set(db.session.scalars(select(Parcel.code).where(Parcel.is_permanent_basic | Parcel.is_grain_zone)))


def plan_id(code: str) -> int:
    return db.session.scalar(select(PatrolPlan.id).where(PatrolPlan.code == code))
