"""`farmpatrol serve`, the production server, as a real process: the bytes of a cut upload are kept (the
server streams request bodies to the app), and a stopped server releases the scheduler lease at once."""

import base64
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from server.db_types import utcnow
from server.extensions import db
from server.jobs import lease
from tests.conftest import free_port
from tests.device.processes import wait_until_up
from tests.sync.helpers import TUS, bearer, read_until_closed


def start_server(database_url: str, instance: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "FARMPATROL_INSTANCE": str(instance),
           "FARMPATROL_SECRET_KEY": "test"}
    with (instance.parent / "serve.log").open("wb") as log:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "farmpatrol"), "serve", "--port", str(port),
                                 *extra], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(proc, url, instance.parent / "serve.log")
    return proc, url


def test_cut_upload_keeps_its_bytes_through_the_production_server(database_url, tmp_path, token):
    proc, url = start_server(database_url, tmp_path / "instance", "--no-scheduler")
    try:
        data = os.urandom(200_000)
        sha = hashlib.sha256(data).hexdigest()
        headers = {**TUS, **bearer(token)}
        created = requests.post(f"{url}/api/v1/uploads", headers={
            **headers, "Upload-Length": str(len(data)),
            "Upload-Metadata": f"sha256 {base64.b64encode(sha.encode()).decode()}"})
        path = "/" + created.headers["Location"].split("/", 3)[-1]
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as cut:
            cut.sendall((f"PATCH {path} HTTP/1.1\r\nHost: farmpatrol\r\nAuthorization: Bearer {token}\r\n"
                         f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                         f"Content-Length: {len(data)}\r\n\r\n").encode() + data[:120_000])
            read_until_closed(cut)  # the server saw the body end short, answered and closed: the cut is handled
        offset = int(requests.head(f"{url}{path}", headers=headers).headers["Upload-Offset"])
        assert offset == 120_000
        resumed = requests.patch(f"{url}{path}", data=data[offset:], headers={
            **headers, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
        assert resumed.status_code == 204
        assert requests.head(f"{url}/api/v1/photos/{sha}", headers=headers).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_stopped_server_releases_the_scheduler_lease(app, database_url, tmp_path, sync_demo, job_store):
    proc, _ = start_server(database_url, tmp_path / "instance")
    try:
        deadline = time.monotonic() + 30
        while (held := lease.current(lease.SCHEDULER_LEASE)) is None and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.1)
        assert held is not None and held.expires_at > utcnow(), "the server's worker never took the lease"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    db.session.expire_all()
    released = lease.current(lease.SCHEDULER_LEASE)
    assert released.holder == held.holder and released.expires_at <= utcnow()
