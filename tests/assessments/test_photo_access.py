"""Photo files for reviewers: EXIF-free thumbnail and review image (made on first request), the original
byte-identical, all only inside the caller's territory; and the same flow on S3-compatible storage."""

from __future__ import annotations

import io

import boto3
from PIL import Image

from server.evidence import derived_key, original_key
from server.photos import service as photos
from tests.assessments.conftest import field_photo, inspection, site, submit
from tests.assessments.test_assessment_flow import evidence, login
from tests.sync.fixtures import parcel_codes
from tests.sync.helpers import bearer, sha256_hex, upload


def get(client, sha256: str, size: str, **kwargs):
    """The response, read and closed (the original is streamed from an open file)."""
    with client.get(f"/api/v1/photos/{sha256}/{size}", **kwargs) as response:
        response.get_data()
        return response


def test_review_image_is_made_on_first_request_without_exif(client, token, sites, shared_photos):
    original = (shared_photos / "gps_galaxy_s7edge_12mp.jpg").read_bytes()
    sha = sha256_hex(original)
    submit(client, token, sites[0], original, field_photo(sites[0].centre, seed=2))
    store = photos.photo_store()
    assert store.exists(derived_key(sha, "thumb")) and not store.exists(derived_key(sha, "review"))
    login(client, "reviewer101")
    for size, long_side in (("thumb", 320), ("review", 1600)):
        response = get(client, sha, size)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert "immutable" in response.headers["Cache-Control"]
        image = Image.open(io.BytesIO(response.data))
        assert max(image.size) == long_side and "exif" not in image.info and not image.getexif()
    assert store.get(derived_key(sha, "review")) == get(client, sha, "review").data  # kept, served again
    response = get(client, sha, "original")
    assert response.data == original and response.headers["Content-Length"] == str(len(original))


def test_photos_outside_the_callers_territory_are_not_found(client, token, sites, sync_demo):
    blob = field_photo(sites[0].centre, seed=1)
    uuid = submit(client, token, sites[0], blob, field_photo(sites[0].centre, seed=2))
    sha = sha256_hex(blob)
    login(client, "reviewer102")  # the other township
    assert client.get(f"/api/v1/inspections/{uuid}/evidence").status_code == 404
    for size in ("thumb", "review", "original"):
        response = get(client, sha, size)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    other_inspector = bearer(sync_demo.device_tokens["inspector102201"])
    assert get(client, sha, "thumb", headers=other_inspector).status_code == 404
    assert get(client, sha, "thumb", headers=bearer(token)).status_code == 200  # the inspector's own village
    login(client, "admin")
    assert get(client, sha, "original").data == blob
    client.post("/api/v1/auth/logout")
    assert get(client, sha, "thumb").status_code == 401


def test_an_undecodable_photo_has_no_preview_but_its_original(client, token, sites):
    submit(client, token, sites[0], b"not a photo", field_photo(sites[0].centre, seed=2))
    login(client, "reviewer101")
    sha = sha256_hex(b"not a photo")
    assert get(client, sha, "review").status_code == 404
    assert get(client, sha, "original").data == b"not a photo"


def test_the_flow_on_s3_storage(client, token, sites, app, s3_endpoint):
    bucket = f"evidence-{id(app)}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    app.config["FARMPATROL"] = app.config["FARMPATROL"].with_overrides(
        photo_store=f"s3://{bucket}/county", photo_store_endpoint_url=s3_endpoint)
    blob = field_photo(sites[0].centre, seed=1)
    uuid = submit(client, token, sites[0], blob, field_photo(sites[0].centre, seed=2))
    assert inspection(uuid).evidence_level == "trusted"
    assert evidence(client, uuid)["photos"][0]["metadata"]["gps"] is not None
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    assert s3.get_object(Bucket=bucket, Key=f"county/{original_key(sha256_hex(blob))}")["Body"].read() == blob
    review = get(client, sha256_hex(blob), "review")
    assert review.status_code == 200 and "exif" not in Image.open(io.BytesIO(review.data)).info
    assert get(client, sha256_hex(blob), "original").data == blob


def test_citing_a_known_hash_does_not_open_someone_elses_photo(client, token, sites, sync_demo):
    """Another village's inspector who learnt a photo's hash pushes it as their own: the server does not attach
    the stored photo (the inspection waits for that device to send the bytes), and serves its bytes neither to
    that inspector nor to their reviewer; once the device really sends them, the reviewer judges the reuse."""
    blob = field_photo(sites[0].centre, seed=3)
    submit(client, token, sites[0], blob, field_photo(sites[0].centre, seed=4))
    sha = sha256_hex(blob)
    thief = sync_demo.device_tokens["inspector102201"]
    foreign = site(parcel_codes("330481102201")[0])
    own = field_photo(foreign.centre, seed=5)
    uuid = submit(client, thief, foreign, blob, own, upload_all=False)
    upload(client, thief, own)
    assert inspection(uuid).status == "awaiting_photos"
    for size in ("thumb", "original"):
        assert get(client, sha, size, headers=bearer(thief)).status_code == 404
    assert get(client, sha, "original", headers=bearer(token)).status_code == 200
    login(client, "reviewer102")
    assert get(client, sha, "original").status_code == 404
    upload(client, thief, blob)
    assert inspection(uuid).status == "complete"
    assert get(client, sha, "original").data == blob
