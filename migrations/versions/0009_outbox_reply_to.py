"""outbox: Reply-To, so that the secretariat's reply to an inquiry goes to the person who asked

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to_addr', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('reply_to_name', sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('reply_to_name')
        batch_op.drop_column('reply_to_addr')
