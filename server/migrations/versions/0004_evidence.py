"""evidence

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:08:59.109331
"""
from alembic import op
import sqlalchemy as sa
import server.db_types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('photo_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('inspection_photo_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('message_zh', sa.String(length=500), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_photo_findings_inspection_id_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspection_photo_id'], ['inspection_photos.id'], name=op.f('fk_photo_findings_inspection_photo_id_inspection_photos'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_findings'))
    )
    with op.batch_alter_table('photo_findings', schema=None) as batch_op:
        batch_op.create_index('ix_photo_findings_code_severity', ['code', 'severity'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_findings_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index('ix_photo_findings_inspection_photo_seq', ['inspection_photo_id', 'seq'], unique=True)

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_level', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('evidence_assessed_at', server.db_types.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_inspections_evidence_level'), ['evidence_level'], unique=False)

    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('metadata', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('decode_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('gps_lat', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('gps_lon', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('captured_at', server.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('phash', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('phash_q0', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phash_q1', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phash_q2', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phash_q3', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_photos_phash_q0'), ['phash_q0'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_phash_q1'), ['phash_q1'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_phash_q2'), ['phash_q2'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_phash_q3'), ['phash_q3'], unique=False)


def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photos_phash_q3'))
        batch_op.drop_index(batch_op.f('ix_photos_phash_q2'))
        batch_op.drop_index(batch_op.f('ix_photos_phash_q1'))
        batch_op.drop_index(batch_op.f('ix_photos_phash_q0'))
        batch_op.drop_column('phash_q3')
        batch_op.drop_column('phash_q2')
        batch_op.drop_column('phash_q1')
        batch_op.drop_column('phash_q0')
        batch_op.drop_column('phash')
        batch_op.drop_column('captured_at')
        batch_op.drop_column('gps_lon')
        batch_op.drop_column('gps_lat')
        batch_op.drop_column('decode_status')
        batch_op.drop_column('metadata')

    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspections_evidence_level'))
        batch_op.drop_column('evidence_assessed_at')
        batch_op.drop_column('evidence_level')

    with op.batch_alter_table('photo_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_photo_findings_inspection_photo_seq')
        batch_op.drop_index(batch_op.f('ix_photo_findings_inspection_id'))
        batch_op.drop_index('ix_photo_findings_code_severity')

    op.drop_table('photo_findings')
