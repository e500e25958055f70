"""Decoding is thread-safe: the server decodes uploads on several threads, and capturing Pillow's warnings
swaps process-wide state (server.evidence.decode._WARNINGS_LOCK)."""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from server.evidence.decode import decode

THREADS, ROUNDS = 8, 25


def test_the_bomb_warning_photo_decodes_alike_on_many_threads(shared_photos):
    bomb = (shared_photos / "synthetic_bomb_warning_10000x10000.jpg").read_bytes()
    normal = (shared_photos / "gps_htc_desire.jpg").read_bytes()
    filters_before = list(warnings.filters)
    start = Barrier(THREADS)

    def work(index: int) -> list[str]:
        start.wait()
        # Half the threads decode a photo that warns, half one that does not, interleaved.
        return [decode(bomb if (index + i) % 2 else normal, long_side=320).status for i in range(ROUNDS)]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))
    for index, statuses in enumerate(results):
        assert statuses == ["bomb" if (index + i) % 2 else "ok" for i in range(ROUNDS)]
    assert warnings.filters == filters_before  # pytest's "error" filter is back in place
