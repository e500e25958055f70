"""Violation cases: the reviewers' transitions, the overdue job, and the one place a case row changes.

Every change goes through `change`: a conditional UPDATE on the case's version, so that of two reviewers
acting on one case at once exactly one wins (the other gets `stale_case`), plus one audit entry in the same
transaction. Top-level operations (`transition`, `mark_overdue_cases`) own their transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Select, select, update

from server.accounts.models import User
from server.accounts.scopes import can_act_for_village, village_scope
from server.audit.service import record_event
from server.cases import workflow
from server.cases.models import ViolationCase
from server.db_types import utcnow
from server.errors import FORBIDDEN, INVALID_TRANSITION, NOT_FOUND, STALE_CASE, VALIDATION_FAILED, ApiError, found
from server.extensions import db
from server.parcels.models import Parcel
from server.patrols.service import create_recheck_task
from server.rules.versions import rules_of
from server.territory.models import Township, Village
from server.timezones import end_of_day

AUDIT_ENTITY = "case"
MAX_DEADLINE = timedelta(days=3 * 366)  # 整改期限: far beyond any rectification a rule sets


def case_state(case: ViolationCase) -> dict:
    """The fields the audit trail shows before and after each change."""
    return {"status": case.status, "version": case.version, "code": case.code, "severity": case.severity,
            "area_mu": case.area_mu, "deadline_at": case.deadline_at, "recheck_task_id": case.recheck_task_id}


def change(case: ViolationCase, action: str, *, status: str | None = None, actor: User | None = None,
           note: str | None = None, expected_version: int | None = None, now: datetime | None = None,
           **values) -> None:
    """Apply `values` (and a new status) if the case is still at `expected_version` (default: as loaded)."""
    now = now or utcnow()
    expected = case.version if expected_version is None else expected_version
    before = case_state(case)
    values |= {"version": expected + 1, "updated_at": now}
    if status is not None:
        values["status"] = status
        if status in workflow.FINAL:
            values["open_key"] = None  # a new observation of the problem opens a new case
    result = db.session.execute(update(ViolationCase).where(ViolationCase.id == case.id,
                                                            ViolationCase.version == expected).values(**values)
                                .execution_options(synchronize_session="fetch"))
    if result.rowcount != 1:
        raise ApiError(STALE_CASE, details={"expected_version": expected})
    record_event(AUDIT_ENTITY, case.id, action, county_id=case.parcel.county_id, actor=actor, before=before, after=case_state(case), reason=note,
                 at=now)


def transition(user: User, case_id: int, action_name: str, *, note: str | None = None,
               deadline: date | None = None, expected_version: int | None = None,
               now: datetime | None = None) -> ViolationCase:
    """A reviewer's action on a case. 404 outside the user's territory, 403 for a role that may not act, 409 for a transition
    the case's state does not allow or a stale version."""
    now = now or utcnow()
    action = workflow.USER_ACTIONS[action_name]
    case = db.session.get(ViolationCase, case_id)
    if case is None or not can_act_for_village(user, case.parcel.village):
        raise ApiError(NOT_FOUND, f"案件不存在: {case_id}")  # another territory's case looks exactly like none
    if user.role_enum not in workflow.REVIEWERS:
        raise ApiError(FORBIDDEN, "巡查员不能处理案件, 由乡镇审核员或县级管理员处理")
    if expected_version is not None and expected_version != case.version:
        raise ApiError(STALE_CASE, f"案件已更新到第 {case.version} 版(请求基于第 {expected_version} 版), 请刷新后重试",
                       field="expected_version", details={"current_version": case.version})
    defined, permitted = workflow.allowed(action, case.status, user.role_enum)
    if not defined:
        raise ApiError(INVALID_TRANSITION, f"案件处于「{workflow.STATUS_LABELS_ZH[case.status]}」, 不能执行 {action.name}",
                       field="action", details={"from": case.status, "to": action.target, "action": action.name})
    if not permitted:
        raise ApiError(FORBIDDEN, "逾期案件已上报县级, 由县级管理员处理")
    if action.note_required and not (note and note.strip()):
        raise ApiError(VALIDATION_FAILED, "该操作需要填写说明(原因)", field="note")
    _check_evidence(case, action)
    values = _deadline_values(case, deadline, now) if action.sets_deadline else {}
    change(case, action.name, status=action.target, actor=user, note=note, expected_version=case.version,
           now=now, **values)
    db.session.commit()
    return case


