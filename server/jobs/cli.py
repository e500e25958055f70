"""`farmpatrol jobs` (what runs when, and how it went) and `farmpatrol scheduler` (run only the jobs)."""

import signal
import threading
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from server.db_types import utcnow
from server.jobs import lease, service
from server.jobs.schedule import JOBS, get_spec
from server.jobs.scheduler import LeasedScheduler


@click.group("jobs", cls=AppGroup, invoke_without_command=True)
@click.pass_context
def jobs_cli(ctx):
    """Scheduled jobs: list them (the default) or run one now."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_jobs)


@jobs_cli.command("list")
def list_jobs():
    """Each job with its schedule, next run and last run with its outcome (times in the scheduler's zone)."""
    tz = ZoneInfo(current_app.config["FARMPATROL"].default_county_timezone)
    held = lease.current(lease.SCHEDULER_LEASE)
    if held is None:
        click.echo("scheduler lease: never taken")
    else:
        state = "held" if held.expires_at > utcnow() else "free (released or expired)"
        click.echo(f"scheduler lease: {state}, last holder {held.holder}, expires {_local(held.expires_at, tz)}")
    for status in service.job_statuses():
        spec, run = status.spec, status.last_run
        cron = " ".join(f"{k}={v}" for k, v in spec.cron.items())
        last = "never"
        if run:
            summary = run.detail.strip().splitlines()[-1][:80] if run.detail else ""
            last = f"{_local(run.started_at, tz)} {run.outcome}" + (f" ({summary})" if summary else "")
        click.echo(f"{spec.id:<28} {cron:<18} next: {_local(status.next_run_at, tz):<20} last: {last}")


@jobs_cli.command("run")
@click.argument("job_id", type=click.Choice([spec.id for spec in JOBS]))
def run(job_id):
    """Run a job now in this process (recorded like a scheduled run; it does not need the lease)."""
    result = service.run_job(get_spec(job_id), holder=f"cli:{lease.new_holder_id()}")
    click.echo(f"{job_id}: {result.outcome}: {result.detail}")
    if result.outcome == "failed":
        raise SystemExit(1)


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run only the scheduler, in the foreground (Ctrl-C to stop); jobs run while this process holds the lease."""
    scheduler = LeasedScheduler(current_app._get_current_object())
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    scheduler.start()
    click.echo(f"scheduler {scheduler.holder} started; jobs run while it holds the lease")
    stopping.wait()
    scheduler.stop()
    click.echo("scheduler stopped, lease released")


def _local(moment, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "-"
