"""The JSON API, version 1. Each domain contributes a blueprint nested under /api/v1."""

from flask import Blueprint, jsonify

from server.db_types import utcnow

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")


@api_v1.get("/health")
def health():
    return jsonify({"status": "ok", "server_time": utcnow().isoformat()})


def _register_nested() -> None:
    from server.accounts.api import bp as accounts_bp
    from server.parcels.api import bp as parcels_bp

    api_v1.register_blueprint(accounts_bp)
    api_v1.register_blueprint(parcels_bp)


_register_nested()