def _check_evidence(case: ViolationCase, action: workflow.Action) -> None:
    """Only evidence that could open a violation confirms a doubt or closes a case (409 otherwise)."""
    evidence = rules_of(case.rule_config).evidence
    if action.name == "confirm" and case.status == workflow.DOUBT:
        if not any(evidence.trusts(o.evidence_level) for o in case.observations):
            raise ApiError(INVALID_TRANSITION, "疑点的照片证据不可信, 不能确认为违法; 请等待可信复查或排除", field="action",
                           details={"from": case.status, "to": action.target, "action": action.name})
    if action.name == "verify":
        recheck = next((link.inspection for link in reversed(case.inspection_links) if link.role == "rectification"),
                       None)
        seen_again = recheck is not None and any(o.inspection_id == recheck.id for o in case.observations)
        if recheck is None or not evidence.trusts(recheck.evidence_level) or seen_again:
            raise ApiError(INVALID_TRANSITION, "最近一次整改复查证据不可信或仍发现该问题, 不能销号", field="action",
                           details={"from": case.status, "to": action.target, "action": action.name})


def _deadline_values(case: ViolationCase, deadline: date | None, now: datetime) -> dict:
    """The deadline (end of that local day; default from the case's rules) and the re-inspection task that
    asks the village inspector to photograph the rectified parcel by then."""
    tz = case.parcel.county.zone
    today = now.astimezone(tz).date()
    if deadline is None:
        deadline = today + timedelta(days=rules_of(case.rule_config).rectification_days[case.category])
    elif deadline < today:
        raise ApiError(VALIDATION_FAILED, "整改期限不能早于今天", field="deadline")
    elif deadline > today + MAX_DEADLINE:
        # Also keeps the end of that day representable (9999-12-31 has no next day).
        raise ApiError(VALIDATION_FAILED, f"整改期限不能晚于 {MAX_DEADLINE.days} 天之后", field="deadline")
    deadline_at = end_of_day(deadline, tz)
    task = create_recheck_task(case.parcel, f"整改复查(案件 {case.id}): {case.message_zh}", deadline_at, now=now,
                               commit=False)
    return {"deadline_at": deadline_at, "recheck_task_id": task.id}


def mark_overdue_cases(now: datetime | None = None) -> int:
    """Job: cases whose rectification deadline passed become overdue (escalated to the county). Safe to run
    twice; returns how many it marked."""
    now = now or utcnow()
    overdue = locked_cases(select(ViolationCase).where(ViolationCase.status == workflow.ORDERED,
                                                       ViolationCase.deadline_at < now).order_by(ViolationCase.id))
    for case in overdue:
        change(case, workflow.MARK_OVERDUE.name, status=workflow.MARK_OVERDUE.target, now=now,
               note="超过整改期限未提交整改, 上报县级")
    db.session.commit()
    return len(overdue)


def locked_cases(query: Select) -> list[ViolationCase]:
    """Cases locked for the rest of the transaction and read fresh (a reviewer may have just changed one)."""
    return list(db.session.scalars(locking(query)))


def locking(query: Select) -> Select:
    """The query as `locked_cases` runs it, for a query built once and run with parameters."""
    return query.with_for_update().execution_options(populate_existing=True)


def cases_query(user: User, *, status: str | None = None, village_code: str | None = None,
                township_code: str | None = None) -> Select:
    """Cases of parcels in the user's territory, newest observation first."""
    query = (select(ViolationCase).join(Parcel, ViolationCase.parcel_id == Parcel.id)
             .join(Village, Parcel.village_id == Village.id).join(Township, Village.township_id == Township.id)
             .where(village_scope(user))
             .order_by(ViolationCase.last_observed_at.desc(), ViolationCase.id.desc()))
    if status:
        query = query.where(ViolationCase.status == status)
    if village_code:
        query = query.where(Village.code == village_code)
    if township_code:
        query = query.where(Township.code == township_code)
    return query


def get_case(user: User, case_id: int) -> ViolationCase:
    """A case the user may see; outside their territory it does not exist for them (404)."""
    return found(db.session.scalar(cases_query(user).where(ViolationCase.id == case_id)),
                 f"案件不存在或不在辖区内: {case_id}", field="case_id")
