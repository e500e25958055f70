"""`farmpatrol rules`: show and publish a county's rule configuration, re-evaluate abandonment by hand."""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from server.rules import service, versions
from server.rules.config import merged_body
from server.territory.service import get_county

rules_cli = AppGroup("rules", help="Violation rules per county (versioned configuration).")


@rules_cli.command("show")
@click.option("--county", "county_code", required=True, help="6-digit county code.")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="The date to show (default today).")
def show(county_code, on):
    """Print the configuration in force on a date (the built-in defaults if the county published none)."""
    county = get_county(county_code)
    if county is None:
        raise click.ClickException(f"县不存在: {county_code}")
    row, _ = versions.rules_in_force(county.id, on.date() if on else datetime.now(county.zone).date())
    label = f"version {row.version}, effective from {row.effective_from}" if row else "built-in defaults"
    click.echo(f"# {county_code}: {label}")
    click.echo(json.dumps(row.body if row else merged_body(None), ensure_ascii=False, indent=2))


@rules_cli.command("publish")
@click.option("--county", "county_code", required=True)
@click.option("--effective-from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--note", help="Why (the county document that sets these rules).")
@click.argument("override_file", type=click.File("r", encoding="utf-8"))
def publish(county_code, effective_from, note, override_file):
    """Publish a new version: OVERRIDE_FILE is JSON merged onto the defaults (only what differs)."""
    try:
        row = versions.publish_rules(county_code, json.load(override_file), effective_from.date(), note=note)
    except (ValueError, ValidationError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"published {county_code} version {row.version}, effective from {row.effective_from}")


@rules_cli.command("reevaluate-abandonment")
def reevaluate_abandonment():
    """Judge recently idle parcels again now (the scheduler's job does this daily)."""
    click.echo(f"recorded {service.reevaluate_abandonment()} abandonment observations")


@rules_cli.command("evaluate-rice-year")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
              help="Judge as at the end of this local date (default now): the latest year whose rice season is over.")
def evaluate_rice_year(as_of):
    """粮食生产功能区: flag parcels whose year saw crops but no rice (the scheduler's job does this monthly)."""
    now = None
    if as_of is not None:
        zone = ZoneInfo(current_app.config["FARMPATROL"].default_county_timezone)
        now = datetime.combine(as_of.date() + timedelta(days=1), time(), zone) - timedelta(seconds=1)
    click.echo(f"已记录 {service.evaluate_rice_year(now=now)} 条全年未种水稻的观测")
