"""Repair single-line text stored before the input models cleaned it: line separators (U+2028,
U+2029, U+0085, CR, LF and the like) and tabs in titles, venues and labels become spaces, so no
existing event is left with a title that breaks its mail headers or calendar files.

The cleaning is written out here rather than imported: a migration must keep doing what it did
when it was written, whatever app/text.py becomes.

Revision ID: 0012
Revises: 0011
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_BREAKS = re.compile("[ \t]*(?:\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])[ \t]*")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")

# (table, its single-line text columns)
COLUMNS = (
    ("events", ("title", "venue")),
    ("event_parts", ("title",)),
    ("theme_tables", ("title", "description")),
    ("event_questions", ("label",)),
    ("announcements", ("subject",)),
)


def _clean(value: str) -> str:
    value = _BREAKS.sub(" ", value).replace("\t", " ")
    return _CONTROL.sub("", value).strip()


def upgrade():
    connection = op.get_bind()
    for table, columns in COLUMNS:
        rows = sa.table(table, sa.column("id"), *(sa.column(name) for name in columns))
        for row in connection.execute(sa.select(rows)).mappings():
            changed = {
                name: _clean(row[name])
                for name in columns
                if row[name] is not None and _clean(row[name]) != row[name]
            }
            if changed:
                connection.execute(sa.update(rows).where(rows.c.id == row["id"]).values(changed))


def downgrade():
    pass  # the original characters are not worth restoring
