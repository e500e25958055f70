"""The wire shape of an inspection's evidence as reviewers read it."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields


class FindingSchema(Schema):
    code = fields.String()
    severity = fields.String()
    message_zh = fields.String()
    data = fields.Dict()


class GpsSchema(Schema):
    lat = fields.Float()
    lon = fields.Float()
    altitude_m = fields.Float()
    accuracy_m = fields.Float()
    azimuth_deg = fields.Float()
    azimuth_ref = fields.String()


class MetadataSummarySchema(Schema):
    """What a reviewer weighs from the EXIF, out of the stored PhotoMetadata (a dict)."""

    format = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    make = fields.String()
    model = fields.String()
    software = fields.String()
    captured_at = fields.String()  # ISO 8601, UTC, camera clock
    captured_at_offset_assumed = fields.Boolean()
    gps = fields.Nested(GpsSchema, allow_none=True)
    gps_status = fields.String()
    decode_status = fields.String()
    exif_status = fields.String()


def _photo_url(evidence, size: str) -> str | None:
    if evidence.photo is None:
        return None
    return url_for("api_v1.assessments.get_photo_file", sha256=evidence.ref.sha256, size=size)


class PhotoEvidenceSchema(Schema):
    position = fields.Integer(attribute="ref.position")
    sha256 = fields.String(attribute="ref.sha256")
    role = fields.String(attribute="ref.role")
    taken_at = fields.AwareDateTime(attribute="ref.taken_at")
    arrived = fields.Function(lambda e: e.photo is not None)
    usable = fields.Boolean(allow_none=True)
    findings = fields.List(fields.Nested(FindingSchema))
    metadata = fields.Function(lambda e: MetadataSummarySchema().dump(e.photo.evidence_metadata)
                               if e.photo is not None and e.photo.evidence_metadata is not None else None)
    thumb_url = fields.Function(lambda e: _photo_url(e, "thumb"))
    review_url = fields.Function(lambda e: _photo_url(e, "review"))
    original_url = fields.Function(lambda e: _photo_url(e, "original"))


class RequiredPhotosSchema(Schema):
    role = fields.String()
    label = fields.String()
    min_count = fields.Integer()
    usable_count = fields.Integer()
    ok = fields.Boolean()


class InspectionEvidenceSchema(Schema):
    uuid = fields.String(attribute="inspection.uuid")
    status = fields.String(attribute="inspection.status")
    parcel_code = fields.String(attribute="inspection.parcel.code")
    evidence_level = fields.String(attribute="inspection.evidence_level", allow_none=True)
    evidence_assessed_at = fields.AwareDateTime(attribute="inspection.evidence_assessed_at", allow_none=True)
    required_photos = fields.List(fields.Nested(RequiredPhotosSchema))
    photos = fields.List(fields.Nested(PhotoEvidenceSchema))
