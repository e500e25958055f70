"""Pull latency at county scale: p50/p99 of one village's pull pages in a 70,000-parcel county with a year of
patrol history (a task per parcel per half-month or month, generated period by period and mostly done, so the
change log holds a year of rows), through the Flask app in-process (no HTTP, no network).

Measured: the first snapshot (every page, from no cursor to has_more false) and delta pulls (a page with the
changes since the previous cursor, after a few tasks of the village changed). Target: p99 < 50 ms.

Run: .venv/bin/python benchmarks/bench_pull.py [--parcels 70000] [--months 12] [--rounds 20] [--json]
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

from flask_migrate import upgrade
from sqlalchemy import func, select, update
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).parent))
from bench_task_generation import scratch_postgres  # noqa: E402

from server import create_app  # noqa: E402
from server.accounts import service as accounts_service  # noqa: E402
from server.config import Config  # noqa: E402
from server.demo.generator import build_demo_county  # noqa: E402
from server.extensions import db  # noqa: E402
from server.patrols import service as patrols  # noqa: E402
from server.parcels.models import Parcel  # noqa: E402
from server.patrols.models import PatrolTask, TaskStatus  # noqa: E402
from server.sync import changelog  # noqa: E402
from server.sync.models import SyncChange  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
VILLAGE_INSPECTOR = "inspector101201"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build_county(parcels: int, months: int) -> tuple[str, int]:
    """The county, `months` of generated tasks (all but the last month's done), its first inspector's token."""
    demo = build_demo_county(parcels=parcels, townships=15, villages_per_township=10, with_users=True)
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


def measure(app, token: str, rounds: int, limit: int) -> dict:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def page(cursor: str | None) -> tuple[dict, float]:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        started = time.perf_counter()
        response = client.get("/api/v1/sync/pull", query_string=query, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.text[:300]
        return response.get_json(), elapsed

    snapshot_ms, delta_ms, cursor, pages, items = [], [], None, 0, 0
    for _ in range(rounds):
        cursor, has_more = None, True
        while has_more:
            body, elapsed = page(cursor)
            snapshot_ms.append(elapsed)
            cursor, has_more = body["next_cursor"], body["has_more"]
            pages, items = pages + 1, items + len(body["changes"])
    for i in range(rounds * 5):
        with app.app_context():
            _touch_village_tasks(i)
        body, elapsed = page(cursor)
        delta_ms.append(elapsed)
        cursor = body["next_cursor"]
    return {"snapshot_pages": pages // rounds, "snapshot_changes": items // rounds,
            "snapshot_p50_ms": percentile(snapshot_ms, 0.5), "snapshot_p99_ms": percentile(snapshot_ms, 0.99),
            "delta_p50_ms": percentile(delta_ms, 0.5), "delta_p99_ms": percentile(delta_ms, 0.99),
            "pages_timed": len(snapshot_ms) + len(delta_ms)}


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
        token, parcels = build_county(args.parcels, args.months)
        built_s = time.perf_counter() - started
        history = db.session.scalar(select(func.count()).select_from(SyncChange))
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


if __name__ == "__main__":
    main()
