"""task generation at province scale: drop ix_patrol_tasks_parcel_id, which the unique key (parcel, plan, period)
already serves

Revision ID: 0017
Revises: 0015
Create Date: 2026-11-27 17:00:00
"""
from alembic import op


revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patrol_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_patrol_tasks_parcel_id')


def downgrade():
    with op.batch_alter_table('patrol_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_tasks_parcel_id', ['parcel_id'], unique=False)
