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

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import ARRAY, DateTime, Integer, Select, String, bindparam, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import contains_eager

from server.accounts.models import Role, User, inspector_villages
from server.accounts.scopes import village_scope
from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.parcels.models import ConsolidationProject, Parcel, parcel_land_classes
from server.patrols.models import PatrolPlan, PatrolTask, TaskKind, TaskStatus
from server.patrols.periods import Period, local_date, periods_covering
from server.patrols.plans import DEFAULT_PLANS, PlanRule, choose_plan
from server.sync import changelog
from server.territory.models import County, Village
from server.territory.service import get_county

_INSERT_BATCH = 10_000


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
    run, or a run in another process at the same moment, adds nothing. One transaction per county.
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

    rows = _task_rows(county, rules, windows)
    insert = _insert_postgresql if db.engine.dialect.name == "postgresql" else _insert_sqlite
    created = sum(insert(rows[i:i + _INSERT_BATCH], now) for i in range(0, len(rows), _INSERT_BATCH))
    keys = sorted({p.key for periods in windows.values() for p, _, _ in periods})
    return created, keys


def _task_rows(county: County, rules: list[PlanRule], windows: dict) -> list[tuple]:
    """(uuid, plan_id, parcel_id, inspector_id, period_key, opens_at, due_at) per task, in a stable order
    (parcel, period), so that two concurrent runs insert in the same order and cannot deadlock."""
    inspectors = _inspectors_by_village(county.id)
    chosen: dict[tuple, PlanRule | None] = {}
    rows = []
    parcels = db.session.execute(
        select(Parcel.id, Parcel.village_id, Parcel.is_permanent_basic, Parcel.is_high_standard,
               Parcel.is_grain_zone, Parcel.project_id, ConsolidationProject.accepted_on)
        .outerjoin(ConsolidationProject, Parcel.project_id == ConsolidationProject.id)
        .where(Parcel.county_id == county.id).order_by(Parcel.id))
    for parcel_id, village_id, permanent, high_standard, grain, project_id, accepted_on in parcels:
        key = (permanent, high_standard, grain, project_id)
        if key not in chosen:
            chosen[key] = choose_plan(rules, parcel_land_classes(permanent, high_standard, grain), project_id)
        rule = chosen[key]
        if rule is None:
            continue
        candidates = inspectors.get(village_id)
        inspector_id = candidates[parcel_id % len(candidates)] if candidates else None
        for period, opens_at, due_at in windows[rule.plan_id]:
            # Upkeep (后期管护) of a project's parcels starts at its acceptance: nothing for earlier periods.
            if project_id is not None and (accepted_on is None or accepted_on > period.last_day):
                continue
            rows.append((str(uuid.uuid4()), rule.plan_id, parcel_id, inspector_id, period.key, opens_at, due_at))
    return rows


def _inspectors_by_village(county_id: int) -> dict[int, list[int]]:
    """Active inspectors per village, by id: a village with several gets them round-robin by parcel id."""
    result: dict[int, list[int]] = defaultdict(list)
    for village_id, user_id in db.session.execute(
            select(inspector_villages.c.village_id, User.id)
            .join(User, User.id == inspector_villages.c.user_id)
            .where(User.county_id == county_id, User.role == Role.INSPECTOR.value, User.is_active)
            .order_by(inspector_villages.c.village_id, User.id)):
        result[village_id].append(user_id)
    return result


_TASK_COLUMNS = ("uuid", "plan_id", "parcel_id", "inspector_id", "period_key", "opens_at", "due_at")
_CONFLICT_KEY = ["parcel_id", "plan_id", "period_key"]
_CHANGED = (PatrolTask.uuid, PatrolTask.parcel_id, PatrolTask.inspector_id)


def _insert_sqlite(rows: list[tuple], now: datetime) -> int:
    """Bulk INSERT ... ON CONFLICT DO NOTHING; RETURNING counts the rows really inserted."""
    table = PatrolTask.__table__
    statement = (sqlite.insert(table).on_conflict_do_nothing(index_elements=_CONFLICT_KEY).returning(*_CHANGED))
    fixed = {"kind": TaskKind.ROUTINE.value, "status": TaskStatus.OPEN.value, "created_at": now, "updated_at": now}
    return _recorded(db.session.execute(statement, [dict(zip(_TASK_COLUMNS, row), **fixed) for row in rows]).all())


