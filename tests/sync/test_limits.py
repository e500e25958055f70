"""Quotas and limits (issue 11, item 7): open uploads per device, photos no inspection cites, free-text answers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.db_types import utcnow
from server.evidence.storage import original_key
from server.extensions import db
from server.photos import service as photos
from server.photos.models import Photo, PhotoUpload
from server.uploads.models import Upload
from tests.sync.helpers import TUS, bearer, create_upload, photo_refs, push, record, sha256_hex, upload


def test_a_device_holds_only_so_many_open_uploads(make_app, token):
    limited = make_app(max_open_uploads_per_device=2, max_open_upload_bytes_per_device=100, max_photo_bytes=100)
    with limited.app_context():
        client = limited.test_client()
        headers = {**TUS, **bearer(token)}
        created = [create_upload(client, token, data).headers["Location"] for data in (b"a" * 40, b"b" * 40)]
        third = create_upload(client, token, b"c" * 10)
        assert third.status_code == 201
        assert [client.head(url, headers=headers).status_code for url in created] == [404, 200]  # oldest dropped
        create_upload(client, token, b"d" * 60)  # 40 + 10 + 60 bytes > 100: drops the next oldest too
        assert client.head(created[1], headers=headers).status_code == 404
        assert client.head(third.headers["Location"], headers=headers).status_code == 200
        assert db.session.scalar(select(func.count()).select_from(Upload)) == 2


def test_starting_a_photo_over_or_finishing_it_ends_earlier_attempts(client, token):
    data = b"\xff\xd8\xff a photo sent twice"
    headers = {**TUS, **bearer(token)}
    first, second = (create_upload(client, token, data).headers["Location"] for _ in range(2))
    assert client.head(first, headers=headers).status_code == 404
    upload(client, token, data)
    assert client.head(second, headers=headers).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Upload)) == 0


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
