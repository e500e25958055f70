import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from inspection_forms import builtin_definitions
from server.clitext import CliError
from server.demo.generator import DEMO_PASSWORD, DemoExistsError, build_demo_county
from server.demo.history import build_history
from server.demo.report_history import build_report_history
from server.db_types import utcnow
from server.extensions import db
from server.forms import service as forms
from server.patrols import service as patrols
from server.territory.models import County


@click.command("demo")
@click.option("--parcels", default=3000, show_default=True, type=click.IntRange(1, 500_000), help="图斑数。")
@click.option("--seed", default=20261123, show_default=True, type=int, help="随机种子(同一种子得到同一示范县)。")
@click.option("--if-empty", is_flag=True, help="数据库中已有县时什么都不做。")
@click.option("--history/--no-history", default=True, show_default=True,
              help="同时生成一季的巡查历史: 带照片的巡查记录、各状态的案件、已完成和漏巡的任务。")
@with_appcontext
def demo_command(parcels, seed, if_empty, history):
    """创建可复现的示范县, 含用户和设备(默认还有一季的巡查历史)。"""
    if if_empty and db.session.scalar(select(County.id).limit(1)) is not None:
        click.echo("数据库不为空: 未载入示范县")
        return
    try:
        demo = build_demo_county(parcels=parcels, seed=seed)
    except DemoExistsError as exc:
        raise CliError("demo_exists", str(exc)) from exc
    # Ready for a phone's first sync: the standard form, the default patrol plans and this period's tasks.
    for definition in builtin_definitions():
        forms.publish(definition)
    if history:
        _build_history(demo.county_code)
    patrols.init_default_plans(demo.county_code)
    tasks = patrols.generate_tasks(county_code=demo.county_code)
    tokens_file = current_app.config["FARMPATROL"].instance_path / "demo-device-tokens.tsv"
    tokens_file.write_text("".join(f"{user}\t{token}\n" for user, token in demo.device_tokens.items()))
    tokens_file.chmod(0o600)
    click.echo(f"示范县 {demo.county_code}: {demo.parcels} 个图斑, 新增 {tasks.created} 个巡查任务")
    if history:
        report = build_report_history(demo.county_code, utcnow().year - 1)
        click.echo(f"  补偿扣减核算表 {report.id}: {report.period_start.year} 年度, 已下发第 {report.version} 版")
    for role, names in demo.users.items():
        click.echo(f"  {role}: {', '.join(names[:3])}{' …' if len(names) > 3 else ''} (密码 {DEMO_PASSWORD})")
    click.echo(f"  设备令牌: {tokens_file}")


def _build_history(county_code: str) -> None:
    photos_dir = current_app.config["FARMPATROL"].demo_photos_dir
    summary = build_history(county_code, photos_dir=photos_dir)
    source = f"真实照片取自 {photos_dir}" if summary.real_photos else f"绘制的照片 (未找到 {photos_dir})"
    cases = ", ".join(f"{status} {count}" for status, count in sorted(summary.cases.items()))
    tasks = ", ".join(f"{status} {count}" for status, count in sorted(summary.tasks.items()))
    click.echo(f"巡查历史: {summary.inspections} 条巡查记录, {summary.photos} 张照片({source}), "
               f"{summary.conflicts} 个同步冲突\n  案件: {cases}\n  巡查任务: {tasks}")
