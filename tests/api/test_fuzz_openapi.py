"""Schemathesis against a live server, on SQLite and PostgreSQL, as a device and as a reviewer: no 5xx and no
response that violates the OpenAPI document (issue 11, item 9). Slow suite: about 15 s per run on 2 cores.

Credentials go in through the document's security schemes, so Schemathesis also tries requests without them.
PATCH /uploads/{id} is left out: Schemathesis cannot generate `application/offset+octet-stream` bodies (the tus
tests cover it). The reviewer fuzzes what a session may call: not the device-only sync routes (the device run
does), nor sign-out, which would end the session for the rest of the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.sync.fixtures import LiveServer

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
UNLIMITED = "100000 per minute"  # the sign-in limits would answer 429 to most of the fuzzing


@pytest.mark.slow
@pytest.mark.parametrize("caller", ["device", "reviewer"])
def test_fuzzing_finds_no_server_error_and_no_spec_violation(make_app, world, sync_demo, caller, tmp_path):
    server = LiveServer(make_app(login_limit_per_address=UNLIMITED, login_limit_per_user=UNLIMITED))
    server.start()
    try:
        if caller == "device":
            auth = f'[auth.openapi.deviceToken]\nbearer = "{sync_demo.device_tokens["inspector101201"]}"\n'
            excluded = []
        else:
            session = requests.post(f"{server.url}/api/v1/auth/login", timeout=30,
                                    json={"username": "reviewer101", "password": "farmpatrol2026"}).cookies["session"]
            auth = f'[auth.openapi.session]\napi_key = "{session}"\n'
            excluded = ["--exclude-path-regex", r"^/(sync/|uploads|photos/\{sha256\}$|auth/logout)"]
        config = tmp_path / "schemathesis.toml"
        config.write_text(CONFIG.read_text() + "\n" + auth)
        run = subprocess.run(
            [str(SCHEMATHESIS), "--no-color", "--config-file", str(config), "run", f"{server.url}/api/v1/openapi.json",
             "--max-examples", "20", "--seed", "1", "--workers", "1", "--phases", "examples,coverage,fuzzing,stateful",
             "--generation-database", "none", "--exclude-method", "PATCH", *excluded],
            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    finally:
        server.stop()
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
