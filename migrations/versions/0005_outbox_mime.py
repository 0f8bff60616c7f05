"""outbox: the whole message stored when it is queued

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Rows queued before this revision have no bytes; the worker builds theirs when it sends them.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mime', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('mime')
