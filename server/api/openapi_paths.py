"""The OpenAPI description of the routes outside the sync protocol, and the answers every route can give.

Hand-written like server/sync/openapi.py. `complete()` adds to every operation the error answers that come
from the app rather than from the view (400 for NUL in the URL, 401/403 for the caller, 404 for path
parameters, 422 for parameters and bodies, 415 for JSON bodies, 429 for sign-in), so that no route documents fewer statuses
than it answers. tests/api/test_openapi_coverage.py checks that every route of the url_map is here.
"""

from __future__ import annotations

from server.cases.workflow import STATUSES as CASE_STATUSES
from server.cases.workflow import USER_ACTIONS
from server.db_types import BIGINT_MAX
from server.patrols.models import TaskStatus

_ERROR = {"$ref": "#/components/schemas/Error"}
_OBJECT = {"type": "object"}
_STRING = {"type": "string"}


def _page(max_limit: int) -> list[dict]:
    return [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": max_limit}},
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": BIGINT_MAX}}]


# The list endpoints that take territory and date filters (issue 16): the one rule for both.
_VILLAGE = {"name": "village", "in": "query", "schema": {"type": "string", "pattern": r"^\d{12}$"},
            "description": "A village in the caller's territory; one that does not exist or lies outside "
                           "it answers 404 not_found (field village) alike, on every list."}
_UUID_PATH = {"name": "uuid", "in": "path", "required": True, "schema": _STRING}
_SHA256_PATH = {"name": "sha256", "in": "path", "required": True, "schema": _STRING}
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}
_PHOTO_TYPES = ("image/jpeg", "image/png", "image/heic", "application/octet-stream")
# The sync protocol takes device tokens only (server/sync/openapi.py); tus answers 412 to another version.
DEVICE_ONLY_PREFIXES = ("/sync/", "/uploads", "/photos/{sha256}")
# Answered without a caller (security: []): liveness, readiness, sign-in, sign-out, pairing a phone and this
# document (and tus discovery).
PUBLIC = {("/health", "get"), ("/ready", "get"), ("/auth/login", "post"), ("/auth/logout", "post"),
          ("/openapi.json", "get"), ("/devices/pair", "post")}
# Under the sign-in limits (server/accounts/throttle.py): they take a password.
SIGN_IN = {"/auth/login", "/devices/pair"}
# Under /sync/ but for people (session cookie) as well as devices: the conflicts reviewers resolve.
NOT_DEVICE_ONLY_PREFIXES = ("/sync/conflicts",)


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _list(key: str, item: dict = _OBJECT) -> dict:
    return _json({"type": "object", "required": [key, "has_more"],
                  "properties": {key: {"type": "array", "items": item}, "has_more": {"type": "boolean"}}},
                 "A page; has_more tells whether another follows")


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_LOGIN = {"type": "object", "required": ["username", "password"], "additionalProperties": False, "properties": {
    "username": {"type": "string", "maxLength": 64}, "password": {"type": "string", "maxLength": 1024}}}
_TRANSITION = {"type": "object", "required": ["action"], "additionalProperties": False, "properties": {
    "action": {"type": "string", "enum": sorted(USER_ACTIONS)},
    "note": {"type": "string", "nullable": True, "maxLength": 2000},
    "deadline": {"type": "string", "format": "date", "nullable": True},
    "expected_version": {"type": "integer", "nullable": True}}}
_ME = {"type": "object", "required": ["username", "role", "territory"], "properties": {
    "username": _STRING, "display_name": _STRING, "role": _STRING, "territory": _OBJECT, "device": _OBJECT}}

