import json

import click
from flask.cli import AppGroup

from server.clitext import CliError
from server.extensions import db
from server.territory import service
from server.territory.overview import LEVEL_LABELS_ZH, TerritoryNode, territory_node, territory_tree

territory_cli = AppGroup("territory", help="辖区: 按统计用区划代码添加县、乡镇、村, 查看辖区树。")


def county_or_fail(code: str):
    """The county of a command's --county option; an unknown code stops the command (exit 1)."""
    county = service.get_county(code)
    if county is None:
        raise CliError("unknown_county", f"县不存在: {code} (farmpatrol territory list 列出全部)")
    return county


def _add(ensure, getter, level: str, code: str, name: str) -> None:
    """Add or rename a unit and say which; below a county, the county must exist already."""
    if level != "county" and len(code) > 6 and service.get_county(code[:6]) is None:
        raise CliError("unknown_county", f"县 {code[:6]} 不存在: 先运行 farmpatrol territory add-county {code[:6]} 县名")
    township_missing = level == "village" and service.get_township(code[:9]) is None
    before = getter(code)
    old_name = before.name if before else None
    try:
        unit = ensure(code, name)
    except service.TerritoryError as exc:
        raise CliError("invalid_code", str(exc)) from exc
    db.session.commit()
    if township_missing:
        click.echo(f"新建乡镇 {code[:9]} {unit.township.name} (改名: farmpatrol territory add-township {code[:9]} 名称)")
    label = LEVEL_LABELS_ZH[level]
    if before is None:
        click.echo(f"新建{label} {unit.code} {unit.name}")
    elif old_name != unit.name:
        click.echo(f"{label}改名 {unit.code} {old_name} → {unit.name}")
    else:
        click.echo(f"{label}已存在, 未变 {unit.code} {unit.name}")


@territory_cli.command("add-county")
@click.argument("code")
@click.argument("name")
def add_county(code, name):
    """添加县(6 位代码), 已存在则改名。"""
    _add(service.ensure_county, service.get_county, "county", code, name)


@territory_cli.command("add-township")
@click.argument("code")
@click.argument("name")
def add_township(code, name):
    """添加乡镇(9 位代码), 已存在则改名; 所属县须已存在。"""
    _add(service.ensure_township, service.get_township, "township", code, name)


@territory_cli.command("add-village")
@click.argument("code")
@click.argument("name")
def add_village(code, name):
    """添加村(12 位代码), 已存在则改名; 所属县须已存在, 乡镇缺少时以代码命名新建。"""
    _add(service.ensure_village, service.get_village, "village", code, name)


@territory_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
def list_territory(as_json):
    """辖区树: 每个县、乡镇、村的图斑数、用户数和设备数(未吊销)。"""
    tree = territory_tree()
    if as_json:
        click.echo(json.dumps([node.to_dict() for node in tree], ensure_ascii=False, indent=2))
        return
    if not tree:
        click.echo("尚无辖区: 先运行 farmpatrol territory add-county 代码 县名")
    for county in tree:
        _print_tree(county)


@territory_cli.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
def show_territory(code, as_json):
    """一个县、乡镇或村及其下级, 含图斑数、用户数和设备数。"""
    node = territory_node(code)
    if node is None:
        raise CliError("unknown_territory", f"辖区不存在: {code} (farmpatrol territory list 列出全部)")
    if as_json:
        click.echo(json.dumps(node.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_tree(node)


def _print_tree(node: TerritoryNode, depth: int = 0) -> None:
    click.echo(f"{'  ' * depth}{LEVEL_LABELS_ZH[node.level]} {node.code} {node.name}  "
               f"图斑 {node.parcels}  用户 {node.users}  设备 {node.devices}")
    for child in node.children:
        _print_tree(child, depth + 1)
