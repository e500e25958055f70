import click
from flask.cli import AppGroup

from server.extensions import db
from server.territory import service

territory_cli = AppGroup("territory", help="Add counties, townships and villages by official code.")


def _add(ensure, code: str, name: str) -> None:
    try:
        unit = ensure(code, name)
    except service.TerritoryError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{unit.code} {unit.name}")


@territory_cli.command("add-county")
@click.argument("code")
@click.argument("name")
def add_county(code, name):
    """Add or rename a county (6-digit code)."""
    _add(service.ensure_county, code, name)


@territory_cli.command("add-township")
@click.argument("code")
@click.argument("name")
def add_township(code, name):
    """Add or rename a township (9-digit code; its county is created if missing)."""
    _add(service.ensure_township, code, name)


@territory_cli.command("add-village")
@click.argument("code")
@click.argument("name")
def add_village(code, name):
    """Add or rename a village (12-digit code; its township and county are created if missing)."""
    _add(service.ensure_village, code, name)
