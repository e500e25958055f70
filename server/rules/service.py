"""The rules against the database: applying them to a complete inspection, re-evaluating abandonment
over time, and counting missed patrols.

`apply_rules` runs inside the completion hook's transaction (no commit); the job `reevaluate_abandonment`
owns its transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from server.cases import intake
from server.cases.intake import Finding
from server.db_types import utcnow
from server.extensions import db
from server.inspections.models import Inspection, InspectionStatus
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask, TaskStatus
from server.rules.abandonment import assess_abandonment
from server.rules.classify import classify, observation, severity_for
from server.rules.codes import NOT_CULTIVATED
from server.rules.config import RuleSet
from server.rules.versions import rules_in_force
from server.territory.models import County, Village

# A seasonal flag fires when a season ends, at most a year after its idle observation; a year's
# confirmation fires on a new visit (apply_rules). So the job need not look at older parcels (the device
# time is close enough to filter on: clock skew is minutes, the lookback a year).
_ABANDONMENT_LOOKBACK = timedelta(days=400)


def apply_rules(inspection: Inspection, now: datetime | None = None) -> list[Finding]:
    """Called once per complete inspection, from the completion hook (after the evidence assessment).

    The visit's own observations and the parcel's abandonment state are judged by the rules in force on
    the visit's date, then handed to the cases (violation, doubt, rectification re-inspection)."""
    now = now or utcnow()
    parcel = inspection.parcel
    tz = parcel.county.zone
    visit = inspection.observed_at.astimezone(tz)
    config, rules = rules_in_force(parcel.county_id, visit.date())
    findings = [Finding(o, inspection) for o in
                classify(inspection.answers, parcel.land_classes, parcel.area_mu, rules, visit.month)]
    abandoned = _abandonment_finding(parcel, rules, now, tz)
    findings += [abandoned] if abandoned else []
    intake.record_inspection(inspection, findings, config, rules, now=now)
    return findings


def reevaluate_abandonment(now: datetime | None = None) -> int:
    """Job: parcels seen idle recently are judged again at `now`, so that a main season ending without a
    crop flags them even if nobody visits. Safe to run twice (an observation is recorded once)."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Inspection.parcel_id).distinct()
        .where(Inspection.status == InspectionStatus.COMPLETE.value,
               Inspection.finished_at >= now - _ABANDONMENT_LOOKBACK,
               Inspection.answers["cultivation_status"].as_string() == NOT_CULTIVATED)).all()
    recorded = 0
    for parcel in db.session.scalars(select(Parcel).where(Parcel.id.in_(candidates)).order_by(Parcel.id)):
        tz = parcel.county.zone
        history = _complete_history(parcel.id)
        config, rules = rules_in_force(parcel.county_id, history[-1].observed_at.astimezone(tz).date())
        finding = _abandonment_finding(parcel, rules, now, tz, history)
        if finding is not None:
            recorded += intake.record_findings([finding], config, rules, now=now)
    db.session.commit()
    return recorded


def _abandonment_finding(parcel: Parcel, rules: RuleSet, now: datetime, tz: ZoneInfo,
                         history: list[Inspection] | None = None) -> Finding | None:
    history = history if history is not None else _complete_history(parcel.id)
    result = assess_abandonment([(i.observed_at, i.answers.get("cultivation_status")) for i in history],
                                rules.abandonment, now, tz)
    if result is None:
        return None
    seasons = "、".join(str(y) for y in result.missed_seasons)
    detail = (f"自 {result.idle_since.astimezone(tz):%Y-%m-%d} 起巡查均未见耕种"
              + (f", 错过 {seasons} 年主要种植季" if seasons else ""))
    obs = observation(result.code, severity_for(parcel.land_classes, rules), parcel.area_mu, detail)
    return Finding(obs, history[result.last_index])


def _complete_history(parcel_id: int) -> list[Inspection]:
    """The parcel's complete inspections in the order they were made (on the server's clock)."""
    rows = db.session.scalars(select(Inspection).where(Inspection.parcel_id == parcel_id,
                                                       Inspection.status == InspectionStatus.COMPLETE.value))
    return sorted(rows, key=lambda i: (i.observed_at, i.id))


def missed_patrols(county_code: str, start: datetime, end: datetime) -> dict[str, int]:
    """巡查不到位: overdue patrol tasks per village code whose window closed in [start, end), for reports.
    A task done late still counts as done (the phone may sync days after the visit)."""
    rows = db.session.execute(
        select(Village.code, func.count(PatrolTask.id))
        .join(Parcel, PatrolTask.parcel_id == Parcel.id).join(Village, Parcel.village_id == Village.id)
        .join(County, Parcel.county_id == County.id)
        .where(County.code == county_code, PatrolTask.status == TaskStatus.OVERDUE.value,
               PatrolTask.due_at >= start, PatrolTask.due_at < end)
        .group_by(Village.code).order_by(Village.code))
    return dict(rows.all())
