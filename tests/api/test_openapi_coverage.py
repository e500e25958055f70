"""Every API route of the url_map is in the OpenAPI document with the statuses the app answers (issue 11, item 9).

The url_map is the source: a route added without a documented entry fails here."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

PUBLIC = {("/api/v1/health", "GET"), ("/api/v1/openapi.json", "GET"), ("/api/v1/auth/login", "POST"),
          ("/api/v1/auth/logout", "POST"), ("/api/v1/uploads", "OPTIONS"), ("/api/v1/devices/pair", "POST"),
          ("/api/v1/ready", "GET")}


def api_operations(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every API route, without Flask's automatic HEAD and OPTIONS."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^<>]*:)?([^<>:]+)>", r"{\1}", rule.rule)  # <int(max=…):case_id> -> {case_id}
        automatic = {"OPTIONS"} | ({"HEAD"} if "GET" in rule.methods else set())
        for method in (rule.methods - automatic) or {"OPTIONS"}:
            operations.add((path, method))
    return operations


def test_every_route_is_documented_with_its_statuses(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    documented = {("/api/v1" + path, method.upper()): operation for path, item in spec["paths"].items()
                  for method, operation in item.items() if method != "parameters"}
    operations = api_operations(app)
    assert len(operations) >= 23
    assert operations - set(documented) == set(), "routes missing from the OpenAPI document"
    assert set(documented) - operations == set(), "documented operations that no route serves"
    for (path, method), operation in documented.items():
        statuses = set(operation["responses"])
        assert {"400", "413"} <= statuses, (path, method)
        if (path, method) not in PUBLIC:
            assert {"401", "403"} <= statuses and operation["security"], (path, method)
        if "{" in path:
            assert {"404", "422"} <= statuses, (path, method)
        if path.startswith("/api/v1/uploads") and method != "OPTIONS":
            assert "412" in statuses, (path, method)
    assert "429" in documented[("/api/v1/auth/login", "POST")]["responses"]
    assert "429" in documented[("/api/v1/devices/pair", "POST")]["responses"]


def test_405_names_the_allowed_methods(client):
    response = client.put("/api/v1/cases")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD", "OPTIONS"}
    assert response.headers["Content-Type"] == "application/json"
