"""rules, cases, audit: rule configuration versions, violation cases and the audit chain

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:13:05.765178
"""
from alembic import op
import sqlalchemy as sa
import server.db_types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    op.create_table('audit_events',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('occurred_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=48), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_entity', ['entity_type', 'entity_id', 'seq'], unique=False)

    op.create_table('rule_configs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_rule_configs_county_id_counties')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rule_configs_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_configs')),
    sa.UniqueConstraint('county_id', 'version', name=op.f('uq_rule_configs_county_id_version'))
    )
    with op.batch_alter_table('rule_configs', schema=None) as batch_op:
        batch_op.create_index('ix_rule_configs_county_effective', ['county_id', 'effective_from'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.Column('problem_key', sa.String(length=32), nullable=False),
    sa.Column('open_key', sa.String(length=48), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('area_mu', sa.Float(), nullable=True),
    sa.Column('legal_basis', sa.String(length=300), nullable=False),
    sa.Column('message_zh', sa.String(length=500), nullable=False),
    sa.Column('rule_config_id', sa.Integer(), nullable=True),
    sa.Column('first_observed_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('last_observed_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('deadline_at', server.db_types.UTCDateTime(), nullable=True),
    sa.Column('recheck_task_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', server.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_cases_parcel_id_parcels')),
    sa.ForeignKeyConstraint(['recheck_task_id'], ['patrol_tasks.id'], name=op.f('fk_cases_recheck_task_id_patrol_tasks')),
    sa.ForeignKeyConstraint(['rule_config_id'], ['rule_configs.id'], name=op.f('fk_cases_rule_config_id_rule_configs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('open_key', name=op.f('uq_cases_open_key'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_parcel_id'), ['parcel_id'], unique=False)
        batch_op.create_index('ix_cases_status_deadline', ['status', 'deadline_at'], unique=False)

    op.create_table('case_inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('linked_at', server.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_inspections_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_case_inspections_inspection_id_inspections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_inspections')),
    sa.UniqueConstraint('case_id', 'inspection_id', 'role', name=op.f('uq_case_inspections_case_id_inspection_id_role'))
    )
    with op.batch_alter_table('case_inspections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_inspections_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('case_observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('area_mu', sa.Float(), nullable=True),
    sa.Column('legal_basis', sa.String(length=300), nullable=False),
    sa.Column('message_zh', sa.String(length=500), nullable=False),
    sa.Column('evidence_level', sa.String(length=16), nullable=True),
    sa.Column('observed_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_observations_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_case_observations_inspection_id_inspections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_observations')),
    sa.UniqueConstraint('case_id', 'inspection_id', 'code', name=op.f('uq_case_observations_case_id_inspection_id_code'))
    )
    with op.batch_alter_table('case_observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_observations_inspection_id'), ['inspection_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_observations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_observations_inspection_id'))

    op.drop_table('case_observations')
    with op.batch_alter_table('case_inspections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_inspections_inspection_id'))

    op.drop_table('case_inspections')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_status_deadline')
        batch_op.drop_index(batch_op.f('ix_cases_parcel_id'))

    op.drop_table('cases')
    with op.batch_alter_table('rule_configs', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_configs_county_effective')

    op.drop_table('rule_configs')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_entity')

    op.drop_table('audit_events')
    op.drop_table('audit_chain_head')
