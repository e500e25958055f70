"""Compensation-deduction reports (/reports): the list by period and version, a report's summary (county →
township → village), lines, rules and snapshot hash, its versions and their diff, downloads, the township
sign-off or return, and the county's draft, issue and finalise. Every step is a server.reports.service call."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from server.accounts.models import Role
from server.db_types import BIGINT_MAX
from server.errors import VALIDATION_FAILED, ApiError
from server.extensions import db
from server.reports import files, service
from server.reports.calc import yuan
from server.reports.document import KIND_LABELS_ZH, KINDS, LINE_COLUMNS, line_row, rules_rows
from server.reports.models import CompensationReport
from server.reports.schemas import EXPORT_FORMATS
from server.reports.snapshot import Period
from server.web import web
from server.web.schemas import ReportDiffArgs, ReportListArgs, ReportPeriodForm, SignoffForm, form_args, query_args
from server.web.shell import ADMINS, REVIEWERS, page, signed_in_user

_ID = f"<int(max={BIGINT_MAX}):report_id>"
PAGE_SIZE = 100
SIGNOFF_ACTIONS_ZH = {"sign": "签核", "return": "退回"}


@web.app_template_filter("yuan")
def yuan_text(fen: int) -> str:
    """Integer 分 as 元 with two decimals and thousands separators."""
    return f"{yuan(fen):,}"


@web.get("/reports")
@page(*REVIEWERS)
def report_list():
    return _render_list()


def _render_list(error: str | None = None, form: dict | None = None, status: int = 200):
    user = signed_in_user()
    args = query_args(ReportListArgs(), request.args)
    reports = db.session.scalars(service.reports_query(user, year=args["year"]).limit(PAGE_SIZE)).all()
    return render_template("reports/list.html", reports=reports, year=args["year"], period_zh=_period_zh,
                           statuses=service.STATUS_LABELS_ZH,
                           signoff_labels=service.SIGNOFF_LABELS_ZH, is_admin=user.role_enum in ADMINS,
                           own_township=user.township_id if user.role_enum is Role.TOWNSHIP_REVIEWER else None,
                           error=error, form=form or {}), status


@web.post("/reports/compute")
@page(*ADMINS)
def report_compute():
    return _county_step(service.compute, "已计算草稿")


@web.post("/reports/issue")
@page(*ADMINS)
def report_issue():
    return _county_step(service.issue, "已下发")


def _county_step(step, done_zh: str):
    """Compute a draft or issue a version of the period in the form; a refusal shows the list again."""
    user = signed_in_user()
    try:
        data = form_args(ReportPeriodForm(), request.form)
        report = step(service.admin_county(user, None), data["period"], data["as_of"], actor=user)
    except ApiError as err:
        db.session.rollback()
        return _render_list(error=err.message, form=request.form.to_dict(), status=err.status)
    flash(f"{done_zh}: {report.county.name}{data['period'].label_zh}", "ok")
    return redirect(url_for("web.report_detail", report_id=report.id))


@web.get(f"/reports/{_ID}")
@page(*REVIEWERS)
def report_detail(report_id: int):
    return _render_report(report_id)


@web.post(f"/reports/{_ID}/signoffs")
@page(*REVIEWERS)
def report_signoff(report_id: int):
    def decide():
        data = form_args(SignoffForm(), request.form)
        service.decide_signoff(signed_in_user(), report_id, data["township"], data["action"], data["reason"])
        return f"已{SIGNOFF_ACTIONS_ZH[data['action']]}"

    return _report_step(report_id, decide)


@web.post(f"/reports/{_ID}/finalise")
@page(*ADMINS)
def report_finalise(report_id: int):
    def finalise():
        service.finalise(signed_in_user(), report_id)
        return "已定稿"

    return _report_step(report_id, finalise)


def _report_step(report_id: int, step):
    """A step on one report; a refusal (wrong township, state moved on, reason missing) shows the page again."""
    try:
        done_zh = step()
    except ApiError as err:
        db.session.rollback()
        return _render_report(report_id, error=err.message, form=request.form.to_dict(), status=err.status)
    flash(done_zh, "ok")
    return redirect(url_for("web.report_detail", report_id=report_id))


def _render_report(report_id: int, error: str | None = None, form: dict | None = None, status: int = 200):
    user = signed_in_user()
    args = query_args(ReportDiffArgs(), request.args)
    report = service.get_report(user, report_id)
    try:
        diff = _diff(user, report, args["against"])
    except ApiError as err:
        if err.problem is not VALIDATION_FAILED:  # an `against` out of scope is the 404 page, as any other record
            raise
        abort(400, description=err.message)  # `against` is no version of this period
    view = files.view_for(user, report)
    kinds = [kind for kind in KINDS if any(kind in v["deductions_fen"] for v in view.villages)]
    townships = [(code, name, villages, _subtotal(villages, kinds)) for code, name, villages in view.townships()]
    return render_template(
        "reports/detail.html", report=report, view=view, townships=townships, kinds=kinds, kind_labels=KIND_LABELS_ZH,
        county_total=_subtotal(view.villages, kinds), line_columns=LINE_COLUMNS,
        lines=[line_row(line) for line in view.lines], rules=rules_rows(view), versions=_versions(user, report),
        diff=diff, formats=EXPORT_FORMATS, statuses=service.STATUS_LABELS_ZH, signoff_labels=service.SIGNOFF_LABELS_ZH,
        signable=_signable(user, report), can_finalise=user.role_enum in ADMINS and report.status == service.ISSUED,
        whole_county=service.visible_townships(user) is None, error=error, form=form or {}), status


def _period_zh(report: CompensationReport) -> str:
    return Period(report.period_kind, report.period_start, report.period_end).label_zh


def _subtotal(villages: list[dict], kinds: list[str]) -> dict:
    return {"base_fen": sum(v["base_fen"] for v in villages), "net_fen": sum(v["net_fen"] for v in villages),
            "deduction_fen": sum(v["deduction_fen"] for v in villages),
            "deductions_fen": {k: sum(v["deductions_fen"].get(k, 0) for v in villages) for k in kinds}}


def _versions(user, report: CompensationReport) -> list[CompensationReport]:
    """Every version of the report's period (and its draft), newest first."""
    return db.session.scalars(service.reports_query(user).where(
        CompensationReport.period_kind == report.period_kind,
        CompensationReport.period_start == report.period_start)).all()


def _diff(user, report: CompensationReport, against_id: int | None) -> dict | None:
    """The diff against `against_id`, by default against the version before (none for a draft or version 1)."""
    if against_id is None and service.previous_version(report) is None:
        return None
    return service.diff_for(user, report.id, against_id)


def _signable(user, report: CompensationReport) -> list[str]:
    """The township codes whose part this user may sign off or return now."""
    if report.status != service.ISSUED:
        return []
    townships = service.visible_townships(user)
    return [s.township.code for s in report.signoffs if townships is None or s.township.code in townships]

