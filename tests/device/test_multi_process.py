"""A multi-process deployment (issue 15): two `farmpatrol serve` processes (separate instance folders, as on two
hosts) and one `farmpatrol scheduler`, on PostgreSQL and an S3-compatible store (moto's server). Phones sync
through both alternately; one server is SIGKILLed mid-load and the phones carry on through the other. In the
end every inspection is there exactly once, complete, every photo byte-identical in the store, no partial
upload is left, and no job ran twice for one scheduled time."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
from pathlib import Path

import boto3
import pytest
from sqlalchemy import func, select

from server.evidence.storage import S3Store
from server.extensions import db
from server.jobs.models import JobRun
from sync.client import DeviceClient
from tests.conftest import REPO_ROOT, free_port
from tests.device.processes import BIN, device, wait_until_up
from tests.device.test_process_faults import Phone, _assert_everything_arrived_once
from tests.sync.fixtures import parcel_codes

INSPECTORS = {"inspector101201": "330481101201", "inspector101202": "330481101202",
              "inspector102201": "330481102201"}


class Process:
    """A farmpatrol command in a session of its own (a SIGKILL takes the master and every worker)."""

    def __init__(self, env: dict, log: Path, *args: str):
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen([str(BIN / "farmpatrol"), *args], cwd=REPO_ROOT, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)


def _serve(env: dict, instance: Path) -> tuple[Process, str]:
    port = free_port()
    instance.mkdir(parents=True)
    process = Process({**env, "FARMPATROL_INSTANCE": str(instance)}, instance.parent / f"{instance.name}.log",
                      "serve", "--port", str(port), "--workers", "2", "--threads", "4", "--no-scheduler")
    url = f"http://127.0.0.1:{port}"
    wait_until_up(process.proc, url, process.log)
    return process, url


def _point(phone: Phone, url: str) -> None:
    client = DeviceClient(phone.home)
    try:
        client.configure(url, client.outbox.get("token"))
    finally:
        client.close()


@pytest.mark.slow
def test_two_servers_and_a_scheduler_lose_nothing(app, database_url, tmp_path, sync_demo, s3_endpoint):
    if not database_url.startswith("postgresql"):
        pytest.skip("several hosts share PostgreSQL, not a SQLite file")
    bucket = f"multi-{os.getpid()}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    env = {**os.environ, "DATABASE_URL": database_url, "FARMPATROL_SECRET_KEY": "test",
           "PHOTO_STORE": f"s3://{bucket}/county", "PHOTO_STORE_ENDPOINT_URL": s3_endpoint}
    (a, url_a), (b, url_b) = _serve(env, tmp_path / "host-a"), _serve(env, tmp_path / "host-b")
    (tmp_path / "host-s").mkdir()
    scheduler = Process({**env, "FARMPATROL_INSTANCE": str(tmp_path / "host-s")}, tmp_path / "scheduler.log",
                        "scheduler")
    rng = random.Random(15)
    try:
        phones = [Phone(tmp_path / name, url_a, sync_demo.device_tokens[name], parcel_codes(village), rng)
                  for name, village in INSPECTORS.items()]
        shared = [rng.randbytes(20_000) for _ in range(2)]  # photos seen by several inspectors
        for round_ in range(4):
            for phone in phones:
                phone.record(shared)
                _point(phone, url_a if (round_ + phones.index(phone)) % 2 else url_b)
            running = [device(phone.home, "sync") for phone in phones]
            if round_ == 1:  # host A dies mid-load; its phones retry, and are sent to B from now on
                threading.Event().wait(rng.uniform(0.2, 1.0))
                a.kill()
                url_a = url_b
            for proc in running:
                proc.communicate(timeout=300)
        for phone in phones:  # a last sync through the surviving host: every retry done
            _point(phone, url_b)
            done = device(phone.home, "sync")
            output = done.communicate(timeout=300)[0].decode()
            assert done.returncode == 0, output
        store = S3Store(bucket, "county", endpoint_url=s3_endpoint)
        _assert_everything_arrived_once(phones, store)
        s3 = boto3.client("s3", endpoint_url=s3_endpoint)
        assert not s3.list_objects_v2(Bucket=bucket, Prefix="county/uploads/").get("KeyCount")
        db.session.expire_all()
        repeated = db.session.execute(select(JobRun.job_id, JobRun.scheduled_for, func.count())
                                      .group_by(JobRun.job_id, JobRun.scheduled_for)
                                      .having(func.count() > 1)).all()
        assert repeated == []
        assert scheduler.proc.poll() is None, scheduler.log.read_text()[-2000:]
    finally:
        for process in (a, b, scheduler):
            process.kill()

