"""Content-addressed photo storage on local disk or S3-compatible object storage.

Originals are keyed by SHA-256, so storing is idempotent: a retried upload finds its key and
writes nothing. Local writes are crash-safe (temp file in the same directory, fsync, rename,
fsync the directory): after put() returns, the photo survives a power cut.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlparse

import boto3
from botocore.exceptions import ClientError

Source = bytes | str | os.PathLike[str] | BinaryIO


def original_key(sha256: str) -> str:
    """Two levels of fan-out keep directories small on disk and S3 listings cheap."""
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def derived_key(sha256: str, name: str) -> str:
    return f"derived/{sha256}/{name}.jpg"


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad storage key: {key!r}")
    return key


class PhotoStore(ABC):
    """The interface the server uses; keys come from original_key / derived_key."""

    @abstractmethod
    def put(self, key: str, source: Source) -> bool:
        """Store source under key unless the key exists; True if this call wrote it."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A readable binary stream; the caller closes it. Raises KeyError if absent."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove key; deleting a missing key is not an error."""

    @abstractmethod
    def url(self, key: str, expires_s: int = 3600) -> str:
        """Where a client can fetch the object: a file:// URL or a presigned HTTP URL."""

    def get(self, key: str) -> bytes:
        with self.open(key) as stream:
            return stream.read()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalDiskStore(PhotoStore):
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def _make_parents(self, directory: Path) -> None:
        """Create missing directories and fsync each new entry's parent, so the path survives."""
        missing = []
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for new_dir in reversed(missing):
            new_dir.mkdir(mode=0o700, exist_ok=True)  # photos carry GPS: for the server's user only
            _fsync_dir(new_dir.parent)

    def put(self, key: str, source: Source) -> bool:
        target = self.path(key)
        if target.exists():
            return False
        self._make_parents(target.parent)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                if isinstance(source, (bytes, bytearray, memoryview)):
                    tmp.write(source)
                elif isinstance(source, (str, os.PathLike)):
                    with open(source, "rb") as src:
                        shutil.copyfileobj(src, tmp, 1 << 20)
                else:
                    shutil.copyfileobj(source, tmp, 1 << 20)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return True

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise KeyError(key) from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        target = self.path(key)
        try:
            target.unlink()
        except FileNotFoundError:
            return
        _fsync_dir(target.parent)

    def url(self, key: str, expires_s: int = 3600) -> str:
        return self.path(key).as_uri()


class S3Store(PhotoStore):
    """Any S3-compatible store (AWS, MinIO, Ceph, OSS/COS in S3 mode) through boto3."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client=None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url)

    def _key(self, key: str) -> str:
        _check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, source: Source) -> bool:
        if self.exists(key):
            return False
        object_key = self._key(key)
        if isinstance(source, (bytes, bytearray, memoryview)):
            self.client.put_object(Bucket=self.bucket, Key=object_key, Body=bytes(source))
        elif isinstance(source, (str, os.PathLike)):
            self.client.upload_file(os.fspath(source), self.bucket, object_key)
        else:
            self.client.upload_fileobj(source, self.bucket, object_key)
        return True

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                raise KeyError(key) from None
            raise

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def url(self, key: str, expires_s: int = 3600) -> str:
        return self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._key(key)}, ExpiresIn=expires_s
        )


def open_store(url: str, endpoint_url: str | None = None) -> PhotoStore:
    """A store from configuration: a path, file:///path, or s3://bucket/prefix."""
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ValueError(f"s3 URL without a bucket: {url!r}")
        return S3Store(parsed.netloc, parsed.path, endpoint_url=endpoint_url)
    if parsed.scheme == "file":
        return LocalDiskStore(unquote(parsed.path))
    if parsed.scheme == "" or len(parsed.scheme) == 1:  # plain path (or a Windows drive letter)
        return LocalDiskStore(url)
    raise ValueError(f"unsupported store URL: {url!r}")
