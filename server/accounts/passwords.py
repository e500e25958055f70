"""Password hashing with werkzeug's scrypt (memory-hard, no extra native dependency)."""

import secrets
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Checked against when the user name is unknown, so that it costs the same scrypt as a known name."""
    return hash_password(secrets.token_hex(16))


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
