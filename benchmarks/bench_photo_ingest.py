"""Per-photo ingest cost on 4 MB / 12 MP phone photos, against a floor measured in the same run.

Floor: what any ingest must do at least — SHA-256, exifread, a draft-decoded thumbnail, and a
durable write (fsync) of the original. Ingest: server.evidence.ingest_photo (extraction, review
image + thumbnail + pHash from one decode, content-addressed LocalDiskStore) plus assess_photo.
"thumb-only" is the same pipeline without the 1600 px review image, which needs a 1/2-scale
decode where the floor's thumbnail gets away with 1/8.

    .venv/bin/python benchmarks/bench_photo_ingest.py [--repeat N]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import exifread
from PIL import Image
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from server.evidence import DERIVED_SIZES, LocalDiskStore, PhotoContext, assess_photo, ingest_photo  # noqa: E402

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"
NAMES = ["gps_galaxy_s7edge_12mp.jpg", "nogps_xiaomi_mi9t_4mb.jpg", "gps_galaxy_note3.jpg"]
TARGET_RATIO = 1.3


def floor(path: Path, out_dir: Path) -> None:
    data = path.read_bytes()
    hashlib.sha256(data).hexdigest()
    exifread.process_file(io.BytesIO(data), details=False, extract_thumbnail=False)
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (320, 320))
        image.thumbnail((320, 320))
        image.save(io.BytesIO(), "JPEG", quality=85)
    with open(out_dir / path.name, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def ingest(path: Path, out_dir: Path, sizes: dict[str, int] = DERIVED_SIZES) -> None:
    result = ingest_photo(path, LocalDiskStore(out_dir), sizes)
    context = PhotoContext(parcel=box(119.9, 29.9, 120.1, 30.1), received_at=datetime.now(timezone.utc))
    assess_photo(result.metadata, context)


def ingest_thumb_only(path: Path, out_dir: Path) -> None:
    ingest(path, out_dir, {"thumb": 320})


VARIANTS = {"floor": floor, "ingest": ingest, "thumb_only": ingest_thumb_only}


def measure(path: Path, repeat: int) -> dict[str, float]:
    """Median seconds per variant. Variants alternate within each round so that load from other
    processes on a shared machine hits them alike; each run writes into a fresh directory."""
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory() as root:
        for i in range(repeat):
            for name, fn in VARIANTS.items():
                out_dir = Path(root) / f"{name}-{i}"
                out_dir.mkdir()
                start = time.perf_counter()
                fn(path, out_dir)
                samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as warm:
        for name in NAMES:  # warm-up: imports (scipy for pHash), page cache, PROJ database
            ingest(PHOTOS / name, Path(warm))
    print(f"{'photo':28} {'MB':>5} {'floor ms':>9} {'ingest ms':>10} {'ratio':>6} {'thumb-only ms':>14} {'ratio':>6}")
    totals = {name: 0.0 for name in VARIANTS}
    for name in NAMES:
        path = PHOTOS / name
        t = measure(path, args.repeat)
        for variant, seconds in t.items():
            totals[variant] += seconds
        print(
            f"{name:28} {path.stat().st_size / 1e6:5.2f} {t['floor'] * 1e3:9.1f} {t['ingest'] * 1e3:10.1f} "
            f"{t['ingest'] / t['floor']:6.2f} {t['thumb_only'] * 1e3:14.1f} {t['thumb_only'] / t['floor']:6.2f}"
        )
    n = len(NAMES)
    ratio = totals["ingest"] / totals["floor"]
    print(
        f"{'mean':28} {'':5} {totals['floor'] / n * 1e3:9.1f} {totals['ingest'] / n * 1e3:10.1f} {ratio:6.2f} "
        f"{totals['thumb_only'] / n * 1e3:14.1f} {totals['thumb_only'] / totals['floor']:6.2f}"
    )
    print(f"target ingest <= {TARGET_RATIO}x floor: {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
