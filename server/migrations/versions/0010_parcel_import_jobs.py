"""parcel import jobs: uploads from the web UI imported in the background, with progress

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-27 11:00:00
"""
from alembic import op
import sqlalchemy as sa
import server.db_types


revision = '0010'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('parcel_import_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('started_at', server.db_types.UTCDateTime(), nullable=True),
    sa.Column('finished_at', server.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_parcel_import_jobs_county_id_counties')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_parcel_import_jobs_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parcel_import_jobs'))
    )
    with op.batch_alter_table('parcel_import_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parcel_import_jobs_county_id'), ['county_id'], unique=False)


def downgrade():
    with op.batch_alter_table('parcel_import_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcel_import_jobs_county_id'))
    op.drop_table('parcel_import_jobs')
