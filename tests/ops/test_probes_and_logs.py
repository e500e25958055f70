"""Health and readiness probes, request ids and JSON log lines, and gunicorn's control socket per instance."""

import io
import json
import logging

from sqlalchemy import text

from server.extensions import db
from server.ops.request_log import HEADER, JsonFormatter
from server.serving import GunicornServer


def test_ready_when_the_schema_is_at_head_and_the_store_answers(client):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "photo_store": "ok"}}
    assert client.get("/api/v1/health").status_code == 200


def test_not_ready_while_the_schema_lags_behind(client):
    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    db.session.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    db.session.commit()
    try:
        response = client.get("/api/v1/ready")
        error = response.get_json()["error"]
        assert (response.status_code, error["code"]) == (503, "not_ready")
        assert set(error["details"]["checks"]) == {"database"} and "0005" in error["details"]["checks"]["database"]
    finally:
        db.session.rollback()
        db.session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
        db.session.commit()


def test_a_request_keeps_the_id_it_came_with_or_gets_one(client):
    assert client.get("/api/v1/health", headers={HEADER: "lb-1234"}).headers[HEADER] == "lb-1234"
    minted = client.get("/api/v1/health", headers={HEADER: "bad id with spaces"}).headers[HEADER]
    assert len(minted) == 32 and minted != client.get("/api/v1/health").headers[HEADER]


def test_log_lines_are_json_with_the_request_id(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("farmpatrol.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        client.get("/api/v1/health", headers={HEADER: "req-42"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    [line] = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert (line["request_id"], line["status"], line["path"], line["method"]) == ("req-42", 200, "/api/v1/health", "GET")
    assert line["level"] == "INFO" and line["logger"] == "farmpatrol.access" and line["duration_ms"] >= 0


def test_gunicorns_control_socket_lives_in_the_instance_folder(app, tmp_path):
    server = GunicornServer(app, host="127.0.0.1", port=0, workers=1, threads=1, with_scheduler=False)
    assert server.cfg.control_socket == f"{app.instance_path}/gunicorn.ctl"
    assert server.cfg.logconfig_dict["formatters"]["json"]["()"] is JsonFormatter
