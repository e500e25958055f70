"""The shell every page shares: who is signed in, the navigation their role gets, and local times.

Navigation is data: a page adds itself with one `NavItem` (the reports and conflicts pages will).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from flask import abort, redirect, request, url_for

from server.accounts.auth import current_principal
from server.accounts.models import ROLE_LABELS_ZH, Role, User
from server.web import web

REVIEWERS = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN})
ADMINS = frozenset({Role.COUNTY_ADMIN})
ALL_ROLES = frozenset(Role)
DISPLAY_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: frozenset[Role]
    section: str  # the first path segment the item stays highlighted for


NAV = [
    NavItem("web.dashboard", "概况", ALL_ROLES, "dashboard"),
    NavItem("web.case_queue", "案件", REVIEWERS, "cases"),
    NavItem("web.coverage", "巡查覆盖", REVIEWERS, "coverage"),
    NavItem("web.conflict_list", "同步冲突", REVIEWERS, "conflicts"),
    NavItem("web.report_list", "补偿报表", REVIEWERS, "reports"),
    NavItem("web.admin_users", "用户", ADMINS, "admin/users"),
    NavItem("web.admin_devices", "设备", ADMINS, "admin/devices"),
    NavItem("web.admin_parcels", "图斑导入", ADMINS, "admin/parcels"),
]


def home_endpoint(user: User) -> str:
    """Where a user lands after signing in: reviewers and admins at their case queue, inspectors at the overview."""
    return "web.case_queue" if user.role_enum in REVIEWERS else "web.dashboard"


def signed_in_user() -> User | None:
    principal = current_principal()
    return principal.user if principal is not None and principal.device is None else None


def page(*roles: Role):
    """Decorator of a page view: sign-in required (back to this page afterwards); 403 for other roles."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = signed_in_user()
            if user is None:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if roles and user.role_enum not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def territory_label(user: User) -> str:
    if user.role_enum is Role.INSPECTOR:
        return "、".join(v.name for v in user.villages)
    if user.role_enum is Role.TOWNSHIP_REVIEWER and user.township is not None:
        return f"{user.county.name} {user.township.name}"
    return user.county.name


@web.app_context_processor
def _shell_context() -> dict:
    user = signed_in_user()
    if user is None:
        return {"user": None, "nav": []}
    section = request.path.strip("/")
    nav = [(item, section.startswith(item.section)) for item in NAV if user.role_enum in item.roles]
    return {"user": user, "role_label": ROLE_LABELS_ZH[user.role_enum], "territory": territory_label(user),
            "nav": nav}


@web.app_template_filter("local")
def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time as shown to people: Asia/Shanghai."""
    return moment.astimezone(DISPLAY_ZONE).strftime(fmt) if moment is not None else "—"


@web.app_template_filter("deadline_day")
def deadline_day(deadline_at: datetime | None) -> str:
    """A rectification deadline is the end of a local day (midnight after it): show that day."""
    if deadline_at is None:
        return "—"
    return (deadline_at.astimezone(DISPLAY_ZONE) - timedelta(microseconds=1)).strftime("%Y-%m-%d")
