import hashlib
import io

import exifread
import pytest
from PIL import Image

from server.evidence import LocalDiskStore, extract_metadata, ingest_photo


def size_of(jpeg_bytes):
    with Image.open(io.BytesIO(jpeg_bytes)) as image:
        return image.size


@pytest.fixture
def store(tmp_path):
    return LocalDiskStore(tmp_path / "store")


@pytest.mark.parametrize("name", ["nogps_orientation_5.jpg", "nogps_orientation_6.jpg"])
def test_orientation_5_and_6_thumbnails_are_upright(photo, store, name):
    result = ingest_photo(photo(name), store)  # stored 600x450, displayed 450x600
    assert size_of(store.get(result.derived_keys["thumb"])) == (240, 320)
    assert size_of(store.get(result.derived_keys["review"])) == (450, 600)  # never upscaled


def test_12mp_orientation_6_review_and_thumb(photo, store):
    result = ingest_photo(photo("nogps_xiaomi_mi9t_4mb.jpg"), store)  # 4000x3000, orientation 6
    assert size_of(store.get(result.derived_keys["review"])) == (1200, 1600)
    assert size_of(store.get(result.derived_keys["thumb"])) == (240, 320)


@pytest.mark.parametrize("name", ["gps_htc_desire.jpg", "heic_iphone8_guangzhou.heic", "gps_iphone6_madrid.jpg"])
def test_derived_images_carry_no_exif_and_no_gps(photo, store, name):
    result = ingest_photo(photo(name), store)
    assert result.metadata.gps is not None
    for key in result.derived_keys.values():
        derived = store.get(key)
        tags = exifread.process_file(io.BytesIO(derived), details=False)
        assert not [t for t in tags if t.startswith("GPS")]
        assert b"Exif\x00\x00" not in derived and b"http://ns.adobe.com/xap" not in derived


def test_original_is_stored_byte_identical(photo, store, tmp_path):
    path = tmp_path / "upload.jpg"
    path.write_bytes(photo("gps_htc_desire.jpg"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = ingest_photo(path, store)
    assert result.sha256 == before == hashlib.sha256(path.read_bytes()).hexdigest()
    assert hashlib.sha256(store.get(result.original_key)).hexdigest() == before
    assert result.original_key == f"originals/{before[:2]}/{before[2:4]}/{before}"
    assert result.derived_keys == {"review": f"derived/{before}/review.jpg", "thumb": f"derived/{before}/thumb.jpg"}


def test_ingest_is_idempotent(photo, store):
    first = ingest_photo(photo("gps_htc_desire.jpg"), store)
    again = ingest_photo(photo("gps_htc_desire.jpg"), store)
    assert first.stored_new and not again.stored_new
    assert first.phash == again.phash


@pytest.mark.parametrize(
    "name", ["synthetic_bomb_65000x65000.jpg", "broken_truncated_2mb.jpg", "broken_dnl_marker_pillow_cannot_open.jpg"]
)
def test_undecodable_originals_are_kept_without_derived_images(photo, store, name):
    result = ingest_photo(photo(name), store)
    assert result.metadata.decode_status != "ok"
    assert store.exists(result.original_key)
    assert result.derived_keys == {} and result.phash is None


def test_heic_gets_jpeg_derivatives(photo, store):
    result = ingest_photo(photo("heic_named_jpg.jpg"), store)
    assert result.metadata.format == "HEIF"
    assert size_of(store.get(result.derived_keys["thumb"])) == (320, 320)


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7\n...", b"hello, not a photo", bytes(1000)])
def test_non_images(data):
    meta = extract_metadata(data)
    assert meta.decode_status == "not_an_image"
    assert meta.gps is None and meta.captured_at is None


def test_metadata_is_json_ready(photo):
    import json

    data = extract_metadata(photo("gps_pixel6_china_truncated.jpg")).to_dict()
    assert json.loads(json.dumps(data))["gps"]["lat"] == pytest.approx(30.62765)
