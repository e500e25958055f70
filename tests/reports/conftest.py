"""A village with the areas of the DOMAIN.md §3 worked example (3,000 亩 永久基本农田 + 500 亩 一般耕地 =
205,000 元 at the Cixi rates), helpers for confirmed cases and missed patrol tasks, and the review tests' login."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from server.accounts.models import User
from server.cases import service as cases
from server.extensions import db
from server.parcels.geometry import SQUARE_METRES_PER_MU
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask, TaskStatus
from server.reports import service
from server.reports.snapshot import period_of
from server.territory.models import Village
from server.territory.service import get_county
from tests.reviews.fixtures import beijing, building, cases_of, inspect

VILLAGE = "330481101201"
YEAR_END = date(2026, 12, 31)


@pytest.fixture
def worked(demo, forms_published) -> dict[str, list[Parcel]]:
    """Village 330481101201: six 永农 parcels of 500 亩 and four 一般耕地 parcels of 125 亩 (registered areas)."""
    parcels = db.session.scalars(select(Parcel).join(Village).where(Village.code == VILLAGE)
                                 .order_by(Parcel.code)).all()
    for index, parcel in enumerate(parcels):
        pbf = index < 6
        parcel.is_permanent_basic, parcel.is_grain_zone, parcel.is_high_standard = pbf, False, False
        parcel.rate_class = "permanent_basic" if pbf else "general_farmland"
        # 永农 parcels carry the 三调 land-class area (TBDLMJ), which wins over the gross TBMJ; the others TBMJ only.
        parcel.land_class_area_m2 = 500 * SQUARE_METRES_PER_MU if pbf else None
        parcel.source_area_m2 = (520 if pbf else 125) * SQUARE_METRES_PER_MU
    db.session.commit()
    return {"pbf": parcels[:6], "general": parcels[6:]}


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def confirmed_case(parcel: Parcel, area_mu: float, *, at=None):
    """A 非农化 (building) case on trusted evidence, confirmed by the township reviewer."""
    inspect(parcel, building(area_mu), at=at or beijing(2026, 5, 3))
    case = cases_of(parcel)[-1]
    return cases.transition(user("reviewer101"), case.id, "confirm", now=beijing(2026, 5, 4))


def missed_tasks(parcel: Parcel, missed: int, done: int) -> None:
    for index in range(missed + done):
        due = beijing(2026, 3, 1) + timedelta(days=15 * index)
        db.session.add(PatrolTask(parcel_id=parcel.id, period_key=f"test-{index}", opens_at=due - timedelta(days=14),
                                  due_at=due, status=TaskStatus.OVERDUE.value if index < missed else TaskStatus.DONE.value))
    db.session.commit()


def village_result(report, code: str = VILLAGE) -> dict:
    return next(v for v in report.result["villages"] if v["code"] == code)


def year_report(county_code: str = "330481", **kwargs):
    return service.compute(get_county(county_code), period_of("year", 2026), YEAR_END, **kwargs)
