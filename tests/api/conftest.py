"""Fixtures of the API-wide tests: a second county, and one inspection, photo and case."""

from __future__ import annotations

import pytest

from server.accounts import service as accounts
from server.demo.generator import DEMO_PASSWORD
from server.territory.service import ensure_village
from tests.reviews.fixtures import building, cases_of, inspect
from tests.sync.helpers import photo_refs, push, record, sha256_hex, upload

PHOTO = b"\xff\xd8\xff not really a jpeg, stored as opaque bytes"
OTHER_PHOTO = b"\xff\xd8\xff another photo"


@pytest.fixture
def other_county(sync_demo):
    """County 330482 with its own admin and inspector: nothing of the demo county 330481 is theirs."""
    ensure_village("330482101201", "邻县村")
    accounts.create_user("admin482", DEMO_PASSWORD, "county_admin", county_code="330482")
    inspector = accounts.create_user("inspector482", DEMO_PASSWORD, "inspector", village_codes=["330482101201"])
    _, device_token = accounts.register_device(inspector, "邻县手机")
    return device_token


@pytest.fixture
def world(client, token, own_parcels, parcels):
    """An inspection of village 330481101201 with an arrived photo, and a case on one of its parcels."""
    body = record(own_parcels[0], photos=photo_refs(PHOTO, OTHER_PHOTO))
    assert push(client, token, [body]).get_json()["results"][0]["status"] == "accepted"
    upload(client, token, PHOTO)
    inspect(parcels["pbf"], building(2.0))
    [case] = cases_of(parcels["pbf"])
    return {"inspection": body["uuid"], "photo": sha256_hex(PHOTO), "case": case.id, "parcel": own_parcels[0],
            "record": body}


def error_of(response, status: int, code: str, field: str | None = "any") -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    error = response.get_json()["error"]
    assert error["code"] == code and set(error) >= {"code", "message", "field"}, error
    if field != "any":
        assert error["field"] == field, error
    return error
