from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db_types import UTCDateTime, utcnow
from server.extensions import db

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class SyncChange(db.Model):
    """One change to something devices hold offline (a task, a parcel, a form), in commit order.

    Rows carry the scope that may see the change (a village, a user, or neither for everyone); the pull
    re-reads the entity and decides upsert or tombstone, so a row is a hint that something changed, and
    an extra row is harmless while a missing one would lose a change. See docs/sync-protocol.md.
    """

    __tablename__ = "sync_changes"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_key: Mapped[str] = mapped_column(String(100))
    village_id: Mapped[int | None] = mapped_column()
    user_id: Mapped[int | None] = mapped_column()
    op: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("ix_sync_changes_village_seq", "village_id", "seq"),
        Index("ix_sync_changes_user_seq", "user_id", "seq"),
        # AUTOINCREMENT: never reuse a sequence number, even after the newest rows are compacted away.
        {"sqlite_autoincrement": True},
    )


class DeviceClock(db.Model):
    """The last measured clock skew of a device (device clock minus server clock, seconds), so evidence
    checks can correct or flag device timestamps. Kept beside `devices` rather than in it: the accounts
    package owns that table."""

    __tablename__ = "device_clocks"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    clock_skew_s: Mapped[float] = mapped_column()
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
