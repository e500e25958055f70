"""One rule for territory named in a list filter: absent and out of scope are the same 404, on every list.
And dates in bodies are YYYY-MM-DD only."""

from __future__ import annotations

import pytest

from tests.reviews.fixtures import building, cases_of, inspect

LISTS = ["/api/v1/patrol-tasks", "/api/v1/cases", "/api/v1/parcels"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("village", ["330481102201", "330481999999"])  # another township's; none at all
def test_a_village_outside_scope_looks_absent(demo, login, url, village):
    response = login("reviewer101").get(url, query_string={"village": village})
    assert response.status_code == 404
    assert response.get_json()["error"] == {"code": "not_found", "field": "village",
                                            "message": f"村不存在或不在辖区内: {village}"}


@pytest.mark.parametrize("url", LISTS)
def test_a_village_in_scope_filters(demo, login, url):
    assert login("reviewer101").get(url, query_string={"village": "330481101202"}).status_code == 200


@pytest.mark.parametrize("township, status", [("330481101", 200), ("330481102", 404), ("330481999", 404)])
def test_township_filter_of_cases(demo, login, township, status):
    response = login("reviewer101").get("/api/v1/cases", query_string={"township": township})
    assert response.status_code == status
    assert login("admin").get("/api/v1/cases", query_string={"township": township}).status_code == (
        404 if township == "330481999" else 200)


@pytest.mark.parametrize("deadline", ["20261201", "2026-12-1", "2026/12/01", "2026-12-01T00:00:00"])
def test_deadline_is_an_iso_date_with_dashes(parcels, login, deadline):
    inspect(parcels["pbf"], building(2.0))
    [case] = cases_of(parcels["pbf"])
    reviewer = login("reviewer101")
    reviewer.post(f"/api/v1/cases/{case.id}/transitions", json={"action": "confirm"})
    response = reviewer.post(f"/api/v1/cases/{case.id}/transitions",
                             json={"action": "order_rectification", "deadline": deadline})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "deadline"
