"""The review workflow as data: which action moves a case from which states to which, and who may take it.

上报→核查→整改→销号: an observation is flagged (or a doubt when its evidence is not trusted), the township
reviewer confirms or dismisses it, orders rectification with a deadline, and verifies the re-inspection
(closed, 销号) or rejects it (back to rectification_ordered). Only a trusted re-inspection that no longer shows
the problem submits a rectification; one that still shows it keeps the case in rectification or, by county
setting, marks it rectification_failed. Past the deadline a case is overdue and goes to the county. A doubt
that needs a reviewer's judgement (an "other" answer) may be confirmed when its evidence is trusted.
System actions are taken by the rules and jobs, never through the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.accounts.models import Role

DOUBT, FLAGGED, CONFIRMED, DISMISSED = "doubt", "flagged", "confirmed", "dismissed"
ORDERED, SUBMITTED, CLOSED, OVERDUE = "rectification_ordered", "rectification_submitted", "closed", "overdue"
FAILED = "rectification_failed"
STATUSES = (DOUBT, FLAGGED, CONFIRMED, DISMISSED, ORDERED, SUBMITTED, CLOSED, OVERDUE, FAILED)
FINAL = frozenset({DISMISSED, CLOSED})
STATUS_LABELS_ZH = {DOUBT: "疑点待复查", FLAGGED: "待核查", CONFIRMED: "已确认", DISMISSED: "已排除",
                    ORDERED: "整改中", SUBMITTED: "整改待验收", CLOSED: "已销号", OVERDUE: "逾期未整改",
                    FAILED: "整改未通过"}

REVIEWERS = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN})
COUNTY = frozenset({Role.COUNTY_ADMIN})


@dataclass(frozen=True)
class Action:
    name: str
    sources: dict[str, frozenset[Role]]  # state it may start from → roles that may take it there
    target: str
    note_required: bool = False
    sets_deadline: bool = False


# Reviewer actions, through the API. Overdue cases are escalated: only the county acts on them.
USER_ACTIONS = {a.name: a for a in (
    Action("confirm", {FLAGGED: REVIEWERS, DOUBT: REVIEWERS}, CONFIRMED),  # a doubt: on trusted evidence only
    Action("dismiss", {FLAGGED: REVIEWERS, DOUBT: REVIEWERS}, DISMISSED, note_required=True),
    Action("order_rectification", {CONFIRMED: REVIEWERS, OVERDUE: COUNTY, FAILED: REVIEWERS}, ORDERED,
           sets_deadline=True),
    Action("verify", {SUBMITTED: REVIEWERS}, CLOSED),
    Action("reject_rectification", {SUBMITTED: REVIEWERS}, ORDERED, note_required=True, sets_deadline=True),
)}

# System actions: taken by the rules on a new inspection and by the overdue job, by no role.
NOBODY: frozenset[Role] = frozenset()
OBSERVE = "observe"  # a new observation attached to an open case; the status stays
UPGRADE = Action("upgrade_to_violation", {DOUBT: NOBODY}, FLAGGED)
DISMISS_DOUBT = Action("dismiss_doubt", {DOUBT: NOBODY}, DISMISSED)
SUBMIT = Action("submit_rectification", {ORDERED: NOBODY, OVERDUE: NOBODY, FAILED: NOBODY}, SUBMITTED)
MARK_OVERDUE = Action("mark_overdue", {ORDERED: NOBODY}, OVERDUE)
FAIL = Action("fail_rectification", {ORDERED: NOBODY, OVERDUE: NOBODY, SUBMITTED: NOBODY}, FAILED)
REOPEN = Action("reopen_rectification", {SUBMITTED: NOBODY}, ORDERED)
RECHECK = "rectification_recheck"  # a re-inspection that changes nothing (untrusted, or the problem remains)
IN_RECTIFICATION = (ORDERED, OVERDUE, SUBMITTED, FAILED)


# How the audit trail's actions on a case read in the web UI and reports.
ACTION_LABELS_ZH = {"created": "发现问题(立案)", OBSERVE: "再次发现", "confirm": "确认违法", "dismiss": "排除",
                    "order_rectification": "下达整改", "verify": "验收销号", "reject_rectification": "整改不合格, 重新整改",
                    UPGRADE.name: "疑点经可信证据确认", DISMISS_DOUBT.name: "复查排除疑点",
                    SUBMIT.name: "提交整改复查", MARK_OVERDUE.name: "逾期未整改, 上报县级",
                    FAIL.name: "整改复查仍发现问题, 整改未通过", REOPEN.name: "整改复查仍发现问题, 继续整改",
                    RECHECK: "整改复查(状态未变)"}


def allowed(action: Action, status: str, role: Role) -> tuple[bool, bool]:
    """(is the transition defined from this status, may this role take it)."""
    roles = action.sources.get(status)
    return roles is not None, roles is not None and role in roles
