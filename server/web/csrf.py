"""A per-session CSRF token for the web forms (the JSON API is not cookie-only for devices)."""

import hmac
import secrets

from flask import abort, request, session

_KEY = "csrf_token"


def csrf_token() -> str:
    if _KEY not in session:
        session[_KEY] = secrets.token_urlsafe(32)
    return session[_KEY]


def check_csrf() -> None:
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        sent = request.form.get(_KEY, "")
        if not hmac.compare_digest(sent, session.get(_KEY, "")) or not sent:
            abort(400, description="表单已过期，请刷新页面后重试")
