"""The change log behind the gap-free pull: written in the transaction that makes the change, in commit order.

Every write that devices must see records its change explicitly, in the function that makes it (`record`,
`record_tasks`, `record_tasks_where`, `record_parcel_rows`): there is no ORM hook guessing at writes, so a bulk
INSERT or UPDATE is recorded exactly like an ORM one. Changes are collected on the session and written just before the commit; a
bulk write of a million rows (a province's parcel import) moves them on to a temporary table of the connection
every `_SPILL_ROWS`, so that they are not all held in memory; set-based writes of tasks are not collected at all
but selected from the tasks at the commit (`record_tasks_where`). On PostgreSQL the writer first takes a
transaction-level advisory lock, so sequence numbers are handed out in commit order: a transaction
cannot take a number until the previous holder has committed, and a reader that sees number n also
sees every number below it. The lock is held only from the log insert to the commit. SQLite serialises
writers anyway. Why this and not snapshot-xmin filtering: docs/sync-protocol.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter

from sqlalchemy import Column, Integer, MetaData, String, Table, case, delete, event, insert, literal, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.schema import CreateTable

from server.db_bulk import insert_rows
from server.db_types import UTCDateTime, utcnow
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask
from server.sync.models import SyncChange

ENTITY_TASK = "task"
ENTITY_PARCEL = "parcel"
ENTITY_FORM = "form"
UPSERT, DELETE = "upsert", "delete"

_PENDING = "farmpatrol.sync_changes"
_SPILLED = "farmpatrol.sync_changes_spilled"
_SELECTED = "farmpatrol.sync_changes_selected"
_LOCK_KEY = 0x5359_4E43  # any constant shared by every writer of the log; 'SYNC'
_LOOKUP_BATCH = 5000
_SPILL_ROWS = 10_000
# Changes not yet in the log, beyond what the session holds: per connection, emptied by the commit that logs
# them and by any rollback (it is not a model: no migration creates it).
_spilled = Table("sync_changes_pending", MetaData(), Column("entity", String(16)), Column("entity_key", String(100)),
                 Column("village_id", Integer), Column("user_id", Integer), Column("op", String(8)),
                 prefixes=["TEMPORARY"])
_SPILLED_COLUMNS = ("entity", "entity_key", "village_id", "user_id", "op")


def record(session: Session, entity: str, key: str, *, village_id: int | None = None,
           user_ids: Iterable[int | None] = (), op: str = UPSERT) -> None:
    """Note that an entity changed. One row for its village, one per user it concerns (an old and a new
    assignee both), or one unscoped row for everyone when neither is given."""
    rows = session.info.setdefault(_PENDING, [])
    scopes = [(village_id, None)] if village_id is not None else []
    scopes += [(None, user_id) for user_id in set(user_ids) if user_id is not None]
    for village, user in scopes or [(None, None)]:
        rows.append({"entity": entity, "entity_key": key, "village_id": village, "user_id": user, "op": op})
    if len(rows) >= _SPILL_ROWS:
        _spill(session() if isinstance(session, scoped_session) else session)


def record_tasks_where(session: Session, condition) -> None:
    """`record_tasks` for the tasks a condition on `PatrolTask` selects, without loading them (a generation's or an
    overdue run's hundreds of thousands): one change per task, for the devices that show it (`sync.entities._tasks`),
    its inspector's or, while it has none, its village's. The selection runs at the commit, under the commit-order
    lock, straight into the log, so `condition` must select the same tasks then as now: rows this transaction
    wrote, told apart by id, time or status."""
    village = select(Parcel.village_id).where(Parcel.id == PatrolTask.parcel_id).scalar_subquery()
    session.info.setdefault(_SELECTED, []).append(
        select(literal(ENTITY_TASK), PatrolTask.uuid, case((PatrolTask.inspector_id.is_(None), village)),
               PatrolTask.inspector_id, literal(UPSERT)).where(condition))


def _spill(session: Session) -> None:
    """Move the collected changes to the connection's temporary table. Never inside a SAVEPOINT: rolling it
    back would take changes recorded before it along."""
    if not session.in_nested_transaction():
        insert_rows(_spill_table(session), _spilled, _SPILLED_COLUMNS,
                    map(itemgetter(*_SPILLED_COLUMNS), session.info.pop(_PENDING)))


def _spill_table(session: Session) -> Connection:
    """The session's connection, with the temporary table in place and marked for copying at the commit."""
    connection = session.connection()
    if not session.info.get(_SPILLED):  # once a transaction, not at every spill
        connection.execute(CreateTable(_spilled, if_not_exists=True))
        session.info[_SPILLED] = True
    return connection


def record_tasks(session: Session, tasks: Iterable[tuple[str, int, Iterable[int | None]]], *,
                 op: str = UPSERT) -> None:
    """Note changed patrol tasks, given as (uuid, parcel_id, inspector ids): the task reaches the devices of its
    parcel's village and of every inspector it concerns (on a reassignment, the old and the new one both)."""
    tasks = list(tasks)
    villages = _villages_of(session, {parcel_id for _, parcel_id, _ in tasks})
    for uuid, parcel_id, user_ids in tasks:
        record(session, ENTITY_TASK, uuid, village_id=villages.get(parcel_id), user_ids=user_ids, op=op)


def _villages_of(session: Session, parcel_ids: set[int]) -> dict[int, int]:
    ids, villages = sorted(parcel_ids), {}
    for i in range(0, len(ids), _LOOKUP_BATCH):  # bounded IN lists: SQLite caps the number of parameters
        villages.update(session.execute(select(Parcel.id, Parcel.village_id)
                                        .where(Parcel.id.in_(ids[i:i + _LOOKUP_BATCH]))).all())
    return villages


def record_parcel_rows(session: Session, changed: Iterable[tuple[str, int, int | None]]) -> None:
    """For the parcel registry's bulk writes, which bypass ORM events: (code, village id, village id before) of
    each inserted or updated parcel. A parcel moved to another village also reaches the old one, as a tombstone."""
    for code, village_id, previous in changed:
        record(session, ENTITY_PARCEL, code, village_id=village_id)
        if previous is not None and previous != village_id:
            record(session, ENTITY_PARCEL, code, village_id=previous)


def write_pending(session: Session) -> None:
    """Insert the collected changes under the commit-order lock. Called by the before-commit hook; a test
    calls it directly to hold the lock across a deliberate delay."""
    rows = session.info.pop(_PENDING, None)
    spilled = session.info.pop(_SPILLED, False)
    selections = session.info.pop(_SELECTED, [])
    if not rows and not spilled and not selections:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    if rows:
        connection.execute(insert(SyncChange), rows)
    now = literal(utcnow(), UTCDateTime())
    if spilled:
        connection.execute(insert(SyncChange).from_select(
            [*_SPILLED_COLUMNS, "changed_at"], select(*(_spilled.c[name] for name in _SPILLED_COLUMNS), now)))
        connection.execute(delete(_spilled))
    for selection in selections:
        connection.execute(insert(SyncChange).from_select([*_SPILLED_COLUMNS, "changed_at"],
                                                          selection.add_columns(now)))


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a SAVEPOINT is being released; the log is written once, by the outer commit
    write_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back: the changes never happened (nor the spilled rows)
        session.info.pop(_SPILLED, None)
        session.info.pop(_SELECTED, None)
