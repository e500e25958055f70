"""Sign-in, sign-out and the overview page."""

from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from sqlalchemy import func, select

from server.accounts import service as accounts
from server.accounts.auth import log_in, log_out
from server.accounts.throttle import sign_in_limits
from server.accounts.scopes import village_scope
from server.extensions import db
from server.parcels.models import Parcel
from server.territory.models import Township, Village
from server.web import web
from server.web.shell import home_endpoint, page, signed_in_user


@web.get("/")
def index():
    user = signed_in_user()
    return redirect(url_for(home_endpoint(user) if user else "web.login"))


@web.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login():
    error = None
    next_url = _local_path(request.values.get("next", ""))
    if request.method == "POST":
        user = accounts.authenticate_password(request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            log_in(user)
            return redirect(next_url or url_for(home_endpoint(user)))
        error = "用户名或密码错误"
    return render_template("login.html", error=error, next_url=next_url,
                           username=request.form.get("username", "")), (401 if error else 200)


def _local_path(url: str) -> str:
    """Only a path on this site is a place to return to after sign-in (never another host)."""
    parts = urlsplit(url)
    return url if url.startswith("/") and not url.startswith("//") and not parts.netloc else ""


@web.post("/logout")
def logout():
    log_out()
    return redirect(url_for("web.login"))


@web.get("/dashboard")
@page()
def dashboard():
    user = signed_in_user()
    rows = db.session.execute(
        select(Township.name, Village.code, Village.name, func.count(Parcel.id), func.coalesce(func.sum(Parcel.area_mu), 0))
        .join(Village, Village.township_id == Township.id)
        .outerjoin(Parcel, Parcel.village_id == Village.id)
        .where(village_scope(user))
        .group_by(Township.name, Village.code, Village.name)
        .order_by(Village.code)
    ).all()
    return render_template("dashboard.html", rows=rows, total_parcels=sum(r[3] for r in rows),
                           total_mu=sum(r[4] for r in rows))
