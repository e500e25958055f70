"""Throughput of the sync server, against a named baseline, on SQLite served by waitress on 127.0.0.1.

Measures pushes of photo-less inspections (batches of 50, and one record per request), the same records
sent to the baseline — a bare Flask endpoint that inserts one row per record into one table in one
transaction, on the same database engine and server — and tus photo uploads (~2 MB each).
Run: .venv/bin/python benchmarks/bench_sync.py [--records 2000] [--singles 300] [--photos 20]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import requests
from flask import Flask, jsonify, request
from flask_migrate import upgrade
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, create_engine, insert, select
from waitress.server import create_server

from inspection_forms import builtin_definitions, load_definition
from server import create_app
from server.config import Config
from server.demo.generator import build_demo_county
from server.extensions import db
from server.forms import service as forms
from server.parcels.models import Parcel

BENCH_ANSWERS = {"cultivation_status": "grain", "crops": ["rice"], "has_nonag_use": "no", "irrigation_canal": "intact",
                 "drainage_ditch": "intact", "farm_road": "intact", "field_ridge": "intact"}


def bench_form() -> dict:
    """farmland_patrol v1 (with its mapping, which publishing requires) as bench_patrol, without its photo
    questions: photo-less records complete at once."""
    form = next(d for d in builtin_definitions() if d.form_id == "farmland_patrol").to_dict()
    form["form_id"] = "bench_patrol"
    form["questions"] = [q for q in form["questions"] if q["name"] != "evidence"]
    return form


def serve(app) -> tuple[str, object]:
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def farmpatrol_app(instance: Path):
    app = create_app(Config(instance_path=instance, secret_key="bench"))
    with app.app_context():
        upgrade()
        demo = build_demo_county(parcels=40, townships=1, villages_per_township=1)
        forms.publish(load_definition(bench_form()))
        parcels = list(db.session.scalars(select(Parcel.code)))
    return app, demo.device_tokens["inspector101201"], parcels


def baseline_app(instance: Path) -> Flask:
    """The floor: parse JSON, insert a row per record in one transaction. No auth, validation or idempotency."""
    engine = create_engine(f"sqlite:///{instance / 'baseline.db'}", connect_args={"check_same_thread": False})
    table = Table("records", MetaData(), Column("id", Integer, primary_key=True), Column("uuid", String(36)),
                  Column("payload", JSON))
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        table.metadata.create_all(conn)
    app = Flask("baseline")

    @app.post("/push")
    def push():
        records = request.get_json()["records"]
        with engine.begin() as conn:
            conn.execute(insert(table), [{"uuid": r["uuid"], "payload": r} for r in records])
        return jsonify({"results": [{"uuid": r["uuid"], "status": "accepted"} for r in records]})

    return app


def make_records(count: int, parcels: list[str]) -> list[dict]:
    now = datetime.now(timezone.utc).isoformat()
    return [{"uuid": str(uuid.uuid4()), "type": "inspection", "form_id": "bench_patrol", "form_version": 1,
             "parcel_code": parcels[i % len(parcels)], "started_at": now, "finished_at": now,
             "location": {"lat": 30.3, "lon": 120.2, "accuracy_m": 5}, "answers": BENCH_ANSWERS, "photos": []}
            for i in range(count)]


def time_pushes(url: str, headers: dict, records: list[dict], batch: int) -> float:
    session = requests.Session()
    started = time.perf_counter()
    for i in range(0, len(records), batch):
        body = {"device_time": datetime.now(timezone.utc).isoformat(), "records": records[i:i + batch]}
        response = session.post(url, json=body, headers=headers)
        assert response.status_code == 200 and all(r["status"] == "accepted" for r in response.json()["results"])
    return len(records) / (time.perf_counter() - started)


def time_uploads(base: str, headers: dict, count: int, size: int) -> float:
    session = requests.Session()
    photos = [os.urandom(size) for _ in range(count)]
    started = time.perf_counter()
    for data in photos:
        sha = hashlib.sha256(data).hexdigest()
        created = session.post(f"{base}/api/v1/uploads", headers={
            **headers, "Tus-Resumable": "1.0.0", "Upload-Length": str(size),
            "Upload-Metadata": f"sha256 {base64.b64encode(sha.encode()).decode()}"})
        response = session.patch(created.headers["Location"], data=data, headers={
            **headers, "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
        assert response.status_code == 204, response.text
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--singles", type=int, default=300)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--photo-bytes", type=int, default=2 * 1024 * 1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, token, parcels = farmpatrol_app(Path(tmp) / "instance")
        ours, our_server = serve(app)
        theirs, their_server = serve(baseline_app(Path(tmp)))
        auth = {"Authorization": f"Bearer {token}"}
        time_pushes(f"{ours}/api/v1/sync/push", auth, make_records(50, parcels), 50)  # warm up
        figures = {
            "batch50": (time_pushes(f"{ours}/api/v1/sync/push", auth, make_records(args.records, parcels), 50),
                        time_pushes(f"{theirs}/push", {}, make_records(args.records, parcels), 50)),
            "single": (time_pushes(f"{ours}/api/v1/sync/push", auth, make_records(args.singles, parcels), 1),
                       time_pushes(f"{theirs}/push", {}, make_records(args.singles, parcels), 1)),
        }
        photos_per_s = time_uploads(ours, auth, args.photos, args.photo_bytes)
        our_server.close()
        their_server.close()
    print("SQLite, waitress (8 threads), one client, 127.0.0.1")
    print(f"{'workload':<28}{'farmpatrol':>14}{'baseline':>14}{'ratio':>8}")
    for name, label in (("batch50", "push, batches of 50"), ("single", "push, 1 record/request")):
        ours_rate, base_rate = figures[name]
        print(f"{label:<28}{ours_rate:>10.0f} r/s{base_rate:>10.0f} r/s{ours_rate / base_rate:>8.2f}")
    mb = args.photo_bytes / 1e6
    print(f"tus uploads of {mb:.1f} MB: {photos_per_s:.1f} photos/s ({photos_per_s * mb:.1f} MB/s)")
    print("baseline = bare Flask endpoint inserting one row per record in one transaction (no auth, "
          "validation, idempotency or change log)")


if __name__ == "__main__":
    main()
