from __future__ import annotations

import zipfile
from datetime import date

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from server.parcels.crs import CrsMismatchError, InvalidCrsError, MissingCrsError
from server.parcels.geometry import SQUARE_METRES_PER_MU
from server.parcels.reader import (FieldMapError, LayerSelectionError, MissingColumnError, UnreadableSourceError,
                                   parse_field_map, parse_flag, read_parcels)

VILLAGE = "330110001001"


def lonlat(x: float, y: float, size: float = 0.0005) -> Polygon:
    return Polygon([(x, y), (x + size, y), (x + size, y + size), (x, y + size)])


def dltb(codes, **extra) -> dict[str, np.ndarray]:
    return {"TBBH": np.array(codes, dtype=object), **{k: np.asarray(v, dtype=object) for k, v in extra.items()}}


def test_every_format_reads_the_same_parcels(any_format, samples, expected_lonlat):
    kind, path = any_format
    planar_mu = {s.code: s.geometry_4528.area / SQUARE_METRES_PER_MU for s in samples}

    result = read_parcels(path)

    assert result.rejected == []
    assert [f.code for f in result.features] == [s.code for s in samples]
    assert [f.index for f in result.features] == list(range(len(samples)))
    assert result.crs == f"EPSG:{kind.rsplit('-', 1)[1]}" and result.crs_source == "file"
    for feature in result.features:
        assert feature.geometry.geom_type in ("Polygon", "MultiPolygon")
        assert shapely.hausdorff_distance(feature.geometry, expected_lonlat[feature.code]) < 1e-7
        # Geodesic on the ellipsoid vs planar in the source projection (scale factor ~1 near CM 120°E).
        assert feature.area_mu == pytest.approx(planar_mu[feature.code], rel=0.005)
        assert feature.source_area_m2 == pytest.approx(planar_mu[feature.code] * SQUARE_METRES_PER_MU)
        assert feature.village_code == feature.village_code_raw[:12]
        assert feature.village_name == "西溪村"
        assert feature.repair_note is None and feature.warnings == ()


def test_without_prj_the_error_names_crs_option_and_the_zone(shapefile_without_prj):
    with pytest.raises(MissingCrsError) as caught:
        read_parcels(shapefile_without_prj(4528))

    message = str(caught.value)
    assert "--crs" in message and "EPSG:4528" in message and "40" in message
    assert caught.value.guess.candidates == (4528,)
    assert caught.value.code == "parcels.missing_crs"


def test_without_prj_six_digit_eastings_list_the_central_meridian_candidates(shapefile_without_prj):
    with pytest.raises(MissingCrsError) as caught:
        read_parcels(shapefile_without_prj(4549))

    assert caught.value.guess.candidates == (4548, 4549, 4550)
    assert all(f"EPSG:{code}" in str(caught.value) for code in (4548, 4549, 4550))


@pytest.mark.parametrize("override", ["EPSG:4528", "4528", 4528])
def test_crs_override_reads_a_file_without_prj(shapefile_without_prj, expected_lonlat, override):
    result = read_parcels(shapefile_without_prj(4528), crs=override)

    assert result.crs == "EPSG:4528" and result.crs_source == "override"
    first = result.features[0]
    assert shapely.hausdorff_distance(first.geometry, expected_lonlat[first.code]) < 1e-7


def test_a_wrong_crs_is_caught_by_where_the_parcels_land(shapefile_without_prj):
    with pytest.raises(CrsMismatchError, match="EPSG:4528"):
        read_parcels(shapefile_without_prj(4528), crs="EPSG:4549")


def test_an_override_wins_over_the_file_and_says_so(sample_file, samples):
    path = sample_file("gpkg-4490")

    result = read_parcels(path, crs="EPSG:4326")

    assert result.crs == "EPSG:4326" and "EPSG:4490" in result.notes[0]
    assert len(result.features) == len(samples)


def test_an_unknown_crs_is_a_clear_error(sample_file):
    with pytest.raises(InvalidCrsError, match="EPSG:99999"):
        read_parcels(sample_file("gpkg-4528"), crs="EPSG:99999")


