from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db_types import UTCDateTime, utcnow
from server.extensions import db


class RuleConfig(db.Model):
    """One version of a county's rules. Versions are never edited: a change is a new version with its own
    `effective_from`, so a case observed on a date is judged by the version in force on that date."""

    __tablename__ = "rule_configs"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"))
    version: Mapped[int] = mapped_column()
    effective_from: Mapped[date] = mapped_column(Date)
    body: Mapped[dict] = mapped_column(JSON)  # complete and validated (defaults merged in)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("county_id", "version"),
                      Index("ix_rule_configs_county_effective", "county_id", "effective_from"))
