"""`farmpatrol parcels import`: reading real survey formats into the registry, upsert by code."""

import json

import pyogrio
import shapely
import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.parcels.models import Parcel
from server.territory.models import Village


def run_import(runner, *args):
    result = runner.invoke(args=["parcels", "import", *map(str, args)])
    return result


def summary_of(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.output[result.output.index("{"):])


@pytest.mark.parametrize("kind", ["gpkg-4528", "zip-shp-4528", "geojson-4490"])
def test_import_then_reimport_changes_nothing(app, runner, sample_file, samples, kind):
    path = sample_file(kind)
    first = summary_of(run_import(runner, path, "--create-territory", "--json"))
    assert (first["created"], first["updated"], first["unchanged"], first["rejected"]) == (5, 0, 0, [])
    again = summary_of(run_import(runner, path, "--json"))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 5)

    parcels = {p.code: p for p in db.session.scalars(select(Parcel))}
    assert set(parcels) == {s.code for s in samples}
    for sample in samples:
        parcel = parcels[sample.code]
        planar_mu = sample.geometry_4528.area / (10000 / 15)
        assert parcel.area_mu == pytest.approx(planar_mu, rel=0.005)
        assert parcel.land_use_code == sample.land_use_code
        assert parcel.village.code == sample.zldwdm[:12]
        assert parcel.min_lon < parcel.geometry.centroid.x < parcel.max_lon
    villages = set(db.session.scalars(select(Village.code)))
    assert villages == {"330110001001", "330110001002"}


def _imported_then_changed(runner, layer_file, path, field: str, first_value: str):
    """Import `path`, then write a copy of it whose first feature has `field` set to `first_value`."""
    summary_of(run_import(runner, path, "--create-territory", "--json"))
    meta, _, geometry, values = pyogrio.raw.read(str(path))
    fields = dict(zip(meta["fields"], values))
    fields[field] = fields[field].copy()
    fields[field][0] = first_value
    return layer_file(list(shapely.from_wkb(geometry)), fields, crs="EPSG:4528", name="changed.gpkg", layer="DLTB",
                      geometry_type="MultiPolygon")


def test_changed_attribute_updates_one_parcel(app, runner, layer_file, sample_file, samples):
    changed = _imported_then_changed(runner, layer_file, sample_file("gpkg-4528"), "DLBM", "0103")
    second = summary_of(run_import(runner, changed, "--json"))
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 1, 4)
    assert db.session.scalar(select(Parcel.land_use_code).where(Parcel.code == samples[0].code)) == "0103"


def test_missing_crs_is_refused_with_a_hint_then_accepted_with_option(app, runner, shapefile_without_prj):
    path = shapefile_without_prj(4528)
    refused = run_import(runner, path)
    assert refused.exit_code != 0
    assert "--crs" in refused.output and "EPSG:4528" in refused.output
    assert db.session.scalar(select(func.count(Parcel.id))) == 0
    accepted = summary_of(run_import(runner, path, "--crs", "EPSG:4528", "--create-territory", "--json"))
    assert accepted["created"] == 5


def test_county_option_rejects_foreign_parcels_and_fails_when_none_is_taken(app, runner, sample_file):
    assert runner.invoke(args=["territory", "add-county", "330111", "邻县"]).exit_code == 0
    result = run_import(runner, sample_file("gpkg-4528"), "--county", "330111", "--json")
    assert result.exit_code == 1 and "[all_rejected]" in result.output
    summary = json.loads(result.output[result.output.index("{"):result.output.rindex("}") + 1])
    assert summary["created"] == 0 and len(summary["rejected"]) == 5
    assert "不属于县 330111" in summary["rejected"][0]["reason"]


def test_text_summary_and_unknown_field_mapping(app, runner, sample_file):
    path = sample_file("gpkg-4490")
    text = run_import(runner, path, "--create-territory")
    assert text.exit_code == 0 and "新增 5, 更新 0, 未变 0, 拒绝 0" in text.output
    bad = run_import(runner, path, "--field", "colour=TBBH")
    assert bad.exit_code != 0 and "colour" in bad.output


