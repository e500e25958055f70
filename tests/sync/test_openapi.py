"""The OpenAPI document is valid and describes every sync route."""

import re

from openapi_spec_validator import validate


def test_openapi_is_valid_and_covers_the_sync_routes(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    documented = {("/api/v1" + path, method.upper()) for path, item in spec["paths"].items()
                  for method in item if method != "parameters"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api_v1.sync.", "api_v1.uploads.", "api_v1.photos.", "api_v1.inspections.",
                                      "ops.")):
            if rule.endpoint == "api_v1.sync.openapi":
                continue
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            automatic = {"OPTIONS"} | ({"HEAD"} if "GET" in rule.methods else set())
            for method in (rule.methods - automatic) or {"OPTIONS"}:
                assert (path, method) in documented, (path, method)
