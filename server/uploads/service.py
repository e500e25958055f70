"""Resumable uploads: partial uploads appended to by PATCH, finished into the photo store.

The partial upload (server.uploads.partials: a file in the instance folder, or chunk objects in the S3 photo
store that every process sees) is the upload's only record of progress: its size is the offset. Each PATCH
is durable before the answer, so a cut connection keeps the bytes that arrived and a crashed server (or any
other process) resumes from what is stored. Functions here own their transaction.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import delete, select, update
from werkzeug.exceptions import ClientDisconnected

from server.accounts.models import Device
from server.db_types import utcnow
from server.errors import BAD_REQUEST, NOT_FOUND, VALIDATION_FAILED, ApiError
from server.extensions import db
from server.inspections import completion
from server.photos import service as photos
from server.sync import problems
from server.uploads.models import Upload
from server.uploads.partials import Chunk, LocalPartials, Partials, partials_for
from server.uploads.tus import CHECKSUM_ALGORITHMS

_SHA256 = re.compile(r"[0-9a-f]{64}")
_READ_BYTES = 256 * 1024


def create(device: Device, length: int, metadata: dict[str, str]) -> Upload:
    sha256 = metadata.get("sha256", "").lower()
    if not _SHA256.fullmatch(sha256):
        raise ApiError(VALIDATION_FAILED, "Upload-Metadata 需要 sha256(照片内容的 64 位十六进制 SHA-256)",
                       field="Upload-Metadata.sha256")
    if length <= 0:
        raise ApiError(BAD_REQUEST, "Upload-Length 应大于 0", field="Upload-Length")
    if length > _config().max_photo_bytes:
        raise ApiError(problems.UPLOAD_TOO_LARGE, f"照片超过大小限制 {_config().max_photo_bytes} 字节",
                       field="Upload-Length")
    _make_room(device, sha256, length)
    upload = Upload(id=uuid.uuid4().hex, device_id=device.id, sha256=sha256, length_bytes=length,
                    file_name=metadata.get("filename", "")[:255] or None, expires_at=_expiry())
    _partials().create(upload.id)
    db.session.add(upload)
    db.session.commit()
    return upload


def _make_room(device: Device, sha256: str, length: int) -> None:
    """Keep a device within its quota of unfinished uploads (MAX_OPEN_UPLOADS_PER_DEVICE, and declared bytes
    MAX_OPEN_UPLOAD_BYTES_PER_DEVICE): its earlier attempts at the same photo go first (it starts over), then
    its oldest uploads. Evicting rather than refusing: a phone whose connection dropped mid-creation never
    learnt those uploads' addresses and must not be locked out until they expire; resuming an evicted upload
    answers 404 and the device creates a new one. Disk held per device stays bounded either way."""
    config = _config()
    open_uploads = db.session.scalars(select(Upload).where(Upload.device_id == device.id, Upload.expires_at > utcnow())
                                      .order_by(Upload.created_at, Upload.id)).all()
    kept = []
    for upload in open_uploads:
        if upload.sha256 == sha256:
            _discard(upload)
        else:
            kept.append(upload)
    held_bytes = sum(u.length_bytes for u in kept)
    while kept and (len(kept) + 1 > config.max_open_uploads_per_device
                    or held_bytes + length > config.max_open_upload_bytes_per_device):
        evicted = kept.pop(0)
        held_bytes -= evicted.length_bytes
        _discard(evicted)


def get(device: Device, upload_id: str) -> Upload:
    """The device's own upload; another device's is as good as absent."""
    upload = db.session.scalar(select(Upload).where(Upload.id == upload_id, Upload.device_id == device.id))
    if upload is None or not _partials().exists(upload.id):
        raise ApiError(NOT_FOUND, "上传不存在", field="upload_id")
    if upload.expires_at <= utcnow():
        raise ApiError(problems.UPLOAD_EXPIRED)
    return upload


def status(device: Device, upload_id: str) -> tuple[int, Upload | None]:
    """HEAD: the offset, and the upload (None once it completed). An upload whose bytes are all there but that
    is not stored yet (the server died between the last byte and the store) is finished now, so a device that
    asks before resuming finds the photo stored."""
    upload = get(device, upload_id)
    offset = _finish_if_idle(upload)
    return (upload.length_bytes, None) if offset is None else (offset, upload)


def append(device: Device, upload_id: str, offset: int, body: BinaryIO,
           checksum: tuple[str, bytes] | None) -> tuple[int, datetime | None]:
    """Append a PATCH body at `offset`; returns the new offset and the new expiry (None: the upload
    completed into a photo and is gone).

    With a checksum the chunk is all-or-nothing (a mismatch or a cut discards it); without one, every
    byte that arrived is kept. Either way the bytes kept are durable before the answer. When all the bytes
    are already there, any PATCH (empty, or a repeat of the last one whose answer was lost) finishes it."""
    upload = get(device, upload_id)
    partials = _partials()
    with _locked(upload) as chunk:
        if chunk is None:
            raise ApiError(problems.UPLOAD_LOCKED)
        start = chunk.start
        if start == upload.length_bytes:
            _finish(upload)
            return start, None
        if offset != start:
            raise ApiError(problems.UPLOAD_OFFSET_MISMATCH, details={"offset": start}, field="Upload-Offset")
        problem = _write_body(chunk.file, body, upload.length_bytes - start, checksum)
        if problem is not None and (checksum is not None or problem is problems.UPLOAD_EXCEEDS_LENGTH):
            partials.drop(upload.id, chunk)
        else:
            partials.keep(upload.id, chunk)
        new_offset = chunk.end()
        if problem is None and new_offset == upload.length_bytes:
            _finish(upload)
            return new_offset, None
        # Still under the lock, and conditional: a resumed PATCH may finish and delete the upload as soon as the
        # lock is released, and an ORM flush of this row would then fail with StaleDataError.
        expires_at = _expiry()
        db.session.execute(update(Upload).where(Upload.id == upload.id).values(expires_at=expires_at))
        db.session.commit()
    if problem is not None:
        raise ApiError(problem, details={"offset": new_offset})
    return new_offset, expires_at


@contextmanager
def _locked(upload: Upload) -> Iterator[Chunk | None]:
    """A chunk at the upload's offset, for this request alone; None if another request holds it."""
    try:
        with _partials().chunk(upload.id) as chunk:
            yield chunk
    except FileNotFoundError:  # finished or discarded by another request since it was read
        raise ApiError(NOT_FOUND, "上传不存在", field="upload_id") from None


