from marshmallow import Schema, fields, validate


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class UserSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    role = fields.String()


class PairSchema(LoginSchema):
    device_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
