"""county scale: one audit chain per county; the entries so far stay as chain 0

Revision ID: 0013
Revises: 0007
Create Date: 2026-11-27 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.alter_column('id', new_column_name='chain_id', existing_type=sa.Integer(), existing_nullable=False)
    op.execute("UPDATE audit_chain_head SET chain_id = 0")  # the one global chain so far

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_id', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.drop_constraint('pk_audit_events', type_='primary')
        batch_op.create_primary_key('pk_audit_events', ['chain_id', 'seq'])
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('chain_id', server_default=None, existing_type=sa.Integer(), existing_nullable=False)


def downgrade():
    # Only a database whose entries are all in chain 0 goes back to one global chain.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint('pk_audit_events', type_='primary')
        batch_op.create_primary_key('pk_audit_events', ['seq'])
        batch_op.drop_column('chain_id')
    op.execute("UPDATE audit_chain_head SET chain_id = 1")
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.alter_column('chain_id', new_column_name='id', existing_type=sa.Integer(), existing_nullable=False)
