"""rules in force without a query per push: counties.rules_revision, the latest rule version published

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 21:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs, which SQLite runs in place: a batch copy would drop `counties`, which other tables reference.
    op.add_column('counties', sa.Column('rules_revision', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE counties SET rules_revision = COALESCE("
               "(SELECT MAX(version) FROM rule_configs WHERE rule_configs.county_id = counties.id), 0)")


def downgrade():
    op.drop_column('counties', 'rules_revision')
