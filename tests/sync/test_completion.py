"""Completeness: photos arriving complete inspections exactly once; overdue ones become photos_missing
and are listed for reviewers; a late photo still completes them. Plus access errors."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from sqlalchemy import select

from server.accounts import service as accounts
from server.accounts.models import Device
from server.db_types import utcnow
from server.extensions import db
from server.inspections import completion
from server.inspections.models import Inspection
from tests.sync.helpers import photo_refs, push, record, upload


def test_hook_runs_once_when_the_last_photo_arrives(client, token, own_parcels):
    distant, close = b"d" * 100, b"c" * 100
    refs = photo_refs(distant, close)
    push(client, token, [record(own_parcels[0], photos=refs), record(own_parcels[1], photos=refs)])
    with mock.patch.object(completion, "on_inspections_complete", wraps=completion.on_inspections_complete) as hook:
        def hooked() -> list[str]:
            return [inspection.uuid for call in hook.call_args_list for inspection in call.args[0]]

        upload(client, token, distant)
        assert hooked() == []
        upload(client, token, close)
        assert len(hooked()) == 2
        push(client, token, [record(own_parcels[2], photos=refs)])
        assert len(hooked()) == 3 == len(set(hooked()))
    assert {i.status for i in db.session.scalars(select(Inspection))} == {"complete"}


def test_overdue_inspections_are_marked_and_listed_for_reviewers(client, app, token, own_parcels, sync_demo):
    distant = b"late photo"
    push(client, token, [record(own_parcels[0], photos=photo_refs(distant, b"never"))])
    later = utcnow() + timedelta(seconds=app.config["FARMPATROL"].photo_arrival_deadline_s + 1)
    assert completion.mark_incomplete_inspections(now=later) == 1
    assert completion.mark_incomplete_inspections(now=later) == 0  # safe to run twice
    client.post("/api/v1/auth/login", json={"username": "reviewer101", "password": "farmpatrol2026"})
    listed = client.get("/api/v1/inspections?status=photos_missing").get_json()["inspections"]
    assert [i["parcel_code"] for i in listed] == [own_parcels[0]]
    upload(client, token, distant)
    upload(client, token, b"never")
    db.session.expire_all()
    assert db.session.scalar(select(Inspection.status)) == "complete"


def test_revoked_token_is_refused_and_nothing_accepted_is_lost(client, token, own_parcels):
    rec = record(own_parcels[0])
    push(client, token, [rec])
    accounts.revoke_device(db.session.scalar(select(Device.id).where(Device.name == "inspector101201-phone")))
    response = push(client, token, [record(own_parcels[1])])
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "token_revoked"
    assert db.session.scalar(select(Inspection.uuid)) == rec["uuid"]


def test_only_device_tokens_may_sync(client, sync_demo):
    client.post("/api/v1/auth/login", json={"username": "inspector101201", "password": "farmpatrol2026"})
    response = client.get("/api/v1/sync/pull")
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "device_required"
