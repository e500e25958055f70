"""Cases and the review workflow. Doubts (evidence not trusted, re-inspection requested) are cases with
status `doubt`: `GET /cases?status=doubt`."""

from flask import Blueprint, jsonify

from server.accounts.auth import current_principal, require_principal
from server.api.filters import check_township_filter, check_village_filter
from server.api.parsing import page, parse_json, parse_query
from server.cases import service
from server.cases.schemas import CaseDetailSchema, CaseListQuery, CaseSchema, TransitionRequest
from server.db_types import BIGINT_MAX

bp = Blueprint("cases", __name__)


@bp.get("/cases")
@require_principal()
def list_cases():
    args = parse_query(CaseListQuery())
    user = current_principal().user
    check_village_filter(user, args["village"])
    check_township_filter(user, args["township"])
    query = service.cases_query(user, status=args["status"], village_code=args["village"],
                                township_code=args["township"])
    cases, has_more = page(query, args)
    return jsonify({"cases": CaseSchema(many=True).dump(cases), "has_more": has_more})


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
