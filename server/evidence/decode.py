"""Open photo bytes with Pillow and give a definite verdict, never an exception.

Content is sniffed, not trusted to the file name: iPhones upload HEIC, sometimes named .jpg.
JPEGs are decoded with Image.draft (DCT scaling), which is several times cheaper than a full
decode and still proves the whole entropy-coded stream is present (truncation is detected).
The image is returned as stored, with the orientation Pillow sees, so derived images can be
resized first and rotated after (rotating the small image is cheaper).
"""

from __future__ import annotations

import functools
import io
import math
import threading
import warnings
from dataclasses import dataclass, field
from typing import Literal

from PIL import ExifTags, Image, UnidentifiedImageError

DecodeStatus = Literal["ok", "truncated", "undecodable", "bomb", "not_an_image"]

# warnings.catch_warnings swaps process-wide state (the filters and showwarning) and restores it on exit;
# two threads inside it at once restore each other's state, so a warning can escape as an error or be
# lost. The server decodes on several threads (gunicorn's threaded workers), so decodes take turns here. Cost: decodes of one
# process do not overlap (~40 ms per 12 MP JPEG at thumbnail scale, ~60 ms at review scale: ~25 uploads/s
# per process, far above a county's rate). Python 3.14's context-aware warnings would make it unnecessary.
_WARNINGS_LOCK = threading.Lock()

# Memory bounds (issue 11). Phone cameras store at most ~50 MP by default (the 108/200 MP modes are opt-in and
# bin to 12 MP unless asked): a larger picture is refused before its pixels are decoded, whatever Pillow's
# own, much higher, limit says. An 8000 x 6250 PNG decodes to ~200 MB as RGBA, so decodes and the images
# made from them also take turns: at most `max_concurrent` at once per process.
DEFAULT_MAX_PIXELS = 50_000_000
DEFAULT_MAX_CONCURRENT = 2
_limits = {"max_pixels": DEFAULT_MAX_PIXELS}
_slots = threading.BoundedSemaphore(DEFAULT_MAX_CONCURRENT)


def configure_limits(max_pixels: int, max_concurrent: int) -> None:
    """Set the process's decode limits (config PHOTO_MAX_PIXELS, PHOTO_MAX_CONCURRENT_DECODES); at start-up."""
    global _slots
    _limits["max_pixels"] = max_pixels
    _slots = threading.BoundedSemaphore(max_concurrent)


def decode_slot() -> threading.BoundedSemaphore:
    """Hold it (`with decode_slot():`) for a decode and the work on its image, so that their memory is bounded."""
    return _slots


_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}


@functools.cache
def _register_heif() -> None:
    """pillow-heif registers a global Pillow opener; once per process is enough."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def sniff_format(data: bytes) -> str | None:
    """The image format from magic bytes, or None when the bytes are no known image."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    return None


@dataclass
class Decoded:
    status: DecodeStatus
    format: str | None
    width: int | None = None  # pixel size as stored (HEIF: as libheif returns it, already upright)
    height: int | None = None
    image: Image.Image | None = None  # RGB as stored, possibly draft-reduced; None unless ok
    orientation: int = 1  # EXIF orientation still to apply to `image` (libheif applies its own)
    exif_corrupt: bool = False
    notes: list[str] = field(default_factory=list)


def _draft_request(size: tuple[int, int], long_side: int | None) -> tuple[int, int]:
    """The draft size that keeps at least `long_side` on the long edge (None: smallest)."""
    width, height = size
    if long_side is None:
        return (1, 1)
    scale = min(1.0, long_side / max(width, height))
    return (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale)))


def _reduced(image: Image.Image, long_side: int | None) -> Image.Image:
    """Formats without a reduced-size decode (PNG, HEIF, WebP …) are shrunk by an integer factor right after
    loading, before the RGB conversion makes a second full-size copy; the long edge keeps >= long_side."""
    factor = max(image.size) // long_side if long_side else 1
    return image.reduce(factor) if factor >= 2 and image.mode in ("RGB", "RGBA", "L", "LA", "RGBa", "La") else image


def decode(data: bytes, long_side: int | None = None) -> Decoded:
    """Decode `data` at the cheapest scale that still gives `long_side` pixels on the long edge.

    Warnings are caught on purpose: Pillow's DecompressionBombWarning (1x-2x its pixel limit)
    becomes the "bomb" verdict like the error above 2x, and "Corrupt EXIF data" becomes a flag.
    Thread-safe: see _WARNINGS_LOCK.
    """
    sniffed = sniff_format(data)
    if sniffed == "HEIF":
        _register_heif()
    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _decode(data, sniffed, long_side, caught)
    for warning in caught:
        if issubclass(warning.category, Image.DecompressionBombWarning):
            continue  # already the verdict
        result.exif_corrupt |= "Corrupt EXIF" in str(warning.message)
        result.notes.append(f"Pillow warning: {str(warning.message).strip()}")
    return result


def _bomb_warning(caught: list[warnings.WarningMessage]) -> str | None:
    for warning in caught:
        if issubclass(warning.category, Image.DecompressionBombWarning):
            return str(warning.message)
    return None


def _decode(
    data: bytes, sniffed: str | None, long_side: int | None, caught: list[warnings.WarningMessage]
) -> Decoded:
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        return Decoded("bomb", sniffed, notes=[str(exc)])
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        status: DecodeStatus = "undecodable" if sniffed else "not_an_image"
        return Decoded(status, sniffed, notes=[f"Pillow cannot open the file: {exc}"])

    fmt = "JPEG" if image.format == "MPO" else image.format
    width, height = image.size
    bomb = _bomb_warning(caught)
    if bomb:
        return Decoded("bomb", fmt, width, height, notes=[bomb])
    if width * height > _limits["max_pixels"]:
        return Decoded("bomb", fmt, width, height, notes=[
            f"{width}x{height} exceeds the photo pixel limit of {_limits['max_pixels']}; pixels not decoded"])
    try:
        if fmt == "JPEG":
            image.draft("RGB", _draft_request(image.size, long_side))
        image.load()
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        image = _reduced(image, long_side)
        if image.mode != "RGB":
            image = image.convert("RGB")
    except OSError as exc:
        status = "truncated" if "truncated" in str(exc) else "undecodable"
        return Decoded(status, fmt, width, height, notes=[f"Pillow cannot decode the pixels: {exc}"])
    except (ValueError, SyntaxError, MemoryError) as exc:
        return Decoded("undecodable", fmt, width, height, notes=[f"Pillow cannot decode the pixels: {exc}"])
    return Decoded("ok", fmt, width, height, image, orientation if orientation in range(1, 9) else 1)
