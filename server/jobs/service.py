"""Running a job with its history recorded, and the overview `farmpatrol jobs` prints."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import inspect, select

from server.db_types import utcnow
from server.extensions import db
from server.jobs import lease
from server.jobs.models import JobRun
from server.jobs.schedule import JOBS, JobSpec

log = logging.getLogger(__name__)

JOB_STORE_TABLE = "apscheduler_jobs"
_DETAIL_CHARS = 4000


def run_job(spec: JobSpec, *, holder: str, lease_name: str | None = None) -> JobRun | None:
    """Run one job now and record the run. Under a lease, run only if `holder` still has it (None if not).

    A failure is logged and recorded with the end of its traceback, and is not raised: the scheduler goes
    on with the other jobs, and the next run retries (jobs are safe to run twice).
    """
    if lease_name and not lease.holds(lease_name, holder):
        log.warning("job %s skipped: %s no longer holds the %r lease", spec.id, holder, lease_name)
        return None
    run = JobRun(job_id=spec.id, started_at=utcnow(), outcome="running", holder=holder)
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    try:
        outcome, detail = "succeeded", str(spec.resolve()())
    except Exception as exc:  # noqa: BLE001  (any failure of one job is recorded, never propagated)
        db.session.rollback()
        log.exception("job %s failed", spec.id)
        outcome, detail = "failed", "".join(traceback.format_exception(exc, limit=-3))
    run = db.session.get(JobRun, run_id)
    run.outcome, run.detail, run.finished_at = outcome, detail[-_DETAIL_CHARS:], utcnow()
    db.session.commit()
    return run


@dataclass(frozen=True)
class JobStatus:
    spec: JobSpec
    last_run: JobRun | None
    next_run_at: datetime | None


def job_statuses(specs: tuple[JobSpec, ...] = JOBS) -> list[JobStatus]:
    """Each declared job with its latest recorded run and its next run time from the job store (if any)."""
    next_runs: dict[str, datetime | None] = {}
    if inspect(db.engine).has_table(JOB_STORE_TABLE):
        next_runs = {job.id: job.next_run_time
                     for job in SQLAlchemyJobStore(engine=db.engine, tablename=JOB_STORE_TABLE).get_all_jobs()}
    return [JobStatus(spec, _last_run(spec.id), next_runs.get(spec.id)) for spec in specs]


def _last_run(job_id: str) -> JobRun | None:
    return db.session.scalar(select(JobRun).where(JobRun.job_id == job_id)
                             .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1))
