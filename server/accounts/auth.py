"""Who is calling: a device (bearer token, acting for its inspector) or a logged-in user (session)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import request, session

from server.accounts import service
from server.accounts.models import Device, Role, User
from server.errors import FORBIDDEN, UNAUTHENTICATED, ApiError
from server.extensions import db

SESSION_USER_KEY = "user_id"
SESSION_GENERATION_KEY = "generation"
_ENVIRON_KEY = "farmpatrol.principal"


@dataclass(frozen=True)
class Principal:
    user: User
    device: Device | None = None


def current_principal() -> Principal | None:
    """Resolved once per request; kept on the request (not `g`, which outlives it under an app context)."""
    if _ENVIRON_KEY not in request.environ:
        request.environ[_ENVIRON_KEY] = _resolve_principal()
    return request.environ[_ENVIRON_KEY]


def _resolve_principal() -> Principal | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(UNAUTHENTICATED, "Authorization 头应为 'Bearer <设备令牌>'", field="Authorization")
        device = service.authenticate_device(token.strip())
        return Principal(device.user, device)
    user_id = session.get(SESSION_USER_KEY)
    if user_id is None:
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or session.get(SESSION_GENERATION_KEY) != user.session_generation:
        return None
    return Principal(user)


def require_principal(*roles: Role):
    """Decorator: the caller must be authenticated and, when roles are given, hold one of them."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                raise ApiError(UNAUTHENTICATED)
            if roles and principal.user.role_enum not in roles:
                raise ApiError(FORBIDDEN, "当前角色无权执行该操作")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def log_in(user: User) -> None:
    session.clear()
    session[SESSION_USER_KEY] = user.id
    session[SESSION_GENERATION_KEY] = user.session_generation


def log_out() -> None:
    """End this session and every other of the same user: a copied cookie stops working too."""
    principal = current_principal()
    if principal is not None and principal.device is None:
        service.end_sessions(principal.user)
        db.session.commit()
    session.clear()
