"""Push, upload, complete, assess: each inspection's evidence level and findings, through the real HTTP API."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import func, select

from server.assessments.models import PhotoFinding
from server.demo.generator import DEMO_PASSWORD
from server.evidence import wgs84_to_gcj02
from server.extensions import db
from tests.assessments.conftest import field_photo, inspection, minutes_ago, submit


def login(client, username: str) -> None:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200


def evidence(client, uuid: str) -> dict:
    login(client, "reviewer101")
    response = client.get(f"/api/v1/inspections/{uuid}/evidence")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def codes(body: dict) -> list[list[str]]:
    return [[f["code"] for f in photo["findings"]] for photo in body["photos"]]


def test_a_clean_inspection_is_trusted(client, token, sites):
    place = sites[0]
    uuid = submit(client, token, place, field_photo(place.centre, seed=1), field_photo(place.centre, seed=2))
    assert inspection(uuid).status == "complete"
    body = evidence(client, uuid)
    assert body["evidence_level"] == "trusted" and body["evidence_assessed_at"]
    assert codes(body) == [["GEOFENCE_PASS"], ["GEOFENCE_PASS"]]
    photo = body["photos"][0]
    assert photo["usable"] is True and photo["arrived"] is True and photo["role"] == "distant"
    assert photo["findings"][0]["severity"] == "info" and photo["findings"][0]["data"]["source"] == "exif"
    assert photo["metadata"]["make"] == "Xiaomi" and photo["metadata"]["decode_status"] == "ok"
    assert photo["metadata"]["gps"]["lat"] == pytest.approx(place.centre[1], abs=1e-5)
    assert photo["thumb_url"] == f"/api/v1/photos/{photo['sha256']}/thumb"
    assert {r["role"]: (r["usable_count"], r["ok"]) for r in body["required_photos"]} == {
        "distant": (1, True), "close": (1, True)}


@pytest.mark.parametrize(("close_at", "code", "level"), [
    (lambda place: place.east_of(30), "GEOFENCE_WARN", "doubtful"),
    (lambda place: reversed(wgs84_to_gcj02(place.centre[1], place.centre[0])), "GEOFENCE_GCJ02_SHIFT", "doubtful"),
    (lambda place: place.east_of(200), "GEOFENCE_FAIL", "insufficient"),  # the only 近景 is unusable
])
def test_the_photo_position_sets_the_level(client, token, sites, close_at, code, level):
    place = sites[0]
    uuid = submit(client, token, place, field_photo(place.centre, seed=1),
                  field_photo(tuple(close_at(place)), seed=2))
    body = evidence(client, uuid)
    assert body["evidence_level"] == level
    assert codes(body) == [["GEOFENCE_PASS"], [code]]
    assert body["required_photos"][1]["ok"] is (level != "insufficient")


def test_photos_that_are_not_images_are_insufficient(client, token, sites):
    uuid = submit(client, token, sites[0], b"not a photo 1", b"not a photo 2")
    body = evidence(client, uuid)
    assert body["evidence_level"] == "insufficient"
    assert codes(body) == [["NOT_AN_IMAGE"], ["NOT_AN_IMAGE"]]
    assert [p["usable"] for p in body["photos"]] == [False, False]


def test_exact_reuse_on_another_parcel_is_flagged(client, token, sites):
    shared = field_photo(sites[0].centre, seed=1)
    first = submit(client, token, sites[0], shared, field_photo(sites[0].centre, seed=2))
    second = submit(client, token, sites[1], shared, field_photo(sites[1].centre, seed=3))
    assert evidence(client, first)["evidence_level"] == "trusted"  # nothing to compare with when it arrived
    body = evidence(client, second)
    reuse = body["photos"][0]["findings"][-1]
    assert reuse["code"] == "REUSE_EXACT" and reuse["data"] == {"other_photo_ids": [first]}
    assert body["evidence_level"] == "insufficient"  # its 远景 is another parcel's photo


def test_reassessing_keeps_the_first_use_as_the_original(client, token, sites, runner):
    """After `evidence reassess --all` the copy keeps its error and the original only gets a note (issue 11)."""
    shared = field_photo(sites[0].centre, seed=1)
    near_original = field_photo(sites[0].centre, seed=4, quality=95)
    first = submit(client, token, sites[0], shared, near_original)
    second = submit(client, token, sites[1], shared, field_photo(sites[1].centre, seed=4, quality=60,
                                                                 taken=minutes_ago(4)))
    assert runner.invoke(args=["evidence", "reassess", "--all"]).exit_code == 0
    original = evidence(client, first)
    assert original["evidence_level"] == "trusted"
    note = original["photos"][0]["findings"][-1]
    assert (note["code"], note["severity"], note["data"]) == ("REUSE_ORIGINAL", "info",
                                                              {"count": 1, "other_photo_ids": [second]})
    assert [f["code"] for f in original["photos"][1]["findings"]] == ["GEOFENCE_PASS"]  # no REUSE_NEAR either
    copy = evidence(client, second)
    assert copy["photos"][0]["findings"][-1]["code"] == "REUSE_EXACT"
    assert copy["evidence_level"] == "insufficient"


def test_the_same_photo_again_on_the_same_parcel_and_day_is_no_reuse(client, token, sites):
    shared = field_photo(sites[0].centre, seed=1)
    submit(client, token, sites[0], shared, field_photo(sites[0].centre, seed=2))
    second = submit(client, token, sites[0], shared, field_photo(sites[0].centre, seed=3))
    assert evidence(client, second)["evidence_level"] == "trusted"


def test_near_reuse_of_a_re_encoded_photo_is_flagged(client, token, sites):
    first = submit(client, token, sites[0], field_photo(sites[0].centre, seed=1, quality=95),
                   field_photo(sites[0].centre, seed=2))
    copy = field_photo(sites[1].centre, seed=1, quality=60, taken=minutes_ago(4))
    body = evidence(client, submit(client, token, sites[1], copy, field_photo(sites[1].centre, seed=3)))
    near = body["photos"][0]["findings"][-1]
    assert near["code"] == "REUSE_NEAR" and near["severity"] == "warning"
    first_sha = evidence(client, first)["photos"][0]["sha256"]
    assert near["data"]["matches"][0][0] == first_sha and near["data"]["hash_distance"] <= 8
    assert body["evidence_level"] == "doubtful"


def test_real_phone_photos(client, token, sites, shared_photos):
    """An iPhone photo geotagged in Seattle fails the geofence; a Xiaomi photo without GPS falls back to the
    app's fix (lower trust)."""
    seattle = (shared_photos / "gps_iphone5_seattle.jpg").read_bytes()
    xiaomi = (shared_photos / "nogps_xiaomi_mi9t_4mb.jpg").read_bytes()
    body = evidence(client, submit(client, token, sites[0], seattle, xiaomi))
    distant, close = codes(body)
    assert "GEOFENCE_FAIL" in distant
    assert body["photos"][0]["findings"][distant.index("GEOFENCE_FAIL")]["data"]["distance_m"] > 9_000_000
    assert close[:3] == ["GPS_MISSING", "DEVICE_FIX_FALLBACK", "GEOFENCE_PASS"]
    assert body["photos"][1]["findings"][0]["severity"] == "warning"  # a device fix exists
    assert body["photos"][1]["findings"][2]["data"]["source"] == "device"
    assert body["evidence_level"] == "insufficient"


