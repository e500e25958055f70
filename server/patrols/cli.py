"""`farmpatrol patrols`: set up a county's plans and generate tasks by hand (the scheduler does it daily)."""

import click
from flask.cli import AppGroup

from server.patrols import service

patrols_cli = AppGroup("patrols", help="Patrol plans and tasks (田长制 巡查).")


@patrols_cli.command("init-plans")
@click.option("--county", "county_code", required=True, help="6-digit county code.")
def init_plans(county_code):
    """Create the default plans the county lacks (永久基本农田 and 粮食生产功能区 half-monthly Apr–Oct, monthly
    otherwise; other farmland monthly). Existing plans are left as they are."""
    try:
        plans = service.init_default_plans(county_code)
    except service.PatrolError as exc:
        raise click.ClickException(str(exc)) from exc
    for plan in plans:
        click.echo(f"{plan.code:<18} {plan.land_class:<18} from {plan.effective_from}  {plan.schedule}")


@patrols_cli.command("generate")
@click.option("--county", "county_code", help="Only this county (default: all).")
def generate(county_code):
    """Create the tasks due up to now, including periods missed while the server was down (idempotent)."""
    click.echo(service.generate_tasks(county_code=county_code))
