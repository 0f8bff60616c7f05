"""queues: the due index also orders by id, so a claim reads its batch straight off it

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# A claim orders by (next_attempt_at, id). Without id in the index PostgreSQL sorted every queued
# row, whole rows, for each batch of a 10,000-member notice.
INDEXES = {
    'outbox_messages': 'ix_outbox_messages_due',
    'webhook_deliveries': 'ix_webhook_deliveries_due',
}


def upgrade():
    for table, name in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, ['status', 'next_attempt_at', 'id'])


def downgrade():
    for table, name in INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, ['status', 'next_attempt_at'])