@pytest.mark.parametrize("batch_size", [5000, 2])  # 2: the duplicate of feature 0 comes two batches later
def test_bad_features_are_repaired_or_rejected_by_index(layer_file, batch_size):
    bowtie = Polygon([(120.2, 30.3), (120.201, 30.301), (120.201, 30.3), (120.2, 30.301)])
    holed = Polygon(lonlat(120.21, 30.3, 0.001).exterior, [lonlat(120.2103, 30.3003, 0.0002).exterior])
    geoms = [lonlat(120.2, 30.31), bowtie, Point(120.2, 30.3), None, Polygon(), lonlat(120.22, 30.3),
             lonlat(120.23, 30.3), holed, LineString([(120.2, 30.3), (120.3, 30.3)])]
    codes = ["A", "B", "C", "D", "E", "A", None, "H", "I"]
    path = layer_file(geoms, dltb(codes), name="messy.gpkg", geometry_type="Unknown")

    result = read_parcels(path, batch_size=batch_size)

    assert [(f.index, f.code) for f in result.features] == [(0, "A"), (1, "B"), (7, "H")]
    repaired = result.features[1]
    assert "Self-intersection" in repaired.repair_note and repaired.geometry.is_valid
    assert repaired.geometry.geom_type == "MultiPolygon"
    assert result.repaired == [repaired]
    assert result.features[2].area_mu < result.features[0].area_mu * 4  # the hole is subtracted
    rejected = {r.index: r for r in result.rejected}
    assert sorted(rejected) == [2, 3, 4, 5, 6, 8]
    assert "Point" in rejected[2].reason and rejected[2].code == "C"
    assert "null geometry" in rejected[3].reason
    assert "empty geometry" in rejected[4].reason
    assert "duplicate" in rejected[5].reason and "0" in rejected[5].reason
    assert "missing parcel code" in rejected[6].reason and rejected[6].code is None
    assert "LineString" in rejected[8].reason
    assert result.feature_count == len(result.features) + len(result.rejected)


def test_a_polygon_with_no_area_is_rejected_as_unrepairable(layer_file):
    flat = Polygon([(120.2, 30.3), (120.201, 30.3), (120.202, 30.3), (120.2, 30.3)])
    path = layer_file([flat], dltb(["Z"]), geometry_type="Polygon")

    [rejected] = read_parcels(path).rejected

    assert rejected.index == 0 and "unrepairable" in rejected.reason


def test_custom_field_names_flags_and_dates(layer_file):
    fields = {
        "BH": np.array(["P1", "P2", "P3"], dtype=object),
        "CUNDM": np.array(["3301100010010000000", "330110001002", "3301"], dtype=object),
        "CUNMC": np.array(["西溪村", "东岳村", None], dtype=object),
        "GHZRR": np.array(["张三", None, "  "], dtype=object),
        "XMMC": np.array(["余杭区2021年土地综合整治项目", None, None], dtype=object),
        "YSRQ": np.array(["2021/5/3", "20220110", "不详"], dtype=object),
        "YJJBNT": np.array(["是", "否", "?"], dtype=object),
        "GBZ": np.array([1, 0, 1]),
        "RATE": np.array(["permanent_basic", None, None], dtype=object),
    }
    field_map = parse_field_map(["code=BH", "village_code=CUNDM", "village_name=CUNMC", "is_high_standard=GBZ",
                                 "rate_class=RATE"])
    path = layer_file([lonlat(120.2 + i * 0.001, 30.3) for i in range(3)], fields)

    result = read_parcels(path, field_map=field_map)

    first, second, third = result.features
    assert (first.code, first.village_code, first.village_code_raw) == ("P1", VILLAGE, "3301100010010000000")
    assert second.village_code == "330110001002"
    assert third.village_code is None and any("3301" in w for w in third.warnings)
    assert (first.village_name, third.village_name) == ("西溪村", None)
    assert (first.custodian, second.custodian, third.custodian) == ("张三", None, None)
    assert first.project_name == "余杭区2021年土地综合整治项目"
    assert (first.project_accepted_on, second.project_accepted_on) == (date(2021, 5, 3), date(2022, 1, 10))
    assert third.project_accepted_on is None and any("不详" in w for w in third.warnings)
    assert [f.is_permanent_basic for f in result.features] == [True, False, None]
    assert [f.is_high_standard for f in result.features] == [True, False, True]
    assert [f.is_grain_zone for f in result.features] == [None, None, None]  # no such column
    assert first.rate_class == "permanent_basic"
    assert (first.land_use_code, first.source_area_m2) == (None, None)
    assert result.field_map["is_permanent_basic"] == "YJJBNT"


