import io

import pytest

from server.evidence import LocalDiskStore, S3Store, derived_key, open_store, original_key

SHA = "ab" + "cd" + "0" * 60


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalDiskStore(tmp_path / "photos")
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = request.getfixturevalue("s3_bucket")
    return open_store(f"s3://{bucket}/county-330521", endpoint_url=endpoint)


def test_keys():
    assert original_key(SHA) == f"originals/ab/cd/{SHA}"
    assert derived_key(SHA, "thumb") == f"derived/{SHA}/thumb.jpg"


def test_put_get_exists_delete(store):
    key = original_key(SHA)
    assert not store.exists(key)
    assert store.put(key, b"photo bytes") is True
    assert store.exists(key)
    assert store.get(key) == b"photo bytes"
    with store.open(key) as stream:
        assert stream.read() == b"photo bytes"
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # idempotent


def test_put_is_idempotent(store):
    key = original_key(SHA)
    assert store.put(key, b"first") is True
    assert store.put(key, b"second") is False
    assert store.get(key) == b"first"


def test_put_from_path_and_stream(store, tmp_path):
    source = tmp_path / "upload.bin"
    source.write_bytes(b"x" * 100_000)
    assert store.put("originals/aa/bb/from-path", source)
    assert store.put("originals/aa/bb/from-stream", io.BytesIO(b"y" * 10))
    assert store.get("originals/aa/bb/from-path") == b"x" * 100_000
    assert store.get("originals/aa/bb/from-stream") == b"y" * 10


def test_missing_key(store):
    with pytest.raises(KeyError):
        store.open("derived/none/thumb.jpg")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/./b", ""])
def test_bad_keys_are_rejected(store, key):
    with pytest.raises(ValueError):
        store.put(key, b"x")


def test_local_store_writes_atomically(tmp_path):
    store = LocalDiskStore(tmp_path)
    store.put(original_key(SHA), b"data")
    files = [p.name for p in (tmp_path / "originals" / "ab" / "cd").iterdir()]
    assert files == [SHA]  # no temp file left behind
    assert store.url(original_key(SHA)).startswith("file:///")


def test_s3_store_uses_prefix_and_presigns(s3_endpoint, s3_bucket):
    import boto3

    store = S3Store(s3_bucket, prefix="county/", endpoint_url=s3_endpoint)
    store.put(derived_key(SHA, "thumb"), b"jpeg")
    listed = boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(Bucket=s3_bucket)
    assert [o["Key"] for o in listed["Contents"]] == [f"county/derived/{SHA}/thumb.jpg"]
    url = store.url(derived_key(SHA, "thumb"))
    assert url.startswith(s3_endpoint) and "Signature" in url


def test_open_store_urls(tmp_path):
    assert isinstance(open_store(str(tmp_path)), LocalDiskStore)
    assert open_store(tmp_path.as_uri()).root == tmp_path.resolve()
    with pytest.raises(ValueError):
        open_store("ftp://example/photos")
