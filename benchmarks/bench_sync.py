"""Throughput of the real sync server against a named baseline, both served by gunicorn the same way.

farmpatrol runs as `farmpatrol serve --workers W --threads T --no-scheduler` (the production command); the
baseline is a bare Flask endpoint that inserts one row per record into one table in one transaction, on the same
database, served by the same gunicorn setup (`server.serving.GunicornServer`, same workers and threads). D concurrent devices (client
threads, several per inspector) push photo-less inspections, in batches of 50 and one record per request, on
SQLite and on PostgreSQL, in the same run; then the same devices upload photos over tus (~2 MB each). Each push
rate comes with the CPU time the server's gunicorn processes used per record (from /proc), beside the baseline's.

Run: .venv/bin/python benchmarks/bench_sync.py [--postgres postgresql://postgres@127.0.0.1:5432/test]
     [--records 2000] [--singles 400] [--devices 8] [--workers 4] [--threads 4] [--photos 16]
`--postgres` names a server and a database to connect to: the benchmark creates its own database there and
drops it at the end. Without it only SQLite is measured.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import requests
from flask import Flask, jsonify, request
from flask_migrate import upgrade
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, insert, select

from inspection_forms import builtin_definitions, load_definition
from server import create_app
from server.config import Config, normalise_database_url
from server.demo.generator import build_demo_county
from server.extensions import db
from server.forms import service as forms
from server.parcels.models import Parcel
from server.serving import GunicornServer

BIN = Path(sys.executable).parent
BENCH_ANSWERS = {"cultivation_status": "grain", "crops": ["rice"], "has_nonag_use": "no", "irrigation_canal": "intact",
                 "drainage_ditch": "intact", "farm_road": "intact", "field_ridge": "intact"}


def bench_form() -> dict:
    """farmland_patrol v1 (with its mapping, which publishing requires) as bench_patrol, without its photo
    questions: photo-less records complete at once, so the push measures the whole completion hook."""
    form = next(d for d in builtin_definitions() if d.form_id == "farmland_patrol").to_dict()
    form["form_id"] = "bench_patrol"
    form["questions"] = [q for q in form["questions"] if q["name"] != "evidence"]
    return form


BASELINE = Table("bench_baseline_records", MetaData(), Column("id", Integer, primary_key=True),
                 Column("uuid", String(36)), Column("payload", JSON))


def baseline_app(database_url: str) -> Flask:
    """The floor: parse JSON, insert a row per record in one transaction. No auth, validation, idempotency or
    change log. On Flask-SQLAlchemy like farmpatrol, so that `GunicornServer` serves both the same way."""
    app = Flask("baseline")
    app.config.update(SQLALCHEMY_DATABASE_URI=database_url, SQLALCHEMY_ENGINE_OPTIONS=(
        {"connect_args": {"timeout": 30, "check_same_thread": False}} if database_url.startswith("sqlite") else {}))
    db.init_app(app)
    with app.app_context(), db.engine.begin() as conn:
        if database_url.startswith("sqlite"):
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        BASELINE.metadata.create_all(conn)

    @app.post("/push")
    def push():
        records = request.get_json()["records"]
        with db.engine.begin() as conn:
            conn.execute(insert(BASELINE), [{"uuid": r["uuid"], "payload": r} for r in records])
        return jsonify({"results": [{"uuid": r["uuid"], "status": "accepted"} for r in records]})

    @app.get("/api/v1/health")
    def health():
        return jsonify({"status": "ok"})

    return app


def prepare_farmpatrol(instance: Path, database_url: str) -> tuple[list[str], list[str]]:
    """Migrate, a demo county with 4 inspectors, the benchmark form; the device tokens and parcel codes."""
    app = create_app(Config(instance_path=instance, database_url=database_url, secret_key="bench"))
    with app.app_context():
        upgrade()
        demo = build_demo_county(parcels=80, townships=2, villages_per_township=2)
        forms.publish(load_definition(bench_form()))
        parcels = {}
        for name, token in demo.device_tokens.items():  # inspector101201 patrols parcels 1012010001, …
            village = name.removeprefix("inspector")
            parcels[token] = list(db.session.scalars(select(Parcel.code).where(Parcel.code.startswith(village))))
        db.session.remove()
        db.engine.dispose()
    tokens = [token for token, codes in parcels.items() if codes]
    return tokens, [parcels[token] for token in tokens]


class Served:
    """A server process on a free port, stopped with the benchmark."""

    def __init__(self, command: list[str], env: dict, log: Path):
        self.port = _free_port()
        self.log = log.open("ab")
        self.proc = subprocess.Popen([*command, "--port", str(self.port)], env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None and time.monotonic() < deadline, f"server did not start, see {log}"
            try:
                requests.get(f"{self.url}/api/v1/health", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process and its live descendants have used, from /proc (Linux): the
    gunicorn master and its workers, so that a rate comes with what it cost the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue  # a worker that exited meanwhile
    return total


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_records(count: int, parcels: list[str]) -> list[dict]:
    now = datetime.now(timezone.utc).isoformat()
    return [{"uuid": str(uuid.uuid4()), "type": "inspection", "form_id": "bench_patrol", "form_version": 1,
             "parcel_code": parcels[i % len(parcels)], "started_at": now, "finished_at": now,
             "location": {"lat": 30.3, "lon": 120.2, "accuracy_m": 5}, "answers": BENCH_ANSWERS, "photos": []}
            for i in range(count)]


def time_pushes(url: str, devices: list[tuple[dict, list[dict]]], batch: int) -> float:
    """Every device pushes its records concurrently; records per second over all of them."""
    def run(device: tuple[dict, list[dict]]) -> None:
        headers, records = device
        with requests.Session() as session:
            for i in range(0, len(records), batch):
                body = {"device_time": datetime.now(timezone.utc).isoformat(), "records": records[i:i + batch]}
                response = session.post(url, json=body, headers=headers)
                assert response.status_code == 200, response.text[:300]
                assert all(r["status"] == "accepted" for r in response.json()["results"]), response.text[:300]

    started = time.perf_counter()
    with ThreadPoolExecutor(len(devices)) as pool:
        list(pool.map(run, devices))
    return sum(len(records) for _, records in devices) / (time.perf_counter() - started)


def time_uploads(base: str, tokens: list[str], count: int, size: int) -> float:
    photos = [os.urandom(size) for _ in range(count)]

    def run(index: int) -> None:
        data, headers = photos[index], {"Authorization": f"Bearer {tokens[index % len(tokens)]}",
                                        "Tus-Resumable": "1.0.0"}
        sha = hashlib.sha256(data).hexdigest()
        with requests.Session() as session:
            created = session.post(f"{base}/api/v1/uploads", headers={
                **headers, "Upload-Length": str(size),
                "Upload-Metadata": f"sha256 {base64.b64encode(sha.encode()).decode()}"})
            response = session.patch(created.headers["Location"], data=data, headers={
                **headers, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"})
            assert response.status_code == 204, response.text

    started = time.perf_counter()
    with ThreadPoolExecutor(min(count, len(tokens) * 2)) as pool:
        list(pool.map(run, range(count)))
    return count / (time.perf_counter() - started)


def measure(label: str, database_url: str, tmp: Path, args) -> dict:
    instance = tmp / f"instance-{label}"
    tokens, parcels = prepare_farmpatrol(instance, database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "FARMPATROL_INSTANCE": str(instance),
           "FARMPATROL_SECRET_KEY": "bench"}
    serve = ["--workers", str(args.workers), "--threads", str(args.threads)]
    ours = Served([str(BIN / "farmpatrol"), "serve", "--no-scheduler", *serve], env, tmp / f"{label}-farmpatrol.log")
    theirs = Served([sys.executable, __file__, "serve-baseline", database_url, *serve], env,
                    tmp / f"{label}-baseline.log")
    try:
        def devices(total: int) -> list[tuple[dict, list[dict]]]:
            return [({"Authorization": f"Bearer {tokens[d % len(tokens)]}"},
                     make_records(total // args.devices, parcels[d % len(tokens)])) for d in range(args.devices)]

        time_pushes(f"{ours.url}/api/v1/sync/push", devices(args.devices * 10), 10)  # warm up every worker
        figures = {}
        for name, total, batch in (("batch50", args.records, 50), ("single", args.singles, 1)):
            used = tree_cpu_s(ours.proc.pid)
            ours_rate = time_pushes(f"{ours.url}/api/v1/sync/push", devices(total), batch)
            used = tree_cpu_s(ours.proc.pid) - used
            base_used = tree_cpu_s(theirs.proc.pid)
            base_rate = time_pushes(f"{theirs.url}/push", [({}, records) for _, records in devices(total)], batch)
            base_used = tree_cpu_s(theirs.proc.pid) - base_used
            figures[name] = (ours_rate, base_rate)
            figures[f"{name}_cpu_ms"] = (used * 1000 / total, base_used * 1000 / total)  # per record, servers only
        figures["photos"] = time_uploads(ours.url, tokens, args.photos, args.photo_bytes)
        return figures
    finally:
        ours.stop()
        theirs.stop()


def serve_baseline(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    GunicornServer(baseline_app(normalise_database_url(args.database_url)), host="127.0.0.1", port=args.port,
                   workers=args.workers, threads=args.threads, with_scheduler=False).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL whose server the benchmark may create a database on")
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--singles", type=int, default=400)
    parser.add_argument("--devices", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--photos", type=int, default=16)
    parser.add_argument("--photo-bytes", type=int, default=2 * 1024 * 1024)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = measure("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp), args)
        if args.postgres:
            admin = args.postgres.replace("postgresql+psycopg://", "postgresql://")
            name = f"farmpatrol_bench_{os.getpid()}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                results["PostgreSQL"] = measure("postgresql", admin.rsplit("/", 1)[0] + "/" + name, Path(tmp), args)
            finally:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"gunicorn gthread, {args.workers} workers x {args.threads} threads, {args.devices} concurrent devices, "
          f"127.0.0.1, {os.cpu_count()} CPUs")
    print(f"{'database':<12}{'workload':<26}{'farmpatrol':>14}{'baseline':>14}{'ratio':>8}")
    for database, figures in results.items():
        for name, label in (("batch50", "push, batches of 50"), ("single", "push, 1 record/request")):
            ours_rate, base_rate = figures[name]
            ours_cpu, base_cpu = figures[f"{name}_cpu_ms"]
            print(f"{database:<12}{label:<26}{ours_rate:>10.0f} r/s{base_rate:>10.0f} r/s"
                  f"{base_rate / ours_rate:>7.2f}x   server CPU/record {ours_cpu:.2f} ms vs {base_cpu:.2f} ms")
        mb = args.photo_bytes / 1e6
        print(f"{database:<12}tus uploads of {mb:.1f} MB: {figures['photos']:.1f} photos/s "
              f"({figures['photos'] * mb:.1f} MB/s)")
    print("ratio = baseline rate / farmpatrol rate (how many times slower farmpatrol is than a bare insert); "
          "baseline = bare Flask endpoint inserting one row per record in one transaction (no auth, validation, "
          "idempotency or change log), same gunicorn settings, same database; server CPU/record = CPU time of the "
          "gunicorn processes (not the database server's, nor the client's) per record pushed")


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve-baseline"]:
        serve_baseline(sys.argv[2:])
    else:
        main()
