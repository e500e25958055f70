"""farmpatrol server: the Flask application factory."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from server.config import Config
from server.security.files import private_dir, private_sqlite_files

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(config: Config | None = None) -> Flask:
    """Build the app from a `Config` (the environment's when none is given). Nothing heavy happens here."""
    config = config or Config.from_env()
    app = Flask(__name__, instance_path=str(config.instance_path))
    apply_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_security(app)
    return app


def apply_config(app: Flask, config: Config) -> None:
    private_dir(config.instance_path)
    app.config.update(
        FARMPATROL=config,
        SECRET_KEY=config.secret_key,
        SQLALCHEMY_DATABASE_URI=config.database_url,
        SQLALCHEMY_ECHO=config.sql_echo,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(config),
        MAX_CONTENT_LENGTH=config.max_request_bytes,
        TESTING=config.testing,
        JSON_AS_ASCII=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.json.ensure_ascii = False


def _engine_options(config: Config) -> dict:
    if config.is_sqlite:
        # Several threads of one process share the file; WAL plus a busy timeout lets them wait, not fail.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def register_extensions(app: Flask) -> None:
    from server.extensions import db, migrate
    from server import models  # noqa: F401  (registers every table on the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)


def register_blueprints(app: Flask) -> None:
    from server.api import api_v1
    from server.web import web

    app.register_blueprint(api_v1)
    app.register_blueprint(web)
    from server.phone import phone

    app.register_blueprint(phone)
    from server.ops import health, request_log

    app.register_blueprint(health.bp, url_prefix="/api/v1")
    request_log.init_app(app)


def register_security(app: Flask) -> None:
    """Issue 11: strict input, headers and cookies, sign-in limits (docs/security.md)."""
    from server.accounts import throttle
    from server.evidence.decode import configure_limits
    from server.security import register

    register(app)
    throttle.init_app(app)
    config = app.config["FARMPATROL"]
    configure_limits(config.photo_max_pixels, config.photo_max_concurrent_decodes)


def register_commands(app: Flask) -> None:
    from server.cli import register_commands as register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from server.errors import register_error_handlers as register

    register(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL for concurrent readers during writes, and foreign keys, which SQLite leaves off by default."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        private_sqlite_files(dbapi_connection)
