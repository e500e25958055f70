"""The hash chain as plain functions: canonical JSON of an entry's content, and its SHA-256 with the
previous entry's hash. Verification and appending both use these, so they cannot disagree."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

GENESIS_HASH = "0" * 64


def jsonable(value):
    """The value as it will read back from a JSON column: dates become ISO strings, tuples lists."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_encode))


def canonical_json(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(content: dict, prev_hash: str) -> str:
    return hashlib.sha256(canonical_json({**content, "prev_hash": prev_hash})).hexdigest()


def _encode(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
