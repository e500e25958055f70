"""Every speed figure in one run, each beside its baseline or target, on SQLite and PostgreSQL.

push (batches of 50 and one record per request, N devices, through the real gunicorn server, against a bare
insert served the same way), tus photo uploads, photo ingest against its floor, pull p50/p99 in a county with
a year of tasks, task generation and parcel import for a county, a county-year compensation report (compute,
issue, re-issue). Prints a Markdown table, then the same rows as JSON (also written to --json-out).

Run: benchmarks/run [--postgres postgresql://postgres@127.0.0.1:5432/test] [--parcels 70000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PULL_OUTLINE_VERTICES = 32  # surveyed 图斑 outlines have tens of corners; every one travels in a pull page
sys.path.insert(0, str(HERE))
import bench_pull  # noqa: E402
import bench_sync  # noqa: E402
from bench_task_generation import scratch_postgres  # noqa: E402


def row(workload: str, database: str, figure: str, baseline: str = "", ratio: float | None = None,
        **values) -> dict:
    return {"workload": workload, "database": database, "figure": figure, "baseline": baseline,
            "ratio": None if ratio is None else round(ratio, 2), **values}


def push_rows(database: str, url: str, tmp: Path, args) -> list[dict]:
    sync_args = argparse.Namespace(records=args.records, singles=args.singles, devices=args.devices,
                                   workers=args.workers, threads=args.threads, photos=args.photos,
                                   photo_bytes=2 * 1024 * 1024)
    figures = bench_sync.measure(database.lower(), url, tmp, sync_args)
    rows = []
    for key, label in (("batch50", "push, batches of 50"), ("single", "push, 1 record/request")):
        ours, base = figures[key]
        rows.append(row(f"{label}, {args.devices} devices", database, f"{ours:.0f} records/s",
                        f"bare insert {base:.0f} records/s", base / ours, records_per_s=round(ours, 1),
                        baseline_per_s=round(base, 1)))
    rows.append(row("tus photo uploads (2 MB)", database, f"{figures['photos']:.1f} photos/s",
                    photos_per_s=round(figures["photos"], 2)))
    return rows


def pull_rows(database: str, url: str, tmp: Path, args) -> list[dict]:
    pull_args = argparse.Namespace(parcels=args.parcels, months=args.months, rounds=args.rounds, limit=500,
                                   vertices=PULL_OUTLINE_VERTICES, no_analyze=False)
    r = bench_pull.run(database, url, tmp / f"pull-{database}", pull_args)
    context = (f"{r['parcels']:,} parcels of ~{PULL_OUTLINE_VERTICES} corners, {r['change_log_rows']:,} "
               "change-log rows")
    return [row(f"pull, {label} page ({context})", database,
                f"p50 {r[f'{kind}_p50_ms']:.1f} ms, p99 {r[f'{kind}_p99_ms']:.1f} ms (CPU p50 "
                f"{r[f'{kind}_cpu_p50_ms']:.1f} ms)", "target p99 < 50 ms",
                p50_ms=r[f"{kind}_p50_ms"], p99_ms=r[f"{kind}_p99_ms"], cpu_p50_ms=r[f"{kind}_cpu_p50_ms"])
            for kind, label in (("snapshot", "first snapshot"), ("delta", "delta"))]


def script(name: str, *argv: str, database_url: str | None = None) -> str:
    env = {**os.environ}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run([sys.executable, str(HERE / name), *argv], env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout


def _labels(args) -> list[tuple[str, str]]:
    """(label in a script's output, database name) of each database the scripts measure in one run."""
    return [("sqlite", "SQLite")] + ([("postgresql", "PostgreSQL")] if args.postgres else [])


def generation_rows(args) -> list[dict]:
    """bench_task_generation.py measures SQLite, and PostgreSQL on a scratch database when given a server."""
    out = script("bench_task_generation.py", "--parcels", str(args.parcels), database_url=args.postgres)
    rows = []
    for label, database in _labels(args):
        found = re.search(rf"\[{label}\] first generation \(one period\): ([\d,]+) tasks in ([\d.]+) s", out)
        tasks, seconds = int(found[1].replace(",", "")), float(found[2])
        rows.append(row(f"task generation, one period ({args.parcels:,} parcels)", database,
                        f"{tasks:,} tasks in {seconds:.1f} s", "target < 10 s", seconds=seconds, tasks=tasks))
    return rows


def import_rows(args) -> list[dict]:
    """bench_parcel_import.py, like the generation benchmark, measures both databases in one run."""
    out = script("bench_parcel_import.py", "--count", str(args.parcels), database_url=args.postgres)
    rows = []
    for label, database in _labels(args):
        seconds = float(re.search(rf"{label} first import: ([\d,]+) parcels in ([\d.]+) s", out)[2])
        rows.append(row(f"parcel import, GeoPackage ({args.parcels:,} parcels)", database, f"{seconds:.1f} s",
                        "target < 30 s", seconds=seconds))
    return rows


def ingest_rows(args) -> list[dict]:
    out = script("bench_photo_ingest.py", "--repeat", str(args.ingest_repeat))
    mean = re.search(r"^mean\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", out, re.MULTILINE)
    floor_ms, upload_ms, ratio = float(mean[1]), float(mean[2]), float(mean[3])
    return [row("photo ingest per photo (shared sample photos)", "—", f"{upload_ms:.1f} ms",
                f"floor {floor_ms:.1f} ms (hash, EXIF, thumbnail, fsync)", ratio, ms=upload_ms, floor_ms=floor_ms)]


def report_rows(args) -> list[dict]:
    """bench_reports.py measures SQLite, and PostgreSQL on a scratch database when given a server."""
    out = script("bench_reports.py", "--parcels", str(args.parcels), "--inspections", str(args.inspections),
                 database_url=args.postgres)
    rows = []
    for label, database in _labels(args):
        for step in ("compute (draft)", "issue v1", "issue v2 (re-issue)"):
            seconds = float(re.search(rf"\[{label}\] {re.escape(step)}: ([\d.]+) s", out)[1])
            rows.append(row(f"report, county year: {step} ({args.parcels:,} parcels, {args.inspections:,} "
                            "inspections)", database, f"{seconds:.2f} s", "target < 10 s", seconds=seconds))
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| workload | database | farmpatrol | baseline / target | ratio |", "|---|---|---|---|---|"]
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        lines.append(f"| {r['workload']} | {r['database']} | {r['figure']} | {r['baseline']} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL whose server may hold scratch databases")
    parser.add_argument("--parcels", type=int, default=70_000)
    parser.add_argument("--months", type=int, default=12, help="months of patrol history for the pull")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not figures to quote")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    args.records, args.singles, args.devices, args.workers, args.threads = 2000, 400, 8, 4, 4
    args.photos, args.rounds, args.ingest_repeat, args.inspections = 16, 10, 11, 1_000_000
    if args.quick:
        args.parcels, args.months, args.records, args.singles, args.photos = 3000, 2, 200, 40, 4
        args.rounds, args.ingest_repeat, args.inspections = 2, 3, 40_000
    databases = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    rows = ingest_rows(args)
    with tempfile.TemporaryDirectory() as tmp:
        for database, server in databases:
            for measure in (push_rows, pull_rows):
                if server:
                    with scratch_postgres(server) as url:
                        rows += measure(database, url, Path(tmp), args)
                else:
                    rows += measure(database, f"sqlite:///{Path(tmp) / f'{measure.__name__}.db'}", Path(tmp), args)
    rows += generation_rows(args) + import_rows(args) + report_rows(args)
    print(f"{os.cpu_count()} CPUs; gunicorn gthread {args.workers} workers x {args.threads} threads\n")
    print(markdown(rows))
    print()
    print(json.dumps(rows, ensure_ascii=False))
    if args.json_out:
        args.json_out.write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
