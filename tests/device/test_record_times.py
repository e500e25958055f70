"""`farmpatrol-device record`: photo times from EXIF (file time only without one, and said so), inspection
times from the photos or the options, and photos assigned to roles by name."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime

import pytest
from click.testing import CliRunner

from sync.cli import main
from sync.client import DeviceClient
from tests.sync.helpers import GOOD_ANSWERS

WITH_OFFSET = "gps_nokia83_offsettime.jpg"  # DateTimeOriginal 2022:08:14 14:12:31, OffsetTimeOriginal +03:00
WITHOUT_OFFSET = "gps_iphone5_seattle.jpg"  # 2012:09:29 16:11:25, no OffsetTimeOriginal
WITHOUT_EXIF_TIME = "gps_samsung_s7_no_dto.jpg"  # no DateTimeOriginal at all


@pytest.fixture
def camera(shared_photos, tmp_path):
    folder = tmp_path / "camera"
    folder.mkdir()
    for name in (WITH_OFFSET, WITHOUT_OFFSET, WITHOUT_EXIF_TIME):
        shutil.copy(shared_photos / name, folder / name)
    os.utime(folder / WITHOUT_EXIF_TIME, (1780000000, 1780000000))  # 2026-05-28T20:26:40Z
    return folder


def record(tmp_path, *args):
    home = tmp_path / "phone"
    result = CliRunner().invoke(main, ["--home", str(home), "record", "--parcel", "330481101201001",
                                       "--answers", json.dumps(GOOD_ANSWERS), "--lat", "30.3", "--lon", "120.2",
                                       *map(str, args)])
    client = DeviceClient(home)
    try:
        return result, client.outbox.pending_records(10)
    finally:
        client.close()


def test_photo_times_come_from_exif_and_roles_from_the_options(camera, tmp_path):
    result, [payload] = record(tmp_path, "--photo", f"close={camera / WITH_OFFSET}",
                               "--photo", f"distant={camera / WITHOUT_OFFSET}",
                               "--photo", f"detail={camera / WITHOUT_EXIF_TIME}")
    assert result.exit_code == 0, result.output
    photos = {p["file_name"]: p for p in payload["photos"]}
    assert {name: p["role"] for name, p in photos.items()} == {
        WITH_OFFSET: "close", WITHOUT_OFFSET: "distant", WITHOUT_EXIF_TIME: "detail"}
    assert photos[WITH_OFFSET]["taken_at"] == "2022-08-14T14:12:31+03:00"
    assert photos[WITHOUT_OFFSET]["taken_at"] == "2012-09-29T16:11:25+08:00"  # read as the server reads it
    file_time = datetime.fromisoformat(photos[WITHOUT_EXIF_TIME]["taken_at"])
    assert file_time.timestamp() == 1780000000
    lines = result.output.splitlines()
    assert f"照片 {WITH_OFFSET} (close): 拍摄于 2022-08-14T14:12:31+03:00, 来源: EXIF 拍摄时间(含时区)" in lines
    assert any(line.startswith(f"照片 {WITHOUT_OFFSET} (distant)") and "无时区, 按 UTC+08:00" in line
               for line in lines)
    assert any(line.startswith(f"照片 {WITHOUT_EXIF_TIME} (detail)") and "文件修改时间" in line for line in lines)
    assert lines[-1] == payload["uuid"]
    # Without --started-at/--finished-at: the first and the last capture.
    assert payload["started_at"] == "2012-09-29T16:11:25+08:00"
    assert datetime.fromisoformat(payload["finished_at"]).timestamp() == 1780000000


def test_inspection_times_from_the_options(camera, tmp_path):
    result, [payload] = record(tmp_path, "--photo", f"distant={camera / WITH_OFFSET}",
                               "--started-at", "2022-08-14T14:00:00+03:00", "--finished-at", "2022-08-14T14:30:00+03:00")
    assert result.exit_code == 0, result.output
    assert (payload["started_at"], payload["finished_at"]) == ("2022-08-14T14:00:00+03:00",
                                                               "2022-08-14T14:30:00+03:00")


def test_bad_photo_and_time_options_are_refused(camera, tmp_path):
    for args in (["--photo", str(camera / WITH_OFFSET)], ["--photo", f"distant={camera / 'missing.jpg'}"],
                 ["--photo", f"distant={camera / WITH_OFFSET}", "--started-at", "yesterday"]):
        result, pending = record(tmp_path, *args)
        assert result.exit_code == 2 and pending == [], (args, result.output)
    backwards, pending = record(tmp_path, "--photo", f"distant={camera / WITH_OFFSET}",
                                "--started-at", "2022-08-14T15:00:00+03:00", "--finished-at", "2022-08-14T14:00:00+03:00")
    assert backwards.exit_code == 1 and "[record_refused]" in backwards.output and pending == []
