"""`farmpatrol audit verify`: check the audit chain and the rows against it; exit code 1 names the first
broken entry and every case or inspection whose state differs from its last entry."""

import click
from flask.cli import AppGroup

from server.audit.service import verify_chain
from server.audit.state import verify_state
from server.clitext import CliError

audit_cli = AppGroup("audit", help="防篡改审计链(全过程留痕)。")


@audit_cli.command("verify")
def verify():
    """按顺序重算每个哈希(报告第一处断裂的序号), 再把每个案件和巡查记录的当前状态与其最后一条审计记录比对(报告每处不符); 有问题时状态 1。"""
    report = verify_chain()
    if report.ok:
        click.echo(f"审计链完好: {report.checked} 条事件")
    else:
        click.echo(f"审计链 {report.chain_id} 在序号 {report.first_broken_seq} 处断裂: {report.problem} "
                   f"(此前 {report.checked} 条事件校验通过)", err=True)
    state = verify_state()
    if state.ok:
        click.echo(f"状态一致: {state.cases} 个案件、{state.inspections} 条巡查记录与其最后一条审计记录相符")
    for mismatch in state.mismatches:
        click.echo(f"状态不符 {mismatch}", err=True)
    if not report.ok:
        raise CliError("audit_chain_broken", "审计链已断裂")
    if not state.ok:
        raise CliError("audit_state_mismatch", f"{len(state.mismatches)} 处状态与审计记录不符")
