from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.territory.models import County, Township, Village


class Role(str, enum.Enum):
    INSPECTOR = "inspector"
    TOWNSHIP_REVIEWER = "township_reviewer"
    COUNTY_ADMIN = "county_admin"


ROLE_LABELS_ZH = {Role.INSPECTOR: "村级巡查员", Role.TOWNSHIP_REVIEWER: "乡镇审核员", Role.COUNTY_ADMIN: "县级管理员"}

inspector_villages = Table(
    "inspector_villages",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("village_id", ForeignKey("villages.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    """A person. Which territory they act for follows from the role:
    inspectors their villages, reviewers their township, admins their county."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Sessions carry the generation they were issued under; logout, a new password or disabling bumps it.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship()
    township: Mapped[Township | None] = relationship()
    villages: Mapped[list[Village]] = relationship(secondary=inspector_villages, order_by=Village.code)
    devices: Mapped[list["Device"]] = relationship(back_populates="user")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class Device(db.Model):
    """An inspector's phone. Only a SHA-256 of its token is stored: a database leak gives no tokens."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="devices")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
