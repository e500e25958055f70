"""Conflicts kept for reviewers: a push that reused an accepted UUID with other content (see
docs/sync-protocol.md). Listing them in the caller's scope, showing both versions side by side with their
differences field by field, and resolving one by keeping a version, audited. Plain functions, so that the API
and a web page share them; `resolve` owns its transaction.
"""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy import Select, select, update

from server.accounts.models import Device, Role, User
from server.accounts.scopes import village_scope
from server.audit.service import county_of, inspection_state, record_event
from server.audit.state import INSPECTION_ENTITY
from server.db_types import utcnow
from server.errors import ApiError, found
from server.extensions import db
from server.inspections import service as inspections
from server.inspections.models import Inspection, InspectionConflict
from server.inspections.schemas import InspectionRecordSchema, canonical_value
from server.parcels.models import Parcel
from server.sync import problems
from server.territory.models import Village

KEEP_STORED, KEEP_INCOMING = "stored", "incoming"
OPEN, RESOLVED = "open", "resolved"


def conflicts_query(user: User, *, status: str | None = None) -> Select:
    """Conflicts of inspections in the user's scope, newest first. An inspector sees only those their own
    devices pushed: the other version may be a colleague's."""
    query = (select(InspectionConflict).join(Inspection, InspectionConflict.inspection_id == Inspection.id)
             .join(Parcel, Inspection.parcel_id == Parcel.id).join(Village, Parcel.village_id == Village.id)
             .where(village_scope(user))
             .order_by(InspectionConflict.received_at.desc(), InspectionConflict.id.desc()))
    if user.role_enum is Role.INSPECTOR:
        query = query.where(InspectionConflict.device_id.in_(select(Device.id).where(Device.user_id == user.id)))
    if status == OPEN:
        query = query.where(InspectionConflict.resolution.is_(None))
    elif status == RESOLVED:
        query = query.where(InspectionConflict.resolution.is_not(None))
    return query


def get_conflict(user: User, conflict_id: int) -> InspectionConflict:
    """The conflict, or a 404 when it is not there or outside the user's scope."""
    return found(db.session.scalar(conflicts_query(user).where(InspectionConflict.id == conflict_id)),
                 f"冲突记录不存在或不在辖区内: {conflict_id}", field="conflict_id")


def side_by_side(conflict: InspectionConflict) -> dict:
    """Both versions in the push's record shape (times in UTC) and the fields in which they differ."""
    inspection = db.session.get(Inspection, conflict.inspection_id)
    stored, incoming = stored_record(inspection), incoming_record(conflict.payload)
    flat_stored, flat_incoming = flatten_record(stored), flatten_record(incoming)
    differences = [{"field": field, "stored": flat_stored.get(field), "incoming": flat_incoming.get(field)}
                   for field in sorted(flat_stored.keys() | flat_incoming.keys())
                   if flat_stored.get(field) != flat_incoming.get(field)]
    return {"stored": stored, "incoming": incoming, "differences": differences}


def stored_record(inspection: Inspection) -> dict:
    return {
        "uuid": inspection.uuid, "type": "inspection", "form_id": inspection.form_id,
        "form_version": inspection.form_version, "parcel_code": inspection.parcel.code,
        "task_id": inspection.task_uuid, "started_at": canonical_value(inspection.started_at),
        "finished_at": canonical_value(inspection.finished_at),
        "location": {"lat": inspection.lat, "lon": inspection.lon, "accuracy_m": inspection.accuracy_m,
                     "crs": inspection.crs},
        "answers": inspection.answers,
        "photos": [{"sha256": p.sha256, "role": p.role, "file_name": p.file_name,
                    "taken_at": canonical_value(p.taken_at) if p.taken_at else None} for p in inspection.photos],
    }


def incoming_record(payload: dict) -> dict:
    """The pushed record as the server reads it (defaults filled, times in UTC), or as sent if it does not load."""
    try:
        record = InspectionRecordSchema().load(payload)
    except ValidationError:
        return payload
    return _jsonable(record)


def resolve(user: User, conflict_id: int, keep: str, reason: str) -> InspectionConflict:
    """Keep one version. "stored" leaves the inspection as it is; "incoming" replaces its content the way a first
    arrival would (server.inspections.service.replace_content). Either way the conflict is closed and the audit
    chain records who decided what, and why. A conflict is resolved once."""
    conflict = get_conflict(user, conflict_id)
    closed = db.session.execute(
        update(InspectionConflict).where(InspectionConflict.id == conflict.id, InspectionConflict.resolution.is_(None))
        .values(resolution=keep, resolved_at=utcnow(), resolved_by_id=user.id, resolution_reason=reason)
        .execution_options(synchronize_session="fetch"))
    if closed.rowcount != 1:
        raise ApiError(problems.CONFLICT_RESOLVED, field="conflict_id")
    inspection = db.session.get(Inspection, conflict.inspection_id)
    before = inspection_state(inspection)
    if keep == KEEP_INCOMING:
        errors = inspections.replace_content(inspection, db.session.get(Device, conflict.device_id), conflict.payload)
        if errors:
            db.session.rollback()
            raise ApiError(problems.INCOMING_INVALID, details={"errors": errors})
    record_event(INSPECTION_ENTITY, inspection.uuid, f"conflict_kept_{keep}", county_id=county_of(inspection), actor=user,
                 before=before,
                 after={**inspection_state(inspection), "conflict_id": conflict.id}, reason=reason)
    db.session.commit()
    return conflict


def flatten_record(value: object, prefix: str = "") -> dict[str, object]:
    """A record as dotted field paths (`location.lat`, `photos[0].sha256`) to values: how versions are compared."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items()
                for k, v in flatten_record(item, f"{prefix}.{key}" if prefix else key).items()}
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return {k: v for i, item in enumerate(value) for k, v in flatten_record(item, f"{prefix}[{i}]").items()}
    return {prefix: value}


def _jsonable(value: object) -> object:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value if value is None or isinstance(value, (str, int, float, bool)) else canonical_value(value)
