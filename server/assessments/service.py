"""Assessing a complete inspection's photo evidence, keeping the findings, and showing them to reviewers.

`assess_inspections` runs inside the transaction that completes the inspection, so it only reads rows:
each photo's metadata and pHash were extracted when its bytes arrived (server.photos.service.store_photo).
Reuse is looked up across the whole database: exact by SHA-256 (one query for a push's inspections) and near by
pHash (see `near_duplicates`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from flask import current_app
from sqlalchemy import Row, delete, exists, or_, select, tuple_

from server.accounts.models import User
from server.assessments.models import PhotoFinding
from server.assessments.visibility import ShownFinding, shown_findings, visible_photos
from server.audit.service import county_of, inspection_state, record_event
from server.audit.state import INSPECTION_ENTITY
from server.db_types import utcnow
from server.evidence import (DERIVED_SIZES, DeviceFix, EvidencePolicy, GeofencePolicy, PhotoContext,
                             PhotoMetadata, PhotoStore, assess_photo, derived_key, evidence_level, find_near_duplicates,
                             make_derived, original_key)
from server.evidence.gcj02 import to_wgs84
from server.evidence.decode import decode, decode_slot
from server.extensions import db
from server.forms import service as forms
from server.inspections.models import Inspection, InspectionPhoto, InspectionStatus
from server.inspections import service as inspections
from server.patrols.models import PatrolTask
from server.photos import service as photos
from server.photos.models import Photo

_QUARTER_BITS = 16


@dataclass(frozen=True)
class RequiredPhotos:
    """One photo question of the form shown for the inspection's answers, and how many usable photos meet it."""

    role: str
    label: str
    min_count: int
    usable_count: int

    @property
    def ok(self) -> bool:
        return self.usable_count >= self.min_count


@dataclass(frozen=True)
class PhotoEvidence:
    ref: InspectionPhoto
    photo: Photo | None  # None while the bytes have not arrived
    findings: list[ShownFinding]
    usable: bool | None  # no error finding; None until assessed


@dataclass(frozen=True)
class InspectionEvidence:
    inspection: Inspection
    required_photos: list[RequiredPhotos]
    photos: list[PhotoEvidence]


def evidence_policy() -> EvidencePolicy:
    config = current_app.config["FARMPATROL"]
    return EvidencePolicy(
        geofence=GeofencePolicy(pass_m=config.evidence_geofence_pass_m, warn_m=config.evidence_geofence_warn_m),
        near_duplicate_max_distance=config.evidence_near_duplicate_max_bits)


def assess_inspection(inspection: Inspection) -> str:
    """Assess a complete inspection again, replacing its earlier findings; returns the level."""
    db.session.execute(delete(PhotoFinding).where(PhotoFinding.inspection_id == inspection.id))
    assess_inspections([inspection])
    return inspection.evidence_level


def assess_inspections(inspections: list[Inspection]) -> None:
    """Assess every photo of inspections just completed (none has findings yet; a push's may not be inserted
    yet), store the findings and each one's evidence level. One query per kind of row for all of them (the photos,
    their reuse, the tasks), so a push's records are assessed together; runs in the caller's transaction and never
    commits."""
    policy = evidence_policy()
    shas = {ref.sha256 for inspection in inspections for ref in inspection.photos}
    if shas:
        db.session.flush()  # reuse is judged by arrival, ids included: a push's new inspections need theirs
    by_sha = {p.sha256: p for p in db.session.scalars(select(Photo).where(Photo.sha256.in_(shas)))} if shas else {}
    used_by = _uses_of(shas)
    task_ids = {inspection.task_id for inspection in inspections if inspection.task_id}
    tasks = {t.id: t for t in db.session.scalars(select(PatrolTask).where(PatrolTask.id.in_(task_ids)))} \
        if task_ids else {}
    for inspection in inspections:
        _assess(inspection, policy, by_sha, _exact_reuse(inspection, used_by), tasks.get(inspection.task_id))


def _assess(inspection: Inspection, policy: EvidencePolicy, by_sha: dict[str, Photo],
            reuse: tuple[dict[str, list[str]], dict[str, list[str]]], task: PatrolTask | None) -> None:
    earlier, later = reuse
    findings_per_photo, usable = [], []
    if inspection.photos:  # parsing the parcel's outline costs as much as assessing a photo-less inspection
        parcel, device_fix = inspection.parcel.geometry, _device_fix(inspection)
    for ref in inspection.photos:
        photo = by_sha[ref.sha256]
        context = PhotoContext(
            parcel=parcel, device_fix=device_fix, device_captured_at=ref.taken_at,
            inspection_started_at=inspection.started_at, inspection_finished_at=inspection.finished_at,
            clock_skew_s=inspection.clock_skew_s or 0.0, received_at=inspection.received_at,
            task_opens_at=task.opens_at if task else None, task_due_at=task.due_at if task else None,
            exact_reuse_of=earlier.get(ref.sha256, ()), reused_later_by=later.get(ref.sha256, ()),
            near_duplicates=near_duplicates(photo, inspection, policy.near_duplicate_max_distance))
        findings = assess_photo(PhotoMetadata.from_dict(photo.evidence_metadata), context, policy)
        db.session.add_all(PhotoFinding(inspection_id=inspection.id, inspection_photo_id=ref.id, seq=seq, code=f.code,
                                        severity=f.severity, message_zh=f.message_zh, data=f.data)
                           for seq, f in enumerate(findings))
        findings_per_photo.append(findings)
        if _is_usable(findings):
            usable.append(ref)
    required_ok = all(r.ok for r in _required_photos(inspection, usable))
    inspection.evidence_level = evidence_level(findings_per_photo, required_ok)
    inspection.evidence_assessed_at = utcnow()


