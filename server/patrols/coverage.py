"""Patrol coverage for reviewers: per village, the routine tasks due in a period and how they stand, the parcels
never patrolled, and per parcel the time since its last complete inspection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

from server.accounts.models import User
from server.accounts.scopes import village_scope
from server.extensions import db
from server.inspections.models import Inspection, InspectionStatus
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask, TaskKind, TaskStatus
from server.territory.models import Township, Village


@dataclass(frozen=True)
class VillageCoverage:
    township: str
    village_code: str
    village: str
    parcels: int
    never_patrolled: int
    due: int
    done: int
    overdue: int  # past due and not done (marked overdue, or still open after the window closed)

    @property
    def done_share(self) -> float | None:
        return self.done / self.due if self.due else None


def _last_complete():
    """Per parcel, the finish time of its latest complete inspection."""
    return (select(Inspection.parcel_id, func.max(Inspection.finished_at).label("last_at"))
            .where(Inspection.status == InspectionStatus.COMPLETE.value).group_by(Inspection.parcel_id).subquery())


def village_coverage(user: User, period_start: datetime, period_end: datetime, now: datetime,
                     township_code: str | None = None) -> list[VillageCoverage]:
    """Routine tasks due in (period_start, period_end] per village in the user's scope: a task is due at the
    midnight that ends its last day, so a month's tasks are due after its first midnight, up to its last."""
    last = _last_complete()
    parcels = (select(Parcel.village_id, func.count(Parcel.id).label("parcels"),
                      func.count(Parcel.id).filter(last.c.last_at.is_(None)).label("never"))
               .outerjoin(last, last.c.parcel_id == Parcel.id).group_by(Parcel.village_id).subquery())
    late = case((PatrolTask.status == TaskStatus.OVERDUE.value, 1),
                (and_(PatrolTask.status == TaskStatus.OPEN.value, PatrolTask.due_at < now), 1), else_=0)
    tasks = (select(Parcel.village_id, func.count(PatrolTask.id).label("due"),
                    func.count(PatrolTask.id).filter(PatrolTask.status == TaskStatus.DONE.value).label("done"),
                    func.sum(late).label("overdue"))
             .join(Parcel, PatrolTask.parcel_id == Parcel.id)
             .where(PatrolTask.kind == TaskKind.ROUTINE.value, PatrolTask.status != TaskStatus.CANCELLED.value,
                    PatrolTask.due_at > period_start, PatrolTask.due_at <= period_end)
             .group_by(Parcel.village_id).subquery())
    query = (select(Township.name, Village.code, Village.name, func.coalesce(parcels.c.parcels, 0),
                    func.coalesce(parcels.c.never, 0), func.coalesce(tasks.c.due, 0), func.coalesce(tasks.c.done, 0),
                    func.coalesce(tasks.c.overdue, 0))
             .join(Township, Village.township_id == Township.id)
             .outerjoin(parcels, parcels.c.village_id == Village.id).outerjoin(tasks, tasks.c.village_id == Village.id)
             .where(village_scope(user)).order_by(Village.code))
    if township_code:
        query = query.where(Township.code == township_code)
    return [VillageCoverage(*row) for row in db.session.execute(query)]


def parcel_last_patrols(user: User, township_code: str | None = None) -> list[tuple[Parcel, datetime | None]]:
    """Every parcel in scope (of one township if given) with the time of its last complete inspection."""
    last = _last_complete()
    query = (select(Parcel, last.c.last_at).join(Village, Parcel.village_id == Village.id)
             .outerjoin(last, last.c.parcel_id == Parcel.id).where(village_scope(user)).order_by(Parcel.id))
    if township_code:
        query = query.join(Township, Village.township_id == Township.id).where(Township.code == township_code)
    return [(parcel, last_at) for parcel, last_at in db.session.execute(query)]
