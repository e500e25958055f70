import json

import click
from flask.cli import AppGroup
from tqdm import tqdm

from server.clitext import CliError
from server.parcels import service
from server.parcels.crs import ParcelSourceError
from server.parcels.reader import parse_field_map
from server.territory.imports import UnknownCounty
from server.territory.overview import LEVEL_LABELS_ZH
from server.territory.service import TerritoryError

parcels_cli = AppGroup("parcels", help="图斑登记: 从调查成果文件导入。")


@parcels_cli.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option("--county", "county_code", help="只接受该县(6 位代码)的图斑; 县须已存在。")
@click.option("--crs", help="文件缺少坐标系时使用, 如 EPSG:4528 (文件自带坐标系时以文件为准)。")
@click.option("--field", "fields", multiple=True, metavar="OURS=THEIRS",
              help="属性字段对应, 如 --field code=BH (默认三调字段 TBBH, DLBM, ZLDWDM, ZLDWMC, TBMJ)。")
@click.option("--layer", help="GeoPackage 或 FileGDB 中的图层名。")
@click.option("--encoding", help="缺少 .cpg 的旧 Shapefile 的属性编码, 如 GBK。")
@click.option("--create-territory", is_flag=True, help="文件中的县不存在时创建它(以代码命名, 之后可改名)。")
@click.option("--rename-villages", is_flag=True, help="已有村的名称按文件中的坐落单位名称改名。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出导入结果。")
def import_parcels(path, county_code, crs, fields, layer, encoding, create_territory, rename_villages, as_json):
    """导入 GeoJSON、Shapefile(可压缩)、GeoPackage 或 FileGDB 中的图斑, 按图斑编号新增或更新。

    读取与写入共用一个进度条; 新建的乡镇和村、改名的村都会列出; 每个图斑都被拒绝时以状态 1 退出。"""
    try:
        field_map = parse_field_map(fields)
        with tqdm(unit="图斑", desc="导入(读取并写入)", disable=None) as bar:
            summary = service.import_parcel_file(
                path, county_code=county_code, crs=crs, field_map=field_map, layer=layer, encoding=encoding,
                create_territory=create_territory, rename_villages=rename_villages, progress=bar.update,
                on_total=lambda total: bar.reset(total=total))
    except ParcelSourceError as exc:
        raise CliError("invalid_source", str(exc)) from exc
    except UnknownCounty as exc:
        raise CliError("unknown_county", str(exc)) from exc
    except TerritoryError as exc:
        raise CliError("invalid_code", str(exc)) from exc
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)
    if summary.all_rejected:
        raise CliError("all_rejected", summary.all_rejected_message)


def _print_summary(summary: service.ImportSummary) -> None:
    for note in summary.notes:
        click.echo(f"说明      {note}")
    for unit in summary.territory.created:
        click.echo(f"新建{LEVEL_LABELS_ZH[unit['level']]}    {unit['code']} {unit['name']}")
    for renamed in summary.territory.renamed:
        click.echo(f"村改名    {renamed['code']} {renamed['from']} → {renamed['to']}")
    for kept in summary.territory.names_kept:
        click.echo(f"村名未改  {kept['code']} {kept['name']} (文件中为 {kept['file_name']}; 改名请加 --rename-villages)")
    for feature in summary.repaired:
        click.echo(f"已修复    第 {feature.index} 个要素 ({feature.code}): {feature.repair_note}")
    for rejected in summary.rejected:
        click.echo(f"已拒绝    第 {rejected.index} 个要素 ({rejected.code}): {rejected.reason}")
    click.echo(f"新增 {summary.created}, 更新 {summary.updated}, 未变 {summary.unchanged}, "
               f"拒绝 {len(summary.rejected)} (修复 {len(summary.repaired)})")

