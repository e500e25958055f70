"""The `farmpatrol` command: Flask's CLI (run, shell, db ...) plus the domains' command groups."""

import signal
import sys

import click
from flask.cli import FlaskGroup, with_appcontext

from server import create_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=True, show_default=True,
              help="Also run the scheduled jobs here (while this process holds the scheduler lease).")
@with_appcontext
def serve_command(host, port, threads, with_scheduler):
    """Serve the app with waitress (a production WSGI server; use gunicorn for several processes)."""
    from flask import current_app
    from waitress import serve

    from server.jobs.scheduler import LeasedScheduler

    app = current_app._get_current_object()
    scheduler = LeasedScheduler(app) if with_scheduler else None
    if scheduler:
        # Stopped by a service manager: leave through `finally`, so the lease is released, not left to expire.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        scheduler.start()
    click.echo(f"farmpatrol serving on http://{host}:{port}/" + (" with the scheduler" if scheduler else ""))
    try:
        serve(app, host=host, port=port, threads=threads)
    finally:
        if scheduler:
            scheduler.stop()


main = FlaskGroup(create_app=lambda: create_app(), add_version_option=False,
                  help="farmpatrol: field inspection of consolidated farmland.")


def register_commands(app) -> None:
    """Commands live on `app.cli`, so that `farmpatrol` and the tests' CLI runner see the same ones."""
    from server.accounts.cli import users_cli
    from server.audit.cli import audit_cli
    from server.cases.cli import cases_cli
    from server.assessments.cli import evidence_cli
    from server.demo.cli import demo_command
    from server.forms.cli import forms_cli
    from server.jobs.cli import jobs_cli, scheduler_command
    from server.parcels.cli import parcels_cli
    from server.patrols.cli import patrols_cli
    from server.rules.cli import rules_cli
    from server.territory.cli import territory_cli

    for command in (users_cli, territory_cli, parcels_cli, demo_command, serve_command, forms_cli,
                    patrols_cli, jobs_cli, scheduler_command, evidence_cli, rules_cli, cases_cli, audit_cli):
        app.cli.add_command(command)
