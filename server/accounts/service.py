"""Users and devices: creation, authentication, revocation. Functions here own their transaction."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from server.accounts.models import Device, Role, User
from server.accounts.passwords import dummy_hash, hash_password, verify_password
from server.accounts.policy import password_problem
from server.accounts.tokens import hash_token, new_device_token
from server.db_types import utcnow
from server.errors import PAIRING_INSPECTORS_ONLY, TOKEN_REVOKED, UNAUTHENTICATED, ApiError
from server.extensions import db
from server.territory import service as territory


class AccountError(ValueError):
    """A refused account change: a Chinese message and a stable English code for the command line."""

    def __init__(self, message: str, code: str = "account_refused"):
        super().__init__(message)
        self.code = code


def create_user(username: str, password: str, role: Role | str, *, display_name: str | None = None,
                county_code: str | None = None, township_code: str | None = None,
                village_codes: list[str] | tuple[str, ...] = (), password_hash: str | None = None,
                commit: bool = True) -> User:
    """Create a user bound to the territory their role requires.

    `password_hash` (instead of hashing `password`) lets bulk creation of users sharing one password,
    like the demo county's, pay for the deliberately slow hash once."""
    role = Role(role)
    if get_user(username) is not None:
        raise AccountError(f"用户名已存在: {username}", "user_exists")
    if password_hash is None:
        _check_policy(password, username)
    user = User(username=username, display_name=display_name or username,
                password_hash=password_hash or hash_password(password), role=role.value)
    if role is Role.INSPECTOR:
        if not village_codes:
            raise AccountError("巡查员至少需要一个村 (--village)")
        user.villages = [existing_unit(territory.get_village, code, "村") for code in village_codes]
        counties = {v.township.county_id for v in user.villages}
        if len(counties) != 1:
            raise AccountError("巡查员的村必须属于同一个县")
        user.county_id = counties.pop()
    elif role is Role.TOWNSHIP_REVIEWER:
        if not township_code:
            raise AccountError("乡镇审核员需要一个乡镇 (--township)")
        township = existing_unit(territory.get_township, township_code, "乡镇")
        user.township_id, user.county_id = township.id, township.county_id
    else:
        if not county_code:
            raise AccountError("县级管理员需要一个县 (--county)")
        user.county_id = existing_unit(territory.get_county, county_code, "县").id
    db.session.add(user)
    _finish(commit)
    return user


_FIRST_STEPS = {
    "村": "先导入该村的图斑 (farmpatrol parcels import 文件) 或添加该村 (farmpatrol territory add-village {code} 村名)",
    "乡镇": "先添加该乡镇 (farmpatrol territory add-township {code} 乡镇名)",
    "县": "先添加该县 (farmpatrol territory add-county {code} 县名)",
}


def existing_unit(getter, code: str, label: str):
    unit = getter(code)
    if unit is None:
        raise AccountError(f"{label}不存在: {code}; {_FIRST_STEPS[label].format(code=code)}", "unknown_territory")
    return unit


def get_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def authenticate_password(username: str, password: str) -> User | None:
    """The user when the password is right and the account active. An unknown name costs the same hash as a
    known one, so the answer's timing does not tell which user names exist."""
    user = get_user(username)
    ok = verify_password(user.password_hash if user is not None else dummy_hash(), password)
    if user is None or not user.is_active or not ok:
        return None
    return user


def _check_policy(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem, "weak_password")


def set_password(user: User, password: str) -> User:
    """A new password (by the policy); every session of the user ends."""
    _check_policy(password, user.username)
    user.password_hash = hash_password(password)
    end_sessions(user)
    db.session.commit()
    return user


def set_active(user: User, active: bool, *, by: User | None = None) -> User:
    """Disable (sessions end, device tokens stop working, sign-in is refused) or enable a user. `by` is the
    admin making the change, who cannot disable their own account."""
    if by is not None and user.id == by.id and not active:
        raise AccountError("不能停用自己的账号", "own_account")
    user.is_active = active
    end_sessions(user)
    db.session.commit()
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session cookie issued to the user so far (they carry the generation they were
    issued under). The caller commits."""
    user.session_generation += 1


def register_device(user: User, name: str, *, commit: bool = True) -> tuple[Device, str]:
    """Register a device and return it with its token; the token is not stored and cannot be shown again."""
    if user.role_enum is not Role.INSPECTOR:
        raise AccountError("只有巡查员可以登记设备")
    token = new_device_token()
    device = Device(user_id=user.id, name=name, token_hash=hash_token(token))
    db.session.add(device)
    _finish(commit)
    return device, token


def revoke_device(device_id: int, *, commit: bool = True) -> Device:
    device = db.session.get(Device, device_id)
    if device is None:
        raise AccountError(f"设备不存在: {device_id}")
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    _finish(commit)
    return device


# Built once: every device request runs it.
_DEVICE_BY_TOKEN = select(Device).where(Device.token_hash == bindparam("token_hash")).options(joinedload(Device.user))


def authenticate_device(token: str) -> Device:
    device = db.session.scalar(_DEVICE_BY_TOKEN, {"token_hash": hash_token(token)})
    if device is None or not device.user.is_active:
        raise ApiError(UNAUTHENTICATED, "设备令牌无效")
    if device.is_revoked:
        raise ApiError(TOKEN_REVOKED)
    return device


def _finish(commit: bool) -> None:
    if commit:
        db.session.commit()
    else:
        db.session.flush()


def pair_device(username: str, password: str, device_name: str) -> tuple[Device, str]:
    """Sign a phone in once: the inspector's password registers a device, and the phone keeps only its token."""
    user = authenticate_password(username, password)
    if user is None:
        raise ApiError(UNAUTHENTICATED, "用户名或密码错误", field="password")
    if user.role_enum is not Role.INSPECTOR:
        raise ApiError(PAIRING_INSPECTORS_ONLY, field="username")
    return register_device(user, device_name)


# Administration by a county admin (web UI): users and devices of the admin's own county only.

def county_user(admin: User, user_id: int) -> User | None:
    """A user of the admin's county, or None (another county's users do not exist for them)."""
    return db.session.scalar(select(User).where(User.id == user_id, User.county_id == admin.county_id))


def county_device(admin: User, device_id: int) -> Device | None:
    return db.session.scalar(select(Device).join(User).where(Device.id == device_id,
                                                             User.county_id == admin.county_id))

