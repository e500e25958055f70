"""Conflicts kept for reviewers: listed in scope, both versions side by side with their differences, and resolved
once by keeping one version, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.extensions import db
from server.inspections.models import Inspection
from tests.sync.helpers import photo_refs, push, record, upload


@pytest.fixture
def conflict(client, token, own_parcels) -> dict:
    """An inspection stored complete, and a second push of its UUID with other answers and photos."""
    first, second = b"first distant", b"first close"
    rec = record(own_parcels[0], photos=photo_refs(first, second))
    push(client, token, [rec])
    upload(client, token, first)
    upload(client, token, second)
    changed = {**rec, "answers": {**rec["answers"], "remarks": "补拍"}, "photos": photo_refs(second, first)}
    assert push(client, token, [changed]).get_json()["results"][0]["status"] == "conflict"
    return {"stored": rec, "incoming": changed}


def test_listed_in_scope_only(login, conflict):
    listed = login("reviewer101").get("/api/v1/sync/conflicts").get_json()
    assert [c["uuid"] for c in listed["conflicts"]] == [conflict["stored"]["uuid"]] and not listed["has_more"]
    assert login("admin").get("/api/v1/sync/conflicts?status=open").get_json()["conflicts"]
    assert login("reviewer102").get("/api/v1/sync/conflicts").get_json()["conflicts"] == []
    assert login("inspector101201").get("/api/v1/sync/conflicts").get_json()["conflicts"]  # pushed by their device
    assert login("inspector101202").get("/api/v1/sync/conflicts").get_json()["conflicts"] == []
    conflict_id = login("admin").get("/api/v1/sync/conflicts").get_json()["conflicts"][0]["id"]
    assert login("reviewer102").get(f"/api/v1/sync/conflicts/{conflict_id}").status_code == 404


def test_both_versions_side_by_side(login, conflict):
    reviewer = login("reviewer101")
    conflict_id = reviewer.get("/api/v1/sync/conflicts").get_json()["conflicts"][0]["id"]
    shown = reviewer.get(f"/api/v1/sync/conflicts/{conflict_id}").get_json()
    assert shown["stored"]["answers"] == conflict["stored"]["answers"]
    assert shown["incoming"]["answers"]["remarks"] == "补拍"
    fields = {d["field"] for d in shown["differences"]}
    assert fields == {"answers.remarks", "photos[0].sha256", "photos[1].sha256"}  # times compared as instants


def test_keep_incoming_replaces_the_content_and_is_audited(login, conflict, client, token):
    reviewer = login("reviewer101")
    conflict_id = reviewer.get("/api/v1/sync/conflicts").get_json()["conflicts"][0]["id"]
    resolved = reviewer.post(f"/api/v1/sync/conflicts/{conflict_id}/resolve",
                             json={"keep": "incoming", "reason": "补拍后的版本为准"})
    assert resolved.status_code == 200, resolved.get_json()
    assert resolved.get_json()["resolution"] == "incoming" and resolved.get_json()["differences"] == []
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection))
    assert inspection.answers["remarks"] == "补拍" and inspection.status == "complete"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict_kept_incoming"))
    assert event.actor == "reviewer101" and event.reason == "补拍后的版本为准"
    again = reviewer.post(f"/api/v1/sync/conflicts/{conflict_id}/resolve", json={"keep": "stored", "reason": "x"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict_already_resolved"
    assert push(client, token, [conflict["incoming"]]).get_json()["results"][0]["status"] == "duplicate"


def test_keep_stored_changes_nothing_and_inspectors_cannot_resolve(login, conflict):
    inspector, admin = login("inspector101201"), login("admin")
    conflict_id = admin.get("/api/v1/sync/conflicts").get_json()["conflicts"][0]["id"]
    body = {"keep": "stored", "reason": "原记录有效"}
    assert inspector.post(f"/api/v1/sync/conflicts/{conflict_id}/resolve", json=body).status_code == 403
    assert admin.post(f"/api/v1/sync/conflicts/{conflict_id}/resolve", json={"keep": "neither"}).status_code == 422
    assert admin.post(f"/api/v1/sync/conflicts/{conflict_id}/resolve", json=body).get_json()["resolution"] == "stored"
    assert db.session.scalar(select(Inspection)).answers == conflict["stored"]["answers"]
    assert admin.get("/api/v1/sync/conflicts?status=open").get_json()["conflicts"] == []
