"""`farmpatrol cases`: the overdue marking by hand (the scheduler's job does it hourly)."""

import click
from flask.cli import AppGroup

from server.cases import service
from server.clitext import AS_OF, as_of_moment

cases_cli = AppGroup("cases", help="违法违规案件与审核流程。")


@cases_cli.command("mark-overdue")
@AS_OF
def mark_overdue(as_of):
    """超过整改期限的案件标为逾期(上报县级); --as-of 按某日结束时判断。"""
    click.echo(f"{service.mark_overdue_cases(now=as_of_moment(as_of))} 个案件标为逾期")
