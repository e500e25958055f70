"""`farmpatrol cases`: the overdue marking by hand (the scheduler's job does it hourly)."""

import click
from flask.cli import AppGroup

from server.cases import service

cases_cli = AppGroup("cases", help="Violation cases and the review workflow.")


@cases_cli.command("mark-overdue")
def mark_overdue():
    """Cases past their rectification deadline become overdue (escalated to the county)."""
    click.echo(f"marked {service.mark_overdue_cases()} cases overdue")
