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
    first = summary_of(run_import(runner, path, "--json"))
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


def test_changed_attribute_updates_one_parcel(app, runner, layer_file, sample_file, samples):
    path = sample_file("gpkg-4528")
    summary_of(run_import(runner, path, "--json"))
    meta, _, geometry, values = pyogrio.raw.read(str(path))
    fields = dict(zip(meta["fields"], values))
    fields["DLBM"] = fields["DLBM"].copy()
    fields["DLBM"][0] = "0103"
    changed = layer_file(list(shapely.from_wkb(geometry)), fields, crs="EPSG:4528", name="changed.gpkg", layer="DLTB",
                         geometry_type="MultiPolygon")
    second = summary_of(run_import(runner, changed, "--json"))
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 1, 4)
    assert db.session.scalar(select(Parcel.land_use_code).where(Parcel.code == samples[0].code)) == "0103"


def test_missing_crs_is_refused_with_a_hint_then_accepted_with_option(app, runner, shapefile_without_prj):
    path = shapefile_without_prj(4528)
    refused = run_import(runner, path)
    assert refused.exit_code != 0
    assert "--crs" in refused.output and "EPSG:4528" in refused.output
    assert db.session.scalar(select(func.count(Parcel.id))) == 0
    accepted = summary_of(run_import(runner, path, "--crs", "EPSG:4528", "--json"))
    assert accepted["created"] == 5


def test_county_option_rejects_foreign_parcels(app, runner, sample_file):
    result = summary_of(run_import(runner, sample_file("gpkg-4528"), "--county", "330111", "--json"))
    assert result["created"] == 0 and len(result["rejected"]) == 5
    assert "不属于县 330111" in result["rejected"][0]["reason"]


def test_text_summary_and_unknown_field_mapping(app, runner, sample_file):
    path = sample_file("gpkg-4490")
    text = run_import(runner, path)
    assert text.exit_code == 0 and "created 5, updated 0, unchanged 0, rejected 0" in text.output
    bad = run_import(runner, path, "--field", "colour=TBBH")
    assert bad.exit_code != 0 and "colour" in bad.output
