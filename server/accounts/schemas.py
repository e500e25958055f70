from marshmallow import Schema, fields


class LoginSchema(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class UserSchema(Schema):
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
