"""A parcel file may make GDAL open one of four drivers on a local file and nothing else (issue 11, item 1)."""

from __future__ import annotations

import sqlite3
import zipfile

import numpy as np
import pyogrio
import pytest
from shapely.geometry import Polygon

from server.parcels.reader import read_parcels
from server.parcels.sources import NETWORK_OFF, UnsafeSourceError


def _vrt(source: str, sql: str) -> str:
    return (f'<OGRVRTDataSource><OGRVRTLayer name="DLTB"><SrcDataSource>{source}</SrcDataSource>'
            f'<SrcSQL>{sql}</SrcSQL></OGRVRTLayer></OGRVRTDataSource>')


@pytest.fixture
def instance_database(tmp_path):
    path = tmp_path / "farmpatrol.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE users (username TEXT, password_hash TEXT)")
        connection.execute("INSERT INTO users VALUES ('admin', 'scrypt:32768:8:1$secret')")
    return path


def test_a_vrt_named_geojson_that_reads_the_instance_database_is_refused(tmp_path, instance_database):
    vrt = tmp_path / "DLTB.geojson"
    vrt.write_text(_vrt(str(instance_database), "SELECT username AS TBBH, password_hash AS XMMC FROM users"))
    with pytest.raises(UnsafeSourceError, match="VRT"):
        read_parcels(vrt)


def test_a_vrt_that_fetches_a_url_is_refused_also_inside_a_zip(tmp_path):
    vrt = tmp_path / "DLTB.geojson"
    vrt.write_text("\n  " + _vrt("/vsicurl/http://127.0.0.1:9/x.geojson", "SELECT * FROM x"))
    archive = tmp_path / "dltb.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(vrt, "delivery/DLTB.geojson")
    for path in (vrt, archive):
        with pytest.raises(UnsafeSourceError, match="VRT"):
            read_parcels(path)


def test_virtual_paths_and_unsafe_zip_members_are_refused(tmp_path, sample_file):
    with pytest.raises(UnsafeSourceError, match="virtual"):
        read_parcels("/vsicurl/http://127.0.0.1:9/DLTB.geojson")
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(sample_file("geojson-4490"), "../DLTB.geojson")
    with pytest.raises(UnsafeSourceError, match="unsafe path"):
        read_parcels(archive)


def test_an_sqlite_database_named_gpkg_is_refused(tmp_path, instance_database):
    renamed = tmp_path / "DLTB.gpkg"
    renamed.write_bytes(instance_database.read_bytes())
    with pytest.raises(UnsafeSourceError, match="not a GeoPackage"):
        read_parcels(renamed)


def test_a_driver_outside_the_four_is_refused(layer_file):
    square = Polygon([(120.2, 30.3), (120.201, 30.3), (120.201, 30.301), (120.2, 30.301)])
    path = layer_file([square], {"TBBH": np.array(["1"], dtype=object)}, name="DLTB.fgb", driver="FlatGeobuf",
                      geometry_type="Polygon")
    with pytest.raises(UnsafeSourceError, match="FlatGeobuf"):
        read_parcels(path)


def test_the_four_drivers_still_read_and_gdal_network_access_is_off(any_format, samples):
    _kind, path = any_format
    assert len(read_parcels(path).features) == len(samples)
    for option, value in NETWORK_OFF.items():
        assert pyogrio.get_gdal_config_option(option) in (value, int(value) if value.isdigit() else value)


def test_a_polygon_with_too_many_vertices_is_rejected(layer_file):
    angles = np.linspace(0, 2 * np.pi, 2_000, endpoint=False)
    ring = list(zip(120.2 + 0.001 * np.cos(angles), 30.3 + 0.001 * np.sin(angles)))
    small = Polygon([(120.21, 30.3), (120.211, 30.3), (120.211, 30.301)])
    path = layer_file([Polygon(ring), small], {"TBBH": np.array(["big", "small"], dtype=object)},
                      geometry_type="Polygon")
    result = read_parcels(path, max_vertices=1_000)
    assert [f.code for f in result.features] == ["small"]
    assert [r.code for r in result.rejected] == ["big"] and "too many vertices: 2001" in result.rejected[0].reason
