"""Denials across the whole API: no caller, a deactivated user, a revoked token, another village, township or
county, another device's upload; and malformed input answered with a 4xx in the common format, never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from server.accounts import service as accounts
from server.accounts.models import User
from server.demo.generator import DEMO_PASSWORD
from server.extensions import db
from tests.api.conftest import OTHER_PHOTO, PHOTO, error_of
from tests.sync.fixtures import parcel_codes
from tests.sync.helpers import (TUS, bearer, create_upload, photo_refs, push, record, sha256_hex, tus_metadata,
                                upload)


def scoped_reads(world) -> list[str]:
    return [f"/api/v1/parcels/{world['parcel']}", f"/api/v1/inspections/{world['inspection']}",
            f"/api/v1/inspections/{world['inspection']}/evidence", f"/api/v1/cases/{world['case']}",
            *(f"/api/v1/photos/{world['photo']}/{size}" for size in ("thumb", "review", "original"))]


def get(client, url: str, **kwargs):
    with client.get(url, **kwargs) as response:  # photo originals are streamed from an open file
        response.get_data()
        return response


# -- who is calling ---------------------------------------------------------------------------------------------

def test_nothing_but_health_login_and_openapi_without_a_caller(client, world):
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    for url in ["/api/v1/me", "/api/v1/parcels", "/api/v1/patrol-tasks", "/api/v1/inspections", "/api/v1/cases",
                "/api/v1/sync/pull", *scoped_reads(world)]:
        error_of(get(client, url), 401, "unauthenticated")
    error_of(client.post(f"/api/v1/cases/{world['case']}/transitions", json={"action": "confirm"}), 401,
             "unauthenticated")
    error_of(client.post("/api/v1/sync/push", json={"device_time": "2026-05-03T09:00:00+08:00", "records": []}),
             401, "unauthenticated")
    error_of(client.post("/api/v1/uploads", headers={**TUS, "Upload-Length": "10"}), 401, "unauthenticated")
    for method in ("head", "patch", "delete"):
        assert getattr(client, method)("/api/v1/uploads/abc", headers=TUS).status_code == 401
    assert client.head(f"/api/v1/photos/{world['photo']}").status_code == 401


def test_a_deactivated_user_loses_sessions_and_device_tokens(client, token, world, login):
    reviewer, inspector_session = login("reviewer101"), login("inspector101201")
    assert get(reviewer, f"/api/v1/cases/{world['case']}").status_code == 200
    for username in ("reviewer101", "inspector101201"):
        db.session.scalar(select(User).where(User.username == username)).is_active = False
    db.session.commit()
    for session_client in (reviewer, inspector_session):
        for url in ["/api/v1/me", "/api/v1/cases", *scoped_reads(world)]:
            error_of(get(session_client, url), 401, "unauthenticated")
    error_of(reviewer.post(f"/api/v1/cases/{world['case']}/transitions", json={"action": "confirm"}), 401,
             "unauthenticated")
    for url in ["/api/v1/me", "/api/v1/sync/pull", *scoped_reads(world)]:
        error_of(get(client, url, headers=bearer(token)), 401, "unauthenticated")
    error_of(push(client, token, []), 401, "unauthenticated")
    error_of(create_upload(client, token, OTHER_PHOTO), 401, "unauthenticated")
    assert client.head(f"/api/v1/photos/{world['photo']}", headers=bearer(token)).status_code == 401
    response = client.post("/api/v1/auth/login", json={"username": "reviewer101", "password": DEMO_PASSWORD})
    error_of(response, 401, "unauthenticated", "password")


def test_a_revoked_token_is_refused_everywhere(client, token, world, sync_demo):
    user = accounts.get_user("inspector101201")
    accounts.revoke_device(user.devices[0].id)
    for url in ["/api/v1/me", "/api/v1/sync/pull", "/api/v1/parcels", *scoped_reads(world)]:
        error_of(get(client, url, headers=bearer(token)), 401, "token_revoked")
    error_of(push(client, token, [record(world["parcel"])]), 401, "token_revoked")
    error_of(create_upload(client, token, OTHER_PHOTO), 401, "token_revoked")
    assert client.head(f"/api/v1/photos/{world['photo']}", headers=bearer(token)).status_code == 401


# -- territory ---------------------------------------------------------------------------------------------------

def test_another_village_township_or_county_sees_nothing(client, world, other_county, login, sync_demo):
    callers = {
        "inspector of another village": {"headers": bearer(sync_demo.device_tokens["inspector101202"])},
        "inspector of another county": {"headers": bearer(other_county)},
    }
    for name, kwargs in callers.items():
        for url in scoped_reads(world):
            assert get(client, url, **kwargs).status_code == 404, (name, url)
    for username in ("reviewer102", "admin482"):
        caller = login(username)
        for url in scoped_reads(world):
            error_of(get(caller, url), 404, "not_found")
        assert caller.get("/api/v1/inspections").get_json()["inspections"] == []
        for url in ("/api/v1/cases", "/api/v1/parcels", "/api/v1/patrol-tasks"):  # a filter: absent, alike
            error_of(caller.get(url, query_string={"village": "330481101201"}), 404, "not_found", "village")
        foreign = caller.post(f"/api/v1/cases/{world['case']}/transitions", json={"action": "confirm"})
        missing = caller.post("/api/v1/cases/999999/transitions", json={"action": "confirm"})
        assert (foreign.status_code, foreign.get_json()["error"]["code"]) == (404, "not_found")
        assert {k: v for k, v in foreign.get_json()["error"].items() if k != "message"} == \
            {k: v for k, v in missing.get_json()["error"].items() if k != "message"}
    admin482 = login("admin482")
    assert admin482.get("/api/v1/parcels").get_json()["features"] == []
    assert admin482.get("/api/v1/cases").get_json()["cases"] == []
    assert admin482.get("/api/v1/patrol-tasks").get_json()["tasks"] == []
    admin = login("admin")  # the demo county's admin sees it all (the opaque photo has no thumbnail or review image)
    for url in scoped_reads(world):
        assert get(admin, url).status_code == 200 or url.endswith(("/thumb", "/review")), url


def test_the_other_county_pulls_none_of_the_demo_county(client, world, other_county):
    body = client.get("/api/v1/sync/pull", headers=bearer(other_county), query_string={"limit": 1000}).get_json()
    assert {change["entity"] for change in body["changes"]} == {"form"}


def test_inspectors_and_devices_cannot_take_reviewer_actions(client, token, world, login):
    error_of(client.post(f"/api/v1/cases/{world['case']}/transitions", json={"action": "confirm"},
                         headers=bearer(token)), 403, "forbidden")
    error_of(login("inspector101201").post(f"/api/v1/cases/{world['case']}/transitions",
                                           json={"action": "dismiss", "note": "不是违法"}), 403, "forbidden")
    assert login("reviewer101").get(f"/api/v1/cases/{world['case']}").get_json()["status"] == "flagged"


def test_sync_endpoints_take_device_tokens_only(login, world):
    reviewer = login("reviewer101")
    error_of(reviewer.get("/api/v1/sync/pull"), 403, "forbidden")
    inspector = login("inspector101201")
    error_of(inspector.get("/api/v1/sync/pull"), 403, "device_required", "Authorization")
    error_of(inspector.post("/api/v1/uploads", headers={**TUS, "Upload-Length": "10"}), 403, "device_required")


def test_uploads_belong_to_the_device_that_created_them(client, token, sync_demo, own_parcels):
    location = create_upload(client, token, OTHER_PHOTO).headers["Location"]
    _, second_token = accounts.register_device(accounts.get_user("inspector101201"), "第二部手机")
    for other in (second_token, sync_demo.device_tokens["inspector101202"]):
        headers = {**TUS, **bearer(other)}
        assert client.head(location, headers=headers).status_code == 404
        error_of(client.patch(location, data=OTHER_PHOTO, headers={
            **headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}), 404, "not_found",
            "upload_id")
        error_of(client.delete(location, headers=headers), 404, "not_found", "upload_id")
    assert client.head(location, headers={**TUS, **bearer(token)}).headers["Upload-Offset"] == "0"


def test_a_push_for_another_villages_parcel_is_rejected(client, token, foreign_parcels):
    [result] = push(client, token, [record(foreign_parcels[0])]).get_json()["results"]
    assert result["status"] == "rejected"
    assert {(e["field"], e["code"]) for e in result["errors"]} == {("parcel_code", "parcel_out_of_scope")}


# -- malformed input: a 4xx in the common format, never a 500 ----------------------------------------------------

@pytest.mark.parametrize("url, field", [
    ("/api/v1/parcels?offset=99999999999999999999999", "offset"),
    ("/api/v1/inspections?offset=99999999999999999999999", "offset"),
    ("/api/v1/cases?offset=99999999999999999999999", "offset"),
    ("/api/v1/patrol-tasks?offset=99999999999999999999999", "offset"),
    ("/api/v1/patrol-tasks?due_before=0001-01-01T00:00:00%2B08:00", "due_before"),
    ("/api/v1/patrol-tasks?due_before=9999-12-31T23:00:00-08:00", "due_before"),
    ("/api/v1/patrol-tasks?due_before=tomorrow", "due_before"),
    ("/api/v1/patrol-tasks?limit=abc", "limit"),
    ("/api/v1/parcels?bbox=1,2,x,4", "bbox"),
])
def test_bad_query_values_are_validation_errors(login, sync_demo, url, field):
    error_of(login("admin").get(url), 422, "validation_failed", field)


def test_case_ids_beyond_any_row_are_not_found(login, world):
    admin = login("admin")
    error_of(admin.get("/api/v1/cases/99999999999999999999999"), 404, "not_found")
    error_of(admin.post("/api/v1/cases/99999999999999999999999/transitions", json={"action": "confirm"}), 404,
             "not_found")
    error_of(admin.get("/api/v1/cases/abc"), 404, "not_found")


def test_a_deadline_too_far_ahead_is_refused(login, world):
    reviewer = login("reviewer101")
    assert reviewer.post(f"/api/v1/cases/{world['case']}/transitions", json={"action": "confirm"}).status_code == 200
    for deadline in ("9999-12-31", "2099-01-01"):
        response = reviewer.post(f"/api/v1/cases/{world['case']}/transitions",
                                 json={"action": "order_rectification", "deadline": deadline})
        error_of(response, 422, "validation_failed", "deadline")
    response = reviewer.post(f"/api/v1/cases/{world['case']}/transitions",
                             json={"action": "order_rectification", "deadline": "31/12/2026"})
    error_of(response, 422, "validation_failed", "deadline")


def _cursor(**fields) -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": 1, **fields}).encode()).decode()


def test_forged_pull_cursors_are_invalid(client, token, sync_demo):
    issued = client.get("/api/v1/sync/pull", headers=bearer(token)).get_json()["next_cursor"]
    fields = json.loads(base64.urlsafe_b64decode(issued))
    fields.pop("v")
    for change in ({"phase": 99}, {"phase": "parcel"}, {"phase": 1.5}, {"phase": -1}, {"phase": True},
                   {"phase": None, "seq": 10**30}, {"phase": 0, "after_id": 10**30}, {"seq": "1"}):
        response = client.get("/api/v1/sync/pull", query_string={"cursor": _cursor(**{**fields, **change})},
                              headers=bearer(token))
        error_of(response, 422, "invalid_cursor", "cursor")


@pytest.mark.parametrize("overrides, field", [
    ({"form_version": 10**30}, "form_version"),
    ({"started_at": "0001-01-01T00:10:00+08:00", "finished_at": "0001-01-01T00:20:00+08:00"}, "started_at"),
    ({"started_at": "9999-12-31T23:10:00-08:00", "finished_at": "9999-12-31T23:20:00-08:00"}, "started_at"),
    ({"task_id": "not-a-uuid"}, "task_id"),
    ({"location": {"lat": "north", "lon": 120.2}}, "location.lat"),
])
def test_out_of_range_record_values_reject_the_record(client, token, own_parcels, overrides, field):
    response = push(client, token, [record(own_parcels[0], **overrides)])
    assert response.status_code == 200, response.get_data(as_text=True)
    [result] = response.get_json()["results"]
    assert result["status"] == "rejected" and field in {e["field"] for e in result["errors"]}, result


def test_a_photo_time_out_of_range_rejects_the_record(client, token, own_parcels):
    photos = [{**ref, "taken_at": "0001-01-01T00:00:00+08:00"} for ref in photo_refs(PHOTO, OTHER_PHOTO)]
    [result] = push(client, token, [record(own_parcels[0], photos=photos)]).get_json()["results"]
    assert result["status"] == "rejected" and "photos[0].taken_at" in {e["field"] for e in result["errors"]}


@pytest.mark.parametrize("body", [[], "records", {"device_time": 5, "records": []},
                                  {"device_time": "2026-05-03T09:00:00+08:00", "records": {"a": 1}}])
def test_push_bodies_of_the_wrong_shape(client, token, sync_demo, body):
    response = client.post("/api/v1/sync/push", json=body, headers=bearer(token))
    error_of(response, 422, "validation_failed")


def test_tus_numbers_must_be_ascii_digits(client, token, sync_demo):
    headers = {**TUS, **bearer(token)}
    response = client.post("/api/v1/uploads", headers={**headers, "Upload-Length": "\u00b2",
                                                       "Upload-Metadata": "sha256 " + base64.b64encode(
                                                           sha256_hex(PHOTO).encode()).decode()})
    error_of(response, 400, "bad_request", "Upload-Length")
    location = create_upload(client, token, PHOTO).headers["Location"]
    response = client.patch(location, data=PHOTO, headers={**headers, "Upload-Offset": "\u00b2",
                                                            "Content-Type": "application/offset+octet-stream"})
    error_of(response, 400, "bad_request", "Upload-Offset")


# -- odd but small input (issue 11, item 5): 4xx in the common format on both databases ---------------------------

def _raw_json(client, url: str, text: str, **kwargs):
    return client.post(url, data=text.encode(), content_type="application/json", **kwargs)


def test_deeply_nested_json_is_malformed_not_a_crash(client, token, sync_demo):
    deep = "[" * 5000 + "]" * 5000
    error_of(_raw_json(client, "/api/v1/auth/login", deep), 400, "malformed_json")
    error_of(_raw_json(client, "/api/v1/sync/push", '{"device_time": "2026-05-03T09:00:00+08:00", "records": '
                       + deep + "}", headers=bearer(token)), 400, "malformed_json")
    shallow_but_deep_enough = '{"username": ' + "[" * 100 + "]" * 100 + ', "password": "x"}'
    error_of(_raw_json(client, "/api/v1/auth/login", shallow_but_deep_enough), 400, "malformed_json")


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\u0000"])
def test_lone_surrogates_and_nul_in_json_are_malformed(client, token, own_parcels, escape):
    login_body = '{"username": "admin' + escape + '", "password": "x"}'
    error_of(_raw_json(client, "/api/v1/auth/login", login_body), 400, "malformed_json")
    body = json.dumps({"device_time": "2026-05-03T09:00:00+08:00",
                       "records": [record(own_parcels[0], answers={"remarks": "X"})]}).replace("X", escape)
    error_of(_raw_json(client, "/api/v1/sync/push", body, headers=bearer(token)), 400, "malformed_json")


def test_nul_in_urls_is_a_bad_request(client, token, login, world):
    admin = login("admin")
    for url in ("/api/v1/parcels/%00", f"/api/v1/inspections/{world['inspection'][:-1]}%00",
                "/api/v1/cases?status=%00", "/api/v1/parcels?village=33%00"):
        error_of(get(admin, url), 400, "bad_request")
    response = client.head("/api/v1/photos/%00" + "a" * 63, headers=bearer(token))
    assert response.status_code == 400


def test_nul_in_the_web_sign_in_form_is_a_bad_request(client, sync_demo):
    with client.session_transaction() as session:
        session["csrf_token"] = "t"
    response = client.post("/login", data={"username": "admin\x00", "password": "x", "csrf_token": "t"})
    assert response.status_code == 400


def test_nul_in_upload_metadata_is_a_bad_request(client, token, sync_demo):
    headers = {**TUS, **bearer(token), "Upload-Length": "10",
               "Upload-Metadata": tus_metadata(sha256="a" * 64, filename="IMG\x00.jpg")}
    error_of(client.post("/api/v1/uploads", headers=headers), 400, "bad_request", "Upload-Metadata")


def test_case_ids_past_the_integer_column_are_not_found(login, world):
    admin = login("admin")
    error_of(admin.get(f"/api/v1/cases/{2**31}"), 404, "not_found")
    error_of(admin.post(f"/api/v1/cases/{2**31}/transitions", json={"action": "confirm"}), 404, "not_found")


# -- photos across territories (issue 11, item 2) -------------------------------------------------------------

def test_a_photo_of_another_territory_can_be_neither_cited_nor_seen(client, world, sync_demo, login):
    other = sync_demo.device_tokens["inspector102201"]
    photo_urls = [f"/api/v1/photos/{world['photo']}/{size}" for size in ("thumb", "review", "original")]
    assert client.head(f"/api/v1/photos/{world['photo']}", headers=bearer(other)).status_code == 404
    body = record(parcel_codes("330481102201")[0], photos=photo_refs(PHOTO, b"\xff\xd8\xff own close-up"))
    pushed = push(client, other, [body]).get_json()
    assert pushed["results"][0]["inspection_status"] == "awaiting_photos"
    assert world["photo"] in pushed["missing_photos"]
    for url in photo_urls:
        error_of(get(client, url, headers=bearer(other)), 404, "not_found")
    # A device that really holds the bytes sends them; the inspection completes and the reuse is found.
    upload(client, other, PHOTO)
    upload(client, other, b"\xff\xd8\xff own close-up")
    assert client.head(f"/api/v1/photos/{world['photo']}", headers=bearer(other)).status_code == 200
    reviewer_b, admin = login("reviewer102"), login("admin")
    shown_to_b = reviewer_b.get(f"/api/v1/inspections/{body['uuid']}/evidence").get_json()
    [reuse] = [f for p in shown_to_b["photos"] for f in p["findings"] if f["code"] == "REUSE_EXACT"]
    assert reuse["data"] == {"other_photo_ids": [], "other_territory_count": 1}
    assert world["inspection"] not in json.dumps(shown_to_b)
    shown_to_admin = admin.get(f"/api/v1/inspections/{body['uuid']}/evidence").get_json()
    [reuse] = [f for p in shown_to_admin["photos"] for f in p["findings"] if f["code"] == "REUSE_EXACT"]
    assert reuse["data"] == {"other_photo_ids": [world["inspection"]]}
