"""patrol plans, tasks, scheduler lease and job runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import server.db_types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=100), nullable=False),
    sa.Column('scheduled_for', server.db_types.UTCDateTime(), nullable=True),
    sa.Column('started_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('finished_at', server.db_types.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('holder', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_started', ['job_id', 'started_at'], unique=False)

    op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', server.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases'))
    )
    op.create_table('patrol_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('land_class', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('schedule', sa.JSON(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['counties.id'], name=op.f('fk_patrol_plans_county_id_counties')),
    sa.ForeignKeyConstraint(['project_id'], ['consolidation_projects.id'], name=op.f('fk_patrol_plans_project_id_consolidation_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_plans')),
    sa.UniqueConstraint('county_id', 'code', name=op.f('uq_patrol_plans_county_id_code'))
    )
    with op.batch_alter_table('patrol_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_plans_county_id'), ['county_id'], unique=False)

    op.create_table('patrol_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('period_key', sa.String(length=32), nullable=False),
    sa.Column('opens_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('due_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('done_at', server.db_types.UTCDateTime(), nullable=True),
    sa.Column('created_at', server.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', server.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_patrol_tasks_inspector_id_users')),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_patrol_tasks_parcel_id_parcels')),
    sa.ForeignKeyConstraint(['plan_id'], ['patrol_plans.id'], name=op.f('fk_patrol_tasks_plan_id_patrol_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_tasks')),
    sa.UniqueConstraint('parcel_id', 'plan_id', 'period_key', name=op.f('uq_patrol_tasks_parcel_id_plan_id_period_key')),
    sa.UniqueConstraint('uuid', name=op.f('uq_patrol_tasks_uuid'))
    )
    with op.batch_alter_table('patrol_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_tasks_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_tasks_parcel_id'), ['parcel_id'], unique=False)
        batch_op.create_index('ix_patrol_tasks_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_patrol_tasks_plan_opens', ['plan_id', 'opens_at'], unique=False)



def downgrade():
    with op.batch_alter_table('patrol_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_patrol_tasks_plan_opens')
        batch_op.drop_index('ix_patrol_tasks_status_due')
        batch_op.drop_index(batch_op.f('ix_patrol_tasks_parcel_id'))
        batch_op.drop_index(batch_op.f('ix_patrol_tasks_inspector_id'))

    op.drop_table('patrol_tasks')
    with op.batch_alter_table('patrol_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_plans_county_id'))

    op.drop_table('patrol_plans')
    op.drop_table('scheduler_leases')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_job_started')

    op.drop_table('job_runs')
