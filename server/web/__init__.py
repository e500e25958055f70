"""The township and county web UI (zh-CN). Pages call the same services as the API; one module per page."""

from flask import Blueprint

from server.web.csrf import check_csrf, csrf_token
from server.web.limits import raise_upload_limit

web = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/web-static")
# App-wide and registered with the blueprint, so before server.security's input check, which reads forms too.
web.before_app_request(raise_upload_limit)
web.before_request(check_csrf)
web.app_context_processor(lambda: {"csrf_token": csrf_token})

# Routes, error pages and the shell's template context attach to the blueprint on import.
from server.web import admin, cases, conflicts, coverage, errors, parcel_import, reports, shell, views  # noqa: E402,F401
