"""A per-session CSRF token for the web forms (the JSON API is not cookie-only for devices)."""

import hmac
import secrets

from flask import abort, request, session

CSRF_FIELD = "csrf_token"
FORM_EXPIRED = "表单已过期（页面停留过久或已重新登录），请确认内容后重新提交"


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        sent = request.form.get(CSRF_FIELD, "")
        if not hmac.compare_digest(sent, session.get(CSRF_FIELD, "")) or not sent:
            abort(400, description=FORM_EXPIRED)
