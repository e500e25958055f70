"""Request parsing shared by the API views: JSON bodies and query strings through marshmallow."""

from __future__ import annotations

from flask import request
from marshmallow import Schema

from server.errors import MALFORMED_JSON, UNSUPPORTED_MEDIA_TYPE, ApiError


def parse_json(schema: Schema) -> dict:
    if not request.is_json:
        raise ApiError(UNSUPPORTED_MEDIA_TYPE, "请求体应为 application/json")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(MALFORMED_JSON)
    return schema.load(body)


def parse_query(schema: Schema) -> dict:
    return schema.load(request.args)
