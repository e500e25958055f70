"""Migrations are the schema: after `upgrade` the database matches the models exactly, on both databases,
and `downgrade` removes everything again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from server.extensions import db


def test_upgraded_schema_matches_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_downgrade_and_upgrade_round_trip(app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert {"parcels", "users", "devices", "villages"} <= set(inspect(db.engine).get_table_names())


def test_the_rules_revision_is_the_latest_version_already_published(app, demo):
    """0018: a county's revision starts at its latest published rule version, so no process misses one."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE counties SET rules_revision = 0"))
    downgrade(revision="0017")
    with db.engine.begin() as conn:
        county_id = conn.scalar(text("SELECT id FROM counties WHERE code = :code"), {"code": demo.county_code})
        for version in (1, 2):
            conn.execute(text("INSERT INTO rule_configs (county_id, version, effective_from, body, created_at) "
                              "VALUES (:county, :version, '2026-01-01', '{}', '2026-01-01 00:00:00')"),
                         {"county": county_id, "version": version})
    upgrade()
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT rules_revision FROM counties WHERE id = :id"), {"id": county_id}) == 2
