from flask import Blueprint, jsonify

from server.accounts.auth import current_principal, require_principal
from server.accounts.scopes import can_act_for_village
from server.api.parsing import page, parse_query
from server.errors import NOT_FOUND, ApiError
from server.patrols import service
from server.patrols.schemas import TaskListQuery, TaskSchema
from server.territory import service as territory

bp = Blueprint("patrols", __name__)


@bp.get("/patrol-tasks")
@require_principal()
def list_tasks():
    args = parse_query(TaskListQuery())
    user = current_principal().user
    if args["village"]:
        village = territory.get_village(args["village"])
        if village is None or not can_act_for_village(user, village):  # out of scope looks like absent
            raise ApiError(NOT_FOUND, f"村不存在: {args['village']}", field="village")
    query = service.tasks_query(user, status=args["status"], village_code=args["village"],
                                due_before=args["due_before"])
    tasks, has_more = page(query, args)
    return jsonify({"tasks": TaskSchema(many=True).dump(tasks), "has_more": has_more})
