"""Patrol plans and tasks: default plans, idempotent generation with catch-up, overdue marking, completion.

Who is owed a task: every parcel matched by an active plan of its county (one plan per parcel, see
plans.py), once per period. A parcel of a consolidation project only for periods ending on or after the
project's acceptance, when its upkeep (后期管护) starts; none while the project is not accepted. Parcels
outside any project are patrolled from the plan's `effective_from` (田长制 covers all farmland).

Every function takes `now` so that tests (and a re-run after an outage) control the clock. Top-level
operations (plans, generation, overdue marking) own their transaction and commit; the hooks that other
domains call inside their own transaction (`create_recheck_task` when asked not to commit,
`mark_tasks_done`) only flush, so that the caller's commit covers both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import product
from time import time_ns

from flask import current_app
from sqlalchemy import (Date, Integer, Select, String, Subquery, bindparam, case, cast, func, literal,
                        literal_column, select, union_all, update)
from sqlalchemy.orm import contains_eager

from server.accounts.models import Role, User, inspector_villages
from server.accounts.scopes import village_scope
from server.db_types import UTCDateTime, dialect_insert, utcnow
from server.extensions import db
from server.parcels.models import ConsolidationProject, Parcel, parcel_land_classes
from server.patrols.models import PatrolPlan, PatrolTask, TaskKind, TaskStatus
from server.patrols.periods import Period, local_date, periods_covering
from server.patrols.plans import DEFAULT_PLANS, PlanRule, choose_plan
from server.sync import changelog
from server.territory.models import County, Village
from server.territory.service import get_county

_PARCEL_CHUNK = 20_000  # parcels whose tasks are inserted by one statement


class PatrolError(ValueError):
    """A request the patrol rules refuse; the message is shown to the user."""


@dataclass
class GenerationSummary:
    created: int = 0
    periods: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        periods = "; ".join(f"{county}: {' '.join(keys)}" for county, keys in self.periods.items() if keys)
        return f"新建 {self.created} 个巡查任务 ({periods or '无新周期'})"


def init_default_plans(county_code: str, *, effective_from: date | None = None,
                       now: datetime | None = None) -> list[PatrolPlan]:
    """Create the default plans a county lacks (by code); existing plans, possibly edited, are kept."""
    county = get_county(county_code)
    if county is None:
        raise PatrolError(f"县不存在: {county_code}")
    now = now or utcnow()
    start = effective_from or local_date(now, county.zone)
    existing = {p.code: p for p in db.session.scalars(select(PatrolPlan).where(PatrolPlan.county_id == county.id))}
    for spec in DEFAULT_PLANS:
        if spec.code not in existing:
            existing[spec.code] = PatrolPlan(county_id=county.id, code=spec.code, name=spec.name,
                                             land_class=spec.land_class, schedule=dict(spec.schedule),
                                             effective_from=start, created_at=now)
            db.session.add(existing[spec.code])
    db.session.commit()
    return sorted(existing.values(), key=lambda p: p.id)


def generate_tasks(*, county_code: str | None = None, now: datetime | None = None) -> GenerationSummary:
    """Create the tasks of every period from the last generated one up to `lead` days ahead, for all counties.

    Idempotent: rows go in with INSERT ... ON CONFLICT DO NOTHING on (parcel, plan, period), so a second
    run, or a run in another process at the same moment, adds nothing. One transaction per county, written a
    run of villages at a time: memory follows `_PARCEL_CHUNK`, not the county (a province's million parcels).
    """
    now = now or utcnow()
    summary = GenerationSummary()
    query = select(County).order_by(County.code)
    if county_code:
        query = query.where(County.code == county_code)
    for county in db.session.scalars(query).all():
        created, keys = _generate_for_county(county, now)
        db.session.commit()
        summary.created += created
        summary.periods[county.code] = keys
    return summary


def _generate_for_county(county: County, now: datetime) -> tuple[int, list[str]]:
    config = current_app.config["FARMPATROL"]
    tz = county.zone
    today = local_date(now, tz)
    rules = [PlanRule.of(p) for p in db.session.scalars(
        select(PatrolPlan).where(PatrolPlan.county_id == county.id, PatrolPlan.is_active).order_by(PatrolPlan.id))]
    if not rules:
        return 0, []
    windows: dict[int, list[tuple[Period, datetime, datetime]]] = {}
    for rule in rules:
        # Restart at the latest generated period (or today's, if that is earlier): it fills the periods a
        # stopped server missed, and gives parcels added since then the current period too.
        latest = db.session.scalar(select(func.max(PatrolTask.opens_at)).where(PatrolTask.plan_id == rule.plan_id))
        start = min(today, local_date(latest, tz)) if latest else today
        start = max(start, today - timedelta(days=config.patrol_catch_up_max_days), rule.effective_from)
        horizon = today + timedelta(days=config.patrol_generation_lead_days)
        windows[rule.plan_id] = [(p, *p.window(tz)) for p in periods_covering(rule.schedule, start, horizon)]

    planned_projects = sorted({rule.project_id for rule in rules if rule.project_id is not None})
    plans = _plans_by_parcel_key(rules, windows, planned_projects)
    if plans is None:
        return 0, []
    before = db.session.scalar(select(func.coalesce(func.max(PatrolTask.id), 0)))
    created = sum(_insert_tasks(county.id, village_ids, plans, planned_projects, now)
                  for village_ids in _village_chunks(county.id))
    if created:
        # Every id the inserts took is above `before` (PostgreSQL hands sequence numbers out in order); `now` tells
        # this run's tasks from the rechecks other transactions may have committed meanwhile.
        changelog.record_tasks_where(db.session, (PatrolTask.id > before) & (PatrolTask.created_at == now)
                                     & (PatrolTask.kind == TaskKind.ROUTINE.value))
    keys = sorted({p.key for periods in windows.values() for p, _, _ in periods})
    return created, keys


def _village_chunks(county_id: int) -> Iterator[list[int]]:
    """The county's villages (by id) in runs of about `_PARCEL_CHUNK` parcels, so that a statement, its change
    log and its locks stay the same size however big the county (a village larger than that is a run of its own)."""
    chunk, size = [], 0
    for village_id, parcels in db.session.execute(
            select(Parcel.village_id, func.count()).where(Parcel.county_id == county_id)
            .group_by(Parcel.village_id).order_by(Parcel.village_id)).all():
        if chunk and size + parcels > _PARCEL_CHUNK:
            yield chunk
            chunk, size = [], 0
        chunk.append(village_id)
        size += parcels
    if chunk:
        yield chunk


def _plans_by_parcel_key(rules: list[PlanRule], windows: dict, planned_projects: list[int]) -> Subquery | None:
    """A small table of parcel keys (`_parcel_key`: land-class flags and project) → the chosen plan's periods, one
    row per period: the plan choice is Python (plans.choose_plan), made once per key, and the database joins the
    parcels to it by one integer. None when no parcel would get a task.

    Only projects a plan names get keys of their own: a parcel of any other project chooses as one without a
    project, so the table's size follows the plans, not the county's projects (SQLite refuses a UNION ALL of more
    than 500 selects)."""
    rows = []
    for permanent, high_standard, grain, project_id in product((False, True), (False, True), (False, True),
                                                               [None, *planned_projects]):
        rule = choose_plan(rules, parcel_land_classes(permanent, high_standard, grain), project_id)
        key = permanent + 2 * high_standard + 4 * grain + 8 * (project_id or 0)
        for period, opens_at, due_at in windows[rule.plan_id] if rule else ():
            rows.append(select(literal(key).label("key"), literal(rule.plan_id).label("plan_id"),
                               literal(period.key).label("period_key"),
                               literal(opens_at, UTCDateTime()).label("opens_at"),
                               literal(due_at, UTCDateTime()).label("due_at"),
                               literal(period.last_day, Date).label("last_day")))
    return union_all(*rows).subquery("plans") if rows else None


def _parcel_key(planned_projects: list[int]):
    """The parcel's land-class flags and (planned) project as one integer, the key of `_plans_by_parcel_key`: an
    equality the planner joins by (SQLite drove from the small table through an OR on the project and read every
    parcel)."""
    flags = (cast(Parcel.is_permanent_basic, Integer) + 2 * cast(Parcel.is_high_standard, Integer)
             + 4 * cast(Parcel.is_grain_zone, Integer))
    if not planned_projects:
        return flags
    return flags + 8 * case((Parcel.project_id.in_(planned_projects), Parcel.project_id), else_=0)


def _inspector_turns(county_id: int, village_ids: list[int]):
    """Active inspectors of the villages with their turn (0, 1, … by user id) and the village's count: a parcel
    goes to the inspector whose turn is its id modulo the count (round-robin, as `create_recheck_task` picks)."""
    return (select(inspector_villages.c.village_id, User.id.label("user_id"),
                   (func.row_number().over(partition_by=inspector_villages.c.village_id, order_by=User.id) - 1)
                   .label("turn"),
                   func.count().over(partition_by=inspector_villages.c.village_id).label("inspectors"))
            .join(User, User.id == inspector_villages.c.user_id)
            .where(User.county_id == county_id, User.role == Role.INSPECTOR.value, User.is_active,
                   inspector_villages.c.village_id.in_(village_ids))
            .subquery("inspectors"))


def _insert_tasks(county_id: int, village_ids: list[int], plans, planned_projects: list[int], now: datetime) -> int:
    """One INSERT ... SELECT ... ON CONFLICT DO NOTHING for the tasks of the villages' parcels, in a stable order
    (parcel, period) so that two concurrent runs insert in the same order and cannot deadlock. Returns how many
    were created."""
    table = PatrolTask.__table__
    project = ConsolidationProject.__table__
    inspectors = _inspector_turns(county_id, village_ids)
    source = (
        select(_new_uuid(), literal(TaskKind.ROUTINE.value), plans.c.plan_id, Parcel.id, inspectors.c.user_id,
               plans.c.period_key, plans.c.opens_at, plans.c.due_at, literal(TaskStatus.OPEN.value),
               literal(now, UTCDateTime()), literal(now, UTCDateTime()))
        .select_from(Parcel)
        .join(plans, plans.c.key == _parcel_key(planned_projects))
        .outerjoin(project, project.c.id == Parcel.project_id)
        .outerjoin(inspectors, (inspectors.c.village_id == Parcel.village_id)
                   & (inspectors.c.turn == Parcel.id % inspectors.c.inspectors))
        # Upkeep (后期管护) of a project's parcels starts at its acceptance: nothing for earlier periods.
        .where(Parcel.village_id.in_(village_ids),
               Parcel.project_id.is_(None) | (project.c.accepted_on <= plans.c.last_day))
        .order_by(Parcel.id, plans.c.opens_at))
    statement = (dialect_insert(db.session.get_bind())(table)
                 .from_select(["uuid", "kind", "plan_id", "parcel_id", "inspector_id", "period_key", "opens_at",
                               "due_at", "status", "created_at", "updated_at"], source)
                 .on_conflict_do_nothing(index_elements=_CONFLICT_KEY))
    return db.session.connection().execute(statement.execution_options(preserve_rowcount=True)).rowcount


def _new_uuid():
    """A time-ordered (version 7) UUID made by the database, as text: this statement's millisecond, then random
    bits. Version 4 UUIDs land all over the unique index, so at a million tasks nearly every insert read and
    dirtied an index page of its own; these go in together at the index's end."""
    ms = time_ns() // 1_000_000
    prefix = literal(f"{ms >> 16:08x}-{ms & 0xFFFF:04x}-7")
    if db.session.get_bind().dialect.name == "postgresql":
        return prefix + func.substr(cast(func.gen_random_uuid(), String), 16)  # after version 4's "-4"
    return prefix + literal_column(
        "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1)"
        " || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))", String)


_CONFLICT_KEY = ["parcel_id", "plan_id", "period_key"]


def mark_overdue_tasks(*, now: datetime | None = None) -> int:
    """Open tasks whose window has closed become overdue; returns how many.

    One UPDATE, its change log selected at the commit (a catch-up marks hundreds of thousands: none comes to
    Python). The tasks are those due from the oldest open task's due time, read first, so that the change log's
    selection (overdue, due in that range, updated at `now`) finds what the UPDATE marked and nothing older; a task
    committed meanwhile with an earlier due time is marked by the next run.
    """
    now = now or utcnow()
    oldest = db.session.scalar(select(func.min(PatrolTask.due_at)).where(PatrolTask.status == TaskStatus.OPEN.value))
    marked = 0
    if oldest is not None and oldest < now:
        due = (PatrolTask.due_at >= oldest) & (PatrolTask.due_at < now)
        marked = db.session.execute(
            update(PatrolTask).where(PatrolTask.status == TaskStatus.OPEN.value, due)
            .values(status=TaskStatus.OVERDUE.value, updated_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if marked:
            changelog.record_tasks_where(db.session, (PatrolTask.status == TaskStatus.OVERDUE.value) & due
                                         & (PatrolTask.updated_at == now))
    db.session.commit()
    return marked


# Built once (a push completes its records through it): the parcels' open or overdue tasks open at some time
# in [earliest, latest].
_DUE_TASKS = (select(PatrolTask).where(PatrolTask.parcel_id.in_(bindparam("parcel_ids", expanding=True)),
                                       PatrolTask.status.in_([TaskStatus.OPEN.value, TaskStatus.OVERDUE.value]),
                                       PatrolTask.opens_at <= bindparam("latest"),
                                       PatrolTask.due_at > bindparam("earliest"))
              .order_by(PatrolTask.id))


def mark_tasks_done(visits: list[tuple[int, int | None, datetime]]) -> list[PatrolTask]:
    """Complete, for each visit (parcel id, inspector id, time of the inspection), the parcel's open or overdue
    tasks whose window contains its time; a task two visits could complete goes to the first. Returns them.

    Called by sync when complete inspections arrive, inside its transaction (flush, no commit), with one query
    for all of a push's visits. An overdue task still counts as done when the inspection was made in time and
    only synced late (phones are offline in the fields). An unassigned task records who did it.
    """
    if not visits:
        return []
    candidates = db.session.scalars(_DUE_TASKS, {"parcel_ids": list({parcel_id for parcel_id, _, _ in visits}),
                                                 "latest": max(at for _, _, at in visits),
                                                 "earliest": min(at for _, _, at in visits)}).all()
    by_parcel: dict[int, list[PatrolTask]] = defaultdict(list)
    for task in candidates:
        by_parcel[task.parcel_id].append(task)
    done = []
    for parcel_id, inspector_id, observed_at in visits:
        for task in by_parcel[parcel_id]:
            if task.status != TaskStatus.DONE.value and task.opens_at <= observed_at < task.due_at:
                task.status = TaskStatus.DONE.value
                task.done_at = observed_at
                if task.inspector_id is None:
                    task.inspector_id = inspector_id
                done.append(task)
    db.session.flush()
    changelog.record_tasks(db.session, [(task.uuid, task.parcel_id, [task.inspector_id]) for task in done])
    return done


def create_recheck_task(parcel: Parcel, reason: str, due_at: datetime, inspector: User | None = None, *,
                        now: datetime | None = None, commit: bool = True) -> PatrolTask:
    """A re-inspection ordered by the review workflow: open from now until `due_at`, outside any plan.

    Without an inspector it goes to the one routine generation would pick for the parcel.
    """
    now = now or utcnow()
    if due_at <= now:
        raise PatrolError("复查期限必须晚于当前时间")
    if inspector is None:
        turns = _inspector_turns(parcel.county_id, [parcel.village_id])
        inspector_id = db.session.scalar(select(turns.c.user_id).where(turns.c.turn == parcel.id % turns.c.inspectors))
    else:
        inspector_id = inspector.id
    tz = parcel.county.zone
    task = PatrolTask(kind=TaskKind.RECHECK.value, plan_id=None, parcel_id=parcel.id, inspector_id=inspector_id,
                      period_key=f"recheck-{local_date(now, tz):%Y-%m-%d}", opens_at=now, due_at=due_at,
                      status=TaskStatus.OPEN.value, reason=reason[:500], created_at=now, updated_at=now)
    db.session.add(task)
    db.session.flush()
    changelog.record_tasks(db.session, [(task.uuid, task.parcel_id, [task.inspector_id])])
    if commit:
        db.session.commit()
    return task


def tasks_query(user: User, *, status: str | None = None, village_code: str | None = None,
                due_before: date | datetime | None = None) -> Select:
    """Tasks of parcels in the user's territory, soonest due first. `due_before` as a date means a whole day
    in the user's county: a task due at the end of 30 November (local midnight) is due before 1 December."""
    query = (select(PatrolTask)
             .join(PatrolTask.parcel).join(Parcel.village)
             .outerjoin(PatrolTask.plan).outerjoin(PatrolTask.inspector)
             .options(contains_eager(PatrolTask.parcel).contains_eager(Parcel.village),
                      contains_eager(PatrolTask.plan), contains_eager(PatrolTask.inspector))
             .where(village_scope(user))
             .order_by(PatrolTask.due_at, PatrolTask.id))
    if status:
        query = query.where(PatrolTask.status == status)
    if village_code:
        query = query.where(Village.code == village_code)
    if isinstance(due_before, datetime):
        query = query.where(PatrolTask.due_at < due_before)
    elif due_before:
        query = query.where(PatrolTask.due_at <= datetime.combine(due_before, time(), user.county.zone))
    return query
