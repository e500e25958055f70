"""Where a partial upload's bytes live until the photo is whole: a file in the instance folder, or objects in
the S3 photo store, which every server process on every host sees.

Local: one file per upload, its size the offset; a request appends to it under an exclusive `flock` and
fsyncs before answering (processes sharing the instance folder share the uploads). S3: one object per
accepted chunk, named by the offset it starts at; the offset is the end of the chunks that follow on from 0
without a gap. No lock is needed there: a chunk is written whole or not at all, two requests racing at one
offset write the same bytes of the same photo, and whatever the chunks add up to is checked against the
photo's SHA-256 before it is stored (a mismatch discards the upload and the device sends it again).
"""

from __future__ import annotations

import fcntl
import io
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from server.evidence.storage import PhotoStore, S3Store

_OFFSET_DIGITS = 12  # object names sort by offset; a photo is at most MAX_PHOTO_BYTES


class Chunk(ABC):
    """One request's bytes for an upload, written from `start` into `file`; `end()` is the offset after them.
    Then `Partials.keep` makes them part of the upload (durably) or `Partials.drop` forgets them."""

    def __init__(self, start: int, file: BinaryIO):
        self.start, self.file = start, file

    @abstractmethod
    def end(self) -> int: ...


class _FileChunk(Chunk):
    """The partial file itself, positioned at its end: bytes written go straight to it."""

    def end(self) -> int:
        return self.file.seek(0, os.SEEK_END)


class _BufferChunk(Chunk):
    """Bytes held in memory (at most one photo) until they are kept as one object."""

    def end(self) -> int:
        return self.start + len(self.file.getvalue())


class Partials(ABC):
    @abstractmethod
    def create(self, upload_id: str) -> None: ...

    @abstractmethod
    def exists(self, upload_id: str) -> bool: ...

    @abstractmethod
    def offset(self, upload_id: str) -> int: ...

    @abstractmethod
    def chunk(self, upload_id: str):
        """Context manager: a `Chunk` at the upload's offset, or None while another request writes to it."""

    @abstractmethod
    def keep(self, upload_id: str, chunk: Chunk) -> None: ...

    @abstractmethod
    def drop(self, upload_id: str, chunk: Chunk) -> None: ...

    @abstractmethod
    def read(self, upload_id: str) -> bytes: ...

    @abstractmethod
    def discard(self, upload_id: str) -> None: ...

    @abstractmethod
    def stale(self, before: datetime) -> Iterator[str]:
        """Ids of partial uploads last written before `before` (the caller keeps those it still knows)."""


class LocalPartials(Partials):
    def __init__(self, directory: Path):
        self.directory = directory

    def path(self, upload_id: str) -> Path:
        return self.directory / f"{upload_id}.part"

    def create(self, upload_id: str) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # bytes of photos: the server's user only
        self.path(upload_id).touch(mode=0o600)

    def exists(self, upload_id: str) -> bool:
        return self.path(upload_id).exists()

    def offset(self, upload_id: str) -> int:
        return self.path(upload_id).stat().st_size

    @contextmanager
    def chunk(self, upload_id: str) -> Iterator[Chunk | None]:
        opened = self.path(upload_id).open("r+b")  # FileNotFoundError: finished or discarded meanwhile
        with opened as partial:
            try:
                fcntl.flock(partial, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield None
                return
            start = partial.seek(0, os.SEEK_END)
            yield _FileChunk(start, partial)

    def keep(self, upload_id: str, chunk: Chunk) -> None:
        chunk.file.flush()
        os.fsync(chunk.file.fileno())

    def drop(self, upload_id: str, chunk: Chunk) -> None:
        chunk.file.truncate(chunk.start)
        self.keep(upload_id, chunk)

    def read(self, upload_id: str) -> bytes:
        return self.path(upload_id).read_bytes()

    def discard(self, upload_id: str) -> None:
        self.path(upload_id).unlink(missing_ok=True)

    def stale(self, before: datetime) -> Iterator[str]:
        for partial in self.directory.glob("*.part"):
            if partial.stat().st_mtime < before.timestamp():
                yield partial.stem


class S3Partials(Partials):
    def __init__(self, store: S3Store):
        self.store = store

    def _prefix(self, upload_id: str) -> str:
        return self.store._key(f"uploads/{upload_id}") + "/"

    def _objects(self, prefix: str) -> Iterator[dict]:
        for page in self.store.client.get_paginator("list_objects_v2").paginate(Bucket=self.store.bucket,
                                                                                Prefix=prefix):
            yield from page.get("Contents", [])

    def _chain(self, upload_id: str) -> list[tuple[str, int]]:
        """The chunks (key, size) that follow on from offset 0 without a gap, in order."""
        prefix, chain, end = self._prefix(upload_id), [], 0
        for obj in sorted(self._objects(prefix), key=lambda o: o["Key"]):
            start = int(obj["Key"].removeprefix(prefix))
            if start != end:
                break
            chain.append((obj["Key"], obj["Size"]))
            end += obj["Size"]
        return chain

    def create(self, upload_id: str) -> None:
        """Nothing to write: no chunk yet is offset 0, and the database row is the upload's record."""

    def exists(self, upload_id: str) -> bool:
        return True

    def offset(self, upload_id: str) -> int:
        return sum(size for _, size in self._chain(upload_id))

    @contextmanager
    def chunk(self, upload_id: str) -> Iterator[Chunk]:
        yield _BufferChunk(self.offset(upload_id), io.BytesIO())

    def keep(self, upload_id: str, chunk: Chunk) -> None:
        data = chunk.file.getvalue()
        if data:
            key = f"{self._prefix(upload_id)}{chunk.start:0{_OFFSET_DIGITS}d}"
            self.store.client.put_object(Bucket=self.store.bucket, Key=key, Body=data)

    def drop(self, upload_id: str, chunk: Chunk) -> None:
        chunk.file.seek(0)
        chunk.file.truncate()

    def read(self, upload_id: str) -> bytes:
        return b"".join(self.store.client.get_object(Bucket=self.store.bucket, Key=key)["Body"].read()
                        for key, _ in self._chain(upload_id))

    def discard(self, upload_id: str) -> None:
        for obj in list(self._objects(self._prefix(upload_id))):
            self.store.client.delete_object(Bucket=self.store.bucket, Key=obj["Key"])

    def stale(self, before: datetime) -> Iterator[str]:
        root, newest = self.store._key("uploads") + "/", {}
        for obj in self._objects(root):
            upload_id = obj["Key"].removeprefix(root).split("/", 1)[0]
            newest[upload_id] = max(newest.get(upload_id, obj["LastModified"]), obj["LastModified"])
        yield from (upload_id for upload_id, modified in newest.items()
                    if modified < before.astimezone(timezone.utc))


def partials_for(store: PhotoStore, instance_path: Path) -> Partials:
    """Partial uploads next to the photos when the store is S3; otherwise in the instance folder."""
    return S3Partials(store) if isinstance(store, S3Store) else LocalPartials(instance_path / "uploads")
