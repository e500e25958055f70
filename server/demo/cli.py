import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from inspection_forms import builtin_definitions
from server.demo.generator import DEMO_PASSWORD, DemoExistsError, build_demo_county
from server.demo.history import build_report_history
from server.db_types import utcnow
from server.extensions import db
from server.forms import service as forms
from server.patrols import service as patrols
from server.territory.models import County


@click.command("demo")
@click.option("--parcels", default=3000, show_default=True, type=click.IntRange(1, 500_000))
@click.option("--seed", default=20261123, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds a county.")
@with_appcontext
def demo_command(parcels, seed, if_empty):
    """Create the deterministic demo county with users and devices."""
    if if_empty and db.session.scalar(select(County.id).limit(1)) is not None:
        click.echo("database not empty: demo county not loaded")
        return
    try:
        demo = build_demo_county(parcels=parcels, seed=seed)
    except DemoExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    # Ready for a phone's first sync: the standard form, the default patrol plans and this period's tasks.
    for definition in builtin_definitions():
        forms.publish(definition)
    patrols.init_default_plans(demo.county_code)
    tasks = patrols.generate_tasks(county_code=demo.county_code)
    tokens_file = current_app.config["FARMPATROL"].instance_path / "demo-device-tokens.tsv"
    tokens_file.write_text("".join(f"{user}\t{token}\n" for user, token in demo.device_tokens.items()))
    tokens_file.chmod(0o600)
    click.echo(f"demo county {demo.county_code}: {demo.parcels} parcels, {tasks.created} patrol tasks")
    report = build_report_history(demo.county_code, utcnow().year - 1)
    click.echo(f"  compensation report {report.id}: {report.period_start.year} issued, version {report.version}")
    for role, names in demo.users.items():
        click.echo(f"  {role}: {', '.join(names[:3])}{' …' if len(names) > 3 else ''} (password {DEMO_PASSWORD})")
    click.echo(f"  device tokens: {tokens_file}")
