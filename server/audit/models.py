from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db_types import UTCDateTime
from server.extensions import db

_SEQ = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(db.Model):
    """One append-only entry of a county's audit chain (全过程留痕). `hash` covers the content and
    `prev_hash`, so editing or deleting any row breaks the chain at that row (`farmpatrol audit verify`)."""

    __tablename__ = "audit_events"

    chain_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # server.audit.service
    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64))  # username, or "system" for rules and jobs
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id", "seq"),)


class AuditChainHead(db.Model):
    """The row naming a chain's last entry. Appends update it first, which serialises them (a row lock on
    PostgreSQL, the write lock on SQLite); verification compares it with the last row, so that deleting the
    newest entries is detected too."""

    __tablename__ = "audit_chain_head"

    chain_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(_SEQ)
    last_hash: Mapped[str] = mapped_column(String(64))
