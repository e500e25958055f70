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
    push_max_records: int = 200
    pull_max_limit: int = 1000
    upload_expiry_s: int = 24 * 3600
    photo_arrival_deadline_s: int = 7 * 24 * 3600
    default_county_timezone: str = "Asia/Shanghai"
    # Patrol tasks: created this many days before their period opens, so phones have them offline.
    patrol_generation_lead_days: int = 3
    # After downtime, generation fills in missed periods this far back, no further.
    patrol_catch_up_max_days: int = 92
    # The scheduler lease: held for ttl, renewed every renew interval; a dead holder is replaced after ttl.
    scheduler_lease_ttl_s: int = 60
    scheduler_lease_renew_s: int = 15
    # Photo evidence (DOMAIN.md §5: no official tolerance, so a county setting): a photo point within pass_m of
    # its parcel passes, within warn_m warns, else fails; pHashes within this many of 64 bits are near duplicates.
    evidence_geofence_pass_m: float = 15.0
    evidence_geofence_warn_m: float = 50.0
    evidence_near_duplicate_max_bits: int = 8
    # Compensation reports: the CJK TrueType font embedded in PDFs (Debian fonts-wqy-microhei, installed by
    # scripts/_fonts.sh).
    report_font_path: str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    testing: bool = False
    sql_echo: bool = False
    # Web UI maps: a basemap tile URL template ({z}/{x}/{y}), off by default (parcels draw without one). It must
    # serve WGS84/CGCS2000-aligned tiles such as 天地图 (with its key in the URL); GCJ-02 tiles (高德, 腾讯) sit
    # hundreds of metres off the parcels.
    web_basemap_tile_url: str = ""
    web_basemap_attribution: str = ""
    # A 三调 file uploaded on /admin/parcels (a county's DLTB layer runs to hundreds of MB); other requests keep
    # max_request_bytes.
    parcel_upload_max_bytes: int = 2 * 1024 * 1024 * 1024
    # `farmpatrol demo`: real photos for the demo history (copied into the photo store); missing means fewer photos.
    demo_photos_dir: Path = field(default_factory=lambda: Path(__file__).resolve().parents[2] / "shared" / "photos")
    # --- security hardening (issue 11) ---
    parcel_max_vertices: int = 20_000
    # Parcel imports read and write this many features at a time: memory follows it, not the file's size.
    parcel_import_batch: int = 5000
    # Sign-in limits (flask-limiter notation): per client address, and failed attempts per user name (lockout).
    login_limit_per_address: str = "30 per minute"
    login_limit_per_user: str = "5 per 15 minutes"
    login_limit_storage_uri: str = "memory://"   # redis://127.0.0.1:6379 when several processes serve
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto (0 = none, headers ignored).
    trusted_proxy_count: int = 0
    # Session cookies are Secure on https requests always; True makes them Secure on plain http too.
    session_cookie_secure: bool = False
    # Photo decoding: pixels above this are refused undecoded; at most this many decodes at once per process.
    photo_max_pixels: int = 50_000_000
    photo_max_concurrent_decodes: int = 2
    # Quotas: unfinished uploads a device may hold open (count and bytes; beyond, its oldest are dropped);
    # photos no inspection cites are deleted this long after they arrived.
    max_open_uploads_per_device: int = 20
    max_open_upload_bytes_per_device: int = 200 * 1024 * 1024
    orphan_photo_max_age_s: int = 14 * 24 * 3600

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
        if min(self.push_max_records, self.pull_max_limit, self.upload_expiry_s, self.photo_arrival_deadline_s) <= 0:
            raise ConfigError("sync limits and deadlines must be positive")
        if self.patrol_generation_lead_days < 0 or self.patrol_catch_up_max_days < 0:
            raise ConfigError("PATROL_GENERATION_LEAD_DAYS and PATROL_CATCH_UP_MAX_DAYS must not be negative")
        if not 0 < self.scheduler_lease_renew_s < self.scheduler_lease_ttl_s:
            raise ConfigError("need 0 < SCHEDULER_LEASE_RENEW_S < SCHEDULER_LEASE_TTL_S")
        if not 0 <= self.evidence_geofence_pass_m <= self.evidence_geofence_warn_m:
            raise ConfigError("need 0 <= EVIDENCE_GEOFENCE_PASS_M <= EVIDENCE_GEOFENCE_WARN_M")
        if not 0 <= self.evidence_near_duplicate_max_bits <= 15:
            # Near-duplicate look-up probes 16-bit quarters within max_bits // 4 bits: beyond 15 it scans too much.
            raise ConfigError("EVIDENCE_NEAR_DUPLICATE_MAX_BITS must be 0..15")
        if not 1 <= self.parcel_import_batch <= 20_000:
            raise ConfigError("PARCEL_IMPORT_BATCH must be 1..20000 (a batch's codes are one IN list)")
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise ConfigError(f"DATABASE_URL must be sqlite:// or postgresql://, got {self.database_url!r}")
        _check_security_settings(self)

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
        if "float" in type_text:
            return float(raw)
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


def _check_security_settings(config: Config) -> None:
    """The settings of issue 11 (limits, sign-in, proxies), validated like the others at start-up."""
    from limits import parse_many

    for name in ("login_limit_per_address", "login_limit_per_user"):
        try:
            parse_many(getattr(config, name))
        except ValueError as exc:
            raise ConfigError(f"{name.upper()}: {exc}") from exc
    if not config.login_limit_storage_uri.startswith(("memory://", "redis://", "rediss://", "redis+sentinel://")):
        raise ConfigError("LOGIN_LIMIT_STORAGE_URI must be memory:// or redis://…")
    if config.trusted_proxy_count < 0 or config.parcel_max_vertices <= 0:
        raise ConfigError("TRUSTED_PROXY_COUNT must not be negative and PARCEL_MAX_VERTICES must be positive")
    if config.photo_max_pixels <= 0 or config.photo_max_concurrent_decodes <= 0:
        raise ConfigError("PHOTO_MAX_PIXELS and PHOTO_MAX_CONCURRENT_DECODES must be positive")
    if min(config.max_open_uploads_per_device, config.max_open_upload_bytes_per_device,
           config.orphan_photo_max_age_s) <= 0:
        raise ConfigError("MAX_OPEN_UPLOADS_PER_DEVICE, MAX_OPEN_UPLOAD_BYTES_PER_DEVICE and "
                          "ORPHAN_PHOTO_MAX_AGE_S must be positive")
    if config.max_open_upload_bytes_per_device < config.max_photo_bytes:
        raise ConfigError("MAX_OPEN_UPLOAD_BYTES_PER_DEVICE must be at least MAX_PHOTO_BYTES")
