"""Reading a report's inputs from the database into a `Snapshot` (the only module here that queries them).

Everything is read with a few grouped queries, never per parcel: a county has tens of thousands.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import case as when, func, select

from server.cases.models import ViolationCase, latest_evidence_level
from server.cases.workflow import CLOSED
from server.extensions import db
from server.parcels.geometry import SQUARE_METRES_PER_MU
from server.parcels.models import Parcel
from server.patrols.models import PatrolTask, TaskStatus
from server.reports.rules import DEFAULT_COMPENSATION
from server.reports.snapshot import CaseIn, ParcelIn, PatrolIn, Period, RateVersion, Snapshot, VillageIn
from server.rules.models import RuleConfig
from server.rules.versions import rules_in_force, rules_of
from server.territory.models import County, Township, Village
from server.timezones import end_of_day

_AREA_PLACES = Decimal("0.0001")


def load_snapshot(county: County, period: Period, as_of: date) -> Snapshot:
    tz = county.zone
    starts_at, ends_at = (datetime.combine(day, time(), tz) for day in (period.start, period.end))
    cutoff_at = min(end_of_day(as_of, tz), ends_at)
    config, rules = rules_in_force(county, min(as_of, period.end - timedelta(days=1)))
    body = (config.body.get("compensation") if config else None) or DEFAULT_COMPENSATION
    return Snapshot(
        county.code, county.name, period, as_of, starts_at, ends_at, cutoff_at,
        config.version if config else None, body, _rate_versions(county.id, period),
        _villages(county.id), _parcels(county.id), _cases(county.id, rules.compensation.counted_statuses, cutoff_at,
                                                         starts_at),
        _patrols(county.id, starts_at, cutoff_at))


def _rate_versions(county_id: int, period: Period) -> tuple[RateVersion, ...]:
    """The version in force when the period starts and every later one effective inside it (for each
    effective date the latest published version, as `rules_in_force` chooses)."""
    rows = db.session.scalars(select(RuleConfig).where(RuleConfig.county_id == county_id,
                                                       RuleConfig.effective_from < period.end)
                              .order_by(RuleConfig.effective_from, RuleConfig.version)).all()
    by_date = {row.effective_from: row for row in rows}
    first = max((day for day in by_date if day <= period.start), default=None)
    chosen = [by_date[day] for day in sorted(by_date) if first is None or day >= first]
    versions = [RateVersion(row.version, max(row.effective_from, period.start),
                            dict(rules_of(row).compensation.rates_yuan_per_mu_year)) for row in chosen]
    if first is None:  # before the county's first version: the built-in rates
        versions.insert(0, RateVersion(None, period.start, dict(rules_of(None).compensation.rates_yuan_per_mu_year)))
    return tuple(versions)


def _villages(county_id: int) -> tuple[VillageIn, ...]:
    rows = db.session.execute(select(Village.code, Village.name, Township.code, Township.name)
                              .join(Township, Village.township_id == Township.id)
                              .where(Township.county_id == county_id).order_by(Village.code))
    return tuple(VillageIn(*row) for row in rows)


def _parcels(county_id: int) -> tuple[ParcelIn, ...]:
    """The registered land-class area (三调 TBDLMJ, m²) where the import had it, else the parcel's registered
    area (TBMJ), else the computed geodesic area."""
    rows = db.session.execute(select(Parcel.code, Village.code, Parcel.rate_class, Parcel.area_mu,
                                     Parcel.land_class_area_m2, Parcel.source_area_m2)
                              .join(Village, Parcel.village_id == Village.id)
                              .where(Parcel.county_id == county_id).order_by(Parcel.code))
    parcels = []
    for code, village_code, rate_class, area_mu, land_class_m2, source_m2 in rows:
        basis, area = "computed", area_mu
        for name, registered_m2 in (("source", source_m2), ("land_class", land_class_m2)):
            if registered_m2 is not None and registered_m2 > 0:
                basis, area = name, registered_m2 / SQUARE_METRES_PER_MU
        parcels.append(ParcelIn(code, village_code, rate_class, Decimal(repr(area)).quantize(_AREA_PLACES), basis))
    return tuple(parcels)


def _cases(county_id: int, statuses: frozenset[str], cutoff_at: datetime, starts_at: datetime) -> tuple[CaseIn, ...]:
    """Cases in a counted status seen before the cut-off and not closed before the period: a closed case's
    last change is its closing (销号 is final), so `updated_at` is when it closed."""
    query = (select(ViolationCase.id, ViolationCase.version, Parcel.code, Village.code, ViolationCase.code,
                    ViolationCase.category, ViolationCase.status, ViolationCase.area_mu, latest_evidence_level,
                    RuleConfig.version, ViolationCase.first_observed_at, ViolationCase.deadline_at,
                    ViolationCase.updated_at)
             .join(Parcel, ViolationCase.parcel_id == Parcel.id).join(Village, Parcel.village_id == Village.id)
             .outerjoin(RuleConfig, ViolationCase.rule_config_id == RuleConfig.id)
             .where(Parcel.county_id == county_id, ViolationCase.status.in_(sorted(statuses)),
                    ViolationCase.first_observed_at < cutoff_at,
                    (ViolationCase.status != CLOSED) | (ViolationCase.updated_at >= starts_at))
             .order_by(ViolationCase.id))
    cases = []
    for *head, status, area_mu, level, rule_version, first_observed_at, deadline_at, updated_at in db.session.execute(
            query):
        area = None if area_mu is None else Decimal(repr(area_mu)).quantize(_AREA_PLACES)
        cases.append(CaseIn(*head, status, area, level, rule_version, first_observed_at, deadline_at,
                            updated_at if status == CLOSED else None))
    return tuple(cases)


def _patrols(county_id: int, starts_at: datetime, cutoff_at: datetime) -> tuple[PatrolIn, ...]:
    """Per village: tasks whose window closed in the period up to the cut-off, and how many were missed
    (marked overdue; a task done late still counts as done)."""
    # Tasks are counted per parcel first: one pass over the period's tasks, then a join of parcel-sized rows
    # (joining first lets a planner without fresh statistics walk the tasks by index, 30x slower).
    per_parcel = (select(PatrolTask.parcel_id, func.count(PatrolTask.id).label("due"),
                         func.sum(when((PatrolTask.status == TaskStatus.OVERDUE.value, 1), else_=0)).label("missed"))
                  .where(PatrolTask.status != TaskStatus.CANCELLED.value, PatrolTask.due_at >= starts_at,
                         PatrolTask.due_at < cutoff_at)
                  .group_by(PatrolTask.parcel_id).subquery())
    rows = db.session.execute(
        select(Village.code, func.sum(per_parcel.c.due), func.sum(per_parcel.c.missed))
        .join(Parcel, per_parcel.c.parcel_id == Parcel.id).join(Village, Parcel.village_id == Village.id)
        .where(Parcel.county_id == county_id).group_by(Village.code).order_by(Village.code))
    return tuple(PatrolIn(code, int(due), int(missed or 0)) for code, due, missed in rows)
