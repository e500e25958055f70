"""The `farmpatrol` command: the domains' command groups on Flask's CLI (`db` comes from Flask-Migrate).

Language: see server/clitext.py (Chinese messages and help, English command names, refusals end with their
English code). Flask's own developer commands (run, shell, routes) and options (-A, -e, --debug) still work
but are not listed in `farmpatrol --help`: county administrators read that list."""

import click
from flask.cli import FlaskGroup, with_appcontext

from server import create_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", default=8000, show_default=True, type=int, help="端口。")
@click.option("--workers", default=1, show_default=True, type=int, help="进程数(gunicorn worker)。")
@click.option("--threads", default=8, show_default=True, type=int, help="每个进程的线程数。")
@click.option("--scheduler/--no-scheduler", "with_scheduler", default=True, show_default=True,
              help="同时在本进程运行调度任务(持有调度租约时)。")
@with_appcontext
def serve_command(host, port, workers, threads, with_scheduler):
    """用 gunicorn 提供服务(多线程 worker, 流式接收上传)。"""
    from flask import current_app

    from server.serving import GunicornServer

    click.echo(f"farmpatrol 服务地址 http://{host}:{port}/" + (", 含调度任务" if with_scheduler else ""))
    GunicornServer(current_app._get_current_object(), host=host, port=port, workers=workers, threads=threads,
                   with_scheduler=with_scheduler).run()


class FarmpatrolGroup(FlaskGroup):
    """FlaskGroup that lists only farmpatrol's commands; Flask's stay reachable by name for developers."""

    FLASK_COMMANDS = frozenset({"run", "shell", "routes"})

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for param in self.params:  # -e/--env-file, -A/--app, --debug
            param.hidden = True

    def list_commands(self, ctx) -> list[str]:
        return [name for name in super().list_commands(ctx) if name not in self.FLASK_COMMANDS]


main = FarmpatrolGroup(create_app=lambda: create_app(), add_version_option=False,
                       help="farmpatrol: 耕地保护巡查(全域土地综合整治后期管护)。各命令的说明: farmpatrol 命令 --help")


def register_commands(app) -> None:
    """Commands live on `app.cli`, so that `farmpatrol` and the tests' CLI runner see the same ones."""
    from server.accounts.cli import users_cli
    from server.audit.cli import audit_cli
    from server.cases.cli import cases_cli
    from server.assessments.cli import evidence_cli
    from server.demo.cli import demo_command
    from server.forms.cli import forms_cli
    from server.jobs.cli import jobs_cli, scheduler_command
    from server.parcels.cli import parcels_cli
    from server.patrols.cli import patrols_cli
    from server.rules.cli import rules_cli
    from server.reports.cli import reports_cli
    from server.territory.cli import territory_cli

    for command in (users_cli, territory_cli, parcels_cli, demo_command, serve_command, forms_cli,
                    patrols_cli, jobs_cli, scheduler_command, evidence_cli, rules_cli, cases_cli, audit_cli,
                    reports_cli):
        app.cli.add_command(command)
