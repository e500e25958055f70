"""A patrol task is done when a complete inspection of its parcel, made inside its window, arrives by sync."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from server.extensions import db
from server.parcels.models import Parcel
from server.patrols import service
from server.patrols.models import PatrolTask, TaskStatus
from tests.sync.helpers import CHINA, photo_refs, push, record, upload


def test_task_done_only_when_the_inspection_completes(client, sync_demo, own_parcels):
    service.init_default_plans(sync_demo.county_code, effective_from=date(2026, 1, 1))
    service.generate_tasks(now=datetime(2026, 5, 2, 10, 0, tzinfo=CHINA))
    code = own_parcels[0]
    task = db.session.scalar(select(PatrolTask).join(Parcel).where(Parcel.code == code)
                             .order_by(PatrolTask.opens_at.desc()))
    token = sync_demo.device_tokens["inspector101201"]
    blobs = [b"distant photo bytes", b"close photo bytes"]
    started = task.opens_at.astimezone(CHINA) + timedelta(hours=9)
    body = record(code, photos=photo_refs(*blobs), task_id=task.uuid, started_at=started.isoformat(),
                  finished_at=(started + timedelta(minutes=5)).isoformat())
    assert push(client, token, [body]).get_json()["results"][0]["status"] == "accepted"
    db.session.refresh(task)
    assert task.status == TaskStatus.OPEN.value  # photos still missing: the inspection is not complete yet

    for blob in blobs:
        upload(client, token, blob)
    db.session.refresh(task)
    assert task.status == TaskStatus.DONE.value and task.done_at is not None