def test_typed_columns_dates_and_numeric_land_use_codes(layer_file):
    fields = {"tbbh": np.array([101.0, 102.0]), "dlbm": np.array([101, 1203]),
              "YSRQ": np.array(["2020-11-30", "2021-01-02"], dtype="datetime64[D]"),
              "SFLSGNQ": np.array([True, False])}
    path = layer_file([lonlat(120.2, 30.3), lonlat(120.21, 30.3)], fields)

    first, second = read_parcels(path).features

    assert (first.code, first.land_use_code, second.land_use_code) == ("101", "0101", "1203")
    assert first.project_accepted_on == date(2020, 11, 30)
    assert (first.is_grain_zone, second.is_grain_zone) == (True, False)


@pytest.mark.parametrize("value, expected", [
    ("1", True), ("是", True), ("Y", True), ("y", True), ("true", True), (1, True), (True, True), (1.0, True),
    ("0", False), ("否", False), ("N", False), ("", False), (None, False), (0, False), (False, False),
    ("maybe", None), (2, None),
])
def test_parse_flag(value, expected):
    assert parse_flag(value) is expected


def test_parse_field_map_refuses_unknown_names_and_bad_syntax():
    assert parse_field_map([" code = BH ", "village_code=CUNDM"]) == {"code": "BH", "village_code": "CUNDM"}
    with pytest.raises(FieldMapError, match="village_code"):
        parse_field_map(["cun=CUNDM"])
    with pytest.raises(FieldMapError, match="code=TBBH"):
        parse_field_map(["code"])
    with pytest.raises(FieldMapError, match="twice"):
        parse_field_map(["code=A", "code=B"])


def test_a_missing_code_column_names_the_columns_that_exist(layer_file):
    path = layer_file([lonlat(120.2, 30.3)], {"BH": np.array(["P1"], dtype=object)})

    with pytest.raises(MissingColumnError, match="TBBH.*BH"):
        read_parcels(path)
    with pytest.raises(MissingColumnError, match="CUNDM"):
        read_parcels(path, field_map={"code": "BH", "village_code": "CUNDM"})


def test_layer_choice(layer_file):
    fields = dltb(["A"])
    path = layer_file([lonlat(120.2, 30.3)], fields, layer="XZQ")
    layer_file([lonlat(120.2, 30.3)], fields, layer="DLTB")
    assert read_parcels(path).layer == "DLTB"
    assert read_parcels(path, layer="XZQ").layer == "XZQ"
    with pytest.raises(LayerSelectionError, match="XZQ"):
        read_parcels(path, layer="CJDCQ")

    other = layer_file([lonlat(120.2, 30.3)], fields, name="two.gpkg", layer="A")
    layer_file([lonlat(120.2, 30.3)], fields, name="two.gpkg", layer="B")
    with pytest.raises(LayerSelectionError, match="--layer.*A.*B"):
        read_parcels(other)


def test_a_zip_with_two_data_sets_is_refused(sample_file, tmp_path):
    gpkg = sample_file("gpkg-4528")
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(gpkg, "a/one.gpkg")
        out.write(gpkg, "b/two.gpkg")

    with pytest.raises(UnreadableSourceError, match="one.gpkg.*two.gpkg"):
        read_parcels(archive)


