"""`farmpatrol audit verify`: check the audit chain; exit code 1 names the first broken entry."""

import click
from flask.cli import AppGroup

from server.audit.service import verify_chain
from server.clitext import CliError

audit_cli = AppGroup("audit", help="防篡改审计链(全过程留痕)。")


@audit_cli.command("verify")
def verify():
    """按顺序重算每个哈希; 报告第一处断裂的序号(状态 1)。"""
    report = verify_chain()
    if report.ok:
        click.echo(f"审计链完好: {report.checked} 条事件")
        return
    raise CliError("audit_chain_broken", f"审计链在序号 {report.first_broken_seq} 处断裂: {report.problem} "
                                         f"(此前 {report.checked} 条事件校验通过)")
