from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import User
from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.territory.models import County, Township

_FEN = BigInteger().with_variant(db.Integer(), "sqlite")


class CompensationReport(db.Model):
    """A compensation-deduction report of one county and period: the draft (`version` NULL, replaced by each
    computation) or an issued version n, which is never changed again except for its workflow status.

    `snapshot` holds every input the calculation read, `snapshot_hash` its SHA-256 (also in the audit
    chain), `result` the lines and totals computed from it. Both are deferred: lists do not load them.
    """

    __tablename__ = "compensation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    version: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date] = mapped_column(Date)
    rule_version: Mapped[int | None] = mapped_column()
    snapshot: Mapped[dict] = mapped_column(JSON, deferred=True)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict] = mapped_column(JSON, deferred=True)
    base_fen: Mapped[int] = mapped_column(_FEN)
    deduction_fen: Mapped[int] = mapped_column(_FEN)
    net_fen: Mapped[int] = mapped_column(_FEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    county: Mapped[County] = relationship()
    signoffs: Mapped[list["ReportSignoff"]] = relationship(order_by="ReportSignoff.id", back_populates="report",
                                                           cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("county_id", "period_kind", "period_start", "version",
                                       name="uq_compensation_reports_version"),
                      Index("ix_compensation_reports_period", "county_id", "period_kind", "period_start"))


class ReportSignoff(db.Model):
    """A township's part of an issued report: pending, signed by its reviewer, or returned with a reason."""

    __tablename__ = "report_signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("compensation_reports.id", ondelete="CASCADE"))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    report: Mapped[CompensationReport] = relationship(back_populates="signoffs")
    township: Mapped[Township] = relationship()
    actor: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("report_id", "township_id"),)
