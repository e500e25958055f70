"""Patrol coverage (/coverage): this month's routine tasks per village, parcels never patrolled, and a map of a
township's parcels coloured by the days since their last complete inspection."""

from __future__ import annotations

from datetime import datetime, time

from flask import render_template, request
from marshmallow import EXCLUDE, Schema, fields, validate
from shapely.geometry import mapping

from server.accounts.scopes import townships_in_scope
from server.db_types import utcnow
from server.patrols.coverage import parcel_last_patrols, village_coverage
from server.web import web
from server.web.schemas import query_args
from server.web.shell import DISPLAY_ZONE, REVIEWERS, page, signed_in_user

# Days since the last complete inspection → colour; a parcel never inspected is grey.
RECENCY_BUCKETS = [(15, "#2e8b3a", "15 天内"), (30, "#9acd32", "16–30 天"), (60, "#f0a030", "31–60 天"),
                   (None, "#d0342c", "60 天以上")]
NEVER = ("#9e9e9e", "从未巡查")


class CoverageArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    month = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    township = fields.String(load_default=None, validate=validate.Regexp(r"^\d{9}$"))


@web.get("/coverage")
@page(*REVIEWERS)
def coverage():
    user = signed_in_user()
    args = query_args(CoverageArgs(), request.args)
    now = utcnow()
    month = args["month"] or now.astimezone(DISPLAY_ZONE).strftime("%Y-%m")
    year, number = map(int, month.split("-"))
    start = datetime.combine(datetime(year, number, 1).date(), time(), DISPLAY_ZONE)
    end = datetime.combine(datetime(year + number // 12, number % 12 + 1, 1).date(), time(), DISPLAY_ZONE)
    townships = townships_in_scope(user)
    township = args["township"] or (townships[0].code if townships else None)  # a reviewer: their own
    rows = village_coverage(user, start, end, now)
    parcels = parcel_last_patrols(user, township)
    return render_template("coverage.html", rows=rows, month=month, townships=townships, township=township,
                           map_data=_recency_map(parcels, now), buckets=RECENCY_BUCKETS, never=NEVER,
                           totals={key: sum(getattr(r, key) for r in rows)
                                   for key in ("parcels", "never_patrolled", "due", "done", "overdue")})


def _recency_map(parcels, now: datetime) -> dict:
    features = []
    for parcel, last_at in parcels:
        days = (now - last_at).days if last_at else None
        colour, label = NEVER if days is None else _bucket(days)
        features.append({"type": "Feature", "geometry": mapping(parcel.geometry),
                         "properties": {"fill": colour, "label": f"{parcel.code} · "
                                        + (f"{days} 天前巡查" if days is not None else "从未巡查")}})
    return {"type": "FeatureCollection", "features": features}


def _bucket(days: int) -> tuple[str, str]:
    return next((colour, label) for limit, colour, label in RECENCY_BUCKETS if limit is None or days <= limit)
