"""The production HTTP server: gunicorn with threaded workers.

gunicorn hands the request body to the app as it arrives instead of buffering it first (waitress does
buffer, and drops a request whose body was cut), so the bytes of a photo upload cut by a rural network are
written to the partial file and the device resumes from them (tus). Each worker may run the scheduler:
the database lease lets exactly one of them, on this host or any other, run the jobs.
"""

from __future__ import annotations

import gc
from pathlib import Path

from flask import Flask
from gunicorn import glogging
from gunicorn.app.base import BaseApplication

from server.extensions import db
from server.ops.request_log import gunicorn_logconfig


class GunicornServer(BaseApplication):
    def __init__(self, app: Flask, *, host: str, port: int, workers: int, threads: int, with_scheduler: bool):
        self.application = app
        self.options = {
            "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
            # A 25 MB photo over a slow uplink takes minutes; the tus chunk, not the server, bounds a request.
            "timeout": 600, "graceful_timeout": 30, "accesslog": None, "logconfig_dict": gunicorn_logconfig(),
            "logger_class": _WithoutAccessLog,
            # One control socket per instance folder, not per machine: two instances on a host stay apart.
            "control_socket": str(Path(app.instance_path) / "gunicorn.ctl"),
            "when_ready": lambda arbiter: tune_garbage_collector(),  # in the master, before the workers fork
            "post_worker_init": self._start_worker, "worker_exit": self._stop_worker,
        }
        self.with_scheduler = with_scheduler
        self.scheduler = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application

    def _start_worker(self, worker) -> None:
        with self.application.app_context():
            db.engine.dispose(close=False)  # connections opened before the fork belong to the parent
        if self.with_scheduler:
            from server.jobs.scheduler import LeasedScheduler

            self.scheduler = LeasedScheduler(self.application)
            self.scheduler.start()

    def _stop_worker(self, server, worker) -> None:
        """On shutdown: release the lease at once so that another process takes over without waiting."""
        if self.scheduler is not None:
            self.scheduler.stop()


class _WithoutAccessLog(glogging.Logger):
    """gunicorn's logger without its access line: `server.ops.request_log` writes one, with the request id. Given
    a logging configuration, gunicorn otherwise gathers every line's fields (headers and environ) only for its
    access logger to drop them: 1.5 % of a single-record push's CPU."""

    def access(self, resp, req, environ, request_time) -> None:
        return None


def tune_garbage_collector() -> None:
    """Leave what is alive once the app is loaded (modules, mappers, configuration: it lives as long as the process)
    out of the garbage collector's passes, and collect the youngest generation less often. Walking the loaded
    objects made each full pass a pause of tens of milliseconds inside whichever request triggered it: the p99 of a
    pull page (benchmarks/bench_pull.py). And a request allocates thousands of short-lived containers, which at the
    default threshold of 700 made the collector walk each request's live objects several times over: about 4 % of a
    single-record push's CPU. Done once in gunicorn's master before it forks (the workers inherit the settings and
    the frozen objects, and no worker's collection writes to the pages they share with the master), as the gc
    module's documentation advises."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(_YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])


_YOUNG_COLLECTION_THRESHOLD = 10_000  # container allocations between collections of the youngest generation
