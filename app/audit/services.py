"""Writing and reading the audit log."""

from flask_login import current_user
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db


def record(action: str, target: str = "", **detail) -> AuditEntry:
    """Add an entry for the signed-in organizer to the caller's transaction."""
    organizer_id = current_user.id if current_user and current_user.is_authenticated else None
    entry = AuditEntry(organizer_id=organizer_id, action=action, target=target, detail=detail)
    db.session.add(entry)
    return entry


def recent_entries(limit: int = 200, offset: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(db.session.scalars(query))
