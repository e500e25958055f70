"""Fault injection for the device soak: a WSGI middleware that delays, fails, loses answers, duplicates
and replays requests late, and a requests session that 'kills' the device before or after a request."""

from __future__ import annotations

import io
import random
import threading
import time

import requests


class Killed(BaseException):
    """The device died (kill -9): not an Exception, so no retry loop in the client can swallow it."""


class FaultyNetwork:
    def __init__(self, app, rng: random.Random, rate: float = 0.08):
        self.app, self.rng, self.rate = app, rng, rate
        self.enabled = True
        self.late: list[tuple[dict, bytes]] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        if not self.enabled:
            return self._run(environ, body, start_response)
        with self.lock:
            roll = self.rng.random()
            replay = self.late.pop(0) if self.late and self.rng.random() < self.rate else None
        if replay:  # an old request arrives late, after newer ones (reordering)
            self._run(*replay, lambda *a: None)
        if roll < self.rate:  # lost on the way in
            return self._fail(start_response)
        time.sleep(self.rng.random() * 0.003)
        if roll < 2 * self.rate:  # processed, answer lost on the way out
            self._run(environ, body, lambda *a: None)
            return self._fail(start_response)
        if roll < 3 * self.rate:  # delivered twice
            self._run(environ, body, lambda *a: None)
        if roll < 4 * self.rate and environ["REQUEST_METHOD"] in ("POST", "PATCH"):
            with self.lock:
                self.late.append((dict(environ), body))
        return self._run(environ, body, start_response)

    def _run(self, environ, body, start_response):
        environ = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        return list(self.app(environ, start_response))

    @staticmethod
    def _fail(start_response):
        start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
        return [b"network fault"]


class KillingSession(requests.Session):
    """Kills the device at random: before a request leaves, or after the answer came but before the
    device could store it."""

    def __init__(self, rng: random.Random, rate: float):
        super().__init__()
        self.rng, self.rate = rng, rate

    def request(self, *args, **kwargs):
        if self.rng.random() < self.rate:
            raise Killed("before request")
        response = super().request(*args, **kwargs)
        if self.rng.random() < self.rate:
            raise Killed("after response")
        return response
