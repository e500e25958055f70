"""Derived images (review size and thumbnail) without EXIF, from one draft decode.

Derived files are what reviewers and the web UI load; they carry no EXIF or XMP, so a shared
thumbnail never leaks the inspector's position. The original is never touched: evidence is the
original file and its SHA-256. Images are resized in stored orientation and rotated afterwards,
which turns the rotation of a 12 MP (draft 3 MP) frame into that of a 2 MP one.
"""

from __future__ import annotations

import io

from PIL import Image

DERIVED_SIZES: dict[str, int] = {"review": 1600, "thumb": 320}  # long side in pixels
JPEG_QUALITY = 85

# EXIF orientation -> the transposition that makes the image upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, long_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encode(image: Image.Image, icc_profile: bytes | None) -> bytes:
    """JPEG with no metadata but the colour profile: info is cleared so Pillow copies nothing."""
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=icc_profile)
    return out.getvalue()


def make_derived(
    image: Image.Image, orientation: int = 1, sizes: dict[str, int] = DERIVED_SIZES
) -> tuple[dict[str, bytes], Image.Image]:
    """Upright JPEG bytes per size name, each resized from the next larger one.

    Returns the smallest upright image too, for the perceptual hash. `image` is in stored
    orientation and `orientation` is the EXIF value still to apply (decode.Decoded gives both).
    """
    icc_profile = image.info.get("icc_profile")
    transpose = _UPRIGHT.get(orientation)
    current = image
    derived: dict[str, bytes] = {}
    upright = image
    for name, long_side in sorted(sizes.items(), key=lambda item: -item[1]):
        target = _fit(current.size, long_side)
        if target != current.size:
            current = current.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)
        upright = current.transpose(transpose) if transpose is not None else current
        derived[name] = _encode(upright, icc_profile)
    return derived, upright