API_PATHS = {
    "/health": {"get": {"summary": "Liveness and the server clock",
                        "responses": {"200": _json(_OBJECT, "Up")}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": _json(_OBJECT, "OpenAPI 3")}}},
    "/auth/login": {"post": {
        "summary": "Sign in (session cookie); limited per address and per user name",
        "requestBody": _body(_LOGIN),
        "responses": {"200": _json(_ME, "Signed in; Set-Cookie carries the session"),
                      "401": _json(_ERROR, "Wrong user name or password, or a disabled user")}}},
    "/auth/logout": {"post": {"summary": "Sign out: every session of the user ends",
                              "responses": {"204": {"description": "Signed out"}}}},
    "/me": {"get": {"summary": "The caller, with territory (and device)", "responses": {"200": _json(_ME, "The caller")}}},
    "/parcels": {"get": {
        "summary": "Parcels in scope as GeoJSON",
        "parameters": [{"name": "bbox", "in": "query", "schema": _STRING,
                        "description": "min_lon,min_lat,max_lon,max_lat"}, _VILLAGE, *_page(5000)],
        "responses": {"200": _json({"type": "object", "required": ["type", "features"], "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]}, "features": {"type": "array"},
            "has_more": {"type": "boolean"}}}, "A FeatureCollection page")}}},
    "/parcels/{code}": {"get": {
        "summary": "One parcel as a GeoJSON Feature",
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": _STRING}],
        "responses": {"200": _json(_OBJECT, "The Feature")}}},
    "/patrol-tasks": {"get": {
        "summary": "Patrol tasks in scope",
        "parameters": [{"name": "status", "in": "query", "schema": {
            "type": "string", "enum": [s.value for s in TaskStatus]}}, _VILLAGE,
            {"name": "due_before", "in": "query", "schema": _STRING, "description":
             "YYYY-MM-DD: a whole day in the caller's county time zone, tasks due on an earlier day "
             "(a task due at the end of 30 November is due before 2026-12-01); or an ISO 8601 time "
             "(Beijing time without an offset): tasks due strictly before that moment."},
            *_page(5000)],
        "responses": {"200": _list("tasks")}}},
    "/inspections": {"get": {
        "summary": "Inspections in the caller's scope (reviewers: status=photos_missing)",
        "parameters": [{"name": "status", "in": "query", "schema": {
            "type": "string", "enum": ["awaiting_photos", "complete", "photos_missing", "completion_failed"]}}, *_page(1000)],
        "responses": {"200": _list("inspections")}}},
    "/inspections/{uuid}": {"get": {"summary": "One inspection", "parameters": [_UUID_PATH],
                                    "responses": {"200": _json(_OBJECT, "The inspection")}}},
    "/inspections/{uuid}/evidence": {"get": {
        "summary": "The photo evidence of an inspection: findings per photo, level, required photos",
        "parameters": [_UUID_PATH], "responses": {"200": _json(_OBJECT, "The evidence")}}},
    "/photos/{sha256}/{size}": {"get": {
        "summary": "A photo in scope: EXIF-free thumb or review JPEG, or the byte-identical original",
        "parameters": [_SHA256_PATH, {"name": "size", "in": "path", "required": True,
                                      "schema": {"type": "string", "enum": ["thumb", "review", "original"]}}],
        "responses": {"200": {"description": "The image",
                              "content": {media: {"schema": {"type": "string", "format": "binary"}}
                                          for media in _PHOTO_TYPES}},
                      "304": {"description": "Not modified (ETag)"}}}},
    "/cases": {"get": {
        "summary": "Violation cases in scope",
        "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": list(CASE_STATUSES)}},
                       _VILLAGE, {"name": "township", "in": "query", "schema": {"type": "string", "pattern": r"^\d{9}$"},
                        "description": "Like village: absent or out of scope is 404."},
                       *_page(1000)],
        "responses": {"200": _list("cases")}}},
    "/cases/{case_id}": {"get": {"summary": "One case with its history", "parameters": [_CASE_ID],
                                 "responses": {"200": _json(_OBJECT, "The case")}}},
    "/cases/{case_id}/transitions": {"post": {
        "summary": "A reviewer's action on a case",
        "parameters": [_CASE_ID], "requestBody": _body(_TRANSITION),
        "responses": {"200": _json(_OBJECT, "The case after the action"),
                      "409": _json(_ERROR, "Not allowed in the case's state, or a stale expected_version")}}},
}

_COMMON = {
    "400": "Malformed request: bad JSON, NUL characters or lone surrogates (malformed_json, bad_request)",
    "401": "No caller, or an invalid, revoked or disabled one (unauthenticated, token_revoked)",
    "403": "The caller's role may not do this (forbidden, device_required)",
    "404": "Absent, or outside the caller's territory: never told apart (not_found)",
    "413": "Request body over MAX_REQUEST_BYTES (payload_too_large)",
    "422": "A parameter or field fails validation (validation_failed)",
    "415": "The body is not application/json (unsupported_media_type)",
    "412": "Tus-Resumable missing or not 1.0.0 (tus_version_unsupported)",
    "429": "Too many attempts; see Retry-After (too_many_requests)",
}


def complete(paths: dict) -> dict:
    """Every operation with the statuses the app itself can answer (see the module docstring)."""
    for path, item in paths.items():
        path_params = "{" in path
        for method, operation in item.items():
            if method == "parameters":
                continue
            public = (path, method) in PUBLIC
            statuses = ["400", "413"]
            device_only = (path.startswith(DEVICE_ONLY_PREFIXES) and not path.endswith("{size}")
                           and not path.startswith(NOT_DEVICE_ONLY_PREFIXES))
            if public or method == "options":
                operation["security"] = []
            else:
                statuses += ["401", "403"]
                operation["security"] = [{"deviceToken": []}] if device_only else [{"deviceToken": []}, {"session": []}]
            if path.startswith("/uploads") and method != "options":
                statuses.append("412")
            if path_params or any(p.get("name") == "village" for p in operation.get("parameters", [])):
                statuses.append("404")
            if operation.get("parameters") or operation.get("requestBody") or path_params:
                statuses.append("422")
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                statuses.append("415")
            if path in SIGN_IN:
                statuses.append("429")
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(status, _error_response(method, _COMMON[status]))
    return paths


def _error_response(method: str, description: str) -> dict:
    return {"description": description} if method == "head" else _json(_ERROR, description)
