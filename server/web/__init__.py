"""The reviewers' web UI (zh-CN). Pages call the same services as the API."""

from flask import Blueprint

from server.web.csrf import check_csrf, csrf_token

web = Blueprint("web", __name__, template_folder="templates")
web.before_request(check_csrf)
web.app_context_processor(lambda: {"csrf_token": csrf_token})

from server.web import views  # noqa: E402,F401  (routes attach to the blueprint)
