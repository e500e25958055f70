"""HTTP for a phone on a bad rural network: bounded retries with exponential backoff and full jitter.

Only failures that may pass are retried (no connection, timeouts, 5xx, 423, 429); a 4xx answer is the
server's verdict and goes back to the caller. Retrying is safe because every call the client makes is
idempotent on the server (push by UUID, tus by offset, pull by cursor).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import requests

RETRY_STATUS = {423, 429, 500, 502, 503, 504}


class SyncError(RuntimeError):
    """The server could not be reached (after retries) or refused the request."""


@dataclass
class Backoff:
    attempts: int = 6
    base_s: float = 0.5
    cap_s: float = 8.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap_s, self.base_s * 2 ** attempt))


class Transport:
    def __init__(self, server: str, token: str, *, session: requests.Session | None = None,
                 backoff: Backoff | None = None, timeout_s: float = 30.0, sleep=time.sleep):
        self.server = server.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.backoff = backoff or Backoff()
        self.timeout_s = timeout_s
        self.sleep = sleep

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.server}/api/v1{path}"

    def request(self, method: str, path: str, *, ok=(200, 201, 204), **kwargs) -> requests.Response:
        """The response once its status is in `ok` or is a non-retryable answer; SyncError if retries run out."""
        last_error = None
        for attempt in range(self.backoff.attempts):
            if attempt:
                self.sleep(self.backoff.delay(attempt))
            try:
                response = self.session.request(method, self.url(path), timeout=self.timeout_s, **kwargs)
            except requests.RequestException as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code in ok or response.status_code not in RETRY_STATUS:
                return response
            last_error = f"HTTP {response.status_code}"
        raise SyncError(f"{method} {path}: gave up after {self.backoff.attempts} attempts ({last_error})")
