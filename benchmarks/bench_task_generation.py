"""Time patrol task generation and its peak memory, for a county (70,000 parcels) and a province's worth in one
county (1,000,000): one generation must stay under 30 s and its memory must not grow with the parcels.

Also timed: the idempotent re-run (every row conflicts), a catch-up after five weeks down, and overdue marking.
The parcels are written straight into the table (`build_synthetic_county`: the demo builder's geometry and
upsert would take longer than what is measured); land classes, projects and one inspector per village as in the
demo. Each size and database runs in a process of its own, so its peak RSS is its own. SQLite always;
PostgreSQL as well when DATABASE_URL names a server (a scratch database is created on it and dropped afterwards).

Run: .venv/bin/python benchmarks/bench_task_generation.py [--parcels 70000 1000000]
     DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/bench_task_generation.py
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import shapely
from flask_migrate import upgrade
from sqlalchemy import insert

from server import create_app
from server.accounts import service as accounts_service
from server.accounts.models import Role
from server.config import Config, normalise_database_url
from server.extensions import db
from server.parcels.models import ConsolidationProject, Parcel
from server.patrols import service
from server.territory import service as territory

JUNE_3 = datetime(2026, 6, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
COUNTY_CODE = "330481"
PARCELS_PER_VILLAGE = 500
_ROWS_PER_INSERT = 20_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_synthetic_county(parcels: int, seed: int = 20261123) -> None:
    """One county, a village per 500 parcels (ten to a township), an inspector per village, a tenth of the
    parcels in an accepted consolidation project; parcels inserted in slices, so building stays small too."""
    rng = random.Random(seed)
    county = territory.ensure_county(COUNTY_CODE, "演示县")
    project = ConsolidationProject(county_id=county.id, name="全域土地综合整治项目", accepted_on=date(2024, 6, 30))
    db.session.add(project)
    villages = []
    for v in range(max(1, parcels // PARCELS_PER_VILLAGE)):
        code = f"{COUNTY_CODE}{101 + v // 10:03d}{201 + v % 10:03d}"
        villages.append(territory.ensure_village(code, f"村{v}"))
        accounts_service.create_user(f"inspector{code}", "x", Role.INSPECTOR, village_codes=[code],
                                     password_hash="bench", commit=False)
    db.session.flush()
    square = shapely.to_wkb(shapely.box(120.2, 30.3, 120.2005, 30.3005))
    rows, now = [], datetime.now(ZoneInfo("UTC"))
    for i in range(parcels):
        permanent = rng.random() < 0.65
        in_project = rng.random() < 0.1
        rows.append({
            "county_id": county.id, "code": f"{i:010d}", "village_id": villages[i * len(villages) // parcels].id,
            "geometry_wkb": square, "min_lon": 120.2, "min_lat": 30.3, "max_lon": 120.2005, "max_lat": 30.3005,
            "area_mu": 4.0, "land_use_code": "0101", "is_permanent_basic": permanent,
            "is_high_standard": in_project and rng.random() < 0.6,
            "is_grain_zone": (permanent and rng.random() < 0.4) or (not permanent and i % 5 == 0),
            "project_id": project.id if in_project else None,
            "rate_class": "permanent_basic" if permanent else "general_farmland", "content_hash": "bench",
            "created_at": now, "updated_at": now})
        if len(rows) == _ROWS_PER_INSERT:
            _insert_parcels(rows)
            rows = []
    _insert_parcels(rows)
    db.session.commit()


def _insert_parcels(rows: list[dict]) -> None:
    """COPY on PostgreSQL (an INSERT per row would take longer than the generation measured), else executemany."""
    if not rows:
        return
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(insert(Parcel), rows)
        return
    columns = list(rows[0])
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY parcels ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c].replace(tzinfo=None) if c.endswith("_at") else row[c] for c in columns])


def run(label: str, database_url: str, instance: Path, parcels: int, first_only: bool) -> None:
    app = create_app(Config(instance_path=instance, database_url=database_url, secret_key="bench"))
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        build_synthetic_county(parcels)
        service.init_default_plans(COUNTY_CODE, effective_from=date(2026, 1, 1))
        print(f"[{label}] synthetic county of {parcels:,} parcels built in {time.perf_counter() - started:.1f} s "
              f"(peak RSS {peak_rss_mb():.0f} MB)", flush=True)
        _timed(label, "first generation (one period)", lambda: service.generate_tasks(now=JUNE_3).created)
        _timed(label, "re-run (all conflicts, idempotent)", lambda: service.generate_tasks(now=JUNE_3).created)
        if first_only:
            return
        _timed(label, "catch-up after 5 weeks down", lambda: service.generate_tasks(
            now=JUNE_3 + timedelta(weeks=5)).created)
        _timed(label, "mark overdue", lambda: service.mark_overdue_tasks(now=JUNE_3 + timedelta(weeks=5)))
        db.engine.dispose()


def _timed(label: str, what: str, action) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    count = action()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rate = f" = {count / elapsed:,.0f} tasks/s" if count else ""
    print(f"[{label}] {what}: {count:,} tasks in {elapsed:.2f} s{rate} (this process's CPU {cpu:.1f} s, "
          f"peak RSS {peak_rss_mb():.0f} MB)", flush=True)


@contextmanager
def scratch_postgres(url: str):
    url = normalise_database_url(url)
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    name = f"farmpatrol_bench_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, nargs="+", default=[70_000])
    parser.add_argument("--first-only", action="store_true", help="only the first generation and its re-run")
    parser.add_argument("--child", nargs=3, metavar=("LABEL", "URL", "PARCELS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        label, url, parcels = args.child
        with tempfile.TemporaryDirectory() as tmp:
            run(label, url.replace("{tmp}", tmp), Path(tmp) / "instance", int(parcels), args.first_only)
        return
    postgres = os.environ.get("DATABASE_URL", "")
    options = ["--first-only"] if args.first_only else []
    for parcels in args.parcels:
        _child("sqlite", "sqlite:///{tmp}/bench.db", parcels, options)
        if postgres.startswith(("postgres://", "postgresql")):
            with scratch_postgres(postgres) as url:
                _child("postgresql", url, parcels, options)


def _child(label: str, url: str, parcels: int, options: list[str]) -> None:
    subprocess.run([sys.executable, __file__, "--child", label, url, str(parcels), *options], check=True)


if __name__ == "__main__":
    main()
