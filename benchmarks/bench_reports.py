"""Time the compensation report of a county-sized year: 70,000 parcels (15 townships × 10 villages),
1,000,000 inspections, 840,000 monthly patrol tasks (3% missed) and 3,000 cases in every state, with
their observations.

Target: compute (the draft) and issue (a frozen, hashed version) each under 10 s. The data is inserted in
bulk (Core executemany, no ORM objects) to keep the setup short, then ANALYZEd as autovacuum would. SQLite always; PostgreSQL as well when
DATABASE_URL names a server (a scratch database is created on it and dropped afterwards).

Run: .venv/bin/python benchmarks/bench_reports.py [--parcels 70000 --inspections 1000000]
     DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/bench_reports.py
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from flask_migrate import upgrade
from shapely.geometry import box
from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_task_generation import scratch_postgres  # noqa: E402

from server import create_app  # noqa: E402
from server.accounts.models import Device, User  # noqa: E402
from server.cases.models import CaseObservation, ViolationCase  # noqa: E402
from server.config import Config  # noqa: E402
from server.extensions import db  # noqa: E402
from server.inspections.models import Inspection  # noqa: E402
from server.parcels.geometry import to_wkb  # noqa: E402
from server.parcels.models import Parcel  # noqa: E402
from server.patrols.models import PatrolTask  # noqa: E402
from server.reports import service  # noqa: E402
from server.reports.snapshot import period_of  # noqa: E402
from server.territory import service as territory  # noqa: E402
from server.territory.models import Village  # noqa: E402

YEAR = 2026
UTC = timezone.utc
CHUNK = 20_000
STATUSES = ["confirmed"] * 3 + ["rectification_ordered", "overdue", "closed", "closed", "flagged", "doubt", "dismissed"]
CODES = [("NONAG_BUILDING", "nonag"), ("NONAG_DUMPING", "nonag"), ("NONGRAIN_NURSERY_TURF", "nongrain"),
         ("ABANDON_YEAR", "abandonment"), ("MAINT_DITCH", "maintenance")]


def run(label: str, database_url: str, instance: Path, parcels: int, inspections: int) -> None:
    app = create_app(Config(instance_path=instance, database_url=database_url, secret_key="bench"))
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        counts = populate(parcels, inspections)
        with db.engine.connect() as conn:  # what autovacuum (PostgreSQL) would soon do after a bulk load
            conn.execute(text("ANALYZE"))
            conn.commit()
        print(f"[{label}] inserted {counts} in {time.perf_counter() - started:.1f} s")
        county = territory.get_county("330481")
        period = period_of("year", YEAR)
        for what, action in (("compute (draft)", lambda: service.compute(county, period, date(YEAR, 12, 31))),
                             ("issue v1", lambda: service.issue(county, period, date(YEAR, 12, 31))),
                             ("issue v2 (re-issue)", lambda: service.issue(county, period, date(YEAR, 12, 31)))):
            started = time.perf_counter()
            report = action()
            elapsed = time.perf_counter() - started
            print(f"[{label}] {what}: {elapsed:.2f} s — {len(report.result['lines']):,} lines, net "
                  f"{report.net_fen / 100:,.2f} 元, snapshot {len(str(report.snapshot)) / 1e6:.1f} MB")
        started = time.perf_counter()
        service.diff(report, service.previous_version(report))
        print(f"[{label}] diff v2 against v1: {time.perf_counter() - started:.2f} s")
        db.engine.dispose()


def populate(parcel_count: int, inspection_count: int) -> dict[str, int]:
    rng = random.Random(20261127)
    territory.ensure_county("330481", "基准县")
    for t in range(15):
        for v in range(10):
            territory.ensure_village(f"330481{101 + t:03d}{201 + v:03d}", f"村{t}-{v}")
    db.session.commit()
    county_id = territory.get_county("330481").id
    villages = db.session.scalars(select(Village.id).order_by(Village.code)).all()
    user = User(username="bench", display_name="bench", password_hash="x", role="inspector", county_id=county_id)
    db.session.add(user)
    db.session.flush()
    device = Device(user_id=user.id, name="bench", token_hash="0" * 64)
    db.session.add(device)
    db.session.commit()
    geometry = to_wkb(box(120.2, 30.3, 120.2006, 30.3006))
    now = datetime(YEAR, 1, 1, tzinfo=UTC)
    _bulk(Parcel, ({"county_id": county_id, "code": f"P{i:06d}", "village_id": villages[i % len(villages)],
                    "geometry_wkb": geometry, "min_lon": 120.2, "min_lat": 30.3, "max_lon": 120.2006, "max_lat": 30.3006,
                    "area_mu": round(rng.uniform(2, 12), 4),
                    "source_area_m2": round(rng.uniform(1300, 8000), 2) if i % 2 else None,
                    "is_permanent_basic": i % 3 != 0, "rate_class": "permanent_basic" if i % 3 else "general_farmland",
                    "content_hash": "0" * 64, "created_at": now, "updated_at": now} for i in range(parcel_count)))
    parcel_ids = db.session.scalars(select(Parcel.id).order_by(Parcel.id)).all()
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    answers = {"cultivation_status": "grain", "crops": ["rice"], "has_nonag_use": "no"}

    def inspection(i: int) -> dict:
        at = start + timedelta(minutes=i * 525_600 // inspection_count)
        return {"uuid": str(uuid.UUID(int=i)), "content_hash": "0" * 64, "device_id": device.id, "inspector_id": user.id,
                "parcel_id": parcel_ids[i % len(parcel_ids)], "form_id": "farmland_patrol", "form_version": 1,
                "started_at": at, "finished_at": at, "device_utc_offset_min": 480, "lat": 30.3, "lon": 120.2,
                "crs": "WGS84", "answers": answers, "status": "complete", "received_at": at, "completed_at": at,
                "evidence_level": "trusted"}

    _bulk(Inspection, (inspection(i) for i in range(inspection_count)))
    _bulk(PatrolTask, ({"uuid": str(uuid.UUID(int=i)), "kind": "routine", "parcel_id": parcel_ids[i // 12],
                        "period_key": f"{YEAR}-{i % 12 + 1:02d}", "opens_at": datetime(YEAR, i % 12 + 1, 1, tzinfo=UTC),
                        "due_at": datetime(YEAR, i % 12 + 1, 28, tzinfo=UTC),
                        "status": "overdue" if rng.random() < 0.03 else "done", "created_at": now, "updated_at": now}
                       for i in range(len(parcel_ids) * 12)))
    case_parcels = rng.sample(parcel_ids, 3000)
    cases = []
    for i, parcel_id in enumerate(case_parcels):
        code, category = CODES[i % len(CODES)]
        seen = start + timedelta(days=rng.randrange(330))
        status = STATUSES[i % len(STATUSES)]
        cases.append({"parcel_id": parcel_id, "problem_key": code, "code": code, "category": category, "severity": "high",
                      "status": status, "area_mu": round(rng.uniform(0.2, 5), 2) if category != "maintenance" else None,
                      "legal_basis": "-", "message_zh": "-", "first_observed_at": seen, "last_observed_at": seen,
                      "deadline_at": seen + timedelta(days=30) if status in ("rectification_ordered", "overdue", "closed")
                      else None, "version": 3, "created_at": seen,
                      "updated_at": seen + timedelta(days=rng.choice([20, 45]))})
    _bulk(ViolationCase, iter(cases))
    case_ids = db.session.scalars(select(ViolationCase.id).order_by(ViolationCase.id)).all()
    _bulk(CaseObservation, ({"case_id": case_id, "inspection_id": 1 + (i * 331) % inspection_count, "code": "X",
                             "severity": "high", "legal_basis": "-", "message_zh": "-", "evidence_level": "trusted",
                             "observed_at": start + timedelta(days=i % 300), "created_at": now}
                            for i, case_id in enumerate(case_ids * 2)))
    return {"parcels": parcel_count, "inspections": inspection_count, "tasks": len(parcel_ids) * 12,
            "cases": len(case_ids)}


def _bulk(model, rows) -> None:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            db.session.execute(insert(model), chunk)
            chunk = []
    if chunk:
        db.session.execute(insert(model), chunk)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=70_000)
    parser.add_argument("--inspections", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp) / "sqlite", args.parcels, args.inspections)
        if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
            with scratch_postgres(os.environ["DATABASE_URL"]) as url:
                run("postgresql", url, Path(tmp) / "postgresql", args.parcels, args.inspections)


if __name__ == "__main__":
    main()