def _finish_if_idle(upload: Upload) -> int | None:
    """Finish an upload whose bytes are all there, unless a request holds it: None if this call finished it,
    else the offset. The offset is read once (on S3 each read lists the upload's chunks)."""
    with _locked(upload) as chunk:
        if chunk is None:  # another request is appending (a local partial file: its size is a stat)
            return _partials().offset(upload.id)
        if chunk.start != upload.length_bytes:
            return chunk.start
        _finish(upload)
        return None


def _write_body(partial: BinaryIO, body: BinaryIO, room: int, checksum: tuple[str, bytes] | None):
    """Copy the body to the file; the problem that stopped it, or None."""
    hasher = CHECKSUM_ALGORITHMS[checksum[0]]() if checksum else None
    try:
        while chunk := body.read(_READ_BYTES):
            if len(chunk) > room:
                return problems.UPLOAD_EXCEEDS_LENGTH
            partial.write(chunk)
            room -= len(chunk)
            if hasher:
                hasher.update(chunk)
    except ClientDisconnected:
        return problems.INCOMPLETE_CHUNK
    if hasher and hasher.digest() != checksum[1]:
        return problems.CHECKSUM_MISMATCH
    return None


def _finish(upload: Upload) -> None:
    """All bytes are in: verify the whole photo against its declared SHA-256, store it, complete inspections."""
    data = _partials().read(upload.id)  # read once: verified here, then ingested from memory
    digest = hashlib.sha256(data).hexdigest()
    if digest != upload.sha256:
        _discard(upload)
        db.session.commit()
        raise ApiError(problems.CHECKSUM_MISMATCH, "照片内容与声明的 SHA-256 不符,已丢弃,请重新上传",
                       details={"declared": upload.sha256, "received": digest})
    photos.lock_photos([upload.sha256])
    photos.store_photo(data, upload.device_id)
    completion.complete_waiting_for(upload.sha256)
    for attempt in db.session.scalars(select(Upload).where(Upload.device_id == upload.device_id,
                                                           Upload.sha256 == upload.sha256)):
        _discard(attempt)  # this one, and the device's abandoned attempts at the same photo
    db.session.commit()


def terminate(device: Device, upload_id: str) -> None:
    _discard(get(device, upload_id))
    db.session.commit()


def expire_stale_uploads(now: datetime | None = None) -> int:
    """Job: finish uploads whose bytes are all there (so that none is expired with a whole photo in it), then
    drop uploads past Upload-Expires, and partial files whose row is gone. Safe to run twice."""
    now = now or utcnow()
    partials = _partials()
    for upload in db.session.scalars(select(Upload)).all():
        try:
            _finish_if_idle(upload)
        except ApiError:  # gone meanwhile, or bytes that did not match their SHA-256 (discarded; sent again)
            pass
    stale = db.session.scalars(select(Upload).where(Upload.expires_at <= now)).all()
    for upload in stale:
        _discard(upload)
    db.session.commit()
    known = set(db.session.scalars(select(Upload.id)))
    for orphan in list(partials.stale(now - timedelta(seconds=_config().upload_expiry_s))):
        if orphan not in known:
            partials.discard(orphan)
    return len(stale)


def _discard(upload: Upload) -> None:
    # A statement, not session.delete(): another request may have finished and deleted the row already.
    db.session.execute(delete(Upload).where(Upload.id == upload.id))
    _partials().discard(upload.id)


def _partials() -> Partials:
    return partials_for(photos.photo_store(), _config().instance_path)


def partial_path(upload_id: str) -> Path:
    """The partial file of an upload kept on local disk (tests write one to stage a crash)."""
    partials = _partials()
    assert isinstance(partials, LocalPartials)
    return partials.path(upload_id)


def _expiry() -> datetime:
    return utcnow() + timedelta(seconds=_config().upload_expiry_s)


def _config():
    return current_app.config["FARMPATROL"]