def reassess_inspection(uuid: str) -> str | None:
    """Assess a complete inspection again (after a policy change or a fix); None when there is none to assess."""
    inspection = db.session.scalar(select(Inspection).where(Inspection.uuid == uuid,
                                                            Inspection.status == InspectionStatus.COMPLETE.value))
    if inspection is None:
        return None
    level = _reassess(inspection)
    db.session.commit()
    return level


def reassess_all(batch_size: int = 200) -> int:
    """Assess every complete inspection again, committing per batch; returns how many."""
    ids = db.session.scalars(select(Inspection.id).where(Inspection.status == InspectionStatus.COMPLETE.value)
                             .order_by(Inspection.id)).all()
    for start in range(0, len(ids), batch_size):
        batch = ids[start:start + batch_size]
        for inspection in db.session.scalars(select(Inspection).where(Inspection.id.in_(batch))):
            _reassess(inspection)
        db.session.commit()
    return len(ids)


def _reassess(inspection: Inspection) -> str | None:
    """Assess again; a changed evidence level is a change of the inspection's audited state, so it is audited."""
    before = inspection_state(inspection)
    level = assess_inspection(inspection)
    if level != before["evidence_level"]:
        record_event(INSPECTION_ENTITY, inspection.uuid, "reassessed", county_id=county_of(inspection), before=before,
                     after=inspection_state(inspection))
    return level


def _arrival(inspection: Inspection | Row) -> tuple[datetime, int]:
    """Where an inspection (or a row of `_uses_of`) stands in the order reuse is judged in: received first, ties
    by id. `_ARRIVAL` is the same order in SQL, so that a check at arrival and a re-assessment later agree."""
    return inspection.received_at, inspection.id


_ARRIVAL = tuple_(Inspection.received_at, Inspection.id)


def _uses_of(shas: set[str]) -> dict[str, list[Row]]:
    """Every inspection citing each of these photos, in the order they were received (ties by id): the order
    reuse is judged in, the same whether the check runs at arrival or in a re-assessment later."""
    if not shas:
        return {}
    rows = db.session.execute(
        select(InspectionPhoto.sha256, Inspection.id, Inspection.uuid, Inspection.parcel_id, Inspection.started_at,
               Inspection.device_utc_offset_min, Inspection.received_at)
        .join(Inspection, InspectionPhoto.inspection_id == Inspection.id)
        .where(InspectionPhoto.sha256.in_(shas)).order_by(*_ARRIVAL.clauses))
    uses: dict[str, list[Row]] = {}
    for row in rows:
        uses.setdefault(row.sha256, []).append(row)
    return uses


def _exact_reuse(inspection: Inspection, used_by: dict[str, list[Row]]) -> tuple[dict[str, list[str]],
                                                                                  dict[str, list[str]]]:
    """sha256 -> UUIDs of other inspections with the same photo for another parcel or on another (local) day,
    split into those received before this one (it is a copy of theirs) and after (it is their original)."""
    day = _local_day(inspection.started_at, inspection.device_utc_offset_min)
    own_place = _arrival(inspection)
    earlier: dict[str, list[str]] = {}
    later: dict[str, list[str]] = {}
    for sha256 in {ref.sha256 for ref in inspection.photos}:
        for use in used_by.get(sha256, ()):
            if use.id == inspection.id:
                continue
            if use.parcel_id != inspection.parcel_id or _local_day(use.started_at, use.device_utc_offset_min) != day:
                uuids = (earlier if _arrival(use) < own_place else later).setdefault(sha256, [])
                if use.uuid not in uuids:
                    uuids.append(use.uuid)
    return earlier, later


def _local_day(moment: datetime, offset_min: int):
    return (moment + timedelta(minutes=offset_min)).date()


