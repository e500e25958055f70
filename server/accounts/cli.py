import click
from flask.cli import AppGroup
from sqlalchemy import select

from server.accounts import service, villages
from server.accounts.models import ROLE_LABELS_ZH, Role, User
from server.clitext import CliError
from server.extensions import db

users_cli = AppGroup("users", help="用户与设备: 创建用户、分配辖区、登记设备并输出设备令牌。")


def _refused(exc: service.AccountError) -> CliError:
    return CliError(exc.code, str(exc))


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True,
              help="inspector 村级巡查员, township_reviewer 乡镇审核员, county_admin 县级管理员。")
@click.option("--password", prompt="密码", hide_input=True, confirmation_prompt="再次输入密码",
              help="至少 10 位, 不能是常见密码、不能包含用户名、不能全是数字。")
@click.option("--name", "display_name", help="显示名, 如 张三。")
@click.option("--village", "villages", multiple=True, help="12 位村级代码(巡查员; 可重复)。")
@click.option("--township", help="9 位乡镇代码(乡镇审核员)。")
@click.option("--county", help="6 位县级代码(县级管理员)。")
def create(username, role, password, display_name, villages, township, county):
    """创建用户, 按角色绑定辖区(所需的村、乡镇或县须已存在)。"""
    try:
        user = service.create_user(username, password, role, display_name=display_name, county_code=county,
                                   township_code=township, village_codes=villages)
    except service.AccountError as exc:
        raise _refused(exc) from exc
    click.echo(f"已创建用户 {user.username} ({ROLE_LABELS_ZH[user.role_enum]})")


@users_cli.command("add-device")
@click.argument("username")
@click.option("--name", "device_name", required=True, help="手机名称, 如 'Redmi Note 12'。")
def add_device(username, device_name):
    """为巡查员登记设备并输出其令牌(只显示这一次)。"""
    try:
        device, token = service.register_device(_existing_user(username), device_name)
    except service.AccountError as exc:
        raise _refused(exc) from exc
    click.echo(f"设备 {device.id} 已登记给 {username}; 令牌如下(不保存, 请现在记下):")
    click.echo(token)


@users_cli.command("revoke-device")
@click.argument("device_id", type=int)
def revoke_device(device_id):
    """吊销设备令牌, 该设备不能再同步。"""
    try:
        service.revoke_device(device_id)
    except service.AccountError as exc:
        raise _refused(exc) from exc
    click.echo(f"设备 {device_id} 已吊销")


@users_cli.command("list")
def list_users():
    """列出用户: 角色、辖区与设备(已吊销的标注)。"""
    for user in db.session.scalars(select(User).order_by(User.username)):
        devices = ",".join(f"{d.id}{'(已吊销)' if d.is_revoked else ''}" for d in user.devices)
        click.echo(f"{user.username}\t{user.role}\t{_territory(user)}\t设备:{devices or '-'}")


def _territory(user: User) -> str:
    if user.role_enum is Role.INSPECTOR:
        return ",".join(v.code for v in user.villages)
    return user.township.code if user.township else user.county.code


@users_cli.command("show")
@click.argument("username")
def show_user(username):
    """一个用户的角色、辖区(含名称)和设备。"""
    user = _existing_user(username)
    click.echo(f"用户    {user.username} ({user.display_name})")
    click.echo(f"角色    {user.role} {ROLE_LABELS_ZH[user.role_enum]}{'' if user.is_active else ' (已停用)'}")
    click.echo(f"县      {user.county.code} {user.county.name}")
    if user.township:
        click.echo(f"乡镇    {user.township.code} {user.township.name}")
    for village in user.villages:
        click.echo(f"村      {village.code} {village.name}")
    for device in user.devices:
        state = f"已吊销 {device.revoked_at:%Y-%m-%d}" if device.is_revoked else "有效"
        click.echo(f"设备    {device.id} {device.name} ({state})")


@users_cli.command("add-village")
@click.argument("username")
@click.argument("village_code")
def add_village(username, village_code):
    """给巡查员再分配一个村(同一县内); 设备下次同步时取得该村的任务和图斑。"""
    _change_villages(villages.add_village, username, village_code)


@users_cli.command("remove-village")
@click.argument("username")
@click.argument("village_code")
def remove_village(username, village_code):
    """取消巡查员的一个村(至少保留一个)。"""
    _change_villages(villages.remove_village, username, village_code)


def _change_villages(change, username: str, village_code: str) -> None:
    try:
        user = change(username, village_code)
    except service.AccountError as exc:
        raise _refused(exc) from exc
    click.echo(f"{username} 的村: {_territory(user)}")


@users_cli.command("disable")
@click.argument("username")
def disable(username):
    """停用用户: 其登录会话失效, 设备令牌不能再同步, 不能再登录。"""
    _set_active(username, False)
    click.echo(f"已停用用户 {username}")


@users_cli.command("enable")
@click.argument("username")
def enable(username):
    """重新启用已停用的用户。"""
    _set_active(username, True)
    click.echo(f"已启用用户 {username}")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password", prompt="新密码", hide_input=True, confirmation_prompt="再次输入新密码",
              help="至少 10 位, 不能是常见密码、不能包含用户名、不能全是数字。")
def set_password(username, password):
    """设置新密码(按密码规则检查); 该用户的所有登录会话失效。"""
    try:
        service.set_password(_existing_user(username), password)
    except service.AccountError as exc:
        raise _refused(exc) from exc
    click.echo(f"已为 {username} 设置新密码, 其所有登录会话已失效")


def _set_active(username: str, active: bool) -> None:
    try:
        service.set_active(_existing_user(username), active)
    except service.AccountError as exc:
        raise _refused(exc) from exc


def _existing_user(username: str) -> User:
    user = service.get_user(username)
    if user is None:
        raise CliError("unknown_user", f"用户不存在: {username} (farmpatrol users list 列出全部)")
    return user
