"""The device's local state: one SQLite file and a folder of photos, under the device home.

Every change of state is one SQLite transaction, and photos are written (fsync, rename) before the row
that refers to them: a device killed at any instant finds a consistent outbox on restart, and at worst
an unreferenced photo file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PENDING, ACCEPTED, DUPLICATE, CONFLICT, REJECTED = "pending", "accepted", "duplicate", "conflict", "rejected"
SENT = (ACCEPTED, DUPLICATE)  # the server holds the record durably

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    uuid TEXT PRIMARY KEY, payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
    result TEXT, created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
CREATE TABLE IF NOT EXISTS photos (
    sha256 TEXT PRIMARY KEY, size_bytes INTEGER NOT NULL, uploaded INTEGER NOT NULL DEFAULT 0, upload_url TEXT);
CREATE TABLE IF NOT EXISTS record_photos (record_uuid TEXT NOT NULL, sha256 TEXT NOT NULL,
    PRIMARY KEY (record_uuid, sha256));
CREATE TABLE IF NOT EXISTS items (entity TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (entity, key));
"""


class Outbox:
    def __init__(self, home: str | os.PathLike[str]):
        self.home = Path(home).expanduser()
        self.photo_dir = self.home / "photos"
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.home / "outbox.db", isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a checkpoint must survive a power cut, not just a crash
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # settings ------------------------------------------------------------------------------------------
    def get(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   (key, value))

    # photos and records ----------------------------------------------------------------------------
    def forget_pull_cursor(self) -> None:
        """The server no longer knows the cursor: the next pull starts a full snapshot."""
        with self.transaction() as db:
            db.execute("DELETE FROM settings WHERE key = 'pull_cursor'")

    def add_photo(self, source: Path) -> str:
        """Copy a photo in, named by its SHA-256 (durably, before any record refers to it)."""
        digest = hashlib.sha256()
        with source.open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
        sha256 = digest.hexdigest()
        target = self.photo_path(sha256)
        if not target.exists():
            fd, tmp = tempfile.mkstemp(dir=self.photo_dir, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out, source.open("rb") as stream:
                shutil.copyfileobj(stream, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        return sha256

    def photo_path(self, sha256: str) -> Path:
        return self.photo_dir / sha256

    def add_record(self, payload: dict) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO records (uuid, payload) VALUES (?, ?)", (payload["uuid"], json.dumps(payload)))
            for photo in payload["photos"]:
                size = self.photo_path(photo["sha256"]).stat().st_size
                db.execute("INSERT OR IGNORE INTO photos (sha256, size_bytes) VALUES (?, ?)", (photo["sha256"], size))
                db.execute("INSERT OR IGNORE INTO record_photos VALUES (?, ?)", (payload["uuid"], photo["sha256"]))

    def pending_records(self, limit: int) -> list[dict]:
        rows = self.db.execute("SELECT payload FROM records WHERE state = ? ORDER BY created_at, uuid LIMIT ?",
                               (PENDING, limit)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def store_results(self, results: list[dict]) -> None:
        """Only called with a response in hand: the server committed before answering."""
        with self.transaction() as db:
            for result in results:
                if result.get("uuid"):
                    db.execute("UPDATE records SET state = ?, result = ? WHERE uuid = ? AND state = ?",
                               (result["status"], json.dumps(result), result["uuid"], PENDING))

    def photos_to_upload(self) -> list[tuple[str, int, str | None]]:
        """Photos of records the server accepted, not yet confirmed as arrived: (sha256, size, upload url)."""
        return self.db.execute(
            "SELECT DISTINCT p.sha256, p.size_bytes, p.upload_url FROM photos p "
            "JOIN record_photos rp ON rp.sha256 = p.sha256 JOIN records r ON r.uuid = rp.record_uuid "
            f"WHERE p.uploaded = 0 AND r.state IN ({','.join('?' * len(SENT))}) ORDER BY p.sha256", SENT).fetchall()

    def set_upload_url(self, sha256: str, url: str | None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE photos SET upload_url = ? WHERE sha256 = ?", (url, sha256))

    def mark_uploaded(self, sha256: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE photos SET uploaded = 1, upload_url = NULL WHERE sha256 = ?", (sha256,))

    # pulled items ----------------------------------------------------------------------------------
    def apply_changes(self, changes: list[dict], next_cursor: str, reset: bool) -> None:
        """Apply a pull page and move the cursor in one transaction: either both happen or neither."""
        with self.transaction() as db:
            if reset:
                db.execute("DELETE FROM items")
            for change in changes:
                if change["op"] == "delete":
                    db.execute("DELETE FROM items WHERE entity = ? AND key = ?", (change["entity"], change["key"]))
                else:
                    db.execute("INSERT INTO items VALUES (?, ?, ?) ON CONFLICT (entity, key) DO UPDATE SET data = excluded.data",
                               (change["entity"], change["key"], json.dumps(change["data"], ensure_ascii=False)))
            self.set(db, "pull_cursor", next_cursor)

    def item(self, entity: str, key: str) -> dict | None:
        row = self.db.execute("SELECT data FROM items WHERE entity = ? AND key = ?", (entity, key)).fetchone()
        return json.loads(row[0]) if row else None

    def items(self, entity: str) -> list[dict]:
        return [json.loads(r[0]) for r in self.db.execute("SELECT data FROM items WHERE entity = ? ORDER BY key", (entity,))]

    def not_accepted(self) -> list[dict]:
        """Rejected and conflicting records with the server's errors."""
        rows = self.db.execute("SELECT uuid, state, result FROM records WHERE state IN (?, ?) ORDER BY created_at",
                               (REJECTED, CONFLICT))
        return [{"uuid": uuid, "status": state, "errors": json.loads(result or "{}").get("errors", [])}
                for uuid, state, result in rows]

    def counts(self) -> dict:
        records = dict(self.db.execute("SELECT state, count(*) FROM records GROUP BY state").fetchall())
        photos = dict(self.db.execute("SELECT uploaded, count(*) FROM photos GROUP BY uploaded").fetchall())
        items = dict(self.db.execute("SELECT entity, count(*) FROM items GROUP BY entity").fetchall())
        return {"records": records, "photos": {"uploaded": photos.get(1, 0), "waiting": photos.get(0, 0)},
                "items": items}
