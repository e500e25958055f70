"""`farmpatrol patrols`: set up a county's plans and generate tasks by hand (the scheduler does it daily)."""

import click
from flask.cli import AppGroup

from server.clitext import CliError
from server.patrols import service
from server.territory.cli import county_or_fail

patrols_cli = AppGroup("patrols", help="巡查计划与任务(田长制巡查)。")


@patrols_cli.command("init-plans")
@click.option("--county", "county_code", required=True, help="6 位县级代码。")
def init_plans(county_code):
    """为该县补齐默认计划(永久基本农田和粮食生产功能区 4–10 月每半月一次、其余月份每月一次; 其他耕地每月一次);
    已有计划保持不变。"""
    county_or_fail(county_code)
    try:
        plans = service.init_default_plans(county_code)
    except service.PatrolError as exc:
        raise CliError("patrol_refused", str(exc)) from exc
    for plan in plans:
        click.echo(f"{plan.code:<18} {plan.land_class:<18} 自 {plan.effective_from}  {plan.schedule}")


@patrols_cli.command("generate")
@click.option("--county", "county_code", help="只生成该县的任务(默认: 所有县)。")
def generate(county_code):
    """生成截至现在到期的任务, 包括服务停机期间错过的周期(可重复运行)。"""
    if county_code:
        county_or_fail(county_code)
    click.echo(service.generate_tasks(county_code=county_code))
