"""All configuration, read from the environment once, with safe defaults.

Units are in the names (`_s`, `_bytes`, `_mu`). `Config.from_env()` is the only place that reads
`os.environ`; tests build a `Config` with overrides instead of patching the environment.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path


class ConfigError(ValueError):
    """A setting is present but unusable; raised at start-up, never later."""


def _default_instance_path() -> Path:
    return Path(os.environ.get("FARMPATROL_INSTANCE", Path.cwd() / "instance")).resolve()


@dataclass(frozen=True)
class Config:
    instance_path: Path = field(default_factory=_default_instance_path)
    database_url: str = ""
    photo_store: str = ""
    photo_store_endpoint_url: str | None = None
    secret_key: str = ""
    max_request_bytes: int = 32 * 1024 * 1024
    max_photo_bytes: int = 25 * 1024 * 1024
    default_county_timezone: str = "Asia/Shanghai"
    testing: bool = False
    sql_echo: bool = False

    def __post_init__(self) -> None:
        instance = Path(self.instance_path)
        object.__setattr__(self, "instance_path", instance)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{instance / 'farmpatrol.db'}")
        if not self.photo_store:
            object.__setattr__(self, "photo_store", str(instance / "photos"))
        if not self.secret_key:
            object.__setattr__(self, "secret_key", _persistent_secret(instance))
        if self.max_request_bytes <= 0 or self.max_photo_bytes <= 0:
            raise ConfigError("size limits must be positive")
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise ConfigError(f"DATABASE_URL must be sqlite:// or postgresql://, got {self.database_url!r}")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Config":
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = env.get(_ENV_NAMES.get(f.name, f.name.upper()))
            if raw is None:
                continue
            values[f.name] = _parse(f.name, raw, f.type)
        values.update(overrides)
        return cls(**values)

    def with_overrides(self, **overrides) -> "Config":
        return replace(self, **overrides)


_ENV_NAMES = {
    "instance_path": "FARMPATROL_INSTANCE",
    "secret_key": "FARMPATROL_SECRET_KEY",
    "testing": "FARMPATROL_TESTING",
    "sql_echo": "FARMPATROL_SQL_ECHO",
}


def _parse(name: str, raw: str, type_name) -> object:
    type_text = str(type_name)
    try:
        if "bool" in type_text:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if "int" in type_text:
            return int(raw)
        if "Path" in type_text:
            return Path(raw)
    except ValueError as exc:
        raise ConfigError(f"{_ENV_NAMES.get(name, name.upper())}={raw!r}: {exc}") from exc
    return normalise_database_url(raw) if name == "database_url" else raw


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _persistent_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive restarts without a default secret."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
