"""Pull latency at county scale: p50/p99 of one village's pull pages in a 70,000-parcel county with a year of
patrol history (a task per parcel per half-month or month, generated period by period and mostly done, so the
change log holds a year of rows), through the Flask app in-process (no HTTP, no network).

Measured: the first snapshot (every page, from no cursor to has_more false) and delta pulls (a page with the
changes since the previous cursor, after a few tasks of the village changed). Target: p99 < 50 ms. The CPU time
of this process per page is reported beside the wall time: on a machine shared with other work it is the figure
that does not depend on how long the process waited for a core. Snapshot pages are also reported by the phases
(forms, tasks, parcels) they read, so a slow page names its query. One untimed snapshot warms the process first
(the first request of a process compiles every statement). On PostgreSQL the county is loaded in bulk and then
VACUUM ANALYZEd, as autovacuum would before long in a real deployment; --no-analyze measures the stale
statistics right after the load. SQLite gets no ANALYZE (nothing runs it there).

Run: .venv/bin/python benchmarks/bench_pull.py [--parcels 70000] [--months 12] [--rounds 20] [--vertices 32]
     [--no-analyze] [--json]
     DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test … to measure PostgreSQL as well (scratch database).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import shapely
from flask_migrate import upgrade
from sqlalchemy import func, select, text, update
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).parent))
from bench_task_generation import scratch_postgres  # noqa: E402

from server import create_app  # noqa: E402
from server.accounts import service as accounts_service  # noqa: E402
from server.config import Config  # noqa: E402
from server.serving import tune_garbage_collector  # noqa: E402
from server.demo.generator import build_demo_county  # noqa: E402
from server.extensions import db  # noqa: E402
from server.patrols import service as patrols  # noqa: E402
from server.parcels.geometry import to_wkb  # noqa: E402
from server.parcels.models import Parcel  # noqa: E402
from server.patrols.models import PatrolTask, TaskStatus  # noqa: E402
from server.sync import changelog  # noqa: E402
from server.sync.entities import SNAPSHOT_ORDER  # noqa: E402
from server.sync.models import SyncChange  # noqa: E402
from server.sync.service import Cursor  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
VILLAGE_INSPECTOR = "inspector101201"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build_county(parcels: int, months: int, vertices: int = 0) -> tuple[str, int]:
    """The county, `months` of generated tasks (all but the last month's done), its first inspector's token.
    `vertices`: parcel outlines of about that many corners instead of the demo's quadrilaterals."""
    demo = build_demo_county(parcels=parcels, townships=15, villages_per_township=10, with_users=True)
    if vertices:
        _densify_outlines(vertices)
    patrols.init_default_plans("330481", effective_from=date(2025, 1, 1))
    start = datetime(2025, 12, 1, 10, tzinfo=SHANGHAI)
    for month in range(months):
        now = start + timedelta(days=31 * month)
        patrols.generate_tasks(now=now)
        done = list(db.session.execute(select(PatrolTask.uuid, PatrolTask.parcel_id, PatrolTask.inspector_id).where(
            PatrolTask.status == TaskStatus.OPEN.value, PatrolTask.due_at < now)))
        db.session.execute(update(PatrolTask).where(PatrolTask.status == TaskStatus.OPEN.value,
                                                    PatrolTask.due_at < now)
                           .values(status=TaskStatus.DONE.value, done_at=now))
        changelog.record_tasks(db.session, [(uuid, parcel_id, [inspector]) for uuid, parcel_id, inspector in done])
        db.session.commit()
    return demo.device_tokens[VILLAGE_INSPECTOR], demo.parcels


def _densify_outlines(vertices: int, batch: int = 5_000) -> None:
    """Surveyed 图斑 outlines have tens of corners, and a pull page carries every one of them as coordinates."""
    rows = db.session.execute(select(Parcel.id, Parcel.geometry_wkb).order_by(Parcel.id)).all()
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        outlines = shapely.from_wkb([wkb for _, wkb in chunk])
        dense = to_wkb(shapely.segmentize(outlines, shapely.length(outlines) / vertices))
        db.session.execute(update(Parcel), [{"id": parcel_id, "geometry_wkb": wkb}
                                            for (parcel_id, _), wkb in zip(chunk, dense)])
    db.session.commit()


def measure(app, token: str, rounds: int, limit: int) -> dict:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def page(cursor: str | None) -> tuple[dict, float, float]:
        """The page, its wall time and the CPU time of this process (ms)."""
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get("/api/v1/sync/pull", query_string=query, headers=headers)
        elapsed, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000
        assert response.status_code == 200, response.text[:300]
        return response.get_json(), elapsed, cpu

    def snapshot() -> tuple[str, list[tuple[str, float, float]], int]:
        cursor, has_more, timed, items = None, True, [], 0
        while has_more:
            body, elapsed, cpu = page(cursor)
            timed.append((_phases(cursor, body["next_cursor"]), elapsed, cpu))
            cursor, has_more, items = body["next_cursor"], body["has_more"], items + len(body["changes"])
        return cursor, timed, items

    snapshot()
    snapshot_pages: list[tuple[str, float, float]] = []
    for _ in range(rounds):
        cursor, timed, items = snapshot()
        snapshot_pages += timed
    delta_pages = []
    for i in range(rounds * 5):
        with app.app_context():
            _touch_village_tasks(i)
        body, elapsed, cpu = page(cursor)
        delta_pages.append(("delta", elapsed, cpu))
        cursor = body["next_cursor"]
    by_phase = {}
    for phases in dict.fromkeys(label for label, _, _ in snapshot_pages):
        times = [elapsed for label, elapsed, _ in snapshot_pages if label == phases]
        by_phase[phases] = {"pages": len(times), "p50_ms": round(percentile(times, 0.5), 2),
                            "max_ms": round(max(times), 2)}
    slowest = sorted(snapshot_pages, key=lambda timed: timed[1])[-max(1, len(snapshot_pages) // 20):]
    figures = {"snapshot_pages": len(snapshot_pages) // rounds, "snapshot_changes": items}
    for kind, pages in (("snapshot", snapshot_pages), ("delta", delta_pages)):
        for name, column in (("", 1), ("_cpu", 2)):
            values = [timed[column] for timed in pages]
            figures[f"{kind}{name}_p50_ms"] = percentile(values, 0.5)
            figures[f"{kind}{name}_p99_ms"] = percentile(values, 0.99)
    return {**figures, "snapshot_by_phase": by_phase, "slowest_snapshot_pages": [label for label, _, _ in slowest],
            "pages_timed": len(snapshot_pages) + len(delta_pages)}


def _phases(cursor: str | None, next_cursor: str) -> str:
    """The snapshot phases a page read, e.g. "form+task": from its cursor's phase to where the next one stands."""
    first = Cursor.decode(cursor).phase if cursor else 0
    after = Cursor.decode(next_cursor)
    last = len(SNAPSHOT_ORDER) - 1 if after.phase is None else after.phase - (after.after_id == 0)
    return "+".join(SNAPSHOT_ORDER[first:last + 1])


def _touch_village_tasks(round_no: int) -> None:
    """Three of the village's tasks change (as a reassignment or a completion would): the next delta carries them."""
    tasks = db.session.execute(select(PatrolTask.uuid, PatrolTask.parcel_id, PatrolTask.inspector_id)
                               .join(Parcel, PatrolTask.parcel_id == Parcel.id)
                               .where(Parcel.code.startswith(VILLAGE_INSPECTOR.removeprefix("inspector")))
                               .order_by(PatrolTask.id).offset(3 * round_no).limit(3)).all()
    changelog.record_tasks(db.session, [(uuid, parcel_id, [inspector]) for uuid, parcel_id, inspector in tasks])
    db.session.commit()


def run(label: str, database_url: str, instance: Path, args) -> dict:
    app = create_app(Config(instance_path=instance, database_url=database_url, secret_key="bench"))
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        token, parcels = build_county(args.parcels, args.months, args.vertices)
        built_s = time.perf_counter() - started
        history = db.session.scalar(select(func.count()).select_from(SyncChange))
        if db.engine.dialect.name == "postgresql" and not args.no_analyze:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
    tune_garbage_collector()  # as `farmpatrol serve` does once the app is loaded, before its workers fork
    figures = measure(app, token, args.rounds, args.limit)
    with app.app_context():
        db.engine.dispose()
    return {"database": label, "parcels": parcels, "months": args.months, "change_log_rows": history,
            "build_s": round(built_s, 1), **{k: round(v, 2) if isinstance(v, float) else v
                                             for k, v in figures.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=70_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--limit", type=int, default=500, help="changes per pull page (the phone's page size)")
    parser.add_argument("--vertices", type=int, default=0,
                        help="parcel outlines of about this many corners, as surveyed 图斑 have (default: the demo's "
                             "quadrilaterals)")
    parser.add_argument("--no-analyze", action="store_true",
                        help="PostgreSQL: measure right after the bulk load, without VACUUM ANALYZE")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON list")
    args = parser.parse_args()
    # Setup only: 166 demo users with scrypt would add half a minute that measures nothing of interest.
    accounts_service.hash_password = lambda password: generate_password_hash(password, method="pbkdf2:sha256:1")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp) / "sqlite", args))
        if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
            with scratch_postgres(os.environ["DATABASE_URL"]) as url:
                results.append(run("PostgreSQL", url, Path(tmp) / "postgresql", args))
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print(f"[{r['database']}] {r['parcels']:,} parcels, {r['months']} months, {r['change_log_rows']:,} change-log "
              f"rows: snapshot {r['snapshot_pages']} pages ({r['snapshot_changes']:,} changes) p50 "
              f"{r['snapshot_p50_ms']:.1f} ms p99 {r['snapshot_p99_ms']:.1f} ms; delta p50 {r['delta_p50_ms']:.1f} ms "
              f"p99 {r['delta_p99_ms']:.1f} ms")
        print(f"    CPU of this process per page (all of it on SQLite; PostgreSQL's own time not included): snapshot "
              f"p50 {r['snapshot_cpu_p50_ms']:.1f} ms p99 {r['snapshot_cpu_p99_ms']:.1f} ms; delta p50 "
              f"{r['delta_cpu_p50_ms']:.1f} ms p99 {r['delta_cpu_p99_ms']:.1f} ms")
        print("    snapshot pages by phase: " + "; ".join(
            f"{phases} {f['pages']} pages p50 {f['p50_ms']:.1f} ms max {f['max_ms']:.1f} ms"
            for phases, f in r["snapshot_by_phase"].items()))
        print(f"    slowest 5% of snapshot pages: {', '.join(r['slowest_snapshot_pages'])}")


if __name__ == "__main__":
    main()
