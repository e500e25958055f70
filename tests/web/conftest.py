"""Fixtures of the web UI tests: the demo county with a season of history, a signed-in test client, and for the
browser tests Debian's Chromium driven by Playwright against the app on a real socket (never a downloaded browser)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from server.demo.generator import DEMO_PASSWORD
from server.demo.history import build_history
from tests.conftest import SHARED_PHOTOS

SHANGHAI = ZoneInfo("Asia/Shanghai")  # how the web UI shows times
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture
def history(sync_demo):
    """The small demo county (2 townships) with a season in township 101 (reviewer101): a case in every state.
    Drawn photos, small: quick to make and to check."""
    return build_history(sync_demo.county_code, photos_dir=None, routine_per_township=2, photo_long_side_px=320,
                         township_codes=["330481101"])


@pytest.fixture
def history_with_photos(sync_demo):
    """The same season with the shared set's real photos where present (the browser tests look at them)."""
    return build_history(sync_demo.county_code, photos_dir=SHARED_PHOTOS, routine_per_township=2,
                         photo_long_side_px=640, township_codes=["330481101"])


def sign_in(client, username: str, password: str = DEMO_PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where the browser tests save their screenshots: FARMPATROL_SCREENSHOTS if set, else the test's tmp dir."""
    folder = Path(os.environ.get("FARMPATROL_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
