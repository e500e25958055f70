"""security: session generation on users, which devices sent each photo

Revision ID: 0007
Revises: 0009
Create Date: 2026-11-27 11:00:00
"""
from alembic import op
import sqlalchemy as sa
import server.db_types


revision = '0007'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
    op.create_table('photo_uploads',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', server.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_photo_uploads_device_id_devices')),
    sa.PrimaryKeyConstraint('sha256', 'device_id', name=op.f('pk_photo_uploads'))
    )
    with op.batch_alter_table('photo_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_uploads_device_id'), ['device_id'], unique=False)
    # Photos stored before: their first sender is the one known.
    op.execute("INSERT INTO photo_uploads (sha256, device_id, uploaded_at) SELECT sha256, uploaded_by_device_id, "
               "stored_at FROM photos WHERE uploaded_by_device_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('photo_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_uploads_device_id'))
    op.drop_table('photo_uploads')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
