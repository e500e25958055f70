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
    from server.patrols.api import bp as patrols_bp
    api_v1.register_blueprint(patrols_bp)
    from server.sync.blueprints import SYNC_BLUEPRINTS
    for bp in SYNC_BLUEPRINTS:
        api_v1.register_blueprint(bp)
    from server.assessments.api import bp as assessments_bp
    api_v1.register_blueprint(assessments_bp)
    from server.cases.api import bp as cases_bp
    api_v1.register_blueprint(cases_bp)
    from server.reports.api import bp as reports_bp
    api_v1.register_blueprint(reports_bp)


_register_nested()
