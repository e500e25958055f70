from datetime import timedelta

import pytest
from sqlalchemy import text

from server.db_types import utcnow
from server.extensions import db
from server.jobs.service import JOB_STORE_TABLE


@pytest.fixture
def job_store(app):
    """APScheduler creates its table outside the migrations; drop it afterwards, or the PostgreSQL database
    (kept for the session) would no longer match the models for the migration tests."""
    yield JOB_STORE_TABLE
    with db.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {JOB_STORE_TABLE}"))


@pytest.fixture
def clock():
    """Lease tests move a fake clock instead of waiting for leases to expire."""
    start = utcnow()
    return lambda seconds=0: start + timedelta(seconds=seconds)
