"""The case queue (/cases) and the case page (/cases/<id>) with the review actions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from server.accounts.scopes import village_scope
from server.cases import service, workflow
from server.cases.models import latest_evidence_level
from server.cases.queue import DOUBTS, QueueFilter, queue_query, status_counts
from server.db_types import BIGINT_MAX
from server.errors import STALE_CASE, ApiError
from server.extensions import db
from server.patrols.models import TaskStatus
from server.rules.codes import CATEGORY_LABELS_ZH
from server.territory.models import Village
from server.web import case_detail as detail
from server.web import web
from server.web.schemas import EVIDENCE_LEVELS, CaseQueueArgs, TransitionForm, form_args, query_args
from server.web.shell import DISPLAY_ZONE, REVIEWERS, page, signed_in_user

PAGE_SIZE = 25
TASK_STATUS_ZH = {TaskStatus.OPEN.value: "待复查", TaskStatus.DONE.value: "已复查", TaskStatus.OVERDUE.value: "复查逾期",
                  TaskStatus.CANCELLED.value: "已取消"}


@web.get("/cases")
@page(*REVIEWERS)
def case_queue():
    user = signed_in_user()
    args = query_args(CaseQueueArgs(), request.args)
    filters = QueueFilter(tab=args["tab"], status=args["status"], village_code=args["village"],
                          category=args["category"], evidence_level=args["evidence"], deadline_by=args["deadline_by"])
    query = queue_query(user, filters, DISPLAY_ZONE).add_columns(latest_evidence_level)
    offset = (args["page"] - 1) * PAGE_SIZE
    rows = db.session.execute(query.limit(PAGE_SIZE + 1).offset(offset)).all()
    villages = db.session.scalars(select(Village).where(village_scope(user)).order_by(Village.code)).all()
    page_args = {k: v for k, v in request.args.items() if k != "page" and v}
    filter_args = {k: v for k, v in page_args.items() if k != "status"}
    return render_template("cases/queue.html", rows=rows[:PAGE_SIZE], has_more=len(rows) > PAGE_SIZE, args=args,
                           filter_args=filter_args, page_args=page_args, counts=status_counts(user, filters, DISPLAY_ZONE),
                           villages=villages, categories=CATEGORY_LABELS_ZH, evidence_levels=EVIDENCE_LEVELS,
                           levels_zh=detail.LEVELS_ZH, statuses=workflow.STATUS_LABELS_ZH, doubts_tab=DOUBTS,
                           task_statuses=TASK_STATUS_ZH)


@web.get(f"/cases/<int(max={BIGINT_MAX}):case_id>")
@page(*REVIEWERS)
def case_detail(case_id: int):
    return _render_case(case_id)


def _render_case(case_id: int, error: str | None = None, form: dict | None = None, status: int = 200):
    user = signed_in_user()
    case = service.get_case(user, case_id)
    views = detail.inspection_views(user, case)
    return render_template("cases/detail.html", case=case, views=views, map_data=detail.map_features(case, views),
                           history=detail.history(case), rule_label=detail.rule_label(case),
                           actions=detail.available_actions(user, case), action_labels=workflow.ACTION_LABELS_ZH,
                           statuses=workflow.STATUS_LABELS_ZH, levels_zh=detail.LEVELS_ZH,
                           categories=CATEGORY_LABELS_ZH, error=error, form=form or {}), status


@web.post(f"/cases/<int(max={BIGINT_MAX}):case_id>/transitions")
@page(*REVIEWERS)
def case_transition(case_id: int):
    """A review action from the case page. A refusal (stale version, state moved on, bad deadline) shows the
    page again with the reason and what the reviewer typed."""
    try:
        data = form_args(TransitionForm(), request.form)
        service.transition(signed_in_user(), case_id, data["action"], note=data["note"], deadline=data["deadline"],
                           expected_version=data["expected_version"])
    except ApiError as err:
        db.session.rollback()
        message = ("该案件在您打开页面后已被他人处理, 下方显示的是最新状态, 请核对后再操作。(" + err.message + ")"
                   if err.problem is STALE_CASE else err.message)
        return _render_case(case_id, error=message, form=request.form.to_dict(), status=err.status)
    flash(f"已完成: {workflow.ACTION_LABELS_ZH[data['action']]}", "ok")
    return redirect(url_for("web.case_detail", case_id=case_id))
