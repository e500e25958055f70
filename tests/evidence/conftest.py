"""Fixtures for the evidence tests: the shared real photos, synthetic geotagged JPEGs, parcels,
and an S3-compatible server (moto) on loopback."""

from __future__ import annotations

import csv
import io
import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from pyproj import Geod
from shapely.geometry import Polygon

from tests.conftest import missing_shared_photos

PHOTOS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "photos"
GEOD = Geod(ellps="WGS84")

# A 100 m x 100 m parcel near 120°E 30°N (Zhejiang), corners laid out geodesically.
PARCEL_SW = (120.0, 30.0)
PARCEL_SIDE_M = 100.0


def manifest_rows() -> list[dict[str, str]]:
    if not PHOTOS_DIR.is_dir():
        if os.environ.get("CI") == "true":
            missing_shared_photos(PHOTOS_DIR)  # fails the collection: the manifest tests are required under CI
        return []
    with open(PHOTOS_DIR / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def photos_dir() -> Path:
    if not PHOTOS_DIR.is_dir():
        missing_shared_photos(PHOTOS_DIR)
    return PHOTOS_DIR


@pytest.fixture(scope="session")
def photo(photos_dir):
    """photo(name) -> the file's bytes, read once per session."""
    cache: dict[str, bytes] = {}

    def read(name: str) -> bytes:
        if name not in cache:
            cache[name] = (photos_dir / name).read_bytes()
        return cache[name]

    return read


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return (float(degrees), float(minutes), round(seconds, 6))


def make_jpeg(
    lat: float | None = None,
    lon: float | None = None,
    *,
    taken: datetime | None = None,
    offset: str | None = None,
    make: str | None = "Xiaomi",
    software: str | None = None,
    size: tuple[int, int] = (64, 48),
    exif_size: tuple[int, int] | None = None,
    orientation: int | None = None,
    color: tuple[int, int, int] = (90, 140, 60),
) -> bytes:
    """A small JPEG with the EXIF a phone camera would write, built with Pillow."""
    exif = Image.Exif()
    if make:
        exif[0x010F] = make
    if software:
        exif[0x0131] = software
    if orientation:
        exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    if taken:
        sub[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if offset:
        sub[0x9011] = offset
    if exif_size:
        sub[0xA002], sub[0xA003] = exif_size
    if lat is not None and lon is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def jpeg():
    return make_jpeg


@pytest.fixture(scope="session")
def parcel() -> Polygon:
    lon, lat = PARCEL_SW
    se_lon, se_lat, _ = GEOD.fwd(lon, lat, 90, PARCEL_SIDE_M)
    ne_lon, ne_lat, _ = GEOD.fwd(se_lon, se_lat, 0, PARCEL_SIDE_M)
    nw_lon, nw_lat, _ = GEOD.fwd(lon, lat, 0, PARCEL_SIDE_M)
    return Polygon([(lon, lat), (se_lon, se_lat), (ne_lon, ne_lat), (nw_lon, nw_lat)])


@pytest.fixture(scope="session")
def east_of_parcel(parcel):
    """east_of_parcel(metres) -> (lon, lat) that far east of the middle of the east edge."""
    (sw, se, ne, nw, _) = parcel.exterior.coords
    mid_lon, mid_lat = (se[0] + ne[0]) / 2, (se[1] + ne[1]) / 2

    def point(metres: float) -> tuple[float, float]:
        lon, lat, _ = GEOD.fwd(mid_lon, mid_lat, 90, metres)
        return lon, lat

    return point


@pytest.fixture
def s3_bucket(s3_endpoint):
    import boto3

    name = f"photos-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return name
