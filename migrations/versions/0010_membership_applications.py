"""membership_applications: what /join typed for an existing address, held until confirmed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('membership_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('organization_code', sa.String(length=6), nullable=True),
    sa.Column('organization_name', sa.String(length=100), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('theme_interests', sa.JSON(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('listed_publicly', sa.Boolean(), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_applications'))
    )
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_applications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_applications_email'), ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('membership_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_applications_email'))
        batch_op.drop_index(batch_op.f('ix_membership_applications_created_at'))

    op.drop_table('membership_applications')
