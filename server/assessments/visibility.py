"""What of the evidence a user may see: photos of inspections in their scope, and reuse findings that name
only what the user could open anyway.

A reuse finding is judged across every county (a photo reused across a county line is still reused), but it
names the other inspections and photos. Shown to a reviewer, those outside the reviewer's territory become
a count (`other_territory_count`, present only then): "reused from another territory", without its identifiers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select

from server.accounts.models import Role, User
from server.assessments.models import PhotoFinding
from server.extensions import db
from server.inspections import service as inspections
from server.inspections.models import Inspection, InspectionPhoto
from server.photos import service as photos
from server.photos.models import Photo


_NAMING_INSPECTIONS = ("REUSE_EXACT", "REUSE_ORIGINAL")  # their `other_photo_ids` are inspection UUIDs


@dataclass(frozen=True)
class ShownFinding:
    code: str
    severity: str
    message_zh: str
    data: dict


def visible_photos(user: User) -> Select:
    """Photos of inspections in the user's scope: the only way anyone reaches photo bytes.

    A photo counts for an inspection only once a device of its inspector sent the bytes (server.photos.service
    .sent_by_inspector), so nobody attaches another territory's photo by knowing its hash; inspectors see only
    photos their own devices sent. Reviewers see a reused photo of their territory's inspection (its device
    really held the bytes), because judging the reuse is their job."""
    scoped_inspections = inspections.inspections_query(user).with_only_columns(Inspection.id).order_by(None)
    in_scope = (select(InspectionPhoto.sha256).join(Inspection, InspectionPhoto.inspection_id == Inspection.id)
                .where(Inspection.id.in_(scoped_inspections), photos.sent_by_its_inspector()))
    query = select(Photo).where(Photo.sha256.in_(in_scope))
    if user.role_enum is Role.INSPECTOR:
        query = query.where(Photo.sha256.in_(photos.sent_by_inspector(user.id)))
    return query


def shown_findings(user: User, rows: list[PhotoFinding]) -> list[ShownFinding]:
    """The findings as this user may see them (one query for inspections, one for photos)."""
    uuids = {uuid for row in rows if row.code in _NAMING_INSPECTIONS for uuid in row.data.get("other_photo_ids", [])}
    shas = {match[0] for row in rows if row.code == "REUSE_NEAR" for match in row.data.get("matches", [])}
    seen_uuids = set(db.session.scalars(inspections.inspections_query(user).with_only_columns(Inspection.uuid)
                                        .order_by(None).where(Inspection.uuid.in_(uuids)))) if uuids else set()
    seen_shas = set(db.session.scalars(visible_photos(user).with_only_columns(Photo.sha256)
                                       .where(Photo.sha256.in_(shas)))) if shas else set()
    return [ShownFinding(row.code, row.severity, row.message_zh, _shown_data(row, seen_uuids, seen_shas))
            for row in rows]


def _shown_data(row: PhotoFinding, seen_uuids: set[str], seen_shas: set[str]) -> dict:
    if row.code in _NAMING_INSPECTIONS:
        key, kept = "other_photo_ids", [u for u in row.data.get("other_photo_ids", []) if u in seen_uuids]
        total = len(row.data.get("other_photo_ids", []))
    elif row.code == "REUSE_NEAR":
        key, kept = "matches", [m for m in row.data.get("matches", []) if m[0] in seen_shas]
        total = len(row.data.get("matches", []))
    else:
        return row.data
    if len(kept) == total:
        return row.data
    return {**row.data, key: kept, "other_territory_count": total - len(kept)}
