"""`farmpatrol jobs` (what runs when, and how it went) and `farmpatrol scheduler` (run only the jobs)."""

import signal
import threading
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from server.clitext import CliError, zone_of_jobs
from server.db_types import utcnow
from server.jobs import lease, service
from server.jobs.schedule import JOBS, get_spec
from server.jobs.scheduler import LeasedScheduler


@click.group("jobs", cls=AppGroup, invoke_without_command=True)
@click.pass_context
def jobs_cli(ctx):
    """调度任务: 列出(默认)或立即运行一个。"""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_jobs)


@jobs_cli.command("list")
def list_jobs():
    """每个任务的计划、下次运行和上次运行结果(调度所在时区的时间)。"""
    tz = zone_of_jobs(current_app)
    held = lease.current(lease.SCHEDULER_LEASE)
    if held is None:
        click.echo("调度租约: 从未被持有")
    else:
        state = "被持有" if held.expires_at > utcnow() else "空闲(已释放或过期)"
        click.echo(f"调度租约: {state}, 最近持有者 {held.holder}, 到期 {_local(held.expires_at, tz)}")
    for status in service.job_statuses():
        spec, run = status.spec, status.last_run
        cron = " ".join(f"{k}={v}" for k, v in spec.cron.items())
        last = "从未运行"
        if run:
            summary = run.detail.strip().splitlines()[-1][:80] if run.detail else ""
            last = f"{_local(run.started_at, tz)} {run.outcome}" + (f" ({summary})" if summary else "")
        click.echo(f"{spec.id:<28} {cron:<18} 下次: {_local(status.next_run_at, tz):<20} 上次: {last}")


@jobs_cli.command("run")
@click.argument("job_id", type=click.Choice([spec.id for spec in JOBS]))
def run(job_id):
    """在本进程立即运行一个任务(与定时运行一样记录; 不需要租约); 失败时状态 1。"""
    result = service.run_job(get_spec(job_id), holder=f"cli:{lease.new_holder_id()}")
    if result.outcome == "failed":
        raise CliError("job_failed", f"{job_id}: {result.detail}")
    click.echo(f"{job_id}: {result.outcome}: {result.detail}")


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """只运行调度器, 在前台(Ctrl-C 停止); 本进程持有租约时运行任务。"""
    scheduler = LeasedScheduler(current_app._get_current_object())
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    scheduler.start()
    click.echo(f"调度器 {scheduler.holder} 已启动; 持有租约时运行任务")
    stopping.wait()
    scheduler.stop()
    click.echo("调度器已停止, 租约已释放")


def _local(moment, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "-"
