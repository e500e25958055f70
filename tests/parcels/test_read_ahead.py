"""The reading thread of an import: the same items in the same order, its failure raised where the import
runs, and stopped when the import stops early."""

from __future__ import annotations

import threading
from contextlib import closing

import pytest

from server.parcels.crs import CrsMismatchError
from server.parcels.read_ahead import read_ahead


def test_items_arrive_in_order_from_another_thread():
    threads = []

    def produce():
        for item in range(50):
            threads.append(threading.current_thread())
            yield item

    assert list(read_ahead(produce())) == list(range(50))
    assert set(threads) != {threading.current_thread()}


def test_the_readers_error_is_raised_in_the_consumer_after_the_items_before_it():
    def produce():
        yield 1
        raise CrsMismatchError("wrong zone", field="crs")

    received = []
    with pytest.raises(CrsMismatchError) as raised:
        for item in read_ahead(produce()):
            received.append(item)
    assert received == [1] and raised.value.field == "crs"


def test_a_consumer_that_stops_early_stops_the_reader():
    produced = []

    def produce():
        for item in range(1000):
            produced.append(item)
            yield item

    with closing(read_ahead(produce(), depth=2)) as items:
        assert next(items) == 0
    assert len(produced) <= 4  # the one taken, two waiting, one being put when the consumer stopped
    assert not [t for t in threading.enumerate() if t.name == "parcel-read-ahead"]
