"""Device bearer tokens: random, shown once, stored only as a SHA-256.

A plain SHA-256 is enough here (unlike passwords): the token has 256 bits of entropy, so there is
nothing to brute-force, and a fast hash keeps per-request authentication cheap.
"""

import hashlib
import secrets

TOKEN_PREFIX = "fpd_"


def new_device_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
