"""Files the server makes are private (0700/0600), and responses carry the browser security headers (issue 11,
item 8)."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.sync.helpers import create_upload, upload


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_instance_database_photos_and_partial_uploads_are_private(app, client, token):
    config = app.config["FARMPATROL"]
    upload(client, token, b"\xff\xd8\xff photo bytes")
    create_upload(client, token, b"\xff\xd8\xff half a photo")
    instance, photos = config.instance_path, Path(config.photo_store)
    assert _mode(instance) == 0o700
    if config.is_sqlite:
        assert _mode(instance / "farmpatrol.db") == 0o600
        assert all(_mode(p) == 0o600 for p in instance.glob("farmpatrol.db-*"))
    folders = [p for p in photos.rglob("*") if p.is_dir()] + [photos]
    files = [p for p in photos.rglob("*") if p.is_file()]
    assert files and {_mode(p) for p in folders} == {0o700} and {_mode(p) for p in files} == {0o600}
    partials = [p for p in instance.rglob("*") if p.is_file() and "upload" in str(p.relative_to(instance))]
    assert partials and {_mode(p) for p in partials} == {0o600}


def test_the_web_ui_and_the_api_send_security_headers(client):
    for url in ("/login", "/api/v1/health"):
        headers = client.get(url).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
