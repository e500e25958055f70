"""Column types shared by all models."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator

# Bounds of what the columns can take, for validating input before it reaches a query: the largest 64-bit
# integer (SQLite's and PostgreSQL's bigint), and aware datetimes that still exist once shifted to UTC
# (year 1 at +08:00 is before year 1 in UTC, and year 9999 at -08:00 after its end).
BIGINT_MAX = 2**63 - 1
EARLIEST_TIME = datetime(1, 1, 2, tzinfo=timezone.utc)
LATEST_TIME = datetime(9999, 12, 30, tzinfo=timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both databases.

    SQLite has no time zones and PostgreSQL's `timestamptz` shifts to the session zone; storing naive UTC
    and re-attaching UTC on the way out makes both behave the same. Naive input is refused so a local
    time can never be stored by mistake.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: times are stored in UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def dialect_insert(bind):
    """The INSERT construct of the bind's dialect: both SQLite and PostgreSQL have ON CONFLICT, but each
    dialect spells it in its own construct."""
    return postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
