from flask import Blueprint, jsonify

from server.accounts.auth import current_principal, require_principal
from server.api.parsing import parse_query
from server.errors import found
from server.extensions import db
from server.inspections import service
from server.inspections.schemas import InspectionListQuery, InspectionSchema

bp = Blueprint("inspections", __name__)


@bp.get("/inspections")
@require_principal()
def list_inspections():
    """Reviewers filter by status, e.g. `photos_missing` for inspections whose photos never arrived."""
    args = parse_query(InspectionListQuery())
    query = service.inspections_query(current_principal().user, status=args["status"])
    rows = db.session.scalars(query.limit(args["limit"] + 1).offset(args["offset"])).all()
    return jsonify({"inspections": InspectionSchema(many=True).dump(rows[: args["limit"]]),
                    "has_more": len(rows) > args["limit"]})


@bp.get("/inspections/<uuid>")
@require_principal()
def get_inspection(uuid: str):
    inspection = found(service.get_inspection(current_principal().user, uuid),
                       f"巡查记录不存在或不在辖区内: {uuid}", field="uuid")
    return jsonify(InspectionSchema().dump(inspection))
