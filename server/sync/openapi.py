"""The OpenAPI 3 description of the sync protocol, maintained by hand beside docs/sync-protocol.md.

Written as data rather than generated: most of the protocol is headers and status codes (tus), which
schema generators describe poorly. A test validates it with openapi-spec-validator and checks that
every sync route is in it.
"""

from __future__ import annotations

import copy
from functools import cache

from server.api.openapi_paths import API_PATHS, complete

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json(_ERROR, description)


def _headers(*names: str) -> dict:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


_TUS_REQUEST = [{"$ref": "#/components/parameters/TusResumable"}]
_UPLOAD_ID = {"name": "upload_id", "in": "path", "required": True, "schema": {"type": "string"}}
_STRING = {"type": "string"}
_DATETIME = {"type": "string", "format": "date-time"}
_SHA256 = {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"}

_SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": _STRING, "message": _STRING, "field": {"type": "string", "nullable": True},
                       "details": {"type": "object"}}}}},
    "Location": {"type": "object", "required": ["lat", "lon"], "properties": {
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "accuracy_m": {"type": "number", "minimum": 0, "nullable": True},
        "crs": {"type": "string", "enum": ["WGS84", "GCJ02", "BD09"], "default": "WGS84"}}},
    "PhotoRef": {"type": "object", "required": ["sha256", "role"], "properties": {
        "sha256": _SHA256, "role": {"type": "string", "example": "distant"},
        "taken_at": {**_DATETIME, "nullable": True}, "file_name": {"type": "string", "nullable": True}}},
    "InspectionRecord": {"type": "object", "required": [
        "uuid", "type", "form_id", "form_version", "parcel_code", "started_at", "finished_at", "location", "answers"],
        "properties": {
            "uuid": {"type": "string", "format": "uuid", "description": "Generated on the device; the idempotency key."},
            "type": {"type": "string", "enum": ["inspection"]},
            "form_id": _STRING, "form_version": {"type": "integer", "minimum": 1},
            "parcel_code": _STRING, "task_id": {"type": "string", "format": "uuid", "nullable": True},
            "started_at": _DATETIME, "finished_at": _DATETIME,
            "location": {"$ref": "#/components/schemas/Location"},
            "answers": {"type": "object", "additionalProperties": True},
            "photos": {"type": "array", "items": {"$ref": "#/components/schemas/PhotoRef"}}}},
    "FieldError": {"type": "object", "required": ["field", "code", "message"],
                   "properties": {"field": _STRING, "code": _STRING, "message": _STRING}},
    "RecordResult": {"type": "object", "required": ["uuid", "status"], "properties": {
        "uuid": {"type": "string", "nullable": True},
        "status": {"type": "string", "enum": ["accepted", "duplicate", "conflict", "rejected"]},
        "inspection_status": {"type": "string", "enum": ["awaiting_photos", "complete", "photos_missing"]},
        "received_at": _DATETIME,
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}}},
    "PushRequest": {"type": "object", "required": ["device_time", "records"], "additionalProperties": False, "properties": {
        "device_time": {**_DATETIME, "description": "The device clock when sending, for the skew."},
        "records": {"type": "array", "items": {
            "description": "Each an InspectionRecord (#/components/schemas/InspectionRecord), checked on its own: one "
                           "that is not comes back `rejected` in the results, never as an error of the request."}}}},
    "PushResponse": {"type": "object", "required": ["results", "missing_photos", "server_time"], "properties": {
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/RecordResult"}},
        "missing_photos": {"type": "array", "items": _SHA256},
        "server_time": _DATETIME, "clock_skew_s": {"type": "number"}}},
    "Change": {"type": "object", "required": ["entity", "key", "op"], "properties": {
        "entity": {"type": "string", "enum": ["form", "task", "parcel"]}, "key": _STRING,
        "op": {"type": "string", "enum": ["upsert", "delete"]},
        "data": {"type": "object", "description": "Present for upserts: a form, a task or a GeoJSON Feature."}}},
    "PullResponse": {"type": "object", "required": ["changes", "next_cursor", "has_more", "reset"], "properties": {
        "changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
        "next_cursor": {"type": "string", "description": "Opaque; store it only after applying the changes."},
        "has_more": {"type": "boolean"},
        "reset": {"type": "boolean", "description": "Replace everything held with what follows (a snapshot)."},
        "server_time": _DATETIME}},
}

_HEADERS = {
    "Tus-Resumable": {"schema": {"type": "string", "enum": ["1.0.0"]}},
    "Upload-Offset": {"schema": {"type": "integer", "minimum": 0}},
    "Upload-Length": {"schema": {"type": "integer", "minimum": 1}},
    "Upload-Expires": {"schema": _STRING, "description": "RFC 9110 date after which the upload is dropped."},
    "Location": {"schema": {"type": "string", "format": "uri"}},
}

