"""The SQL statements an action sends, for tests that say a path reads something once, not once per item."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event

from server.extensions import db


def statements_sent(action: Callable[[], object]) -> list[str]:
    """Every statement `action` sends to the app's engine, in order."""
    sent = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return sent
