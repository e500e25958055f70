"""Field photos for the demo history: real pictures from the shared test set (or drawn ones when that folder is
missing), re-encoded with the EXIF a phone writes at the parcel (make, capture time with its UTC offset, GPS
position, fix time and direction), so the evidence checks judge them like photos from the field.

Each photo gets its own crop and mirroring of a source picture, so no two of the first 36 per source are near
duplicates (perceptual hashes more than 8 bits apart)."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from PIL import Image, ImageDraw, ImageStat

LONG_SIDE_PX = 1024
_PICTURE_CATEGORIES = {"gps_ok", "gps_ok_edge", "no_gps"}
_MIN_PIXELS = 300_000
_LOCAL_OFFSET = "+08:00"
_PHONES = [("HUAWEI", "Mate 40 Pro"), ("Xiaomi", "Redmi Note 12"), ("OPPO", "Reno8"), ("vivo", "Y77")]


@dataclass(frozen=True)
class Shot:
    lat: float
    lon: float
    azimuth_deg: float
    taken_at: datetime  # aware


class PhotoMaker:
    def __init__(self, photos_dir: Path | None, seed: int, long_side_px: int = LONG_SIDE_PX):
        self.rng = random.Random(seed)
        self.long_side_px = long_side_px
        self.sources = _pictures(photos_dir) if photos_dir else []
        self.count = 0
        self._decoded: dict[int, Image.Image] = {}

    @property
    def real(self) -> bool:
        return bool(self.sources)

    def field_photo(self, shot: Shot) -> bytes:
        """A new JPEG taken at `shot`: a real picture's variant, or a drawn field."""
        index, self.count = self.count, self.count + 1
        image = self._variant(index) if self.sources else _drawn_field(self.rng, self.long_side_px)
        image.thumbnail((self.long_side_px, self.long_side_px))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, exif=_phone_exif(shot, _PHONES[index % len(_PHONES)]))
        return out.getvalue()

    def foreign_original(self) -> bytes | None:
        """An unmodified real photo with its own GPS far from any demo parcel (evidence that fails)."""
        return self.sources[0].read_bytes() if self.sources else None

    def _variant(self, index: int) -> Image.Image:
        source = self._source(index % len(self.sources))
        variant = index // len(self.sources)
        width, height = source.size
        # Crops on a 3 × 3 grid at 55 % (then 45 %) of the picture, each also mirrored: 36 pictures per source.
        fraction = 0.55 if (variant // 18) % 2 == 0 else 0.45
        crop_w, crop_h = int(width * fraction), int(height * fraction)
        column, row = variant % 3, (variant // 3) % 3
        left, top = column * (width - crop_w) // 2, row * (height - crop_h) // 2
        image = source.crop((left, top, left + crop_w, top + crop_h))
        if (variant // 9) % 2:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return image

    def _source(self, number: int) -> Image.Image:
        """The source picture, decoded once and kept at a size the crops need."""
        if number not in self._decoded:
            with Image.open(self.sources[number]) as original:
                original.draft("RGB", (2 * self.long_side_px, 2 * self.long_side_px))  # JPEG: decode at reduced scale
                image = original.convert("RGB")
            image.thumbnail((2 * self.long_side_px, 2 * self.long_side_px))
            self._decoded[number] = image
        return self._decoded[number]


def _pictures(photos_dir: Path) -> list[Path]:
    """Decodable photos of reasonable size from the shared set's manifest."""
    manifest = photos_dir / "MANIFEST.csv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    candidates = [photos_dir / row["file"] for row in rows if row["category"] in _PICTURE_CATEGORIES]
    return [path for path in candidates if path.is_file() and _is_picture(path)]


def _is_picture(path: Path) -> bool:
    """Decodes to at least _MIN_PIXELS (the manifest's sizes are EXIF's) that are not one flat colour."""
    try:
        with Image.open(path) as image:
            image.load()
            if image.width * image.height < _MIN_PIXELS:
                return False
            return ImageStat.Stat(image.convert("L").resize((64, 64))).stddev[0] > 8
    except OSError:
        return False


def _drawn_field(rng: random.Random, width: int) -> Image.Image:
    """Fields seen from above: a patchwork of plots in earth and crop colours, random per photo, so that
    perceptual hashes of two drawn photos are as far apart as those of two different scenes."""
    columns, rows, plot = 8, 6, max(8, width // 8)
    image = Image.new("RGB", (columns * plot, rows * plot))
    draw = ImageDraw.Draw(image)
    for column in range(columns):
        for row in range(rows):
            green = rng.random() < 0.6
            colour = ((40 + rng.randrange(60), 100 + rng.randrange(110), 30 + rng.randrange(40)) if green
                      else (120 + rng.randrange(90), 90 + rng.randrange(60), 50 + rng.randrange(40)))
            box = (column * plot, row * plot, (column + 1) * plot - 1, (row + 1) * plot - 1)
            draw.rectangle(box, fill=colour)
            for furrow in range(box[1] + plot // 16, box[3], max(3, plot // 9)):
                draw.line((box[0], furrow, box[2], furrow), fill=tuple(max(0, c - 25) for c in colour),
                          width=max(1, plot // 40))
    return image


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)


def _phone_exif(shot: Shot, phone: tuple[str, str]) -> Image.Exif:
    local = shot.taken_at.astimezone(datetime.strptime(_LOCAL_OFFSET, "%z").tzinfo)
    utc = shot.taken_at.astimezone(timezone.utc)
    stamp = local.strftime("%Y:%m:%d %H:%M:%S")
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = phone[0], phone[1], stamp  # Make, Model, DateTime
    exif[0x8769] = {0x9003: stamp, 0x9004: stamp, 0x9011: _LOCAL_OFFSET}  # DateTimeOriginal/Digitized, offset
    exif[0x8825] = {0: b"\x02\x03\x00\x00", 1: "N", 2: _dms(shot.lat), 3: "E", 4: _dms(shot.lon),
                    7: (float(utc.hour), float(utc.minute), float(utc.second)), 29: utc.strftime("%Y:%m:%d"),
                    16: "T", 17: round(shot.azimuth_deg % 360, 1)}
    return exif
