"""Defects found by a hostile device (issue 10), each pinned: a photo with all its bytes but never stored, the
two-device race on one UUID, a far-future device clock, the expiry saved after the upload was gone, and what
counts as the same record."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from unittest import mock

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from server.accounts import service as accounts
from server.accounts.models import Device, User
from server.db_types import utcnow
from server.extensions import db
from server.inspections import service as inspections
from server.inspections.models import Inspection, InspectionConflict
from server.inspections.schemas import InspectionRecordSchema
from server.parcels.models import Parcel
from server.uploads import service as uploads
from tests.sync.helpers import TUS, bearer, create_upload, patch, photo_refs, push, record, sha256_hex, upload


def _all_bytes_but_not_stored(client, token: str, data: bytes) -> str:
    """The state a SIGKILL leaves between the last PATCH byte (fsynced) and the store: a full partial file."""
    location = create_upload(client, token, data).headers["Location"]
    uploads.partial_path(location.rsplit("/", 1)[-1]).write_bytes(data)
    return location


def _held(client, token: str, sha256: str) -> bool:
    return client.head(f"/api/v1/photos/{sha256}", headers=bearer(token)).status_code == 200


def test_head_finishes_an_upload_whose_bytes_are_all_there(client, token, own_parcels):
    data = b"whole photo, never stored" * 100
    push(client, token, [record(own_parcels[0], photos=photo_refs(data, data))])
    location = _all_bytes_but_not_stored(client, token, data)
    head = client.head(location, headers={**TUS, **bearer(token)})
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(len(data))
    assert _held(client, token, sha256_hex(data))
    assert db.session.scalar(select(Inspection.status)) == "complete"


def test_an_empty_or_repeated_patch_finishes_it(client, token):
    empty, repeated = b"empty patch finishes" * 50, b"repeated last chunk" * 50
    for data, offset, body in ((empty, len(empty), b""), (repeated, 0, repeated)):
        location = _all_bytes_but_not_stored(client, token, data)
        response = patch(client, token, location, body, offset)
        assert response.status_code == 204 and response.headers["Upload-Offset"] == str(len(data))
        assert _held(client, token, sha256_hex(data))


def test_the_expiry_job_finishes_it_instead_of_deleting_it(client, token, app):
    data = b"the job stores it" * 80
    _all_bytes_but_not_stored(client, token, data)
    uploads.expire_stale_uploads(now=utcnow() + timedelta(days=30))
    assert _held(client, token, sha256_hex(data))


def test_far_future_device_time_is_refused(client, token, own_parcels):
    body = {"device_time": "9999-12-31T23:59:59-14:00", "records": [record(own_parcels[0])]}
    response = client.post("/api/v1/sync/push", json=body, headers=bearer(token))
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "device_time"
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_a_failing_completion_hook_never_fails_the_upload(client, token, own_parcels, caplog):
    data = b"stored whatever the hook does" * 40
    rec = record(own_parcels[0], photos=photo_refs(data, data))
    push(client, token, [rec])
    with mock.patch("server.inspections.completion.assessments.assess_inspections",
                    side_effect=OverflowError("date value out of range")):
        upload(client, token, data)
    assert _held(client, token, sha256_hex(data))
    inspection = db.session.scalar(select(Inspection))
    assert inspection.status == "completion_failed" and "OverflowError" in inspection.completion_error
    assert "completion of inspection" in caplog.text
    listed = client.get("/api/v1/inspections?status=completion_failed", headers=bearer(token))
    assert listed.status_code in (200, 401, 403)  # reviewers list it; a device token is not a reviewer


def test_expiry_is_not_saved_over_an_upload_another_request_finished(app, client, token):
    """The request that wrote a part of the photo saves its new expiry; a resumed PATCH racing it must not
    finish and delete the upload in between (StaleDataError, 500), and the photo must arrive in the end."""
    data = b"0123456789" * 500
    location = create_upload(client, token, data).headers["Location"]
    real_expiry, answers = uploads._expiry, {}

    def expiry_racing_a_resumed_patch():
        def resumed():
            with app.test_client() as other:
                answers["resumed"] = patch(other, token, location, data[2000:], 2000).status_code
        thread = threading.Thread(target=resumed)
        thread.start()
        thread.join(timeout=30)
        return real_expiry()

    with mock.patch.object(uploads, "_expiry", side_effect=expiry_racing_a_resumed_patch):
        answers["first"] = patch(client, token, location, data[:2000], 0).status_code
    assert answers == {"first": 204, "resumed": 423}  # the racing PATCH waits for the lock, retried later
    assert patch(client, token, location, data[2000:], 2000).status_code == 204
    assert _held(client, token, sha256_hex(data))


def test_identical_record_from_the_inspectors_other_device_is_a_duplicate(client, token, own_parcels, sync_demo):
    rec = record(own_parcels[0])
    push(client, token, [rec])
    user = db.session.scalar(select(User).where(User.username == "inspector101201"))
    _, other_token = accounts.register_device(user, "second phone")
    result = push(client, other_token, [rec]).get_json()["results"][0]
    assert result["status"] == "duplicate"
    assert db.session.scalar(select(func.count()).select_from(InspectionConflict)) == 0


def test_the_same_instant_with_another_offset_is_the_same_content(client, token, own_parcels):
    rec = record(own_parcels[0])
    push(client, token, [rec])
    in_utc = {**rec, "started_at": datetime.fromisoformat(rec["started_at"]).astimezone(timezone.utc)
              .isoformat().replace("+00:00", "Z")}
    assert push(client, token, [in_utc]).get_json()["results"][0]["status"] == "duplicate"


def test_two_devices_pushing_one_uuid_at_the_same_moment(app, client, token, own_parcels):
    """The loser's insert waits on the winner's uncommitted row; when the winner commits, the loser re-reads and
    answers duplicate, and the rest of its batch is kept (it used to be a 500 on PostgreSQL)."""
    rec, other = record(own_parcels[0]), record(own_parcels[1])
    user = db.session.scalar(select(User).where(User.username == "inspector101201"))
    first_device = db.session.scalar(select(Device).where(Device.user_id == user.id))
    _, second_token = accounts.register_device(user, "second phone")
    loaded = InspectionRecordSchema().load(rec)
    loaded["uuid"] = str(loaded["uuid"])
    parcel = db.session.scalar(select(Parcel).where(Parcel.code == own_parcels[0]))
    winner_row = inspections._new_inspection(first_device, loaded, parcel, utcnow(), 0.0)
    db.session.expunge_all()
    with Session(db.engine) as winner:
        winner.add(winner_row)
        winner.flush()  # the UUID's unique index entry is taken, not yet committed
        answer = {}

        def loser():
            with app.test_client() as device:
                answer["response"] = push(device, second_token, [rec, other])

        thread = threading.Thread(target=loser)
        thread.start()
        _wait_for_lock_waiter(winner)
        winner.commit()
    thread.join(timeout=30)
    response = answer["response"]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [r["status"] for r in response.get_json()["results"]] == ["duplicate", "accepted"]
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 2


def _wait_for_lock_waiter(session: Session) -> None:
    """Until another connection of this database waits for a lock (PostgreSQL). SQLite has no such view: its
    writers queue on the file lock, and the loser's first write simply waits for the winner's commit."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for _ in range(1000):
        with db.engine.connect() as probe:  # a new transaction each time: pg_stat_activity is a snapshot per one
            if probe.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                 " AND wait_event_type = 'Lock'")):
                return
        threading.Event().wait(0.01)
    raise AssertionError("the second push never waited for the first one's row")
