"""The photo's GPS block: a usable fix, or a definite reason why there is none.

"Has a GPS IFD" is not "has a location": phones write (0, 0) or 0/0 rationals when they have
no fix, and some files carry out-of-range numbers. Only a fix that survives these checks becomes
a GpsFix; everything else is a status the findings can name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from .exiftime import gps_datetime_utc
from .rationals import dms_to_degrees, ratio_to_float

GpsStatus = Literal["ok", "absent", "null_island", "invalid"]

# GPSHPositioningError (0x001F) is unknown to exifread 3.5, which names it by number.
_ACCURACY_TAGS = ("GPS GPSHPositioningError", "GPS Tag 0x001F")
_NULL_ISLAND_DEG = 1e-7


@dataclass(frozen=True)
class GpsFix:
    lat: float
    lon: float
    altitude_m: float | None = None
    gps_time_utc: datetime | None = None
    azimuth_deg: float | None = None
    azimuth_ref: str | None = None  # "T" true north, "M" magnetic north
    accuracy_m: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["gps_time_utc"] = self.gps_time_utc.isoformat() if self.gps_time_utc else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "GpsFix":
        time = data.get("gps_time_utc")
        return cls(**{**data, "gps_time_utc": datetime.fromisoformat(time) if time else None})


def tag_text(tags: dict[str, Any], key: str) -> str | None:
    """An EXIF tag as trimmed text without NULs, None when absent or blank."""
    tag = tags.get(key)
    if tag is None:
        return None
    text = str(tag.printable if hasattr(tag, "printable") else tag).replace("\x00", "").strip()
    return text or None


def _values(tags: dict[str, Any], key: str) -> list[Any]:
    tag = tags.get(key)
    values = getattr(tag, "values", None)
    if values is None:
        return []
    return list(values) if isinstance(values, (list, tuple)) else [values]


def _single_float(tags: dict[str, Any], key: str) -> float | None:
    values = _values(tags, key)
    return ratio_to_float(values[0]) if len(values) == 1 else None


def _altitude(tags: dict[str, Any]) -> float | None:
    altitude = _single_float(tags, "GPS GPSAltitude")
    if altitude is None:
        return None
    ref = _values(tags, "GPS GPSAltitudeRef")
    below_sea_level = bool(ref) and ref[0] in (1, b"\x01", "1")
    return -altitude if below_sea_level else altitude


def _azimuth(tags: dict[str, Any]) -> tuple[float | None, str | None]:
    azimuth = _single_float(tags, "GPS GPSImgDirection")
    if azimuth is None or not 0 <= azimuth <= 360:
        return None, None
    ref = tag_text(tags, "GPS GPSImgDirectionRef")
    return azimuth % 360, ref if ref in ("T", "M") else None


def _accuracy(tags: dict[str, Any]) -> float | None:
    for key in _ACCURACY_TAGS:
        value = _single_float(tags, key)
        if value is not None and value > 0:
            return value
    return None


def parse_gps(tags: dict[str, Any]) -> tuple[GpsFix | None, GpsStatus, list[str]]:
    """exifread tags to (fix, status, notes); never raises on malformed values."""
    notes: list[str] = []
    has_lat = "GPS GPSLatitude" in tags
    has_lon = "GPS GPSLongitude" in tags
    if not has_lat and not has_lon:
        return None, "absent", notes
    if not (has_lat and has_lon):
        return None, "invalid", ["GPS block has only one of latitude/longitude"]

    lat = dms_to_degrees(_values(tags, "GPS GPSLatitude"))
    lon = dms_to_degrees(_values(tags, "GPS GPSLongitude"))
    if lat is None or lon is None:
        return None, "invalid", ["GPS latitude/longitude unreadable (0/0 or malformed rationals)"]
    lat_ref = (tag_text(tags, "GPS GPSLatitudeRef") or "").upper()[:1]
    lon_ref = (tag_text(tags, "GPS GPSLongitudeRef") or "").upper()[:1]
    if abs(lat) < _NULL_ISLAND_DEG and abs(lon) < _NULL_ISLAND_DEG:
        return None, "null_island", ["GPS coordinates are (0, 0): the device had no fix"]
    if lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
        return None, "invalid", [f"GPS reference missing or bad: {lat_ref!r}/{lon_ref!r}"]
    if lat > 90 or lon > 180:
        return None, "invalid", [f"GPS coordinates out of range: {lat}, {lon}"]

    gps_time = gps_datetime_utc(
        tag_text(tags, "GPS GPSDate"), _values(tags, "GPS GPSTimeStamp")
    )
    if gps_time is None and ("GPS GPSDate" in tags or "GPS GPSTimeStamp" in tags):
        notes.append(f"GPS time stamp unusable (GPSDateStamp {tag_text(tags, 'GPS GPSDate')!r})")
    azimuth, azimuth_ref = _azimuth(tags)
    fix = GpsFix(
        lat=-lat if lat_ref == "S" else lat,
        lon=-lon if lon_ref == "W" else lon,
        altitude_m=_altitude(tags),
        gps_time_utc=gps_time,
        azimuth_deg=azimuth,
        azimuth_ref=azimuth_ref,
        accuracy_m=_accuracy(tags),
    )
    return fix, "ok", notes
