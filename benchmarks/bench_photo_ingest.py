"""Per-photo cost of the upload path on 4 MB / 12 MP phone photos, against a floor measured in the same run.

Floor: what any ingest must do at least — SHA-256, exifread, a draft-decoded thumbnail, and a
durable write (fsync) of the original. Upload path: what the server runs when an upload completes —
server.evidence.ingest_photo with server.photos.service.INGEST_SIZES (original, thumbnail, metadata,
pHash into a LocalDiskStore) plus assess_photo. Target: within 1.3x of the floor.
Review: the 1600 px review image, made on a reviewer's first request (server.assessments.service.derive)
from the stored original: a 1/2-scale decode, so it is kept off the upload path; shown separately.

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

from server.assessments.service import derive  # noqa: E402
from server.evidence import LocalDiskStore, PhotoContext, assess_photo, ingest_photo, original_key  # noqa: E402
from server.photos.service import INGEST_SIZES  # noqa: E402

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"
NAMES = ["gps_galaxy_s7edge_12mp.jpg", "nogps_xiaomi_mi9t_4mb.jpg", "gps_galaxy_note3.jpg"]
TARGET_RATIO = 1.3


def floor(path: Path, out_dir: Path) -> float:
    start = time.perf_counter()
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
    return time.perf_counter() - start


def upload_path(path: Path, out_dir: Path) -> float:
    start = time.perf_counter()
    result = ingest_photo(path, LocalDiskStore(out_dir), INGEST_SIZES)
    context = PhotoContext(parcel=box(119.9, 29.9, 120.1, 30.1), received_at=datetime.now(timezone.utc))
    assess_photo(result.metadata, context)
    return time.perf_counter() - start


def review(path: Path, out_dir: Path) -> float:
    """Only the first request's work is timed; the original is already in the store, as after an upload."""
    store = LocalDiskStore(out_dir)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    store.put(original_key(sha256), path)
    start = time.perf_counter()
    derive(store, sha256, "review")
    return time.perf_counter() - start


VARIANTS = {"floor": floor, "upload_path": upload_path, "review": review}


def measure(path: Path, repeat: int) -> dict[str, float]:
    """Median seconds per variant. Variants alternate within each round so that load from other
    processes on a shared machine hits them alike; each run writes into a fresh directory."""
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory() as root:
        for i in range(repeat):
            for name, fn in VARIANTS.items():
                out_dir = Path(root) / f"{name}-{i}"
                out_dir.mkdir()
                samples[name].append(fn(path, out_dir))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as warm:
        for name in NAMES:  # warm-up: imports (scipy for pHash), page cache, PROJ database
            upload_path(PHOTOS / name, Path(warm))
    print(f"{'photo':28} {'MB':>5} {'floor ms':>9} {'upload ms':>10} {'ratio':>6} {'review (lazy) ms':>17}")
    totals = {name: 0.0 for name in VARIANTS}
    for name in NAMES:
        path = PHOTOS / name
        t = measure(path, args.repeat)
        for variant, seconds in t.items():
            totals[variant] += seconds
        print(f"{name:28} {path.stat().st_size / 1e6:5.2f} {t['floor'] * 1e3:9.1f} {t['upload_path'] * 1e3:10.1f} "
              f"{t['upload_path'] / t['floor']:6.2f} {t['review'] * 1e3:17.1f}")
    n = len(NAMES)
    ratio = totals["upload_path"] / totals["floor"]
    print(f"{'mean':28} {'':5} {totals['floor'] / n * 1e3:9.1f} {totals['upload_path'] / n * 1e3:10.1f} {ratio:6.2f} "
          f"{totals['review'] / n * 1e3:17.1f}")
    print(f"target upload path <= {TARGET_RATIO}x floor: {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