_PATHS = {
    "/sync/push": {"post": {
        "summary": "Push inspection records (exactly once per UUID)",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/PushRequest"}}}},
        "responses": {"200": _json({"$ref": "#/components/schemas/PushResponse"}, "A result per record, in order"),
                      "400": _error("Malformed JSON (malformed_json)"),
                      "401": _error("Missing, invalid or revoked device token"),
                      "413": _error("More records than push_max_records (too_many_records)"),
                      "422": _error("The body is not {device_time, records: [...]}")}}},
    "/sync/pull": {"get": {
        "summary": "Changes since the cursor; no cursor gives a full snapshot",
        "parameters": [{"name": "cursor", "in": "query", "schema": _STRING},
                       {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 500}}],
        "responses": {"200": _json({"$ref": "#/components/schemas/PullResponse"}, "A page of changes"),
                      "401": _error("Missing, invalid or revoked device token"),
                      "422": _error("Invalid cursor (invalid_cursor)")}}},
    "/uploads": {
        "options": {"summary": "tus discovery", "responses": {"204": {
            "description": "Capabilities", "headers": {name: {"schema": _STRING} for name in (
                "Tus-Version", "Tus-Extension", "Tus-Checksum-Algorithm", "Tus-Max-Size")}}}},
        "post": {"summary": "tus creation", "parameters": _TUS_REQUEST + [
            {"name": "Upload-Length", "in": "header", "required": True, "schema": {"type": "integer"}},
            {"name": "Upload-Metadata", "in": "header", "required": True, "schema": _STRING,
             "description": "Must include `sha256` (hex, base64-encoded as tus requires); `filename` optional."}],
            "responses": {"201": {"description": "Created", "headers": _headers("Location", "Upload-Expires")},
                          "412": _error("Unsupported tus version"), "413": _error("Larger than Tus-Max-Size"),
                          "422": _error("Missing or invalid sha256 metadata")}}},
    "/uploads/{upload_id}": {
        "parameters": [_UPLOAD_ID],
        "head": {"summary": "tus offset: where to resume (all bytes there: stores the photo now)", "parameters": _TUS_REQUEST,
                 "responses": {"200": {"description": "Progress",
                                       "headers": _headers("Upload-Offset", "Upload-Length", "Upload-Expires")},
                               "404": {"description": "Unknown upload, or another device's"},
                               "410": {"description": "Expired"}}},
        "patch": {"summary": "tus append", "parameters": _TUS_REQUEST + [
            {"name": "Upload-Offset", "in": "header", "required": True, "schema": {"type": "integer"}},
            {"name": "Upload-Checksum", "in": "header", "schema": _STRING,
             "description": "`sha256 <base64 digest>` of this chunk (sha1 accepted)."}],
            "requestBody": {"required": True, "content": {"application/offset+octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}},
            "responses": {"204": {"description": "Appended (and, at the end, stored as a photo)",
                                  "headers": _headers("Upload-Offset", "Upload-Expires")},
                          "400": _error("Incomplete chunk or bad headers"),
                          "404": _error("Unknown upload"), "409": _error("Upload-Offset does not match"),
                          "410": _error("Expired"), "413": _error("More bytes than Upload-Length"),
                          "415": _error("Wrong Content-Type"), "423": _error("Another PATCH is writing"),
                          "460": _error("Checksum mismatch (checksum_mismatch); the chunk was discarded")}},
        "delete": {"summary": "tus termination", "parameters": _TUS_REQUEST,
                   "responses": {"204": {"description": "Terminated"}, "404": _error("Unknown upload")}}},
    "/photos/{sha256}": {"head": {
        "summary": "Whether the server has a photo",
        "parameters": [{"name": "sha256", "in": "path", "required": True, "schema": _SHA256}],
        "responses": {"200": {"description": "Stored"}, "404": {"description": "Not yet"}}}},
}

# Pairing a phone (docs/phone-app.md): the one call made without a device token.
_SCHEMAS["PairRequest"] = {"type": "object", "required": ["username", "password", "device_name"], "properties": {
    "username": _STRING, "password": {"type": "string", "format": "password"},
    "device_name": {"type": "string", "minLength": 1, "maxLength": 100}}}
_SCHEMAS["PairResponse"] = {"type": "object", "required": ["token", "device", "user"], "properties": {
    "token": {"type": "string", "description": "The device token, shown once; send it as a bearer token."},
    "device": {"type": "object", "properties": {"id": {"type": "integer"}, "name": _STRING}},
    "user": {"type": "object", "description": "The inspector, as GET /me describes them."}}}
_PATHS["/devices/pair"] = {"post": {
    "summary": "Sign a phone in once: registers a device for the inspector and returns its token",
    "security": [],
    "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/PairRequest"}}}},
    "responses": {"201": _json({"$ref": "#/components/schemas/PairResponse"}, "The device and its token"),
                  "401": _error("Wrong username or password (unauthenticated, field password)"),
                  "403": _error("Not an inspector (pairing_inspectors_only)"),
                  "422": _error("A field is missing or empty (validation_failed)")}}}



