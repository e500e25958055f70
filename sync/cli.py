"""`farmpatrol-device`: an inspector's phone on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sync.client import DeviceClient, load_answers, photos_in
from sync.transport import SyncError

DEFAULT_HOME = "~/.farmpatrol-device"


@click.group(help="巡查设备客户端: 离线记录巡查,联网后同步。")
@click.option("--home", default=DEFAULT_HOME, show_default=True, type=click.Path(file_okay=False),
              envvar="FARMPATROL_DEVICE_HOME", help="本机数据目录(发件箱与照片)")
@click.pass_context
def main(ctx, home):
    ctx.obj = DeviceClient(Path(home).expanduser())
    ctx.call_on_close(ctx.obj.close)


@main.command()
@click.option("--server", required=True, help="服务器地址,如 https://farmpatrol.example.cn")
@click.option("--token", required=True, help="设备令牌")
@click.pass_obj
def configure(client: DeviceClient, server, token):
    """设置服务器与设备令牌。"""
    client.configure(server, token)
    click.echo("已配置")


@main.command()
@click.option("--parcel", "parcel_code", required=True, help="图斑编号")
@click.option("--form", "form_id", default="farmland_patrol", show_default=True)
@click.option("--form-version", type=int, help="默认: 本机已同步的最新版本")
@click.option("--answers", required=True, help="答案 JSON,或 @文件")
@click.option("--photos", "photo_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--role-map", default="", help="照片类型,如 IMG_1.jpg=distant,IMG_2.jpg=close(默认: 远景、近景、其余为局部)")
@click.option("--lat", type=float)
@click.option("--lon", type=float)
@click.option("--accuracy", type=float, help="定位精度(米)")
@click.option("--task", "task_id", help="巡查任务 UUID")
@click.pass_obj
def record(client: DeviceClient, parcel_code, form_id, form_version, answers, photo_dir, role_map, lat, lon,
           accuracy, task_id):
    """离线记录一次巡查(照片复制进发件箱)。"""
    roles = dict(pair.split("=", 1) for pair in role_map.split(",") if pair)
    location = {"lat": lat, "lon": lon, "accuracy_m": accuracy, "crs": "WGS84"} if lat is not None and lon is not None else None
    try:
        uuid = client.record(parcel_code, form_id, load_answers(answers), photos_in(photo_dir) if photo_dir else [],
                             roles=roles, form_version=form_version, location=location, task_id=task_id)
    except (SyncError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(uuid)


@main.command()
@click.pass_obj
def sync(client: DeviceClient):
    """推送记录、上传照片(断点续传)、拉取任务/图斑/表单。"""
    try:
        report = client.sync()
    except SyncError as exc:
        raise click.ClickException(f"同步中断,下次同步将继续: {exc}") from exc
    click.echo(json.dumps(report.__dict__, ensure_ascii=False))
    if report.errors:
        raise SystemExit(1)


@main.command()
@click.pass_obj
def status(client: DeviceClient):
    """发件箱状态。"""
    click.echo(json.dumps(client.status(), ensure_ascii=False, indent=2))
