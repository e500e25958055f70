from marshmallow import Schema, fields, validate

from server.db_types import BIGINT_MAX
from server.inspections.schemas import STORABLE_TIME


class PushBodySchema(Schema):
    device_time = fields.AwareDateTime(required=True, validate=STORABLE_TIME)
    # Records are loaded one by one by the inspection service, so that one bad record rejects only itself.
    records = fields.List(fields.Raw(), required=True)


class PullQuerySchema(Schema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1))


class ConflictListQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(["open", "resolved"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=BIGINT_MAX))


class ResolveConflictSchema(Schema):
    keep = fields.String(required=True, validate=validate.OneOf(["stored", "incoming"]))
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class ConflictSchema(Schema):
    """A conflict as listed: which inspection, who sent the other version, and whether it is resolved."""

    id = fields.Integer()
    uuid = fields.String()
    device_id = fields.Integer()
    received_at = fields.AwareDateTime()
    resolution = fields.String()
    resolved_at = fields.AwareDateTime()
    resolved_by_id = fields.Integer()
    resolution_reason = fields.String()
