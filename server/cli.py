"""The `farmpatrol` command: Flask's CLI (run, shell, db ...) plus the domains' command groups."""

import click
from flask.cli import FlaskGroup, with_appcontext

from server import create_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host, port, threads):
    """Serve the app with waitress (a production WSGI server; use gunicorn for several processes)."""
    from flask import current_app
    from waitress import serve

    click.echo(f"farmpatrol serving on http://{host}:{port}/")
    serve(current_app._get_current_object(), host=host, port=port, threads=threads)


main = FlaskGroup(create_app=lambda: create_app(), add_version_option=False,
                  help="farmpatrol: field inspection of consolidated farmland.")


def register_commands(app) -> None:
    """Commands live on `app.cli`, so that `farmpatrol` and the tests' CLI runner see the same ones."""
    from server.accounts.cli import users_cli
    from server.demo.cli import demo_command
    from server.parcels.cli import parcels_cli
    from server.territory.cli import territory_cli

    for command in (users_cli, territory_cli, parcels_cli, demo_command, serve_command):
        app.cli.add_command(command)
