"""Every shared real photo gets its expected verdict, driven by MANIFEST.csv."""

from __future__ import annotations

import hashlib

import pytest

from server.evidence import PhotoContext, assess_photo, extract_metadata

from .conftest import PHOTOS_DIR, manifest_rows

ROWS = manifest_rows()
ROW_IDS = [row["file"] for row in ROWS]
# The one "broken" file whose pixels are fine: its EXIF block is corrupt (Pillow warns,
# exifread strict=True raises), so the verdict is on the metadata, not the decode.
CORRUPT_EXIF_ONLY = "broken_corrupt_exif_warning.jpg"


@pytest.fixture(scope="module")
def metadata_of(photo):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = extract_metadata(photo(name))
        return cache[name]

    return get


def test_every_photo_file_is_in_the_manifest(photos_dir):
    files = {p.name for p in photos_dir.iterdir() if p.name not in ("MANIFEST.csv", "README.md")}
    assert files == set(ROW_IDS)


@pytest.mark.skipif(not ROWS, reason=f"shared test photos not found at {PHOTOS_DIR}")
@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_manifest_verdict(row, photo, metadata_of):
    data = photo(row["file"])
    assert hashlib.sha256(data).hexdigest() == row["sha256"]
    meta = metadata_of(row["file"])
    category = row["category"]

    if category in ("gps_ok", "gps_ok_edge", "gps_ok_broken_pixels"):
        assert meta.gps_status == "ok"
        assert meta.gps.lat == pytest.approx(float(row["gps_lat"]), abs=1e-5)
        assert meta.gps.lon == pytest.approx(float(row["gps_lon"]), abs=1e-5)
        if row["gps_alt_m"]:
            assert meta.gps.altitude_m == pytest.approx(float(row["gps_alt_m"]), abs=0.01)
        expected_decode = "truncated" if category == "gps_ok_broken_pixels" else "ok"
        assert meta.decode_status == expected_decode
    elif category == "gps_broken":
        assert meta.gps is None
        assert meta.gps_status != "ok"  # an empty GPS IFD is "absent"; see the tests below
    elif category == "no_gps":
        assert meta.gps is None
        assert meta.gps_status == "absent"
        assert meta.decode_status == "ok"
    elif category == "broken":
        if row["file"] == CORRUPT_EXIF_ONLY:
            assert (meta.decode_status, meta.exif_status) == ("ok", "corrupt")
        else:
            assert meta.decode_status in ("truncated", "undecodable", "bomb")
    elif category == "wrong_format":
        assert meta.format == "HEIF"
        assert meta.decode_status == "ok"
    else:
        pytest.fail(f"unknown manifest category {category!r}")

    if row["width"] and meta.decode_status == "ok" and meta.format == "JPEG":
        assert (meta.width, meta.height) == (int(row["width"]), int(row["height"]))
    if row["make"]:
        assert meta.make == row["make"]

    findings = assess_photo(meta, PhotoContext())
    assert all(f.to_dict()["message_zh"] for f in findings)


def test_guangzhou_heic_has_its_gps(metadata_of):
    meta = metadata_of("heic_iphone8_guangzhou.heic")
    assert (meta.gps.lat, meta.gps.lon) == pytest.approx((23.1779167, 113.3943167), abs=1e-5)
    assert meta.gps.accuracy_m == 65  # GPSHPositioningError, used as the geofence tolerance


def test_heic_is_sniffed_by_content_not_name(metadata_of):
    meta = metadata_of("heic_named_jpg.jpg")
    assert (meta.format, meta.decode_status, meta.width) == ("HEIF", "ok", 1440)
    codes = [f.code for f in assess_photo(meta)]
    assert "HEIC" in codes


@pytest.mark.parametrize(
    "name, status",
    [
        ("gps_null_island_galaxy_s.jpg", "null_island"),
        ("gps_null_island_negative_zero_flir.jpg", "null_island"),
        ("gps_null_island_placeholder.jpg", "null_island"),
        ("gps_zero_denominator_leica.jpg", "invalid"),
        ("gps_zero_denominator_nikon_d5000.jpg", "invalid"),
        ("gps_malformed_ifd_pillow.jpg", "invalid"),
        ("heic_samsung_zero_denominator.heic", "invalid"),
        ("gps_empty_ifd_pillow.jpg", "absent"),
        ("nogps_gps_ifd_version_only.jpg", "absent"),
    ],
)
def test_unusable_gps_is_named(metadata_of, name, status):
    meta = metadata_of(name)
    assert meta.gps_status == status
    code = {"null_island": "GPS_NULL_ISLAND", "invalid": "GPS_INVALID", "absent": "GPS_MISSING"}[status]
    assert code in [f.code for f in assess_photo(meta)]


def test_nikon_d5000_keeps_its_valid_altitude_out_of_a_fix(metadata_of):
    # lat/lon seconds are 0/0: no fix, although the altitude 324.14 m is readable.
    assert metadata_of("gps_zero_denominator_nikon_d5000.jpg").gps is None


@pytest.mark.parametrize(
    "name, status",
    [
        ("broken_truncated_jpeg.jpg", "truncated"),
        ("broken_truncated_2mb.jpg", "truncated"),
        ("derived_upload_cut_at_60pct.jpg", "truncated"),
        ("broken_exifread_indexerror.jpg", "undecodable"),
        ("broken_exifread_valueerror.jpg", "undecodable"),
        ("broken_dnl_marker_pillow_cannot_open.jpg", "undecodable"),
        ("synthetic_bomb_65000x65000.jpg", "bomb"),
        ("synthetic_bomb_warning_10000x10000.jpg", "bomb"),
    ],
)
def test_broken_files_get_a_definite_decode_status(metadata_of, name, status):
    meta = metadata_of(name)
    assert meta.decode_status == status
    code = {"truncated": "DECODE_TRUNCATED", "undecodable": "DECODE_FAILED", "bomb": "DECOMPRESSION_BOMB"}[status]
    assert assess_photo(meta)[0].code == code


def test_exifread_crash_is_reported_as_corrupt_exif(metadata_of):
    meta = metadata_of("broken_exifread_indexerror.jpg")
    assert meta.exif_status == "corrupt"
    assert any("exifread failed" in note for note in meta.notes)


def test_cut_upload_still_yields_its_gps(metadata_of):
    meta = metadata_of("derived_upload_cut_at_60pct.jpg")
    assert meta.decode_status == "truncated"
    assert (meta.gps.lat, meta.gps.lon) == pytest.approx((45.5006667, 9.1103333), abs=1e-5)
