"""`farmpatrol audit verify`: check the audit chain and the rows against it; exit code 1 names the first
broken entry and every case or inspection whose state differs from its last entry."""

import click
from flask.cli import AppGroup

from server.audit.service import verify_chain
from server.audit.state import verify_state

audit_cli = AppGroup("audit", help="The tamper-evident audit trail (全过程留痕).")


@audit_cli.command("verify")
def verify():
    """Recompute every hash in order (report the first broken sequence number), then compare each case's and
    each inspection's current state with its last audit entry (report every mismatch)."""
    report = verify_chain()
    if report.ok:
        click.echo(f"audit chain ok: {report.checked} events")
    else:
        click.echo(f"audit chain BROKEN at seq {report.first_broken_seq}: {report.problem} "
                   f"({report.checked} events verified before it)", err=True)
    state = verify_state()
    if state.ok:
        click.echo(f"state ok: {state.cases} cases, {state.inspections} inspections match their last audit entry")
    for mismatch in state.mismatches:
        click.echo(f"state MISMATCH {mismatch}", err=True)
    if not (report.ok and state.ok):
        raise SystemExit(1)
