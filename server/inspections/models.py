from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.parcels.models import Parcel


class InspectionStatus(str, enum.Enum):
    AWAITING_PHOTOS = "awaiting_photos"
    COMPLETE = "complete"
    PHOTOS_MISSING = "photos_missing"
    # Every photo arrived but the completion hook failed (logged, the message in `completion_error`): reviewers
    # list it. The push or upload that got here still succeeded, so no device retries it for ever.
    COMPLETION_FAILED = "completion_failed"


class Inspection(db.Model):
    """One inspection as the device recorded it. `uuid` is the device's idempotency key: the unique
    constraint, not a prior read, is what makes a push exactly-once under racing connections.

    Device times are kept as sent (in UTC, with the device's UTC offset); `received_at` and the clock
    skew measured on that push sit beside them so evidence checks can correct or flag them."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), index=True)
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_tasks.id"), index=True)
    form_id: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    device_utc_offset_min: Mapped[int] = mapped_column()
    lat: Mapped[float] = mapped_column()
    lon: Mapped[float] = mapped_column()
    accuracy_m: Mapped[float | None] = mapped_column()
    crs: Mapped[str] = mapped_column(String(8))
    answers: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=InspectionStatus.AWAITING_PHOTOS.value)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clock_skew_s: Mapped[float | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    photos_missing_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completion_error: Mapped[str | None] = mapped_column(String(500))
    # Set on completion by server.assessments (trusted / doubtful / insufficient); rules and reviewers filter on it.
    evidence_level: Mapped[str | None] = mapped_column(String(16), index=True)
    evidence_assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parcel: Mapped[Parcel] = relationship()
    photos: Mapped[list["InspectionPhoto"]] = relationship(order_by="InspectionPhoto.position",
                                                           cascade="all, delete-orphan")

    __table_args__ = (Index("ix_inspections_status_received", "status", "received_at"),)

    @property
    def observed_at(self) -> datetime:
        return observed_at(self.finished_at, self.clock_skew_s)


def observed_at(finished_at: datetime, clock_skew_s: float | None) -> datetime:
    """When the patrol was made, on the server's clock: the device's finish time corrected by its skew."""
    return finished_at - timedelta(seconds=clock_skew_s or 0)


class InspectionPhoto(db.Model):
    """A photo an inspection refers to by SHA-256. No foreign key to `photos`: the reference arrives
    with the push, the bytes may arrive days later."""

    __tablename__ = "inspection_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(32))
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    file_name: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (UniqueConstraint("inspection_id", "position"),)


class InspectionConflict(db.Model):
    """A push that reused an accepted UUID with different content. Nothing is overwritten; the payload
    waits here for a reviewer, who keeps one version (server.sync.conflicts)."""

    __tablename__ = "inspection_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), index=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolution: Mapped[str | None] = mapped_column(String(8))  # "stored" or "incoming": the version kept
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution_reason: Mapped[str | None] = mapped_column(String(500))
