"""The rules against the database: applying them to a complete inspection, re-evaluating abandonment
over time and judging the year's rice (missed patrols are counted with the report inputs, `reports/inputs.py`).

Answers are read through the mapping of each inspection's form version (`observations.py`). `apply_rules`
runs inside the completion hook's transaction (no commit); the jobs `reevaluate_abandonment` and
`evaluate_rice_year` own theirs.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, bindparam, false, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from server.cases import intake
from server.cases.intake import Finding
from server.cases.models import CaseObservation
from server.db_types import utcnow
from server.extensions import db
from server.forms import service as forms
from server.forms.models import FormVersion
from server.inspections.models import Inspection, InspectionStatus, observed_at
from server.parcels.models import Parcel, parcel_land_classes
from server.rules.abandonment import Seen, assess_abandonment
from server.rules.classify import classify, observation, requires_rice, severity_for, shown_problems
from server.rules.codes import NOT_CULTIVATED
from server.rules.config import RuleSet
from server.rules.observations import Visit, read_visit
from server.rules.rice import RiceVisit, last_ended_year, rice_seen, year_window, year_without_rice
from server.rules.versions import RuleVersion, rules_in_force
from server.territory.models import County

# A seasonal flag fires when a season ends, at most a year after its idle observation; a year's
# confirmation fires on a new visit (apply_rules). So the job need not look at older parcels (the device
# time is close enough to filter on: clock skew is minutes, the lookback a year).
_ABANDONMENT_LOOKBACK = timedelta(days=400)
_SKEW = timedelta(days=1)  # observed_at is finished_at corrected by the clock skew: filter wide, then exactly
_CHUNK = 500  # parcels whose histories the jobs read in one query


@dataclass(frozen=True)
class Past:
    """A complete inspection of a parcel's history as judging reads it: a parcel's history grows by a visit a
    fortnight, so each push reads these columns of the earlier visits as rows, not whole inspections."""

    id: int
    observed_at: datetime
    evidence_level: str | None


# Judged visits: `Past` rows, or inspections (which have the same attributes) where they are loaded anyway.
History = list[tuple[Past | Inspection, Visit]]


def apply_rules(inspections: list[Inspection], now: datetime | None = None) -> list[Finding]:
    """Called from the completion hook (after the evidence assessment) for the inspections completing together.

    Each visit's own observations and its parcel's abandonment state are judged by the rules in force on the
    visit's date, then handed to the cases (violation, doubt, rectification re-inspection). The parcels'
    histories and the cases a visit can move are read once for all of them."""
    now = now or utcnow()
    parcel_ids = {inspection.parcel_id for inspection in inspections}
    histories = _complete_histories(parcel_ids)
    cases = intake.ParcelCases(parcel_ids)
    in_force = functools.cache(rules_in_force)  # per county and day, for this call
    findings = []
    for inspection in inspections:
        parcel = inspection.parcel
        local = inspection.observed_at.astimezone(parcel.county.zone)
        config, rules = in_force(parcel.county, local.date())
        history = histories[parcel.id]
        findings += _judge(inspection, _visit_in(history, inspection), local, history, config, rules, cases, now)
    return findings


def _judge(inspection: Inspection, visit: Visit, local: datetime, history: History, config: RuleVersion | None,
           rules: RuleSet, cases: intake.ParcelCases, now: datetime) -> list[Finding]:
    """One visit (`visit`: its observations, `local`: its time in its county's zone), with its parcel's complete
    history, to the cases; returns its findings."""
    parcel, tz = inspection.parcel, local.tzinfo
    trusted = [(i, v) for i, v in history if _trusted(i, rules)]
    rice = rice_seen([_rice_visit(i, v) for i, v in trusted], local.year, inspection.observed_at, tz)
    findings = [Finding(o, inspection) for o in
                classify(visit, parcel.land_classes, parcel.area_mu, rules, local.month, rice_seen_this_year=rice)]
    abandoned = _abandonment_finding(parcel, rules, now, tz, history)
    findings += [abandoned] if abandoned else []
    shown = shown_problems(visit, parcel.land_classes, rules, local.month)
    intake.record_inspection(inspection, findings, shown, config, rules, cases, now=now)
    return findings


def _visit_in(history: History, inspection: Inspection) -> Visit:
    """The inspection's observations as its history already read them; read here only for an inspection the
    history lacks (one judged before its status says complete)."""
    visit = next((visit for past, visit in history if past.id == inspection.id), None)
    return visit if visit is not None else visit_of(inspection)


def visit_of(inspection: Inspection | Row) -> Visit:
    """The inspection's observations (of an inspection or a row with its form and answers), read through the
    mapping of the form version it was made with."""
    definition = forms.get_definition(inspection.form_id, inspection.form_version)
    if definition is None:
        raise LookupError(f"form {inspection.form_id} v{inspection.form_version} is not published")
    return read_visit(definition, inspection.answers)


def reevaluate_abandonment(now: datetime | None = None) -> int:
    """Job: parcels seen idle recently are judged again at `now`, so that a main season ending without a
    crop flags them even if nobody visits. Safe to run twice (an observation is recorded once)."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Inspection.parcel_id).distinct()
        .where(Inspection.status == InspectionStatus.COMPLETE.value,
               Inspection.finished_at >= now - _ABANDONMENT_LOOKBACK, _idle_answer())
        .order_by(Inspection.parcel_id)).all()
    recorded, in_force = 0, functools.cache(rules_in_force)  # per county and day, for this run
    for start in range(0, len(candidates), _CHUNK):
        chunk = candidates[start:start + _CHUNK]
        histories = _complete_histories(set(chunk))
        for parcel in db.session.scalars(select(Parcel).where(Parcel.id.in_(chunk)).order_by(Parcel.id)
                                         .options(joinedload(Parcel.county))):
            tz, history = parcel.county.zone, histories[parcel.id]
            config, rules = in_force(parcel.county, history[-1][0].observed_at.astimezone(tz).date())
            finding = _abandonment_finding(parcel, rules, now, tz, history)
            if finding is not None:
                recorded += intake.record_findings([finding], config, rules, now=now)
    db.session.commit()
    return recorded