def near_duplicates(photo: Photo, inspection: Inspection, max_bits: int) -> list[tuple[str, int]]:
    """(sha256, distance) of other photos, used by inspections received before this one, whose pHash is within
    max_bits (a later look-alike makes this one the original, not a copy).

    Multi-index hashing: if two 64-bit hashes differ in at most max_bits bits, one of their four 16-bit
    quarters differs in at most max_bits // 4 (pigeonhole). So candidates come from index look-ups of each
    quarter's neighbours (137 values per quarter at the default 8 bits) and are checked exactly after. Cost:
    one query of 548 indexed IN values, returning about 548/65536 of the photos for random hashes (~0.8%,
    8k rows per million photos), instead of loading every pHash in the county."""
    if photo.phash is None:
        return []
    radius = max_bits // 4
    quarters = photos.phash_quarters(photo.phash)
    columns = (Photo.phash_q0, Photo.phash_q1, Photo.phash_q2, Photo.phash_q3)
    # EXISTS, not IN (subquery): the plan then starts from the quarter indexes and probes inspection_photos
    # by sha256 per candidate, instead of scanning inspection_photos (SQLite chose that for the IN form).
    earlier = select(Inspection.id).where(_ARRIVAL < _arrival(inspection))
    used_elsewhere = exists().where(InspectionPhoto.sha256 == Photo.sha256,
                                    InspectionPhoto.inspection_id.in_(earlier))
    candidates = db.session.execute(
        select(Photo.sha256, Photo.phash)
        .where(or_(*(column.in_(list(_neighbours(q, radius))) for column, q in zip(columns, quarters))),
               Photo.sha256 != photo.sha256, used_elsewhere))
    return [(str(sha256), distance) for sha256, distance in find_near_duplicates(photo.phash, candidates, max_bits)]


def _neighbours(value: int, radius: int) -> Iterator[int]:
    """Every 16-bit value within `radius` bits of `value`."""
    for flips in range(radius + 1):
        for bits in itertools.combinations(range(_QUARTER_BITS), flips):
            yield value ^ sum(1 << bit for bit in bits)


def _device_fix(inspection: Inspection) -> DeviceFix:
    """The app's location fix in WGS84: checks run on WGS84/CGCS2000 only (DOMAIN.md §6)."""
    lat, lon = to_wgs84(inspection.lat, inspection.lon, inspection.crs)
    return DeviceFix(lat, lon, inspection.accuracy_m)


def _is_usable(findings) -> bool:
    """A photo counts towards the form's required photos when none of its findings is an error."""
    return all(f.severity != "error" for f in findings)


def _required_photos(inspection: Inspection, usable: list[InspectionPhoto]) -> list[RequiredPhotos]:
    """The form's photo questions shown for the answers, each with its count of distinct usable photos."""
    by_role: dict[str, set[str]] = {}
    for ref in usable:
        by_role.setdefault(ref.role, set()).add(ref.sha256)
    definition = forms.get_definition(inspection.form_id, inspection.form_version)
    return [RequiredPhotos(r.role, r.label, r.min_count, len(by_role.get(r.role, ())))
            for r in definition.photo_requirements(inspection.answers)]


def inspection_evidence(user: User, uuid: str) -> InspectionEvidence | None:
    """The stored assessment of an inspection in the user's scope, or None."""
    inspection = inspections.get_inspection(user, uuid)
    if inspection is None:
        return None
    shas = {ref.sha256 for ref in inspection.photos}
    by_sha = {p.sha256: p for p in db.session.scalars(select(Photo).where(Photo.sha256.in_(shas)))}
    findings: dict[int, list[PhotoFinding]] = {}
    for row in db.session.scalars(select(PhotoFinding).where(PhotoFinding.inspection_id == inspection.id)
                                  .order_by(PhotoFinding.inspection_photo_id, PhotoFinding.seq)):
        findings.setdefault(row.inspection_photo_id, []).append(row)
    assessed = inspection.evidence_assessed_at is not None
    evidence = [PhotoEvidence(ref, by_sha.get(ref.sha256), shown_findings(user, findings.get(ref.id, [])),
                              _is_usable(findings.get(ref.id, [])) if assessed else None)
                for ref in inspection.photos]
    usable = [item.ref for item in evidence if item.usable]
    return InspectionEvidence(inspection, _required_photos(inspection, usable), evidence)


def scoped_photo(user: User, sha256: str) -> Photo | None:
    """The photo if the user may see it (`visibility.visible_photos`), else None."""
    return db.session.scalar(visible_photos(user).where(Photo.sha256 == sha256.lower()))


def derived_image(photo: Photo, name: str) -> bytes | None:
    """An EXIF-free JPEG (a DERIVED_SIZES name) of the photo, None when its pixels do not decode."""
    if photo.decode_status not in (None, "ok"):
        return None
    return derive(photos.photo_store(), photo.sha256, name)


def derive(store: PhotoStore, sha256: str, name: str) -> bytes | None:
    """The derived JPEG from the store, made from the original and kept there on first use.

    The thumbnail is made at arrival; the review image is made here on first request (photos.INGEST_SIZES
    says why). Two first requests racing both write the same content-addressed key, which is harmless."""
    key = derived_key(sha256, name)
    try:
        return store.get(key)
    except KeyError:
        pass
    original = store.get(original_key(sha256))
    with decode_slot():
        decoded = decode(original, long_side=DERIVED_SIZES[name])
        if decoded.image is None:
            return None
        jpeg = make_derived(decoded.image, decoded.orientation, {name: DERIVED_SIZES[name]})[0][name]
    store.put(key, jpeg)
    return jpeg


def open_original(photo: Photo) -> BinaryIO:
    """The byte-identical original as submitted (the evidence); the caller closes it."""
    return photos.photo_store().open(original_key(photo.sha256))