def _insert_postgresql(rows: list[tuple], now: datetime) -> int:
    """The same INSERT ... ON CONFLICT DO NOTHING, fed by unnest() over one array per column.

    SQLAlchemy's batched multi-row VALUES has 11 placeholders per row, and psycopg parses that statement text
    anew for every page (4 of the 5 seconds for 20,000 rows); seven array parameters cost nothing to parse.
    The arrays hold naive UTC: an aware datetime would be cast through the session's time zone.
    """
    table = PatrolTask.__table__
    naive = {moment: moment.astimezone(timezone.utc).replace(tzinfo=None)
             for moment in {row[5] for row in rows} | {row[6] for row in rows}}
    types = (String, Integer, Integer, Integer, String, DateTime, DateTime)
    columns = list(zip(*rows))
    columns[5], columns[6] = [naive[m] for m in columns[5]], [naive[m] for m in columns[6]]
    source = func.unnest(*(bindparam(None, list(values), type_=ARRAY(kind))
                           for values, kind in zip(columns, types))).table_valued(*_TASK_COLUMNS).render_derived()
    moment = literal(now, UTCDateTime())
    statement = (postgresql.insert(table)
                 .from_select([*_TASK_COLUMNS, "kind", "status", "created_at", "updated_at"],
                              select(*source.c, literal(TaskKind.ROUTINE.value), literal(TaskStatus.OPEN.value),
                                     moment, moment))
                 .on_conflict_do_nothing(index_elements=_CONFLICT_KEY).returning(*_CHANGED))
    return _recorded(db.session.execute(statement).all())


def _recorded(changed: list) -> int:
    """Record bulk-written tasks (rows of `_CHANGED`) in the change log, which is what brings them to the devices
    that already synced; returns how many."""
    changelog.record_tasks(db.session, ((uuid, parcel_id, [inspector_id]) for uuid, parcel_id, inspector_id in changed))
    return len(changed)


def mark_overdue_tasks(*, now: datetime | None = None) -> int:
    """Open tasks whose window has closed become overdue; returns how many."""
    now = now or utcnow()
    changed = db.session.execute(
        update(PatrolTask).where(PatrolTask.status == TaskStatus.OPEN.value, PatrolTask.due_at < now)
        .values(status=TaskStatus.OVERDUE.value, updated_at=now).returning(*_CHANGED)
        .execution_options(synchronize_session=False)).all()
    marked = _recorded(changed)
    db.session.commit()
    return marked


def mark_tasks_done(visits: list[tuple[int, int | None, datetime]]) -> list[PatrolTask]:
    """Complete, for each visit (parcel id, inspector id, time of the inspection), the parcel's open or overdue
    tasks whose window contains its time; a task two visits could complete goes to the first. Returns them.

    Called by sync when complete inspections arrive, inside its transaction (flush, no commit), with one query
    for all of a push's visits. An overdue task still counts as done when the inspection was made in time and
    only synced late (phones are offline in the fields). An unassigned task records who did it.
    """
    if not visits:
        return []
    candidates = db.session.scalars(select(PatrolTask).where(
        PatrolTask.parcel_id.in_({parcel_id for parcel_id, _, _ in visits}),
        PatrolTask.status.in_([TaskStatus.OPEN.value, TaskStatus.OVERDUE.value]),
        PatrolTask.opens_at <= max(at for _, _, at in visits), PatrolTask.due_at > min(at for _, _, at in visits))
        .order_by(PatrolTask.id)).all()
    done = []
    for parcel_id, inspector_id, observed_at in visits:
        for task in candidates:
            if (task.parcel_id == parcel_id and task.status != TaskStatus.DONE.value
                    and task.opens_at <= observed_at < task.due_at):
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
        candidates = _inspectors_by_village(parcel.county_id).get(parcel.village_id)
        inspector_id = candidates[parcel.id % len(candidates)] if candidates else None
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
