"""Sync conflicts (/conflicts): records that arrived twice with different content, both versions side by side
with the differing fields marked, resolved by keeping one with a reason (server.sync.conflicts audits it)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from server.accounts.models import Device
from server.db_types import BIGINT_MAX
from server.errors import ApiError
from server.extensions import db
from server.inspections.models import Inspection
from server.sync import conflicts
from server.web import web
from server.web.schemas import ConflictListArgs, ResolveConflictForm, form_args, query_args
from server.web.shell import REVIEWERS, page, signed_in_user

STATUS_TABS_ZH = {conflicts.OPEN: "待处理", conflicts.RESOLVED: "已处理"}
KEEP_LABELS_ZH = {conflicts.KEEP_STORED: "保留服务器已有版本", conflicts.KEEP_INCOMING: "采用后到达的版本"}
PAGE_SIZE = 50


@web.get("/conflicts")
@page(*REVIEWERS)
def conflict_list():
    args = query_args(ConflictListArgs(), request.args)
    rows = db.session.scalars(conflicts.conflicts_query(signed_in_user(), status=args["status"])
                              .limit(PAGE_SIZE)).all()
    return render_template("conflicts/list.html", rows=[(row, _inspection(row), _device(row)) for row in rows],
                           status=args["status"], tabs=STATUS_TABS_ZH, keep_labels=KEEP_LABELS_ZH)


@web.get(f"/conflicts/<int(max={BIGINT_MAX}):conflict_id>")
@page(*REVIEWERS)
def conflict_detail(conflict_id: int):
    return _render_conflict(conflict_id)


@web.post(f"/conflicts/<int(max={BIGINT_MAX}):conflict_id>/resolve")
@page(*REVIEWERS)
def conflict_resolve(conflict_id: int):
    """Keep one version. A refusal (already resolved, reason missing, the other version no longer loads) shows
    the page again with the reason and what the reviewer typed."""
    try:
        data = form_args(ResolveConflictForm(), request.form)
        conflicts.resolve(signed_in_user(), conflict_id, data["keep"], data["reason"])
    except ApiError as err:
        db.session.rollback()
        return _render_conflict(conflict_id, error=err.message, form=request.form.to_dict(), status=err.status)
    flash(f"已处理: {KEEP_LABELS_ZH[data['keep']]}", "ok")
    return redirect(url_for("web.conflict_detail", conflict_id=conflict_id))


def _render_conflict(conflict_id: int, error: str | None = None, form: dict | None = None, status: int = 200):
    conflict = conflicts.get_conflict(signed_in_user(), conflict_id)
    versions = conflicts.side_by_side(conflict)
    stored, incoming = conflicts.flatten_record(versions["stored"]), conflicts.flatten_record(versions["incoming"])
    fields = [(name, stored.get(name), incoming.get(name), stored.get(name) != incoming.get(name))
              for name in sorted(stored.keys() | incoming.keys())]
    return render_template("conflicts/detail.html", conflict=conflict, inspection=_inspection(conflict),
                           device=_device(conflict), fields=fields, changed=len(versions["differences"]),
                           keep_labels=KEEP_LABELS_ZH, error=error, form=form or {}), status


def _inspection(conflict) -> Inspection:
    return db.session.get(Inspection, conflict.inspection_id)


def _device(conflict) -> Device:
    return db.session.get(Device, conflict.device_id)
