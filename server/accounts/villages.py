"""An inspector's villages after creation: add one, remove one, or set them all (the web UI's form). Functions
here own their transaction."""

from __future__ import annotations

from server.accounts.models import Role, User
from server.accounts.service import AccountError, existing_unit, get_user
from server.extensions import db
from server.territory import service as territory


def inspector(username: str) -> User:
    user = get_user(username)
    if user is None:
        raise AccountError(f"用户不存在: {username} (farmpatrol users list 列出全部)", "unknown_user")
    _require_inspector(user)
    return user


def _require_inspector(user: User) -> None:
    if user.role_enum is not Role.INSPECTOR:
        raise AccountError(f"{user.username} 不是巡查员: 只有巡查员按村分配", "not_an_inspector")


def add_village(username: str, village_code: str) -> User:
    """Give an inspector one more village of the same county (adding one they have changes nothing)."""
    user = inspector(username)
    village = existing_unit(territory.get_village, village_code, "村")
    if village.township.county_id != user.county_id:
        raise AccountError(f"村 {village_code} 不在 {username} 所在的县: 巡查员的村必须属于同一个县",
                           "other_county")
    if village not in user.villages:
        user.villages.append(village)
    db.session.commit()
    return user


def remove_village(username: str, village_code: str) -> User:
    """Take a village from an inspector; their last village stays (an inspector acts for at least one)."""
    user = inspector(username)
    village = next((v for v in user.villages if v.code == village_code), None)
    if village is None:
        raise AccountError(f"{username} 没有分配村 {village_code}", "village_not_assigned")
    if len(user.villages) == 1:
        raise AccountError(f"{village_code} 是 {username} 唯一的村: 巡查员至少需要一个村, 请先添加另一个村",
                           "last_village")
    user.villages.remove(village)
    db.session.commit()
    return user


def set_villages(user: User, village_codes: list[str]) -> User:
    """Replace an inspector's villages with these (at least one, all of the inspector's county)."""
    _require_inspector(user)
    if not village_codes:
        raise AccountError("巡查员至少需要一个村", "last_village")
    villages = [existing_unit(territory.get_village, code, "村") for code in village_codes]
    foreign = [v.code for v in villages if v.township.county_id != user.county_id]
    if foreign:
        raise AccountError(f"村 {', '.join(foreign)} 不在 {user.username} 所在的县: 巡查员的村必须属于同一个县",
                           "other_county")
    user.villages = villages
    db.session.commit()
    return user
