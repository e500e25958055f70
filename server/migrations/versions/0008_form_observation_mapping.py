"""form observation mapping: the published farmland_patrol v1 gains the mapping the rules now read it through

Its questions and choices are unchanged (devices holding v1 go on validating and recording with it); the
definition gains `observations` and so a new content hash. Only the v1 exactly as shipped is upgraded.

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-27 10:55:00
"""
from alembic import op
import sqlalchemy as sa

from inspection_forms import load_definition


revision = '0008'
down_revision = '0005'
branch_labels = None
depends_on = None

V1_HASH = '9869daaee2df118be0a1d36ea6c5fb56154f7fea1cc6c6908e4e19a34587bc41'
V1_OBSERVATIONS = {
    'cultivation_status': 'cultivation_status', 'crops': 'crops', 'crop_other_name': 'crop_other_name',
    'nonag_present': 'has_nonag_use', 'nonag_items': 'problems', 'nonag_type': 'problem_type',
    'nonag_type_other': 'problem_type_other', 'nonag_area_mu': 'area_mu', 'nonag_note': 'problem_note',
    'weed_height_cm': 'weed_height_cm', 'idle_duration': 'idle_duration',
    'irrigation_canal': 'irrigation_canal', 'irrigation_canal_note': 'irrigation_canal_note',
    'drainage_ditch': 'drainage_ditch', 'drainage_ditch_note': 'drainage_ditch_note',
    'farm_road': 'farm_road', 'farm_road_note': 'farm_road_note',
    'field_ridge': 'field_ridge', 'field_ridge_note': 'field_ridge_note',
}

form_versions = sa.table('form_versions', sa.column('id', sa.Integer), sa.column('form_id', sa.String),
                         sa.column('version', sa.Integer), sa.column('definition', sa.JSON),
                         sa.column('content_hash', sa.String))


def _v1(conn):
    return conn.execute(sa.select(form_versions.c.id, form_versions.c.definition, form_versions.c.content_hash)
                        .where(form_versions.c.form_id == 'farmland_patrol', form_versions.c.version == 1)).first()


def upgrade():
    conn = op.get_bind()
    row = _v1(conn)
    if row is None or row.content_hash != V1_HASH:
        return
    definition = {**row.definition, 'observations': V1_OBSERVATIONS}
    conn.execute(sa.update(form_versions).where(form_versions.c.id == row.id)
                 .values(definition=definition, content_hash=load_definition(definition).content_hash()))


def downgrade():
    conn = op.get_bind()
    row = _v1(conn)
    if row is None or row.definition.get('observations') != V1_OBSERVATIONS:
        return
    definition = {k: v for k, v in row.definition.items() if k != 'observations'}
    conn.execute(sa.update(form_versions).where(form_versions.c.id == row.id)
                 .values(definition=definition, content_hash=V1_HASH))
