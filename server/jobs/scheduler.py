"""One active APScheduler among all server processes, chosen by a lease in the database.

Every process that may run jobs (`serve`, `farmpatrol scheduler`) starts a `LeasedScheduler`: a thread that
takes or renews the lease every `scheduler_lease_renew_s`. Only while it holds the lease does it run a
BackgroundScheduler on the shared SQLAlchemy job store (APScheduler 3 must not have two schedulers on one
store). A holder that dies stops renewing; after `scheduler_lease_ttl_s` another process takes over.

Misfire policy: coalesce=True and misfire_grace_time=None. A run missed while no scheduler was up (or
during a takeover) is never dropped, however late, and several missed runs collapse into one, executed as
soon as a scheduler starts. That suits our jobs: each one catches up by itself (generation fills every
missed period), so one late run does the work of all of them.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from sqlalchemy import create_engine

from server.extensions import db
from server.jobs import lease
from server.jobs.schedule import JOBS, JobSpec, get_spec
from server.jobs.service import JOB_STORE_TABLE, run_job

log = logging.getLogger(__name__)

# What the job store persists for every job: a stable reference, never a pickled closure.
JOB_FUNC_REF = "server.jobs.scheduler:run_scheduled_job"
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}

_active: "LeasedScheduler | None" = None


def run_scheduled_job(job_id: str) -> None:
    """Entry point of every stored job: runs in an APScheduler worker thread of the active scheduler."""
    if _active is None:
        log.error("job %s fired without an active scheduler in this process", job_id)
        return
    _active.run(job_id)


class _Scheduler(BackgroundScheduler):
    """APScheduler 3 wakes its loop once more on shutdown() and processes due jobs in state STOPPED: the
    submission to the closed executor fails, yet the job's next run time is advanced, so a run missed
    while down would be lost by a process that merely started and stopped. Skip that last pass."""

    def _process_jobs(self):
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


def build_apscheduler(timezone: ZoneInfo) -> BackgroundScheduler:
    """A scheduler on the app's database. The store gets an engine of its own because its shutdown disposes
    the engine, which must not pull the pool from under the app's requests."""
    engine = create_engine(db.engine.url, **current_app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    return _Scheduler(
        timezone=timezone, job_defaults=JOB_DEFAULTS,
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_STORE_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=4)})


def sync_jobs(scheduler: BackgroundScheduler, specs: tuple[JobSpec, ...], timezone: ZoneInfo) -> None:
    """Make the (paused) scheduler's store hold exactly the declared jobs.

    An unchanged job is left alone, keeping its stored next run time: if that is in the past, the run was
    missed while we were down, and it happens as soon as the scheduler resumes. Replacing it would compute
    a fresh next run time and silently drop the missed run.
    """
    declared = {spec.id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in declared:
            scheduler.remove_job(job.id)
    now = datetime.now(timezone)
    for spec in specs:
        trigger = CronTrigger(timezone=timezone, **spec.cron)
        existing = scheduler.get_job(spec.id)
        if existing is not None and _same(existing, trigger, spec):
            continue
        missed = existing is not None and existing.next_run_time is not None and existing.next_run_time <= now
        extra = {"next_run_time": existing.next_run_time} if missed else {}
        scheduler.add_job(JOB_FUNC_REF, trigger, args=[spec.id], id=spec.id, name=spec.description or spec.id,
                          replace_existing=True, **JOB_DEFAULTS, **extra)


def _same(job, trigger: CronTrigger, spec: JobSpec) -> bool:
    return (repr(job.trigger) == repr(trigger) and job.func_ref == JOB_FUNC_REF and tuple(job.args) == (spec.id,)
            and all(getattr(job, key) == value for key, value in JOB_DEFAULTS.items()))


class LeasedScheduler:
    """Runs the jobs in this process while it holds the scheduler lease. One per process."""

    def __init__(self, app: Flask, specs: tuple[JobSpec, ...] = JOBS, holder: str | None = None):
        config = app.config["FARMPATROL"]
        self.app = app
        self.specs = specs
        self.holder = holder or lease.new_holder_id()
        self.ttl_s = config.scheduler_lease_ttl_s
        self.renew_s = config.scheduler_lease_renew_s
        self.timezone = ZoneInfo(config.default_county_timezone)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._scheduler: BackgroundScheduler | None = None

    @property
    def is_running_jobs(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        global _active
        if _active is not None:
            raise RuntimeError("a scheduler is already running in this process")
        _active = self
        self._thread = threading.Thread(target=self._keep_lease, name="farmpatrol-scheduler-lease", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing, wait for running jobs, and release the lease so that another process takes over now."""
        global _active
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        else:
            self._shut_down()
        if _active is self:
            _active = None

    def run(self, job_id: str) -> None:
        with self.app.app_context():
            run_job(get_spec(job_id, self.specs), holder=self.holder, lease_name=lease.SCHEDULER_LEASE)

    def tick(self, *, now: datetime | None = None) -> bool:
        """One renewal step (the lease thread's loop body): take or renew the lease, start or stop the jobs.

        After a takeover the old holder's scheduler may still be up until its next tick; it cannot run a
        job meanwhile, because every job checks the lease before it starts.
        """
        try:
            held = lease.acquire(lease.SCHEDULER_LEASE, self.holder, self.ttl_s, now=now)
            if held and self._scheduler is None:
                self._start_jobs()
            elif not held and self._scheduler is not None:
                log.warning("scheduler lease lost by %s: stopping jobs here", self.holder)
                self._stop_jobs(wait=False)
            return held
        except Exception:  # noqa: BLE001  (database down: keep trying; jobs check the lease themselves)
            log.exception("scheduler lease renewal failed for %s", self.holder)
            return False

    def _keep_lease(self) -> None:
        with self.app.app_context():
            while not self._stop.is_set():
                self.tick()
                self._stop.wait(self.renew_s)
            self._shut_down()

    def _shut_down(self) -> None:
        self._stop_jobs(wait=True)
        try:
            lease.release(lease.SCHEDULER_LEASE, self.holder)
        except Exception:  # noqa: BLE001  (the lease then expires by itself)
            log.exception("could not release the scheduler lease")

    def _start_jobs(self) -> None:
        scheduler = build_apscheduler(self.timezone)
        scheduler.start(paused=True)
        try:
            sync_jobs(scheduler, self.specs, self.timezone)
        except Exception:
            scheduler.shutdown(wait=False)
            raise
        scheduler.resume()
        self._scheduler = scheduler
        log.info("scheduler lease taken by %s: running %d jobs", self.holder, len(self.specs))

    def _stop_jobs(self, *, wait: bool) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=wait)
            self._scheduler = None
