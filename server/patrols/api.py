from flask import Blueprint, jsonify

from server.accounts.auth import current_principal, require_principal
from server.api.filters import check_village_filter
from server.api.parsing import page, parse_query
from server.patrols import service
from server.patrols.schemas import TaskListQuery, TaskSchema

bp = Blueprint("patrols", __name__)


@bp.get("/patrol-tasks")
@require_principal()
def list_tasks():
    args = parse_query(TaskListQuery())
    user = current_principal().user
    check_village_filter(user, args["village"])
    query = service.tasks_query(user, status=args["status"], village_code=args["village"],
                                due_before=args["due_before"])
    tasks, has_more = page(query, args)
    return jsonify({"tasks": TaskSchema(many=True).dump(tasks), "has_more": has_more})