def _idle_answer():
    """SQL: the answers say "not cultivated", in whichever question each published form version keeps it."""
    versions = db.session.execute(select(FormVersion.form_id, FormVersion.version, FormVersion.definition)).all()
    return or_(false(), *(and_(Inspection.form_id == form_id, Inspection.form_version == version,
                               Inspection.answers[definition["observations"]["cultivation_status"]].as_string()
                               == NOT_CULTIVATED)
                          for form_id, version, definition in versions
                          if "cultivation_status" in definition.get("observations", {})))


def evaluate_rice_year(now: datetime | None = None) -> int:
    """Job: for each county, the latest year whose rice season is over (on `now`) is judged on the parcels
    that must grow rice; a year of trusted visits that saw crops but never rice flags NONGRAIN_CASH_CROP on
    its last cultivated visit. Safe to run twice, and again after late syncs: a visit carries the finding
    once."""
    now = now or utcnow()
    recorded = 0
    for county in db.session.scalars(select(County).order_by(County.id)):
        tz = county.zone
        _, current = rules_in_force(county, now.astimezone(tz).date())
        year = last_ended_year(now.astimezone(tz).date(), current.rice_year_end_month)
        start, end = year_window(year, current.rice_year_end_month, tz)
        config, rules = rules_in_force(county, (end - timedelta(days=1)).date())
        for parcel, history in _rice_parcels(county.id, rules, start, end).items():
            index = year_without_rice([_rice_visit(i, v) for i, v in history], year, rules.rice_year_end_month, tz)
            if index is None or _carries(history[index][0], "NONGRAIN_CASH_CROP"):
                continue
            detail = f"{year} 年度(至 {rules.rice_year_end_month} 月底)巡查见耕种但未见水稻"
            obs = observation("NONGRAIN_CASH_CROP", parcel.land_classes, severity_for(parcel.land_classes, rules),
                              parcel.area_mu, detail)
            recorded += intake.record_findings([Finding(obs, history[index][0])], config, rules, now=now)
    db.session.commit()
    return recorded


