"""Protocol helpers shared by the sync tests: records, pushes, tus uploads and pulls through a Flask client."""

from __future__ import annotations

import base64
import hashlib
import socket
import uuid as uuid_lib
from datetime import datetime, timedelta, timezone

TUS = {"Tus-Resumable": "1.0.0"}
CHINA = timezone(timedelta(hours=8))
GOOD_ANSWERS = {
    "cultivation_status": "grain", "crops": ["rice"], "has_nonag_use": "no", "irrigation_canal": "intact",
    "drainage_ditch": "intact", "farm_road": "intact", "field_ridge": "intact",
}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def photo_refs(*blobs: bytes, roles=("distant", "close")) -> list[dict]:
    return [{"sha256": sha256_hex(blob), "role": roles[i] if i < len(roles) else "detail",
             "file_name": f"IMG_{i:04d}.jpg"} for i, blob in enumerate(blobs)]


def record(parcel_code: str, photos: list[dict] | None = None, **overrides) -> dict:
    started = datetime(2026, 5, 3, 9, 30, tzinfo=CHINA)
    body = {
        "uuid": str(uuid_lib.uuid4()), "type": "inspection", "form_id": "farmland_patrol", "form_version": 1,
        "parcel_code": parcel_code, "started_at": started.isoformat(),
        "finished_at": (started + timedelta(minutes=6)).isoformat(),
        "location": {"lat": 30.31, "lon": 120.21, "accuracy_m": 8.5},
        "answers": dict(GOOD_ANSWERS),
        "photos": photos if photos is not None else photo_refs(b"distant-" + started.isoformat().encode(),
                                                               b"close-" + started.isoformat().encode()),
    }
    body.update(overrides)
    return body


def push(client, token: str, records: list, device_time: datetime | None = None):
    device_time = device_time or datetime.now(timezone.utc)
    return client.post("/api/v1/sync/push", json={"device_time": device_time.isoformat(), "records": records},
                       headers=bearer(token))


def tus_metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def create_upload(client, token: str, data: bytes, sha256: str | None = None, length: int | None = None):
    headers = {**TUS, **bearer(token), "Upload-Length": str(len(data) if length is None else length),
               "Upload-Metadata": tus_metadata(sha256=sha256 or sha256_hex(data), filename="photo.jpg")}
    return client.post("/api/v1/uploads", headers=headers)


def patch(client, token: str, location: str, data: bytes, offset: int, checksum: str | None = None):
    headers = {**TUS, **bearer(token), "Upload-Offset": str(offset),
               "Content-Type": "application/offset+octet-stream"}
    if checksum:
        headers["Upload-Checksum"] = checksum
    return client.patch(location, data=data, headers=headers)


def upload(client, token: str, data: bytes) -> None:
    """Create and send a photo in one PATCH; asserts it completed."""
    location = create_upload(client, token, data).headers["Location"]
    response = patch(client, token, location, data, 0)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert response.headers["Upload-Offset"] == str(len(data))


def pull_all(client, token: str, cursor: str | None = None, limit: int = 500) -> tuple[list[dict], str, bool]:
    """Pull until has_more is false; returns (changes, cursor, any page had reset)."""
    changes, reset = [], False
    while True:
        query = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/sync/pull", query_string=query, headers=bearer(token)).get_json()
        changes += body["changes"]
        reset = reset or body["reset"]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            return changes, cursor, reset


def read_until_closed(sock) -> bytes:
    """Half-close a connection that sent a cut request body, and read until the server closes it: by then the
    server has read every byte that arrived, met the end of the body and answered."""
    sock.shutdown(socket.SHUT_WR)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received
