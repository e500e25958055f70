"""Shared fixtures: an app on a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set
and always under CI), a client, a CLI runner, and the demo county.

Databases are migrated once per session with the real Alembic migrations; each test then gets a
fresh SQLite file (a copy of the migrated template) or a truncated PostgreSQL database, so tests
may commit, race and use several connections like production does.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from server import create_app
from server.config import Config, normalise_database_url
from server.extensions import db
from server.jobs.service import JOB_STORE_TABLE

# Fixtures shared by several folders: the sync protocol's (a county with published forms, live server) and
# the review tests' (parcels of known land classes, recorded inspections).
pytest_plugins = ("tests.sync.fixtures", "tests.reviews.fixtures")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_PHOTOS = REPO_ROOT.parent / "shared" / "photos"
DATABASES = ["sqlite", "postgresql"]


def _make_app(instance: Path, database_url: str | None = None, **overrides):
    config = Config(instance_path=instance, database_url=database_url or "", testing=True,
                    secret_key="test-secret", **overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    instance = tmp_path_factory.mktemp("sqlite-template")
    app = _make_app(instance)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return instance / "farmpatrol.db"


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory, worker_id):
    """A database of this test process's own on the server named by TEST_DATABASE_URL, migrated once and
    dropped at the end (named by pid, so that concurrent test runs never touch each other's data)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests are required under CI")
        pytest.skip("TEST_DATABASE_URL not set")
    base = normalise_database_url(base)
    name = f"farmpatrol_test_{os.getpid()}_{worker_id}"
    admin_dsn = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + "/" + name
    app = _make_app(tmp_path_factory.mktemp("pg-migrate"), url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "instance" / "farmpatrol.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def app(database_url, tmp_path):
    app = _make_app(tmp_path / "instance", database_url)
    with app.app_context():
        yield app
        db.session.remove()
        if database_url.startswith("postgresql"):
            _empty_all_tables()
        db.engine.dispose()


def _empty_all_tables() -> None:
    """DELETE in reverse dependency order: for a test's handful of rows far cheaper than TRUNCATE."""
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def make_app(database_url, tmp_path):
    """Factory: another app on the test's database with other settings. Its engine is disposed afterwards:
    a pool dropped with open connections would leak them (and their ResourceWarnings) into later tests."""
    made = []

    def make(**overrides):
        made.append(_make_app(tmp_path / f"app{len(made)}", database_url, **overrides))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def job_store(app):
    """APScheduler creates its table outside the migrations; drop it afterwards, or the PostgreSQL database
    (kept for the session) would no longer match the models for the migration tests."""
    yield JOB_STORE_TABLE
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {JOB_STORE_TABLE}"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """A small deterministic county: 2 townships × 2 villages, 40 parcels, users and devices."""
    from server.demo.generator import build_demo_county

    return build_demo_county(parcels=40, townships=2, villages_per_township=2)


@pytest.fixture
def shared_photos() -> Path:
    if not SHARED_PHOTOS.is_dir():
        missing_shared_photos(SHARED_PHOTOS)
    return SHARED_PHOTOS


def missing_shared_photos(path: Path) -> None:
    """Skip a photo test when the shared photo set is absent; under CI=true fail instead, as a missing
    PostgreSQL does, so that a run without the photos never passes for a full one."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the shared photos are missing at {path}: the photo tests are required under CI",
                    pytrace=False)
    pytest.skip(f"shared photos not found at {path}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto S3 server on loopback for the session, with dummy credentials in the env."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.delenv("AWS_PROFILE", raising=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


# --- browser tests (phone app and web UI): one Playwright per test process; a second sync_playwright() in
# the same process fails ("Sync API inside the asyncio loop"), so both suites share this Chromium.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium (scripts/_browser.sh)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
