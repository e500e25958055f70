"""The wire shape of an inspection record in a push, and of an inspection in the reviewers' list."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from server.db_types import BIGINT_MAX, EARLIEST_TIME, LATEST_TIME

SHA256_HEX = validate.Regexp(r"^[0-9a-fA-F]{64}$", error="应为 64 位十六进制 SHA-256")
CRS_TAGS = ("WGS84", "GCJ02", "BD09")
STORABLE_TIME = validate.Range(EARLIEST_TIME, LATEST_TIME)


class Sha256(fields.String):
    """Hex SHA-256, normalised to lower case so that the same photo always has the same key."""

    def __init__(self, **kwargs):
        super().__init__(validate=SHA256_HEX, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(load_default=None, validate=validate.Range(min=0))
    crs = fields.String(load_default="WGS84", validate=validate.OneOf(CRS_TAGS))


class PhotoRefSchema(Schema):
    sha256 = Sha256(required=True)
    role = fields.String(required=True, validate=validate.Length(1, 32))
    taken_at = fields.AwareDateTime(load_default=None, validate=STORABLE_TIME)
    file_name = fields.String(load_default=None, validate=validate.Length(max=255))


# Free text is for a remark, not a document: 1,000 remarks of 150 KB made one list response 151 MB (issue 11).
MAX_ANSWER_TEXT_CHARS = 2000
MAX_ANSWERS_JSON_CHARS = 64 * 1024


def _bounded_answers(answers: dict) -> None:
    long_texts = sorted(name for name, value in answers.items()
                        if any(len(text) > MAX_ANSWER_TEXT_CHARS for text in _texts(value)))
    if long_texts:
        raise ValidationError(f"回答文字最多 {MAX_ANSWER_TEXT_CHARS} 字: {', '.join(long_texts)}")
    if len(json.dumps(answers, ensure_ascii=False, default=str)) > MAX_ANSWERS_JSON_CHARS:
        raise ValidationError(f"回答总长度超过 {MAX_ANSWERS_JSON_CHARS} 字符")


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


class InspectionRecordSchema(Schema):
    uuid = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["inspection"]))
    form_id = fields.String(required=True, validate=validate.Length(1, 64))
    form_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=BIGINT_MAX))
    parcel_code = fields.String(required=True, validate=validate.Length(1, 64))
    task_id = fields.UUID(load_default=None)
    started_at = fields.AwareDateTime(required=True, validate=STORABLE_TIME)
    finished_at = fields.AwareDateTime(required=True, validate=STORABLE_TIME)
    location = fields.Nested(LocationSchema, required=True)
    answers = fields.Dict(required=True, validate=_bounded_answers)
    photos = fields.List(fields.Nested(PhotoRefSchema), load_default=list, validate=validate.Length(max=50))

    @validates_schema
    def _times_in_order(self, data, **kwargs):
        if data["finished_at"] < data["started_at"]:
            raise ValidationError("结束时间早于开始时间", "finished_at")


def content_hash(record: dict) -> str:
    """SHA-256 of the loaded record in canonical JSON: a retry of the same record hashes the same, so a
    repeated UUID can be told apart as a duplicate (same content) or a conflict (different content).

    A time counts by its instant: the same moment written as `Z` or as `+08:00` is the same content."""
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=canonical_value)
    return hashlib.sha256(canonical.encode()).hexdigest()


def canonical_value(value: object) -> str:
    """A non-JSON value as the content hash sees it: times in UTC, UUIDs and the rest as text."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class InspectionSchema(Schema):
    """An inspection as reviewers list it."""

    uuid = fields.String()
    status = fields.String()
    parcel_code = fields.Function(lambda i: i.parcel.code)
    form_id = fields.String()
    form_version = fields.Integer()
    started_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime()
    received_at = fields.AwareDateTime()
    clock_skew_s = fields.Float()
    completed_at = fields.AwareDateTime()
    photos_missing_at = fields.AwareDateTime()
    evidence_level = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    crs = fields.String()
    answers = fields.Dict()
    photos = fields.Function(lambda i: [{"sha256": p.sha256, "role": p.role} for p in i.photos])


class InspectionListQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(["awaiting_photos", "complete",
                                                                      "photos_missing", "completion_failed"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=BIGINT_MAX))