@pytest.mark.parametrize("encoding", ["GBK", "UTF-8"])
def test_a_shapefile_without_cpg_is_read_in_the_encoding_that_fits(layer_file, encoding):
    path = layer_file([lonlat(120.2, 30.3)], dltb(["A"], ZLDWMC=["西溪村"]), name="nocpg.shp",
                      geometry_type="Polygon", encoding=encoding)
    path.with_suffix(".cpg").unlink()

    detected = read_parcels(path)
    assert detected.features[0].village_name == "西溪村" and encoding in detected.notes[0]
    assert read_parcels(path, encoding=encoding).features[0].village_name == "西溪村"
    assert read_parcels(path, encoding=encoding).notes == []


def test_the_encoding_is_found_from_text_beyond_the_first_batch(layer_file):
    names = [None] * 11 + ["西溪村"]
    path = layer_file([lonlat(120.2 + i * 0.001, 30.3) for i in range(12)], dltb([f"P{i}" for i in range(12)],
                      ZLDWMC=names), name="late.shp", geometry_type="Polygon", encoding="GBK")
    path.with_suffix(".cpg").unlink()

    result = read_parcels(path, batch_size=5)

    assert result.features[-1].village_name == "西溪村" and "GBK" in result.notes[0]


def test_missing_and_broken_files_are_clear_errors(tmp_path):
    with pytest.raises(UnreadableSourceError, match="no such file"):
        read_parcels(tmp_path / "nothing.gpkg")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    with pytest.raises(UnreadableSourceError, match="not a valid zip"):
        read_parcels(broken)
    text = tmp_path / "notes.gpkg"
    text.write_text("not a GeoPackage")
    with pytest.raises(UnreadableSourceError, match="cannot open"):
        read_parcels(text)


def test_progress_reports_every_feature(sample_file, samples):
    seen: list[int] = []

    result = read_parcels(sample_file("gpkg-4528"), progress=seen.append)

    assert sum(seen) == result.feature_count == len(samples)


def test_a_geopackage_with_gaps_in_its_fids_is_read_whole_in_order(layer_file):
    """GeoPackages are paged by FID, not by position: deleted features leave gaps that must not shift the
    pages, nor the feature indexes of the report."""
    import sqlite3

    from server.parcels.reader import open_parcels

    path = layer_file([lonlat(120.2 + i * 0.001, 30.3) for i in range(12)],
                      dltb([f"P{i:02d}" for i in range(12)], ZLDWDM=[VILLAGE + "0000000"] * 12), layer="DLTB")
    with sqlite3.connect(path) as gpkg:
        gpkg.execute('DELETE FROM "DLTB" WHERE fid IN (2, 3, 4, 9)')
    layer = open_parcels(path, batch_size=3)
    assert layer.keyset is not None
    batches = list(layer.batches())
    assert [len(b.features) for b in batches] == [3, 3, 2]
    features = [f for b in batches for f in b.features]
    assert [f.code for f in features] == ["P00", "P04", "P05", "P06", "P07", "P09", "P10", "P11"]
    assert [f.index for f in features] == list(range(8))


def test_paging_a_geopackage_by_fid_reads_what_skip_features_reads(sample_file):
    """The same features, geometries, areas and attributes (the 4528 file, reprojected, with a hole and a
    multipolygon) whether the GeoPackage is paged by FID or by position, as before."""
    from dataclasses import replace

    from server.parcels.reader import open_parcels

    by_fid = open_parcels(sample_file("gpkg-4528"), batch_size=2)
    by_position = replace(by_fid, keyset=None)
    assert by_fid.keyset is not None
    paged, skipped = ([f for b in layer.batches() for f in b.features] for layer in (by_fid, by_position))
    assert len(paged) == 5
    for new, old in zip(paged, skipped, strict=True):
        assert shapely.to_wkb(new.geometry) == shapely.to_wkb(old.geometry)
        assert replace(new, geometry=None) == replace(old, geometry=None)
