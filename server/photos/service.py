"""Arrived photos: storing them once by content, and telling devices which ones are still missing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from sqlalchemy import select, text

from server.db_types import dialect_insert
from server.evidence import IngestResult, PhotoStore, ingest_photo, open_store
from server.extensions import db
from server.photos.models import Photo

# Magic numbers of the formats phones produce; anything else is stored as opaque bytes.
_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
# Only the thumbnail on the upload path; the review image costs a 4x larger decode and is made on first
# request (server.assessments.service.review_image), which keeps an upload within 1.3x of the bare minimum.
INGEST_SIZES = {"thumb": 320}


def photo_store() -> PhotoStore:
    config = current_app.config["FARMPATROL"]
    return open_store(config.photo_store, config.photo_store_endpoint_url)


def lock_photos(sha256s: Iterable[str]) -> None:
    """Serialise, per photo, a push that references it and an upload that completes it.

    Without this, on PostgreSQL a push and an upload committing together can each miss the other's
    row (the push sees no photo, the upload sees no inspection) and the inspection waits forever. Taken
    in sorted order so that two pushes never deadlock. SQLite serialises writers already."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for sha256 in sorted(set(sha256s)):
        db.session.execute(text("SELECT pg_advisory_xact_lock(1, hashtext(:sha))"), {"sha": sha256})


def has_photo(sha256: str) -> bool:
    return db.session.scalar(select(Photo.id).where(Photo.sha256 == sha256)) is not None


def missing(sha256s: Iterable[str]) -> list[str]:
    """Those of the given photos whose bytes have not arrived, sorted."""
    wanted = set(sha256s)
    if not wanted:
        return []
    present = set(db.session.scalars(select(Photo.sha256).where(Photo.sha256.in_(wanted))))
    return sorted(wanted - present)


def store_photo(path: Path, sha256: str, device_id: int | None) -> None:
    """Put verified bytes in the store with their thumbnail, and record them with their evidence metadata; a
    photo already stored is not stored again.

    The store writes come first and are idempotent, so a crash between them and the commit leaves at worst
    unreferenced objects that the next upload of the same photo finds in place."""
    ingested = ingest_photo(path, photo_store(), sizes=INGEST_SIZES)
    insert = dialect_insert(db.session.get_bind())
    db.session.execute(insert(Photo).values(
        sha256=sha256, size_bytes=ingested.size_bytes, content_type=sniff_content_type(path),
        uploaded_by_device_id=device_id, **evidence_columns(ingested),
    ).on_conflict_do_nothing(index_elements=["sha256"]))


def evidence_columns(ingested: IngestResult) -> dict:
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


def sniff_content_type(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(16)
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return "application/octet-stream"
