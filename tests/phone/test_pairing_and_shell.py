"""The phone's server side: pairing with username and password, and the app shell with its service worker."""

from __future__ import annotations

import pytest

from server.accounts.models import Device
from server.demo.generator import DEMO_PASSWORD
from server.extensions import db
from tests.sync.helpers import bearer


def pair(client, username="inspector101201", password=DEMO_PASSWORD, device_name="Redmi Note 12"):
    return client.post("/api/v1/devices/pair", json={"username": username, "password": password,
                                                      "device_name": device_name})


def test_pairing_registers_a_device_and_returns_its_token_once(client, sync_demo):
    response = pair(client)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["token"].startswith("fpd_")
    assert body["device"]["name"] == "Redmi Note 12"
    assert body["user"]["username"] == "inspector101201"
    device = db.session.get(Device, body["device"]["id"])
    assert device.user.username == "inspector101201" and body["token"] not in device.token_hash
    me = client.get("/api/v1/me", headers=bearer(body["token"])).get_json()
    assert me["device"]["id"] == device.id
    assert client.get("/api/v1/sync/pull", headers=bearer(body["token"])).status_code == 200
    assert "password" not in body and "set-cookie" not in {k.lower() for k in response.headers.keys()}


@pytest.mark.parametrize("overrides, status, code, field", [
    ({"password": "wrong-password"}, 401, "unauthenticated", "password"),
    ({"username": "nobody"}, 401, "unauthenticated", "password"),
    ({"username": "reviewer101"}, 403, "pairing_inspectors_only", "username"),
    ({"device_name": ""}, 422, "validation_failed", "device_name"),
])
def test_pairing_refusals(client, sync_demo, overrides, status, code, field):
    before = db.session.query(Device).count()
    response = pair(client, **overrides)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["field"] == field
    assert db.session.query(Device).count() == before


def _get(client, path):
    """The response with its body read and its file closed (static files are streamed from open files)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def test_app_shell_manifest_and_service_worker_are_served(client):
    """Needs the built app (scripts/test builds it; without it /app/ answers 503 naming the build step)."""
    shell = _get(client, "/app/")
    assert shell.status_code == 200 and "耕地巡查" in shell.get_data(as_text=True)
    assert shell.headers["Cache-Control"] == "no-cache"
    worker = _get(client, "/app/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/app/"
    manifest = _get(client, "/app/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json(force=True)["scope"] == "/app/"
    assert _get(client, "/app/dist/app.js").status_code == 200
    assert _get(client, "/app/icon.svg").status_code == 200


def test_pairing_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "201" in spec["paths"]["/devices/pair"]["post"]["responses"]
