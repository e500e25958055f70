"""pull at county scale: a device's open tasks found by (inspector, status), not by a year of its inspector's tasks

Revision ID: 0015
Revises: 0016
Create Date: 2026-11-27 14:00:00
"""
from alembic import op


revision = '0015'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patrol_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_tasks_inspector_status', ['inspector_id', 'status', 'id'], unique=False)
        batch_op.drop_index('ix_patrol_tasks_inspector_id')


def downgrade():
    with op.batch_alter_table('patrol_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_tasks_inspector_id', ['inspector_id'], unique=False)
        batch_op.drop_index('ix_patrol_tasks_inspector_status')
