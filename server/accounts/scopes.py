"""Territorial scope: which villages a user may act for, and which townships they see.

Inspectors act for their own villages, township reviewers for the villages of their township, county
admins for the whole county. Every query and check goes through these functions so that the rule
lives in one place.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from server.accounts.models import Role, User, inspector_villages
from server.extensions import db
from server.territory.models import Township, Village


def village_scope(user: User) -> ColumnElement[bool]:
    """A condition on `Village` selecting the villages in the user's scope."""
    role = user.role_enum
    if role is Role.INSPECTOR:
        return Village.id.in_(select(inspector_villages.c.village_id).where(inspector_villages.c.user_id == user.id))
    if role is Role.TOWNSHIP_REVIEWER:
        return Village.township_id == user.township_id
    return Village.township_id.in_(select(Township.id).where(Township.county_id == user.county_id))


def township_scope(user: User) -> ColumnElement[bool]:
    """A condition on `Township` selecting the townships in the user's scope (an inspector's: those of their
    villages)."""
    role = user.role_enum
    if role is Role.INSPECTOR:
        return Township.id.in_(select(Village.township_id).join(inspector_villages,
                                                                inspector_villages.c.village_id == Village.id)
                               .where(inspector_villages.c.user_id == user.id))
    if role is Role.TOWNSHIP_REVIEWER:
        return Township.id == user.township_id
    return Township.county_id == user.county_id


def townships_in_scope(user: User) -> list[Township]:
    """The townships the user sees, by code (the web pages' township choices)."""
    return db.session.scalars(select(Township).where(township_scope(user)).order_by(Township.code)).all()


def can_act_for_village(user: User, village: Village) -> bool:
    """An inspector acts for their own villages; a reviewer or admin for every village of a township they see."""
    if user.role_enum is Role.INSPECTOR:
        return user.is_active and any(v.id == village.id for v in user.villages)
    return can_see_township(user, village.township)


def can_see_township(user: User, township: Township) -> bool:
    if not user.is_active:
        return False
    role = user.role_enum
    if role is Role.INSPECTOR:
        return any(v.township_id == township.id for v in user.villages)
    if role is Role.TOWNSHIP_REVIEWER:
        return township.id == user.township_id
    return township.county_id == user.county_id


def territory_summary(user: User) -> dict:
    """The user's scope as the API shows it."""
    role = user.role_enum
    summary: dict = {"role": role.value, "county": user.county.code}
    if role is Role.INSPECTOR:
        summary["villages"] = [v.code for v in user.villages]
    elif role is Role.TOWNSHIP_REVIEWER:
        summary["township"] = user.township.code if user.township else None
    return summary
