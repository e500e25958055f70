from datetime import datetime, timedelta, timezone

import pytest

from server.evidence import DeviceFix, PhotoContext, TimePolicy, assess_photo, extract_metadata
from server.evidence.timechecks import (
    check_against_receipt,
    check_device_capture,
    check_gps_time,
    check_inspection_span,
    check_task_window,
    to_server_clock,
)

UTC = timezone.utc
T0 = datetime(2025, 5, 7, 2, 0, tzinfo=UTC)  # 10:00 Beijing time


def codes(findings):
    return [f.code for f in findings]


def test_task_window():
    opens, due = T0 - timedelta(days=1), T0 + timedelta(days=1)
    assert check_task_window(T0, opens, due) is None
    assert check_task_window(T0, None, None) is None
    late = check_task_window(due + timedelta(hours=2), opens, due)
    assert late.code == "TIME_OUTSIDE_TASK_WINDOW" and late.data["seconds"] == 7200
    assert check_task_window(opens - timedelta(seconds=1), opens, None).code == "TIME_OUTSIDE_TASK_WINDOW"


def test_inspection_span_with_tolerance():
    start, end = T0 - timedelta(hours=1), T0
    assert check_inspection_span(T0 - timedelta(minutes=30), start, end) is None
    assert check_inspection_span(end + timedelta(minutes=4), start, end) is None
    assert check_inspection_span(end + timedelta(minutes=6), start, end).data["seconds"] == 360


def test_clock_skew_is_removed_from_device_times():
    # The device clock runs 10 min fast: its 10:10 is the server's 10:00.
    assert to_server_clock(T0 + timedelta(minutes=10), clock_skew_s=600) == T0


@pytest.mark.parametrize(
    "captured_minus_received, code",
    [
        (timedelta(minutes=-5), None),
        (timedelta(seconds=60), None),  # within the after-upload tolerance
        (timedelta(minutes=10), "TIME_AFTER_UPLOAD"),
        (timedelta(days=3), "TIME_FUTURE"),
        (timedelta(days=-6), None),
        (timedelta(days=-8), "TIME_TOO_OLD"),
    ],
)
def test_capture_versus_receipt(captured_minus_received, code):
    found = check_against_receipt(T0 + captured_minus_received, T0)
    assert (found.code if found else None) == code


def test_max_age_is_configurable():
    assert check_against_receipt(T0 - timedelta(days=3), T0, TimePolicy(max_age_s=86400)).code == "TIME_TOO_OLD"


def test_exif_versus_device_capture():
    assert check_device_capture(T0, T0 + timedelta(minutes=4)) is None
    found = check_device_capture(T0, T0 + timedelta(minutes=6))
    assert found.code == "TIME_DEVICE_MISMATCH" and found.data["seconds"] == -360


def test_nexus4_fix_is_27_hours_stale(photo):
    meta = extract_metadata(photo("gps_nexus4_stale_fix.jpg"))
    found = check_gps_time(meta.captured_at, meta.captured_at_offset_assumed, meta.utc_offset_min, meta.gps.gps_time_utc)
    assert found.code == "GPS_FIX_STALE"
    assert found.data["seconds"] == pytest.approx(27 * 3600 + 4 * 60, abs=60)


def test_olympus_camera_clock_drifts_7_minutes(photo):
    meta = extract_metadata(photo("gps_olympus_clock_drift.jpg"))
    found = check_gps_time(meta.captured_at, meta.captured_at_offset_assumed, meta.utc_offset_min, meta.gps.gps_time_utc)
    assert found.code == "TIME_CLOCK_DRIFT"
    assert found.data["seconds"] == -420
    assert found.data["inferred_offset_min"] == -7 * 60


@pytest.mark.parametrize(
    "name", ["gps_pixel8pro_tiny.jpg", "gps_nokia83_offsettime.jpg", "gps_galaxy_s7edge_12mp.jpg"]
)
def test_fresh_fixes_raise_nothing(photo, name):
    meta = extract_metadata(photo(name))
    assert check_gps_time(meta.captured_at, meta.captured_at_offset_assumed, meta.utc_offset_min, meta.gps.gps_time_utc) is None


def test_known_offset_is_used_and_missing_offset_is_assumed_china(photo):
    pixel6 = extract_metadata(photo("gps_pixel6_china_truncated.jpg"))
    assert pixel6.captured_at == datetime(2024, 5, 7, 1, 33, 4, tzinfo=UTC)
    assert not pixel6.captured_at_offset_assumed
    xiaomi = extract_metadata(photo("nogps_xiaomi_mi9t_4mb.jpg"))
    assert xiaomi.captured_at == datetime(2022, 7, 16, 8, 27, 30, tzinfo=UTC)
    assert xiaomi.captured_at_offset_assumed and xiaomi.utc_offset_min == 480
    assert any("UTC+08:00" in note for note in xiaomi.notes)


@pytest.mark.parametrize("name", ["nogps_dto_2038.jpg", "gps_malformed_ifd_pillow.jpg"])
def test_future_dates_are_findings(photo, name):
    meta = extract_metadata(photo(name))
    found = assess_photo(meta, PhotoContext(received_at=T0))
    assert "TIME_FUTURE" in codes(found)


@pytest.mark.parametrize("name", ["nogps_dto_zeros.jpg", "nogps_dto_blank.jpg", "gps_samsung_s7_no_dto.jpg"])
def test_placeholder_dates_are_absent_with_a_note(photo, name):
    meta = extract_metadata(photo(name))
    assert meta.captured_at is None
    assert "CAPTURE_TIME_MISSING" in codes(assess_photo(meta))


def test_malformed_gps_date_is_absent(photo):
    meta = extract_metadata(photo("gps_iphone6_bad_gpsdate.jpg"))
    assert meta.gps is not None and meta.gps.gps_time_utc is None
    assert any("2014:09:259" in note for note in meta.notes)


def test_missing_exif_time_falls_back_to_device_time(jpeg):
    meta = extract_metadata(jpeg(30.0, 120.0, taken=None))
    context = PhotoContext(device_captured_at=T0 + timedelta(minutes=10), received_at=T0, clock_skew_s=0)
    found = codes(assess_photo(meta, context))
    assert "CAPTURE_TIME_MISSING" in found and "TIME_AFTER_UPLOAD" in found


def test_skew_corrected_photo_is_not_after_upload(jpeg):
    # Phone clock 10 minutes fast; EXIF says 10:10 local device time, server received at 10:05.
    meta = extract_metadata(jpeg(30.0, 120.0, taken=datetime(2025, 5, 7, 10, 10), offset="+08:00"))
    received = T0 + timedelta(minutes=5)
    assert "TIME_AFTER_UPLOAD" in codes(assess_photo(meta, PhotoContext(received_at=received)))
    context = PhotoContext(received_at=received, clock_skew_s=600, device_fix=DeviceFix(30, 120, 5))
    assert "TIME_AFTER_UPLOAD" not in codes(assess_photo(meta, context))
