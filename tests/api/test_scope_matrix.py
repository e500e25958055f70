"""The scope matrix: every API route × every role × inside/outside the territory, as one table (issue 11).

Rows are (OpenAPI path, method); the test fails when the url_map has a route without a row, so a route added
later must say here who may call it. "_out" roles act for another township (reviewer, device) or county
(admin); everything they ask about belongs to village 330481101201 of township 330481101."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from server.extensions import db
from server.inspections.models import InspectionConflict
from server.reports import service as reports
from server.reports.snapshot import period_of
from server.territory.service import get_county
from tests.api.test_openapi_coverage import api_operations
from tests.sync.helpers import TUS, bearer, create_upload, push, tus_metadata

ROLES = ("anon", "device", "device_out", "inspector", "reviewer", "reviewer_out", "admin", "admin_out")
SESSIONS = {"inspector": "inspector101201", "reviewer": "reviewer101", "reviewer_out": "reviewer102",
            "admin": "admin", "admin_out": "admin482"}


def expect(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


SCOPED_READ = expect(200, anon=401, device_out=404, reviewer_out=404, admin_out=404)
SIGNED_IN = expect(200, anon=401)
DEVICE_ONLY = expect(403, anon=401, device=200, device_out=200)
OWN_UPLOAD = expect(403, anon=401, device=200, device_out=404)
REPORT_READ = expect(404, anon=401, reviewer=200, reviewer_out=200, admin=200)

# (path, method) -> (request: url, json and headers from the world and role, expected status by role); in this order
# (the upload is deleted, then every session is ended, last).
MATRIX = {
    ("/api/v1/health", "GET"): (lambda w: {}, expect(200)),
    ("/api/v1/ready", "GET"): (lambda w: {}, expect(200)),
    ("/api/v1/openapi.json", "GET"): (lambda w: {}, expect(200)),
    # A user name per role: five failures of one name would lock it (429).
    ("/api/v1/auth/login", "POST"): (lambda w: {"json": {"username": f"nobody-{w['role']}", "password": "x"}},
                                     expect(401)),
    ("/api/v1/me", "GET"): (lambda w: {}, SIGNED_IN),
    ("/api/v1/parcels", "GET"): (lambda w: {}, SIGNED_IN),
    ("/api/v1/parcels/{code}", "GET"): (lambda w: {"code": w["parcel"]}, SCOPED_READ),
    ("/api/v1/patrol-tasks", "GET"): (lambda w: {}, SIGNED_IN),
    ("/api/v1/inspections", "GET"): (lambda w: {}, SIGNED_IN),
    ("/api/v1/inspections/{uuid}", "GET"): (lambda w: {"uuid": w["inspection"]}, SCOPED_READ),
    ("/api/v1/inspections/{uuid}/evidence", "GET"): (lambda w: {"uuid": w["inspection"]}, SCOPED_READ),
    ("/api/v1/photos/{sha256}/{size}", "GET"): (lambda w: {"sha256": w["photo"], "size": "original"}, SCOPED_READ),
    ("/api/v1/photos/{sha256}", "HEAD"): (lambda w: {"sha256": w["photo"]}, OWN_UPLOAD),
    ("/api/v1/cases", "GET"): (lambda w: {}, SIGNED_IN),
    ("/api/v1/cases/{case_id}", "GET"): (lambda w: {"case_id": w["case"]}, SCOPED_READ),
    # `verify` is not allowed on a flagged case: 409 for those who may act, so the table changes nothing.
    ("/api/v1/cases/{case_id}/transitions", "POST"): (
        lambda w: {"case_id": w["case"], "json": {"action": "verify"}},
        expect(404, anon=401, device=403, inspector=403, reviewer=409, admin=409)),
    ("/api/v1/sync/pull", "GET"): (lambda w: {}, DEVICE_ONLY),
    ("/api/v1/sync/push", "POST"): (
        lambda w: {"json": {"device_time": "2026-05-03T09:00:00+08:00", "records": []}}, DEVICE_ONLY),
    ("/api/v1/uploads", "OPTIONS"): (lambda w: {"headers": TUS}, expect(204)),
    ("/api/v1/uploads", "POST"): (lambda w: {"headers": {**TUS, "Upload-Length": "3", "Upload-Metadata": tus_metadata(
        sha256="b" * 64)}}, expect(403, anon=401, device=201, device_out=201)),
    ("/api/v1/uploads/{upload_id}", "HEAD"): (lambda w: {"upload_id": w["upload"], "headers": TUS}, OWN_UPLOAD),
    ("/api/v1/uploads/{upload_id}", "PATCH"): (
        lambda w: {"upload_id": w["upload"], "data": b"x", "headers": {
            **TUS, "Upload-Offset": "5", "Content-Type": "application/offset+octet-stream"}},
        expect(403, anon=401, device=409, device_out=404)),
    ("/api/v1/uploads/{upload_id}", "DELETE"): (lambda w: {"upload_id": w["upload"], "headers": TUS},
                                                expect(403, anon=401, device=204, device_out=404)),
    # Phone pairing takes a password like sign-in: the same limits, the same answer for unknown names.
    ("/api/v1/devices/pair", "POST"): (
        lambda w: {"json": {"username": f"nobody-{w['role']}", "password": "x", "device_name": "手机"}}, expect(401)),
    # Conflicts (issue 10): an inspector sees those their own devices pushed.
    ("/api/v1/sync/conflicts", "GET"): (lambda w: {}, SIGNED_IN),
    ("/api/v1/sync/conflicts/{conflict_id}", "GET"): (lambda w: {"conflict_id": w["conflict"]}, SCOPED_READ),
    # The reviewer keeps the stored version; the admin after them finds it resolved (409).
    ("/api/v1/sync/conflicts/{conflict_id}/resolve", "POST"): (
        lambda w: {"conflict_id": w["conflict"], "json": {"keep": "stored", "reason": "以已存版本为准"}},
        expect(403, anon=401, reviewer=200, reviewer_out=404, admin=409, admin_out=404)),
    # Reports (issue 12): the county's; a reviewer of any of its townships sees their part; inspectors none.
    ("/api/v1/reports", "GET"): (lambda w: {}, SIGNED_IN),
    ("/api/v1/reports/compute", "POST"): (
        lambda w: {"json": {"county": "330481", "year": 2026, "quarter": 2, "as_of": "2026-06-30"}},
        expect(403, anon=401, admin=200, admin_out=404)),
    ("/api/v1/reports/issue", "POST"): (
        lambda w: {"json": {"county": "330481", "year": 2026, "quarter": 1, "as_of": "2026-03-31"}},
        expect(403, anon=401, admin=201, admin_out=404)),
    ("/api/v1/reports/{report_id}", "GET"): (lambda w: {"report_id": w["report"]}, REPORT_READ),
    # Version 1 has no earlier version to compare with: 422 for those who see it.
    ("/api/v1/reports/{report_id}/diff", "GET"): (
        lambda w: {"report_id": w["report"]}, expect(404, anon=401, reviewer=422, reviewer_out=422, admin=422)),
    ("/api/v1/reports/{report_id}/download/{fmt}", "GET"): (lambda w: {"report_id": w["report"], "fmt": "csv"},
                                                           REPORT_READ),
    # Returning township 101's part: its reviewer and the county admin may, the other township's reviewer not.
    ("/api/v1/reports/{report_id}/signoffs", "POST"): (
        lambda w: {"report_id": w["report"], "json": {"township": "330481101", "action": "return", "reason": "核对"}},
        expect(403, anon=401, reviewer=200, admin=200, admin_out=404)),
    # Not every township has signed: 409 for the admin, so the table finalises nothing.
    ("/api/v1/reports/{report_id}/finalise", "POST"): (
        lambda w: {"report_id": w["report"]}, expect(403, anon=401, admin=409, admin_out=404)),
    ("/api/v1/auth/logout", "POST"): (lambda w: {}, expect(204)),
}


@pytest.fixture
def callers(app, login, token, sync_demo, other_county):
    """role -> (client, headers)."""
    devices = {"device": token, "device_out": sync_demo.device_tokens["inspector102201"]}
    made = {"anon": (app.test_client(), {})}
    made.update({role: (app.test_client(), bearer(value)) for role, value in devices.items()})
    made.update({role: (login(username), {}) for role, username in SESSIONS.items()})
    return made


def test_every_route_has_a_row(app):
    assert set(MATRIX) == api_operations(app)


@pytest.fixture
def matrix_world(client, token, world) -> dict:
    """The world with an open upload, a conflict (a second push of its inspection) and an issued yearly report."""
    stored = world["record"]
    changed = {**stored, "answers": {**stored["answers"], "remarks": "补拍"}}
    assert push(client, token, [changed]).get_json()["results"][0]["status"] == "conflict"
    conflict = db.session.scalar(select(InspectionConflict.id))
    report = reports.issue(get_county("330481"), period_of("year", 2026), date(2026, 12, 31))
    return {**world, "upload": create_upload(client, token, b"abc").headers["Location"].rsplit("/", 1)[1],
            "conflict": conflict, "report": report.id}


def test_every_route_every_role_inside_and_outside(matrix_world, callers):
    world = matrix_world
    wrong = []
    for (path, method), (build, expected) in MATRIX.items():
        for role in ROLES:
            request = build({**world, "role": role})
            url = path.format(**{k: request.pop(k) for k in list(request) if "{" + k + "}" in path})
            test_client, headers = callers[role]
            with test_client.open(url, method=method, headers={**request.pop("headers", {}), **headers},
                                  **request) as response:
                response.get_data()
                if response.status_code != expected[role]:
                    wrong.append((method, path, role, expected[role], response.status_code))
    assert wrong == []
