"""Photo upload over tus 1.0, resuming from the server's offset; the upload URL is checkpointed in the
outbox before any byte is sent, so a killed device resumes the same upload instead of starting over.

A photo counts as sent only when `HEAD /photos/<sha256>` says the server holds it: an upload with all its
bytes is not yet a stored photo (the server may have died between the two)."""

from __future__ import annotations

import base64
import hashlib

from sync.outbox import Outbox
from sync.transport import SyncError, Transport

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK_BYTES = 512 * 1024


def upload_photo(transport: Transport, outbox: Outbox, sha256: str, size: int, url: str | None,
                 chunk_bytes: int = CHUNK_BYTES) -> None:
    if _arrived(transport, outbox, sha256):  # another record's, or a finished upload whose answer was lost
        return
    offset = _offset(transport, url) if url else None
    if offset is None:
        url, offset = _create(transport, sha256, size), 0
        outbox.set_upload_url(sha256, url)
    with outbox.photo_path(sha256).open("rb") as photo:
        while offset < size:
            photo.seek(offset)
            chunk = photo.read(chunk_bytes)
            checksum = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
            response = transport.request("PATCH", url, ok=(204,), data=chunk, headers={
                **TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
                "Upload-Checksum": f"sha256 {checksum}"})
            if response.status_code == 204:
                offset = int(response.headers["Upload-Offset"])
            elif response.status_code in (404, 409, 410, 460):
                # Finished meanwhile, gone, or the server holds other bytes than we think: ask again.
                if _arrived(transport, outbox, sha256):
                    return
                offset = _offset(transport, url)
                if offset is None:
                    outbox.set_upload_url(sha256, None)
                    raise SyncError(f"upload of {sha256[:12]} was lost on the server; it restarts on the next sync")
            else:
                raise SyncError(f"upload of {sha256[:12]}: HTTP {response.status_code} {response.text[:200]}")
    if not _arrived(transport, outbox, sha256):
        # Every byte is there but the photo is not stored: a PATCH at the end asks the server to finish it.
        transport.request("PATCH", url, ok=(204,), data=b"", headers={
            **TUS, "Upload-Offset": str(size), "Content-Type": "application/offset+octet-stream"})
        if not _arrived(transport, outbox, sha256):
            raise SyncError(f"upload of {sha256[:12]} has all its bytes but is not stored yet; it is retried on the next sync")


def _arrived(transport: Transport, outbox: Outbox, sha256: str) -> bool:
    if transport.request("HEAD", f"/photos/{sha256}", ok=(200, 404)).status_code != 200:
        return False
    outbox.mark_uploaded(sha256)
    return True


def _offset(transport: Transport, url: str) -> int | None:
    response = transport.request("HEAD", url, ok=(200,), headers=TUS)
    return int(response.headers["Upload-Offset"]) if response.status_code == 200 else None


def _create(transport: Transport, sha256: str, size: int) -> str:
    metadata = f"sha256 {base64.b64encode(sha256.encode()).decode()}"
    response = transport.request("POST", "/uploads", ok=(201,), headers={
        **TUS, "Upload-Length": str(size), "Upload-Metadata": metadata})
    if response.status_code != 201:
        raise SyncError(f"could not create the upload of {sha256[:12]}: HTTP {response.status_code} {response.text[:200]}")
    return response.headers["Location"]
