"""Read and check the next batch of a survey file while the current one is written.

GDAL's read, shapely's and PROJ's vectorised calls and the database driver release the GIL, so a second
thread overlaps part of an import's reading half with its writing half on a machine with two cores or more.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
_POLL_S = 0.1  # how soon a producer notices that its consumer stopped


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_END = object()


def read_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """`items`, produced in a thread of their own at most `depth` ahead of the consumer. The producer's
    exception is raised in the consumer; a consumer that stops early (or fails) stops the producer."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stopped = threading.Event()

    def put(item) -> bool:
        while not stopped.is_set():
            try:
                handoff.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_END)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, who raises it
            put(_Failed(error))

    producer = threading.Thread(target=produce, name="parcel-read-ahead", daemon=True)
    producer.start()
    try:
        while (item := handoff.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stopped.set()
        producer.join()
