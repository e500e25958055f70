"""When an inspection becomes complete (all its photos arrived), and the hook that runs exactly then.

Only complete inspections go on to evidence checks and violation rules, and they must go exactly
once: `try_complete` flips the status with a conditional UPDATE, so of two transactions racing to
complete the same inspection only the one whose UPDATE hit a row calls the hook, in that transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from server.assessments import service as assessments
from server.audit.service import county_of, inspection_state, record_event
from server.audit.state import INSPECTION_ENTITY
from server.db_types import utcnow
from server.extensions import db
from server.inspections.models import Inspection, InspectionPhoto, InspectionStatus
from server.patrols import service as patrols
from server.photos import service as photos
from server.rules.service import apply_rules

_INCOMPLETE = (InspectionStatus.AWAITING_PHOTOS.value, InspectionStatus.PHOTOS_MISSING.value)
# Built once (every completion runs it): those of the inspections still incomplete become complete.
_FLIP = (update(Inspection).where(Inspection.id.in_(bindparam("ids", expanding=True)),
                                  Inspection.status.in_(_INCOMPLETE))
         .values(status=InspectionStatus.COMPLETE.value, completed_at=bindparam("completion_time"))
         .returning(Inspection.id).execution_options(synchronize_session=False))
log = logging.getLogger(__name__)


def on_inspections_complete(inspections: list[Inspection]) -> None:
    """THE hook: called once per inspection (with the others completing in the same transaction, so that a
    push's records are checked together), inside the transaction that marks them complete.

    Evidence checks, the audit trail, patrol-task completion and the violation rules all start here; keep it
    the single entry point, and keep anything slow out of it (queue a job instead)."""
    assessments.assess_inspections(inspections)
    db.session.flush()  # a push's new photo-less inspections are inserted here, with their evidence level
    for inspection in inspections:
        record_event(INSPECTION_ENTITY, inspection.uuid, "completed", county_id=county_of(inspection),
                     after=inspection_state(inspection))
    patrols.mark_tasks_done([(i.parcel_id, i.inspector_id, i.observed_at) for i in inspections])
    apply_rules(inspections)


def add_new(inspections: list[Inspection]) -> list[Inspection]:
    """Add inspections a push brought, those whose photos are all here already complete; returns those, for the
    push to run the hook on. Nobody else sees them before the commit, so there is no race to complete them and no
    conditional UPDATE: they are inserted complete (photo-less ones by the hook's flush, with their evidence level;
    those citing photos by the assessment's flush, which judges reuse by id, so their level is an UPDATE)."""
    sent = photos.sent_among({(i.inspector_id, ref.sha256) for i in inspections for ref in i.photos})
    ready = [i for i in inspections if all((i.inspector_id, ref.sha256) in sent for ref in i.photos)]
    completed_at = utcnow()
    for inspection in ready:
        inspection.status, inspection.completed_at = InspectionStatus.COMPLETE.value, completed_at
    db.session.add_all(inspections)
    return ready


def try_complete(inspection: Inspection) -> bool:
    """Mark the inspection complete if every photo it references has arrived; True if this call did."""
    if _ids_missing_photos([inspection]):
        return False
    return bool(_complete([inspection]))


def _complete(inspections: list[Inspection]) -> int:
    """Flip those still incomplete to complete with one conditional UPDATE and run the hook for the ones whose
    row it changed: of two transactions racing to complete an inspection, only one changes its row."""
    completed_at = utcnow()
    flipped = set(db.session.scalars(_FLIP, {"ids": [i.id for i in inspections], "completion_time": completed_at}))
    done = [inspection for inspection in inspections if inspection.id in flipped]
    for inspection in done:
        set_committed_value(inspection, "status", InspectionStatus.COMPLETE.value)
        set_committed_value(inspection, "completed_at", completed_at)
    if done:
        on_inspections_complete(done)
    return len(done)


def complete_guarded(inspection: Inspection) -> bool:
    """`try_complete` for the paths a device repeats until they succeed (push, upload, the job).

    The hook runs in a SAVEPOINT: if anything in it fails, its writes are rolled back, the error is logged and
    the inspection becomes `completion_failed` for a reviewer, while the caller's own work (the accepted record,
    the stored photo) commits. Otherwise one bad inspection would fail its photo's upload on every retry."""
    inspection_id, uuid = inspection.id, inspection.uuid  # the rollback below expires the object
    try:
        with db.session.begin_nested():
            return try_complete(inspection)
    except Exception as exc:  # noqa: BLE001 - whatever the hook raised, the photo must still be stored
        log.exception("completion of inspection %s failed; marked completion_failed", uuid)
        db.session.execute(
            update(Inspection).where(Inspection.id == inspection_id, Inspection.status.in_(_INCOMPLETE))
            .values(status=InspectionStatus.COMPLETION_FAILED.value,
                    completion_error=f"{type(exc).__name__}: {exc}"[:500])
            .execution_options(synchronize_session="fetch"))
        return False


def complete_batch(inspections: list[Inspection]) -> int:
    """`complete_guarded` for several inspections (a push's, a photo's), with one query for their missing photos,
    one conditional UPDATE for their status and one SAVEPOINT for the hook. Should the hook fail, that SAVEPOINT
    is rolled back (status flips, hook writes and audit entries alike) and each inspection is completed on its
    own by `complete_guarded`, so that a bad inspection still fails alone. Returns how many this call did."""
    missing = _ids_missing_photos(inspections)
    ready = [i for i in inspections if i.id not in missing]
    if not ready:
        return 0
    try:
        with db.session.begin_nested():
            return _complete(ready)
    except Exception:  # noqa: BLE001 - one by one now, each failure caught and recorded by complete_guarded
        log.warning("completing %d inspections together failed; completing them one by one", len(ready))
    return sum(complete_guarded(inspection) for inspection in ready)


def complete_waiting_for(sha256: str) -> int:
    """After a photo arrived: complete the inspections it was the last missing photo of."""
    referencing = select(InspectionPhoto.inspection_id).where(InspectionPhoto.sha256 == sha256)
    waiting = db.session.scalars(select(Inspection).where(Inspection.id.in_(referencing),
                                                          Inspection.status.in_(_INCOMPLETE))
                                 .options(selectinload(Inspection.photos))).all()
    return complete_batch(list(waiting))


def mark_incomplete_inspections(now: datetime | None = None) -> int:
    """Job: inspections still without all photos after `photo_arrival_deadline_s` become `photos_missing`
    (reviewers list them); a late photo still completes them. Safe to run twice. Returns how many it marked."""
    now = now or utcnow()
    deadline = now - timedelta(seconds=current_app.config["FARMPATROL"].photo_arrival_deadline_s)
    overdue = db.session.scalars(select(Inspection).where(
        Inspection.status == InspectionStatus.AWAITING_PHOTOS.value, Inspection.received_at < deadline)).all()
    marked = 0
    for inspection in overdue:
        if complete_guarded(inspection):  # a photo raced in without completing it
            continue
        # Conditional, like try_complete: an upload completing it meanwhile must not be overwritten.
        marked += db.session.execute(
            update(Inspection).where(Inspection.id == inspection.id,
                                     Inspection.status == InspectionStatus.AWAITING_PHOTOS.value)
            .values(status=InspectionStatus.PHOTOS_MISSING.value, photos_missing_at=now)).rowcount
    db.session.commit()
    return marked


def _ids_missing_photos(inspections: list[Inspection]) -> set[int]:
    """Those of the inspections that cite a photo no device of their inspector has sent yet (another
    inspector's copy of the same bytes does not count)."""
    citing = [i.id for i in inspections if i.photos]
    if not citing:
        return set()
    return set(db.session.scalars(
        select(InspectionPhoto.inspection_id).distinct()
        .join(Inspection, Inspection.id == InspectionPhoto.inspection_id)
        .where(InspectionPhoto.inspection_id.in_(citing), ~photos.sent_by_its_inspector())))
