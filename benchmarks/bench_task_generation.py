"""Time patrol task generation for a county-sized demo (70,000 parcels, 15 townships × 10 villages).

Target: one period's tasks for the whole county in under 10 s. Also timed: the idempotent re-run (every row
conflicts), a catch-up after five weeks down, and overdue marking. SQLite always; PostgreSQL as well when
DATABASE_URL names a server (a scratch database is created on it and dropped afterwards).

Run: .venv/bin/python benchmarks/bench_task_generation.py [--parcels 70000]
     DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/bench_task_generation.py
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

from server import create_app
from server.accounts import service as accounts_service
from server.config import Config, normalise_database_url
from server.demo.generator import build_demo_county
from server.extensions import db
from server.patrols import service

JUNE_3 = datetime(2026, 6, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def run(label: str, database_url: str, instance: Path, parcels: int) -> None:
    app = create_app(Config(instance_path=instance, database_url=database_url, secret_key="bench"))
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        build_demo_county(parcels=parcels, townships=15, villages_per_township=10, with_users=True)
        service.init_default_plans("330481", effective_from=date(2026, 1, 1))
        print(f"[{label}] demo county of {parcels:,} parcels built in {time.perf_counter() - started:.1f} s")
        _timed(label, "first generation (one period)", lambda: service.generate_tasks(now=JUNE_3).created)
        _timed(label, "re-run (all conflicts, idempotent)", lambda: service.generate_tasks(now=JUNE_3).created)
        _timed(label, "catch-up after 5 weeks down", lambda: service.generate_tasks(
            now=JUNE_3 + timedelta(weeks=5)).created)
        _timed(label, "mark overdue", lambda: service.mark_overdue_tasks(now=JUNE_3 + timedelta(weeks=5)))
        db.engine.dispose()


def _timed(label: str, what: str, action) -> None:
    started = time.perf_counter()
    count = action()
    elapsed = time.perf_counter() - started
    rate = f" = {count / elapsed:,.0f} tasks/s" if count else ""
    print(f"[{label}] {what}: {count:,} tasks in {elapsed:.2f} s{rate}")


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
    parser.add_argument("--parcels", type=int, default=70_000)
    args = parser.parse_args()
    # Setup only: 166 demo users with scrypt would add half a minute that measures nothing of interest.
    accounts_service.hash_password = lambda password: generate_password_hash(password, method="pbkdf2:sha256:1")
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp) / "sqlite", args.parcels)
        if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
            with scratch_postgres(os.environ["DATABASE_URL"]) as url:
                run("postgresql", url, Path(tmp) / "postgresql", args.parcels)


if __name__ == "__main__":
    main()
