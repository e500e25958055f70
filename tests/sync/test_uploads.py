"""Photo uploads over tus 1.0: a real client (tuspy) on a live server, resume after a cut connection,
and every error a device can run into."""

from __future__ import annotations

import base64
import hashlib
import io
import socket
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from tusclient.client import TusClient
from tusclient.uploader import Uploader

from server.accounts import service as accounts
from server.evidence.storage import original_key
from server.extensions import db
from server.inspections.models import Inspection
from server.photos import service as photos
from server.photos.models import Photo
from server.uploads import service as uploads
from tests.sync.helpers import (TUS, bearer, create_upload, patch, photo_refs, push, read_until_closed, record,
                                sha256_hex, tus_metadata, upload)


class Sha256Uploader(Uploader):
    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


def real_photos(shared_photos, count: int) -> list[bytes]:
    files = sorted(p for p in shared_photos.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".heic", ".png"})
    return [p.read_bytes() for p in files[:count]]


def stored_bytes(sha256: str) -> bytes:
    return photos.photo_store().get(original_key(sha256))


def test_options_advertises_the_protocol(client, app):
    response = client.options("/api/v1/uploads")
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {"creation", "checksum", "termination", "expiration"}
    assert "sha256" in response.headers["Tus-Checksum-Algorithm"].split(",")
    assert response.headers["Tus-Max-Size"] == str(app.config["FARMPATROL"].max_photo_bytes)


def test_tuspy_uploads_real_photos_that_complete_an_inspection(live_server, token, own_parcels, client,
                                                               shared_photos):
    distant, close = real_photos(shared_photos, 2)
    push(client, token, [record(own_parcels[0], photos=photo_refs(distant, close))])
    tus = TusClient(f"{live_server}/api/v1/uploads", headers=bearer(token))
    for index, data in enumerate((distant, close)):
        Sha256Uploader(file_stream=io.BytesIO(data), client=tus, chunk_size=300_000, upload_checksum=True,
                       metadata={"sha256": sha256_hex(data), "filename": f"photo{index}.jpg"}).upload()
        assert requests.head(f"{live_server}/api/v1/photos/{sha256_hex(data)}", headers=bearer(token)).status_code == 200
        assert stored_bytes(sha256_hex(data)) == data
    db.session.expire_all()
    inspection = db.session.scalar(select(Inspection))
    assert inspection.status == "complete" and inspection.completed_at is not None
    assert db.session.scalar(select(Photo.content_type).where(Photo.sha256 == sha256_hex(distant))) in {
        "image/jpeg", "image/heic", "image/png"}


def test_resume_after_the_connection_is_cut_mid_patch(live_server, token, shared_photos):
    data = real_photos(shared_photos, 1)[0]
    created = requests.post(f"{live_server}/api/v1/uploads", headers={
        **TUS, **bearer(token), "Upload-Length": str(len(data)), "Upload-Metadata": tus_metadata(sha256=sha256_hex(data))})
    location = created.headers["Location"]
    sent = len(data) // 3
    _cut_patch(location, token, data, sent)
    offset = int(requests.head(location, headers={**TUS, **bearer(token)}).headers["Upload-Offset"])
    assert offset == sent  # every byte that arrived before the cut was kept
    tus = TusClient(f"{live_server}/api/v1/uploads", headers=bearer(token))
    Sha256Uploader(file_stream=io.BytesIO(data), client=tus, url=location, chunk_size=500_000).upload()
    assert stored_bytes(sha256_hex(data)) == data


def _cut_patch(location: str, token: str, data: bytes, sent: int) -> None:
    """Send a PATCH announcing all of `data` but only `sent` bytes of it, then close the socket."""
    url = urlsplit(location)
    with socket.create_connection((url.hostname, url.port)) as sock:
        head = (f"PATCH {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nTus-Resumable: 1.0.0\r\n"
                f"Authorization: Bearer {token}\r\nUpload-Offset: 0\r\n"
                f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(data)}\r\n\r\n")
        sock.sendall(head.encode() + data[:sent])
        read_until_closed(sock)


