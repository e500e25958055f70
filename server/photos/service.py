"""Arrived photos: storing them once by content, and telling devices which ones are still missing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, delete, exists, select, text

from server.accounts.models import Device
from server.db_types import dialect_insert, utcnow
from server.evidence import (DERIVED_SIZES, IngestResult, PhotoStore, derived_key, ingest_photo, open_store,
                             original_key)
from server.extensions import db
from server.inspections.models import Inspection, InspectionPhoto
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

    Without this, a push and an upload committing together can each miss the other's row (the push sees no
    photo, the upload sees no inspection) and the inspection waits forever. On PostgreSQL an advisory lock per
    photo, taken in the order of their keys so that two pushes never deadlock; on SQLite, which has one writer at
    a time, the database's write lock, taken now rather than at the first write: a push reads before it writes."""
    shas = sorted(set(sha256s))
    if not shas:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_LOCK_PHOTOS, {"shas": shas})
        return
    connection = db.session.connection()
    if not connection.connection.driver_connection.in_transaction:  # the driver begins only before a write
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# One statement for a push's photos (a batch of 50 records cites about 150): the locks are taken row by row in
# the order of the subquery, by lock key.
_LOCK_PHOTOS = text("SELECT pg_advisory_xact_lock(1, key) "
                    "FROM (SELECT hashtext(unnest(CAST(:shas AS text[]))) AS key ORDER BY 1) AS cited")


def sent_by_inspector(inspector_id) -> Select:
    """SHA-256s of photos whose bytes a device of this inspector sent (`inspector_id` a value or a column):
    the only photos the inspector's records may cite and their devices may see."""
    return (select(PhotoUpload.sha256).join(Device, PhotoUpload.device_id == Device.id)
            .where(Device.user_id == inspector_id))


def sent_among(cited: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of the (inspector id, SHA-256) pairs whose photo a device of that inspector sent."""
    if not cited:
        return set()
    rows = db.session.execute(
        select(Device.user_id, PhotoUpload.sha256).join(Device, PhotoUpload.device_id == Device.id)
        .where(Device.user_id.in_({user for user, _ in cited}), PhotoUpload.sha256.in_({sha for _, sha in cited})))
    return {(user, sha) for user, sha in rows} & cited


def sent_by_its_inspector():
    """EXISTS, correlated with the enclosing query's Inspection and InspectionPhoto: a device of the inspection's
    inspector sent the cited photo (another inspector's copy of the same bytes does not count)."""
    return sent_by_inspector(Inspection.inspector_id).where(PhotoUpload.sha256 == InspectionPhoto.sha256).exists()


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
        **_evidence_columns(ingested),
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


def delete_orphan_photos(now: datetime | None = None) -> int:
    """Job: photos that no inspection cites, older than ORPHAN_PHOTO_MAX_AGE_S, are deleted with their derived
    images (a device sent them for a record that was rejected, or never pushed one). Safe to run twice."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=current_app.config["FARMPATROL"].orphan_photo_max_age_s)
    cited = exists().where(InspectionPhoto.sha256 == Photo.sha256)
    candidates = db.session.scalars(select(Photo.sha256).where(Photo.stored_at < cutoff, ~cited)).all()
    lock_photos(candidates)  # a push citing one of them now waits, then finds it gone and asks for it again
    orphans = db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(candidates), ~cited)).all()
    store = photo_store()
    for sha256 in orphans:
        for key in (original_key(sha256), *(derived_key(sha256, name) for name in DERIVED_SIZES)):
            store.delete(key)
    db.session.execute(delete(PhotoUpload).where(PhotoUpload.sha256.in_(orphans)))
    db.session.execute(delete(Photo).where(Photo.sha256.in_(orphans)))
    db.session.commit()
    return len(orphans)
