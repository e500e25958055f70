"""`farmpatrol-device`: an inspector's phone on the command line."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from server.clitext import CliError
from sync.capture import SOURCE_LABELS_ZH
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


class MomentType(click.ParamType):
    """ISO 8601 time, e.g. 2026-06-01T09:30:00+08:00; without an offset, the device's local time."""

    name = "TIME"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"应为 ISO 8601 时间, 如 2026-06-01T09:30:00+08:00: {value!r}", param, ctx)
        return moment if moment.tzinfo else moment.astimezone()


@main.command()
@click.option("--parcel", "parcel_code", required=True, help="图斑编号")
@click.option("--form", "form_id", default="farmland_patrol", show_default=True, help="表单")
@click.option("--form-version", type=int, help="默认: 本机已同步的最新版本")
@click.option("--answers", required=True, help="答案 JSON,或 @文件")
@click.option("--photo", "role_photos", multiple=True, metavar="ROLE=FILE",
              help="指定照片类型,可重复,如 --photo distant=远景.jpg --photo close=近景.jpg")
@click.option("--photos", "photo_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="照片目录: 按文件名顺序依次为远景、近景,其余为局部")
@click.option("--started-at", type=MomentType(), help="开始时间(默认: 最早的照片拍摄时间)")
@click.option("--finished-at", type=MomentType(), help="结束时间(默认: 最晚的照片拍摄时间)")
@click.option("--lat", type=float, help="纬度(WGS84)")
@click.option("--lon", type=float, help="经度(WGS84)")
@click.option("--accuracy", type=float, help="定位精度(米)")
@click.option("--task", "task_id", help="巡查任务 UUID")
@click.pass_obj
def record(client: DeviceClient, parcel_code, form_id, form_version, answers, role_photos, photo_dir, started_at,
           finished_at, lat, lon, accuracy, task_id):
    """离线记录一次巡查(照片复制进发件箱); 每张照片的拍摄时间取自 EXIF,并说明来源; 最后一行输出记录 UUID。"""
    photos, roles = _photos_and_roles(role_photos, photo_dir)
    location = {"lat": lat, "lon": lon, "accuracy_m": accuracy, "crs": "WGS84"} if lat is not None and lon is not None else None
    try:
        recorded = client.record(parcel_code, form_id, load_answers(answers), photos, roles=roles,
                                 form_version=form_version, location=location, task_id=task_id,
                                 started_at=started_at, finished_at=finished_at)
    except SyncError as exc:
        raise CliError("sync_failed", str(exc)) from exc
    except ValueError as exc:
        raise CliError("record_refused", str(exc)) from exc
    for photo in recorded.photos:
        click.echo(f"照片 {photo.file_name} ({photo.role}): 拍摄于 {photo.taken_at.isoformat()}, "
                   f"来源: {SOURCE_LABELS_ZH[photo.time_source]}")
    click.echo(f"巡查时间 {recorded.started_at.isoformat()} 至 {recorded.finished_at.isoformat()}")
    click.echo(recorded.uuid)


def _photos_and_roles(role_photos: tuple[str, ...], photo_dir: Path | None) -> tuple[list[Path], dict[str, str]]:
    """`--photo ROLE=FILE` pairs first, then a folder's photos in name order (roles by position)."""
    photos, roles = [], {}
    for pair in role_photos:
        role, _, file_name = pair.partition("=")
        path = Path(file_name)
        if not role or not file_name or not path.is_file():
            raise click.BadParameter(f"应为 ROLE=FILE 且文件存在: {pair!r}", param_hint="--photo")
        if roles.get(path.name, role) != role:
            raise click.BadParameter(f"同名照片不能分属两种类型: {path.name}", param_hint="--photo")
        photos.append(path)
        roles[path.name] = role
    return photos + (photos_in(photo_dir) if photo_dir else []), roles


@main.command()
@click.pass_obj
def sync(client: DeviceClient):
    """推送记录、上传照片(断点续传)、拉取任务/图斑/表单。"""
    try:
        report = client.sync()
    except SyncError as exc:
        raise CliError("sync_interrupted", f"同步中断,下次同步将继续: {exc}") from exc
    click.echo(json.dumps(report.__dict__, ensure_ascii=False))
    if report.errors:
        raise CliError("photos_pending", f"{len(report.errors)} 张照片未能上传, 下次同步继续(见 errors)")


@main.command()
@click.pass_obj
def status(client: DeviceClient):
    """发件箱状态。"""
    click.echo(json.dumps(client.status(), ensure_ascii=False, indent=2))
