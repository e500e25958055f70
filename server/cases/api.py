"""Cases and the review workflow. Doubts (evidence not trusted, re-inspection requested) are cases with
status `doubt`: `GET /cases?status=doubt`."""

from flask import Blueprint, jsonify

from server.accounts.auth import current_principal, require_principal
from server.api.parsing import parse_json, parse_query
from server.cases import service
from server.cases.schemas import CaseDetailSchema, CaseListQuery, CaseSchema, TransitionRequest
from server.db_types import BIGINT_MAX
from server.extensions import db

bp = Blueprint("cases", __name__)


@bp.get("/cases")
@require_principal()
def list_cases():
    args = parse_query(CaseListQuery())
    query = service.cases_query(current_principal().user, status=args["status"], village_code=args["village"],
                                township_code=args["township"])
    rows = db.session.scalars(query.limit(args["limit"] + 1).offset(args["offset"])).all()
    return jsonify({"cases": CaseSchema(many=True).dump(rows[: args["limit"]]), "has_more": len(rows) > args["limit"]})


@bp.get(f"/cases/<int(max={BIGINT_MAX}):case_id>")
@require_principal()
def get_case(case_id: int):
    return jsonify(CaseDetailSchema().dump(service.get_case(current_principal().user, case_id)))


@bp.post(f"/cases/<int(max={BIGINT_MAX}):case_id>/transitions")
@require_principal()
def transition(case_id: int):
    data = parse_json(TransitionRequest())
    case = service.transition(current_principal().user, case_id, data["action"], note=data["note"],
                              deadline=data["deadline"], expected_version=data["expected_version"])
    return jsonify(CaseDetailSchema().dump(case))
