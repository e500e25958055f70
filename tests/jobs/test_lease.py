"""One active scheduler: the lease is taken atomically, renewed by its holder, and taken over when the
holder stops renewing (killed), on SQLite and PostgreSQL."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from server.extensions import db
from server.jobs import lease
from server.jobs.models import SchedulerLease

TTL = 60


def test_holder_renews_others_wait_until_expiry(app, clock):
    assert lease.acquire("scheduler", "a", TTL, now=clock(0))
    assert not lease.acquire("scheduler", "b", TTL, now=clock(10))
    assert lease.acquire("scheduler", "a", TTL, now=clock(30))  # renewed: now expires at 90
    assert not lease.acquire("scheduler", "b", TTL, now=clock(61))
    assert lease.holds("scheduler", "a", now=clock(89)) and not lease.holds("scheduler", "a", now=clock(91))
    assert lease.acquire("scheduler", "b", TTL, now=clock(91))  # a died: b takes over
    assert not lease.acquire("scheduler", "a", TTL, now=clock(92))
    row = db.session.get(SchedulerLease, "scheduler")
    assert (row.holder, row.acquired_at, row.expires_at) == ("b", clock(91), clock(91 + TTL))


def test_release_hands_over_at_once(app, clock):
    lease.acquire("scheduler", "a", TTL, now=clock(0))
    lease.release("scheduler", "a", now=clock(5))
    assert lease.acquire("scheduler", "b", TTL, now=clock(6))


def test_racing_processes_get_exactly_one_lease(app, clock):
    """Eight connections race twice: to create the row, then to take it over once it has expired."""
    for moment in (clock(0), clock(TTL + 1)):
        start = threading.Barrier(8)
        winners = []

        def contend(name):
            with app.app_context():
                start.wait()
                if lease.acquire("scheduler", name, TTL, now=moment):
                    winners.append(name)

        threads = [threading.Thread(target=contend, args=(f"p{i}",)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(winners) == 1
        assert lease.holds("scheduler", winners[0], now=moment)


def test_killed_scheduler_process_is_replaced(app, database_url, job_store, tmp_path):
    """A real `farmpatrol scheduler` takes the lease; after SIGKILL nobody else gets it before it expires,
    and another process takes it over once it has."""
    env = {**os.environ, "DATABASE_URL": database_url, "FARMPATROL_INSTANCE": str(tmp_path / "proc"),
           "FARMPATROL_SECRET_KEY": "test", "SCHEDULER_LEASE_TTL_S": str(TTL), "SCHEDULER_LEASE_RENEW_S": "1"}
    farmpatrol = Path(sys.executable).parent / "farmpatrol"
    output = tmp_path / "scheduler.log"
    with output.open("wb") as log:
        proc = subprocess.Popen([str(farmpatrol), "scheduler"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        holder = _wait_for_holder(f":{proc.pid}:", proc, output)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not lease.acquire("scheduler", "successor", TTL), "a killed holder's lease stays until it expires"
    dead = lease.current("scheduler")
    assert dead.holder == holder
    assert lease.acquire("scheduler", "successor", TTL, now=dead.expires_at + timedelta(seconds=1))


def _wait_for_holder(pid_marker: str, proc: subprocess.Popen, output: Path) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, output.read_text()
        db.session.expire_all()
        row = lease.current("scheduler")
        if row is not None and pid_marker in row.holder:
            return row.holder
        db.session.rollback()
        time.sleep(0.05)
    raise AssertionError("the scheduler process never took the lease")
