"""Builders of small survey files for the parcel reader tests.

The reference parcels are drawn in EPSG:4528 (CGCS2000 3-degree GK zone 40, 8-digit eastings), as 三调 DLTB
layers of Hangzhou are delivered; the 4549 and 4490 copies are derived from them, so every format must read
back to the same lon/lat geometry.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon

# Near 120.2°E 30.3°N (Hangzhou, zone 40).
E0, N0 = 40_519_000.0, 3_353_000.0
ZONE_PREFIX_M = 40_000_000.0
VILLAGE = "330110001001"


@dataclass(frozen=True)
class Sample:
    code: str
    geometry_4528: Polygon | MultiPolygon
    land_use_code: str
    zldwdm: str


def _at(points: list[tuple[float, float]], dx: float, dy: float) -> list[tuple[float, float]]:
    return [(E0 + dx + x, N0 + dy + y) for x, y in points]


def _samples() -> list[Sample]:
    square = [(0, 0), (80, 0), (80, 60), (0, 60)]
    heptagon = [(0, 0), (55, -8), (92, 15), (88, 61), (40, 80), (5, 66), (-10, 30)]
    hole = [(20, 20), (40, 20), (40, 35), (20, 35)]
    decagon = [(60 * np.cos(a), 45 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 10, endpoint=False)]
    return [
        Sample("330110001001000001", Polygon(_at(square, 0, 0)), "0101", VILLAGE + "0000000"),
        Sample("330110001001000002", Polygon(_at(heptagon, 150, 0)), "0102", VILLAGE + "0000000"),
        Sample("330110001001000003", Polygon(_at(square, 0, 150), [_at(hole, 0, 150)]), "0103",
               VILLAGE + "0010000"),
        Sample("330110001001000004", MultiPolygon([Polygon(_at(square, 300, 0)), Polygon(_at(square, 300, 100))]),
               "0101", VILLAGE + "0000000"),
        Sample("330110001001000005", Polygon(_at(decagon, 500, 300)), "0201", "330110001002" + "0000000"),
    ]


SAMPLES = _samples()
TO_LONLAT = Transformer.from_crs(4528, 4490, always_xy=True)


def shift(geoms, dx: float):
    return shapely.transform(np.asarray(geoms, dtype=object), lambda c: c + (dx, 0.0))


def to_4490(geoms):
    return shapely.transform(np.asarray(geoms, dtype=object),
                             lambda c: np.column_stack(TO_LONLAT.transform(c[:, 0], c[:, 1])))


def dltb_fields(samples: list[Sample]) -> dict[str, np.ndarray]:
    """The DLTB columns we read; TBMJ is the planar GK area, as a reader of the source projection sees it."""
    return {
        "TBBH": np.array([s.code for s in samples], dtype=object),
        "DLBM": np.array([s.land_use_code for s in samples], dtype=object),
        "ZLDWDM": np.array([s.zldwdm for s in samples], dtype=object),
        "ZLDWMC": np.array(["西溪村"] * len(samples), dtype=object),
        "TBMJ": np.array([s.geometry_4528.area for s in samples]),
    }


def write_layer(path: Path, geoms, fields: dict[str, np.ndarray], crs: str | None, *, layer: str | None = None,
                geometry_type: str = "MultiPolygon", **options) -> Path:
    """One layer through pyogrio's raw writer; the driver follows from the file extension."""
    wkb = np.array([None if g is None else shapely.to_wkb(g) for g in geoms], dtype=object)
    pyogrio.raw.write(str(path), wkb, list(fields.values()), list(fields), crs=crs, layer=layer,
                      geometry_type=geometry_type, promote_to_multi=geometry_type == "MultiPolygon"
                      and not str(path).endswith(".shp"), **options)
    return path


def zip_tree(source: Path, archive: Path, folder: str) -> Path:
    """Zip a file set or directory under `folder/`, as delivered data usually is."""
    with zipfile.ZipFile(archive, "w") as out:
        members = sorted(source.rglob("*")) if source.is_dir() else sorted(source.parent.glob(source.stem + ".*"))
        base = source.parent
        for member in members:
            if member.is_file():
                out.write(member, f"{folder}/{member.relative_to(base)}")
    return archive


SOURCE_FORMATS = ("geojson-4490", "shp-4528", "shp-4549", "zip-shp-4528", "gpkg-4528", "gpkg-4490",
                  "gdb-4528", "zip-gdb-4549")


def build_sample_file(tmp_path: Path, kind: str) -> Path:
    """The reference parcels as `kind` (format-EPSG), with DLTB columns."""
    fmt, epsg = kind.rsplit("-", 1)
    geoms = [s.geometry_4528 for s in SAMPLES]
    geoms = {"4528": geoms, "4549": shift(geoms, -ZONE_PREFIX_M), "4490": to_4490(geoms)}[epsg]
    fields, crs = dltb_fields(SAMPLES), f"EPSG:{epsg}"
    if fmt in ("shp", "zip-shp"):
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        path = write_layer(shp_dir / "DLTB.shp", geoms, fields, crs, geometry_type="Polygon", encoding="UTF-8")
        return zip_tree(path, tmp_path / "dltb.zip", "三调_DLTB") if fmt == "zip-shp" else path
    if fmt in ("gdb", "zip-gdb"):
        path = write_layer(tmp_path / "survey.gdb", geoms, fields, crs, layer="DLTB", driver="OpenFileGDB")
        return zip_tree(path, tmp_path / "survey.gdb.zip", "delivery") if fmt == "zip-gdb" else path
    suffix = {"geojson": ".geojson", "gpkg": ".gpkg"}[fmt]
    return write_layer(tmp_path / f"dltb{suffix}", geoms, fields, crs, layer="DLTB")


@pytest.fixture
def samples() -> list[Sample]:
    return SAMPLES


@pytest.fixture
def expected_lonlat() -> dict[str, Polygon | MultiPolygon]:
    """The reference parcels in EPSG:4490, by code."""
    return dict(zip([s.code for s in SAMPLES], to_4490([s.geometry_4528 for s in SAMPLES])))


@pytest.fixture(params=SOURCE_FORMATS)
def any_format(request, tmp_path) -> tuple[str, Path]:
    """(kind, path) of the reference parcels in each supported format and CRS."""
    return request.param, build_sample_file(tmp_path, request.param)


@pytest.fixture
def sample_file(tmp_path):
    """Factory: the reference parcels written as one of SOURCE_FORMATS."""
    return lambda kind: build_sample_file(tmp_path, kind)


@pytest.fixture
def shapefile_without_prj(tmp_path):
    """Factory: the reference parcels as a Shapefile in EPSG:4528 or 4549 whose .prj was lost."""
    def build(epsg: int) -> Path:
        path = build_sample_file(tmp_path, f"shp-{epsg}")
        path.with_suffix(".prj").unlink()
        return path
    return build


@pytest.fixture
def layer_file(tmp_path):
    """Factory: any geometries and columns in one GeoPackage layer, EPSG:4490 unless told."""
    def build(geoms, fields, *, crs="EPSG:4490", name="parcels.gpkg", **options) -> Path:
        return write_layer(tmp_path / name, geoms, fields, crs, **options)
    return build
