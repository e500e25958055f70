from marshmallow import Schema, fields, validate

from server.inspections.schemas import STORABLE_TIME


class PushBodySchema(Schema):
    device_time = fields.AwareDateTime(required=True, validate=STORABLE_TIME)
    # Records are loaded one by one by the inspection service, so that one bad record rejects only itself.
    records = fields.List(fields.Raw(), required=True)


class PullQuerySchema(Schema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1))