# Conflicts kept for reviewers (server.sync.conflicts); people's session cookie, not a device token.
_CONFLICT_ID = {"name": "conflict_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_CONFLICT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "uuid": _STRING, "device_id": {"type": "integer"}, "received_at": _DATETIME,
    "resolution": {"type": "string", "enum": ["stored", "incoming"], "nullable": True},
    "resolved_at": {**_DATETIME, "nullable": True}, "resolved_by_id": {"type": "integer", "nullable": True},
    "resolution_reason": {"type": "string", "nullable": True}}}
_CONFLICT_SHOWN = {"allOf": [_CONFLICT, {"type": "object", "properties": {
    "stored": {"type": "object", "description": "The inspection as stored, in the push's record shape (UTC)."},
    "incoming": {"type": "object", "description": "The rejected push of the same UUID, read the same way."},
    "differences": {"type": "array", "items": {"type": "object", "properties": {
        "field": {"type": "string", "description": "Dotted path, e.g. answers.remarks or photos[0].sha256"},
        "stored": {}, "incoming": {}}}}}}]}
_PATHS.update({
    "/sync/conflicts": {"get": {
        "summary": "Conflicts in the caller's scope (an inspector: those their devices pushed), newest first",
        "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "resolved"]}},
                       {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                       {"name": "offset", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": _json({"type": "object", "properties": {
            "conflicts": {"type": "array", "items": _CONFLICT}, "has_more": {"type": "boolean"}}}, "A page"),
            "401": _error("Not logged in")}}},
    "/sync/conflicts/{conflict_id}": {"get": {
        "summary": "Both versions side by side, with their differences field by field",
        "parameters": [_CONFLICT_ID],
        "responses": {"200": _json(_CONFLICT_SHOWN, "The conflict"), "404": _error("Not found or out of scope")}}},
    "/sync/conflicts/{conflict_id}/resolve": {"post": {
        "summary": "Keep one version (reviewers and county admins; audited). `incoming` replaces the inspection's "
                   "content as a first arrival would and completes it again when its photos are there.",
        "parameters": [_CONFLICT_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["keep", "reason"], "properties": {
                "keep": {"type": "string", "enum": ["stored", "incoming"]},
                "reason": {"type": "string", "maxLength": 500}}}}}},
        "responses": {"200": _json(_CONFLICT_SHOWN, "Resolved"), "403": _error("Not a reviewer"),
                      "404": _error("Not found or out of scope"),
                      "409": _error("Already resolved (conflict_already_resolved)"),
                      "422": _error("Bad body, or the incoming record no longer passes the checks "
                                    "(incoming_record_invalid)")}}},
})


# The readiness probe (server.ops.health): public (server.api.openapi_paths.PUBLIC), for a load balancer.
_PATHS["/ready"] = {"get": {
    "summary": "200 when this process can work: the database answers at the migrations' head and the photo store "
               "is reachable",
    "responses": {"200": _json({"type": "object", "required": ["status", "checks"], "properties": {
        "status": {"type": "string", "enum": ["ready"]},
        "checks": {"type": "object", "additionalProperties": {"type": "string", "enum": ["ok"]}}}}, "Ready"),
        "503": _error("Not ready (not_ready); details.checks names each failed check and why")}}}

# Other domains' paths, each kept in its own module.
from server.reports.openapi import PATHS as _REPORT_PATHS, SCHEMAS as _REPORT_SCHEMAS  # noqa: E402

_PATHS |= _REPORT_PATHS
_SCHEMAS |= _REPORT_SCHEMAS


@cache
def openapi_spec() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "farmpatrol API", "version": "1.0.0",
                 "description": "Devices sync (push, pull, tus photo uploads: docs/sync-protocol.md); reviewers read and act."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"deviceToken": []}],
        "paths": complete(copy.deepcopy({**_PATHS, **API_PATHS})),
        "components": {
            "schemas": _SCHEMAS, "headers": _HEADERS,
            "parameters": {"TusResumable": {"name": "Tus-Resumable", "in": "header", "required": True,
                                            "schema": {"type": "string", "enum": ["1.0.0"]}}},
            "securitySchemes": {"deviceToken": {"type": "http", "scheme": "bearer",
                                                "description": "The device token from `farmpatrol users add-device`."},
                                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                                            "description": "The cookie from POST /auth/login."}},
        },
    }
