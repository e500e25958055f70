"""Everything the evidence checks need from one photo, read once and never raising.

exifread supplies the tags (it reads EXIF from JPEG and HEIC without decoding pixels);
Pillow supplies the real pixel size and whether the pixels decode at all. Bad content becomes
a status and notes, so an upload can always be stored and shown with its verdict.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal

import exifread

from .decode import Decoded, DecodeStatus, decode
from .exiftime import parse_exif_datetime, parse_offset
from .gps import GpsFix, GpsStatus, parse_gps, tag_text

ExifStatus = Literal["present", "absent", "corrupt"]

# Field photos are taken in China; EXIF without OffsetTimeOriginal is read as Beijing time.
ASSUMED_OFFSET = timezone(timedelta(hours=8))

# exifread logs every odd tag at WARNING; the verdict is in our notes, not in the log.
logging.getLogger("exifread").setLevel(logging.ERROR)


@dataclass
class PhotoMetadata:
    format: str | None
    width: int | None
    height: int | None
    exif_width: int | None = None
    exif_height: int | None = None
    orientation: int | None = None
    make: str | None = None
    model: str | None = None
    software: str | None = None
    gps: GpsFix | None = None
    gps_status: GpsStatus = "absent"
    captured_at: datetime | None = None  # aware, UTC, on the camera's clock
    captured_at_offset_assumed: bool = False
    utc_offset_min: int | None = None  # offset the local EXIF time was read with
    decode_status: DecodeStatus = "ok"
    exif_status: ExifStatus = "absent"
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for storing next to the photo row."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["gps"] = self.gps.to_dict() if self.gps else None
        data["captured_at"] = self.captured_at.isoformat() if self.captured_at else None
        data["notes"] = list(self.notes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PhotoMetadata":
        """Back from `to_dict()`, as stored beside the photo row."""
        gps, captured = data.get("gps"), data.get("captured_at")
        return cls(**{**data, "gps": GpsFix.from_dict(gps) if gps else None,
                      "captured_at": datetime.fromisoformat(captured) if captured else None})


def read_source(source: str | os.PathLike[str] | bytes) -> bytes:
    return bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else Path(source).read_bytes()


def read_exif_tags(data: bytes) -> tuple[dict[str, Any], ExifStatus, list[str]]:
    """exifread's tags, or an empty dict with status "corrupt" when exifread itself raises."""
    try:
        tags = exifread.process_file(io.BytesIO(data), details=False, extract_thumbnail=False)
    except Exception as exc:  # exifread raises IndexError, ValueError, KeyError... on fuzzed files
        return {}, "corrupt", [f"exifread failed: {type(exc).__name__}: {exc}"]
    return tags, ("present" if tags else "absent"), []


def extract_metadata(source: str | os.PathLike[str] | bytes) -> PhotoMetadata:
    """Read a photo's metadata and decode verdict. Raises only if a path cannot be read."""
    data = read_source(source)
    tags, exif_status, notes = read_exif_tags(data)
    return build_metadata(tags, exif_status, notes, decode(data))


def _first_int(tags: dict[str, Any], key: str) -> int | None:
    values = getattr(tags.get(key), "values", None)
    if isinstance(values, (list, tuple)) and values and isinstance(values[0], int):
        return values[0]
    return None


def capture_time(tags: dict[str, Any], notes: list[str]) -> tuple[datetime | None, bool, int | None]:
    """DateTimeOriginal in UTC, whether its offset was assumed (+08:00), and the offset in minutes; the
    device client reads a photo's `taken_at` with it too, so both ends agree on what the camera said."""
    raw = tag_text(tags, "EXIF DateTimeOriginal")
    local = parse_exif_datetime(raw)
    if local is None:
        if raw is not None:
            notes.append(f"DateTimeOriginal {raw!r} is not a valid date; treated as absent")
        return None, False, None
    offset = parse_offset(tag_text(tags, "EXIF OffsetTimeOriginal"))
    assumed = offset is None
    if assumed:
        offset = ASSUMED_OFFSET
        notes.append("no OffsetTimeOriginal: capture time read as UTC+08:00 (China)")
    utc = local.replace(tzinfo=offset).astimezone(timezone.utc)
    return utc, assumed, int(offset.utcoffset(None).total_seconds() // 60)


def build_metadata(
    tags: dict[str, Any], exif_status: ExifStatus, notes: list[str], decoded: Decoded
) -> PhotoMetadata:
    """Combine exifread tags and a decode verdict; the ingest path shares its decode here."""
    notes = list(notes) + decoded.notes
    if decoded.exif_corrupt:
        exif_status = "corrupt"
    gps, gps_status, gps_notes = parse_gps(tags)
    notes += gps_notes
    captured_at, assumed, offset_min = capture_time(tags, notes)
    orientation = _first_int(tags, "Image Orientation")
    return PhotoMetadata(
        format=decoded.format,
        width=decoded.width,
        height=decoded.height,
        exif_width=_first_int(tags, "EXIF ExifImageWidth"),
        exif_height=_first_int(tags, "EXIF ExifImageLength"),
        orientation=orientation if orientation in range(1, 9) else None,
        make=tag_text(tags, "Image Make"),
        model=tag_text(tags, "Image Model"),
        software=tag_text(tags, "Image Software"),
        gps=gps,
        gps_status=gps_status,
        captured_at=captured_at,
        captured_at_offset_assumed=assumed,
        utc_offset_min=offset_min,
        decode_status=decoded.status,
        exif_status=exif_status,
        notes=notes,
    )
