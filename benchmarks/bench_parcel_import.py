"""The whole `farmpatrol parcels import`: 图斑 in EPSG:4528 (GeoPackage), read, reprojected to EPSG:4490, areas
computed, upserted into a fresh database; then the same file again (every parcel unchanged). Time and peak RSS,
for a county (70,000: under 30 s) and a province's worth (1,000,000: under 120 s, with about the same peak RSS:
an import streams in batches of PARCEL_IMPORT_BATCH).

Each size and database runs in a process of its own, so that its peak RSS is its own. On a shared machine the
process's CPU time says more than the wall time (the database server's own CPU is not in it). The GeoPackages are kept
under /tmp (writing a million parcels takes a while). SQLite always; PostgreSQL as well when DATABASE_URL names a
server (a scratch database is created on it and dropped afterwards).

Run: .venv/bin/python benchmarks/bench_parcel_import.py [--count 70000 1000000]
     DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/bench_parcel_import.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

sys.path.insert(0, str(Path(__file__).parent))
from bench_parcel_read import make_parcels, write_dltb  # noqa: E402
from bench_task_generation import peak_rss_mb, scratch_postgres  # noqa: E402

from server import create_app  # noqa: E402
from server.config import Config  # noqa: E402
from server.extensions import db  # noqa: E402
from server.parcels.service import import_parcel_file  # noqa: E402

CACHE = Path(tempfile.gettempdir())


def survey_file(count: int) -> Path:
    """The benchmark layer of `count` parcels, written once and kept."""
    path = CACHE / f"farmpatrol-bench-dltb-{count}.gpkg"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".partial.gpkg")
        partial.unlink(missing_ok=True)
        write_dltb(partial, make_parcels(count))
        partial.rename(path)
        print(f"wrote {count:,} parcels to {path} in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def run(label: str, database_url: str, path: Path, count: int, reimport: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Config(instance_path=Path(tmp), database_url=database_url.replace("{tmp}", tmp),
                                secret_key="bench"))
        with app.app_context():
            upgrade()
            for what in ("first import", "re-import")[:2 if reimport else 1]:
                started, cpu = time.perf_counter(), time.process_time()
                summary = import_parcel_file(path, create_territory=True)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                peak = peak_rss_mb()
                print(f"{label} {what}: {count:,} parcels in {elapsed:.2f} s = {count / elapsed:,.0f} parcels/s "
                      f"(this process's CPU {cpu:.1f} s), peak RSS {peak:.0f} MB (created {summary.created:,}, updated {summary.updated:,}, "
                      f"unchanged {summary.unchanged:,}, rejected {len(summary.rejected):,}, "
                      f"repaired {len(summary.repaired):,})", flush=True)
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, nargs="+", default=[70_000])
    parser.add_argument("--no-reimport", action="store_true", help="only the first import (saves time at 1M)")
    parser.add_argument("--child", nargs=4, metavar=("LABEL", "URL", "PATH", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        label, url, path, count = args.child
        run(label, url, Path(path), int(count), not args.no_reimport)
        return
    postgres = os.environ.get("DATABASE_URL", "")
    for count in args.count:
        path = survey_file(count)
        options = ["--no-reimport"] if args.no_reimport else []
        _child("sqlite", "sqlite:///{tmp}/bench.db", path, count, options)
        if postgres.startswith(("postgres://", "postgresql")):
            with scratch_postgres(postgres) as url:
                _child("postgresql", url, path, count, options)


def _child(label: str, url: str, path: Path, count: int, options: list[str]) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    subprocess.run([sys.executable, __file__, "--child", label, url, str(path), str(count), *options], check=True,
                   env=env)


if __name__ == "__main__":
    main()
