"""member imports: each import of a contact list (who, when, which file, its counts), every row's
result in the preview, and the members it created or updated with the values replaced (for undo)

Revision ID: 0013_member_imports
Revises: 0012
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_member_imports'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=True),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('sheet_names', sa.JSON(), nullable=False),
    sa.Column('sheet', sa.String(length=100), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('send_invitations', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('unchanged_count', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('invited_count', sa.Integer(), nullable=False),
    sa.Column('failure', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizers.id'], name=op.f('fk_member_imports_organizer_id_organizers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['organizers.id'], name=op.f('fk_member_imports_undone_by_id_organizers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_imports'))
    )
    with op.batch_alter_table('member_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_imports_status'), ['status'], unique=False)

    op.create_table('member_import_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('previous', sa.JSON(), nullable=True),
    sa.Column('consent_method', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['member_imports.id'], name=op.f('fk_member_import_changes_import_id_member_imports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_import_changes_member_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_import_changes'))
    )
    with op.batch_alter_table('member_import_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_import_changes_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_import_changes_member_id'), ['member_id'], unique=False)

    op.create_table('member_import_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('organization', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['member_imports.id'], name=op.f('fk_member_import_rows_import_id_member_imports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_import_rows'))
    )
    with op.batch_alter_table('member_import_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_import_rows_import_id'), ['import_id'], unique=False)



def downgrade():
    with op.batch_alter_table('member_import_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_import_rows_import_id'))

    op.drop_table('member_import_rows')
    with op.batch_alter_table('member_import_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_import_changes_member_id'))
        batch_op.drop_index(batch_op.f('ix_member_import_changes_import_id'))

    op.drop_table('member_import_changes')
    with op.batch_alter_table('member_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_imports_status'))

    op.drop_table('member_imports')
