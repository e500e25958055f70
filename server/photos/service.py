"""Arrived photos: storing them once by content, and telling devices which ones are still missing."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import Select, select, text

from server.accounts.models import Device
from server.db_types import dialect_insert, utcnow
from server.evidence import IngestResult, PhotoStore, ingest_photo, open_store
from server.extensions import db
from server.photos.models import Photo, PhotoUpload

# The formats phones produce, as the ingest recognised them; anything else is stored as opaque bytes.
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "HEIF": "image/heic"}
# Only the thumbnail on the upload path; the review image costs a 4x larger decode and is made on first
# request (server.assessments.service.review_image), which keeps an upload within 1.3x of the bare minimum.
INGEST_SIZES = {"thumb": 320}


def photo_store() -> PhotoStore:
    """The app's store, built once: an S3 store holds a boto3 client (thread-safe, costly to make)."""
    store = current_app.extensions.get("photo_store")
    if store is None:
        config = current_app.config["FARMPATROL"]
        store = current_app.extensions["photo_store"] = open_store(config.photo_store,
                                                                   config.photo_store_endpoint_url)
    return store


def lock_photos(sha256s: Iterable[str]) -> None:
    """Serialise, per photo, a push that references it and an upload that completes it.

    Without this, on PostgreSQL a push and an upload committing together can each miss the other's
    row (the push sees no photo, the upload sees no inspection) and the inspection waits forever. Taken
    in sorted order so that two pushes never deadlock. SQLite serialises writers already."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for sha256 in sorted(set(sha256s)):
        db.session.execute(text("SELECT pg_advisory_xact_lock(1, hashtext(:sha))"), {"sha": sha256})


def sent_by_inspector(inspector_id) -> Select:
    """SHA-256s of photos whose bytes a device of this inspector sent (`inspector_id` a value or a column):
    the only photos the inspector's records may cite and their devices may see."""
    return (select(PhotoUpload.sha256).join(Device, PhotoUpload.device_id == Device.id)
            .where(Device.user_id == inspector_id))


def has_photo(sha256: str, inspector_id: int) -> bool:
    """Whether a device of this inspector sent the photo; another inspector's photo is as good as absent."""
    return db.session.scalar(sent_by_inspector(inspector_id).where(PhotoUpload.sha256 == sha256)) is not None


def store_photo(data: bytes, device_id: int | None) -> None:
    """Put verified bytes in the store with their thumbnail, and record them with their evidence metadata; a
    photo already stored is not stored again.

    The store writes come first and are idempotent, so a crash between them and the commit leaves at worst
    unreferenced objects that the next upload of the same photo finds in place."""
    ingested = ingest_photo(data, photo_store(), sizes=INGEST_SIZES)
    insert = dialect_insert(db.session.get_bind())
    db.session.execute(insert(Photo).values(
        sha256=ingested.sha256, size_bytes=ingested.size_bytes,
        content_type=_CONTENT_TYPES.get(ingested.metadata.format, "application/octet-stream"),
        uploaded_by_device_id=device_id, **_evidence_columns(ingested),
    ).on_conflict_do_nothing(index_elements=["sha256"]))
    if device_id is not None:
        db.session.execute(insert(PhotoUpload).values(sha256=ingested.sha256, device_id=device_id, uploaded_at=utcnow())
                           .on_conflict_do_nothing(index_elements=["sha256", "device_id"]))


def _evidence_columns(ingested: IngestResult) -> dict:
    """The Photo columns the evidence checks read, from one ingest."""
    metadata, phash, gps = ingested.metadata, ingested.phash, ingested.metadata.gps
    quarters = phash_quarters(phash) if phash else [None] * 4
    return {"evidence_metadata": metadata.to_dict(), "decode_status": metadata.decode_status,
            "gps_lat": gps.lat if gps else None, "gps_lon": gps.lon if gps else None,
            "captured_at": metadata.captured_at, "phash": phash,
            **{f"phash_q{i}": quarter for i, quarter in enumerate(quarters)}}


def phash_quarters(phash: str) -> list[int]:
    """The 64-bit hex pHash as four 16-bit integers, high bits first (Photo.phash_q0..3)."""
    return [int(phash[i:i + 4], 16) for i in range(0, 16, 4)]
