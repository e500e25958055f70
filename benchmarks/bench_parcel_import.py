"""The whole `farmpatrol parcels import` for a county: 70,000 图斑 in EPSG:4528 (GeoPackage), read,
reprojected to EPSG:4490, areas computed, upserted into a fresh database; then the same file again
(every parcel unchanged). Target: under 30 s for the first import.

Run: .venv/bin/python benchmarks/bench_parcel_import.py [--count 70000]
     DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench ... to measure PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from bench_parcel_read import make_parcels, write_dltb  # noqa: E402

from server import create_app  # noqa: E402
from server.config import Config  # noqa: E402
from server.extensions import db  # noqa: E402
from server.parcels.service import import_parcel_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=70_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dltb.gpkg"
        write_dltb(path, make_parcels(args.count))
        config = Config(instance_path=Path(tmp) / "instance", database_url=os.environ.get("DATABASE_URL", ""))
        app = create_app(config)
        with app.app_context():
            upgrade()
            backend = db.engine.dialect.name
            for label in ("first import", "re-import"):
                started = time.perf_counter()
                summary = import_parcel_file(path, create_territory=True)
                elapsed = time.perf_counter() - started
                print(f"{backend} {label}: {args.count:,} parcels in {elapsed:.2f} s = {args.count / elapsed:,.0f} "
                      f"parcels/s (created {summary.created:,}, updated {summary.updated:,}, "
                      f"unchanged {summary.unchanged:,}, rejected {len(summary.rejected):,}, "
                      f"repaired {len(summary.repaired):,})")


if __name__ == "__main__":
    main()
