"""Time `read_parcels` on a county-sized DLTB layer (70,000 图斑 in EPSG:4528, as a GeoPackage).

The whole import (read + database upsert) must stay under 30 s for 70k parcels, so the reading half should
take a few seconds. Run: .venv/bin/python benchmarks/bench_parcel_read.py [--count 70000] [--format gpkg]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely

from server.parcels.reader import read_parcels

E0, N0 = 40_505_000.0, 3_340_000.0  # south-west of Hangzhou, zone 40
SPACING_M = 150.0                    # parcels of 0.5–2.5 亩 on a 150 m grid
BOWTIE_SHARE = 0.002                 # a few self-intersections so the repair path runs too
SUFFIXES = {"gpkg": ".gpkg", "shp": ".shp", "gdb": ".gdb", "geojson": ".geojson"}


def make_parcels(count: int, seed: int = 7) -> np.ndarray:
    """Star-shaped polygons of 6–12 vertices on a grid; a small share with two vertices swapped (bowties)."""
    rng = np.random.default_rng(seed)
    vertices = rng.integers(6, 13, count)
    owner = np.repeat(np.arange(count), vertices)
    # Evenly spaced angles with jitter keep every polygon star-shaped around its centre, hence simple.
    position = np.arange(len(owner)) - np.repeat(np.cumsum(vertices) - vertices, vertices)
    step = 2 * np.pi / vertices[owner]
    angles = (position + rng.uniform(-0.3, 0.3, len(owner))) * step
    radii = rng.uniform(25, 45, len(owner))
    per_row = int(np.ceil(np.sqrt(count)))
    centre_e = E0 + (owner % per_row) * SPACING_M
    centre_n = N0 + (owner // per_row) * SPACING_M
    coords = np.column_stack((centre_e + radii * np.cos(angles), centre_n + radii * np.sin(angles)))
    starts = np.r_[0, np.cumsum(vertices)[:-1]]
    bowties = starts[rng.random(count) < BOWTIE_SHARE]
    coords[np.r_[bowties, bowties + 2]] = coords[np.r_[bowties + 2, bowties]]
    return shapely.polygons(shapely.linearrings(coords, indices=owner))


def write_dltb(path: Path, geoms: np.ndarray) -> None:
    count = len(geoms)
    village = np.array([f"330110{1 + i % 20:03d}{1 + i % 30:03d}0000000" for i in range(count)], dtype=object)
    fields = {
        "TBBH": np.array([f"{i:08d}" for i in range(count)], dtype=object),
        "DLBM": np.array(["0101", "0102", "0103"] * (count // 3) + ["0101"] * (count % 3), dtype=object),
        "ZLDWDM": village,
        "ZLDWMC": np.array(["西溪村"] * count, dtype=object),
        "TBMJ": shapely.area(geoms),
    }
    driver = "OpenFileGDB" if path.suffix == ".gdb" else None
    pyogrio.raw.write(str(path), shapely.to_wkb(geoms), list(fields.values()), list(fields), crs="EPSG:4528",
                      layer="DLTB" if path.suffix != ".shp" else None, geometry_type="Polygon", driver=driver)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=70_000)
    parser.add_argument("--format", choices=sorted(SUFFIXES), default="gpkg")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"dltb{SUFFIXES[args.format]}"
        started = time.perf_counter()
        write_dltb(path, make_parcels(args.count))
        print(f"wrote {args.count:,} parcels to {path.name} in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        result = read_parcels(path)
        elapsed = time.perf_counter() - started
    print(f"read_parcels: {len(result.features):,} accepted ({len(result.repaired):,} repaired), "
          f"{len(result.rejected):,} rejected in {elapsed:.2f} s = {result.feature_count / elapsed:,.0f} parcels/s")


if __name__ == "__main__":
    main()
