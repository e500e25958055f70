"""Push: exactly-once acceptance by UUID, duplicates and conflicts, per-record rejection, clock skew."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from server.extensions import db
from server.inspections.models import Inspection, InspectionConflict
from server.sync.models import DeviceClock
from tests.sync.helpers import bearer, photo_refs, push, record, upload


def test_accepts_a_record_and_lists_its_missing_photos(client, token, own_parcels):
    rec = record(own_parcels[0])
    body = push(client, token, [rec]).get_json()
    assert body["results"] == [{"uuid": rec["uuid"], "status": "accepted", "inspection_status": "awaiting_photos",
                                "received_at": body["results"][0]["received_at"]}]
    assert body["missing_photos"] == sorted(p["sha256"] for p in rec["photos"])
    inspection = db.session.scalar(select(Inspection))
    assert inspection.uuid == rec["uuid"] and inspection.device_utc_offset_min == 480
    assert inspection.started_at == datetime(2026, 5, 3, 1, 30, tzinfo=timezone.utc)


def test_same_uuid_same_content_is_a_duplicate_with_the_original_result(client, token, own_parcels):
    rec = record(own_parcels[0])
    first = push(client, token, [rec]).get_json()["results"][0]
    again = push(client, token, [rec]).get_json()["results"][0]
    assert again == {**first, "status": "duplicate"}
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 1


def test_same_uuid_other_content_is_a_conflict_kept_for_review(client, token, own_parcels):
    rec = record(own_parcels[0])
    push(client, token, [rec])
    changed = {**rec, "answers": {**rec["answers"], "remarks": "改过"}}
    result = push(client, token, [changed]).get_json()["results"][0]
    assert result["status"] == "conflict" and result["errors"][0]["code"] == "uuid_conflict"
    assert db.session.scalar(select(Inspection)).answers == rec["answers"]  # nothing overwritten
    conflict = db.session.scalar(select(InspectionConflict))
    assert conflict.uuid == rec["uuid"] and conflict.payload["answers"]["remarks"] == "改过"


def test_one_bad_record_rejects_only_itself(client, token, own_parcels, foreign_parcels):
    good, other_good = record(own_parcels[0]), record(own_parcels[1])
    bad_form = record(own_parcels[2], form_version=99)
    foreign = record(foreign_parcels[0])
    bad_uuid = record(own_parcels[3], uuid="not-a-uuid")
    invalid_answers = record(own_parcels[4], answers={"cultivation_status": "grain"})
    body = push(client, token, [good, bad_form, foreign, bad_uuid, invalid_answers, "junk", other_good]).get_json()
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["accepted", "rejected", "rejected", "rejected", "rejected", "rejected", "accepted"]
    codes = [{(e["field"], e["code"]) for e in r.get("errors", [])} for r in body["results"]]
    assert ("form_version", "unknown_form_version") in codes[1]
    assert ("parcel_code", "parcel_out_of_scope") in codes[2]
    assert ("uuid", "bad_uuid") in codes[3]
    assert ("crops", "required") in codes[4] and ("has_nonag_use", "required") in codes[4]
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == 2


def test_records_photos_already_on_the_server_complete_at_once(client, token, own_parcels):
    distant, close = b"distant photo bytes", b"close photo bytes"
    upload(client, token, distant)
    upload(client, token, close)
    body = push(client, token, [record(own_parcels[0], photos=photo_refs(distant, close))]).get_json()
    assert body["results"][0]["inspection_status"] == "complete" and body["missing_photos"] == []
    assert db.session.scalar(select(Inspection)).completed_at is not None


def test_device_clock_skew_is_recorded(client, token, own_parcels, sync_demo):
    ahead = datetime.now(timezone.utc) + timedelta(minutes=7)
    body = push(client, token, [record(own_parcels[0])], device_time=ahead).get_json()
    assert 415 < body["clock_skew_s"] < 425
    assert 415 < db.session.scalar(select(DeviceClock.clock_skew_s)) < 425
    assert 415 < db.session.scalar(select(Inspection.clock_skew_s)) < 425


def test_malformed_json_and_bad_shapes(client, token):
    response = client.post("/api/v1/sync/push", data="{not json", content_type="application/json",
                           headers=bearer(token))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_json"
    response = client.post("/api/v1/sync/push", json={"device_time": "2026-05-03T09:00:00+08:00", "records": {}},
                           headers=bearer(token))
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "records"


def test_batch_size_is_limited(client, token, own_parcels, app):
    limit = app.config["FARMPATROL"].push_max_records
    response = push(client, token, [record(own_parcels[0])] * (limit + 1))
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_many_records"
