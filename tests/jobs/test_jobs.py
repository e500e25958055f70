"""Running jobs: history recorded, failures isolated, the lease checked, `farmpatrol jobs` shows it all."""

from sqlalchemy import select

from server.extensions import db
from server.jobs import lease
from server.jobs.models import JobRun
from server.jobs.schedule import JOBS, get_spec
from server.jobs.service import run_job
from server.patrols import service as patrols


def fail(**_kwargs):
    raise RuntimeError("数据库磁盘已满")


def test_a_failing_job_is_recorded_and_others_still_run(app, monkeypatch):
    monkeypatch.setattr(patrols, "generate_tasks", fail)
    runs = {spec.id: run_job(spec, holder="h") for spec in JOBS}
    failed = runs.pop("patrols.generate_tasks")
    assert failed.outcome == "failed" and failed.finished_at is not None
    assert "RuntimeError: 数据库磁盘已满" in failed.detail
    assert {(job_id, run.outcome, run.detail) for job_id, run in runs.items()} == {
        (job_id, "succeeded", "0") for job_id in runs}


def test_a_job_checks_the_lease_before_it_runs(app):
    lease.acquire(lease.SCHEDULER_LEASE, "other-host:1:abc", 60)
    assert run_job(get_spec("patrols.mark_overdue"), holder="me", lease_name=lease.SCHEDULER_LEASE) is None
    assert db.session.scalars(select(JobRun)).all() == []
    lease.release(lease.SCHEDULER_LEASE, "other-host:1:abc")
    lease.acquire(lease.SCHEDULER_LEASE, "me", 60)
    assert run_job(get_spec("patrols.mark_overdue"), holder="me", lease_name=lease.SCHEDULER_LEASE).outcome == \
        "succeeded"


def test_jobs_command_lists_last_and_next_runs(runner, monkeypatch):
    assert runner.invoke(args=["jobs", "run", "patrols.mark_overdue"]).exit_code == 0
    monkeypatch.setattr(patrols, "generate_tasks", fail)
    failed = runner.invoke(args=["jobs", "run", "patrols.generate_tasks"])
    assert failed.exit_code == 1 and "数据库磁盘已满" in failed.output and "[job_failed]" in failed.output
    listing = runner.invoke(args=["jobs"])
    assert listing.exit_code == 0, listing.output
    lines = {line.split()[0]: line for line in listing.output.splitlines()}
    assert lines["调度租约:"] == "调度租约: 从未被持有"
    assert "succeeded" in lines["patrols.mark_overdue"] and "failed" in lines["patrols.generate_tasks"]
    assert "RuntimeError: 数据库磁盘已满" in listing.output
    assert all(spec.id in lines for spec in JOBS)


def test_every_declared_job_resolves_to_a_function():
    """A typo in a reference would only show at 1 a.m.; ids must stay unique, they key the job store."""
    assert all(callable(spec.resolve()) for spec in JOBS)
    assert len({spec.id for spec in JOBS}) == len(JOBS)
