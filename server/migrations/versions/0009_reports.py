"""reports: compensation reports and township sign-offs; the parcels' 三调 land-class area (TBDLMJ)

Revision ID: 0009
Revises: 0005
Create Date: 2026-11-27 10:49:10.717409
"""
from alembic import op
import sqlalchemy as sa
import server.db_types


revision = '0009'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('land_class_area_m2', sa.Float(), nullable=True))

    op.create_table('compensation_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('period_kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('snapshot_hash', sa.String(length=64), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('base_fen', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('deduction_fen', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('net_fen', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('issued_at', server.db_types.UTCDateTime(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('finalised_at', server.db_types.UTCDateTime(), nullable=True),
    sa.Column('finalised_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_compensation_reports_county_id_counties')),
    sa.ForeignKeyConstraint(['finalised_by_id'], ['users.id'], name=op.f('fk_compensation_reports_finalised_by_id_users')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_compensation_reports_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compensation_reports')),
    sa.UniqueConstraint('county_id', 'period_kind', 'period_start', 'version', name='uq_compensation_reports_version')
    )
    with op.batch_alter_table('compensation_reports', schema=None) as batch_op:
        batch_op.create_index('ix_compensation_reports_period', ['county_id', 'period_kind', 'period_start'], unique=False)

    op.create_table('report_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', server.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_report_signoffs_actor_id_users')),
    sa.ForeignKeyConstraint(['report_id'], ['compensation_reports.id'], name=op.f('fk_report_signoffs_report_id_compensation_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_report_signoffs_township_id_townships')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_signoffs')),
    sa.UniqueConstraint('report_id', 'township_id', name=op.f('uq_report_signoffs_report_id_township_id'))
    )


def downgrade():
    op.drop_table('report_signoffs')
    with op.batch_alter_table('compensation_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_compensation_reports_period')

    op.drop_table('compensation_reports')
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_column('land_class_area_m2')
