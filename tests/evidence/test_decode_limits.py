"""Decode memory is bounded (issue 11, item 4): a pixel limit for phone photos checked before the pixels are
decoded, reduced-size decodes, and a bounded number of decodes at once."""

from __future__ import annotations

import io
import struct
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from server.evidence import decode as decode_module
from server.evidence import ingest as ingest_module
from server.evidence.decode import configure_limits, decode
from server.evidence.ingest import ingest_photo
from server.evidence.storage import LocalDiskStore


def _png(width: int, height: int, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (90, 140, 60, 255)[: len(mode)]).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.fixture
def limits():
    yield configure_limits
    configure_limits(decode_module.DEFAULT_MAX_PIXELS, decode_module.DEFAULT_MAX_CONCURRENT)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@pytest.fixture(scope="module")
def crafted_png() -> bytes:
    """9,400 x 9,400 RGBA pixels (88 MP, just under Pillow's own 89.5 MP warning) in a few hundred KB: ~350 MB
    when decoded. Written row by row, so that making it costs the test no such memory."""
    side = 9_400
    compressor, idat = zlib.compressobj(9), []
    row = bytes(1 + side * 4)  # filter byte 0, then transparent black
    for _ in range(side):
        idat.append(compressor.compress(row))
    idat.append(compressor.flush())
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(idat))
            + _chunk(b"IEND", b""))


def test_a_crafted_large_png_is_refused_before_its_pixels_are_decoded(crafted_png, monkeypatch):
    loads = []
    real_load = Image.Image.load
    monkeypatch.setattr(Image.Image, "load", lambda self: loads.append(self.size) or real_load(self))
    result = decode(crafted_png, long_side=320)
    assert len(crafted_png) < 1_000_000
    assert (result.status, result.width, result.height, result.image) == ("bomb", 9_400, 9_400, None)
    assert "pixel limit" in result.notes[0]
    assert loads == []


def test_the_pixel_limit_is_a_setting(limits):
    photo = _png(1_000, 800, "RGB")
    assert decode(photo).status == "ok"
    limits(500_000, 2)
    assert decode(photo).status == "bomb"


def test_formats_without_draft_decoding_are_reduced_right_after_loading():
    result = decode(_png(4_000, 3_000), long_side=320)
    assert (result.status, result.width, result.height) == ("ok", 4_000, 3_000)
    assert 320 <= max(result.image.size) < 4_000 / 2 and result.image.mode == "RGB"


def test_jpeg_thumbnails_come_from_a_draft_decode(shared_photos):
    photo = (shared_photos / "gps_htc_desire.jpg").read_bytes()
    full = Image.open(io.BytesIO(photo)).size
    reduced = decode(photo, long_side=320).image.size
    assert max(reduced) < max(full) and max(reduced) >= 320


def test_at_most_the_configured_number_of_ingests_decode_at_once(limits, tmp_path, monkeypatch):
    limits(decode_module.DEFAULT_MAX_PIXELS, 2)
    active, peak, lock, two_inside = [0], [0], threading.Lock(), threading.Event()
    real = ingest_module.make_derived

    def spy(*args, **kwargs):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
            if active[0] == 2:
                two_inside.set()
        two_inside.wait(timeout=5)  # hold the slot until a second ingest is inside too (or give up)
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(ingest_module, "make_derived", spy)
    store = LocalDiskStore(tmp_path)
    photos = [_png(640 + i, 480, "RGB") for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda data: ingest_photo(data, store, {"thumb": 320}), photos))
    assert all(r.phash for r in results)
    assert peak[0] == 2
