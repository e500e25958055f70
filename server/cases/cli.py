"""`farmpatrol cases`: the overdue marking by hand (the scheduler's job does it hourly)."""

import click
from flask import current_app
from flask.cli import AppGroup

from server.cases import service
from server.clitext import AS_OF, end_of_day, zone_of_jobs

cases_cli = AppGroup("cases", help="违法违规案件与审核流程。")


@cases_cli.command("mark-overdue")
@AS_OF
def mark_overdue(as_of):
    """超过整改期限的案件标为逾期(上报县级); --as-of 按某日结束时判断。"""
    now = end_of_day(as_of.date(), zone_of_jobs(current_app)) if as_of else None
    click.echo(f"{service.mark_overdue_cases(now=now)} 个案件标为逾期")
