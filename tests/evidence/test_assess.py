import re

import pytest

from server.evidence import CATALOGUE, DeviceFix, Finding, PhotoContext, assess_photo, evidence_level, extract_metadata, finding


def test_catalogue_codes_are_stable_identifiers_with_chinese_messages():
    for code, spec in CATALOGUE.items():
        assert re.fullmatch(r"[A-Z0-9_]+", code)
        assert spec.severity in ("info", "warning", "error")
        assert re.search(r"[\u4e00-\u9fff]", spec.template_zh)


def test_finding_to_dict():
    f = finding("GEOFENCE_WARN", distance_m=31.2, tolerance_m=15.0, source="exif", lat=30.0, lon=120.0)
    assert f.to_dict() == {
        "code": "GEOFENCE_WARN",
        "severity": "warning",
        "message_zh": f.message_zh,
        "data": {"distance_m": 31.2, "tolerance_m": 15.0, "source": "exif", "lat": 30.0, "lon": 120.0},
    }
    assert "31.2" in f.message_zh


def test_missing_gps_falls_back_to_device_fix_with_lower_trust(jpeg, parcel):
    meta = extract_metadata(jpeg())
    centre = parcel.centroid
    found = {f.code: f for f in assess_photo(meta, PhotoContext(parcel=parcel, device_fix=DeviceFix(centre.y, centre.x, 8)))}
    assert found["GPS_MISSING"].severity == "warning"
    assert found["DEVICE_FIX_FALLBACK"].severity == "warning"
    assert found["GEOFENCE_PASS"].data["source"] == "device"


def test_no_location_at_all_is_an_error(jpeg, parcel):
    found = assess_photo(extract_metadata(jpeg()), PhotoContext(parcel=parcel))
    assert [(f.code, f.severity) for f in found if f.code.startswith(("GPS", "GEOFENCE"))] == [("GPS_MISSING", "error")]


def test_null_island_never_reaches_the_geofence(photo, parcel):
    meta = extract_metadata(photo("gps_null_island_galaxy_s.jpg"))
    found = [f.code for f in assess_photo(meta, PhotoContext(parcel=parcel))]
    assert "GPS_NULL_ISLAND" in found and not any(c.startswith("GEOFENCE") for c in found)


def _f(severity):
    return Finding("X", severity, "x")


@pytest.mark.parametrize(
    "photos, required_ok, level",
    [
        ([[_f("info")], []], True, "trusted"),
        ([[_f("info")], [_f("warning")]], True, "doubtful"),
        ([[_f("error")], []], True, "doubtful"),
        ([[_f("error")], [_f("error"), _f("info")]], True, "insufficient"),
        ([], True, "insufficient"),
        ([[_f("info")]], False, "insufficient"),
    ],
)
def test_evidence_level(photos, required_ok, level):
    assert evidence_level(photos, required_ok) == level
