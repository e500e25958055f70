"""Probes for a load balancer or orchestrator.

`GET /api/v1/health` (server.api) answers while the process serves at all (liveness). `GET /api/v1/ready`
answers 200 only when this process can do its work: the database answers and its schema is at the
migrations' head, and the photo store is reachable. Otherwise 503 `not_ready`, naming each failed check.
"""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, jsonify

from server.errors import NOT_READY, ApiError
from server.extensions import db
from server.photos import service as photos

bp = Blueprint("ops", __name__)


@bp.get("/ready")
def ready():
    checks = {"database": _database(), "photo_store": _photo_store()}
    failed = {name: problem for name, problem in checks.items() if problem is not None}
    if failed:
        raise ApiError(NOT_READY, details={"checks": failed})
    return jsonify({"status": "ready", "checks": {name: "ok" for name in checks}})


def _database() -> str | None:
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:  # noqa: BLE001 - any failure to reach the database means not ready
        return f"数据库不可用: {type(exc).__name__}"
    heads = set(_script().get_heads())
    return None if current == heads else f"数据库结构版本为 {sorted(current)}, 应为 {sorted(heads)}(请运行 farmpatrol db upgrade)"


def _script() -> ScriptDirectory:
    from server import MIGRATIONS_DIR

    return ScriptDirectory(str(MIGRATIONS_DIR))


def _photo_store() -> str | None:
    try:
        photos.photo_store().exists("readiness-probe")  # a round trip to the store, whatever the answer
    except Exception as exc:  # noqa: BLE001 - any failure to reach the store means not ready
        return f"照片存储不可用: {type(exc).__name__}"
    return None
