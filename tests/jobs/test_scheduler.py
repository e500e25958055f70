"""The APScheduler side: declared jobs synced into the database job store without losing a missed run,
catch-up on start after downtime, and only the lease holder running jobs."""

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.db_types import utcnow
from server.extensions import db
from server.jobs.models import JobRun
from server.jobs.schedule import JobSpec, get_spec
from server.jobs.scheduler import LeasedScheduler, build_apscheduler, sync_jobs
from server.patrols import service as patrols
from server.patrols.models import PatrolTask

SHANGHAI = ZoneInfo("Asia/Shanghai")
GENERATE = get_spec("patrols.generate_tasks")
OVERDUE = get_spec("patrols.mark_overdue")


@pytest.fixture
def paused(app, job_store):
    """A paused scheduler on the database job store, as a starting process has it before it resumes."""
    scheduler = build_apscheduler(SHANGHAI)
    scheduler.start(paused=True)
    yield scheduler
    if scheduler.running:
        scheduler.shutdown()


def test_sync_keeps_a_missed_run_and_follows_the_declarations(paused):
    sync_jobs(paused, (GENERATE, OVERDUE), SHANGHAI)
    assert paused.get_job(GENERATE.id).next_run_time > datetime.now(SHANGHAI)
    missed = datetime.now(SHANGHAI) - timedelta(weeks=5)
    paused.modify_job(GENERATE.id, next_run_time=missed)

    sync_jobs(paused, (GENERATE, OVERDUE), SHANGHAI)  # a restart: nothing changed
    assert paused.get_job(GENERATE.id).next_run_time == missed

    rescheduled = JobSpec(GENERATE.id, GENERATE.func, {"hour": 2}, GENERATE.description)
    sync_jobs(paused, (rescheduled,), SHANGHAI)  # a new schedule, one job dropped
    job = paused.get_job(GENERATE.id)
    assert "hour='2'" in repr(job.trigger) and job.next_run_time == missed
    assert (job.coalesce, job.misfire_grace_time) == (True, None)
    assert paused.get_job(OVERDUE.id) is None


@pytest.fixture
def leased(app):
    schedulers = []

    def make(specs):
        schedulers.append(LeasedScheduler(app, specs=specs))
        return schedulers[-1]

    yield make
    for scheduler in schedulers:
        scheduler.stop()


def test_server_down_five_weeks_catches_up_on_start(app, county_with_plans, paused, leased):
    """The daily run was missed 35 times: on start it runs once (coalesced) and creates every missed period."""
    now = utcnow()
    patrols.generate_tasks(now=now - timedelta(weeks=5))
    before = _task_count()
    sync_jobs(paused, (GENERATE,), SHANGHAI)
    paused.modify_job(GENERATE.id, next_run_time=now - timedelta(weeks=5))
    paused.shutdown()

    leased((GENERATE,)).start()
    run = _wait_for_run(GENERATE.id)
    assert run.outcome == "succeeded", run.detail
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1
    assert _task_count() >= before + county_with_plans.parcels  # at least one more period for every parcel
    current = db.session.scalar(select(func.count()).select_from(PatrolTask)
                                .where(PatrolTask.opens_at <= now, PatrolTask.due_at > now))
    assert current == county_with_plans.parcels


def test_only_the_lease_holder_runs_the_scheduler(app, job_store, leased):
    first, second = leased((OVERDUE,)), leased((OVERDUE,))
    assert first.tick() and first.is_running_jobs
    assert not second.tick() and not second.is_running_jobs
    later = utcnow() + timedelta(seconds=first.ttl_s + 1)  # the first holder stopped renewing
    assert second.tick(now=later) and second.is_running_jobs
    assert not first.tick() and not first.is_running_jobs


@pytest.fixture
def county_with_plans(demo):
    patrols.init_default_plans(demo.county_code, effective_from=date(2026, 1, 1))
    return demo


def _task_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PatrolTask))


def _wait_for_run(job_id: str) -> JobRun:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        db.session.rollback()
        run = db.session.scalar(select(JobRun).where(JobRun.job_id == job_id, JobRun.outcome != "running"))
        if run is not None:
            return run
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not run")
