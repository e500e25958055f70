"""photos: drop uploaded_by_device_id, superseded by photo_uploads (every device that sent the bytes)

Revision ID: 0016
Revises: 0013
Create Date: 2026-11-27 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_constraint('fk_photos_uploaded_by_device_id_devices', type_='foreignkey')
        batch_op.drop_column('uploaded_by_device_id')


def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uploaded_by_device_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_photos_uploaded_by_device_id_devices', 'devices',
                                    ['uploaded_by_device_id'], ['id'])
    # The first device that sent each photo, as the column recorded before it was dropped.
    op.execute("UPDATE photos SET uploaded_by_device_id = (SELECT device_id FROM photo_uploads "
               "WHERE photo_uploads.sha256 = photos.sha256 ORDER BY uploaded_at, device_id LIMIT 1)")