def _rice_parcels(county_id: int, rules: RuleSet, start: datetime, end: datetime) -> dict[Parcel, History]:
    """Parcels of the county that must grow rice, with their trusted complete visits of [start, end)."""
    rows = db.session.execute(
        select(Parcel.id, Parcel.is_permanent_basic, Parcel.is_high_standard, Parcel.is_grain_zone)
        .join(Inspection, Inspection.parcel_id == Parcel.id)
        .where(Parcel.county_id == county_id, Inspection.status == InspectionStatus.COMPLETE.value,
               Inspection.finished_at >= start - _SKEW, Inspection.finished_at < end + _SKEW).distinct())
    ids = [row.id for row in rows if requires_rice(parcel_land_classes(*row[1:]), rules)]
    found: dict[Parcel, History] = defaultdict(list)
    for chunk in range(0, len(ids), _CHUNK):
        query = (select(Inspection).join(Parcel, Inspection.parcel_id == Parcel.id)
                 .where(Inspection.parcel_id.in_(ids[chunk:chunk + _CHUNK]),
                        Inspection.status == InspectionStatus.COMPLETE.value,
                        Inspection.evidence_level.in_(rules.evidence.violation_levels),
                        Inspection.finished_at >= start - _SKEW, Inspection.finished_at < end + _SKEW)
                 .options(contains_eager(Inspection.parcel)))  # the join loads the parcel: no query per parcel
        for inspection in sorted(db.session.scalars(query), key=lambda i: (i.parcel_id, i.observed_at, i.id)):
            if start <= inspection.observed_at < end:
                found[inspection.parcel].append((inspection, visit_of(inspection)))
    return found


def _carries(inspection: Inspection, code: str) -> bool:
    return db.session.scalar(select(CaseObservation.id).where(CaseObservation.inspection_id == inspection.id,
                                                              CaseObservation.code == code).limit(1)) is not None


def _abandonment_finding(parcel: Parcel, rules: RuleSet, now: datetime, tz: ZoneInfo,
                         history: History) -> Finding | None:
    """Judged on the visits that could open a case: an idle visit whatever its evidence (an untrusted one
    opens a doubt), but a crop only on trusted evidence, so a doubtful photo cannot clear abandonment."""
    usable = [(i, v) for i, v in history if v.cultivation_status == NOT_CULTIVATED or _trusted(i, rules)]
    result = assess_abandonment([Seen(i.observed_at, v.cultivation_status, v.weed_height_cm, v.idle_duration)
                                 for i, v in usable], rules.abandonment, rules.abandonment_evidence, now, tz)
    if result is None:
        return None
    seasons = "、".join(str(y) for y in result.missed_seasons)
    detail = (f"自 {result.idle_since.astimezone(tz):%Y-%m-%d} 起巡查均未见耕种"
              + (f", 错过 {seasons} 年主要种植季" if seasons else ""))
    obs = observation(result.code, parcel.land_classes, severity_for(parcel.land_classes, rules), parcel.area_mu,
                      detail)
    return Finding(obs, db.session.get(Inspection, usable[result.last_index][0].id))


def _trusted(inspection: Inspection, rules: RuleSet) -> bool:
    return rules.evidence.trusts(inspection.evidence_level)


def _rice_visit(inspection: Inspection, visit: Visit) -> RiceVisit:
    return RiceVisit(inspection.observed_at, visit.cultivation_status, visit.crops)


# Built once: every push reads its parcels' histories.
_HISTORIES = (select(Inspection.id, Inspection.parcel_id, Inspection.finished_at, Inspection.clock_skew_s,
                     Inspection.evidence_level, Inspection.form_id, Inspection.form_version, Inspection.answers)
              .where(Inspection.parcel_id.in_(bindparam("parcel_ids", expanding=True)),
                     Inspection.status == InspectionStatus.COMPLETE.value))


def _complete_histories(parcel_ids: set[int]) -> dict[int, History]:
    """Each parcel's complete inspections in the order they were made (on the server's clock), each with its
    observations."""
    rows = db.session.execute(_HISTORIES, {"parcel_ids": list(parcel_ids)})
    histories: dict[int, History] = {parcel_id: [] for parcel_id in parcel_ids}
    pasts = [(Past(row.id, observed_at(row.finished_at, row.clock_skew_s), row.evidence_level), row) for row in rows]
    for past, row in sorted(pasts, key=lambda pair: (pair[0].observed_at, pair[0].id)):
        histories[row.parcel_id].append((past, visit_of(row)))
    return histories
