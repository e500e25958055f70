from flask import Blueprint, jsonify

from server.accounts.auth import current_principal, require_principal
from server.api.parsing import page, parse_query
from server.errors import found
from server.inspections import service
from server.inspections.schemas import InspectionListQuery, InspectionSchema

bp = Blueprint("inspections", __name__)


@bp.get("/inspections")
@require_principal()
def list_inspections():
    """Reviewers filter by status, e.g. `photos_missing` for inspections whose photos never arrived."""
    args = parse_query(InspectionListQuery())
    query = service.inspections_query(current_principal().user, status=args["status"])
    inspections, has_more = page(query, args)
    return jsonify({"inspections": InspectionSchema(many=True).dump(inspections), "has_more": has_more})


@bp.get("/inspections/<uuid>")
@require_principal()
def get_inspection(uuid: str):
    inspection = found(service.get_inspection(current_principal().user, uuid),
                       f"巡查记录不存在或不在辖区内: {uuid}", field="uuid")
    return jsonify(InspectionSchema().dump(inspection))
