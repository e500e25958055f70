"""Compensation-deduction reports: list, compute a draft, issue, show with lines, diff, township sign-off,
finalise, download. County admins act; township reviewers see and sign their township's part."""

from flask import Blueprint, Response, current_app, jsonify

from server.accounts.auth import current_principal, require_principal
from server.accounts.models import Role
from server.api.parsing import page, parse_json, parse_query
from server.db_types import BIGINT_MAX
from server.reports import files, service
from server.reports.schemas import (EXPORT_FORMATS, DiffQuery, ListQuery, PeriodRequest, ReportSchema, SignoffRequest,
                                    report_detail)

bp = Blueprint("reports", __name__)
_ID = f"<int(max={BIGINT_MAX}):report_id>"


@bp.get("/reports")
@require_principal()
def list_reports():
    args = parse_query(ListQuery())
    reports, has_more = page(service.reports_query(current_principal().user, year=args["year"]), args)
    return jsonify({"reports": ReportSchema(many=True).dump(reports), "has_more": has_more})


@bp.post("/reports/compute")
@require_principal(Role.COUNTY_ADMIN)
def compute():
    data = parse_json(PeriodRequest())
    user = current_principal().user
    report = service.compute(service.admin_county(user, data["county"]), data["period"], data["as_of"], actor=user)
    return jsonify(report_detail(report, files.view_for(user, report)))


@bp.post("/reports/issue")
@require_principal(Role.COUNTY_ADMIN)
def issue():
    data = parse_json(PeriodRequest())
    user = current_principal().user
    report = service.issue(service.admin_county(user, data["county"]), data["period"], data["as_of"], actor=user)
    return jsonify(report_detail(report, files.view_for(user, report))), 201


@bp.get(f"/reports/{_ID}")
@require_principal()
def show(report_id: int):
    user = current_principal().user
    report = service.get_report(user, report_id)
    return jsonify(report_detail(report, files.view_for(user, report)))


@bp.get(f"/reports/{_ID}/diff")
@require_principal()
def diff(report_id: int):
    args = parse_query(DiffQuery())
    user = current_principal().user
    return jsonify(service.diff_for(user, report_id, args["against"]))


@bp.post(f"/reports/{_ID}/signoffs")
@require_principal(Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
def signoff(report_id: int):
    data = parse_json(SignoffRequest())
    report = service.decide_signoff(current_principal().user, report_id, data["township"], data["action"],
                                    data["reason"])
    return jsonify(ReportSchema().dump(report))


@bp.post(f"/reports/{_ID}/finalise")
@require_principal(Role.COUNTY_ADMIN)
def finalise(report_id: int):
    return jsonify(ReportSchema().dump(service.finalise(current_principal().user, report_id)))


@bp.get(f"/reports/{_ID}/download/<any({', '.join(EXPORT_FORMATS)}):fmt>")
@require_principal()
def download(report_id: int, fmt: str):
    user = current_principal().user
    report = service.get_report(user, report_id)
    body, mimetype, name = files.export(files.view_for(user, report), fmt,
                                        current_app.config["FARMPATROL"].report_font_path)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})
