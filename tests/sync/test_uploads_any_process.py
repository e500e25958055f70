"""Uploads any process can finish (issue 15): with the S3 photo store, a partial upload lives in the store, so
two server processes with instance folders of their own (two hosts) serve one upload's PATCHes alternately,
and the second finishes what the first started after the first is gone."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import boto3
import pytest
from sqlalchemy import select

from server.db_types import utcnow
from server.evidence.storage import original_key
from server.extensions import db
from server.inspections.models import Inspection
from server.uploads import service as uploads
from server.uploads.partials import S3Partials
from tests.sync.helpers import TUS, bearer, create_upload, patch, photo_refs, push, record, sha256_hex


@pytest.fixture
def hosts(app, make_app, s3_endpoint):
    """This test's app and another on the same database and bucket, each with its own instance folder."""
    bucket = f"uploads-{id(app)}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    store = {"photo_store": f"s3://{bucket}/county", "photo_store_endpoint_url": s3_endpoint}
    app.config["FARMPATROL"] = app.config["FARMPATROL"].with_overrides(**store)
    other = make_app(**store)
    return app, other, boto3.client("s3", endpoint_url=s3_endpoint), bucket


def test_patches_alternate_between_processes_and_the_other_one_finishes(hosts, token, own_parcels):
    first, second, s3, bucket = hosts
    data = (bytes(range(256)) * 40)[:9000]
    one, two = first.test_client(), second.test_client()
    rec = record(own_parcels[0], photos=photo_refs(data, data))
    push(one, token, [rec])
    location = create_upload(one, token, data).headers["Location"]
    for i, (client, start) in enumerate(((two, 0), (one, 3000), (two, 6000))):
        response = patch(client, token, location, data[start:start + 3000], start)
        assert response.status_code == 204, response.get_data(as_text=True)
        assert response.headers["Upload-Offset"] == str(min(start + 3000, len(data)))
        if i < 2:  # the other process sees the same offset
            other = one if client is two else two
            head = other.head(location, headers={**TUS, **bearer(token)})
            assert head.headers["Upload-Offset"] == str(start + 3000)
    held = two.head(f"/api/v1/photos/{sha256_hex(data)}", headers=bearer(token))
    assert held.status_code == 200, held.get_data(as_text=True)
    with first.app_context():
        assert db.session.scalar(select(Inspection.status)) == "complete"
    stored = s3.get_object(Bucket=bucket, Key=f"county/{original_key(sha256_hex(data))}")
    assert hashlib.sha256(stored["Body"].read()).hexdigest() == sha256_hex(data)
    assert not s3.list_objects_v2(Bucket=bucket, Prefix="county/uploads/").get("KeyCount")


def test_a_wrong_offset_gets_the_stores_and_a_bad_whole_is_discarded(hosts, token):
    first, second, s3, bucket = hosts
    data = b"x" * 5000
    one, two = first.test_client(), second.test_client()
    location = create_upload(one, token, data, sha256="0" * 64).headers["Location"]
    assert patch(one, token, location, data[:2000], 0).status_code == 204
    response = patch(two, token, location, data[2000:], 1000)
    assert response.status_code == 409 and two.head(location, headers={**TUS, **bearer(token)}).headers[
        "Upload-Offset"] == "2000"
    finished = patch(two, token, location, data[2000:], 2000)
    assert finished.get_json()["error"]["code"] == "checksum_mismatch"
    assert not s3.list_objects_v2(Bucket=bucket, Prefix="county/uploads/").get("KeyCount")


def test_the_expiry_job_drops_stale_partials_in_the_store(hosts, token):
    first, _, s3, bucket = hosts
    data = b"y" * 3000
    one = first.test_client()
    location = create_upload(one, token, data).headers["Location"]
    assert patch(one, token, location, data[:1000], 0).status_code == 204
    with first.app_context():
        assert uploads.expire_stale_uploads(now=utcnow() + timedelta(days=30)) == 1
    assert not s3.list_objects_v2(Bucket=bucket, Prefix="county/uploads/").get("KeyCount")



def test_an_upload_whose_bytes_are_all_there_is_finished_reading_its_offset_once(hosts, token, monkeypatch):
    """The server died between the last chunk and the store: HEAD, or else the expiry job, finishes it, and
    reads the offset (a listing of the upload's chunks) once, not once to decide and once under the lock."""
    first, _, s3, bucket = hosts
    one = first.test_client()
    datas = [b"a" * 3000, b"b" * 3000]
    locations = [create_upload(one, token, data).headers["Location"] for data in datas]
    for location, data in zip(locations, datas):
        s3.put_object(Bucket=bucket, Key=f"county/uploads/{location.rsplit('/', 1)[1]}/{0:012d}", Body=data)
    reads = []
    offset = S3Partials.offset
    monkeypatch.setattr(S3Partials, "offset", lambda self, upload_id: reads.append(upload_id) or offset(self, upload_id))
    head = one.head(locations[0], headers={**TUS, **bearer(token)})
    assert head.headers["Upload-Offset"] == "3000" and len(reads) == 1
    with first.app_context():
        assert uploads.expire_stale_uploads() == 0
    assert len(reads) == 2
    for data in datas:
        assert one.head(f"/api/v1/photos/{sha256_hex(data)}", headers=bearer(token)).status_code == 200
    assert not s3.list_objects_v2(Bucket=bucket, Prefix="county/uploads/").get("KeyCount")
