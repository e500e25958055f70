import click
from flask.cli import AppGroup
from sqlalchemy import select

from server.accounts import service
from server.accounts.models import Role, User
from server.extensions import db

users_cli = AppGroup("users", help="Create users and devices; print device tokens.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", help="Display name (e.g. 张三).")
@click.option("--village", "villages", multiple=True, help="12-digit village code (inspectors; repeatable).")
@click.option("--township", help="9-digit township code (township reviewers).")
@click.option("--county", help="6-digit county code (county admins).")
def create(username, role, password, display_name, villages, township, county):
    """Create a user with a role and its territory."""
    try:
        user = service.create_user(username, password, role, display_name=display_name, county_code=county,
                                   township_code=township, village_codes=villages)
    except service.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created user {user.username} ({user.role})")


@users_cli.command("add-device")
@click.argument("username")
@click.option("--name", "device_name", required=True, help="A name for the phone, e.g. 'Redmi Note 12'.")
def add_device(username, device_name):
    """Register a device for an inspector and print its bearer token (shown once)."""
    user = service.get_user(username)
    if user is None:
        raise click.ClickException(f"no such user: {username}")
    try:
        device, token = service.register_device(user, device_name)
    except service.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"device {device.id} registered for {username}; token (store it now, it is not kept):")
    click.echo(token)


@users_cli.command("revoke-device")
@click.argument("device_id", type=int)
def revoke_device(device_id):
    """Revoke a device token; the device can no longer sync."""
    try:
        service.revoke_device(device_id)
    except service.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"device {device_id} revoked")


@users_cli.command("list")
def list_users():
    """List users with role, territory and devices."""
    for user in db.session.scalars(select(User).order_by(User.username)):
        territory = (",".join(v.code for v in user.villages) if user.role == Role.INSPECTOR.value
                     else user.township.code if user.township else user.county.code)
        devices = ",".join(f"{d.id}{'(revoked)' if d.is_revoked else ''}" for d in user.devices)
        click.echo(f"{user.username}\t{user.role}\t{territory}\tdevices:{devices or '-'}")


@users_cli.command("disable")
@click.argument("username")
def disable(username):
    """Disable a user: sessions end, device tokens stop working, logins are refused."""
    _set_active(username, False)
    click.echo(f"已停用用户 {username}")


@users_cli.command("enable")
@click.argument("username")
def enable(username):
    """Enable a disabled user again."""
    _set_active(username, True)
    click.echo(f"已启用用户 {username}")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password(username, password):
    """Set a new password (checked by the password policy); the user's sessions end."""
    try:
        service.set_password(username, password)
    except service.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已为 {username} 设置新密码, 其所有登录会话已失效")


def _set_active(username: str, active: bool) -> None:
    try:
        service.set_active(username, active)
    except service.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
