"""Administration for the county admin: users (/admin/users), devices (/admin/devices) and the parcel import
(/admin/parcels, in server/web/parcel_import.py). Every user and device acted on is looked up within the
admin's county; anything else is a 404."""

from __future__ import annotations

import io

import segno
from flask import abort, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select

from server.accounts import service as accounts
from server.accounts import villages as assigned_villages
from server.accounts.models import ROLE_LABELS_ZH, Device, Role, User
from server.accounts.scopes import townships_in_scope, village_scope
from server.errors import ApiError
from server.extensions import db
from server.territory.models import Village
from server.web import web
from server.web.schemas import NewDeviceForm, NewUserForm, PasswordForm, VillagesForm, form_args
from server.web.shell import ADMINS, page, signed_in_user, territory_label


_NEW_DEVICE_KEY = "new_device"


def _county_villages(admin: User) -> list[Village]:
    return list(db.session.scalars(select(Village).where(village_scope(admin)).order_by(Village.code)))


def _render_users(error: str | None = None, form: dict | None = None, status: int = 200):
    admin = signed_in_user()
    users = db.session.scalars(select(User).where(User.county_id == admin.county_id)
                               .order_by(User.role, User.username)).all()
    townships = townships_in_scope(admin)
    return render_template("admin/users.html", users=users, roles=ROLE_LABELS_ZH, townships=townships,
                           villages=_county_villages(admin), territory_of=territory_label, error=error,
                           form=form or {}), status


@web.get("/admin/users")
@page(*ADMINS)
def admin_users():
    return _render_users()


@web.post("/admin/users")
@page(*ADMINS)
def admin_create_user():
    admin = signed_in_user()
    try:
        data = form_args(NewUserForm(), request.form, lists=("villages",))
        user = accounts.create_user(data["username"], data["password"], data["role"],
                                    display_name=data["display_name"], county_code=admin.county.code,
                                    township_code=data["township"], village_codes=data["villages"])
    except (ApiError, accounts.AccountError) as err:
        db.session.rollback()
        form = {k: v for k, v in request.form.items() if k != "password"} | {"villages": request.form.getlist("villages")}
        return _render_users(error=_message(err), form=form, status=422)
    flash(f"已创建用户 {user.username}({ROLE_LABELS_ZH[user.role_enum]})", "ok")
    return redirect(url_for("web.admin_users"))


@web.post("/admin/users/<int:user_id>/<any(disable, enable):change>")
@page(*ADMINS)
def admin_set_active(user_id: int, change: str):
    return _act_on_user(user_id, lambda user: accounts.set_active(user, change == "enable", by=signed_in_user()),
                        "已启用用户 {}" if change == "enable" else "已停用用户 {}")


@web.post("/admin/users/<int:user_id>/password")
@page(*ADMINS)
def admin_reset_password(user_id: int):
    return _act_on_user(user_id, lambda user: accounts.set_password(
        user, form_args(PasswordForm(), request.form)["password"]), "已重置 {} 的密码")


@web.post("/admin/users/<int:user_id>/villages")
@page(*ADMINS)
def admin_assign_villages(user_id: int):
    return _act_on_user(user_id, lambda user: assigned_villages.set_villages(
        user, form_args(VillagesForm(), request.form, lists=("villages",))["villages"]), "已更新 {} 负责的村")


def _act_on_user(user_id: int, act, done: str):
    """One change to a user of the admin's county; a refusal comes back on the users page."""
    user = _user_or_404(user_id)
    try:
        act(user)
    except (ApiError, accounts.AccountError) as err:
        db.session.rollback()
        return _render_users(error=f"{user.username}: {_message(err)}", status=422)
    flash(done.format(user.username), "ok")
    return redirect(url_for("web.admin_users"))


def _render_devices(new_device: Device | None = None, token: str | None = None, error: str | None = None,
                    status: int = 200):
    admin = signed_in_user()
    devices = db.session.scalars(select(Device).join(User).where(User.county_id == admin.county_id)
                                 .order_by(Device.id.desc())).all()
    inspectors = db.session.scalars(select(User).where(User.county_id == admin.county_id, User.is_active.is_(True),
                                                       User.role == Role.INSPECTOR.value).order_by(User.username)).all()
    # The phone app (docs/phone-app.md) pairs from this link: it checks the token, keeps it, drops it from the URL.
    pairing = f"{request.url_root}app/#pair={token}" if token else None
    return render_template("admin/devices.html", devices=devices, inspectors=inspectors, new_device=new_device,
                           token=token, qr_svg=_qr_svg(pairing) if pairing else None, pairing=pairing,
                           error=error), status


def _qr_svg(text: str) -> str:
    """The pairing QR code as inline SVG, drawn on the server: no script, nothing fetched."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True,
                                     title="设备配对二维码")
    return out.getvalue().decode()


@web.get("/admin/devices")
@page(*ADMINS)
def admin_devices():
    """Right after a device is added its token is shown here, once: it travels from the POST in the (signed,
    HttpOnly) session and is removed from it by this response. Reloading the page shows it no more."""
    added = session.pop(_NEW_DEVICE_KEY, None)
    if added is None:
        return _render_devices()
    device = accounts.county_device(signed_in_user(), added["id"])
    body, status = _render_devices(new_device=device, token=added["token"])
    return body, status, {"Cache-Control": "no-store"}


@web.post("/admin/devices")
@page(*ADMINS)
def admin_add_device():
    """Only the token's hash is stored; the token itself goes to the next page view (Post/Redirect/Get, so a
    reload never registers a second device)."""
    try:
        data = form_args(NewDeviceForm(), request.form)
        device, token = accounts.register_device(_user_or_404(data["user_id"]), data["name"])
    except (ApiError, accounts.AccountError) as err:
        db.session.rollback()
        return _render_devices(error=_message(err), status=422)
    session[_NEW_DEVICE_KEY] = {"id": device.id, "token": token}
    return redirect(url_for("web.admin_devices"))


@web.post("/admin/devices/<int:device_id>/revoke")
@page(*ADMINS)
def admin_revoke_device(device_id: int):
    device = accounts.county_device(signed_in_user(), device_id) or abort(404)
    accounts.revoke_device(device.id)
    flash(f"已吊销设备 {device.name}(#{device.id}), 该设备将无法再同步", "ok")
    return redirect(url_for("web.admin_devices"))


def _user_or_404(user_id: int) -> User:
    return accounts.county_user(signed_in_user(), user_id) or abort(404)


def _message(err: Exception) -> str:
    return err.message if isinstance(err, ApiError) else str(err)
