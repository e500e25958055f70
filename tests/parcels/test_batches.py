"""A streamed import is the same import whatever the batch size: the database, the change log and the summary
match one batch exactly, with rejections and duplicates on either side of batch boundaries."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point, Polygon
from sqlalchemy import select

from server.extensions import db
from server.parcels.models import Parcel
from server.parcels.service import import_parcel_file
from server.sync import changelog
from server.sync.models import SyncChange
from server.territory.models import County, Township, Village

VILLAGES = ("3301100010010000000", "3301100010020000000", "3301100020010000000")


def _square(i: int) -> Polygon:
    x, y = 120.2 + (i % 10) * 0.001, 30.3 + (i // 10) * 0.001
    return Polygon([(x, y), (x + 0.0005, y), (x + 0.0005, y + 0.0005), (x, y + 0.0005)])


def survey(layer_file, name: str, *, land_use: str = "0101"):
    """40 parcels in three villages; a duplicate code straddles a boundary of batches of 7 (features 3 and
    9), others are rejected (no code, a point, a bad village code) or repaired (a bowtie)."""
    count = 40
    geoms: list = [_square(i) for i in range(count)]
    codes = [f"P{i:03d}" for i in range(count)]
    villages = [VILLAGES[i % 3] for i in range(count)]
    codes[9] = codes[3]
    codes[13] = None
    geoms[20] = Point(120.2, 30.3)
    villages[27] = "33011"
    x, y = 120.25, 30.35
    geoms[34] = Polygon([(x, y), (x + 0.001, y + 0.001), (x + 0.001, y), (x, y + 0.001)])
    land_uses = [land_use if i % 2 else "0102" for i in range(count)]
    fields = {"TBBH": np.array(codes, dtype=object), "ZLDWDM": np.array(villages, dtype=object),
              "ZLDWMC": np.array(["西溪村"] * count, dtype=object), "DLBM": np.array(land_uses, dtype=object)}
    return layer_file(geoms, fields, name=name, geometry_type="Unknown")


def contents() -> tuple[list, list]:
    """Parcels (every column but ids and times; villages by code) and change-log rows, in a comparable order.
    Not the content hash: it covers the territory ids, which PostgreSQL does not hand out again after `wipe`."""
    skipped = {"id", "county_id", "village_id", "created_at", "updated_at", "content_hash"}
    columns = [c for c in Parcel.__table__.c if c.name not in skipped]
    parcels = [tuple(row) for row in db.session.execute(
        select(Village.code, *columns).join(Village, Parcel.village_id == Village.id).order_by(Parcel.code))]
    changes = sorted(tuple(row) for row in db.session.execute(
        select(SyncChange.entity, SyncChange.entity_key, Village.code, SyncChange.op)
        .join(Village, SyncChange.village_id == Village.id)))
    return parcels, changes


def run_imports(app, layer_file) -> list:
    """Import, re-import unchanged, import with a changed attribute: each summary and the contents after."""
    first, changed = survey(layer_file, "first.gpkg"), survey(layer_file, "changed.gpkg", land_use="0103")
    outcome = []
    for path in (first, first, changed):
        summary = import_parcel_file(path, create_territory=True)
        outcome.append((summary.to_dict(), contents()))
    return outcome


def wipe() -> None:
    for model in (SyncChange, Parcel, Village, Township, County):
        db.session.execute(model.__table__.delete())
    db.session.commit()


def test_tiny_batches_give_the_same_database_and_summaries_as_one(app, make_app, layer_file, monkeypatch):
    with make_app(parcel_import_batch=20_000).app_context():
        one_batch = run_imports(app, layer_file)
        wipe()
    monkeypatch.setattr(changelog, "_SPILL_ROWS", 5)  # the change log goes through its temporary table too
    with make_app(parcel_import_batch=7).app_context():
        tiny = run_imports(app, layer_file)

    (first, _), (again, _), (changed, _) = tiny
    assert (first["created"], first["updated"], first["unchanged"]) == (36, 0, 0)
    assert [r["index"] for r in first["rejected"]] == [9, 13, 20, 27]
    assert "first at feature 3" in first["rejected"][0]["reason"]
    assert [r["index"] for r in first["repaired"]] == [34]
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 36)
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 17, 19)
    for (summary, (parcels, changes)), (expected, (expected_parcels, expected_changes)) in zip(tiny, one_batch):
        assert summary == expected
        assert parcels == expected_parcels
        assert changes == expected_changes


def test_progress_counts_every_feature_twice_in_batches(app, make_app, layer_file):
    steps, totals = [], []
    with make_app(parcel_import_batch=7).app_context():
        import_parcel_file(survey(layer_file, "first.gpkg"), create_territory=True, progress=steps.append,
                           on_total=totals.append)
    assert totals == [80] and sum(steps) == 80 and max(steps) == 7


@pytest.mark.parametrize("size", [0, 20_001])
def test_the_batch_size_is_checked_at_start_up(make_app, size):
    from server.config import ConfigError

    with pytest.raises(ConfigError, match="PARCEL_IMPORT_BATCH"):
        make_app(parcel_import_batch=size)


def test_a_running_jobs_progress_is_shown_while_its_import_holds_the_database(app):
    """SQLite: the import's transaction holds the write lock from its first batch, so the count goes through the
    job's folder; PostgreSQL: through the job row. Either way the job page reads it."""
    from server.accounts import service as accounts
    from server.accounts.models import Role
    from server.parcels import import_jobs
    from server.territory import service as territory

    territory.ensure_county("330110", "西湖区")
    admin = accounts.create_user("westlake", "long-enough", Role.COUNTY_ADMIN, county_code="330110")
    job = import_jobs.ParcelImportJob(county_id=admin.county_id, created_by_id=admin.id, file_name="DLTB.gpkg",
                                      options={}, status=import_jobs.ImportStatus.RUNNING.value)
    db.session.add(job)
    db.session.commit()
    import_jobs._folder(job.id).mkdir(parents=True)
    progress = import_jobs._Progress(app, job.id)
    progress.set_total(40_000)
    progress(6000)
    db.session.expire_all()
    assert (import_jobs.county_job(admin, job.id).processed, job.total) == (6000, 40_000)
    assert [j.processed for j in import_jobs.county_jobs(admin)] == [6000]
