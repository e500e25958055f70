"""Serves the phone app: the shell at /app/, its manifest, and the service worker, whose scope is /app/.

The shell and the service worker are never cached by HTTP (`no-cache`): the service worker decides what
the phone keeps offline, and a new build must reach phones on their next visit with a network.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

STATIC = Path(__file__).parent / "static"
DIST = STATIC / "dist"

bp = Blueprint("phone", __name__, url_prefix="/app")


@bp.get("/")
def shell():
    return _built("index.html", "text/html")


@bp.get("/sw.js")
def service_worker():
    response = _built("sw.js", "text/javascript")
    response.headers["Service-Worker-Allowed"] = "/app/"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    return _no_cache(send_from_directory(STATIC, "manifest.webmanifest", mimetype="application/manifest+json"))


@bp.get("/icon.svg")
def icon():
    return send_from_directory(STATIC, "icon.svg", mimetype="image/svg+xml")


@bp.get("/dist/<path:name>")
def dist(name: str):
    return send_from_directory(DIST, name)


def _built(name: str, mimetype: str):
    if not (DIST / name).is_file():
        abort(503, description="手机端尚未构建:请运行 scripts/run(或在 server/phone/frontend 中运行 npm ci && npm run build)")
    return _no_cache(send_from_directory(DIST, name, mimetype=mimetype))


def _no_cache(response):
    response.headers["Cache-Control"] = "no-cache"
    return response
