"""Accepting pushed inspection records exactly once, and listing inspections for reviewers.

The caller (the push service) owns the transaction; a push's new records are written together in one SAVEPOINT,
and each in its own should that fail, so that one record failing never loses the others of its batch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from marshmallow import ValidationError, fields
from sqlalchemy import Row, Select, bindparam, delete, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from server.accounts.models import Device, User
from server.accounts.scopes import village_scope
from server.errors import validation_error
from server.extensions import db
from server.forms import service as forms
from server.inspections import completion
from server.assessments.models import PhotoFinding
from server.inspections.models import Inspection, InspectionConflict, InspectionPhoto, InspectionStatus
from server.inspections.schemas import InspectionRecordSchema, content_hash
from server.parcels import service as parcels
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask
from server.photos import service as photos
from server.sync import problems
from server.territory.models import Village

ACCEPTED, DUPLICATE, CONFLICT, REJECTED = "accepted", "duplicate", "conflict", "rejected"
_RECORD = InspectionRecordSchema()
_REQUIRED_MESSAGE = fields.Field.default_error_messages["required"]
# A push's records by UUID: the stored ones as rows (`_BY_UUIDS`), the new ones as inspections.
Known = dict[str, "Inspection | Row"]


def accept_all(device: Device, raws: list, *, received_at: datetime, clock_skew_s: float | None,
               guarded: bool = True) -> list[dict]:
    """The push result for each record: accepted, duplicate, conflict or rejected (with errors by field).

    Every record is checked, the new ones are inserted together (`_insert`) and the repeats answered; then the
    new ones are completed together (`completion.complete_batch`), and the results give each one's status
    after that. `guarded=False` is the fast path a push tries first, with no SAVEPOINT: the new ones are
    inserted, those whose photos are all here already complete (`completion.add_new`), and then go through the
    hook together; any error leaves the transaction for the caller to roll back and call again guarded."""
    loaded = [_load(raw) for raw in raws]
    records = [record for record in loaded if isinstance(record, dict)]
    known: Known = {row.uuid: row for row in _by_uuids([record["uuid"] for record in records])}
    in_scope = {p.code: p for p in parcels.get_parcels(device.user, {record["parcel_code"] for record in records})}
    new: dict[str, dict] = {}
    checked = [_check_record(device.user, raw, record, known, new, in_scope) for raw, record in zip(raws, loaded)]

    def build(record: dict) -> Inspection:
        return _new_inspection(device, record, in_scope[record["parcel_code"]], received_at, clock_skew_s)

    if guarded:
        inserted = _insert(list(new.values()), build, known)
    else:
        inserted, ready = _add(list(new.values()), build, known)
    outcomes = []
    for raw, record, outcome in zip(raws, loaded, checked):
        if isinstance(outcome, dict):
            outcomes.append(outcome)
        elif outcome in inserted:
            inserted.discard(outcome)  # the UUID's first record in the push; any later one repeats it
            outcomes.append((ACCEPTED, known[outcome]))
        else:
            outcomes.append(_repeat(known[outcome], device, raw, content_hash(record)))
    if guarded:
        completion.complete_batch([outcome[1] for outcome in outcomes
                                   if isinstance(outcome, tuple) and outcome[0] == ACCEPTED])
    elif ready:
        completion.on_inspections_complete(ready)
    return [_result(outcome[1], outcome[0]) if isinstance(outcome, tuple) else outcome for outcome in outcomes]


def _load(raw: object) -> dict | list[dict]:
    """The record as loaded (`uuid` as text), or its errors."""
    if not isinstance(raw, dict):
        return [_error("", problems.NOT_AN_OBJECT, "记录应为 JSON 对象")]
    try:
        record = _RECORD.load(raw)
    except ValidationError as err:
        return _schema_errors(err)
    return record | {"uuid": str(record["uuid"])}


def _check_record(user: User, raw: object, record: dict | list[dict], known: Known,
                  new: dict[str, dict], in_scope: dict[str, Parcel]) -> str | dict:
    """One record: its UUID when it is new (it joins `new`, the first of a UUID repeated in the push) or repeats a
    stored one, to be answered once the new ones are inserted; otherwise the result that answers it."""
    if not isinstance(record, dict):
        return _rejected(raw.get("uuid") if isinstance(raw, dict) else None, record)
    # Answering a repeat first keeps a retry's answer stable even if the scope or forms changed since.
    if record["uuid"] in known or record["uuid"] in new:
        return record["uuid"]
    _, errors = _check(user, record, in_scope.get(record["parcel_code"]))
    if errors:
        return _rejected(record["uuid"], errors)
    new[record["uuid"]] = record
    return record["uuid"]


def _insert(records: list[dict], build: Callable[[dict], Inspection], known: Known) -> set[str]:
    """Insert the new records' inspections in one SAVEPOINT (one INSERT for all); if that fails, each in its own, so that one bad
    row never loses the others. Adds each UUID's stored inspection to `known`: the new one, or, for a UUID another
    connection inserted between our read and our insert, theirs (the unique constraint decided). Returns the
    UUIDs inserted."""
    if not records:
        return set()
    inspections = [build(record) for record in records]
    try:
        with db.session.begin_nested():
            db.session.add_all(inspections)
            db.session.flush()
    except DBAPIError:
        # The SAVEPOINT's rollback took them out of the session; each again, as new objects.
        return set().union(*(_insert_one(build(record), known) for record in records))
    known.update((inspection.uuid, inspection) for inspection in inspections)
    return {inspection.uuid for inspection in inspections}


def _add(records: list[dict], build: Callable[[dict], Inspection],
         known: Known) -> tuple[set[str], list[Inspection]]:
    """`_insert` on the fast path: no SAVEPOINT, and those whose photos are all here already complete (the next
    flush inserts them all). Returns the UUIDs added and the inspections completed, whose hook is still to run."""
    inspections = [build(record) for record in records]
    ready = completion.add_new(inspections)
    known.update((inspection.uuid, inspection) for inspection in inspections)
    return {inspection.uuid for inspection in inspections}, ready


def _insert_one(inspection: Inspection, known: Known) -> set[str]:
    try:
        with db.session.begin_nested():
            db.session.add(inspection)
            db.session.flush()
    except IntegrityError:
        [known[inspection.uuid]] = _by_uuids([inspection.uuid])
        return set()
    known[inspection.uuid] = inspection
    return {inspection.uuid}


def _check(user: User, record: dict, parcel: Parcel | None) -> tuple[Parcel | None, list[dict]]:
    """The record's errors against its form and the parcel of its code in the user's scope (None: none)."""
    definition = forms.get_definition(record["form_id"], record["form_version"])
    errors = []
    if definition is None:
        errors.append(_error("form_version", problems.UNKNOWN_FORM_VERSION,
                             f"表单 {record['form_id']} 第 {record['form_version']} 版未发布"))
    if parcel is None:
        errors.append(_error("parcel_code", problems.PARCEL_OUT_OF_SCOPE,
                             f"图斑 {record['parcel_code']} 不存在或不在本巡查员负责的村内"))
    if definition is not None:
        photos = [{"sha256": p["sha256"], "role": p["role"]} for p in record["photos"]]
        errors += [e.to_dict() for e in definition.validate(record["answers"], photos=photos)]
    return parcel, errors


def _new_inspection(device: Device, record: dict, parcel: Parcel, received_at: datetime,
                    clock_skew_s: float | None) -> Inspection:
    inspection = Inspection(uuid=record["uuid"], received_at=received_at, clock_skew_s=clock_skew_s,
                            status=InspectionStatus.AWAITING_PHOTOS.value,  # the push answers with it unflushed
                            **_content(device, record, parcel, content_hash(record)))
    set_committed_value(inspection, "parcel", parcel)  # as if loaded: the hook reads it before the insert
    return inspection


def _content(device: Device, record: dict, parcel: Parcel, digest: str) -> dict:
    """The columns and photo references a record sets: what a first arrival writes and a kept conflict replaces."""
    location = record["location"]
    return dict(
        content_hash=digest, device_id=device.id, inspector_id=device.user_id,
        parcel_id=parcel.id, task_uuid=str(record["task_id"]) if record["task_id"] else None,
        task_id=_task_id(record["task_id"], parcel), form_id=record["form_id"],
        form_version=record["form_version"], started_at=record["started_at"],
        finished_at=record["finished_at"],
        device_utc_offset_min=int(record["started_at"].utcoffset().total_seconds() // 60),
        lat=location["lat"], lon=location["lon"], accuracy_m=location["accuracy_m"], crs=location["crs"],
        answers=record["answers"],
        photos=[InspectionPhoto(position=i, sha256=p["sha256"], role=p["role"], taken_at=p["taken_at"],
                                file_name=p["file_name"]) for i, p in enumerate(record["photos"])],
    )


def replace_content(inspection: Inspection, device: Device, raw: dict) -> list[dict]:
    """Give an inspection the content of another push of its UUID (a reviewer kept that version), as its first
    arrival would have: checked like a push by the device's inspector, then awaiting its photos and completed
    (evidence, audit, tasks, rules) when they are all there. Returns the record's errors; nothing changes then.
    The caller owns the transaction."""
    record = _load(raw)
    if not isinstance(record, dict):
        return record
    parcel, errors = _check(device.user, record, parcels.get_parcel(device.user, record["parcel_code"]))
    if errors:
        return errors
    db.session.execute(delete(PhotoFinding).where(PhotoFinding.inspection_id == inspection.id))
    inspection.photos.clear()
    db.session.flush()  # the old references go before the new ones take their positions
    for column, value in _content(device, record, parcel, content_hash(record)).items():
        setattr(inspection, column, value)
    set_committed_value(inspection, "parcel", parcel)  # the kept version's parcel, which the hook reads
    inspection.status = InspectionStatus.AWAITING_PHOTOS.value
    inspection.completed_at = inspection.completion_error = None
    inspection.evidence_level = inspection.evidence_assessed_at = None
    db.session.flush()
    completion.complete_guarded(inspection)
    return []


def _task_id(task_uuid, parcel: Parcel) -> int | None:
    """Link the task if it still exists for this parcel. A task reassigned or removed while the device was
    offline does not make the inspection less real, so it is never a reason to reject."""
    if task_uuid is None:
        return None
    return db.session.scalar(select(PatrolTask.id).where(PatrolTask.uuid == str(task_uuid),
                                                         PatrolTask.parcel_id == parcel.id))


def _repeat(existing: Inspection | Row, device: Device, raw: dict,
            digest: str) -> tuple[str, Inspection | Row] | dict:
    """Same content from the same inspector (any of their devices) is a duplicate; anything else a conflict."""
    if existing.content_hash == digest and existing.inspector_id == device.user_id:
        return DUPLICATE, existing
    already_kept = db.session.scalar(select(InspectionConflict.id).where(
        InspectionConflict.uuid == existing.uuid, InspectionConflict.content_hash == digest))
    if already_kept is None:
        db.session.add(InspectionConflict(uuid=existing.uuid, inspection_id=existing.id, device_id=device.id,
                                          content_hash=digest, payload=raw))
    return {"uuid": existing.uuid, "status": CONFLICT, "errors": [_error(
        "uuid", problems.UUID_CONFLICT, "该 UUID 已用于内容不同的另一条记录;本条已保留待审核员处理")]}


def _result(inspection: Inspection | Row, status: str) -> dict:
    return {"uuid": inspection.uuid, "status": status, "inspection_status": inspection.status,
            "received_at": inspection.received_at.isoformat()}


def _rejected(uuid: object, errors: list[dict]) -> dict:
    return {"uuid": uuid if isinstance(uuid, str) else None, "status": REJECTED, "errors": errors}


def _error(field: str, code: str, message: str) -> dict:
    return {"field": field, "code": code, "message": message}


def _schema_errors(err: ValidationError) -> list[dict]:
    errors = []
    for field, messages in validation_error(err).details["fields"].items():
        for message in messages:
            if field == "uuid":
                code = problems.BAD_UUID
            elif message == _REQUIRED_MESSAGE:
                code = problems.REQUIRED
            else:
                code = problems.INVALID
            errors.append(_error(field, code, message))
    return errors


# Built once (every push runs it): what a repeat is answered from (duplicate or conflict), as rows, for most
# pushes find none and a stored record is never changed by its repeat.
_STORED = Inspection.__table__.c
_BY_UUIDS = (select(_STORED.id, _STORED.uuid, _STORED.content_hash, _STORED.inspector_id, _STORED.status,
                    _STORED.received_at)
             .where(_STORED.uuid.in_(bindparam("uuids", expanding=True))))


def _by_uuids(uuids: list[str]) -> list[Row]:
    return db.session.execute(_BY_UUIDS, {"uuids": uuids}).all() if uuids else []


def inspections_query(user: User, *, status: str | None = None) -> Select:
    """Inspections of parcels in the user's scope, newest first; `status=photos_missing` for reviewers."""
    query = (select(Inspection).join(Parcel, Inspection.parcel_id == Parcel.id)
             .join(Village, Parcel.village_id == Village.id).where(village_scope(user))
             .order_by(Inspection.received_at.desc(), Inspection.id.desc()))
    return query if status is None else query.where(Inspection.status == status)


def get_inspection(user: User, uuid: str) -> Inspection | None:
    return db.session.scalar(inspections_query(user).where(Inspection.uuid == uuid))


def missing_photos(uuids: list[str]) -> list[str]:
    """SHA-256s referenced by these inspections that no device of their inspector has sent yet, sorted."""
    if not uuids:
        return []
    return sorted(db.session.scalars(
        select(InspectionPhoto.sha256).distinct()
        .join(Inspection, InspectionPhoto.inspection_id == Inspection.id)
        .where(Inspection.uuid.in_(uuids), ~photos.sent_by_its_inspector())))
