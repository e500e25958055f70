"""foundation: territory, accounts, parcels

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import server.db_types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.CheckConstraint('length(code) = 6', name=op.f('ck_counties_code_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counties')),
    sa.UniqueConstraint('code', name=op.f('uq_counties_code'))
    )
    op.create_table('consolidation_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_consolidation_projects_county_id_counties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consolidation_projects')),
    sa.UniqueConstraint('county_id', 'name', name=op.f('uq_consolidation_projects_county_id_name'))
    )
    with op.batch_alter_table('consolidation_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consolidation_projects_county_id'), ['county_id'], unique=False)

    op.create_table('townships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(code) = 9', name=op.f('ck_townships_code_length')),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_townships_county_id_counties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_townships')),
    sa.UniqueConstraint('code', name=op.f('uq_townships_code'))
    )
    with op.batch_alter_table('townships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_townships_county_id'), ['county_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_users_county_id_counties')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_users_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_county_id'), ['county_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_township_id'), ['township_id'], unique=False)

    op.create_table('villages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(code) = 12', name=op.f('ck_villages_code_length')),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_villages_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_villages')),
    sa.UniqueConstraint('code', name=op.f('uq_villages_code'))
    )
    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_villages_township_id'), ['township_id'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', server.db_types.UTCDateTime(), nullable=True),
    sa.Column('last_seen_at', server.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_devices_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_devices_token_hash'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_user_id'), ['user_id'], unique=False)

    op.create_table('inspector_villages',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inspector_villages_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_inspector_villages_village_id_villages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'village_id', name=op.f('pk_inspector_villages'))
    )
    op.create_table('parcels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('geometry_wkb', sa.LargeBinary(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('area_mu', sa.Float(), nullable=False),
    sa.Column('source_area_m2', sa.Float(), nullable=True),
    sa.Column('land_use_code', sa.String(length=8), nullable=True),
    sa.Column('is_permanent_basic', sa.Boolean(), nullable=False),
    sa.Column('is_high_standard', sa.Boolean(), nullable=False),
    sa.Column('is_grain_zone', sa.Boolean(), nullable=False),
    sa.Column('custodian', sa.String(length=100), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('rate_class', sa.String(length=32), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', server.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_parcels_county_id_counties')),
    sa.ForeignKeyConstraint(['project_id'], ['consolidation_projects.id'], name=op.f('fk_parcels_project_id_consolidation_projects')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_parcels_village_id_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parcels')),
    sa.UniqueConstraint('county_id', 'code', name=op.f('uq_parcels_county_id_code'))
    )
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.create_index('ix_parcels_bbox', ['min_lon', 'max_lon', 'min_lat', 'max_lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_parcels_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parcels_village_id'), ['village_id'], unique=False)



def downgrade():
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcels_village_id'))
        batch_op.drop_index(batch_op.f('ix_parcels_project_id'))
        batch_op.drop_index('ix_parcels_bbox')

    op.drop_table('parcels')
    op.drop_table('inspector_villages')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_user_id'))

    op.drop_table('devices')
    with op.batch_alter_table('villages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_villages_township_id'))

    op.drop_table('villages')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_township_id'))
        batch_op.drop_index(batch_op.f('ix_users_county_id'))

    op.drop_table('users')
    with op.batch_alter_table('townships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_townships_county_id'))

    op.drop_table('townships')
    with op.batch_alter_table('consolidation_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consolidation_projects_county_id'))

    op.drop_table('consolidation_projects')
    op.drop_table('counties')
