"""Soak: several devices record and sync through a faulty network, are killed at random and the server
restarts; in the end the server holds every inspection exactly once with all its photos, byte-identical."""

from __future__ import annotations

import hashlib
import random

import pytest
from sqlalchemy import func, select

from server.evidence.storage import original_key
from server.extensions import db
from server.inspections.models import Inspection, InspectionConflict
from server.photos import service as photos
from sync.client import DeviceClient
from sync.transport import Backoff, SyncError
from tests.device.faults import FaultyNetwork, Killed, KillingSession
from tests.sync.fixtures import LiveServer, parcel_codes
from tests.sync.helpers import GOOD_ANSWERS

VILLAGES = ["330481101201", "330481101202", "330481102201", "330481102202"]


class SimulatedDevice:
    def __init__(self, home, server_url: str, token: str, parcels: list[str], rng: random.Random, kill_rate: float):
        self.home, self.parcels, self.rng, self.kill_rate = home, parcels, rng, kill_rate
        self.client = self._boot()
        self.client.configure(server_url, token)
        self.recorded: dict[str, list[bytes]] = {}

    def _boot(self) -> DeviceClient:
        session = KillingSession(self.rng, self.kill_rate)
        return DeviceClient(self.home, session=session, backoff=Backoff(attempts=4, base_s=0.001, cap_s=0.01),
                            sleep=lambda _s: None)

    def record(self, shared: list[bytes]) -> None:
        blobs = [self.rng.randbytes(self.rng.randint(2_000, 40_000)) for _ in range(self.rng.randint(1, 2))]
        if shared and self.rng.random() < 0.2:
            blobs.append(self.rng.choice(shared))  # the same picture in several inspections
        folder = self.home / "camera"
        folder.mkdir(exist_ok=True)
        paths = []
        for index, blob in enumerate(blobs if len(blobs) > 1 else blobs * 2):  # a lone picture serves as both
            path = folder / f"IMG_{len(self.recorded):05d}_{index}.jpg"
            path.write_bytes(blob)
            paths.append(path)
        roles = {p.name: "distant" if i == 0 else "close" for i, p in enumerate(paths)}
        uuid = self.client.record(self.rng.choice(self.parcels), "farmland_patrol", GOOD_ANSWERS, paths,
                                  roles=roles, form_version=1, location={"lat": 30.3, "lon": 120.2}).uuid
        self.recorded[uuid] = blobs

    def sync(self, must_succeed: bool = False) -> None:
        try:
            report = self.client.sync()
            if must_succeed:
                assert not report.errors, report.errors
        except (Killed, SyncError):
            if must_succeed:
                raise
            self.client.close()  # the process is gone; a new one starts from what is on disk
            self.client = self._boot()


def run_soak(app, tmp_path, demo, records: int, seed: int) -> None:
    rng = random.Random(seed)
    network = FaultyNetwork(app, rng)
    server = LiveServer(app, network)
    server.start()
    try:
        devices = [SimulatedDevice(tmp_path / f"phone{i}", server.url, demo.device_tokens[f"inspector{code[-6:]}"],
                                   parcel_codes(code), rng, kill_rate=0.03) for i, code in enumerate(VILLAGES)]
        shared = [rng.randbytes(5_000) for _ in range(3)]
        for step in range(records):
            device = rng.choice(devices)
            device.record(shared)
            if rng.random() < 0.3:
                device.sync()
            if step % max(1, records // 6) == 0 and step:
                server.restart()
        network.enabled = False
        for device in devices:
            device.client.close()
            device.kill_rate = 0
            device.client = device._boot()
            device.sync(must_succeed=True)
        _assert_everything_arrived_once(devices)
    finally:
        server.stop()


def _assert_everything_arrived_once(devices: list[SimulatedDevice]) -> None:
    db.session.expire_all()
    for device in devices:
        assert set(device.client.outbox.counts()["records"]) <= {"accepted", "duplicate"}
    expected = {uuid: blobs for device in devices for uuid, blobs in device.recorded.items()}
    rows = db.session.scalars(select(Inspection)).all()
    assert sorted(i.uuid for i in rows) == sorted(expected)  # every inspection, exactly once
    assert db.session.scalar(select(func.count()).select_from(InspectionConflict)) == 0
    store = photos.photo_store()
    for inspection in rows:
        assert inspection.status == "complete", inspection.uuid
        held = {ref.sha256 for ref in inspection.photos}
        for blob in expected[inspection.uuid]:
            digest = hashlib.sha256(blob).hexdigest()
            assert digest in held and store.get(original_key(digest)) == blob


def test_soak_fast(app, tmp_path, sync_demo):
    run_soak(app, tmp_path, sync_demo, records=60, seed=7)


@pytest.mark.slow
def test_soak_thousand_pushes(app, tmp_path, sync_demo):
    run_soak(app, tmp_path, sync_demo, records=1000, seed=2026)
