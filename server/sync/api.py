from flask import Blueprint, jsonify

from server.accounts.auth import current_principal, require_principal
from server.accounts.models import Role
from server.api.parsing import page, parse_json, parse_query
from server.sync import conflicts, service
from server.sync.device_auth import current_device, require_device
from server.sync.openapi import openapi_spec
from server.sync.schemas import (ConflictListQuery, ConflictSchema, PullQuerySchema, PushBodySchema,
                                 ResolveConflictSchema)

bp = Blueprint("sync", __name__)
# Built once: every push and pull loads through them, and building a schema costs about as much as loading.
_PUSH_BODY, _PULL_QUERY = PushBodySchema(), PullQuerySchema()


@bp.post("/sync/push")
@require_device
def push():
    body = parse_json(_PUSH_BODY)
    return jsonify(service.push(current_device(), body["device_time"], body["records"]))


@bp.get("/sync/pull")
@require_device
def pull():
    args = parse_query(_PULL_QUERY)
    return jsonify(service.pull(current_device().user, args["cursor"], args["limit"]))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec())


@bp.get("/sync/conflicts")
@require_principal()
def list_conflicts():
    args = parse_query(ConflictListQuery())
    rows, has_more = page(conflicts.conflicts_query(current_principal().user, status=args["status"]), args)
    return jsonify({"conflicts": ConflictSchema(many=True).dump(rows), "has_more": has_more})


@bp.get("/sync/conflicts/<int:conflict_id>")
@require_principal()
def get_conflict(conflict_id: int):
    conflict = conflicts.get_conflict(current_principal().user, conflict_id)
    return jsonify({**ConflictSchema().dump(conflict), **conflicts.side_by_side(conflict)})


@bp.post("/sync/conflicts/<int:conflict_id>/resolve")
@require_principal(Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
def resolve_conflict(conflict_id: int):
    body = parse_json(ResolveConflictSchema())
    conflict = conflicts.resolve(current_principal().user, conflict_id, body["keep"], body["reason"])
    return jsonify({**ConflictSchema().dump(conflict), **conflicts.side_by_side(conflict)})
