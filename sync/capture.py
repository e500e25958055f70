"""When a photo was taken, as the device tells the server (`taken_at`).

The camera's EXIF DateTimeOriginal, with OffsetTimeOriginal, is read the way the server reads it
(server/evidence/extraction.py), so the server's time checks compare like with like. Only a file without a
usable DateTimeOriginal falls back to its modification time, which copying or editing a file changes: the
source is reported so the inspector knows which photos carry a weak time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from server.evidence.extraction import capture_time, read_exif_tags

SOURCE_LABELS_ZH = {
    "exif": "EXIF 拍摄时间(含时区)",
    "exif_assumed_offset": "EXIF 拍摄时间(无时区, 按 UTC+08:00)",
    "mtime": "文件修改时间(照片无 EXIF 拍摄时间)",
}


@dataclass(frozen=True)
class CaptureTime:
    taken_at: datetime  # aware, in the offset the camera recorded (or the device's, for mtime)
    source: str  # a key of SOURCE_LABELS_ZH


def photo_capture_time(path: Path) -> CaptureTime:
    tags, _status, notes = read_exif_tags(path.read_bytes())
    captured_utc, assumed, offset_min = capture_time(tags, notes)
    if captured_utc is None:
        return CaptureTime(datetime.fromtimestamp(path.stat().st_mtime).astimezone(), "mtime")
    local = captured_utc.astimezone(timezone(timedelta(minutes=offset_min)))
    return CaptureTime(local, "exif_assumed_offset" if assumed else "exif")
