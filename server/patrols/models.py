from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import User
from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.parcels.models import Parcel


class TaskKind(str, enum.Enum):
    ROUTINE = "routine"
    RECHECK = "recheck"


class TaskStatus(str, enum.Enum):
    OPEN = "open"
    DONE = "done"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


class PatrolPlan(db.Model):
    """How often parcels of a land class (optionally of one project) must be patrolled in a county.

    `schedule` is data, e.g. {"growing_months": [4, 10], "growing_period": "half_month",
    "off_season_period": "month"}, so that counties change frequencies without code.
    """

    __tablename__ = "patrol_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    land_class: Mapped[str] = mapped_column(String(32))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("consolidation_projects.id"))
    schedule: Mapped[dict] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    effective_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("county_id", "code"),)


class PatrolTask(db.Model):
    """One parcel to inspect in one period. The unique key makes generation idempotent across runs and
    processes; re-check tasks (ordered by a review) have no plan and carry their reason instead."""

    __tablename__ = "patrol_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    kind: Mapped[str] = mapped_column(String(16), default=TaskKind.ROUTINE.value)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_plans.id"))
    # No index of its own: the unique key (parcel, plan, period) leads with it, and generation pays for every index.
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    period_key: Mapped[str] = mapped_column(String(32))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN.value)
    reason: Mapped[str | None] = mapped_column(String(500))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parcel: Mapped[Parcel] = relationship()
    inspector: Mapped[User | None] = relationship()
    plan: Mapped[PatrolPlan | None] = relationship()

    __table_args__ = (
        UniqueConstraint("parcel_id", "plan_id", "period_key"),
        Index("ix_patrol_tasks_status_due", "status", "due_at"),
        # Generation resumes from each plan's latest period: max(opens_at) per plan must not scan the table.
        Index("ix_patrol_tasks_plan_opens", "plan_id", "opens_at"),
        # A device's snapshot pages through its inspector's open tasks by id: without the status a year of done
        # tasks is read for every page.
        Index("ix_patrol_tasks_inspector_status", "inspector_id", "status", "id"),
    )
