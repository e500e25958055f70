"""Bulk INSERT of many rows at the driver's speed: COPY on PostgreSQL, executemany on SQLite.

SQLAlchemy's executemany processes every parameter of every row in Python, which costs more than the database's
own work once a parcel import writes a million rows and as many change-log rows. The rows given here are
tuples of values the driver stores as they are (str, int, float, bool, bytes, None); a value a column type
would convert first (a datetime) goes through `driver_value`, once for all the rows that share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.engine import Connection


def insert_rows(connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (values in the order of `columns`) into `table`, in the connection's transaction."""
    names = ", ".join(columns)  # our own table and column names: nothing to quote
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})",
                               rows)
    finally:
        cursor.close()


def driver_value(connection: Connection, column: Column, value: Any) -> Any:
    """`value` as the column's type hands it to the driver (a UTC datetime as SQLite's text, for one)."""
    processor = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    return processor(value) if processor else value
