"""calendar: sequences, join links, feed tokens, invites in the outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows get defaults on the server side; the models set them for new rows.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("all_day", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_nonce", sa.String(length=32), nullable=True))

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_method", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("calendar_body", sa.Text(), nullable=True))

    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("join_nonce", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("join_count", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_joined_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("calendar_sequence", sa.Integer(), nullable=True))

    # Every existing registration gets its own random join-link nonce, then the column is required.
    connection = op.get_bind()
    registrations = sa.table("registrations", sa.column("id"), sa.column("join_nonce"))
    for (row_id,) in connection.execute(sa.select(registrations.c.id)).all():
        connection.execute(
            registrations.update()
            .where(registrations.c.id == row_id)
            .values(join_nonce=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.alter_column("join_nonce", existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("calendar_sequence")
        batch_op.drop_column("last_joined_at")
        batch_op.drop_column("join_count")
        batch_op.drop_column("join_nonce")

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("calendar_body")
        batch_op.drop_column("calendar_method")

    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("feed_nonce")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("sequence")
        batch_op.drop_column("all_day")
