"""`farmpatrol reports`: compute a draft, issue a version, export it, list them."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from server.clitext import AS_OF, CliError
from server.errors import ApiError
from server.extensions import db
from server.reports import files, service
from server.reports.calc import yuan
from server.reports.models import CompensationReport
from server.reports.schemas import EXPORT_FORMATS
from server.reports.snapshot import Period, period_of
from server.territory.cli import county_or_fail

reports_cli = AppGroup("reports", help="耕地保护补偿资金扣减核算: 计算草稿、下发版本、导出、列出。")


def _period_options(command):
    command = AS_OF(command)
    command = click.option("--quarter", type=click.IntRange(1, 4), help="按季度核算(1–4); 默认按全年。")(command)
    command = click.option("--year", required=True, type=click.IntRange(2000, 2100), help="年度。")(command)
    return click.option("--county", "county_code", required=True, help="6 位县级代码。")(command)


def _county_and_period(county_code: str, year: int, quarter: int | None):
    county = county_or_fail(county_code)
    return county, period_of("quarter", year, quarter) if quarter else period_of("year", year)


@reports_cli.command("compute")
@_period_options
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出各村金额与全县合计。")
def compute(county_code, year, quarter, as_of, as_json):
    """计算该期草稿(替换之前的草稿)并输出; 截止日默认今天, 该期结束后为其最后一天。"""
    county, period = _county_and_period(county_code, year, quarter)
    report = service.compute(county, period, as_of.date() if as_of else None)
    villages = report.result["villages"]
    if as_json:
        click.echo(json.dumps({
            "report_id": report.id, "county": county.code, "period": period.key, "as_of": report.as_of.isoformat(),
            "snapshot_hash": report.snapshot_hash,
            "villages": [{"village_code": v["code"], "name": v["name"], "base_yuan": str(yuan(v["base_fen"])),
                          "deduction_yuan": str(yuan(v["deduction_fen"])), "net_yuan": str(yuan(v["net_fen"]))}
                         for v in villages],
            "totals": {k.replace("_fen", "_yuan"): str(yuan(v)) for k, v in report.result["totals"].items()},
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"{county.name} {period.label_zh} 草稿 (报表 {report.id}, 截止 {report.as_of})")
    for v in villages:
        click.echo(f"  {v['code']} {v['name']:<6} 基数 {yuan(v['base_fen']):>14} 扣减 {yuan(v['deduction_fen']):>12} "
                   f"应拨 {yuan(v['net_fen']):>14}")
    click.echo(f"合计: 基数 {yuan(report.base_fen)} 元, 扣减 {yuan(report.deduction_fen)} 元, 应拨 {yuan(report.net_fen)} 元")


@reports_cli.command("issue")
@_period_options
def issue(county_code, year, quarter, as_of):
    """下发(定稿)该期报表的下一版, 之后由各乡镇签收各自部分。"""
    county, period = _county_and_period(county_code, year, quarter)
    try:
        report = service.issue(county, period, as_of.date() if as_of else None)
    except ApiError as exc:
        raise CliError(exc.problem.code, exc.message) from exc
    click.echo(f"已下发 {county.name} {period.label_zh} 第 {report.version} 版 (报表 {report.id}): 应拨 "
               f"{yuan(report.net_fen)} 元, 快照哈希 {report.snapshot_hash}")


@reports_cli.command("export")
@click.argument("report_id", type=int)
@click.option("--format", "fmt", required=True, type=click.Choice(EXPORT_FORMATS), help="导出格式。")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="输出文件。")
def export(report_id, fmt, out):
    """把一份报表(全县)导出为 XLSX、PDF 或 CSV。"""
    report = db.session.get(CompensationReport, report_id)
    if report is None:
        raise CliError("unknown_report", f"报表不存在: {report_id} (farmpatrol reports list 列出全部)")
    body, _, _ = files.export(files.view_for(None, report), fmt, current_app.config["FARMPATROL"].report_font_path)
    out.write_bytes(body)
    click.echo(f"已写入 {out} ({len(body)} 字节)")


@reports_cli.command("list")
def list_reports():
    """列出全部报表, 最近的期次在前。"""
    query = select(CompensationReport).order_by(CompensationReport.period_start.desc(), CompensationReport.id.desc())
    for report in db.session.scalars(query):
        period = Period(report.period_kind, report.period_start, report.period_end)
        version = f"v{report.version}" if report.version else "草稿"
        issued = report.issued_at.astimezone(report.county.zone).strftime("%Y-%m-%d") if report.issued_at else "-"
        click.echo(f"{report.id:>5} {report.county.code} {period.label_zh:<12} {version:<6} "
                   f"{service.STATUS_LABELS_ZH[report.status]:<8} 应拨 {yuan(report.net_fen):>14} 下发 {issued}")
