from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.inspections.models import Inspection
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask
from server.rules.models import RuleConfig


class ViolationCase(db.Model):
    """One problem on one parcel, from its first observation to 销号.

    `open_key` ("<parcel id>:<problem key>") is set while the case is open and cleared when it closes; its
    unique constraint is what keeps one open case per problem when two inspections of a parcel complete
    at once. `version` grows with every change; reviewers' transitions are conditional on it.
    """

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), index=True)
    problem_key: Mapped[str] = mapped_column(String(32))
    open_key: Mapped[str | None] = mapped_column(String(48), unique=True)
    code: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24))
    area_mu: Mapped[float | None] = mapped_column(Float)  # the largest area reported
    legal_basis: Mapped[str] = mapped_column(String(300))
    message_zh: Mapped[str] = mapped_column(String(500))
    rule_config_id: Mapped[int | None] = mapped_column(ForeignKey("rule_configs.id"))
    first_observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recheck_task_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_tasks.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parcel: Mapped[Parcel] = relationship()
    rule_config: Mapped[RuleConfig | None] = relationship()
    recheck_task: Mapped[PatrolTask | None] = relationship()
    observations: Mapped[list["CaseObservation"]] = relationship(order_by="CaseObservation.id",
                                                                 back_populates="case")
    inspection_links: Mapped[list["CaseInspection"]] = relationship(order_by="CaseInspection.id")

    __table_args__ = (Index("ix_cases_status_deadline", "status", "deadline_at"),)


class CaseObservation(db.Model):
    """What one inspection showed of the case's problem. Unique per (case, inspection, code), so a rule run
    twice over the same history (the abandonment job) adds nothing."""

    __tablename__ = "case_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    area_mu: Mapped[float | None] = mapped_column(Float)
    legal_basis: Mapped[str] = mapped_column(String(300))
    message_zh: Mapped[str] = mapped_column(String(500))
    evidence_level: Mapped[str | None] = mapped_column(String(16))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[ViolationCase] = relationship(back_populates="observations")
    inspection: Mapped[Inspection] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "inspection_id", "code"),)


# A case's evidence level, for queries over cases: that of its latest observation by when the visit happened
# (then by id), so an older visit synced late does not stand for what the parcel shows now.
latest_evidence_level = (select(CaseObservation.evidence_level).where(CaseObservation.case_id == ViolationCase.id)
                         .order_by(CaseObservation.observed_at.desc(), CaseObservation.id.desc()).limit(1)
                         .correlate(ViolationCase).scalar_subquery())


class CaseInspection(db.Model):
    """An inspection linked to a case: `observed` (it showed the problem) or `rectification` (the
    re-inspection after an order, which moved the case to rectification_submitted)."""

    __tablename__ = "case_inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "inspection_id", "role"),)
