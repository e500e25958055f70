from datetime import timedelta

import pytest

from server.db_types import utcnow


@pytest.fixture
def clock():
    """Lease tests move a fake clock instead of waiting for leases to expire."""
    start = utcnow()
    return lambda seconds=0: start + timedelta(seconds=seconds)