def test_an_unknown_county_is_refused_up_front(app, runner, sample_file):
    result = run_import(runner, sample_file("gpkg-4528"), "--county", "999998")
    assert result.exit_code == 1
    assert "错误: 县 999998 不存在" in result.output and result.output.rstrip().endswith("[unknown_county]")
    assert db.session.scalar(select(func.count(Parcel.id))) == 0
    malformed = run_import(runner, sample_file("gpkg-4528"), "--county", "33011", "--create-territory")
    assert malformed.exit_code == 1 and "[invalid_code]" in malformed.output


def test_a_county_is_created_only_when_asked_and_reported(app, runner, sample_file):
    path = sample_file("gpkg-4528")
    refused = run_import(runner, path, "--json")
    assert refused.exit_code == 1 and "[all_rejected]" in refused.output
    assert "县 330110 不存在" in refused.output and "--create-territory" in refused.output
    assert db.session.scalar(select(func.count(Village.id))) == 0

    created = summary_of(run_import(runner, path, "--create-territory", "--json"))["territory"]
    assert created["created"] == [
        {"level": "county", "code": "330110", "name": "县 330110"},
        {"level": "township", "code": "330110001", "name": "乡镇 330110001"},
        {"level": "village", "code": "330110001001", "name": "西溪村"},
        {"level": "village", "code": "330110001002", "name": "西溪村"}]
    text = run_import(runner, path)
    assert text.exit_code == 0 and "新建" not in text.output


def test_existing_village_names_are_kept_unless_asked(app, runner, sample_file):
    assert runner.invoke(args=["territory", "add-county", "330110", "测试县"]).exit_code == 0
    assert runner.invoke(args=["territory", "add-village", "330110001001", "联丰村"]).exit_code == 0
    path = sample_file("gpkg-4528")
    summary = summary_of(run_import(runner, path, "--json"))
    assert summary["territory"]["names_kept"] == [{"code": "330110001001", "name": "联丰村", "file_name": "西溪村"}]
    assert summary["territory"]["created"] == [{"level": "village", "code": "330110001002", "name": "西溪村"}]
    assert db.session.scalar(select(Village.name).where(Village.code == "330110001001")) == "联丰村"
    text = run_import(runner, path)
    assert "村名未改  330110001001 联丰村 (文件中为 西溪村; 改名请加 --rename-villages)" in text.output

    renamed = summary_of(run_import(runner, path, "--rename-villages", "--json"))["territory"]
    assert renamed["renamed"] == [{"code": "330110001001", "from": "联丰村", "to": "西溪村"}]
    assert db.session.scalar(select(Village.name).where(Village.code == "330110001001")) == "西溪村"


def test_one_progress_total_over_reading_and_writing(app, sample_file):
    from server.parcels.service import import_parcel_file

    totals, steps = [], []
    import_parcel_file(sample_file("gpkg-4528"), create_territory=True, on_total=totals.append,
                       progress=steps.append)
    assert totals == [10] and sum(steps) == 10


def test_a_parcel_moved_to_another_village_reaches_both(app, runner, layer_file, sample_file, samples):
    from server.sync.models import SyncChange

    moved = _imported_then_changed(runner, layer_file, sample_file("gpkg-4528"), "ZLDWDM", "3301100010020000000")
    assert summary_of(run_import(runner, moved, "--json"))["updated"] == 1
    villages = db.session.scalars(select(Village.code).join(SyncChange, SyncChange.village_id == Village.id)
                                  .where(SyncChange.entity_key == samples[0].code))
    assert sorted(villages) == ["330110001001", "330110001001", "330110001002"]  # created, then moved


def test_times_are_stored_as_the_orm_stores_them(app, runner, sample_file, monkeypatch):
    """The bulk INSERT bypasses SQLAlchemy's types: SQLite must still get its fixed-width text (a whole second
    included), PostgreSQL a naive UTC timestamp, and both read back as the aware time."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    from server.parcels import service

    at = datetime(2026, 5, 1, 8, 0, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(service, "utcnow", lambda: at)
    summary_of(run_import(runner, sample_file("gpkg-4528"), "--create-territory", "--json"))
    stored = {time for row in db.session.execute(text("SELECT created_at, updated_at FROM parcels")) for time in row}
    expected = "2026-05-01 08:00:00.000000" if db.engine.dialect.name == "sqlite" else at.replace(tzinfo=None)
    assert stored == {expected}
    assert set(db.session.scalars(select(Parcel.created_at))) == {at}
