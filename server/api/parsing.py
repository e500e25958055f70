"""Shared by the API views: JSON bodies and query strings through marshmallow, and paging of lists."""

from __future__ import annotations

from flask import request
from marshmallow import Schema
from sqlalchemy import Select

from server.errors import MALFORMED_JSON, UNSUPPORTED_MEDIA_TYPE, ApiError
from server.extensions import db


def parse_json(schema: Schema) -> dict:
    if not request.is_json:
        raise ApiError(UNSUPPORTED_MEDIA_TYPE, "请求体应为 application/json")
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(MALFORMED_JSON)
    return schema.load(body)


def parse_query(schema: Schema) -> dict:
    return schema.load(request.args)


def page(query: Select, args: dict, *, rows: bool = False) -> tuple[list, bool]:
    """One page of a list endpoint (`limit`/`offset` from its query schema) and whether more follow: one row
    more than asked is read, so no count query is needed. `rows`: a select of columns, whose rows are returned
    whole (otherwise a select of one entity, whose objects are returned)."""
    result = db.session.execute(query.limit(args["limit"] + 1).offset(args["offset"]))
    found = result.all() if rows else result.scalars().all()
    return found[: args["limit"]], len(found) > args["limit"]
