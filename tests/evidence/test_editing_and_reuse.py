import io

import pytest
from PIL import Image

from server.evidence import (
    PhotoContext,
    assess_photo,
    extract_metadata,
    find_near_duplicates,
    hamming_distance,
    ingest_photo,
    LocalDiskStore,
)
from server.evidence.editing import check_software


def codes(findings):
    return [f.code for f in findings]


@pytest.mark.parametrize(
    "software",
    ["Adobe Photoshop CC 2019 (Windows)", "GIMP 2.10", "Snapseed 2.0", "美图秀秀", "MeituXiuXiu 9.1",
     "PicsArt", "Lightroom Mobile", "醒图", "paint.net 4.2.13"],
)
def test_editor_software_is_flagged(software):
    assert check_software(software).code == "EDIT_SOFTWARE"


@pytest.mark.parametrize("software", [None, "", "HDR+ 1.0.621982163zd", "G935LKLU1APL1", "11.2.2", "MIUI"])
def test_camera_firmware_is_not_an_editor(software):
    assert check_software(software) is None


def test_real_photos_edited_in_gimp_and_paint_net(photo):
    assert "EDIT_SOFTWARE" in codes(assess_photo(extract_metadata(photo("gps_south_hemisphere_kodak.jpg"))))
    found = codes(assess_photo(extract_metadata(photo("gps_1x1_iphone_xr.jpg"))))
    assert "EDIT_SOFTWARE" in found and "EDIT_SIZE_MISMATCH" in found


def test_size_mismatch(jpeg):
    cropped = extract_metadata(jpeg(30.0, 120.0, size=(64, 48), exif_size=(4000, 3000)))
    found = [f for f in assess_photo(cropped) if f.code == "EDIT_SIZE_MISMATCH"]
    assert found and found[0].data["exif_width"] == 4000


@pytest.mark.parametrize("orientation, flagged", [(1, True), (5, False), (6, False), (8, False)])
def test_size_swap_allowed_only_for_rotating_orientations(jpeg, orientation, flagged):
    meta = extract_metadata(jpeg(30.0, 120.0, size=(64, 48), exif_size=(48, 64), orientation=orientation))
    assert ("EDIT_SIZE_MISMATCH" in codes(assess_photo(meta))) is flagged


def test_samsung_heic_rotated_by_libheif_is_not_a_mismatch(photo):
    meta = extract_metadata(photo("heic_samsung_zero_denominator.heic"))
    assert "EDIT_SIZE_MISMATCH" not in codes(assess_photo(meta))


def test_gps_without_camera_make(jpeg):
    assert "EDIT_NO_MAKE_WITH_GPS" in codes(assess_photo(extract_metadata(jpeg(30.0, 120.0, make=None))))
    assert "EDIT_NO_MAKE_WITH_GPS" not in codes(assess_photo(extract_metadata(jpeg(30.0, 120.0))))


def test_hamming_distance_accepts_hex_and_int():
    assert hamming_distance("ff00", 0x0f00) == 4
    assert hamming_distance(0, 0) == 0


def test_find_near_duplicates_sorted_and_thresholded():
    found = find_near_duplicates("00000000000000ff", [("a", "00000000000000fe"), ("b", "0"), ("c", "ffffffffffffffff"), ("d", 0xff)])
    assert found == [("d", 0), ("a", 1), ("b", 8)]
    assert find_near_duplicates("00000000000000ff", [("b", "0")], max_distance=7) == []
    assert find_near_duplicates("0", [("x", "ff")], max_distance=8) == [("x", 8)]


@pytest.fixture(scope="module")
def ingested(photo, tmp_path_factory):
    store = LocalDiskStore(tmp_path_factory.mktemp("reuse"))
    cache = {}

    def get(name_or_bytes):
        key = name_or_bytes if isinstance(name_or_bytes, str) else id(name_or_bytes)
        if key not in cache:
            data = photo(name_or_bytes) if isinstance(name_or_bytes, str) else name_or_bytes
            cache[key] = ingest_photo(data, store)
        return cache[key]

    return get


def test_resized_recompressed_copy_is_a_near_duplicate(photo, ingested):
    original = ingested("gps_htc_desire.jpg")
    with Image.open(io.BytesIO(photo("gps_htc_desire.jpg"))) as image:
        out = io.BytesIO()
        image.resize((388, 454)).save(out, "JPEG", quality=60)
    copy = ingested(out.getvalue())
    assert copy.sha256 != original.sha256
    assert find_near_duplicates(copy.phash, [("orig", original.phash)]) == [("orig", hamming_distance(copy.phash, original.phash))]


def test_neighbouring_real_photos_are_not_near_duplicates(ingested):
    a = ingested("gps_nikon_p6000_b.jpg")
    b = ingested("gps_nikon_p6000_gpsdate_off_by_one_day.jpg")
    assert hamming_distance(a.phash, b.phash) > 8


def test_phash_is_taken_upright(ingested):
    # Same picture stored with orientation 5 and 6: upright, the hashes agree.
    assert ingested("nogps_orientation_5.jpg").phash == ingested("nogps_orientation_6.jpg").phash


def test_reuse_findings():
    meta = extract_metadata(b"not an image at all")
    context = PhotoContext(exact_reuse_of=[17], near_duplicates=[(5, 3), (9, 20)])
    assert codes(assess_photo(meta, context)) == ["NOT_AN_IMAGE"]
    from .conftest import make_jpeg

    found = {f.code: f for f in assess_photo(extract_metadata(make_jpeg(30.0, 120.0)), context)}
    assert found["REUSE_EXACT"].data["other_photo_ids"] == [17]
    assert found["REUSE_NEAR"].data == {"hash_distance": 3, "matches": [[5, 3]]}
