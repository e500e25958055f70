from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db_types import UTCDateTime, utcnow
from server.extensions import db


class Photo(db.Model):
    """A photo whose bytes are in the PhotoStore. One row per content: the same picture attached to two
    inspections, or uploaded twice, is stored once.

    The evidence columns are read once, at arrival (server.evidence.ingest_photo); NULL on rows stored before
    evidence existed. `phash_q0..3` are the pHash's four 16-bit quarters, indexed, so near duplicates are
    found by index look-ups (server.assessments.service.near_duplicates)."""

    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    evidence_metadata: Mapped[dict | None] = mapped_column("metadata", JSON)  # PhotoMetadata.to_dict()
    decode_status: Mapped[str | None] = mapped_column(String(16))
    gps_lat: Mapped[float | None] = mapped_column()
    gps_lon: Mapped[float | None] = mapped_column()
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # EXIF, on the camera's clock
    phash: Mapped[str | None] = mapped_column(String(16))  # hex; NULL when the pixels did not decode
    phash_q0: Mapped[int | None] = mapped_column(index=True)
    phash_q1: Mapped[int | None] = mapped_column(index=True)
    phash_q2: Mapped[int | None] = mapped_column(index=True)
    phash_q3: Mapped[int | None] = mapped_column(index=True)


class PhotoUpload(db.Model):
    """Which devices sent a photo's bytes. A photo is stored once, but an inspector may cite it only when one
    of their own devices sent it: knowing a SHA-256 must not attach (and open) another territory's photo."""

    __tablename__ = "photo_uploads"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), primary_key=True, index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
