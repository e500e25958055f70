"""The HTTP contract of the foundation: authentication, scopes, parcels, and the JSON error format."""

import pytest

from server.accounts import service
from server.demo.generator import DEMO_PASSWORD


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status: int, code: str, field: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    if field is not None:
        assert error["field"] == field


def test_health_reports_server_time(client):
    body = client.get("/api/v1/health").get_json()
    assert body["status"] == "ok" and body["server_time"].endswith("+00:00")


def test_device_token_acts_for_its_inspector(client, demo):
    token = demo.device_tokens["inspector101201"]
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["username"] == "inspector101201"
    assert me["territory"] == {"role": "inspector", "county": "330481", "villages": ["330481101201"]}
    assert me["device"]["name"] == "inspector101201-phone"


def test_inspector_sees_only_own_village_parcels(client, demo):
    token = demo.device_tokens["inspector101201"]
    body = client.get("/api/v1/parcels?limit=5000", headers=bearer(token)).get_json()
    villages = {f["properties"]["village"] for f in body["features"]}
    assert villages == {"330481101201"}
    assert body["type"] == "FeatureCollection" and body["has_more"] is False
    feature = body["features"][0]
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert 2 < feature["properties"]["area_mu"] < 15


def test_parcel_outside_scope_is_not_found(client, demo):
    own = demo.device_tokens["inspector101201"]
    other = client.get("/api/v1/parcels?village=330481102201",
                       headers=bearer(demo.device_tokens["inspector102201"])).get_json()
    foreign_code = other["features"][0]["id"]
    assert client.get(f"/api/v1/parcels/{foreign_code}", headers=bearer(own)).status_code == 404
    assert client.get(f"/api/v1/parcels/{foreign_code}",
                      headers=bearer(demo.device_tokens["inspector102201"])).status_code == 200


def test_bbox_filters_parcels(client, demo):
    token = demo.device_tokens["inspector101201"]
    everything = client.get("/api/v1/parcels", headers=bearer(token)).get_json()["features"]
    first = everything[0]["geometry"]["coordinates"][0][0]
    lon, lat = first
    window = f"{lon - 1e-4},{lat - 1e-4},{lon + 1e-4},{lat + 1e-4}"
    nearby = client.get(f"/api/v1/parcels?bbox={window}", headers=bearer(token)).get_json()["features"]
    assert 1 <= len(nearby) < len(everything)
    assert everything[0]["id"] in {f["id"] for f in nearby}


@pytest.mark.parametrize("query, field", [("bbox=1,2,3", "bbox"), ("bbox=a,b,c,d", "bbox"),
                                          ("bbox=10,10,5,5", "bbox"), ("limit=0", "limit"),
                                          ("village=123", "village"), ("colour=red", "colour")])
def test_bad_query_names_the_field(client, demo, query, field):
    response = client.get(f"/api/v1/parcels?{query}", headers=bearer(demo.device_tokens["inspector101201"]))
    assert_error(response, 422, "validation_failed", field)


def test_authentication_errors(client, demo):
    assert_error(client.get("/api/v1/parcels"), 401, "unauthenticated")
    assert_error(client.get("/api/v1/parcels", headers={"Authorization": "Basic abc"}), 401, "unauthenticated",
                 "Authorization")
    assert_error(client.get("/api/v1/parcels", headers=bearer("fpd_forged")), 401, "unauthenticated")
    token = demo.device_tokens["inspector101201"]
    device = service.authenticate_device(token)
    service.revoke_device(device.id)
    assert_error(client.get("/api/v1/parcels", headers=bearer(token)), 401, "token_revoked")


def test_session_login_for_reviewers(client, demo):
    assert_error(client.post("/api/v1/auth/login", json={"username": "reviewer101", "password": "nope"}),
                 401, "unauthenticated", "password")
    assert_error(client.post("/api/v1/auth/login", data="{not json", content_type="application/json"),
                 400, "malformed_json")
    assert_error(client.post("/api/v1/auth/login", json={"username": "reviewer101"}), 422, "validation_failed",
                 "password")
    response = client.post("/api/v1/auth/login", json={"username": "reviewer101", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert response.get_json()["territory"] == {"role": "township_reviewer", "county": "330481",
                                                "township": "330481101"}
    villages = {f["properties"]["village"] for f in client.get("/api/v1/parcels").get_json()["features"]}
    assert villages == {"330481101201", "330481101202"}


def test_unknown_route_and_method_are_json(client):
    assert_error(client.get("/api/v1/nowhere"), 404, "not_found")
    assert_error(client.delete("/api/v1/health"), 405, "method_not_allowed")


def test_request_size_limit(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/api/v1/auth/login", data=b"x" * (limit + 1), content_type="application/json")
    assert_error(response, 413, "payload_too_large")


def test_web_login_in_chinese_with_csrf(client, demo):
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "登录" in html and 'lang="zh-CN"' in html
    no_csrf = client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD})
    assert no_csrf.status_code == 400
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    wrong = client.post("/login", data={"username": "admin", "password": "x", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    ok = client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token})
    assert ok.status_code == 302
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "辖区概况" in dashboard and "演示县" in dashboard and "40" in dashboard
