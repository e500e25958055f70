"""Appending to the audit chains, and verifying them.

There is one chain per county (`chain_id` = the county's id; 0 holds the entries from before chains were per
county and those of no county), so counties never wait on each other. `record_event` collects an entry on the
caller's session; the entries are appended just before the transaction commits (a SAVEPOINT rolled back
drops the entries recorded inside it), so the entry exists exactly when the change it describes does. The
append advances each chain's head row once per transaction for all its entries: the row lock serialises
appenders on PostgreSQL and is held only from the append to the commit; SQLite serialises writers anyway.
Because every transaction takes the heads last (in chain order) and only inserts after that, there is no
lock order to keep with other rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import BigInteger, bindparam, event, insert, select, update
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.audit.chain import GENESIS_HASH, chain_hash, jsonable
from server.audit.models import AuditChainHead, AuditEvent
from server.db_types import dialect_insert, utcnow
from server.extensions import db
from server.inspections.models import Inspection
from server.parcels.models import Parcel

SYSTEM_ACTOR = "system"
NO_COUNTY_CHAIN = 0
_PENDING = "farmpatrol.audit_events"


def record_event(entity_type: str, entity_id: object, action: str, *, county_id: int | None,
                 actor: User | None = None, before: dict | None = None, after: dict | None = None,
                 reason: str | None = None, at: datetime | None = None) -> None:
    """Append one entry to the county's chain when the transaction commits; `actor=None` is the system."""
    # In UTC, as it reads back from the database: the hash must come out the same when verified.
    entry = {"chain_id": NO_COUNTY_CHAIN if county_id is None else county_id,
             "occurred_at": (at or utcnow()).astimezone(timezone.utc), "actor_id": actor.id if actor else None,
             "actor": actor.username if actor else SYSTEM_ACTOR, "entity_type": entity_type,
             "entity_id": str(entity_id), "action": action, "before": jsonable(before), "after": jsonable(after),
             "reason": reason}
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((transaction, entry))


def county_of(inspection: Inspection) -> int:
    """The county whose chain an inspection's entries (and its cases') go to."""
    return db.session.get(Parcel, inspection.parcel_id).county_id


def inspection_state(inspection: Inspection) -> dict:
    """An inspection's receipt and completion as the trail keeps them; `content_hash` covers the answers and
    photo list as pushed, so the chain also witnesses what the inspector recorded."""
    return {"uuid": inspection.uuid, "content_hash": inspection.content_hash, "parcel_id": inspection.parcel_id,
            "inspector_id": inspection.inspector_id, "device_id": inspection.device_id,
            "form": f"{inspection.form_id}.v{inspection.form_version}", "finished_at": inspection.finished_at,
            "received_at": inspection.received_at, "completed_at": inspection.completed_at,
            "status": inspection.status, "evidence_level": inspection.evidence_level}


def event_content(event: AuditEvent | dict) -> dict:
    """What the hash covers: every column but the hashes and the chain id."""
    get = event.get if isinstance(event, dict) else lambda name: getattr(event, name)
    return {"seq": get("seq"), "occurred_at": get("occurred_at").isoformat(), "actor_id": get("actor_id"),
            "actor": get("actor"), "entity_type": get("entity_type"), "entity_id": get("entity_id"),
            "action": get("action"), "before": get("before"), "after": get("after"), "reason": get("reason")}


def write_pending(session: Session) -> None:
    """Append the collected entries: per chain, in chain order, one head update for all of its entries."""
    session.flush()  # the transaction's own rows first, the head last (the statements below do not autoflush)
    entries = [entry for _, entry in session.info.pop(_PENDING, [])]
    for chain_id in sorted({entry["chain_id"] for entry in entries}):
        chained = [entry for entry in entries if entry["chain_id"] == chain_id]
        last_seq, prev_hash = _advance_head(session, chain_id, len(chained))
        for seq, entry in enumerate(chained, start=last_seq - len(chained) + 1):
            entry |= {"seq": seq, "prev_hash": prev_hash}
            entry["hash"] = prev_hash = chain_hash(event_content(entry), prev_hash)
        session.execute(_SET_LAST_HASH, {"head_chain_id": chain_id, "new_last_hash": prev_hash})
        session.execute(_APPEND, chained)


def lock_chain(county_id: int | None) -> None:
    """Lock the county's chain head until the transaction ends: a mutex per county for work that must not run
    twice at once (issuing a report's next version). Lock order: the head first, then rows; and every other
    transaction writing the rows such a caller then locks must call it first too, or the two could each hold
    what the other waits for (the append at commit takes the head after the rows)."""
    chain_id = NO_COUNTY_CHAIN if county_id is None else county_id
    session = db.session()
    _advance_head(session, chain_id, 0)


