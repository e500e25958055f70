"""tus 1.0 header parsing and formatting, kept apart from the upload logic it serves."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from email.utils import format_datetime

from server.errors import BAD_REQUEST, ApiError
from server.sync import problems

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,checksum,termination,expiration"
CHECKSUM_ALGORITHMS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}  # tus requires sha1; we prefer sha256
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"


def parse_metadata(header: str | None) -> dict[str, str]:
    """`Upload-Metadata: key base64value,key2 base64value2`; a key may come without a value."""
    metadata: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in (header or "").split(","))):
        key, _, encoded = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ApiError(BAD_REQUEST, f"Upload-Metadata 中 {key} 的值不是有效的 base64", field="Upload-Metadata") from exc
        if "\x00" in metadata[key]:  # PostgreSQL stores no NUL in text
            raise ApiError(BAD_REQUEST, f"Upload-Metadata 中 {key} 的值含有 NUL 字符", field="Upload-Metadata")
    return metadata


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """`Upload-Checksum: sha256 <base64 digest>` → (algorithm, digest)."""
    if not header:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise ApiError(problems.CHECKSUM_UNSUPPORTED, field="Upload-Checksum")
    try:
        return algorithm, base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as exc:
        raise ApiError(BAD_REQUEST, "Upload-Checksum 的值不是有效的 base64", field="Upload-Checksum") from exc


def parse_offset(header: str | None, name: str) -> int:
    # isascii: str.isdigit() also accepts digits int() refuses, such as '²'
    if header is None or not (header.isascii() and header.isdigit()):
        raise ApiError(BAD_REQUEST, f"缺少或无效的 {name} 头(应为非负整数)", field=name)
    return int(header)


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)