def test_wrong_offset_is_409_and_keeps_the_bytes(client, token):
    data = b"x" * 1000
    location = create_upload(client, token, data).headers["Location"]
    assert patch(client, token, location, data[:400], 0).status_code == 204
    response = patch(client, token, location, data[400:], 300)
    assert response.status_code == 409 and response.get_json()["error"]["details"]["offset"] == 400
    head = client.head(location, headers={**TUS, **bearer(token)})
    assert head.headers["Upload-Offset"] == "400" and "Upload-Expires" in head.headers


def test_chunk_checksum_mismatch_is_460_and_the_chunk_is_discarded(client, token):
    data = b"y" * 1000
    location = create_upload(client, token, data).headers["Location"]
    wrong = "sha256 " + base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    response = patch(client, token, location, data[:500], 0, checksum=wrong)
    assert response.status_code == 460 and response.get_json()["error"]["code"] == "checksum_mismatch"
    assert client.head(location, headers={**TUS, **bearer(token)}).headers["Upload-Offset"] == "0"


def test_whole_photo_checksum_mismatch_discards_the_upload(client, token):
    data = b"z" * 1000
    location = create_upload(client, token, data, sha256=sha256_hex(b"something else")).headers["Location"]
    response = patch(client, token, location, data, 0)
    assert response.status_code == 460 and response.get_json()["error"]["code"] == "checksum_mismatch"
    assert client.head(location, headers={**TUS, **bearer(token)}).status_code == 404
    assert db.session.scalar(select(Photo)) is None


def test_oversized_photo_is_413(client, token, app):
    too_big = app.config["FARMPATROL"].max_photo_bytes + 1
    response = create_upload(client, token, b"", sha256="a" * 64, length=too_big)
    assert response.status_code == 413 and response.get_json()["error"]["field"] == "Upload-Length"


def test_patch_larger_than_the_app_request_limit_passes(make_app, token):
    small = make_app(max_request_bytes=1024)
    data = b"p" * 50_000
    with small.app_context():
        client = small.test_client()
        upload(client, token, data)
        assert photos.has_photo(sha256_hex(data), accounts.get_user("inspector101201").id)


def test_creation_needs_a_valid_sha256(client, token):
    headers = {**TUS, **bearer(token), "Upload-Length": "10", "Upload-Metadata": "filename cGhvdG8uanBn"}
    response = client.post("/api/v1/uploads", headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "Upload-Metadata.sha256"


def test_tus_version_is_required(client, token):
    response = client.post("/api/v1/uploads", headers={**bearer(token), "Upload-Length": "10"})
    assert response.status_code == 412 and response.headers["Tus-Version"] == "1.0.0"


def test_uploads_belong_to_their_device(client, sync_demo, token):
    location = create_upload(client, token, b"mine").headers["Location"]
    other = sync_demo.device_tokens["inspector102201"]
    assert client.head(location, headers={**TUS, **bearer(other)}).status_code == 404
    assert patch(client, other, location, b"mine", 0).status_code == 404


def test_termination_and_expiry(client, token, app):
    location = create_upload(client, token, b"abc").headers["Location"]
    assert client.delete(location, headers={**TUS, **bearer(token)}).status_code == 204
    assert client.head(location, headers={**TUS, **bearer(token)}).status_code == 404
    stale = create_upload(client, token, b"stale").headers["Location"]
    later = datetime.now(timezone.utc) + timedelta(seconds=app.config["FARMPATROL"].upload_expiry_s + 1)
    assert uploads.expire_stale_uploads(now=later) == 1
    assert client.head(stale, headers={**TUS, **bearer(token)}).status_code == 404
    assert list((app.config["FARMPATROL"].instance_path / "uploads").glob("*.part")) == []


def test_head_photo_says_whether_the_server_has_it(client, token):
    data = b"known photo"
    assert client.head(f"/api/v1/photos/{sha256_hex(data)}", headers=bearer(token)).status_code == 404
    upload(client, token, data)
    assert client.head(f"/api/v1/photos/{sha256_hex(data)}", headers=bearer(token)).status_code == 200


def test_the_same_photo_is_stored_once(client, token, sync_demo):
    data = b"same photo twice"
    upload(client, token, data)
    upload(client, sync_demo.device_tokens["inspector102201"], data)
    assert len(db.session.scalars(select(Photo)).all()) == 1
