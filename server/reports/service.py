"""Compensation reports against the database: drafts, issued versions, the township sign-off workflow.

Top-level functions own their transaction. An issued version stores its snapshot and result and is never
recomputed: later changes to cases or rules reach the report only by issuing version n+1. Every step is an
entry in the audit chain; issuing records the snapshot's hash there.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Select, select

from server.accounts.models import Role, User
from server.audit.service import entity_histories, lock_chain, record_event
from server.cases.service import AUDIT_ENTITY as CASE_AUDIT_ENTITY
from server.db_types import utcnow
from server.errors import FORBIDDEN, INVALID_REPORT_STATE, NOT_FOUND, VALIDATION_FAILED, ApiError, found
from server.extensions import db
from server.reports.calc import calculate
from server.reports.diff import diff_results
from server.reports.inputs import load_snapshot
from server.reports.models import CompensationReport, ReportSignoff
from server.reports.snapshot import Period, Snapshot, snapshot_hash
from server.territory.models import County, Township

AUDIT_ENTITY = "compensation_report"
DRAFT, ISSUED, SUPERSEDED, FINALISED = "draft", "issued", "superseded", "finalised"
STATUS_LABELS_ZH = {DRAFT: "草稿", ISSUED: "已下发待签核", SUPERSEDED: "已被新版本取代", FINALISED: "已定稿"}
PENDING, SIGNED, RETURNED = "pending", "signed", "returned"
SIGNOFF_LABELS_ZH = {PENDING: "待签核", SIGNED: "已签核", RETURNED: "已退回"}


def default_as_of(county: County, period: Period, now: datetime | None = None) -> date:
    """Today in the county, or the period's last day once it has ended."""
    today = (now or utcnow()).astimezone(county.zone).date()
    return min(today, period.end - timedelta(days=1))


def compute(county: County, period: Period, as_of: date | None = None, *, now: datetime | None = None,
            actor: User | None = None) -> CompensationReport:
    """The draft of a period, computed now: replaces the period's previous draft. Commits."""
    now = now or utcnow()
    lock_chain(county.id)  # one draft per period even when two computations race
    snapshot = load_snapshot(county, period, as_of or default_as_of(county, period, now))
    draft = db.session.scalar(_period_reports(county.id, period.kind, period.start)
                              .where(CompensationReport.version.is_(None)))
    if draft is None:
        draft = CompensationReport(county_id=county.id, period_kind=period.kind, period_start=period.start,
                                   period_end=period.end, status=DRAFT)
        db.session.add(draft)
    _store(draft, snapshot, now)
    db.session.flush()
    record_event(AUDIT_ENTITY, draft.id, "drafted", county_id=county.id, actor=actor, at=now, after=_audit_state(draft))
    db.session.commit()
    return draft


def issue(county: County, period: Period, as_of: date | None = None, *, actor: User | None = None,
          now: datetime | None = None) -> CompensationReport:
    """Freeze version n+1 of the period (the previous version is superseded and its sign-offs end); each
    township of the county gets a pending sign-off. Refused once the period's report is finalised."""
    now = now or utcnow()
    lock_chain(county.id)  # serialises two issues of one period: the version number is taken under the lock
    previous = latest_issued(county, period)
    if previous is not None and previous.status == FINALISED:
        raise ApiError(INVALID_REPORT_STATE, f"{period.label_zh}报表已定稿(第 {previous.version} 版), 不能再下发")
    snapshot = load_snapshot(county, period, as_of or default_as_of(county, period, now))
    report = CompensationReport(county_id=county.id, period_kind=period.kind, period_start=period.start,
                                period_end=period.end, version=(previous.version if previous else 0) + 1,
                                status=ISSUED, issued_at=now, issued_by_id=actor.id if actor else None)
    _store(report, snapshot, now)
    db.session.add(report)
    if previous is not None:
        previous.status = SUPERSEDED
    for township_id in db.session.scalars(select(Township.id).where(Township.county_id == county.id)
                                          .order_by(Township.code)):
        report.signoffs.append(ReportSignoff(township_id=township_id, status=PENDING))
    db.session.flush()
    record_event(AUDIT_ENTITY, report.id, "issued", county_id=county.id, actor=actor, at=now, after=_audit_state(report),
                 reason=f"取代第 {previous.version} 版" if previous else None)
    db.session.commit()
    return report


