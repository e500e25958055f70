"""`farmpatrol rules`: show and publish a county's rule configuration, re-evaluate abandonment by hand."""

import json
from datetime import datetime

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from server.clitext import AS_OF, CliError, as_of_moment
from server.rules import service, versions
from server.rules.config import merged_body
from server.territory.cli import county_or_fail

rules_cli = AppGroup("rules", help="各县的违法违规判定规则(按生效日期分版本)。")


@rules_cli.command("show")
@click.option("--county", "county_code", required=True, help="6 位县级代码。")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD", help="查看哪一天(默认今天)。")
def show(county_code, on):
    """输出某日生效的规则配置(该县未发布时为内置默认值)。"""
    county = county_or_fail(county_code)
    row, _ = versions.rules_in_force(county, on.date() if on else datetime.now(county.zone).date())
    label = f"第 {row.version} 版, {row.effective_from} 起生效" if row else "内置默认值"
    click.echo(f"# {county_code}: {label}")
    click.echo(json.dumps(row.body if row else merged_body(None), ensure_ascii=False, indent=2))


@rules_cli.command("publish")
@click.option("--county", "county_code", required=True, help="6 位县级代码。")
@click.option("--effective-from", required=True, type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="生效日期。")
@click.option("--note", help="依据(规定这些规则的县级文件)。")
@click.argument("override_file", type=click.File("r", encoding="utf-8"))
def publish(county_code, effective_from, note, override_file):
    """发布新版本: OVERRIDE_FILE 为 JSON, 合并到默认值上(只写不同之处)。"""
    county_or_fail(county_code)
    try:
        row = versions.publish_rules(county_code, json.load(override_file), effective_from.date(), note=note)
    except (ValueError, ValidationError) as exc:
        raise CliError("invalid_rules", str(exc)) from exc
    click.echo(f"已发布 {county_code} 第 {row.version} 版, {row.effective_from} 起生效")


@rules_cli.command("reevaluate-abandonment")
@AS_OF
def reevaluate_abandonment(as_of):
    """重新判断近期闲置的图斑是否撂荒(调度任务每天执行); --as-of 按某日结束时判断。"""
    click.echo(f"记录 {service.reevaluate_abandonment(now=as_of_moment(as_of))} 条撂荒观察")


@rules_cli.command("evaluate-rice-year")
@AS_OF
def evaluate_rice_year(as_of):
    """粮食生产功能区: 标记全年有作物却未种水稻的图斑(调度任务每月执行); --as-of 按某日结束时判断。"""
    click.echo(f"已记录 {service.evaluate_rice_year(now=as_of_moment(as_of))} 条全年未种水稻的观测")
