"""`farmpatrol evidence reassess`: assess complete inspections again, e.g. after a county changes its tolerances."""
import click
from flask.cli import with_appcontext

from server.assessments import service


@click.group("evidence")
def evidence_cli():
    """Photo evidence of inspections."""


@evidence_cli.command("reassess")
@click.option("--inspection", "uuid", help="UUID of one complete inspection.")
@click.option("--all", "everything", is_flag=True, help="Every complete inspection.")
@with_appcontext
def reassess_command(uuid, everything):
    """Replace the stored findings and evidence level with a fresh assessment."""
    if bool(uuid) == everything:
        raise click.UsageError("give exactly one of --inspection UUID or --all")
    if everything:
        click.echo(f"reassessed {service.reassess_all()} inspections")
        return
    level = service.reassess_inspection(uuid)
    if level is None:
        raise click.ClickException(f"no complete inspection {uuid}")
    click.echo(f"{uuid}: {level}")