def decide_signoff(user: User, report_id: int, township_code: str, action: str, reason: str | None = None,
                   *, now: datetime | None = None) -> CompensationReport:
    """A township reviewer signs off their township's part, or returns it with a reason (the county then
    corrects and issues a new version). County admins may act for any township of the county."""
    now = now or utcnow()
    report = _locked_report(user, report_id)
    if user.role_enum is Role.TOWNSHIP_REVIEWER and (user.township is None or user.township.code != township_code):
        raise ApiError(FORBIDDEN, "只能签核本乡镇的部分", field="township")
    if report.status != ISSUED:
        raise ApiError(INVALID_REPORT_STATE, f"报表{STATUS_LABELS_ZH[report.status]}, 不能签核")
    if action == "return" and not (reason and reason.strip()):
        raise ApiError(VALIDATION_FAILED, "退回需要填写原因", field="reason")
    signoff = found(next((s for s in report.signoffs if s.township.code == township_code), None),
                    f"报表中没有该乡镇: {township_code}", field="township")
    before = {"status": signoff.status}
    signoff.status, signoff.reason, signoff.actor_id, signoff.decided_at = (
        SIGNED if action == "sign" else RETURNED, reason, user.id, now)
    record_event(AUDIT_ENTITY, report.id, f"township_{signoff.status}", county_id=report.county_id, actor=user,
                 at=now, reason=reason, before=before, after={"township": township_code, "status": signoff.status})
    db.session.commit()
    return report


def finalise(user: User, report_id: int, *, now: datetime | None = None) -> CompensationReport:
    """The county finalises an issued version once every township has signed its part."""
    now = now or utcnow()
    report = _locked_report(user, report_id)
    if user.role_enum is not Role.COUNTY_ADMIN:
        raise ApiError(FORBIDDEN, "由县级管理员定稿")
    if report.status != ISSUED:
        raise ApiError(INVALID_REPORT_STATE, f"报表{STATUS_LABELS_ZH[report.status]}, 不能定稿")
    waiting = [s.township.name for s in report.signoffs if s.status != SIGNED]
    if waiting:
        raise ApiError(INVALID_REPORT_STATE, f"尚有乡镇未签核: {'、'.join(waiting)}",
                       details={"townships": [s.township.code for s in report.signoffs if s.status != SIGNED]})
    report.status, report.finalised_at, report.finalised_by_id = FINALISED, now, user.id
    record_event(AUDIT_ENTITY, report.id, "finalised", county_id=report.county_id, actor=user, at=now, after=_audit_state(report))
    db.session.commit()
    return report


def latest_issued(county: County, period: Period) -> CompensationReport | None:
    return db.session.scalar(_period_reports(county.id, period.kind, period.start)
                             .where(CompensationReport.version.is_not(None))
                             .order_by(CompensationReport.version.desc()).limit(1))


def previous_version(report: CompensationReport) -> CompensationReport | None:
    if not report.version or report.version == 1:
        return None
    return db.session.scalar(_period_reports(report.county_id, report.period_kind, report.period_start)
                             .where(CompensationReport.version == report.version - 1))


def reports_query(user: User, *, year: int | None = None) -> Select:
    """Reports of the user's county (reviewers see their township's part of each); none for inspectors."""
    query = (select(CompensationReport).where(CompensationReport.county_id == user.county_id)
             .order_by(CompensationReport.period_start.desc(), CompensationReport.period_kind,
                       CompensationReport.version.desc().nulls_first()))
    if user.role_enum is Role.INSPECTOR or not user.is_active:
        query = query.where(False)
    if year is not None:
        query = query.where(CompensationReport.period_start >= date(year, 1, 1),
                            CompensationReport.period_start < date(year + 1, 1, 1))
    return query


def get_report(user: User, report_id: int) -> CompensationReport:
    return found(db.session.scalar(reports_query(user).where(CompensationReport.id == report_id)),
                 f"报表不存在或不在辖区内: {report_id}", field="report_id")


def _locked_report(user: User, report_id: int) -> CompensationReport:
    """The report, read again once its county's chain is locked: a sign-off or finalisation takes the lock
    before writing, like `issue`, so it neither deadlocks with an issue nor acts on a superseded state."""
    report = get_report(user, report_id)
    lock_chain(report.county_id)
    db.session.refresh(report)
    return report


