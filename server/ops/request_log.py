"""Structured logs: one JSON object per line, each carrying the id of the request it belongs to.

A request's id is the `X-Request-ID` it came with (a load balancer's, up to 64 safe characters) or a new
one; it is echoed in the response header, attached to every log record written while the request runs, and
to the access-log line written when it ends (method, path, status, duration).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
access_log = logging.getLogger("farmpatrol.access")


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def _start() -> None:
    given = request.headers.get(HEADER, "")
    g.request_id = given if _ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    response.headers[HEADER] = g.request_id
    access_log.info("request", extra={"fields": {
        "method": request.method, "path": request.path, "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1)}})
    return response


class JsonFormatter(logging.Formatter):
    """time (UTC), level, logger, message, request_id when in a request, extra `fields`, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        if (rid := request_id()) is not None:
            entry["request_id"] = rid
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def gunicorn_logconfig() -> dict:
    """gunicorn's `logconfig_dict` for a served process: its error log, ours and the scheduler's as JSON lines on
    stderr (gunicorn's own access log is off: `_finish` writes one with the request id)."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {"version": 1, "disable_existing_loggers": False,
            "formatters": {"json": {"()": JsonFormatter}},
            "handlers": {"console": handler, "error_console": handler},
            "root": {"level": "INFO", "handlers": ["console"]},
            "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False}}}
