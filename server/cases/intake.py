"""From the rules' findings to cases, inside the transaction that completes an inspection (flush only).

- Evidence gate: a finding on trusted evidence is a violation (`flagged`); otherwise it is a `doubt` and
  the inspector gets a re-inspection task through the sync pull. A trusted finding upgrades a doubt; a
  trusted visit that no longer shows a doubted problem dismisses the doubt.
- One open case per problem: a finding of a problem the parcel already has an open case for attaches to
  it; the case's area is the largest reported.
- A complete inspection of a parcel with a case in rectification (ordered, overdue, submitted or failed) is
  its re-inspection: it is linked, and only if it is trusted and no longer shows the problem does it submit
  the rectification for the reviewer to verify. One that still shows it keeps the case in rectification
  (back from submitted) or marks it failed (`rectification.problem_seen_again`); an untrusted one changes
  nothing but the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from server.accounts.models import User
from server.audit.service import county_of, record_event
from server.cases import workflow
from server.cases.models import CaseInspection, CaseObservation, ViolationCase
from server.cases.service import AUDIT_ENTITY, case_state, change, locked_cases, locking
from server.extensions import db
from server.inspections.models import Inspection
from server.patrols.models import TaskStatus
from server.patrols.service import create_recheck_task
from server.rules.classify import Observation
from server.rules.codes import max_severity, problem_key
from server.rules.config import MARK_FAILED, RuleSet
from server.rules.versions import RuleVersion


@dataclass(frozen=True)
class Finding:
    """An observation and the inspection that shows it (for abandonment, the latest idle visit)."""

    observation: Observation
    inspection: Inspection


# Built once (every push with a complete inspection runs it): the parcels' open cases, locked.
_OPEN_CASES = locking(select(ViolationCase).where(ViolationCase.parcel_id.in_(bindparam("parcel_ids", expanding=True)),
                                                 ViolationCase.open_key.is_not(None)).order_by(ViolationCase.id))


class ParcelCases:
    """The open cases of the parcels of inspections completing together, locked for the rest of the transaction
    and read once: those a visit can move (in rectification or in doubt) and those a finding attaches to. Cases
    the visits open join it, so that a later visit of the same batch sees them as a lone one would."""

    def __init__(self, parcel_ids: set[int]):
        self._by_parcel: dict[int, list[ViolationCase]] = {parcel_id: [] for parcel_id in parcel_ids}
        for case in db.session.scalars(_OPEN_CASES, {"parcel_ids": list(parcel_ids)}):
            self._by_parcel[case.parcel_id].append(case)

    def of(self, parcel_id: int, statuses: tuple[str, ...]) -> list[ViolationCase]:
        return [case for case in self._by_parcel.get(parcel_id, ()) if case.status in statuses]

    def open_case(self, parcel_id: int, open_key: str) -> ViolationCase | None:
        return next((case for case in self._by_parcel[parcel_id] if case.open_key == open_key), None)

    def add(self, case: ViolationCase) -> None:
        self._by_parcel[case.parcel_id].append(case)


def record_inspection(inspection: Inspection, findings: list[Finding], shown: set[str], config: RuleVersion | None,
                      rules: RuleSet, cases: ParcelCases, *, now: datetime) -> None:
    """`shown`: the problem keys the visit itself shows (a re-inspection's verdict), beside its findings."""
    shown = shown | {problem_key(f.observation.code) for f in findings}
    trusted = rules.evidence.trusts(inspection.evidence_level)
    _recheck_rectifications(inspection, cases.of(inspection.parcel_id, workflow.IN_RECTIFICATION), shown, trusted,
                            rules, now)
    record_findings(findings, config, rules, now=now, cases=cases)
    if trusted:
        _dismiss_resolved_doubts(inspection, cases.of(inspection.parcel_id, (workflow.DOUBT,)), shown, now)


def record_findings(findings: list[Finding], config: RuleVersion | None, rules: RuleSet, *, now: datetime,
                    cases: ParcelCases | None = None) -> int:
    """Attach each finding to its problem's open case or open one (joining `cases`); returns how many were new."""
    return sum(_record(finding, config, rules, now, cases) for finding in findings)


def _record(finding: Finding, config: RuleVersion | None, rules: RuleSet, now: datetime,
            cases: ParcelCases | None) -> bool:
    obs, inspection = finding.observation, finding.inspection
    trusted = rules.evidence.trusts(inspection.evidence_level)
    upgrades = trusted and not obs.needs_review
    open_key = f"{inspection.parcel_id}:{problem_key(obs.code)}"
    # `cases` holds every parcel of the visits completing together, so their findings' parcels too
    case = cases.open_case(inspection.parcel_id, open_key) if cases is not None else _open_case(open_key)
    if case is None:
        case = _create(finding, open_key, trusted, config, rules, now)
        if case is not None:
            if cases is not None:
                cases.add(case)
            return True
        case = _open_case(open_key)  # another transaction opened it first: attach to theirs
        if cases is not None:
            cases.add(case)
    already = db.session.scalar(select(CaseObservation.id).where(
        CaseObservation.case_id == case.id, CaseObservation.inspection_id == inspection.id,
        CaseObservation.code == obs.code))
    if already is not None:
        return False
    _attach(case, finding)
    values = {"area_mu": _largest(case.area_mu, obs.area_mu), "severity": max_severity([case.severity, obs.severity]),
              "last_observed_at": max(case.last_observed_at, inspection.observed_at)}
    if obs.code == "ABANDON_YEAR" or case.code == obs.code:  # a year's abandonment supersedes the seasonal flag
        values |= {"code": obs.code, "message_zh": obs.message_zh}
    if case.status == workflow.DOUBT and upgrades:
        change(case, workflow.UPGRADE.name, status=workflow.UPGRADE.target, now=now,
               note=f"可信证据再次发现该问题(巡查记录 {inspection.uuid})", **values)
    else:
        if case.status == workflow.DOUBT and not trusted:
            values |= _recheck(case, inspection, rules, now)
        change(case, workflow.OBSERVE, now=now, note=f"巡查记录 {inspection.uuid}: {obs.message_zh}", **values)
    return True


def _create(finding: Finding, open_key: str, trusted: bool, config: RuleVersion | None, rules: RuleSet,
            now: datetime) -> ViolationCase | None:
    """Open a case in a SAVEPOINT; None if a concurrent transaction opened this problem's case first."""
    obs, inspection = finding.observation, finding.inspection
    case = ViolationCase(parcel_id=inspection.parcel_id, problem_key=problem_key(obs.code), open_key=open_key,
                         code=obs.code, category=obs.category, severity=obs.severity, area_mu=obs.area_mu,
                         status=workflow.FLAGGED if trusted and not obs.needs_review else workflow.DOUBT,
                         legal_basis=obs.legal_basis, message_zh=obs.message_zh,
                         rule_config_id=config.id if config else None,
                         first_observed_at=inspection.observed_at, last_observed_at=inspection.observed_at,
                         version=1, created_at=now, updated_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(case)
            db.session.flush()
    except IntegrityError:
        return None
    _attach(case, finding)
    if not trusted:
        case.recheck_task_id = _recheck(case, inspection, rules, now)["recheck_task_id"]
        db.session.flush()
    record_event(AUDIT_ENTITY, case.id, "created", county_id=county_of(inspection), after=case_state(case), at=now,
                 reason=f"巡查记录 {inspection.uuid} (证据: {inspection.evidence_level or '未评估'})")
    return case


def _attach(case: ViolationCase, finding: Finding) -> None:
    obs, inspection = finding.observation, finding.inspection
    db.session.add(CaseObservation(case_id=case.id, inspection_id=inspection.id, code=obs.code,
                                   severity=obs.severity, area_mu=obs.area_mu, legal_basis=obs.legal_basis,
                                   message_zh=obs.message_zh, evidence_level=inspection.evidence_level,
                                   observed_at=inspection.observed_at))
    _link(case, inspection, "observed")


def _link(case: ViolationCase, inspection: Inspection, role: str) -> None:
    exists = db.session.scalar(select(CaseInspection.id).where(
        CaseInspection.case_id == case.id, CaseInspection.inspection_id == inspection.id, CaseInspection.role == role))
    if exists is None:
        db.session.add(CaseInspection(case_id=case.id, inspection_id=inspection.id, role=role))
    db.session.flush()


def _recheck(case: ViolationCase, inspection: Inspection, rules: RuleSet, now: datetime) -> dict:
    """Ask the inspector who saw it to look again, unless a re-inspection of this case is still open."""
    if case.recheck_task is not None and case.recheck_task.status == TaskStatus.OPEN.value:
        return {}
    task = create_recheck_task(case.parcel, f"疑点复查: {case.message_zh}(照片证据存疑, 请重新拍摄)",
                               now + timedelta(days=rules.evidence.recheck_due_days),
                               db.session.get(User, inspection.inspector_id), now=now, commit=False)
    return {"recheck_task_id": task.id}


def _recheck_rectifications(inspection: Inspection, in_rectification: list[ViolationCase], shown: set[str],
                            trusted: bool, rules: RuleSet, now: datetime) -> None:
    for case in in_rectification:
        _link(case, inspection, "rectification")
        evidence = f"整改复查记录 {inspection.uuid} (证据: {inspection.evidence_level or '未评估'})"
        if not trusted:
            change(case, workflow.RECHECK, now=now, note=f"{evidence}: 证据不可信, 不能作为整改完成的依据, 需可信复查")
        elif case.problem_key not in shown:
            if case.status != workflow.SUBMITTED:
                change(case, workflow.SUBMIT.name, status=workflow.SUBMIT.target, now=now,
                       note=f"{evidence}: 复查未再发现该问题, 待验收")
        elif rules.problem_seen_again == MARK_FAILED and case.status != workflow.FAILED:
            change(case, workflow.FAIL.name, status=workflow.FAIL.target, now=now,
                   note=f"{evidence}: 复查仍发现该问题, 整改未通过")
        elif case.status == workflow.SUBMITTED:
            change(case, workflow.REOPEN.name, status=workflow.REOPEN.target, now=now,
                   note=f"{evidence}: 复查仍发现该问题, 退回整改")
        else:
            change(case, workflow.RECHECK, now=now, note=f"{evidence}: 复查仍发现该问题, 继续整改")


def _dismiss_resolved_doubts(inspection: Inspection, doubts: list[ViolationCase], observed_keys: set[str],
                             now: datetime) -> None:
    for case in doubts:
        if case.problem_key not in observed_keys:
            _link(case, inspection, "observed")
            change(case, workflow.DISMISS_DOUBT.name, status=workflow.DISMISS_DOUBT.target, now=now,
                   note=f"复查记录 {inspection.uuid} 证据可信且未再发现该问题, 疑点排除")


def _open_case(open_key: str) -> ViolationCase | None:
    """The problem's open case, locked, for a caller without `ParcelCases` (the jobs) or after a race."""
    return next(iter(locked_cases(select(ViolationCase).where(ViolationCase.open_key == open_key))), None)


def _largest(current: float | None, new: float | None) -> float | None:
    return max((a for a in (current, new) if a is not None), default=None)
