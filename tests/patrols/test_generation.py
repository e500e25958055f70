"""Task generation on a real database: periods by land class, idempotency (also from two connections at
once), catch-up after downtime, project acceptance, assignment, overdue and completion."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from server.accounts import service as accounts
from server.accounts.models import Role, User
from server.extensions import db
from server.parcels.models import ConsolidationProject, Parcel
from server.patrols import service
from server.patrols.models import PatrolTask, TaskKind, TaskStatus
from tests.patrols.conftest import beijing, half_monthly_parcels, plan_id, task_count, task_keys


def test_pbf_in_june_gets_half_month_tasks_others_monthly(county):
    summary = service.generate_tasks(now=beijing(2026, 6, 3))
    keys = task_keys()
    half = half_monthly_parcels()
    assert summary.created == county.parcels == len(keys)
    assert {code for code, k in keys.items() if k == {"2026-06-H1"}} == half
    assert {code for code, k in keys.items() if k == {"2026-06"}} == set(keys) - half
    task = db.session.scalar(select(PatrolTask).join(Parcel, PatrolTask.parcel_id == Parcel.id)
                             .where(PatrolTask.period_key == "2026-06-H1", Parcel.is_permanent_basic,
                                    Parcel.is_grain_zone).limit(1))
    assert (task.opens_at, task.due_at) == (beijing(2026, 6, 1, 0), beijing(2026, 6, 16, 0))
    assert task.kind == TaskKind.ROUTINE.value and task.status == TaskStatus.OPEN.value
    assert task.plan_id == plan_id("permanent_basic")  # PBF + grain zone: one plan, not two


def test_pbf_in_december_gets_monthly_tasks(county):
    service.generate_tasks(now=beijing(2026, 12, 10))
    assert set().union(*task_keys().values()) == {"2026-12"}


def test_second_run_creates_nothing(county):
    first = service.generate_tasks(now=beijing(2026, 6, 3))
    again = service.generate_tasks(now=beijing(2026, 6, 5))
    assert first.created == county.parcels and again.created == 0
    assert task_count() == county.parcels


def test_concurrent_runs_create_no_duplicate(app, county):
    start = threading.Barrier(3)
    created, errors = [], []

    def generate():
        with app.app_context():
            try:
                start.wait()
                created.append(service.generate_tasks(now=beijing(2026, 6, 3)).created)
            except Exception as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)

    threads = [threading.Thread(target=generate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created) == [0, 0, county.parcels]
    assert task_count() == county.parcels


def test_catch_up_after_five_weeks_down(county):
    service.generate_tasks(now=beijing(2026, 6, 3))
    summary = service.generate_tasks(now=beijing(2026, 6, 3) + timedelta(weeks=5))  # 8 July
    keys = task_keys()
    for code in half_monthly_parcels():
        assert keys[code] == {"2026-06-H1", "2026-06-H2", "2026-07-H1"}
    for code in set(keys) - half_monthly_parcels():
        assert keys[code] == {"2026-06", "2026-07"}
    missed = 2 * len(half_monthly_parcels()) + (county.parcels - len(half_monthly_parcels()))
    assert summary.created == missed
    # All of June is past due: the overdue job flags it, the current period stays open.
    assert service.mark_overdue_tasks(now=beijing(2026, 7, 8)) == missed


def test_catch_up_is_bounded_by_config(app, county):
    service.generate_tasks(now=beijing(2026, 1, 10))
    app.config["FARMPATROL"] = app.config["FARMPATROL"].with_overrides(patrol_catch_up_max_days=20)
    service.generate_tasks(now=beijing(2026, 6, 3))
    assert set().union(*task_keys().values()) == {"2026-01", "2026-05", "2026-05-H1", "2026-05-H2", "2026-06",
                                                  "2026-06-H1"}


def test_next_period_is_created_ahead_for_offline_phones(county):
    service.generate_tasks(now=beijing(2026, 6, 13))
    keys = set().union(*task_keys().values())
    assert keys == {"2026-06", "2026-06-H1", "2026-06-H2"}


def test_no_tasks_before_the_project_is_accepted(county):
    projects = db.session.scalars(select(ConsolidationProject).order_by(ConsolidationProject.id)).all()
    projects[0].accepted_on, projects[1].accepted_on = date(2026, 6, 20), None
    db.session.commit()
    late, never = ({p.code for p in db.session.scalars(select(Parcel).where(Parcel.project_id == project.id))}
                   for project in projects[:2])
    service.generate_tasks(now=beijing(2026, 6, 3))
    keys = task_keys()
    assert not never & set(keys)
    half = half_monthly_parcels()
    assert not (late & half) & set(keys)  # the first half of June ends before acceptance
    assert all(keys[code] == {"2026-06"} for code in late - half)  # accepted within June: June is owed
    service.generate_tasks(now=beijing(2026, 6, 18))
    assert all(task_keys()[code] == {"2026-06-H2"} for code in late & half)


def test_inspectors_round_robin_and_unassigned_tasks(county):
    accounts.create_user("inspector101201b", "long-enough", Role.INSPECTOR, village_codes=["330481101201"])
    lone = db.session.scalar(select(User).where(User.username == "inspector102202"))
    lone.is_active = False
    db.session.commit()
    service.generate_tasks(now=beijing(2026, 6, 3))
    rows = db.session.execute(select(Parcel.id, Parcel.village_id, User.username)
                              .join(PatrolTask, PatrolTask.parcel_id == Parcel.id)
                              .outerjoin(User, User.id == PatrolTask.inspector_id)
                              .join(Parcel.village).where(Parcel.code.like("101201%"))).all()
    shared = {parcel_id % 2: username for parcel_id, _, username in rows}
    assert set(shared.values()) == {"inspector101201", "inspector101201b"} and len(rows) == 10
    unassigned = db.session.scalars(select(PatrolTask).join(Parcel).where(Parcel.code.like("102202%"))).all()
    assert len(unassigned) == 10 and all(t.inspector_id is None for t in unassigned)


def test_overdue_after_the_window_closes(county):
    service.generate_tasks(now=beijing(2026, 6, 3))
    half = half_monthly_parcels()
    assert service.mark_overdue_tasks(now=beijing(2026, 6, 15, 23, 59)) == 0
    assert service.mark_overdue_tasks(now=beijing(2026, 6, 16, 0, 5)) == len(half)
    assert set(task_keys(status="overdue")) == half
    assert service.mark_overdue_tasks(now=beijing(2026, 6, 16, 1)) == 0


def parcel(code: str) -> Parcel:
    return db.session.scalar(select(Parcel).where(Parcel.code == code))


def test_task_done_by_an_inspection_inside_its_window(county):
    service.generate_tasks(now=beijing(2026, 6, 3))
    code = sorted(half_monthly_parcels())[0]
    target, inspector = parcel(code), db.session.scalar(select(User).where(User.username == "inspector" + code[:6]))
    assert service.mark_tasks_done([(target.id, inspector.id, beijing(2026, 5, 31, 23))]) == []
    done = service.mark_tasks_done([(target.id, inspector.id, beijing(2026, 6, 10))])
    db.session.commit()
    assert [(t.period_key, t.status, t.done_at) for t in done] == [("2026-06-H1", "done", beijing(2026, 6, 10))]
    assert service.mark_tasks_done([(target.id, inspector.id, beijing(2026, 6, 11))]) == []


def test_overdue_task_done_by_a_late_synced_inspection(county):
    service.generate_tasks(now=beijing(2026, 6, 3))
    service.mark_overdue_tasks(now=beijing(2026, 6, 20))
    target = parcel(sorted(half_monthly_parcels())[0])
    done = service.mark_tasks_done([(target.id, None, beijing(2026, 6, 15, 18))])
    assert [t.status for t in done] == ["done"]


def test_visits_completed_together_each_take_the_task_of_their_window_once(county):
    service.generate_tasks(now=beijing(2026, 6, 3))
    code = sorted(half_monthly_parcels())[0]
    target, inspector = parcel(code), db.session.scalar(select(User).where(User.username == "inspector" + code[:6]))
    other = parcel(sorted(half_monthly_parcels())[1])
    done = service.mark_tasks_done([(target.id, inspector.id, beijing(2026, 5, 31, 23)),
                                    (target.id, inspector.id, beijing(2026, 6, 10)),
                                    (target.id, inspector.id, beijing(2026, 6, 12)),
                                    (other.id, None, beijing(2026, 6, 2))])
    assert [(t.parcel_id, t.period_key, t.done_at) for t in done] == [
        (target.id, "2026-06-H1", beijing(2026, 6, 10)), (other.id, "2026-06-H1", beijing(2026, 6, 2))]


def test_recheck_task(county):
    target = parcel(sorted(half_monthly_parcels())[0])
    now = beijing(2026, 6, 3)
    first = service.create_recheck_task(target, "整改后复查: 拆除大棚", now + timedelta(days=15), now=now)
    second = service.create_recheck_task(target, "再次复查", now + timedelta(days=30), now=now)
    assert (first.kind, first.plan_id, first.opens_at, first.status) == ("recheck", None, now, "open")
    assert first.inspector.username == "inspector" + target.code[:6] and second.id != first.id
    with pytest.raises(service.PatrolError):
        service.create_recheck_task(target, "过期", now - timedelta(days=1), now=now)


def test_init_plans_command_is_idempotent(runner, county):
    result = runner.invoke(args=["patrols", "init-plans", "--county", county.county_code])
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.output.splitlines()] == ["permanent_basic", "grain_zone",
                                                                         "general_farmland"]
    assert "县不存在" in runner.invoke(args=["patrols", "init-plans", "--county", "999999"]).output


def test_a_county_with_many_projects_gets_its_tasks(county):
    """The plan table grows with the plans, not with the county's projects, and is no compound SELECT: SQLite
    refuses one of more than 500 selects (8 land-class keys x 81 projects x the periods open in early June)."""
    county_id = db.session.scalar(select(Parcel.county_id).limit(1))
    db.session.add_all(ConsolidationProject(county_id=county_id, name=f"追加项目{n}", accepted_on=date(2025, 1, 1)) for n in range(80))
    db.session.commit()
    service.generate_tasks(now=beijing(2026, 6, 3))
    assert len(task_keys()) == county.parcels
