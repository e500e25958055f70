"""Sign-in limits: per client address, and per user name counting failed attempts only (a lockout).

Counters live where `RATELIMIT_STORAGE_URI` says (config `LOGIN_LIMIT_STORAGE_URI`): `memory://` for one
process, `redis://host:6379` when several worker processes or hosts serve, so that all of them count
together. A blocked sign-in answers 429 `too_many_requests` with `Retry-After`."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, headers_enabled=True, key_prefix="farmpatrol")


def init_app(app: Flask) -> None:
    config = app.config["FARMPATROL"]
    app.config.update(RATELIMIT_STORAGE_URI=config.login_limit_storage_uri, RATELIMIT_HEADERS_ENABLED=True)
    limiter.init_app(app)


def _per_address() -> str:
    return current_app.config["FARMPATROL"].login_limit_per_address


def _per_user() -> str:
    return current_app.config["FARMPATROL"].login_limit_per_user


def _username_key() -> str:
    """The user name tried, from the JSON body (API) or the form (web UI); case-folded so that case does not
    buy extra attempts."""
    if request.is_json:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else None
    else:
        name = request.form.get("username")
    return "login-user:" + (name.strip().casefold() if isinstance(name, str) else "")


def _failed(response: Response) -> bool:
    """Only failed sign-ins count against the user name; the web form answers a failure with 401 too."""
    return response.status_code == 401


def sign_in_limits(view):
    """Decorator for the sign-in views: both limits."""
    view = limiter.limit(_per_user, key_func=_username_key, deduct_when=_failed, methods=["POST"])(view)
    return limiter.limit(_per_address, methods=["POST"])(view)
