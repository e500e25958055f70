"""Appending to the audit chain, and verifying it.

`record_event` runs inside the caller's transaction (it flushes, never commits): the entry exists exactly
when the change it describes does. Appends are serialised by locking the chain head row (held until the
transaction ends), so the chain stays linear under concurrent writers on PostgreSQL; SQLite serialises
writers anyway. Lock order: the head before any case row (`lock_chain`), or two transactions could each
hold what the other waits for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update

from server.accounts.models import User
from server.audit.chain import GENESIS_HASH, chain_hash, jsonable
from server.audit.models import AuditChainHead, AuditEvent
from server.db_types import dialect_insert, utcnow
from server.extensions import db
from server.inspections.models import Inspection

SYSTEM_ACTOR = "system"
_HEAD_ID = 1


def record_event(entity_type: str, entity_id: object, action: str, *, actor: User | None = None,
                 before: dict | None = None, after: dict | None = None, reason: str | None = None,
                 at: datetime | None = None) -> AuditEvent:
    """Append one entry; `actor=None` is the system (rules, jobs)."""
    seq, prev_hash = _advance_head()
    # In UTC, as it reads back from the database: the hash must come out the same when verified.
    event = AuditEvent(seq=seq, occurred_at=(at or utcnow()).astimezone(timezone.utc),
                       actor_id=actor.id if actor else None, actor=actor.username if actor else SYSTEM_ACTOR,
                       entity_type=entity_type, entity_id=str(entity_id), action=action, before=jsonable(before),
                       after=jsonable(after), reason=reason, prev_hash=prev_hash)
    event.hash = chain_hash(event_content(event), prev_hash)
    db.session.execute(update(AuditChainHead).where(AuditChainHead.id == _HEAD_ID).values(last_hash=event.hash)
                       .execution_options(synchronize_session=False))
    db.session.add(event)
    db.session.flush()
    return event


def inspection_state(inspection: Inspection) -> dict:
    """An inspection's receipt and completion as the trail keeps them; `content_hash` covers the answers and
    photo list as pushed, so the chain also witnesses what the inspector recorded."""
    return {"uuid": inspection.uuid, "content_hash": inspection.content_hash, "parcel_id": inspection.parcel_id,
            "inspector_id": inspection.inspector_id, "device_id": inspection.device_id,
            "form": f"{inspection.form_id}.v{inspection.form_version}", "finished_at": inspection.finished_at,
            "received_at": inspection.received_at, "completed_at": inspection.completed_at,
            "status": inspection.status, "evidence_level": inspection.evidence_level}


def event_content(event: AuditEvent) -> dict:
    """What the hash covers: every column but the hashes themselves."""
    return {"seq": event.seq, "occurred_at": event.occurred_at.isoformat(), "actor_id": event.actor_id,
            "actor": event.actor, "entity_type": event.entity_type, "entity_id": event.entity_id,
            "action": event.action, "before": event.before, "after": event.after, "reason": event.reason}


def lock_chain() -> None:
    """Lock the chain head until the transaction ends. Appending does it anyway; a transaction that will
    also lock other rows (cases) calls it first, so that all take the locks in one order: head, then rows."""
    locked = select(AuditChainHead.id).where(AuditChainHead.id == _HEAD_ID).with_for_update()
    if db.session.execute(locked).first() is None:
        _create_head()
        db.session.execute(locked)


def _create_head() -> None:
    """The head row exists from the first append on; two first appends racing both survive the insert."""
    db.session.execute(dialect_insert(db.session.get_bind())(AuditChainHead).values(id=_HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
                       .on_conflict_do_nothing(index_elements=["id"]))


def _advance_head() -> tuple[int, str]:
    """Take the next sequence number; the UPDATE locks the head row until the transaction ends. Returns the
    number with the previous hash."""
    advance = (update(AuditChainHead).where(AuditChainHead.id == _HEAD_ID)
               .values(last_seq=AuditChainHead.last_seq + 1)
               .returning(AuditChainHead.last_seq, AuditChainHead.last_hash)
               .execution_options(synchronize_session=False))
    row = db.session.execute(advance).first()
    if row is None:
        _create_head()
        row = db.session.execute(advance).one()
    return row.last_seq, row.last_hash


def entity_history(entity_type: str, entity_id: object) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == entity_type,
                                                            AuditEvent.entity_id == str(entity_id))
                                   .order_by(AuditEvent.seq)))


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(batch_size: int = 1000) -> ChainReport:
    """Walk the chain in order; the first entry that is missing, edited or out of place breaks it."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    query = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch_size)
    with db.session.execute(query) as rows:  # closes PostgreSQL's server-side cursor on an early return
        for event in rows.scalars():
            if event.seq != expected_seq:
                return ChainReport(checked, expected_seq, f"缺少第 {expected_seq} 条(下一条为第 {event.seq} 条)")
            if event.prev_hash != prev_hash:
                return ChainReport(checked, event.seq, "prev_hash 与上一条的哈希不符")
            if chain_hash(event_content(event), prev_hash) != event.hash:
                return ChainReport(checked, event.seq, "内容与哈希不符(记录被修改)")
            prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = db.session.get(AuditChainHead, _HEAD_ID)
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        return ChainReport(checked, expected_seq, f"链头记录到第 {head_seq} 条, 实际只有 {expected_seq - 1} 条(末尾被删除)")
    return ChainReport(checked)