def test_findings_are_rows_queryable_by_code(client, token, sites):
    place = sites[0]
    submit(client, token, place, field_photo(place.centre, seed=1), field_photo(place.east_of(30), seed=2))
    count = db.session.scalar(select(func.count()).select_from(PhotoFinding)
                              .where(PhotoFinding.code == "GEOFENCE_WARN"))
    assert count == 1


def test_reassessing_replaces_the_findings(client, token, sites, runner, app):
    place = sites[0]
    uuid = submit(client, token, place, field_photo(place.centre, seed=1), field_photo(place.east_of(30), seed=2))
    rows = lambda: db.session.scalars(select(PhotoFinding.code).order_by(PhotoFinding.id)).all()  # noqa: E731
    before = rows()
    result = runner.invoke(args=["evidence", "reassess", "--inspection", uuid])
    assert result.exit_code == 0 and result.output == f"{uuid}: doubtful\n"
    assert rows() == before
    # A county widening its tolerance to 40 m makes the 30 m photo pass.
    app.config["FARMPATROL"] = app.config["FARMPATROL"].with_overrides(evidence_geofence_pass_m=40.0)
    result = runner.invoke(args=["evidence", "reassess", "--all"])
    assert result.output == "已重新评估 1 次巡查\n"
    assert rows()[-1] == "GEOFENCE_PASS" and inspection(uuid).evidence_level == "trusted"
    assert runner.invoke(args=["evidence", "reassess"]).exit_code == 2


def test_an_inspection_waiting_for_photos_has_no_level_yet(client, token, sites):
    place = sites[0]
    uuid = submit(client, token, place, field_photo(place.centre, seed=1), field_photo(place.centre, seed=2),
                  upload_all=False)
    body = evidence(client, uuid)
    assert body["status"] == "awaiting_photos" and body["evidence_level"] is None
    assert [(p["arrived"], p["usable"], p["findings"], p["thumb_url"]) for p in body["photos"]] == [
        (False, None, [], None)] * 2


def _to_bd09(lat: float, lon: float) -> tuple[float, float]:
    """GCJ-02 -> BD-09, Baidu's published forward shift."""
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * math.pi * 3000 / 180)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * math.pi * 3000 / 180)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


@pytest.mark.parametrize("crs", ["WGS84", "GCJ02", "BD09"])
def test_the_device_fix_is_converted_to_wgs84_before_the_fallback(client, token, sites, crs):
    """Photos without GPS fall back to the app's fix, whatever coordinate system the app reported it in."""
    place = sites[0]
    lat, lon = place.centre[1], place.centre[0]
    if crs != "WGS84":
        lat, lon = wgs84_to_gcj02(lat, lon)
    if crs == "BD09":
        lat, lon = _to_bd09(lat, lon)
    uuid = submit(client, token, place, field_photo(None, seed=1), field_photo(None, seed=2),
                  location={"lat": lat, "lon": lon, "accuracy_m": 5.0, "crs": crs})
    body = evidence(client, uuid)
    assert codes(body) == [["GPS_MISSING", "DEVICE_FIX_FALLBACK", "GEOFENCE_PASS"]] * 2
    assert body["photos"][0]["findings"][2]["data"]["distance_m"] < 2
    assert body["evidence_level"] == "doubtful"
