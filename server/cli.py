"""The `farmpatrol` command: Flask's CLI (run, shell, db ...) plus the domains' command groups."""

import click
from flask.cli import FlaskGroup, with_appcontext

from server import create_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Processes (gunicorn workers).")
@click.option("--threads", default=8, show_default=True, type=int, help="Threads per worker.")
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=True, show_default=True,
              help="Also run the scheduled jobs here (while this process holds the scheduler lease).")
@with_appcontext
def serve_command(host, port, workers, threads, with_scheduler):
    """Serve the app with gunicorn (threaded workers that stream request bodies)."""
    from flask import current_app

    from server.serving import GunicornServer

    click.echo(f"farmpatrol serving on http://{host}:{port}/" + (" with the scheduler" if with_scheduler else ""))
    GunicornServer(current_app._get_current_object(), host=host, port=port, workers=workers, threads=threads,
                   with_scheduler=with_scheduler).run()


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
    from server.reports.cli import reports_cli
    from server.territory.cli import territory_cli

    for command in (users_cli, territory_cli, parcels_cli, demo_command, serve_command, forms_cli,
                    patrols_cli, jobs_cli, scheduler_command, evidence_cli, rules_cli, cases_cli, audit_cli,
                    reports_cli):
        app.cli.add_command(command)