def visible_townships(user: User) -> set[str] | None:
    """The township codes whose part the user sees (None: all of the county)."""
    if user.role_enum is Role.TOWNSHIP_REVIEWER:
        return {user.township.code} if user.township else set()
    return None


def _period_reports(county_id: int, period_kind: str, period_start: date) -> Select:
    return select(CompensationReport).where(CompensationReport.county_id == county_id,
                                            CompensationReport.period_kind == period_kind,
                                            CompensationReport.period_start == period_start)


def _store(report: CompensationReport, snapshot: Snapshot, now: datetime) -> None:
    document = snapshot.to_json()
    calculation = calculate(snapshot)
    totals = calculation.totals
    report.as_of, report.rule_version, report.created_at = snapshot.as_of, snapshot.rule_version, now
    report.snapshot, report.snapshot_hash, report.result = document, snapshot_hash(document), calculation.to_json()
    report.base_fen, report.deduction_fen, report.net_fen = totals["base_fen"], totals["deduction_fen"], totals["net_fen"]


def _audit_state(report: CompensationReport) -> dict:
    return {"county_id": report.county_id, "period": f"{report.period_kind}:{report.period_start}",
            "version": report.version, "status": report.status, "as_of": report.as_of,
            "snapshot_hash": report.snapshot_hash, "rule_version": report.rule_version,
            "base_fen": report.base_fen, "deduction_fen": report.deduction_fen, "net_fen": report.net_fen}


def diff(report: CompensationReport, against: CompensationReport) -> dict:
    """`report` against an earlier version of the same period, with the case events (audit chain) recorded
    between the two issues behind each line that appeared, disappeared or changed."""
    if (against.county_id, against.period_kind, against.period_start) != (
            report.county_id, report.period_kind, report.period_start):
        raise ApiError(VALIDATION_FAILED, "只能比较同一期间的两个版本", field="against")
    result = diff_results(against.result, report.result)
    entries = [entry for entry in result["appeared"] + result["disappeared"] + result["changed"]
               if entry.get("case_id")]
    events = _case_events({entry["case_id"] for entry in entries}, against.issued_at or against.created_at,
                          report.issued_at or report.created_at)
    for entry in entries:
        entry["case_events"] = events.get(entry["case_id"], [])
    result |= {"from_version": against.version, "to_version": report.version,
               "rule_version_before": against.rule_version, "rule_version_after": report.rule_version}
    return result


def _case_events(case_ids: set[int], since: datetime, until: datetime) -> dict[int, list[dict]]:
    """The audit events of these cases recorded in (since, until], per case in chain order: one query for
    all the lines of a diff, not one per line."""
    if not case_ids:
        return {}
    histories = entity_histories(CASE_AUDIT_ENTITY, case_ids, since=since, until=until)
    return {int(case_id): [{"seq": e.seq, "occurred_at": e.occurred_at.isoformat(), "action": e.action,
                            "actor": e.actor, "reason": e.reason} for e in events]
            for case_id, events in histories.items()}


def admin_county(user: User, county_code: str | None) -> County:
    """The county a county admin acts for: their own (another county is not there for them)."""
    if county_code is not None and county_code != user.county.code:
        raise ApiError(NOT_FOUND, f"县不存在或不在辖区内: {county_code}", field="county")
    return user.county


def diff_for(user: User, report_id: int, against_id: int | None) -> dict:
    """The diff of a version against `against_id` (default: the version before it)."""
    report = get_report(user, report_id)
    against = get_report(user, against_id) if against_id is not None else previous_version(report)
    if against is None:
        raise ApiError(VALIDATION_FAILED, "没有可比较的上一版本", field="against")
    result = diff(report, against)
    townships = visible_townships(user)
    if townships is not None:
        codes = {v["code"] for v in report.result["villages"] + against.result["villages"]
                 if v["township_code"] in townships}
        for key in ("appeared", "disappeared", "changed"):
            result[key] = [entry for entry in result[key] if entry["village_code"] in codes]
        result["villages"] = [v for v in result["villages"] if v["code"] in codes]
        result.pop("totals_before"), result.pop("totals_after")
    return result
