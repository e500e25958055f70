from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class UserSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    role = fields.String()


class PairSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)
    device_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
