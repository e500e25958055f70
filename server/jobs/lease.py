"""The scheduler lease: one row per name, held by whoever renewed it last, until it expires.

Each operation is a single short transaction on its own connection, independent of the request or job
session: a renewal never commits (or waits for) a job's half-done work in the same session. The same SQL works on SQLite
and PostgreSQL: one conditional UPDATE takes or renews the lease atomically; an INSERT ... ON CONFLICT DO
NOTHING creates the row the first time, and of two processes racing to create it exactly one wins (told by
RETURNING: psycopg reports no rowcount for an INSERT).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, or_, select, update

from server.db_types import UTCDateTime, dialect_insert, utcnow
from server.extensions import db
from server.jobs.models import SchedulerLease

SCHEDULER_LEASE = "scheduler"


def new_holder_id() -> str:
    """Host, pid and a random part: unique even when a pid is reused after a restart."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(name: str, holder: str, ttl_s: int, *, now: datetime | None = None) -> bool:
    """Take the lease if it is free or expired, or renew it if `holder` has it. True when held afterwards."""
    now = now or utcnow()
    expires_at = now + timedelta(seconds=ttl_s)
    moment = bindparam("now", now, type_=UTCDateTime())
    table = SchedulerLease.__table__
    with db.engine.begin() as conn:
        taken = conn.execute(
            update(table)
            .where(table.c.name == name, or_(table.c.expires_at < moment, table.c.holder == holder))
            .values(holder=holder, expires_at=expires_at,
                    acquired_at=case((table.c.holder == holder, table.c.acquired_at), else_=moment)))
        if taken.rowcount == 1:
            return True
        created = conn.execute(dialect_insert(conn)(table)
                               .values(name=name, holder=holder, acquired_at=now, expires_at=expires_at)
                               .on_conflict_do_nothing(index_elements=["name"]).returning(table.c.name))
        return created.first() is not None


def holds(name: str, holder: str, *, now: datetime | None = None) -> bool:
    now = now or utcnow()
    with db.engine.connect() as conn:
        return conn.scalar(select(SchedulerLease.holder).where(
            SchedulerLease.name == name, SchedulerLease.expires_at > now)) == holder


def release(name: str, holder: str, *, now: datetime | None = None) -> None:
    """Expire the lease now, so that another process takes over at once instead of after the ttl."""
    now = now or utcnow()
    table = SchedulerLease.__table__
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.name == name, table.c.holder == holder).values(expires_at=now))


def current(name: str) -> SchedulerLease | None:
    return db.session.get(SchedulerLease, name)
