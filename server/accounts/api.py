from flask import Blueprint, jsonify

from server.accounts import service
from server.accounts.auth import current_principal, log_in, log_out, require_principal
from server.accounts.schemas import LoginSchema, PairSchema, UserSchema
from server.accounts.scopes import territory_summary
from server.accounts.throttle import sign_in_limits
from server.api.parsing import parse_json
from server.errors import UNAUTHENTICATED, ApiError

bp = Blueprint("accounts", __name__)


@bp.post("/auth/login")
@sign_in_limits
def login():
    data = parse_json(LoginSchema())
    user = service.authenticate_password(data["username"], data["password"])
    if user is None:
        raise ApiError(UNAUTHENTICATED, "用户名或密码错误", field="password")
    log_in(user)
    return jsonify(_me(user))


@bp.post("/auth/logout")
def logout():
    log_out()
    return "", 204


@bp.get("/me")
@require_principal()
def me():
    principal = current_principal()
    body = _me(principal.user)
    if principal.device is not None:
        body["device"] = {"id": principal.device.id, "name": principal.device.name}
    return jsonify(body)


def _me(user) -> dict:
    return {**UserSchema().dump(user), "territory": territory_summary(user)}


@bp.post("/devices/pair")
@sign_in_limits
def pair_device():
    """A phone signs in once: returns the new device's token (shown once; the phone keeps it, never the password)."""
    data = parse_json(PairSchema())
    device, token = service.pair_device(data["username"], data["password"], data["device_name"])
    return jsonify({"token": token, "device": {"id": device.id, "name": device.name}, "user": _me(device.user)}), 201
