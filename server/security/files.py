"""Files the server creates are for the server's user only: 0700 folders, 0600 files.

The instance folder holds the SQLite database (password hashes, photo GPS), the secret key, photos and partial
uploads; with the usual umask they would be world-readable on a shared host."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> None:
    """Create the folder 0700 (and its missing parents), or tighten it if it exists."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != PRIVATE_DIR:
        path.chmod(PRIVATE_DIR)


def private_sqlite_files(connection: sqlite3.Connection) -> None:
    """Tighten the database file and its WAL and shared-memory files, which SQLite creates with the umask."""
    for _seq, name, filename in connection.execute("PRAGMA database_list").fetchall():
        if name == "main" and filename:
            for path in (filename, f"{filename}-wal", f"{filename}-shm"):
                if os.path.exists(path) and os.stat(path).st_mode & 0o777 != PRIVATE_FILE:
                    os.chmod(path, PRIVATE_FILE)