# Built once, on the tables (no ORM objects to keep in step): every audited transaction runs them at its commit.
_HEAD = AuditChainHead.__table__
_ADVANCE = (update(_HEAD).where(_HEAD.c.chain_id == bindparam("head_chain_id"))
            .values(last_seq=_HEAD.c.last_seq + bindparam("count", type_=BigInteger))
            .returning(_HEAD.c.last_seq, _HEAD.c.last_hash))
_SET_LAST_HASH = update(_HEAD).where(_HEAD.c.chain_id == bindparam("head_chain_id")).values(
    last_hash=bindparam("new_last_hash"))
_APPEND = insert(AuditEvent.__table__)


def _advance_head(session: Session, chain_id: int, count: int) -> tuple[int, str]:
    """Take `count` sequence numbers; the UPDATE locks the head row until the transaction ends. Returns the last
    number taken with the hash of the entry before the first."""
    advance = {"head_chain_id": chain_id, "count": count}
    row = session.execute(_ADVANCE, advance).first()
    if row is None:
        # The head row exists from the chain's first append on; two first appends racing both survive the insert.
        session.execute(dialect_insert(session.get_bind())(AuditChainHead)
                        .values(chain_id=chain_id, last_seq=0, last_hash=GENESIS_HASH)
                        .on_conflict_do_nothing(index_elements=["chain_id"]))
        row = session.execute(_ADVANCE, advance).one()
    return row.last_seq, row.last_hash


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.get_nested_transaction() is None:  # not a SAVEPOINT being released: the outer commit
        write_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # the transaction ended without its commit: the entries never happened


@event.listens_for(Session, "after_soft_rollback")
def _after_soft_rollback(session: Session, previous_transaction) -> None:
    """Entries recorded inside a rolled-back transaction or SAVEPOINT (or one nested in it) never happened."""
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [(transaction, entry) for transaction, entry in pending
                      if not _within(transaction, previous_transaction)]


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def entity_history(entity_type: str, entity_id: object) -> list[AuditEvent]:
    return entity_histories(entity_type, [entity_id]).get(str(entity_id), [])


def entity_histories(entity_type: str, entity_ids: Iterable[object], *, since: datetime | None = None,
                     until: datetime | None = None) -> dict[str, list[AuditEvent]]:
    """The events of these entities (recorded in (since, until] when given), per entity id in chain order: one
    query for many entities."""
    query = select(AuditEvent).where(AuditEvent.entity_type == entity_type,
                                     AuditEvent.entity_id.in_(sorted({str(i) for i in entity_ids})))
    if since is not None:
        query = query.where(AuditEvent.occurred_at > since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at <= until)
    found: dict[str, list[AuditEvent]] = defaultdict(list)
    for entry in db.session.scalars(query.order_by(AuditEvent.chain_id, AuditEvent.seq)):
        found[entry.entity_id].append(entry)
    return found


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None = None
    problem: str | None = None
    chain_id: int | None = None  # the chain the break is in

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(batch_size: int = 1000) -> ChainReport:
    """Walk every chain in order; the first entry that is missing, edited or out of place breaks it."""
    heads = {head.chain_id: head for head in db.session.scalars(select(AuditChainHead))}
    chains = sorted(set(heads) | set(db.session.scalars(select(AuditEvent.chain_id).distinct())))
    checked = 0
    for chain_id in chains:
        report = _verify_one(chain_id, heads.get(chain_id), batch_size)
        checked += report.checked
        if not report.ok:
            return ChainReport(checked, report.first_broken_seq, report.problem, chain_id)
    return ChainReport(checked)


def _verify_one(chain_id: int, head: AuditChainHead | None, batch_size: int) -> ChainReport:
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    query = (select(AuditEvent).where(AuditEvent.chain_id == chain_id).order_by(AuditEvent.seq)
             .execution_options(yield_per=batch_size))
    with db.session.execute(query) as rows:  # closes PostgreSQL's server-side cursor on an early return
        for event in rows.scalars():
            if event.seq != expected_seq:
                return ChainReport(checked, expected_seq, f"缺少第 {expected_seq} 条(下一条为第 {event.seq} 条)")
            if event.prev_hash != prev_hash:
                return ChainReport(checked, event.seq, "prev_hash 与上一条的哈希不符")
            if chain_hash(event_content(event), prev_hash) != event.hash:
                return ChainReport(checked, event.seq, "内容与哈希不符(记录被修改)")
            prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        return ChainReport(checked, expected_seq, f"链头记录到第 {head_seq} 条, 实际只有 {expected_seq - 1} 条(末尾被删除)")
    return ChainReport(checked)
