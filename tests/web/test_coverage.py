"""Coverage: this month's routine tasks per village (due, done, overdue), parcels never patrolled, the map."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.accounts import service as accounts
from server.db_types import utcnow
from server.extensions import db
from server.patrols import service as patrols
from server.patrols.coverage import village_coverage
from server.patrols.models import PatrolTask, TaskStatus
from tests.web.conftest import SHANGHAI as DISPLAY_ZONE
from tests.reviews.fixtures import GRAIN, inspect
from tests.web.conftest import sign_in


def test_coverage_counts_tasks_of_the_month_and_parcels_never_patrolled(parcels, client):
    now = utcnow()
    patrols.init_default_plans("330481")
    patrols.generate_tasks(county_code="330481", now=now)
    first_due = db.session.scalar(select(func.min(PatrolTask.due_at)))
    # near a month's end generation also makes next month's tasks: take this month's, one per parcel
    tasks = db.session.scalars(select(PatrolTask).where(PatrolTask.parcel_id.in_(
        [parcels["pbf"].id, parcels["grain_zone"].id, parcels["general"].id]), PatrolTask.due_at == first_due)
        .order_by(PatrolTask.id)).all()
    due_month = first_due - timedelta(microseconds=1)  # the month of the tasks' last day
    tasks[0].status = TaskStatus.DONE.value
    tasks[1].status = TaskStatus.OVERDUE.value
    tasks[2].due_at = now - timedelta(hours=1)  # still open, window closed: overdue too
    db.session.commit()
    inspect(parcels["pbf"], GRAIN, at=now - timedelta(days=3))

    local = due_month.astimezone(DISPLAY_ZONE)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    reviewer = accounts.get_user("reviewer101")
    rows = {r.village_code: r for r in village_coverage(reviewer, start, end, now)}
    assert set(rows) == {"330481101201", "330481101202"}  # township 101 only
    village = rows["330481101201"]
    assert (village.parcels, village.never_patrolled) == (10, 9)
    assert village.done == 1 and village.overdue == 2
    assert village.due == sum(1 for t in db.session.scalars(select(PatrolTask)) if t.parcel.village_id ==
                              parcels["pbf"].village_id and t.plan_id is not None and start < t.due_at <= end)

    sign_in(client, "reviewer101")
    page = client.get(f"/coverage?month={local:%Y-%m}").get_data(as_text=True)
    assert "联丰村" in page and '"fill": "#2e8b3a"' in page  # the parcel patrolled three days ago
    assert client.get("/coverage?month=2026-13").status_code == 400


def test_a_basemap_is_configuration_and_off_by_default(sync_demo, client, make_app):
    sign_in(client, "reviewer101")
    assert "data-tiles" not in client.get("/coverage").get_data(as_text=True)
    tiles = "https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}"
    other = make_app(web_basemap_tile_url=tiles, web_basemap_attribution="天地图").test_client()
    sign_in(other, "reviewer101")
    page = other.get("/coverage").get_data(as_text=True)
    assert 'data-tiles="https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&amp;x={x}&amp;y={y}&amp;l={z}"' in page
    assert 'src="/web-static/dist/map.js"' in page and "cdn" not in page.lower()
