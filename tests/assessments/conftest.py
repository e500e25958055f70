"""Fixtures of the evidence-assessment tests: the sync county, demo parcels with points at chosen distances,
textured geotagged JPEGs, and the push-then-upload protocol through the real HTTP API."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image
from pyproj import Geod
from sqlalchemy import select

from server.evidence import distance_to_parcel_m
from server.extensions import db
from server.inspections.models import Inspection
from server.parcels.models import Parcel
from tests.evidence.conftest import make_jpeg
from tests.sync.helpers import CHINA, bearer, photo_refs, push, record, sha256_hex, upload

GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Site:
    """A demo parcel and points relative to it (lon/lat, WGS84)."""

    code: str
    centre: tuple[float, float]
    east_edge: tuple[float, float]  # where a ray east from the centre leaves the parcel

    def east_of(self, metres: float) -> tuple[float, float]:
        lon, lat, _ = GEOD.fwd(*self.east_edge, 90, metres)
        return lon, lat


def site(code: str) -> Site:
    parcel = db.session.scalar(select(Parcel).where(Parcel.code == code))
    geometry = parcel.geometry
    centre = geometry.representative_point()
    low, high = 0.0, 500.0  # bisect the distance east of the centre at which the parcel is left
    for _ in range(30):
        middle = (low + high) / 2
        lon, lat, _ = GEOD.fwd(centre.x, centre.y, 90, middle)
        low, high = (middle, high) if distance_to_parcel_m(lon, lat, geometry) == 0 else (low, middle)
    lon, lat, _ = GEOD.fwd(centre.x, centre.y, 90, high)
    return Site(code, (centre.x, centre.y), (lon, lat))


@pytest.fixture
def sites(own_parcels) -> list[Site]:
    return [site(code) for code in own_parcels[:3]]


def field_photo(point: tuple[float, float] | None, *, seed: int, taken: datetime | None = None,
                quality: int = 90) -> bytes:
    """A textured 160x120 JPEG (distinct pHash per seed) with a phone's EXIF: GPS at point, local capture time."""
    exif = Image.open(io.BytesIO(make_jpeg(*(reversed(point) if point else (None, None)),
                                           taken=(taken or minutes_ago(5)).astimezone(CHINA)))).info["exif"]
    rng = random.Random(seed)
    image = Image.new("RGB", (8, 6))
    image.putdata([tuple(rng.randrange(256) for _ in range(3)) for _ in range(48)])
    out = io.BytesIO()
    image.resize((160, 120), Image.Resampling.BICUBIC).save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(minutes=minutes)


def submit(client, token: str, place: Site, *blobs: bytes, roles=("distant", "close"), upload_all: bool = True,
           **overrides) -> str:
    """Push an inspection of `place` made in the last 10 minutes with these photos, then upload them."""
    body = record(place.code, photos=photo_refs(*blobs, roles=roles), started_at=minutes_ago(10).isoformat(),
                  finished_at=minutes_ago(1).isoformat(),
                  **{"location": {"lat": place.centre[1], "lon": place.centre[0], "accuracy_m": 5.0}, **overrides})
    result = push(client, token, [body]).get_json()["results"][0]
    assert result["status"] == "accepted", result
    if upload_all:
        for blob in dict.fromkeys(blobs):  # each photo once, as a device does
            if client.head(f"/api/v1/photos/{sha256_hex(blob)}", headers=bearer(token)).status_code == 404:
                upload(client, token, blob)
    return body["uuid"]


def inspection(uuid: str) -> Inspection:
    db.session.expire_all()
    return db.session.scalar(select(Inspection).where(Inspection.uuid == uuid))
