"""`farmpatrol evidence reassess`: assess complete inspections again, e.g. after a county changes its tolerances."""
import click
from flask.cli import with_appcontext

from server.assessments import service
from server.clitext import CliError


@click.group("evidence")
def evidence_cli():
    """巡查照片证据。"""


@evidence_cli.command("reassess")
@click.option("--inspection", "uuid", help="一次已完整的巡查的 UUID。")
@click.option("--all", "everything", is_flag=True, help="所有已完整的巡查。")
@with_appcontext
def reassess_command(uuid, everything):
    """重新评估照片证据, 替换已存的发现与证据等级(如县里调整了容差之后)。"""
    if bool(uuid) == everything:
        raise click.UsageError("--inspection UUID 与 --all 二选一")
    if everything:
        click.echo(f"已重新评估 {service.reassess_all()} 次巡查")
        return
    level = service.reassess_inspection(uuid)
    if level is None:
        raise CliError("unknown_inspection", f"没有已完整的巡查 {uuid}")
    click.echo(f"{uuid}: {level}")
