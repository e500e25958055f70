"""sync under crashes and races: an inspection's completion error, and reviewers' resolution of conflicts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:50:00
"""
from alembic import op
import sqlalchemy as sa
import server.db_types


revision = '0006'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completion_error', sa.String(length=500), nullable=True))

    with op.batch_alter_table('inspection_conflicts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolution', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', server.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolution_reason', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_inspection_conflicts_resolved_by_id_users'), 'users',
                                    ['resolved_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('inspection_conflicts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_inspection_conflicts_resolved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('resolution_reason')
        batch_op.drop_column('resolved_by_id')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('resolution')

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_column('completion_error')
