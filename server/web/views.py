from flask import redirect, render_template, request, url_for
from sqlalchemy import func, select

from server.accounts import service as accounts
from server.accounts.auth import current_principal, log_in, log_out
from server.accounts.models import ROLE_LABELS_ZH
from server.accounts.throttle import sign_in_limits
from server.accounts.scopes import village_scope
from server.extensions import db
from server.parcels.models import Parcel
from server.territory.models import Township, Village
from server.web import web


@web.get("/")
def index():
    if current_principal() is None:
        return redirect(url_for("web.login"))
    return redirect(url_for("web.dashboard"))


@web.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login():
    error = None
    if request.method == "POST":
        user = accounts.authenticate_password(request.form.get("username", ""), request.form.get("password", ""))
        if user is not None:
            log_in(user)
            return redirect(url_for("web.dashboard"))
        error = "用户名或密码错误"
    return render_template("login.html", error=error), (401 if error else 200)


@web.post("/logout")
def logout():
    log_out()
    return redirect(url_for("web.login"))


@web.get("/dashboard")
def dashboard():
    principal = current_principal()
    if principal is None:
        return redirect(url_for("web.login"))
    user = principal.user
    rows = db.session.execute(
        select(Township.name, Village.code, Village.name, func.count(Parcel.id), func.coalesce(func.sum(Parcel.area_mu), 0))
        .join(Village, Village.township_id == Township.id)
        .outerjoin(Parcel, Parcel.village_id == Village.id)
        .where(village_scope(user))
        .group_by(Township.name, Village.code, Village.name)
        .order_by(Village.code)
    ).all()
    return render_template("dashboard.html", user=user, role_label=ROLE_LABELS_ZH[user.role_enum], rows=rows,
                           total_parcels=sum(r[3] for r in rows), total_mu=sum(r[4] for r in rows))
