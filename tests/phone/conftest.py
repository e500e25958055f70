"""Fixtures of the phone app's browser tests: `farmpatrol serve` as a real process (killable, restartable on
its port), Debian's Chromium through Playwright, and a phone-sized browser context with a fake position."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from server.extensions import db
from server.parcels.models import Parcel
from server.territory.models import Village
from tests.conftest import free_port
from tests.device.processes import wait_until_up

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
VILLAGE = "330481101201"  # inspector101201's


class ServeProcess:
    """`farmpatrol serve` on a fixed port, in its own process group so that a kill takes its workers too."""

    def __init__(self, database_url: str, instance: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, "FARMPATROL_INSTANCE": str(instance),
                    "FARMPATROL_SECRET_KEY": "test"}
        self.log = instance.parent / "serve.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).parent / "farmpatrol"), "serve", "--port", str(self.port), "--no-scheduler"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until_up(self.proc, self.url, self.log)

    def kill(self) -> None:
        """SIGKILL, as a power cut would: nothing is flushed or closed cleanly."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def phone_server(database_url, tmp_path, sync_demo):
    server = ServeProcess(database_url, tmp_path / "instance")
    server.start()
    yield server
    server.kill()


@dataclass(frozen=True)
class Spot:
    parcel_code: str
    lat: float
    lon: float


@pytest.fixture
def standing_in(sync_demo) -> Spot:
    """A point inside the first parcel of the inspector's village: where the fake GPS puts the phone."""
    parcel = db.session.scalars(select(Parcel).join(Village, Parcel.village_id == Village.id)
                                .where(Village.code == VILLAGE).order_by(Parcel.code)).first()
    point = parcel.geometry.representative_point()
    return Spot(parcel.code, point.y, point.x)


@pytest.fixture
def phone(chromium, standing_in):
    """A new page in a phone-sized context standing in a parcel, with its position granted."""
    context = chromium.new_context(**PHONE, geolocation={"latitude": standing_in.lat, "longitude": standing_in.lon,
                                                        "accuracy": 6}, permissions=["geolocation"])
    page = context.new_page()
    # The page's own reports, printed (pytest shows them when a test fails).
    page.on("console", lambda message: print(f"console.{message.type}: {message.text}"))
    page.on("pageerror", lambda error: print(f"page error: {error}"))
    yield page
    context.close()
