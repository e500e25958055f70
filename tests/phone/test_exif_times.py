"""The phone takes a photo's `taken_at` from EXIF DateTimeOriginal (with OffsetTimeOriginal when present, else
in the phone's own zone), never from the file's date; a missing, blank or zeroed tag gives nothing."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("exif_times.mjs")
EXPECTED = {
    "gps_htc_desire.jpg": "2011-05-06T09:59:48+08:00",  # no offset tag: the phone's zone
    "gps_nokia83_offsettime.jpg": "2022-08-14T14:12:31+03:00",  # OffsetTimeOriginal
    "nogps_no_exif.jpg": None,
    "nogps_dto_blank.jpg": None,
    "nogps_dto_zeros.jpg": None,
}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the phone's code")
def test_capture_time_comes_from_exif(shared_photos):
    manifest = {row["file"]: row for row in csv.DictReader((shared_photos / "MANIFEST.csv").read_text(encoding="utf-8").splitlines())}
    paths = [str(shared_photos / name) for name in EXPECTED]
    result = subprocess.run(["node", str(SCRIPT), *paths], capture_output=True, text=True, check=True,
                            env={**os.environ, "TZ": "Asia/Shanghai"})
    times = {Path(path).name: value for path, value in json.loads(result.stdout).items()}
    assert times == EXPECTED
    # The same wall-clock time as the manifest's DateTimeOriginal (read there with exifread).
    for name in ("gps_htc_desire.jpg", "gps_nokia83_offsettime.jpg"):
        assert times[name][:19].replace("-", ":", 2).replace("T", " ") == manifest[name]["datetime_original"]
