"""`farmpatrol audit verify`: check the audit chain; exit code 1 names the first broken entry."""

import click
from flask.cli import AppGroup

from server.audit.service import verify_chain

audit_cli = AppGroup("audit", help="The tamper-evident audit trail (全过程留痕).")


@audit_cli.command("verify")
def verify():
    """Recompute every hash in order; report the first broken sequence number."""
    report = verify_chain()
    if report.ok:
        click.echo(f"audit chain ok: {report.checked} events")
        return
    click.echo(f"audit chain BROKEN at seq {report.first_broken_seq}: {report.problem} "
               f"({report.checked} events verified before it)", err=True)
    raise SystemExit(1)
