"""Real processes for the fault tests: the server (gunicorn) killed with SIGKILL and started again on the same
port, and the device client (`farmpatrol-device`) run as a process that can be killed mid-transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import REPO_ROOT, free_port

BIN = Path(sys.executable).parent


def wait_until_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    """Poll /health until it answers; fail with the server's log if the process died or never came up."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            requests.get(f"{url}/api/v1/health", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"the server did not start: {log.read_text()[-2000:]}")


class ServerProcess:
    """`tests.device.fault_server` in a session of its own, so that a kill takes the master and every worker."""

    def __init__(self, database_url: str, instance: Path):
        self.instance, self.port = instance, free_port()
        instance.mkdir(parents=True, exist_ok=True)
        self.trigger = instance.parent / "kill-before-storing"
        self.log = instance.parent / "server.log"
        self.env = {**os.environ, "DATABASE_URL": database_url, "FARMPATROL_INSTANCE": str(instance),
                    "FARMPATROL_SECRET_KEY": "test"}
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([str(BIN / "python"), "-m", "tests.device.fault_server", str(self.port),
                                          str(self.trigger)], cwd=REPO_ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        wait_until_up(self.proc, self.url, self.log)

    def kill(self) -> None:
        """SIGKILL, whatever it is doing: nothing is flushed, no request in flight finishes."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it killed itself at its fault point
        self.proc.wait(timeout=30)

    def died(self) -> bool:
        return self.proc.poll() is not None

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        self.kill()


def device(home: Path, *args: str) -> subprocess.Popen:
    """`farmpatrol-device --home HOME ARGS` as a process (its own session, so a kill takes it whole)."""
    return subprocess.Popen([str(BIN / "farmpatrol-device"), "--home", str(home), *args], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def device_sync(home: Path, timeout_s: float = 300) -> str:
    """Run a whole sync to its end; its output (the report), asserting it succeeded."""
    proc = device(home, "sync")
    output = proc.communicate(timeout=timeout_s)[0].decode()
    assert proc.returncode == 0, output
    return output


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL a device process and collect it (its output pipe closed)."""
    proc.kill()
    proc.communicate()
