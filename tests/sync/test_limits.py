"""Quotas and limits (issue 11, item 7): open uploads per device, photos no inspection cites, free-text answers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.db_types import utcnow
from server.evidence.storage import original_key
from server.extensions import db
from server.photos import service as photos
from server.photos.models import Photo, PhotoUpload
from tests.sync.helpers import TUS, bearer, create_upload, photo_refs, push, record, sha256_hex, upload


def test_a_device_may_hold_only_so_many_open_uploads(make_app, token):
    limited = make_app(max_open_uploads_per_device=2, max_open_upload_bytes_per_device=100)
    with limited.app_context():
        client = limited.test_client()
        first = create_upload(client, token, b"a" * 40)
        assert first.status_code == 201 and create_upload(client, token, b"b" * 40).status_code == 201
        refused = create_upload(client, token, b"c" * 10)
        assert refused.status_code == 429
        error = refused.get_json()["error"]
        assert error["code"] == "too_many_open_uploads" and error["details"] == {"open_uploads": 2, "open_bytes": 80}
        assert client.delete(first.headers["Location"], headers={**TUS, **bearer(token)}).status_code == 204
        assert create_upload(client, token, b"d" * 61).status_code == 429  # 40 + 61 bytes > 100
        assert create_upload(client, token, b"d" * 60).status_code == 201


def test_photos_no_inspection_cites_are_deleted_after_their_time(app, client, token, own_parcels):
    cited, orphan = b"\xff\xd8\xff cited photo", b"\xff\xd8\xff never cited"
    body = record(own_parcels[0], photos=photo_refs(cited, b"\xff\xd8\xff second"))
    assert push(client, token, [body]).get_json()["results"][0]["status"] == "accepted"
    upload(client, token, cited)
    upload(client, token, orphan)
    assert photos.delete_orphan_photos() == 0  # not old enough yet
    later = utcnow() + timedelta(seconds=app.config["FARMPATROL"].orphan_photo_max_age_s + 60)
    assert photos.delete_orphan_photos(later) == 1
    assert set(db.session.scalars(select(Photo.sha256))) == {sha256_hex(cited)}
    assert db.session.scalar(select(func.count()).select_from(PhotoUpload)) == 1
    store = photos.photo_store()
    assert not store.exists(original_key(sha256_hex(orphan))) and store.exists(original_key(sha256_hex(cited)))
    assert photos.delete_orphan_photos(later) == 0


def test_free_text_answers_are_bounded(client, token, own_parcels):
    long = record(own_parcels[0], answers={"remarks": "长" * 2001})
    huge = record(own_parcels[0], answers={f"q{i}": "x" * 2000 for i in range(40)})
    results = push(client, token, [long, huge]).get_json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert [e["field"] for e in results[0]["errors"]] == ["answers"]
    assert "2000" in results[0]["errors"][0]["message"] and "remarks" in results[0]["errors"][0]["message"]
    assert "65536" in results[1]["errors"][0]["message"]
